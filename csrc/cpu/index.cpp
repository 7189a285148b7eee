// CPU kernels of the index family.
//
// Versions:
//   1. Advanced indexing as one pass that turns k index tensors into element offsets (bounds
//      checked there), then a strided loop out[i] = src[off[i]]: the copy is dtype-agnostic
//      (moves bytes by item size) and runs on StridedLoop's threads.
//   2. gather/scatter walk "lanes" (every dim but `dim`) in parallel and `dim` in order inside
//      a lane: no two threads touch one output element, so scatter_add needs no atomics and
//      duplicate indices reduce in index order.
//   3. nonzero: count per chunk, prefix-sum, then fill per chunk, all in parallel.
// These are the plain loops themselves, so no separate reference kernel is kept.
#include "cpu/index.h"

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "core/iter.h"
#include "core/parallel.h"

namespace pt::cpu {

namespace {

Operand operand(const Tensor& t) {
  return {static_cast<char*>(t->raw_data()), &t->strides(), t->itemsize()};
}

template <class T>
T& at(char* p) { return *reinterpret_cast<T*>(p); }

// Product for scatter's "multiply"; on bool it is logical and.
template <class T>
T times(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) return a && b;
  else return static_cast<T>(a * b);
}

}  // namespace

void add_index_offsets(const Tensor& off, const Tensor& idx, int64_t size, int64_t stride,
                       bool first, bool wrap) {
  const Operand ops[2] = {operand(off), operand(idx)};
  StridedLoop loop(off->sizes(), 2, ops);
  auto run = [&](auto zero) {
    using I = decltype(zero);
    loop.run([&](char** p, const int64_t* s, int64_t n) {
      for (int64_t k = 0; k < n; ++k) {
        const int64_t v = at<I>(p[1] + k * s[1]);
        const int64_t w = wrap && v < 0 ? v + size : v;
        if (w < 0 || w >= size) throw OutOfRange{v};
        int64_t& o = at<int64_t>(p[0] + k * s[0]);
        o = first ? w * stride : o + w * stride;
      }
    });
  };
  if (idx->dtype() == DType::Int32) run(int32_t{});
  else run(int64_t{});
}

void index_gather(const Tensor& out, const Tensor& src, const Tensor& off) {
  const Operand ops[3] = {operand(out), operand(src), operand(off)};
  StridedLoop loop(out->sizes(), 3, ops);
  dispatch_bytes(out->itemsize(), [&](auto zero) {
    using T = decltype(zero);
    loop.run([](char** p, const int64_t* s, int64_t n) {
      for (int64_t k = 0; k < n; ++k)
        at<T>(p[0] + k * s[0]) =
            at<T>(p[1] + k * s[1] + at<int64_t>(p[2] + k * s[2]) * int64_t(sizeof(T)));
    });
  });
}

void index_put(const Tensor& dst, const Tensor& val, const Tensor& off, bool accumulate) {
  const Operand ops[3] = {operand(dst), operand(val), operand(off)};
  StridedLoop loop(dst->sizes(), 3, ops);
  if (!accumulate) {
    dispatch_bytes(dst->itemsize(), [&](auto zero) {
      using T = decltype(zero);
      loop.run([](char** p, const int64_t* s, int64_t n) {
        for (int64_t k = 0; k < n; ++k)
          at<T>(p[0] + k * s[0] + at<int64_t>(p[2] + k * s[2]) * int64_t(sizeof(T))) =
              at<T>(p[1] + k * s[1]);
      });
    });
    return;
  }
  // Duplicate indices add up, so the loop runs on one thread.
  PT_DISPATCH_ALL(dst->dtype(), "index_put_", [&] {
    loop.run([](char** p, const int64_t* s, int64_t n) {
      for (int64_t k = 0; k < n; ++k) {
        scalar_t& d = at<scalar_t>(p[0] + k * s[0] +
                                   at<int64_t>(p[2] + k * s[2]) * int64_t(sizeof(scalar_t)));
        d = static_cast<scalar_t>(d + at<scalar_t>(p[1] + k * s[1]));
      }
    }, INT64_MAX);
  });
}

void check_index_range(const Tensor& index, int64_t size, bool wrap) {
  const Operand ops[1] = {operand(index)};
  StridedLoop loop(index->sizes(), 1, ops);
  const int64_t lo = wrap ? -size : 0;
  loop.run([&](char** p, const int64_t* s, int64_t n) {
    for (int64_t k = 0; k < n; ++k) {
      const int64_t v = at<int64_t>(p[0] + k * s[0]);
      if (v < lo || v >= size) throw OutOfRange{v};
    }
  });
}

namespace {

// f(data_element, other_element) for every index position; see the header for the contract.
template <class F>
void lane_loop(const Tensor& data, const Tensor& other, const Tensor& index, int64_t dim,
               const F& f) {
  DimVec lanes = index->sizes();
  const int64_t len = lanes[dim];
  lanes[dim] = 1;
  const Operand ops[3] = {operand(data), operand(other), operand(index)};
  StridedLoop loop(lanes, 3, ops);
  const int64_t ds = data->strides()[dim] * data->itemsize();
  const int64_t os = other->strides()[dim] * other->itemsize();
  const int64_t is = index->strides()[dim] * index->itemsize();
  loop.run([&](char** p, const int64_t* s, int64_t n) {
    for (int64_t l = 0; l < n; ++l) {
      char* d = p[0] + l * s[0];
      char* o = p[1] + l * s[1];
      char* ix = p[2] + l * s[2];
      for (int64_t j = 0; j < len; ++j) f(d + at<int64_t>(ix + j * is) * ds, o + j * os);
    }
  }, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(len, 1)));
}

}  // namespace

void gather(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index) {
  dispatch_bytes(self->itemsize(), [&](auto zero) {
    using T = decltype(zero);
    lane_loop(self, out, index, dim, [](char* d, char* o) { at<T>(o) = at<T>(d); });
  });
}

void scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, Reduce reduce,
             const Scalar& alpha) {
  PT_DISPATCH_ALL(self->dtype(), "scatter", [&] {
    using T = scalar_t;
    if (reduce == Reduce::None) {
      lane_loop(self, src, index, dim, [](char* d, char* o) { at<T>(d) = at<T>(o); });
    } else if (reduce == Reduce::Multiply) {
      lane_loop(self, src, index, dim, [](char* d, char* o) { at<T>(d) = times(at<T>(d), at<T>(o)); });
    } else {
      const T a = alpha.to<T>();
      lane_loop(self, src, index, dim,
                [a](char* d, char* o) { at<T>(d) = static_cast<T>(at<T>(d) + a * at<T>(o)); });
    }
  });
}

void masked_fill(const Tensor& t, const Tensor& mask, const Scalar& value) {
  const Operand ops[2] = {operand(t), operand(mask)};
  StridedLoop loop(t->sizes(), 2, ops);
  PT_DISPATCH_ALL(t->dtype(), "masked_fill_", [&] {
    const scalar_t v = value.to<scalar_t>();
    loop.run([v](char** p, const int64_t* s, int64_t n) {
      for (int64_t k = 0; k < n; ++k)
        if (at<bool>(p[1] + k * s[1])) at<scalar_t>(p[0] + k * s[0]) = v;
    });
  });
}

Tensor nonzero(const Tensor& t, bool transposed) {
  // `t` is contiguous: chunk c covers the flat range [c * n / chunks, (c + 1) * n / chunks).
  const int64_t n = t->numel(), nd = t->dim();
  const int64_t chunks = std::clamp<int64_t>(n / kElementwiseGrain, 1, 4 * get_num_threads());
  auto bounds = [&](int64_t c) { return std::make_pair(c * n / chunks, (c + 1) * n / chunks); };
  std::vector<int64_t> counts(chunks + 1, 0);
  Tensor out;
  GilRelease nogil(n >= kElementwiseGrain);
  PT_DISPATCH_ALL(t->dtype(), "nonzero", [&] {
    const scalar_t* x = t->data<scalar_t>();
    parallel_for(0, chunks, 1, [&](int64_t cb, int64_t ce) {
      for (int64_t c = cb; c < ce; ++c) {
        auto [b, e] = bounds(c);
        int64_t k = 0;
        for (int64_t i = b; i < e; ++i) k += x[i] != scalar_t(0);
        counts[c + 1] = k;
      }
    });
    for (int64_t c = 0; c < chunks; ++c) counts[c + 1] += counts[c];
    const int64_t total = counts[chunks];
    out = transposed ? empty({nd, total}, DType::Int64) : empty({total, nd}, DType::Int64);
    const int64_t rs = transposed ? 1 : nd, cs = transposed ? total : 1;
    int64_t* o = out->data<int64_t>();
    const DimVec& sizes = t->sizes();
    parallel_for(0, chunks, 1, [&](int64_t cb, int64_t ce) {
      for (int64_t c = cb; c < ce; ++c) {
        auto [b, e] = bounds(c);
        if (b == e) continue;
        DimVec coord(nd);
        for (int64_t d = nd - 1, rem = b; d >= 0; --d) {
          coord[d] = rem % sizes[d];
          rem /= sizes[d];
        }
        int64_t row = counts[c];
        for (int64_t i = b; i < e; ++i) {
          if (x[i] != scalar_t(0)) {
            for (int64_t d = 0; d < nd; ++d) o[row * rs + d * cs] = coord[d];
            ++row;
          }
          for (int64_t d = nd - 1; d >= 0 && ++coord[d] == sizes[d]; --d) coord[d] = 0;
        }
      }
    });
  });
  return out;
}

}  // namespace pt::cpu
