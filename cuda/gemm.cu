// Batched GEMM on CUDA cores (FFMA, exact float32; float64 through the same template).
// Each 256-thread block computes a 128x128 tile of C, each thread an 8x8 register block
// (two 4-wide groups 64 apart in each direction, so that the float4 reads from shared memory
// are conflict-free). K advances in steps of 8 through two shared-memory buffers: the global
// loads of the next step are issued before the math on the current one (double buffering),
// one barrier per step. Operands are read through their strides, so transposed views need no
// copy; the tile loader picks the thread mapping that keeps global reads coalesced along
// whichever of an operand's dims has stride 1.
#include <algorithm>

#include "core/error.h"
#include "cuda/check.cuh"
#include "cuda/kernels.h"

namespace pt::cuda {
namespace {

constexpr int BM = 128, BN = 128, BK = 8, kGemmThreads = 256;
constexpr int kLoads = BM * BK / kGemmThreads;  // elements of A (and of B) each thread stages

template <class T>
struct GemmArgs {
  const T* A;
  const T* B;
  T* C;
  int64_t batch, M, N, K;
  int64_t bsA, rsA, csA, bsB, rsB, csB, bsC, rsC, csC;
};

// Four consecutive elements of shared memory (16-byte aligned for float).
__device__ inline void read4(const float* p, float* v) {
  const float4 x = *reinterpret_cast<const float4*>(p);
  v[0] = x.x, v[1] = x.y, v[2] = x.z, v[3] = x.w;
}
__device__ inline void read4(const double* p, double* v) {
  const double2 x = reinterpret_cast<const double2*>(p)[0], y = reinterpret_cast<const double2*>(p)[1];
  v[0] = x.x, v[1] = x.y, v[2] = y.x, v[3] = y.y;
}

template <class T>
__global__ void __launch_bounds__(kGemmThreads) gemm_kernel(GemmArgs<T> g) {
  __shared__ __align__(16) T As[2][BK][BM];
  __shared__ __align__(16) T Bs[2][BK][BN];
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const int64_t m0 = static_cast<int64_t>(blockIdx.y) * BM, n0 = static_cast<int64_t>(blockIdx.x) * BN;
  const bool a_k_fast = g.csA == 1, b_n_fast = g.csB == 1 || g.rsB != 1;
  // Where element i of this thread's share lies in the A tile (m, k) and the B tile (k, n).
  int am[kLoads], ak[kLoads], bk[kLoads], bn[kLoads];
#pragma unroll
  for (int i = 0; i < kLoads; ++i) {
    const int e = tid + kGemmThreads * i;
    am[i] = a_k_fast ? e / BK : e % BM;
    ak[i] = a_k_fast ? e % BK : e / BM;
    bk[i] = b_n_fast ? e / BN : e % BK;
    bn[i] = b_n_fast ? e % BN : e / BK;
  }
  const int ktiles = static_cast<int>((g.K + BK - 1) / BK);

  for (int64_t b = blockIdx.z; b < g.batch; b += gridDim.z) {
    const T* A = g.A + b * g.bsA;
    const T* B = g.B + b * g.bsB;
    T ra[kLoads], rb[kLoads];
    auto load = [&](int64_t k0) {
#pragma unroll
      for (int i = 0; i < kLoads; ++i) {
        const int64_t m = m0 + am[i], ka = k0 + ak[i], kb = k0 + bk[i], n = n0 + bn[i];
        ra[i] = m < g.M && ka < g.K ? A[m * g.rsA + ka * g.csA] : T(0);
        rb[i] = kb < g.K && n < g.N ? B[kb * g.rsB + n * g.csB] : T(0);
      }
    };
    auto store = [&](int buf) {
#pragma unroll
      for (int i = 0; i < kLoads; ++i) {
        As[buf][ak[i]][am[i]] = ra[i];
        Bs[buf][bk[i]][bn[i]] = rb[i];
      }
    };
    T acc[8][8];
#pragma unroll
    for (int i = 0; i < 8; ++i)
#pragma unroll
      for (int j = 0; j < 8; ++j) acc[i][j] = T(0);

    load(0);
    store(0);
    __syncthreads();
    for (int t = 0; t < ktiles; ++t) {
      const int cur = t & 1;
      if (t + 1 < ktiles) load(static_cast<int64_t>(t + 1) * BK);  // in flight during the math
#pragma unroll
      for (int k = 0; k < BK; ++k) {
        T a[8], bv[8];
        read4(&As[cur][k][ty * 4], a);
        read4(&As[cur][k][ty * 4 + 64], a + 4);
        read4(&Bs[cur][k][tx * 4], bv);
        read4(&Bs[cur][k][tx * 4 + 64], bv + 4);
#pragma unroll
        for (int i = 0; i < 8; ++i)
#pragma unroll
          for (int j = 0; j < 8; ++j) acc[i][j] = fma(a[i], bv[j], acc[i][j]);
      }
      // The other buffer was last read before the previous barrier: safe to overwrite.
      if (t + 1 < ktiles) store(cur ^ 1);
      __syncthreads();
    }

    T* C = g.C + b * g.bsC;
#pragma unroll
    for (int i = 0; i < 8; ++i) {
      const int64_t m = m0 + (i < 4 ? ty * 4 + i : 64 + ty * 4 + i - 4);
      if (m >= g.M) continue;
#pragma unroll
      for (int j = 0; j < 8; ++j) {
        const int64_t n = n0 + (j < 4 ? tx * 4 + j : 64 + tx * 4 + j - 4);
        if (n < g.N) C[m * g.rsC + n * g.csC] = acc[i][j];
      }
    }
  }
}

template <class T>
void launch_gemm(const GemmArgs<T>& g) {
  const int64_t gx = (g.N + BN - 1) / BN, gy = (g.M + BM - 1) / BM;
  PT_CHECK(gy <= 65535, NotImplementedError, "matmul: CUDA GEMM supports at most ", 65535 * BM,
           " rows, got ", g.M);
  const dim3 grid(static_cast<unsigned>(gx), static_cast<unsigned>(gy),
                  static_cast<unsigned>(std::min<int64_t>(g.batch, 65535)));
  gemm_kernel<T><<<grid, kGemmThreads>>>(g);
  check_launch("gemm_kernel");
}

}  // namespace

void gemm(DType dtype, int64_t batch, int64_t M, int64_t N, int64_t K, const void* A, int64_t bsA,
          int64_t rsA, int64_t csA, const void* B, int64_t bsB, int64_t rsB, int64_t csB, void* C,
          int64_t bsC, int64_t rsC, int64_t csC) {
  if (batch == 0 || M == 0 || N == 0) return;
  PT_DISPATCH_FLOAT(dtype, "matmul_cuda", [&] {
    launch_gemm(GemmArgs<scalar_t>{static_cast<const scalar_t*>(A), static_cast<const scalar_t*>(B),
                                   static_cast<scalar_t*>(C), batch, M, N, K, bsA, rsA, csA, bsB,
                                   rsB, csB, bsC, rsC, csC});
  });
}

}  // namespace pt::cuda
