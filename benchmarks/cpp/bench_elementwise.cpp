// Elementwise float32 ops on contiguous tensors of 1M (cache-resident) and 16M (memory-bound)
// elements; bytes are the operands read plus the result written, as the triad counts them.
#include <functional>

#include "bench_util.h"
#include "ops/elementwise.h"

namespace ptbench {
namespace {

using Binary = std::function<Tensor(const Tensor&, const Tensor&)>;
using Unary = std::function<Tensor(const Tensor&)>;

std::string size_label(int64_t n) { return std::to_string(n >> 20) + "M"; }

void binary(const char* op, int64_t n, const Binary& f) {
  add(std::string(op) + "/" + size_label(n), [=](benchmark::State& st) {
    const Tensor a = randn({n}), b = randn({n});
    measure(st, {0, 3.0 * 4 * n}, [&] { benchmark::DoNotOptimize(f(a, b)); });
  });
}

void unary(const char* op, int64_t n, const Unary& f) {
  add(std::string(op) + "/" + size_label(n), [=](benchmark::State& st) {
    const Tensor a = randn({n});
    measure(st, {0, 2.0 * 4 * n}, [&] { benchmark::DoNotOptimize(f(a)); });
  });
}

const bool registered = [] {
  for (int64_t n : {int64_t(1) << 20, int64_t(1) << 24}) {
    binary("add", n, [](const Tensor& a, const Tensor& b) { return pt::ops::add(a, b); });
    binary("mul", n, [](const Tensor& a, const Tensor& b) { return pt::ops::mul(a, b); });
    unary("relu", n, [](const Tensor& a) { return pt::ops::relu(a); });
    unary("exp", n, [](const Tensor& a) { return pt::ops::exp(a); });
    unary("sigmoid", n, [](const Tensor& a) { return pt::ops::sigmoid(a); });
  }
  return true;
}();

}  // namespace
}  // namespace ptbench
