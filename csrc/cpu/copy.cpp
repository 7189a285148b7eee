// Tiled transpose copy. The strided loop walks dst in memory order, so a transposed source is
// read a column at a time and every element costs a cache miss once the columns outgrow L1;
// in kTile x kTile tiles each src line read and dst line written stays in L1 while the tile
// uses it. Small tiles because the tile's lines share cache sets at power-of-two strides
// (1024^2 float32 on one Zen 3 core, standalone: 8x8 tiles 0.6 ms; 16x16 0.9-3.3 ms and 32x32
// 2.6 ms, by loop order, from set conflicts; 32x32 through a buffer or AVX2 8x8 register
// transposes 0.55-0.75 ms, no clear gain for the extra code).
#include "cpu/copy.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "core/gil.h"
#include "core/parallel.h"

namespace pt::cpu {
namespace {

constexpr int64_t kTile = 8;
constexpr int64_t kMinElements = 4096;  // smaller copies stay on the strided loop
constexpr int64_t kGrain = 32768;       // elements per parallel task

struct Dim {
  int64_t size, dst, src;  // size and element strides
};

// The copy as dims innermost-last by dst's stride, neighbours that step together merged.
std::vector<Dim> plan(const Tensor& dst, const DimVec& src_strides) {
  std::vector<Dim> dims;
  for (int64_t d = 0; d < dst->dim(); ++d)
    if (dst->sizes()[d] > 1) dims.push_back({dst->sizes()[d], dst->strides()[d], src_strides[d]});
  std::stable_sort(dims.begin(), dims.end(),
                   [](const Dim& a, const Dim& b) { return std::abs(a.dst) > std::abs(b.dst); });
  std::vector<Dim> out;
  for (const Dim& d : dims) {
    if (!out.empty() && out.back().dst == d.dst * d.size && out.back().src == d.src * d.size) {
      out.back() = {out.back().size * d.size, d.dst, d.src};
    } else {
      out.push_back(d);
    }
  }
  return out;
}

// One tile: rows [i0, i1) along r, columns [j0, j1) along c, walked a src line at a time.
// kUnit: r.src == c.dst == 1, the common case, with the strides known to the compiler.
template <bool kUnit, class U>
void copy_tile(U* dst, const U* src, const Dim& r, const Dim& c, int64_t i0, int64_t i1,
               int64_t j0, int64_t j1) {
  const int64_t rs = kUnit ? 1 : r.src, cd = kUnit ? 1 : c.dst;
  if (kUnit && i1 - i0 == kTile) {  // a full tile: fixed trip count, unrolled
    for (int64_t j = j0; j < j1; ++j)
      for (int64_t i = 0; i < kTile; ++i) dst[j + (i0 + i) * r.dst] = src[j * c.src + i0 + i];
    return;
  }
  for (int64_t j = j0; j < j1; ++j) {
    const U* in = src + j * c.src;
    U* out = dst + j * cd;
    for (int64_t i = i0; i < i1; ++i) out[i * r.dst] = in[i * rs];
  }
}

// Copies the tiles [b, e) of the (outer, row tile, column tile) grid: rows run along dims[k]
// (src's innermost), columns along dims.back() (dst's innermost).
template <class U>
void copy_tiles(U* dst, const U* src, const std::vector<Dim>& dims, size_t k, int64_t b,
                int64_t e) {
  const Dim& r = dims[k];
  const Dim& c = dims.back();
  const bool unit = r.src == 1 && c.dst == 1;
  const int64_t row_tiles = (r.size + kTile - 1) / kTile, col_tiles = (c.size + kTile - 1) / kTile;
  for (int64_t t = b; t < e; ++t) {
    int64_t rest = t / (row_tiles * col_tiles), od = 0, os = 0;
    for (size_t d = dims.size() - 1; d-- > 0;) {  // the outer dims: all but k and the last
      if (d == k) continue;
      od += rest % dims[d].size * dims[d].dst;
      os += rest % dims[d].size * dims[d].src;
      rest /= dims[d].size;
    }
    const int64_t i0 = t / col_tiles % row_tiles * kTile, j0 = t % col_tiles * kTile;
    const int64_t i1 = std::min(r.size, i0 + kTile), j1 = std::min(c.size, j0 + kTile);
    if (unit) copy_tile<true>(dst + od, src + os, r, c, i0, i1, j0, j1);
    else copy_tile<false>(dst + od, src + os, r, c, i0, i1, j0, j1);
  }
}

}  // namespace

bool copy_transposed(const Tensor& dst, const Tensor& src, const DimVec& src_strides) {
  if (dst->dtype() != src->dtype() || dst->numel() < kMinElements) return false;
  const std::vector<Dim> dims = plan(dst, src_strides);
  if (dims.size() < 2) return false;
  // Rows: the dim src steps through fastest; it must not be dst's innermost (then the plain
  // loop reads src in order already) and must step less than dst's innermost dim does in src.
  size_t k = 0;
  for (size_t d = 1; d + 1 < dims.size(); ++d)
    if (std::abs(dims[d].src) < std::abs(dims[k].src)) k = d;
  const Dim& c = dims.back();
  if (c.src == 0 || std::abs(dims[k].src) >= std::abs(c.src) || dims[k].size < 8 || c.size < 8)
    return false;
  int64_t outer = 1;
  for (size_t d = 0; d + 1 < dims.size(); ++d)
    if (d != k) outer *= dims[d].size;
  const int64_t tiles = outer * ((dims[k].size + kTile - 1) / kTile) * ((c.size + kTile - 1) / kTile);
  GilRelease nogil(true);
  const auto run = [&](auto* d, const auto* s) {
    parallel_for(0, tiles, kGrain / (kTile * kTile), [&](int64_t b, int64_t e) {
      copy_tiles(d, s, dims, k, b, e);
    });
  };
  switch (dst->itemsize()) {
    case 1: run(dst->data<uint8_t>(), src->data<uint8_t>()); break;
    case 4: run(dst->data<uint32_t>(), src->data<uint32_t>()); break;
    case 8: run(dst->data<uint64_t>(), src->data<uint64_t>()); break;
    default: return false;
  }
  return true;
}

}  // namespace pt::cpu
