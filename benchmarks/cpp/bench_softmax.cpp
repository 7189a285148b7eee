// softmax / log_softmax along the class dim and the fused cross-entropy forward and backward,
// float32, for the MNIST classifier's (64, 10) logits and a large (4096, 1000) batch.
// Bytes: logits read + result written (the loss forward writes one value per row at most).
#include "bench_util.h"
#include "ops/loss.h"
#include "ops/random.h"
#include "ops/softmax.h"

namespace ptbench {
namespace {

std::string shape(int64_t n, int64_t c) { return std::to_string(n) + "x" + std::to_string(c); }

void softmaxes(int64_t n, int64_t c) {
  const double bytes = 2.0 * 4 * n * c;
  add("softmax/" + shape(n, c), [=](benchmark::State& st) {
    const Tensor x = randn({n, c});
    measure(st, {0, bytes}, [&] { benchmark::DoNotOptimize(pt::ops::softmax(x, 1, std::nullopt)); });
  });
  add("log_softmax/" + shape(n, c), [=](benchmark::State& st) {
    const Tensor x = randn({n, c});
    measure(st, {0, bytes}, [&] { benchmark::DoNotOptimize(pt::ops::log_softmax(x, 1, std::nullopt)); });
  });
}

void cross_entropy(int64_t n, int64_t c, bool backward) {
  const double bytes = 4.0 * n * c * (backward ? 2 : 1) + 8.0 * n;  // + the int64 targets
  add(std::string(backward ? "cross_entropy_bwd/" : "cross_entropy_fwd/") + shape(n, c),
      [=](benchmark::State& st) {
        const Tensor target = pt::ops::randint(0, c, {n}, DType::Int64, pt::cpu_device(), nullptr);
        auto loss = [&](const Tensor& x) {
          return pt::ops::cross_entropy(x, target, std::nullopt, -100, "mean", 0.0);
        };
        if (backward) {
          const Tensor x = leaf({n, c});
          measure_backward(st, {0, bytes}, loss(x), Tensor(), x);
        } else {
          const Tensor x = randn({n, c});
          measure(st, {0, bytes}, [&] { benchmark::DoNotOptimize(loss(x)); });
        }
      });
}

const bool registered = [] {
  for (auto [n, c] : {std::pair<int64_t, int64_t>{64, 10}, {4096, 1000}}) {
    softmaxes(n, c);
    cross_entropy(n, c, false);
    cross_entropy(n, c, true);
  }
  return true;
}();

}  // namespace
}  // namespace ptbench
