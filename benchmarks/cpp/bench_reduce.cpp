// Sums of a (4096, 4096) float32 tensor: over everything, along the inner (contiguous) dim and
// along the outer dim. Bytes: the input read once.
#include "bench_util.h"
#include "ops/reduce.h"

namespace ptbench {
namespace {

void reduction(const char* label, const pt::ops::Dims& dims) {
  add(std::string("sum_") + label + "/4096x4096", [=](benchmark::State& st) {
    const Tensor x = randn({4096, 4096});
    measure(st, {0, 4.0 * 4096 * 4096}, [&] { benchmark::DoNotOptimize(pt::ops::sum(x, dims, false, std::nullopt)); });
  });
}

const bool registered = [] {
  reduction("all", std::nullopt);
  reduction("inner", DimVec{1});
  reduction("outer", DimVec{0});
  return true;
}();

}  // namespace
}  // namespace ptbench
