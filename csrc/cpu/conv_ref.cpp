// Reference convolutions: the textbook loops over every (n, o, oh, ow, c, ki, kj), double
// accumulation, no threads. The tests compare conv.cpp's kernels with these.
#include <cstddef>
#include <vector>

#include "cpu/conv.h"

namespace pt::cpu {

namespace {

// Calls fn(x_index, w_index, y_index) for every product term of the convolution.
template <class F>
void for_each_term(const ConvGeom& g, F fn) {
  const int64_t Cg = g.C / g.groups, Og = g.O / g.groups;
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t o = 0; o < g.O; ++o)
      for (int64_t oh = 0; oh < g.OH; ++oh)
        for (int64_t ow = 0; ow < g.OW; ++ow)
          for (int64_t cg = 0; cg < Cg; ++cg)
            for (int64_t ki = 0; ki < g.kh; ++ki)
              for (int64_t kj = 0; kj < g.kw; ++kj) {
                const int64_t ih = oh * g.sh - g.ph + ki * g.dh, iw = ow * g.sw - g.pw + kj * g.dw;
                if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                const int64_t c = o / Og * Cg + cg;
                fn(((n * g.C + c) * g.H + ih) * g.W + iw, ((o * Cg + cg) * g.kh + ki) * g.kw + kj,
                   ((n * g.O + o) * g.OH + oh) * g.OW + ow);
              }
}

template <class T>
void store(const std::vector<double>& acc, T* out) {
  for (std::size_t i = 0; i < acc.size(); ++i) out[i] = T(acc[i]);
}

}  // namespace

template <class T>
void conv2d_forward_ref(const ConvGeom& g, const T* x, const T* w, const T* bias, T* y) {
  std::vector<double> acc(g.N * g.O * g.OH * g.OW, 0.0);
  const int64_t P = g.OH * g.OW;
  if (bias)
    for (std::size_t i = 0; i < acc.size(); ++i) acc[i] = bias[i / P % g.O];
  for_each_term(g, [&](int64_t xi, int64_t wi, int64_t yi) { acc[yi] += double(x[xi]) * w[wi]; });
  store(acc, y);
}

template <class T>
void conv2d_grad_input_ref(const ConvGeom& g, const T* dy, const T* w, const T* bias, T* dx) {
  std::vector<double> acc(g.N * g.C * g.H * g.W, 0.0);
  const int64_t P = g.H * g.W;
  if (bias)
    for (std::size_t i = 0; i < acc.size(); ++i) acc[i] = bias[i / P % g.C];
  for_each_term(g, [&](int64_t xi, int64_t wi, int64_t yi) { acc[xi] += double(dy[yi]) * w[wi]; });
  store(acc, dx);
}

template <class T>
void conv2d_grad_weight_ref(const ConvGeom& g, const T* dy, const T* x, T* dw) {
  std::vector<double> acc(g.O * (g.C / g.groups) * g.kh * g.kw, 0.0);
  for_each_term(g, [&](int64_t xi, int64_t wi, int64_t yi) { acc[wi] += double(dy[yi]) * x[xi]; });
  store(acc, dw);
}

#define PT_CONV_REF(T)                                                                         \
  template void conv2d_forward_ref<T>(const ConvGeom&, const T*, const T*, const T*, T*);    \
  template void conv2d_grad_input_ref<T>(const ConvGeom&, const T*, const T*, const T*, T*); \
  template void conv2d_grad_weight_ref<T>(const ConvGeom&, const T*, const T*, T*);
PT_CONV_REF(float)
PT_CONV_REF(double)
#undef PT_CONV_REF

}  // namespace pt::cpu
