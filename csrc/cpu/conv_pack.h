// Implicit im2col: the GEMM's B panels packed straight from the image, so the column matrix
// cols[k, q] = x[c, oh*sh - ph + ki*dh, ow*sw - pw + kj*dw] (k = (c, ki, kj), q = (oh, ow);
// zero in the padding) is never written out.
#pragma once
#include <cstdint>
#include <vector>

#include "cpu/conv.h"
#include "cpu/gemm/gemm.h"

namespace pt::cpu {

// Row k of one group's column matrix: where it reads the image.
struct ColRow {
  int64_t x_off;   // c * H * W
  int64_t ih_off;  // ih = oh * sh + ih_off
  int64_t shift;   // iw = ow * sw + shift
  int64_t lo, hi;  // the output columns ow in [lo, hi) read inside the image
};

// The rows of one group's column matrix (C / groups * kh * kw of them), shared by all samples.
std::vector<ColRow> col_rows(const ConvGeom& g);

// One group of one sample: x points at its first channel.
template <class T>
struct ColSource {
  const ConvGeom* g;
  const ColRow* rows;
  const T* x;
};

// B = cols (K x OH*OW): the forward's operand. The source must outlive the GEMM call.
template <class T>
BPacker<T> cols_packer(const ColSource<T>& src);
// B = cols^T (OH*OW x K): the weight gradient's operand.
template <class T>
BPacker<T> cols_t_packer(const ColSource<T>& src);

// ---- internals shared with the ISA-specific file ----

// A stretch of one micro-panel's lanes that lies in one output row: lanes [lane, lane + len)
// are the output positions (oh, ow .. ow + len).
struct ColRun {
  int64_t oh, ow, len, lane;
};

#if defined(__x86_64__) || defined(__i386__)
#define PT_CONV_PACK_HAVE_AVX2 1
// Fills kc rows of one micro-panel of two AVX2 vectors (float 16 / double 8 lanes) from
// rows[0 .. kc), for a stride-1 convolution, with masked loads (conv_pack_avx2.cpp).
void pack_panel_avx2(const ConvGeom& g, const ColRow* rows, int64_t kc, const float* x,
                     const ColRun* runs, int64_t nruns, float* dst);
void pack_panel_avx2(const ConvGeom& g, const ColRow* rows, int64_t kc, const double* x,
                     const ColRun* runs, int64_t nruns, double* dst);
#endif

}  // namespace pt::cpu
