// Reference reductions: each output's values are gathered in logical order, then reduced by
// the textbook formula with long double (uint64 for integers) accumulators. Slow on purpose:
// the tests hold the engine in reduce.cpp against it.
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "core/error.h"
#include "cpu/reduce.h"

namespace pt::cpu {
namespace {

template <class T>
std::vector<std::vector<T>> gather(const Tensor& in, uint64_t mask) {
  const int64_t nd = in->dim();
  const DimVec out_strides = contiguous_strides([&] {
    DimVec s = in->sizes();
    for (int64_t d = 0; d < nd; ++d)
      if (mask >> d & 1) s[d] = 1;
    return s;
  }());
  int64_t n_out = 1;
  for (int64_t d = 0; d < nd; ++d)
    if (!(mask >> d & 1)) n_out *= in->sizes()[d];
  std::vector<std::vector<T>> groups(n_out);
  const T* x = in->data<T>();
  DimVec idx(nd);
  for (int64_t k = 0; k < in->numel(); ++k) {
    int64_t off = 0, o = 0;
    for (int64_t d = 0; d < nd; ++d) {
      off += idx[d] * in->strides()[d];
      if (!(mask >> d & 1)) o += idx[d] * out_strides[d];
    }
    groups[o].push_back(x[off]);
    for (int64_t d = nd - 1; d >= 0 && ++idx[d] == in->sizes()[d]; --d) idx[d] = 0;
  }
  return groups;
}

template <class T>
bool nan(T x) {
  if constexpr (std::is_floating_point_v<T>) return std::isnan(x);
  else return false;
}

// Index of the first max (kMax) or min; the first NaN beats every number.
template <class T>
int64_t arg_best(const std::vector<T>& v, bool max) {
  int64_t best = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (nan(v[i])) return i;
    if (max ? v[i] > v[best] : v[i] < v[best]) best = i;
  }
  return best;
}

template <class T>
long double value(ReduceKind kind, const std::vector<T>& v, const ReduceArgs& args) {
  using L = long double;
  const L n = v.size();
  L s = 0, m = -INFINITY;
  switch (kind) {
    case ReduceKind::Sum: case ReduceKind::Mean:
      for (T x : v) s += x;
      return kind == ReduceKind::Sum ? s : s / n;
    case ReduceKind::NanSum: case ReduceKind::NanMean: {
      L c = 0;
      for (T x : v)
        if (!nan(x)) s += x, c += 1;
      return kind == ReduceKind::NanSum ? s : s / c;
    }
    case ReduceKind::Prod:
      s = 1;
      for (T x : v) s *= x;
      return s;
    case ReduceKind::Var: case ReduceKind::Std: {
      L mean = 0;
      for (T x : v) mean += x;
      mean /= n;
      for (T x : v) s += (x - mean) * (x - mean);
      const L var = s / std::max<L>(0, n - args.correction);
      return kind == ReduceKind::Var ? var : std::sqrt(var);
    }
    case ReduceKind::Norm:
      if (std::isinf(args.p)) {
        m = args.p > 0 ? 0 : INFINITY;
        for (T x : v) {
          const L a = std::abs(L(x));
          if (nan(x)) return NAN;
          m = args.p > 0 ? std::max(m, a) : std::min(m, a);
        }
        return m;
      }
      for (T x : v) s += args.p == 0 ? L(x != 0) : std::pow(std::abs(L(x)), L(args.p));
      return args.p == 0 ? s : std::pow(s, 1 / L(args.p));
    case ReduceKind::LogSumExp:
      for (T x : v) {
        if (nan(x)) return NAN;
        m = std::max<L>(m, x);
      }
      if (std::isinf(m)) return m;
      for (T x : v) s += std::exp(x - m);
      return m + std::log(s);
    default:
      throw RuntimeError("reduce_ref: not a value reduction");
  }
}

// Integer sums and products wrap modulo 2^64 as the engine's do.
template <class T>
int64_t int_value(ReduceKind kind, const std::vector<T>& v) {
  uint64_t s = kind == ReduceKind::Prod ? 1 : 0;
  for (T x : v) {
    const uint64_t u = uint64_t(int64_t(x));
    if (kind == ReduceKind::Prod) s *= u;
    else if (kind == ReduceKind::CountNonzero) s += x != T(0);
    else s += u;
  }
  return int64_t(s);
}

template <class T>
void reduce_typed(ReduceKind kind, const Tensor& in, uint64_t mask, const Tensor& out,
                  const Tensor& out2, const ReduceArgs& args) {
  const auto groups = gather<T>(in, mask);
  for (size_t o = 0; o < groups.size(); ++o) {
    const std::vector<T>& v = groups[o];
    switch (kind) {
      case ReduceKind::Max: case ReduceKind::Min: {
        const int64_t i = arg_best(v, kind == ReduceKind::Max);
        out->data<T>()[o] = v[i];
        if (out2) out2->data<int64_t>()[o] = i;
        break;
      }
      case ReduceKind::ArgMax: case ReduceKind::ArgMin:
        out->data<int64_t>()[o] = arg_best(v, kind == ReduceKind::ArgMax);
        break;
      case ReduceKind::All: case ReduceKind::Any: {
        bool r = kind == ReduceKind::All;
        for (T x : v) r = kind == ReduceKind::All ? r && x != T(0) : r || x != T(0);
        if (out->dtype() == DType::UInt8) out->data<uint8_t>()[o] = r;
        else out->data<bool>()[o] = r;
        break;
      }
      case ReduceKind::CountNonzero:
        out->data<int64_t>()[o] = int_value(kind, v);
        break;
      case ReduceKind::Sum: case ReduceKind::NanSum: case ReduceKind::Prod:
        if constexpr (!std::is_floating_point_v<T>) {
          out->data<int64_t>()[o] = int_value(kind, v);
          break;
        }
        [[fallthrough]];
      default:
        if constexpr (std::is_floating_point_v<T>) {
          out->data<T>()[o] = static_cast<T>(value(kind, v, args));
          if (out2) {  // var_mean / std_mean
            long double mean = 0;
            for (T x : v) mean += x;
            out2->data<T>()[o] = static_cast<T>(mean / v.size());
          }
        }
    }
  }
}

}  // namespace

void reduce_ref(ReduceKind kind, const Tensor& in, uint64_t mask, const Tensor& out,
                const Tensor& out2, const ReduceArgs& args) {
  PT_DISPATCH_ALL(in->dtype(), "reduce_ref", [&] {
    reduce_typed<scalar_t>(kind, in, mask, out, out2, args);
  });
}

}  // namespace pt::cpu
