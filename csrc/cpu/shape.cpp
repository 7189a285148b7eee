// CPU kernels of the shape family. zero_triangle is a plain loop (it is its own reference):
// one task per matrix row, each zeroing a column range, contiguous rows through std::fill.
#include "cpu/shape.h"

#include <algorithm>

#include "core/gil.h"
#include "core/iter.h"
#include "core/parallel.h"

namespace pt::cpu {

void zero_triangle(const Tensor& t, int64_t k, bool lower) {
  const int64_t nd = t->dim();
  const int64_t rows = t->sizes()[nd - 2], cols = t->sizes()[nd - 1];
  if (t->numel() == 0) return;
  const int64_t row_stride = t->strides()[nd - 2], col_stride = t->strides()[nd - 1];
  // Clamped so that i + k cannot overflow; the column ranges come out the same.
  const int64_t kk = std::clamp<int64_t>(k, -rows - 1, cols + 1);
  const int64_t nrows = t->numel() / cols;
  const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / cols);
  GilRelease nogil(t->numel() >= kElementwiseGrain);
  PT_DISPATCH_ALL(t->dtype(), "zero_triangle", [&] {
    scalar_t* base = t->data<scalar_t>();
    parallel_for(0, nrows, grain, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const int64_t i = r % rows;
        // Offset of this row's matrix from its index over the batch dims.
        int64_t off = 0;
        for (int64_t d = nd - 3, m = r / rows; d >= 0; --d) {
          off += (m % t->sizes()[d]) * t->strides()[d];
          m /= t->sizes()[d];
        }
        const int64_t c0 = lower ? std::clamp<int64_t>(i + kk + 1, 0, cols) : 0;
        const int64_t c1 = lower ? cols : std::clamp<int64_t>(i + kk, 0, cols);
        scalar_t* row = base + off + i * row_stride;
        if (col_stride == 1) {
          std::fill(row + c0, row + std::max(c0, c1), scalar_t(0));
        } else {
          for (int64_t j = c0; j < c1; ++j) row[j * col_stride] = scalar_t(0);
        }
      }
    });
  });
}

}  // namespace pt::cpu
