// CPU convolution: implicit im2col onto the project's GEMM, per sample.
//
//   forward       y[n] (O x P)   = W (O x K) @ cols(x[n]) (K x P)        per group, K = C/g*kh*kw
//   grad input    stride 1: the forward of dy with the flipped kernel (no col2im);
//                 otherwise dx[n] = col2im(W^T (K x O) @ dy[n] (O x P))
//   grad weight   dW (O x K)     = sum_n dy[n] (O x P) @ cols(x[n])^T (P x K)
//
// cols is never written: the GEMM packs its B panels straight from the image (conv_pack.cpp).
// Samples are split into one contiguous range per thread (the weight gradient with its own
// partial dW per thread, summed at the end in a fixed order, so results do not depend on
// scheduling). With one sample or one thread the GEMM threads itself. A 1x1, stride-1,
// unpadded convolution is a plain GEMM on the input.
//
// Versions (2-core AVX2 VM, float, 1 thread):
//   v1  im2col rows copied with memcpy where the stride is 1; bias written before a beta=1
//       GEMM so the output is touched once; 1x1 convolutions always on the input in place.
//   v2  1x1 in place only for samples up to 256 KB: 8x64x56x56 -> 256 ran 9.1 ms in place,
//       5.8 ms through im2col; 64x32x14x14 -> 64: 0.43 ms in place, 0.49 ms through im2col.
//   v3  short im2col rows copied by a loop instead of memcpy calls (LeNet 6->16 5x5: -3%).
//       Tried and dropped: y^T = cols^T @ W^T for few output channels (6->16: -10%, but
//       1->6 5x5 ran 1.8x slower).
//   v4  implicit im2col (B packed from the image, AVX2 masked loads for stride 1) and the
//       stride-1 input gradient as a flipped forward: LeNet 6->16 5x5 forward 1.11 -> 0.91 ms,
//       its input gradient 1.17 ms unchanged (it keeps col2im: the full correlation would do
//       2x the multiplications); the column buffer's DRAM traffic is gone on 64x56x56 layers.
#include "cpu/conv.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "core/parallel.h"
#include "cpu/conv_pack.h"
#include "cpu/gemm/gemm.h"

namespace pt::cpu {

namespace {

// A 1x1, stride-1, unpadded convolution's column matrix is its input sample: the GEMM reads it
// in place. A sample larger than L2 is first copied to a buffer: GEMM packs B in panels that
// stride across all channels, which streams badly from DRAM (8x64x56x56 -> 256: 9.1 ms in
// place, 5.8 ms copied; the implicit-im2col packer reads the same way, so it is not used here).
bool pointwise(const ConvGeom& g) {
  return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0 &&
         g.OH == g.H && g.OW == g.W;
}

template <class T>
int64_t pointwise_copy_elems(const ConvGeom& g) {
  const int64_t sample = g.C * g.H * g.W;
  return pointwise(g) && sample * int64_t(sizeof(T)) > (256 << 10) ? sample : 0;
}

// The sample n as the GEMM reads it (pointwise: in place, or copied to buf).
template <class T>
const T* pointwise_input(const ConvGeom& g, const T* x, int64_t n, T* buf) {
  const int64_t sample = g.C * g.H * g.W;
  const T* xn = x + n * sample;
  if (!buf) return xn;
  std::copy(xn, xn + sample, buf);
  return buf;
}

int64_t ceil_div(int64_t a, int64_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

// Walks the rows of one sample's column matrix ((c, ki, kj) x OH rows of OW entries) and
// calls fn(col_offset, in_offset, lo, hi, step, shift): the columns [lo, hi) of that row
// read input entries in_offset + ow * step + shift; the rest of the row is padding.
// in_offset < 0 means the whole row is padding.
template <class F>
void for_each_col_row(const ConvGeom& g, int64_t C, F fn) {
  for (int64_t c = 0; c < C; ++c)
    for (int64_t ki = 0; ki < g.kh; ++ki)
      for (int64_t kj = 0; kj < g.kw; ++kj) {
        const int64_t shift = kj * g.dw - g.pw;  // iw = ow * sw + shift
        const int64_t lo = std::min(g.OW, ceil_div(-shift, g.sw));
        const int64_t hi = std::max(lo, std::min(g.OW, ceil_div(g.W - shift, g.sw)));
        const int64_t row0 = ((c * g.kh + ki) * g.kw + kj) * g.OH * g.OW;
        for (int64_t oh = 0; oh < g.OH; ++oh) {
          const int64_t ih = oh * g.sh - g.ph + ki * g.dh;
          const bool inside = ih >= 0 && ih < g.H;
          fn(row0 + oh * g.OW, inside ? (c * g.H + ih) * g.W : -1, lo, hi, g.sw, shift);
        }
      }
}

// x[C, H, W] += the columns scattered back to where im2col read them.
template <class T>
void col2im(const ConvGeom& g, const T* cols, T* x) {
  for_each_col_row(g, g.C, [&](int64_t co, int64_t xo, int64_t lo, int64_t hi, int64_t step,
                               int64_t shift) {
    if (xo < 0) return;
    const T* row = cols + co;
    T* out = x + xo + shift;
    for (int64_t ow = lo; ow < hi; ++ow) out[ow * step] += row[ow];
  });
}

// out[c, p] = bias[c] over a [C, P] plane stack, or zeros without a bias.
template <class T>
void fill_rows(T* out, const T* bias, int64_t C, int64_t P) {
  for (int64_t c = 0; c < C; ++c) std::fill(out + c * P, out + (c + 1) * P, bias ? bias[c] : T(0));
}

// Runs fn(task, n, buffer) for every sample n, samples split into one range per task.
template <class T, class F>
void for_samples(int64_t N, int64_t tasks, int64_t buffer_elems, const F& fn) {
  parallel_for(0, tasks, 1, [&](int64_t t0, int64_t t1) {
    std::unique_ptr<T[]> buf(buffer_elems ? new T[buffer_elems] : nullptr);
    for (int64_t t = t0; t < t1; ++t)
      for (int64_t n = t * N / tasks; n < (t + 1) * N / tasks; ++n) fn(t, n, buf.get());
  });
}

int64_t sample_tasks(int64_t N) { return std::max<int64_t>(1, std::min<int64_t>(N, get_num_threads())); }

}  // namespace

template <class T>
void conv2d_forward(const ConvGeom& g, const T* x, const T* w, const T* bias, T* y) {
  const int64_t Og = g.O / g.groups, Kg = g.C / g.groups * g.kh * g.kw, P = g.OH * g.OW;
  const int64_t CgHW = g.C / g.groups * g.H * g.W;
  const bool in_place = pointwise(g);
  const std::vector<ColRow> rows = in_place ? std::vector<ColRow>() : col_rows(g);
  for_samples<T>(g.N, sample_tasks(g.N), pointwise_copy_elems<T>(g), [&](int64_t, int64_t n, T* buf) {
    const T* xn = x + n * g.C * g.H * g.W;
    T* yn = y + n * g.O * P;
    if (bias) fill_rows(yn, bias, g.O, P);
    const T beta = bias ? T(1) : T(0);
    if (in_place) {
      gemm<T>(g.groups, Og, P, Kg, T(1), w, Og * Kg, Kg, 1, pointwise_input(g, x, n, buf), Kg * P,
              P, 1, beta, yn, Og * P, P, 1);
      return;
    }
    for (int64_t grp = 0; grp < g.groups; ++grp) {
      const ColSource<T> src{&g, rows.data(), xn + grp * CgHW};
      gemm_packed_b<T>(Og, P, Kg, T(1), w + grp * Og * Kg, Kg, 1, cols_packer(src), beta,
                       yn + grp * Og * P, P, 1);
    }
  });
}

// With stride 1 the input gradient is itself a forward convolution: of dy, with the kernel
// flipped and its channel dims swapped, padded (k - 1) * d - p (negative is fine: the packer
// checks bounds). Taken where that full correlation adds few multiplications by padding.
template <class T>
bool grad_input_as_forward(const ConvGeom& g) {
  return g.sh == 1 && g.sw == 1 && 4 * g.H * g.W <= 5 * g.OH * g.OW && !pointwise(g);
}

template <class T>
void grad_input_by_forward(const ConvGeom& g, const T* dy, const T* w, const T* bias, T* dx) {
  const int64_t Og = g.O / g.groups, Cg = g.C / g.groups, kk = g.kh * g.kw;
  std::vector<T> wf(g.C * Og * kk);  // [C, O / groups, kh, kw]
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t o = 0; o < Og; ++o) {
      const T* src = w + ((c / Cg * Og + o) * Cg + c % Cg) * kk;
      T* out = wf.data() + (c * Og + o) * kk;
      for (int64_t i = 0; i < kk; ++i) out[i] = src[kk - 1 - i];
    }
  const ConvGeom f{g.N, g.O, g.OH, g.OW, g.C, g.kh, g.kw, g.H, g.W, 1, 1,
                   (g.kh - 1) * g.dh - g.ph, (g.kw - 1) * g.dw - g.pw, g.dh, g.dw, g.groups};
  conv2d_forward<T>(f, dy, wf.data(), bias, dx);
}

template <class T>
void conv2d_grad_input(const ConvGeom& g, const T* dy, const T* w, const T* bias, T* dx) {
  if (grad_input_as_forward<T>(g)) return grad_input_by_forward(g, dy, w, bias, dx);
  const int64_t Og = g.O / g.groups, Kg = g.C / g.groups * g.kh * g.kw, P = g.OH * g.OW;
  const int64_t HW = g.H * g.W;
  const bool in_place = pointwise(g);  // the GEMM writes dx itself
  for_samples<T>(g.N, sample_tasks(g.N), in_place ? 0 : g.groups * Kg * P,
                 [&](int64_t, int64_t n, T* cols) {
    const T* dyn = dy + n * g.O * P;
    T* dxn = dx + n * g.C * HW;
    fill_rows(dxn, bias, g.C, HW);
    // W^T is W read with swapped strides.
    gemm<T>(g.groups, Kg, P, Og, T(1), w, Og * Kg, 1, Kg, dyn, Og * P, P, 1, T(in_place ? 1 : 0),
            in_place ? dxn : cols, Kg * P, P, 1);
    if (!in_place) col2im(g, cols, dxn);
  });
}

template <class T>
void conv2d_grad_weight(const ConvGeom& g, const T* dy, const T* x, T* dw) {
  const int64_t Og = g.O / g.groups, Kg = g.C / g.groups * g.kh * g.kw, P = g.OH * g.OW;
  const int64_t CgHW = g.C / g.groups * g.H * g.W;
  const int64_t tasks = sample_tasks(g.N), wsize = g.O * Kg;
  const bool in_place = pointwise(g);
  const std::vector<ColRow> rows = in_place ? std::vector<ColRow>() : col_rows(g);
  // Task 0 accumulates into dw itself, the others into partials summed below.
  std::vector<T> partial((tasks - 1) * wsize);
  std::fill(dw, dw + wsize, T(0));
  for_samples<T>(g.N, tasks, pointwise_copy_elems<T>(g), [&](int64_t t, int64_t n, T* buf) {
    const T* xn = x + n * g.C * g.H * g.W;
    const T* dyn = dy + n * g.O * P;
    T* acc = t == 0 ? dw : partial.data() + (t - 1) * wsize;
    const T beta(n == t * g.N / tasks && t ? 0 : 1);
    if (in_place) {
      gemm<T>(g.groups, Og, Kg, P, T(1), dyn, Og * P, P, 1, pointwise_input(g, x, n, buf), Kg * P,
              1, P, beta, acc, Og * Kg, Kg, 1);
      return;
    }
    for (int64_t grp = 0; grp < g.groups; ++grp) {
      const ColSource<T> src{&g, rows.data(), xn + grp * CgHW};
      gemm_packed_b<T>(Og, Kg, P, T(1), dyn + grp * Og * P, P, 1, cols_t_packer(src), beta,
                       acc + grp * Og * Kg, Kg, 1);
    }
  });
  for (int64_t t = 1; t < tasks; ++t)
    for (int64_t i = 0; i < wsize; ++i) dw[i] += partial[(t - 1) * wsize + i];
}

#define PT_CONV(T)                                                                         \
  template void conv2d_forward<T>(const ConvGeom&, const T*, const T*, const T*, T*);    \
  template void conv2d_grad_input<T>(const ConvGeom&, const T*, const T*, const T*, T*); \
  template void conv2d_grad_weight<T>(const ConvGeom&, const T*, const T*, T*);
PT_CONV(float)
PT_CONV(double)
#undef PT_CONV

}  // namespace pt::cpu
