// max and avg pooling 2x2 (stride 2), forward and backward, on the MNIST CNN's (64,32,26,26)
// float32 activations. Bytes: input + output (+ the int64 indices max pooling writes and its
// backward reads; max_pool2d_values is the forward without them, as under no_grad).
#include "bench_util.h"
#include "ops/pool.h"

namespace ptbench {
namespace {

enum class Kind { Max, MaxValues, Avg };

Tensor pool(Kind kind, const Tensor& x) {
  if (kind != Kind::Avg)
    return pt::ops::max_pool2d_with_indices(x, {2}, {}, {0}, {1}, false, kind == Kind::Max).values;
  return pt::ops::avg_pool2d(x, {2}, {}, {0}, false, true, std::nullopt);
}

void pooling(Kind kind, bool backward) {
  const DimVec xs{64, 32, 26, 26}, ys{64, 32, 13, 13};
  const double in = 64.0 * 32 * 26 * 26, out = in / 4;
  const Work work{0, in * 4 + out * (kind == Kind::Max ? 4 + 8 : 4)};
  const char* names[] = {"max_pool2d", "max_pool2d_values", "avg_pool2d"};
  const std::string name = std::string(names[int(kind)]) +
                           (backward ? "_bwd" : "_fwd") + "/64x32x26x26_k2";
  add(name, [=](benchmark::State& st) {
    if (backward) {
      const Tensor x = leaf(xs);
      measure_backward(st, work, pool(kind, x), randn(ys), x);
    } else {
      const Tensor x = randn(xs);
      measure(st, work, [&] { benchmark::DoNotOptimize(pool(kind, x)); });
    }
  });
}

const bool registered = [] {
  for (Kind k : {Kind::Max, Kind::Avg})
    for (bool bwd : {false, true}) pooling(k, bwd);
  pooling(Kind::MaxValues, false);
  return true;
}();

}  // namespace
}  // namespace ptbench
