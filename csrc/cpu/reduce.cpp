// CPU reduction engine. Every reduction is an Op (init / step / merge on an accumulator) run
// by one of two loops, chosen from the strides after the reduced and the kept dims have each
// been sorted innermost-last and coalesced:
//   inner: the reduced dims are the innermost; each output reduces its runs with 32 independent
//          lanes (vectorisable, and pairwise above kBlock elements so long float sums stay
//          accurate); a full reduction splits into fixed chunks across threads.
//   rows:  a kept dim is innermost; a task keeps kRows accumulators and adds whole rows into
//          them, so summing (1000, 1000) over dim 0 reads memory in order as over dim 1 does.
// Versions (1000x1000 fp32, one thread, on a loaded 2-core box, so read them as ratios):
//   v1 8 lanes: sum over dim 0 0.75 ms, dim 1 0.59 ms; amax over dim 1 3.0 ms (GCC's SLP
//      gave up on the NaN-propagating blend);
//   v2 (this) 32 lanes, which the loop vectoriser takes: amax over dim 1 0.56 ms, sums over
//      dim 0 / dim 1 0.54 / 0.56 ms; arg max/min and log-sum-exp lines run two passes, the
//      vectorised max first (argmax over dim 1: 1.2 ms).
//   v3 AVX2 line kernels (reduce_kernels.h) for float sums, column sums, max/min and the
//      index search, chosen at run time (2 threads, against PyTorch in the same run: sum over
//      dim 0 2.7x -> 1.0x its time, dim 1 2.9x -> 0.9x; max over dim 1 4.3x -> 0.7-1.3x
//      numpy's, which computes no indices).
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "core/error.h"
#include "core/gil.h"
#include "core/parallel.h"
#include "cpu/cpu_features.h"
#include "cpu/reduce.h"
#include "cpu/reduce_kernels.h"

namespace pt::cpu {
namespace {

constexpr int64_t kGrain = 32768;    // input elements per parallel task
constexpr int64_t kSplit = 1 << 16;  // chunk of a split full reduction (fixed: the result does
                                     // not depend on the thread count)
constexpr int64_t kBlock = 4096;     // pairwise-summation leaf
constexpr int kLanes = 32;
constexpr int64_t kRows = 128;       // output columns per task in the rows loop

template <class T>
inline bool is_nan(T x) {
  if constexpr (std::is_floating_point_v<T>) return x != x;
  else return false;
}

// Float sums accumulate in double; integer ones in uint64 (wraps like int64 without UB).
template <class T>
using wide_t = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;
template <class T>
using sum_out_t = std::conditional_t<std::is_floating_point_v<T>, T, int64_t>;

// ---------------------------------------------------------------------------------------------
// Geometry

struct Plan {
  DimVec kept_sizes, kept_in, kept_out;  // kept dims, innermost last
  DimVec red_sizes, red_in;              // reduced dims, innermost last (never empty)
  int64_t n_out = 1, n_red = 1;
};

// Sorts dims innermost-last by |stride in a| and merges neighbours that step as one dim in
// a (and b when given).
void sort_and_coalesce(DimVec& sizes, DimVec& a, DimVec* b) {
  const int64_t nd = sizes.size();
  for (int64_t i = 1; i < nd; ++i)
    for (int64_t j = i; j > 0 && std::abs(a[j - 1]) < std::abs(a[j]); --j) {
      std::swap(sizes[j - 1], sizes[j]);
      std::swap(a[j - 1], a[j]);
      if (b) std::swap((*b)[j - 1], (*b)[j]);
    }
  int64_t out = 0;
  for (int64_t d = 1; d < nd; ++d) {
    const bool can = a[out] == a[d] * sizes[d] && (!b || (*b)[out] == (*b)[d] * sizes[d]);
    if (can) {
      sizes[out] *= sizes[d];
    } else {
      ++out;
      sizes[out] = sizes[d];
    }
    a[out] = a[d];
    if (b) (*b)[out] = (*b)[d];
  }
  const int64_t n = nd ? out + 1 : 0;
  sizes.resize(n);
  a.resize(n);
  if (b) b->resize(n);
}

Plan make_plan(const Tensor& in, uint64_t mask, const Tensor& out) {
  Plan p;
  const DimVec out_strides = contiguous_strides(out->sizes());
  for (int64_t d = 0; d < in->dim(); ++d) {
    const int64_t s = in->sizes()[d];
    if (mask >> d & 1) p.n_red *= s;
    else p.n_out *= s;
    if (s == 1) continue;
    if (mask >> d & 1) {
      p.red_sizes.push_back(s);
      p.red_in.push_back(in->strides()[d]);
    } else {
      p.kept_sizes.push_back(s);
      p.kept_in.push_back(in->strides()[d]);
      p.kept_out.push_back(out_strides[d]);
    }
  }
  sort_and_coalesce(p.red_sizes, p.red_in, nullptr);
  sort_and_coalesce(p.kept_sizes, p.kept_in, &p.kept_out);
  if (p.red_sizes.empty()) {
    p.red_sizes.push_back(1);
    p.red_in.push_back(0);
  }
  return p;
}

// A multi-index over `sizes` (innermost last) with the matching offsets into one or two
// strided arrays.
struct Counter {
  const DimVec& sizes;
  const DimVec& s0;
  const DimVec* s1;
  DimVec idx;
  int64_t off0 = 0, off1 = 0;

  Counter(const DimVec& sizes_, const DimVec& s0_, const DimVec* s1_, int64_t flat)
      : sizes(sizes_), s0(s0_), s1(s1_), idx(sizes_.size()) {
    for (int64_t d = sizes.size() - 1; d >= 0; --d) {
      idx[d] = flat % sizes[d];
      flat /= sizes[d];
      off0 += idx[d] * s0[d];
      if (s1) off1 += idx[d] * (*s1)[d];
    }
  }
  // n steps along the innermost dim; they must end within it or exactly at its end.
  void advance(int64_t n) {
    const int64_t last = sizes.size() - 1;
    if (last < 0) return;
    idx[last] += n;
    off0 += n * s0[last];
    if (s1) off1 += n * (*s1)[last];
    for (int64_t d = last; d > 0 && idx[d] == sizes[d]; --d) {
      off0 += s0[d - 1] - idx[d] * s0[d];
      if (s1) off1 += (*s1)[d - 1] - idx[d] * (*s1)[d];
      idx[d] = 0;
      ++idx[d - 1];
    }
  }
};

// fn(element offset, flat reduced index, n) for each run of the flat reduced range [b, e)
// along the innermost reduced dim.
template <class F>
void for_runs(const Plan& p, int64_t b, int64_t e, const F& fn) {
  Counter c(p.red_sizes, p.red_in, nullptr, b);
  const int64_t inner = p.red_sizes.back();
  while (b < e) {
    const int64_t n = std::min(inner - c.idx.back(), e - b);
    fn(c.off0, b, n);
    b += n;
    c.advance(n);
  }
}

// ---------------------------------------------------------------------------------------------
// Line reduction: n elements at stride s whose first has flat index i0.

template <bool kContig, class Op, class T>
typename Op::acc_t lanes(const Op& op, const T* p, int64_t n, int64_t s, int64_t i0) {
  using A = typename Op::acc_t;
  A acc[kLanes];
  for (auto& a : acc) a = op.init();
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; ++k)
      acc[k] = op.step(acc[k], p[kContig ? i + k : (i + k) * s], i0 + i + k);
  for (; i < n; ++i) acc[0] = op.step(acc[0], p[kContig ? i : i * s], i0 + i);
  for (int k = 1; k < kLanes; ++k) acc[0] = op.merge(acc[0], acc[k]);
  return acc[0];
}

template <class Op, class T>
typename Op::acc_t line_plain(const Op& op, const T* p, int64_t n, int64_t s, int64_t i0) {
  if (n > kBlock) {
    const int64_t h = n / 2 / kLanes * kLanes;
    return op.merge(line_plain(op, p, h, s, i0), line_plain(op, p + h * s, n - h, s, i0 + h));
  }
  return s == 1 ? lanes<true>(op, p, n, 1, i0) : lanes<false>(op, p, n, s, i0);
}

// The engine calls reduce_line; ops with a faster way overload it below.
template <class Op, class T>
typename Op::acc_t reduce_line(const Op& op, const T* p, int64_t n, int64_t s, int64_t i0) {
  return line_plain(op, p, n, s, i0);
}

struct Identity {
  template <class X>
  X operator()(X x) const { return x; }
};
constexpr Identity identity{};
template <class A>
struct Cast {
  template <class X>
  A operator()(X x) const { return A(x); }
};

// ---------------------------------------------------------------------------------------------
// Ops. step(acc, x, flat index) folds one element in; merge joins two partial results, the
// second covering later indices unless the op says otherwise (the arg ops compare indices).

// Sum of f(x) for an elementwise map f: sum, nansum, count_nonzero and the p-norms.
template <class T, class A, class F>
struct MapSumOp {
  using acc_t = A;
  F f;
  A init() const { return A(0); }
  A step(A a, T x, int64_t) const { return a + f(x); }
  A merge(A a, A b) const { return a + b; }
};
template <class T, class A, class F>
MapSumOp<T, A, F> map_sum(F f) { return {f}; }

template <class T, class A>
struct ProdOp {
  using acc_t = A;
  A init() const { return A(1); }
  A step(A a, T x, int64_t) const { return a * A(x); }
  A merge(A a, A b) const { return a * b; }
};

// max (kMax) or min of f(x), NaN winning over everything as in PyTorch.
template <class T, bool kMax, class F>
struct MapMaxOp {
  using acc_t = T;
  F f;
  T init() const {
    if constexpr (std::is_floating_point_v<T>)
      return kMax ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
    else return kMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
  }
  // `|`, not `||`: no branch, so the lanes vectorise to compare + blend.
  T step(T a, T x, int64_t) const { return merge(a, f(x)); }
  T merge(T a, T b) const { return ((kMax ? b > a : b < a) | is_nan(b)) ? b : a; }
};
template <class T, bool kMax, class F>
MapMaxOp<T, kMax, F> map_max(F f) { return {f}; }

// Float sums in double (sum, mean): contiguous lines run the vectorised kernel.
template <class T>
using SumOp = MapSumOp<T, double, Cast<double>>;
template <class T>
double reduce_line(const SumOp<T>& op, const T* p, int64_t n, int64_t s, int64_t i0) {
  const ReduceKernels<T>* k = reduce_kernels<T>();
  return k && s == 1 ? k->sum(p, n) : line_plain(op, p, n, s, i0);
}

template <class T, bool kMax>
T reduce_line(const MapMaxOp<T, kMax, Identity>& op, const T* p, int64_t n, int64_t s, int64_t i0) {
  const ReduceKernels<T>* k = reduce_kernels<T>();
  if (!k || s != 1 || n == 0) return line_plain(op, p, n, s, i0);
  return kMax ? k->max(p, n) : k->min(p, n);
}

template <class T>
struct ValIdx {
  T v;
  int64_t i;  // -1: nothing seen yet
};
// Index of the first max (min); the first NaN wins over any number.
template <class T, bool kMax>
struct ArgOp {
  using acc_t = ValIdx<T>;
  static bool better(T x, int64_t i, const acc_t& a) {
    if (a.i < 0) return true;
    if (is_nan(a.v)) return is_nan(x) && i < a.i;
    if (is_nan(x) || (kMax ? x > a.v : x < a.v)) return true;
    return x == a.v && i < a.i;
  }
  acc_t init() const { return {T(0), -1}; }
  acc_t step(acc_t a, T x, int64_t i) const { return better(x, i, a) ? acc_t{x, i} : a; }
  acc_t merge(acc_t a, acc_t b) const { return b.i >= 0 && better(b.v, b.i, a) ? b : a; }
};

// A line's arg max/min in two passes: the vectorised max/min, then the first index holding it.
template <class T, bool kMax>
ValIdx<T> reduce_line(const ArgOp<T, kMax>&, const T* p, int64_t n, int64_t s, int64_t i0) {
  const T best = reduce_line(map_max<T, kMax>(identity), p, n, s, 0);
  const ReduceKernels<T>* k = reduce_kernels<T>();
  int64_t i = 0;
  if (k && s == 1) i = std::min(k->find(p, n, best), n - 1);
  else if (is_nan(best)) while (i < n - 1 && !is_nan(p[i * s])) ++i;
  else while (i < n - 1 && p[i * s] != best) ++i;
  return {best, i0 + i};
}

template <class T, bool kAll>
struct LogicOp {
  using acc_t = bool;
  bool init() const { return kAll; }
  bool step(bool a, T x, int64_t) const { return kAll ? a && x != T(0) : a || x != T(0); }
  bool merge(bool a, bool b) const { return kAll ? a && b : a || b; }
};

template <class T>
struct NanMeanAcc {
  double s;
  int64_t n;
};
template <class T>
struct NanMeanOp {
  using acc_t = NanMeanAcc<T>;
  acc_t init() const { return {0, 0}; }
  acc_t step(acc_t a, T x, int64_t) const {
    return is_nan(x) ? a : acc_t{a.s + double(x), a.n + 1};
  }
  acc_t merge(acc_t a, acc_t b) const { return {a.s + b.s, a.n + b.n}; }
};

// Online log-sum-exp: s = sum exp(x - m) for the running max m, rescaled when m grows.
struct LseAcc {
  double m, s;
  bool nan;
};
template <class T>
struct LseOp {
  using acc_t = LseAcc;
  acc_t init() const { return {-std::numeric_limits<double>::infinity(), 0, false}; }
  acc_t step(acc_t a, T xt, int64_t) const {
    const double x = xt;
    if (x != x) a.nan = true;
    else if (x > a.m) a = {x, a.s * std::exp(a.m - x) + 1, a.nan};
    else a.s += x == a.m ? 1 : std::exp(x - a.m);  // x == m == +-inf must add 1, not nan
    return a;
  }
  acc_t merge(acc_t a, acc_t b) const {
    if (b.m > a.m) std::swap(a, b);
    a.s += b.m == a.m ? b.s : b.s * std::exp(b.m - a.m);
    a.nan = a.nan || b.nan;
    return a;
  }
  static double finish(const acc_t& a) {
    if (a.nan) return std::numeric_limits<double>::quiet_NaN();
    if (std::isinf(a.m)) return a.m;
    return a.m + std::log(a.s);
  }
};

// A line's log-sum-exp in two passes: the vectorised max, then the sum of exp(x - max) with
// exp in the input's precision.
template <class T>
LseAcc reduce_line(const LseOp<T>&, const T* p, int64_t n, int64_t s, int64_t) {
  const T m = reduce_line(map_max<T, true>(identity), p, n, s, 0);
  if (is_nan(m)) return {0, 0, true};
  if (std::isinf(m)) return {double(m), 1, false};  // +inf wins; all -inf stays -inf
  const auto e = [m](T x) { return double(std::exp(x - m)); };
  return {double(m), reduce_line(map_sum<T, double>(e), p, n, s, 0), false};
}

// Count, mean and sum of squared deviations, merged with Chan's formula.
struct Moments {
  double n, mean, m2;
};
template <class T>
struct MomentsOp {
  using acc_t = Moments;
  acc_t init() const { return {0, 0, 0}; }
  acc_t step(acc_t a, T xt, int64_t) const {
    const double x = xt;
    a.n += 1;
    const double d = x - a.mean;
    a.mean += d / a.n;
    a.m2 += d * (x - a.mean);
    return a;
  }
  acc_t merge(acc_t a, acc_t b) const {
    if (b.n == 0) return a;
    if (a.n == 0) return b;
    const double n = a.n + b.n, d = b.mean - a.mean;
    return {n, a.mean + d * (b.n / n), a.m2 + b.m2 + d * d * (a.n * b.n / n)};
  }
};

// A line's moments in two passes (mean, then squared deviations): no cancellation even when
// the mean dwarfs the spread, and both passes vectorise.
template <class T>
Moments reduce_line(const MomentsOp<T>&, const T* p, int64_t n, int64_t s, int64_t) {
  const double mean = reduce_line(map_sum<T, double>(Cast<double>{}), p, n, s, 0) / double(n);
  const auto sq = [mean](T x) {
    const double d = double(x) - mean;
    return d * d;
  };
  return {double(n), mean, reduce_line(map_sum<T, double>(sq), p, n, s, 0)};
}

// ---------------------------------------------------------------------------------------------
// The two loops

template <class Op, class T>
typename Op::acc_t reduce_range(const Op& op, const T* base, const Plan& p, int64_t b,
                                int64_t e) {
  auto acc = op.init();
  const int64_t s = p.red_in.back();
  for_runs(p, b, e, [&](int64_t off, int64_t i0, int64_t n) {
    acc = op.merge(acc, reduce_line(op, base + off, n, s, i0));
  });
  return acc;
}

template <class Op, class T, class Sink>
void reduce_inner(const Op& op, const T* in, const Plan& p, const Sink& sink) {
  if (p.n_out == 1 && p.n_red >= 2 * kSplit) {
    const int64_t chunks = (p.n_red + kSplit - 1) / kSplit;
    std::vector<typename Op::acc_t> part(chunks);
    parallel_for(0, chunks, 1, [&](int64_t b, int64_t e) {
      for (int64_t c = b; c < e; ++c)
        part[c] = reduce_range(op, in, p, c * kSplit, std::min(p.n_red, (c + 1) * kSplit));
    });
    for (int64_t c = 1; c < chunks; ++c) part[0] = op.merge(part[0], part[c]);
    sink(0, part[0]);
    return;
  }
  parallel_for(0, p.n_out, std::max<int64_t>(1, kGrain / p.n_red), [&](int64_t b, int64_t e) {
    Counter kc(p.kept_sizes, p.kept_in, &p.kept_out, b);
    const bool one_run = p.red_sizes.size() == 1;  // each output reduces one strided line
    const int64_t s = p.red_in.back();
    for (int64_t o = b; o < e; ++o, kc.advance(1))
      sink(kc.off1, one_run ? reduce_line(op, in + kc.off0, p.n_red, s, 0)
                            : reduce_range(op, in + kc.off0, p, 0, p.n_red));
  });
}

template <bool kContig, class Op, class T>
void add_row(const Op& op, typename Op::acc_t* acc, const T* row, int64_t n, int64_t s,
             int64_t i) {
  for (int64_t j = 0; j < n; ++j) acc[j] = op.step(acc[j], row[kContig ? j : j * s], i);
}

// acc[j] (j < n) folds in `rows` rows of n elements at strides (s_red, s_in), the first row
// having flat reduced index i0.
template <class Op, class T>
void rows_plain(const Op& op, typename Op::acc_t* acc, const T* p, int64_t rows, int64_t s_red,
                int64_t n, int64_t s_in, int64_t i0) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = p + r * s_red;
    if (s_in == 1) add_row<true>(op, acc, row, n, 1, i0 + r);
    else add_row<false>(op, acc, row, n, s_in, i0 + r);
  }
}
template <class Op, class T>
void add_rows(const Op& op, typename Op::acc_t* acc, const T* p, int64_t rows, int64_t s_red,
              int64_t n, int64_t s_in, int64_t i0) {
  rows_plain(op, acc, p, rows, s_red, n, s_in, i0);
}
// Float sums: contiguous rows run the register-blocked kernel.
template <class T>
void add_rows(const SumOp<T>& op, double* acc, const T* p, int64_t rows, int64_t s_red,
              int64_t n, int64_t s_in, int64_t i0) {
  const ReduceKernels<T>* k = reduce_kernels<T>();
  if (k && s_in == 1) k->sum_rows(acc, p, rows, s_red, n);
  else rows_plain(op, acc, p, rows, s_red, n, s_in, i0);
}

template <class Op, class T, class Sink>
void reduce_rows(const Op& op, const T* in, const Plan& p, const Sink& sink) {
  const int64_t m = p.kept_sizes.back(), s_in = p.kept_in.back(), s_out = p.kept_out.back();
  const DimVec outer_sizes(p.kept_sizes.begin(), p.kept_sizes.end() - 1);
  const DimVec outer_in(p.kept_in.begin(), p.kept_in.end() - 1);
  const DimVec outer_out(p.kept_out.begin(), p.kept_out.end() - 1);
  const int64_t blocks = (m + kRows - 1) / kRows, tasks = p.n_out / m * blocks;
  const int64_t s_red = p.red_in.back();
  parallel_for(0, tasks, std::max<int64_t>(1, kGrain / (p.n_red * kRows)), [&](int64_t b, int64_t e) {
    typename Op::acc_t acc[kRows];
    for (int64_t t = b; t < e; ++t) {
      const Counter oc(outer_sizes, outer_in, &outer_out, t / blocks);
      const int64_t j0 = t % blocks * kRows, n = std::min(kRows, m - j0);
      for (int64_t j = 0; j < n; ++j) acc[j] = op.init();
      const T* base = in + oc.off0 + j0 * s_in;
      for_runs(p, 0, p.n_red, [&](int64_t off, int64_t i0, int64_t len) {
        add_rows(op, acc, base + off, len, s_red, n, s_in, i0);
      });
      for (int64_t j = 0; j < n; ++j) sink(oc.off1 + (j0 + j) * s_out, acc[j]);
    }
  });
}

// sink(output offset, accumulator) once per output element; outputs are contiguous.
template <class Op, class T, class Sink>
void run(const Op& op, const T* in, const Plan& p, const Sink& sink) {
  if (p.n_out == 0) return;
  if (p.n_red == 0) {
    for (int64_t o = 0; o < p.n_out; ++o) sink(o, op.init());
  } else if (p.kept_sizes.empty() || std::abs(p.red_in.back()) <= std::abs(p.kept_in.back())) {
    reduce_inner(op, in, p, sink);
  } else {
    reduce_rows(op, in, p, sink);
  }
}

// Runs op on `in` and writes fin(acc) into `out` as Out.
template <class Out, class T, class Op, class Fin>
void run_into(const Op& op, const Tensor& in, const Plan& p, const Tensor& out, const Fin& fin) {
  Out* o = out->data<Out>();
  run(op, in->data<T>(), p, [&](int64_t off, const typename Op::acc_t& a) {
    o[off] = static_cast<Out>(fin(a));
  });
}

template <class T, bool kMax>
void max_min(const Tensor& in, const Plan& p, const Tensor& out, const Tensor& idx) {
  if (!idx) return run_into<T, T>(map_max<T, kMax>(identity), in, p, out, identity);
  T* v = out->data<T>();
  int64_t* i = idx->data<int64_t>();
  run(ArgOp<T, kMax>{}, in->data<T>(), p, [&](int64_t off, const ValIdx<T>& a) {
    v[off] = a.v;
    i[off] = a.i;
  });
}

template <class T>
void norm(const Tensor& in, const Plan& p, const Tensor& out, double ord) {
  const auto mag = [](T x) { return double(std::abs(x)); };
  if (ord == 2) {
    const auto sq = [](T x) { return double(x) * double(x); };
    run_into<T, T>(map_sum<T, double>(sq), in, p, out, [](double a) { return std::sqrt(a); });
  } else if (ord == 1) {
    run_into<T, T>(map_sum<T, double>(mag), in, p, out, identity);
  } else if (ord == 0) {
    const auto nz = [](T x) { return double(x != T(0)); };
    run_into<T, T>(map_sum<T, double>(nz), in, p, out, identity);
  } else if (std::isinf(ord)) {
    const auto abs_t = [](T x) { return std::abs(x); };
    if (ord > 0) run_into<T, T>(map_max<T, true>(abs_t), in, p, out, identity);
    else run_into<T, T>(map_max<T, false>(abs_t), in, p, out, identity);
  } else {
    const auto pw = [ord](T x) { return std::pow(double(std::abs(x)), ord); };
    run_into<T, T>(map_sum<T, double>(pw), in, p, out,
                   [ord](double a) { return std::pow(a, 1.0 / ord); });
  }
}

template <class T>
void moments(ReduceKind kind, const Tensor& in, const Plan& p, const Tensor& out,
             const Tensor& mean, double correction) {
  T* v = out->data<T>();
  T* mu = mean ? mean->data<T>() : nullptr;
  run(MomentsOp<T>{}, in->data<T>(), p, [&](int64_t off, const Moments& a) {
    const double var = a.m2 / std::max(0.0, a.n - correction);
    v[off] = static_cast<T>(kind == ReduceKind::Std ? std::sqrt(var) : var);
    if (mu) mu[off] = static_cast<T>(a.n ? a.mean : std::numeric_limits<double>::quiet_NaN());
  });
}

}  // namespace

void reduce(ReduceKind kind, const Tensor& in, uint64_t mask, const Tensor& out,
            const Tensor& out2, const ReduceArgs& args) {
  const Plan p = make_plan(in, mask, out);
  GilRelease nogil(in->numel() >= kGrain);
  const DType dt = in->dtype();
  switch (kind) {
    case ReduceKind::Sum:
    case ReduceKind::NanSum:
      PT_DISPATCH_ALL(dt, "sum", [&] {
        using A = wide_t<scalar_t>;
        if (kind == ReduceKind::Sum)
          run_into<sum_out_t<scalar_t>, scalar_t>(map_sum<scalar_t, A>(Cast<A>{}), in, p, out,
                                                  identity);
        else
          run_into<sum_out_t<scalar_t>, scalar_t>(
              map_sum<scalar_t, A>([](scalar_t x) { return is_nan(x) ? A(0) : A(x); }), in, p,
              out, identity);
      });
      break;
    case ReduceKind::Prod:
      PT_DISPATCH_ALL(dt, "prod", [&] {
        run_into<sum_out_t<scalar_t>, scalar_t>(ProdOp<scalar_t, wide_t<scalar_t>>{}, in, p, out,
                                                identity);
      });
      break;
    case ReduceKind::Mean:
      PT_DISPATCH_FLOAT(dt, "mean", [&] {
        const double n = double(p.n_red);
        run_into<scalar_t, scalar_t>(map_sum<scalar_t, double>(Cast<double>{}), in, p, out,
                                     [n](double a) { return a / n; });
      });
      break;
    case ReduceKind::NanMean:
      PT_DISPATCH_FLOAT(dt, "nanmean", [&] {
        run_into<scalar_t, scalar_t>(NanMeanOp<scalar_t>{}, in, p, out,
                                     [](const NanMeanAcc<scalar_t>& a) { return a.s / double(a.n); });
      });
      break;
    case ReduceKind::Max:
      PT_DISPATCH_ALL(dt, "max", [&] { max_min<scalar_t, true>(in, p, out, out2); });
      break;
    case ReduceKind::Min:
      PT_DISPATCH_ALL(dt, "min", [&] { max_min<scalar_t, false>(in, p, out, out2); });
      break;
    case ReduceKind::ArgMax:
    case ReduceKind::ArgMin:
      PT_DISPATCH_ALL(dt, "argmax", [&] {
        const auto index = [](const ValIdx<scalar_t>& a) { return a.i; };
        if (kind == ReduceKind::ArgMax)
          run_into<int64_t, scalar_t>(ArgOp<scalar_t, true>{}, in, p, out, index);
        else
          run_into<int64_t, scalar_t>(ArgOp<scalar_t, false>{}, in, p, out, index);
      });
      break;
    case ReduceKind::All:
    case ReduceKind::Any:
      PT_DISPATCH_ALL(dt, "all", [&] {
        const bool u8 = out->dtype() == DType::UInt8;
        if (kind == ReduceKind::All) {
          if (u8) run_into<uint8_t, scalar_t>(LogicOp<scalar_t, true>{}, in, p, out, identity);
          else run_into<bool, scalar_t>(LogicOp<scalar_t, true>{}, in, p, out, identity);
        } else {
          if (u8) run_into<uint8_t, scalar_t>(LogicOp<scalar_t, false>{}, in, p, out, identity);
          else run_into<bool, scalar_t>(LogicOp<scalar_t, false>{}, in, p, out, identity);
        }
      });
      break;
    case ReduceKind::CountNonzero:
      PT_DISPATCH_ALL(dt, "count_nonzero", [&] {
        run_into<int64_t, scalar_t>(
            map_sum<scalar_t, int64_t>([](scalar_t x) { return int64_t(x != scalar_t(0)); }), in,
            p, out, identity);
      });
      break;
    case ReduceKind::Var:
    case ReduceKind::Std:
      PT_DISPATCH_FLOAT(dt, "var", [&] { moments<scalar_t>(kind, in, p, out, out2, args.correction); });
      break;
    case ReduceKind::Norm:
      PT_DISPATCH_FLOAT(dt, "norm", [&] { norm<scalar_t>(in, p, out, args.p); });
      break;
    case ReduceKind::LogSumExp:
      PT_DISPATCH_FLOAT(dt, "logsumexp", [&] {
        run_into<scalar_t, scalar_t>(LseOp<scalar_t>{}, in, p, out, &LseOp<scalar_t>::finish);
      });
      break;
  }
}

void cumulative(bool prod, const Tensor& in, int64_t dim, const Tensor& out) {
  const DimVec& sizes = in->sizes();
  int64_t outer = 1, len = 1, inner = 1;
  for (int64_t d = 0; d < in->dim(); ++d)
    (d < dim ? outer : d == dim ? len : inner) *= sizes[d];
  if (in->numel() == 0) return;
  GilRelease nogil(in->numel() >= kGrain);
  PT_DISPATCH_ALL(out->dtype(), prod ? "cumprod" : "cumsum", [&] {
    using A = wide_t<scalar_t>;
    const scalar_t* x = in->data<scalar_t>();
    scalar_t* y = out->data<scalar_t>();
    const int64_t blocks = (inner + kRows - 1) / kRows;
    // Each task carries kRows running totals down the scanned dim, a row at a time.
    parallel_for(0, outer * blocks, std::max<int64_t>(1, kGrain / (len * kRows)), [&](int64_t b, int64_t e) {
      A acc[kRows];
      for (int64_t t = b; t < e; ++t) {
        const int64_t j0 = t % blocks * kRows, n = std::min(kRows, inner - j0);
        const int64_t base = t / blocks * len * inner + j0;
        for (int64_t j = 0; j < n; ++j) acc[j] = A(prod ? 1 : 0);
        for (int64_t l = 0; l < len; ++l) {
          const scalar_t* xr = x + base + l * inner;
          scalar_t* yr = y + base + l * inner;
          for (int64_t j = 0; j < n; ++j) {
            acc[j] = prod ? acc[j] * A(xr[j]) : acc[j] + A(xr[j]);
            yr[j] = static_cast<scalar_t>(acc[j]);
          }
        }
      }
    });
  });
}

}  // namespace pt::cpu
