// Batched GEMM on CUDA cores (FFMA, exact float32; float64 through the same template), and a
// TF32 tensor-core form of it.
// Each 256-thread block computes a 128x128 tile of C, each thread an 8x8 register block
// (two 4-wide groups 64 apart in each direction, so that the float4 reads from shared memory
// are conflict-free). K advances in steps of 8 through two shared-memory buffers: the global
// loads of the next step are issued before the math on the current one (double buffering),
// one barrier per step. Operands are read through their strides, so transposed views need no
// copy; the tile loader picks the thread mapping that keeps global reads coalesced along
// whichever of an operand's dims has stride 1. With pytensor.backends.cuda.matmul.allow_tf32
// (core/flags.h), float32 runs on the tensor cores instead (gemm_tf32_kernel: TF32 inputs,
// float32 sums), on sm_80 and newer.
#include <algorithm>
#include <type_traits>

#include "core/error.h"
#include "core/flags.h"
#include "cuda/check.cuh"
#include "cuda/kernels.h"
#include "cuda/tile.cuh"

namespace pt::cuda {
namespace {

constexpr int BM = 128, BN = 128, kGemmThreads = 256;
constexpr int BK = 8;                 // FFMA kernel's K step
constexpr int kTK = 16, kTPad = 8;    // TF32 kernel's K step; row padding against bank conflicts

template <class T>
struct GemmArgs {
  const T* A;
  const T* B;
  T* C;
  int64_t batch, M, N, K;
  int64_t bsA, rsA, csA, bsB, rsB, csB, bsC, rsC, csC;
};

// Stages a BM x K_STEP tile of A and a K_STEP x BN tile of B through registers into shared
// memory (A stored k-major, As[k][m]). The thread mapping keeps global reads coalesced along
// whichever of an operand's dims has stride 1; elements outside the matrices read as 0.
template <class T, int K_STEP>
struct TileLoader {
  static constexpr int kLoads = BM * K_STEP / kGemmThreads;
  int tid;
  bool a_k_fast, b_n_fast;
  T ra[kLoads], rb[kLoads];

  __device__ TileLoader(const GemmArgs<T>& g, int t)
      : tid(t), a_k_fast(g.csA == 1), b_n_fast(g.csB == 1 || g.rsB != 1) {}
  // Where element i of this thread's share lies in the A tile (m, k) and the B tile (k, n);
  // recomputed (shifts and masks) rather than held, to spare registers.
  __device__ int e(int i) const { return tid + kGemmThreads * i; }
  __device__ int am(int i) const { return a_k_fast ? e(i) / K_STEP : e(i) % BM; }
  __device__ int ak(int i) const { return a_k_fast ? e(i) % K_STEP : e(i) / BM; }
  __device__ int bk(int i) const { return b_n_fast ? e(i) / BN : e(i) % K_STEP; }
  __device__ int bn(int i) const { return b_n_fast ? e(i) % BN : e(i) / K_STEP; }

  __device__ void load(const GemmArgs<T>& g, const T* A, const T* B, int64_t m0, int64_t n0, int64_t k0) {
#pragma unroll
    for (int i = 0; i < kLoads; ++i) {
      const int64_t m = m0 + am(i), ka = k0 + ak(i), kb = k0 + bk(i), n = n0 + bn(i);
      ra[i] = m < g.M && ka < g.K ? A[m * g.rsA + ka * g.csA] : T(0);
      rb[i] = kb < g.K && n < g.N ? B[kb * g.rsB + n * g.csB] : T(0);
    }
  }
  // `cvt` maps each value on its way into shared memory (TF32 rounding, or none).
  template <int LDA, int LDB, class F>
  __device__ void store(T (*As)[LDA], T (*Bs)[LDB], F cvt) const {
#pragma unroll
    for (int i = 0; i < kLoads; ++i) {
      As[ak(i)][am(i)] = cvt(ra[i]);
      Bs[bk(i)][bn(i)] = cvt(rb[i]);
    }
  }
};

struct Identity {
  template <class T>
  __device__ T operator()(T x) const { return x; }
};

template <class T>
__global__ void __launch_bounds__(kGemmThreads) gemm_kernel(GemmArgs<T> g) {
  __shared__ __align__(16) T As[2][BK][BM];
  __shared__ __align__(16) T Bs[2][BK][BN];
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const int64_t m0 = static_cast<int64_t>(blockIdx.y) * BM, n0 = static_cast<int64_t>(blockIdx.x) * BN;
  TileLoader<T, BK> tiles(g, tid);
  const int ktiles = static_cast<int>((g.K + BK - 1) / BK);

  for (int64_t b = blockIdx.z; b < g.batch; b += gridDim.z) {
    const T* A = g.A + b * g.bsA;
    const T* B = g.B + b * g.bsB;
    T acc[8][8];
#pragma unroll
    for (int i = 0; i < 8; ++i)
#pragma unroll
      for (int j = 0; j < 8; ++j) acc[i][j] = T(0);

    tiles.load(g, A, B, m0, n0, 0);
    tiles.store(As[0], Bs[0], Identity{});
    __syncthreads();
    for (int t = 0; t < ktiles; ++t) {
      const int cur = t & 1;
      if (t + 1 < ktiles) tiles.load(g, A, B, m0, n0, static_cast<int64_t>(t + 1) * BK);  // in flight during the math
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
      if (t + 1 < ktiles) tiles.store(As[cur ^ 1], Bs[cur ^ 1], Identity{});
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

// ---- TF32 tensor cores (mma.sync m16n8k8, sm_80 and newer) ----

// x rounded to TF32 (10-bit mantissa, nearest, ties away), kept in a float's bits.
struct ToTF32 {
  __device__ float operator()(float x) const {
#if __CUDA_ARCH__ >= 800
    uint32_t r;
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
    return __uint_as_float(r);
#elif defined(PYTENSOR_CUDA_EMU)
    return pt_emu::to_tf32(x);
#else
    return x;
#endif
  }
};

// d += a (16x8, row) * b (8x8, col). Lane l holds a at rows l/4 and l/4+8, cols l%4 and
// l%4+4; b at rows (k) l%4 and l%4+4, col l/4; d at rows l/4 and l/4+8, cols 2(l%4)+{0,1}.
__device__ inline void mma_tf32(float* d, const uint32_t* a, const uint32_t* b) {
#if __CUDA_ARCH__ >= 800
  asm volatile(
      "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%0,%1,%2,%3};"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#elif defined(PYTENSOR_CUDA_EMU)
  pt_emu::mma_m16n8k8_tf32(d, a, b);
#else
  __trap();  // the host never launches this kernel below sm_80
#endif
}

// The same 128x128 block tile and double-buffered staging as gemm_kernel, K in steps of 16;
// the 8 warps form a 2 x 4 grid, each computing a 64 x 32 piece of C as 4 x 4 mma tiles.
__global__ void __launch_bounds__(kGemmThreads) gemm_tf32_kernel(GemmArgs<float> g) {
  __shared__ __align__(16) float As[2][kTK][BM + kTPad];
  __shared__ __align__(16) float Bs[2][kTK][BN + kTPad];
  const int tid = threadIdx.x, lane = tid % 32, warp = tid / 32;
  const int wm = warp / 4, wn = warp % 4, gq = lane / 4, tq = lane % 4;
  const int64_t m0 = static_cast<int64_t>(blockIdx.y) * BM, n0 = static_cast<int64_t>(blockIdx.x) * BN;
  TileLoader<float, kTK> tiles(g, tid);
  const int ktiles = static_cast<int>((g.K + kTK - 1) / kTK);

  for (int64_t b = blockIdx.z; b < g.batch; b += gridDim.z) {
    const float* A = g.A + b * g.bsA;
    const float* B = g.B + b * g.bsB;
    float acc[4][4][4];
#pragma unroll
    for (int i = 0; i < 4; ++i)
#pragma unroll
      for (int j = 0; j < 4; ++j)
#pragma unroll
        for (int q = 0; q < 4; ++q) acc[i][j][q] = 0.f;

    tiles.load(g, A, B, m0, n0, 0);
    tiles.store(As[0], Bs[0], ToTF32{});
    __syncthreads();
    for (int t = 0; t < ktiles; ++t) {
      const int cur = t & 1;
      if (t + 1 < ktiles) tiles.load(g, A, B, m0, n0, static_cast<int64_t>(t + 1) * kTK);
#pragma unroll
      for (int ks = 0; ks < kTK; ks += 8) {
        uint32_t a[4][4];
#pragma unroll
        for (int mi = 0; mi < 4; ++mi) {
          const int r = wm * 64 + mi * 16 + gq;
          a[mi][0] = __float_as_uint(As[cur][ks + tq][r]);
          a[mi][1] = __float_as_uint(As[cur][ks + tq][r + 8]);
          a[mi][2] = __float_as_uint(As[cur][ks + tq + 4][r]);
          a[mi][3] = __float_as_uint(As[cur][ks + tq + 4][r + 8]);
        }
#pragma unroll
        for (int ni = 0; ni < 4; ++ni) {  // one B fragment live at a time spares registers
          const int c = wn * 32 + ni * 8 + gq;
          const uint32_t bf[2] = {__float_as_uint(Bs[cur][ks + tq][c]), __float_as_uint(Bs[cur][ks + tq + 4][c])};
#pragma unroll
          for (int mi = 0; mi < 4; ++mi) mma_tf32(acc[mi][ni], a[mi], bf);
        }
      }
      if (t + 1 < ktiles) tiles.store(As[cur ^ 1], Bs[cur ^ 1], ToTF32{});
      __syncthreads();
    }

    float* C = g.C + b * g.bsC;
#pragma unroll
    for (int mi = 0; mi < 4; ++mi)
#pragma unroll
      for (int ni = 0; ni < 4; ++ni)
#pragma unroll
        for (int q = 0; q < 4; ++q) {
          const int64_t m = m0 + wm * 64 + mi * 16 + gq + (q >> 1) * 8;
          const int64_t n = n0 + wn * 32 + ni * 8 + 2 * tq + (q & 1);
          if (m < g.M && n < g.N) C[m * g.rsC + n * g.csC] = acc[mi][ni][q];
        }
  }
}

// Tensor cores need sm_80 (Ampere) or newer: the current device's compute capability.
bool has_tf32_mma() {
  int dev = 0, major = 0;
  return cudaGetDevice(&dev) == cudaSuccess &&
         cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev) == cudaSuccess &&
         major >= 8;
}

template <class T>
void launch_gemm(const GemmArgs<T>& g) {
  const int64_t gx = (g.N + BN - 1) / BN, gy = (g.M + BM - 1) / BM;
  PT_CHECK(gy <= 65535, NotImplementedError, "matmul: CUDA GEMM supports at most ", 65535 * BM,
           " rows, got ", g.M);
  const dim3 grid(static_cast<unsigned>(gx), static_cast<unsigned>(gy),
                  static_cast<unsigned>(std::min<int64_t>(g.batch, 65535)));
  if constexpr (std::is_same_v<T, float>) {
    if (allow_tf32() && has_tf32_mma()) {
      gemm_tf32_kernel<<<grid, kGemmThreads>>>(g);
      check_launch("gemm_tf32_kernel");
      return;
    }
  }
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
