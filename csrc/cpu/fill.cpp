#include "cpu/fill.h"

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/iter.h"

namespace pt::cpu {

void fill(const Tensor& t, const Scalar& value) {
  if (t->numel() == 0) return;
  const Operand op{static_cast<char*>(t->raw_data()), &t->strides(), t->itemsize()};
  StridedLoop loop(t->sizes(), 1, &op);
  PT_DISPATCH_ALL(t->dtype(), "fill_", [&] {
    const scalar_t v = value.to<scalar_t>();
    loop.run([v](char** p, const int64_t* s, int64_t n) {
      if (s[0] == sizeof(scalar_t)) {
        scalar_t* o = reinterpret_cast<scalar_t*>(p[0]);
        for (int64_t i = 0; i < n; ++i) o[i] = v;
      } else {
        for (int64_t i = 0; i < n; ++i) *reinterpret_cast<scalar_t*>(p[0] + i * s[0]) = v;
      }
    });
  });
}

// Runs value(i) over a contiguous output on the thread pool.
template <class T, class F>
static void generate(const Tensor& out, const F& value) {
  T* o = out->data<T>();
  GilRelease nogil(out->numel() >= kElementwiseGrain);
  parallel_for(0, out->numel(), kElementwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) o[i] = value(i);
  });
}

void arange(const Tensor& out, const Scalar& start, const Scalar& step) {
  PT_DISPATCH_NUMERIC(out->dtype(), "arange", [&] {
    if constexpr (std::is_floating_point_v<scalar_t>) {
      const double a = start.f, d = step.f;
      generate<scalar_t>(out, [=](int64_t i) { return static_cast<scalar_t>(a + d * i); });
    } else {
      const int64_t a = start.to<int64_t>(), d = step.to<int64_t>();
      generate<scalar_t>(out, [=](int64_t i) { return static_cast<scalar_t>(a + d * i); });
    }
  });
}

void linspace(const Tensor& out, double start, double end, const double* log_base) {
  const int64_t steps = out->numel();
  const double step = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
  const int64_t halfway = steps == 1 ? 1 : steps / 2;  // one step is `start`
  const auto at = [=](int64_t i) {
    return i < halfway ? start + step * i : end - step * (steps - 1 - i);
  };
  PT_DISPATCH_NUMERIC(out->dtype(), log_base ? "logspace" : "linspace", [&] {
    if (log_base) {
      const double base = *log_base;
      generate<scalar_t>(out, [=](int64_t i) { return static_cast<scalar_t>(std::pow(base, at(i))); });
    } else {
      generate<scalar_t>(out, [=](int64_t i) { return static_cast<scalar_t>(at(i)); });
    }
  });
}

void eye(const Tensor& out) {
  const int64_t n = out->sizes()[0], m = out->sizes()[1];
  if (out->numel() == 0) return;
  std::memset(out->raw_data(), 0, out->numel() * out->itemsize());
  PT_DISPATCH_ALL(out->dtype(), "eye", [&] {
    scalar_t* o = out->data<scalar_t>();
    for (int64_t i = 0; i < std::min(n, m); ++i) o[i * m + i] = static_cast<scalar_t>(1);
  });
}

}  // namespace pt::cpu
