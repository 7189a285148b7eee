// GEMM through ops::mm: square products 64..2048 in float32 and float64, and the tutorials'
// MLP layer shapes C = A @ B with their backward products A^T G and G B^T, whose transposes
// are views the GEMM packs in place.
#include "bench_util.h"
#include "ops/linalg.h"
#include "ops/shape.h"

namespace ptbench {
namespace {

std::string dims(int64_t m, int64_t k, int64_t n) {
  return std::to_string(m) + "x" + std::to_string(k) + "@" + std::to_string(k) + "x" + std::to_string(n);
}

// (m x k) @ (k x n); a transposed operand is the .t() view of a contiguous (k x m) / (n x k).
void gemm(const std::string& label, DType dt, int64_t m, int64_t k, int64_t n, bool ta, bool tb) {
  const std::string name = "gemm_" + std::string(short_name(dt)) + "/" + label + "/" + dims(m, k, n);
  add(name, [=](benchmark::State& st) {
    const Tensor a = ta ? pt::ops::t(randn({k, m}, dt)) : randn({m, k}, dt);
    const Tensor b = tb ? pt::ops::t(randn({n, k}, dt)) : randn({k, n}, dt);
    measure(st, {2.0 * m * n * k, 0, dt}, [&] { benchmark::DoNotOptimize(pt::ops::mm(a, b)); });
  });
}

// A (rows x in) @ B (in x out), and for its gradient G (rows x out): A^T G and G B^T.
void mlp_layer(DType dt, int64_t rows, int64_t in, int64_t out) {
  gemm("mlp_AB", dt, rows, in, out, false, false);
  gemm("mlp_AtG", dt, in, rows, out, true, false);
  gemm("mlp_GBt", dt, rows, out, in, false, true);
}

const bool registered = [] {
  for (DType dt : {DType::Float32, DType::Float64})
    for (int64_t n = 64; n <= 2048; n *= 2) gemm("square", dt, n, n, n, false, false);
  for (DType dt : {DType::Float32, DType::Float64}) {
    mlp_layer(dt, 64, 784, 512);
    mlp_layer(dt, 64, 512, 10);
  }
  return true;
}();

}  // namespace
}  // namespace ptbench
