#include "cpu/conv_pack.h"

#include <algorithm>

#include "cpu/cpu_features.h"

namespace pt::cpu {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

// out[i * os] = cols[row, q] for the `len` positions q = (oh, ow0 + i) of one output row.
template <class T>
inline void copy_run(const ConvGeom& g, const ColRow& r, const T* x, int64_t oh, int64_t ow0,
                     int64_t len, T* __restrict out, int64_t os) {
  const int64_t ih = oh * g.sh + r.ih_off;
  const int64_t end = ow0 + len;
  const int64_t lo = std::clamp(r.lo, ow0, end), hi = std::clamp(r.hi, lo, end);
  if (ih < 0 || ih >= g.H) {
    for (int64_t i = 0; i < len; ++i) out[i * os] = T(0);
    return;
  }
  const T* __restrict in = x + r.x_off + ih * g.W + r.shift;
  for (int64_t ow = ow0; ow < lo; ++ow) out[(ow - ow0) * os] = T(0);
  if (os == 1 && g.sw == 1) {  // the common case: a contiguous copy the compiler vectorises
    for (int64_t ow = lo; ow < hi; ++ow) out[ow - ow0] = in[ow];
  } else {
    for (int64_t ow = lo; ow < hi; ++ow) out[(ow - ow0) * os] = in[ow * g.sw];
  }
  for (int64_t ow = hi; ow < end; ++ow) out[(ow - ow0) * os] = T(0);
}

// out[(q - q0) * os] = cols[row, q] for q in [q0, q0 + n), across output rows.
template <class T>
inline void copy_positions(const ConvGeom& g, const ColRow& r, const T* x, int64_t q0, int64_t n,
                           T* out, int64_t os) {
  int64_t oh = q0 / g.OW, ow = q0 % g.OW;
  for (int64_t done = 0; done < n; ++oh, ow = 0) {
    const int64_t len = std::min(n - done, g.OW - ow);
    copy_run(g, r, x, oh, ow, len, out + done * os, os);
    done += len;
  }
}

// Whether the AVX2 panel filler serves this packing: stride 1 along rows, panels of two vectors.
template <class T>
bool avx2_panels(const ConvGeom& g, int64_t nr) {
#ifdef PT_CONV_PACK_HAVE_AVX2
  static const bool avx2 = cpu_has_avx2_fma();
  return avx2 && g.sw == 1 && nr == 64 / int64_t(sizeof(T));
#else
  return false;
#endif
}

// B[k, j] = cols[k, j]: panel lines are output positions, each k step one column-matrix row.
// A panel's runs are found once, then every row copies them.
template <class T>
void pack_cols(const void* ctx, int64_t k0, int64_t kc, int64_t j0, int64_t nc, int64_t nr,
               T* dst) {
  const ColSource<T>& s = *static_cast<const ColSource<T>*>(ctx);
  const ConvGeom& g = *s.g;
  const bool avx2 = avx2_panels<T>(g, nr);
  std::vector<ColRun> runs;
  for (int64_t j = j0; j < j0 + nc; j += nr, dst += nr * kc) {
    const int64_t lanes = std::min(nr, j0 + nc - j);
    runs.clear();
    for (int64_t lane = 0, oh = j / g.OW, ow = j % g.OW; lane < lanes; ++oh, ow = 0) {
      const int64_t len = std::min(lanes - lane, g.OW - ow);
      runs.push_back({oh, ow, len, lane});
      lane += len;
    }
#ifdef PT_CONV_PACK_HAVE_AVX2
    if (avx2) {
      pack_panel_avx2(g, s.rows + k0, kc, s.x, runs.data(), int64_t(runs.size()), dst);
      continue;
    }
#endif
    for (int64_t k = 0; k < kc; ++k) {
      T* row = dst + k * nr;
      const ColRow& r = s.rows[k0 + k];
      for (const ColRun& u : runs) copy_run(g, r, s.x, u.oh, u.ow, u.len, row + u.lane, 1);
      std::fill(row + lanes, row + nr, T(0));
    }
  }
}

// B[p, j] = cols[j, p]: panel lines are column-matrix rows, each k step one output position.
template <class T>
void pack_cols_t(const void* ctx, int64_t k0, int64_t kc, int64_t j0, int64_t nc, int64_t nr,
                 T* dst) {
  const ColSource<T>& s = *static_cast<const ColSource<T>*>(ctx);
  for (int64_t j = j0; j < j0 + nc; j += nr, dst += nr * kc) {
    const int64_t lanes = std::min(nr, j0 + nc - j);
    for (int64_t i = 0; i < lanes; ++i) copy_positions(*s.g, s.rows[j + i], s.x, k0, kc, dst + i, nr);
    if (lanes < nr)
      for (int64_t p = 0; p < kc; ++p) std::fill(dst + p * nr + lanes, dst + (p + 1) * nr, T(0));
  }
}

}  // namespace

std::vector<ColRow> col_rows(const ConvGeom& g) {
  std::vector<ColRow> rows;
  rows.reserve(g.C / g.groups * g.kh * g.kw);
  for (int64_t c = 0; c < g.C / g.groups; ++c)
    for (int64_t ki = 0; ki < g.kh; ++ki)
      for (int64_t kj = 0; kj < g.kw; ++kj) {
        const int64_t shift = kj * g.dw - g.pw;
        const int64_t lo = std::min(g.OW, ceil_div(-shift, g.sw));
        const int64_t hi = std::max(lo, std::min(g.OW, ceil_div(g.W - shift, g.sw)));
        rows.push_back({c * g.H * g.W, ki * g.dh - g.ph, shift, lo, hi});
      }
  return rows;
}

template <class T>
BPacker<T> cols_packer(const ColSource<T>& src) {
  return {pack_cols<T>, &src};
}

template <class T>
BPacker<T> cols_t_packer(const ColSource<T>& src) {
  return {pack_cols_t<T>, &src};
}

template BPacker<float> cols_packer(const ColSource<float>&);
template BPacker<double> cols_packer(const ColSource<double>&);
template BPacker<float> cols_t_packer(const ColSource<float>&);
template BPacker<double> cols_t_packer(const ColSource<double>&);

}  // namespace pt::cpu
