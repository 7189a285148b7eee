// Error types that the bindings translate to the Python exception PyTorch raises, and the
// PT_CHECK macro that builds the message (op name, shapes, dtypes) only when the check fails.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/dimvec.h"
#include "core/dtype.h"

namespace pt {

struct TypeError : std::runtime_error { using std::runtime_error::runtime_error; };
struct ValueError : std::runtime_error { using std::runtime_error::runtime_error; };
struct IndexError : std::runtime_error { using std::runtime_error::runtime_error; };
struct NotImplementedError : std::runtime_error { using std::runtime_error::runtime_error; };
// Plain RuntimeError is std::runtime_error itself.
using RuntimeError = std::runtime_error;

// Shapes print as PyTorch's tuples: (2, 3), (5,), ().
struct ShapeStr { const DimVec& v; };
inline std::ostream& operator<<(std::ostream& os, ShapeStr s) {
  os << '(';
  for (int64_t i = 0; i < s.v.size(); ++i) os << (i ? ", " : "") << s.v[i];
  if (s.v.size() == 1) os << ',';
  return os << ')';
}
inline std::ostream& operator<<(std::ostream& os, const DimVec& v) { return os << ShapeStr{v}; }
inline std::ostream& operator<<(std::ostream& os, DType t) { return os << dtype_name(t); }

template <class... Args>
std::string str_cat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

}  // namespace pt

#define PT_CHECK(cond, Exc, ...) \
  do {                           \
    if (!(cond)) throw ::pt::Exc(::pt::str_cat(__VA_ARGS__)); \
  } while (0)
