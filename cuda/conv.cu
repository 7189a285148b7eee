// CUDA convolution: the three maps of cpu/conv.h as implicit GEMMs, one per group, whose tile
// loaders compute each operand entry's address on the fly (zero outside the image); the
// column matrix is never stored.
//
//   forward      y (Og x N*OH*OW)   = W (Og x Cg*kh*kw) @ cols(x)
//   grad input   dx (Cg x N*H*W)    = W^T (Cg x Og*kh*kw) @ taps(dy), where taps(dy) at
//                (o, ki, kj; n, h, w) is dy[n, o, (h + ph - ki*dh) / sh, (w + pw - kj*dw) / sw]
//                when both divide exactly and land inside dy, else 0: a gather, so no col2im and
//                no atomics (with stride s, all but 1/s^2 of the taps are such zeros)
//   grad weight  dW (Og x Cg*kh*kw) = dy (Og x N*OH*OW) @ cols(x)^T, the long K cut into
//                slices (by shape only) whose partial products are added in slice order
//
// Every output entry is one thread's fixed-order FFMA chain (plus a fixed-order slice sum), so
// results are bit-identical run to run.
//
// A 1x1, stride-1, unpadded convolution without groups is a plain batched GEMM on the image
// (forward and input gradient go to cuda::gemm's larger tiles, the bias added after).
//
// Versions:
//   v1  64x64 block tiles, 4x4 per thread, BK = 16, register-staged double buffering as in
//       cuda/gemm.cu; each operand's tile is loaded with consecutive threads along whichever
//       of its dims is contiguous in memory. 1x1 convolutions on cuda::gemm.
#include <algorithm>

#include "core/error.h"
#include "core/tensor.h"
#include "cpu/conv.h"
#include "cuda/check.cuh"
#include "cuda/kernels.h"
#include "cuda/loop.cuh"
#include "cuda/tile.cuh"

namespace pt::cuda {
namespace {

using cpu::ConvGeom;

constexpr int BM = 64, BN = 64, BK = 16, kConvThreads = 256;
static_assert(BM == BN, "one slot mapping serves both operand tiles");
constexpr int kSlots = BM * BK / kConvThreads;  // tile entries each thread stages per operand
// Row padding of the shared tiles: spreads the transposing stores over the banks and keeps
// every row 16-byte aligned for the vector reads.
constexpr int kPad = 4;

// One row (an M or N index) of an operand, decoded once per block: where its entries start
// and two offsets the per-k address needs; ok is false past the matrix's edge.
struct Row {
  int64_t base, u, v;
  bool ok;
};

// Problem structs: per group, C (M x N) = A (M x K) @ B (K x N). a_row/b_row decode a row,
// a/b read the entry at k of a decoded row (k < K), store writes C(m, n) of slice `slice`.
// a_kfast/b_kfast: the operand is contiguous along k (else along its row index).

template <class T>
struct Forward {
  ConvGeom g;
  const T *x, *w, *bias;
  T* y;
  int64_t M, N, K, Cg;
  static constexpr bool a_kfast = true, b_kfast = false;

  __device__ Row a_row(int64_t grp, int64_t m) const { return {(grp * M + m) * K, 0, 0, m < M}; }
  __device__ T a(const Row& r, int64_t k) const { return w[r.base + k]; }
  __device__ Row b_row(int64_t grp, int64_t n) const {
    const int64_t P = g.OH * g.OW, nb = n / P, p = n - nb * P, oh = p / g.OW, ow = p - oh * g.OW;
    return {(nb * g.C + grp * Cg) * g.H * g.W, oh * g.sh - g.ph, ow * g.sw - g.pw, n < N};
  }
  __device__ T b(const Row& r, int64_t k) const {
    const int64_t kk = g.kh * g.kw, c = k / kk, t = k - c * kk, ki = t / g.kw, kj = t - ki * g.kw;
    const int64_t ih = r.u + ki * g.dh, iw = r.v + kj * g.dw;
    return ih >= 0 && ih < g.H && iw >= 0 && iw < g.W ? x[r.base + (c * g.H + ih) * g.W + iw] : T(0);
  }
  __device__ void store(int64_t grp, int, int64_t m, int64_t n, T v) const {
    const int64_t P = g.OH * g.OW, nb = n / P, p = n - nb * P, o = grp * M + m;
    y[(nb * g.O + o) * P + p] = bias ? v + bias[o] : v;
  }
};

template <class T>
struct GradInput {
  ConvGeom g;
  const T *dy, *w, *bias;
  T* dx;
  int64_t M, N, K, Og;

  static constexpr bool a_kfast = true, b_kfast = false;
  // w[grp * Og + o, m, ki, kj] with k = (o, ki, kj).
  __device__ Row a_row(int64_t grp, int64_t m) const {
    return {(grp * Og * M + m) * g.kh * g.kw, 0, 0, m < M};
  }
  __device__ T a(const Row& r, int64_t k) const {
    const int64_t kk = g.kh * g.kw, o = k / kk;
    return w[r.base + o * M * kk + (k - o * kk)];
  }
  __device__ Row b_row(int64_t grp, int64_t n) const {
    const int64_t HW = g.H * g.W, nb = n / HW, q = n - nb * HW, h = q / g.W, wc = q - h * g.W;
    return {(nb * g.O + grp * Og) * g.OH * g.OW, h + g.ph, wc + g.pw, n < N};
  }
  __device__ T b(const Row& r, int64_t k) const {
    const int64_t kk = g.kh * g.kw, o = k / kk, t = k - o * kk, ki = t / g.kw, kj = t - ki * g.kw;
    const int64_t th = r.u - ki * g.dh, tw = r.v - kj * g.dw;
    if (th < 0 || tw < 0) return T(0);
    const int64_t oh = th / g.sh, ow = tw / g.sw;
    if (oh * g.sh != th || ow * g.sw != tw || oh >= g.OH || ow >= g.OW) return T(0);
    return dy[r.base + (o * g.OH + oh) * g.OW + ow];
  }
  __device__ void store(int64_t grp, int, int64_t m, int64_t n, T v) const {
    const int64_t HW = g.H * g.W, nb = n / HW, q = n - nb * HW, c = grp * M + m;
    dx[(nb * g.C + c) * HW + q] = bias ? v + bias[c] : v;
  }
};

template <class T>
struct GradWeight {
  ConvGeom g;
  const T *dy, *x;
  T* out;  // dw, or [slices, O, Cg*kh*kw] partial sums
  int64_t M, N, K, Cg;
  static constexpr bool a_kfast = true, b_kfast = true;

  // dy[nb, grp * Og + m, p] with k = (nb, p).
  __device__ Row a_row(int64_t grp, int64_t m) const { return {(grp * M + m) * g.OH * g.OW, 0, 0, m < M}; }
  __device__ T a(const Row& r, int64_t k) const {
    const int64_t P = g.OH * g.OW, nb = k / P;
    return dy[r.base + nb * g.O * P + (k - nb * P)];
  }
  // x[nb, grp * Cg + c, oh * sh + ki * dh - ph, ow * sw + kj * dw - pw] with n = (c, ki, kj).
  __device__ Row b_row(int64_t grp, int64_t n) const {
    const int64_t kk = g.kh * g.kw, c = n / kk, t = n - c * kk, ki = t / g.kw, kj = t - ki * g.kw;
    return {(grp * Cg + c) * g.H * g.W, ki * g.dh - g.ph, kj * g.dw - g.pw, n < N};
  }
  __device__ T b(const Row& r, int64_t k) const {
    const int64_t P = g.OH * g.OW, nb = k / P, p = k - nb * P, oh = p / g.OW, ow = p - oh * g.OW;
    const int64_t ih = oh * g.sh + r.u, iw = ow * g.sw + r.v;
    return ih >= 0 && ih < g.H && iw >= 0 && iw < g.W ? x[r.base + nb * g.C * g.H * g.W + ih * g.W + iw] : T(0);
  }
  __device__ void store(int64_t grp, int slice, int64_t m, int64_t n, T v) const {
    out[(slice * g.O + grp * M + m) * N + n] = v;
  }
};

// Entry i of this thread's share of a (64 rows x BK) operand tile: its row and its k. Entries
// tid + 256 * i, numbered k-fast or row-fast; written so that the compiler sees which of the
// two does not depend on i (one decoded row, or one k, per thread).
template <bool KFast>
__device__ inline void slot(int tid, int i, int& row, int& kk) {
  row = KFast ? tid / BK + kConvThreads / BK * i : tid % BM;
  kk = KFast ? tid % BK : tid / BM + kConvThreads / BM * i;
}


// Block (x: N tile, y: M tile, z: group * slices + slice); 16 x 16 threads, each a 4x4 block
// of C. K runs over [slice * k_slice, min(K, (slice + 1) * k_slice)).
template <class T, class Prob>
__global__ void __launch_bounds__(kConvThreads) conv_gemm_kernel(Prob p, int64_t k_slice, int slices) {
  __shared__ __align__(16) T As[2][BK][BM + kPad];
  __shared__ __align__(16) T Bs[2][BK][BN + kPad];
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const int64_t grp = blockIdx.z / slices;
  const int slice = static_cast<int>(blockIdx.z % slices);
  const int64_t m0 = static_cast<int64_t>(blockIdx.y) * BM, n0 = static_cast<int64_t>(blockIdx.x) * BN;
  const int64_t k_begin = slice * k_slice, k_end = min(p.K, k_begin + k_slice);

  int ar[kSlots], ak[kSlots], br[kSlots], bk[kSlots];
  Row ra[kSlots], rb[kSlots];
#pragma unroll
  for (int i = 0; i < kSlots; ++i) {
    slot<Prob::a_kfast>(tid, i, ar[i], ak[i]);
    slot<Prob::b_kfast>(tid, i, br[i], bk[i]);
    ra[i] = p.a_row(grp, m0 + ar[i]);
    rb[i] = p.b_row(grp, n0 + br[i]);
  }
  T va[kSlots], vb[kSlots];
  auto load = [&](int64_t k0) {
#pragma unroll
    for (int i = 0; i < kSlots; ++i) {
      const int64_t ka = k0 + ak[i], kb = k0 + bk[i];
      va[i] = ra[i].ok && ka < k_end ? p.a(ra[i], ka) : T(0);
      vb[i] = rb[i].ok && kb < k_end ? p.b(rb[i], kb) : T(0);
    }
  };
  auto store = [&](int buf) {
#pragma unroll
    for (int i = 0; i < kSlots; ++i) {
      As[buf][ak[i]][ar[i]] = va[i];
      Bs[buf][bk[i]][br[i]] = vb[i];
    }
  };
  T acc[4][4];
#pragma unroll
  for (int i = 0; i < 4; ++i)
#pragma unroll
    for (int j = 0; j < 4; ++j) acc[i][j] = T(0);

  const int64_t tiles = k_end > k_begin ? (k_end - k_begin + BK - 1) / BK : 0;
  load(k_begin);
  store(0);
  __syncthreads();
  for (int64_t t = 0; t < tiles; ++t) {
    const int cur = static_cast<int>(t & 1);
    if (t + 1 < tiles) load(k_begin + (t + 1) * BK);  // in flight during the math
#pragma unroll
    for (int k = 0; k < BK; ++k) {
      T a[4], b[4];
      read4(&As[cur][k][ty * 4], a);
      read4(&Bs[cur][k][tx * 4], b);
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) acc[i][j] = fma(a[i], b[j], acc[i][j]);
    }
    // The other buffer was last read before the previous barrier: safe to overwrite.
    if (t + 1 < tiles) store(cur ^ 1);
    __syncthreads();
  }

#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const int64_t m = m0 + ty * 4 + i;
    if (m >= p.M) continue;
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const int64_t n = n0 + tx * 4 + j;
      if (n < p.N) p.store(grp, slice, m, n, acc[i][j]);
    }
  }
}

// out[i] = sum over s of part[s * n + i], s ascending.
template <class T>
__global__ void sum_slices_kernel(const T* part, int64_t slices, int64_t n, T* out) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    T s = part[i];
    for (int64_t k = 1; k < slices; ++k) s += part[k * n + i];
    out[i] = s;
  }
}

// y[r, p] += bias[r % C] over rows r of P entries (rows are (sample, channel) planes).
template <class T>
__global__ void add_bias_kernel(T* y, const T* bias, int64_t C, int64_t P, int64_t total) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += step)
    y[i] += bias[i / P % C];
}

template <class T>
void add_bias(T* y, const T* bias, int64_t N, int64_t C, int64_t P) {
  const int64_t total = N * C * P;
  if (!bias || total == 0) return;
  add_bias_kernel<<<grid_for(total), kThreads>>>(y, bias, C, P, total);
  check_launch("add_bias_kernel");
}

bool pointwise(const ConvGeom& g) {
  return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0 && g.OH == g.H &&
         g.OW == g.W && g.groups == 1;
}

template <class T, class Prob>
void launch_conv(const char* kernel, const Prob& p, int64_t groups, int64_t slices, int64_t k_slice) {
  if (groups == 0 || p.M == 0 || p.N == 0) return;
  const int64_t gx = (p.N + BN - 1) / BN, gy = (p.M + BM - 1) / BM, gz = groups * slices;
  PT_CHECK(gx <= INT32_MAX && gy <= 65535 && gz <= 65535, NotImplementedError, kernel,
           ": convolution too large for the CUDA kernel's grid (", gx, " x ", gy, " x ", gz, " blocks)");
  const dim3 grid(static_cast<unsigned>(gx), static_cast<unsigned>(gy), static_cast<unsigned>(gz));
  conv_gemm_kernel<T, Prob><<<grid, kConvThreads>>>(p, k_slice, static_cast<int>(slices));
  check_launch(kernel);
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

template <class T>
void conv2d_forward(const ConvGeom& g, const T* x, const T* w, const T* bias, T* y) {
  if (pointwise(g)) {  // y[n] (O x HW) = W (O x C) @ x[n] (C x HW)
    const int64_t HW = g.H * g.W;
    gemm(dtype_of<T>::value, g.N, g.O, HW, g.C, w, 0, g.C, 1, x, g.C * HW, HW, 1, y, g.O * HW, HW, 1);
    return add_bias(y, bias, g.N, g.O, HW);
  }
  const int64_t Cg = g.C / g.groups;
  const Forward<T> p{g, x, w, bias, y, g.O / g.groups, g.N * g.OH * g.OW, Cg * g.kh * g.kw, Cg};
  launch_conv<T>("conv2d_forward_kernel", p, g.groups, 1, p.K);
}

template <class T>
void conv2d_grad_input(const ConvGeom& g, const T* dy, const T* w, const T* bias, T* dx) {
  if (pointwise(g)) {  // dx[n] (C x HW) = W^T (C x O) @ dy[n] (O x HW)
    const int64_t HW = g.H * g.W;
    gemm(dtype_of<T>::value, g.N, g.C, HW, g.O, w, 0, 1, g.C, dy, g.O * HW, HW, 1, dx, g.C * HW, HW, 1);
    return add_bias(dx, bias, g.N, g.C, HW);
  }
  const int64_t Og = g.O / g.groups;
  const GradInput<T> p{g, dy, w, bias, dx, g.C / g.groups, g.N * g.H * g.W, Og * g.kh * g.kw, Og};
  launch_conv<T>("conv2d_grad_input_kernel", p, g.groups, 1, p.K);
}

// Few output tiles and a long K (batch * OH * OW) leave most of the GPU idle: K is cut into
// slices of at least 256 so that about 512 blocks run. The cut depends on the shapes only.
template <class T>
void conv2d_grad_weight(const ConvGeom& g, const T* dy, const T* x, T* dw) {
  const int64_t Og = g.O / g.groups, Cg = g.C / g.groups, Kg = Cg * g.kh * g.kw;
  const int64_t K = g.N * g.OH * g.OW, wsize = g.O * Kg;
  if (wsize == 0) return;
  const int64_t tiles = ceil_div(Og, BM) * ceil_div(Kg, BN) * g.groups;
  int64_t slices = std::min({ceil_div(512, tiles), ceil_div(K, 256), 65535 / g.groups});
  slices = std::max<int64_t>(slices, 1);
  const int64_t k_slice = std::max<int64_t>(BK, ceil_div(ceil_div(K, slices), BK) * BK);
  slices = std::max<int64_t>(1, ceil_div(K, k_slice));  // no empty slice
  if (slices == 1) {
    launch_conv<T>("conv2d_grad_weight_kernel", GradWeight<T>{g, dy, x, dw, Og, Kg, K, Cg}, g.groups, 1, K);
    return;
  }
  // Freed on return while the kernels may still run: the caching allocator's next user of the
  // block launches on the same default stream, so after them.
  const Tensor part = empty(DimVec{slices * wsize}, dtype_of<T>::value, Device{DeviceType::CUDA, current_device()});
  T* pp = part->data<T>();
  launch_conv<T>("conv2d_grad_weight_kernel", GradWeight<T>{g, dy, x, pp, Og, Kg, K, Cg}, g.groups,
                 slices, k_slice);
  sum_slices_kernel<<<grid_for(wsize), kThreads>>>(pp, slices, wsize, dw);
  check_launch("sum_slices_kernel");
}

#define PT_CUDA_CONV(T)                                                                    \
  template void conv2d_forward<T>(const ConvGeom&, const T*, const T*, const T*, T*);    \
  template void conv2d_grad_input<T>(const ConvGeom&, const T*, const T*, const T*, T*); \
  template void conv2d_grad_weight<T>(const ConvGeom&, const T*, const T*, T*);
PT_CUDA_CONV(float)
PT_CUDA_CONV(double)
#undef PT_CUDA_CONV

}  // namespace pt::cuda
