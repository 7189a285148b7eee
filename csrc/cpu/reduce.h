// CPU reduction kernels: one strided engine for every reduction over a set of dims, the
// cumulative scans, and a plain reference version the tests hold the engine against.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace pt::cpu {

enum class ReduceKind {
  Sum, NanSum, Prod, Mean, NanMean, Max, Min, ArgMax, ArgMin, All, Any, CountNonzero,
  Var, Std, Norm, LogSumExp
};

struct ReduceArgs {
  double p = 2;           // Norm: the order (inf, -inf, 0, or any other number)
  double correction = 1;  // Var/Std: divide by max(0, n - correction)
};

// Reduces `in` over the dims whose bit is set in `mask` (bit d = dim d). `out` has `in`'s
// rank with size 1 at the reduced dims. Output dtypes (the op layer casts inputs to fit):
//   Sum/NanSum/Prod: in's dtype for floats, int64 for integers and bool; CountNonzero, ArgMax,
//   ArgMin: int64; All/Any: bool or uint8; everything else: in's (floating) dtype.
// `out2`, when given, receives the index of the max/min (Max/Min over one dim) or the mean
// (Var/Std), with out's shape; Max/Min/ArgMax/ArgMin with an index reduce one dim only.
void reduce(ReduceKind kind, const Tensor& in, uint64_t mask, const Tensor& out,
            const Tensor& out2, const ReduceArgs& args);
// The same contract in plain loops with float64/int64 accumulators (csrc/cpu/reduce_ref.cpp).
void reduce_ref(ReduceKind kind, const Tensor& in, uint64_t mask, const Tensor& out,
                const Tensor& out2, const ReduceArgs& args);

// out = running sum (or product) of `in` along `dim`; both contiguous and of out's dtype.
void cumulative(bool prod, const Tensor& in, int64_t dim, const Tensor& out);

}  // namespace pt::cpu
