// Reductions over all dims, one dim or a set of dims (sum, mean, prod, max/min, arg max/min,
// var/std, all/any, norm, logsumexp, count_nonzero) and the cumulative scans: argument checks,
// PyTorch's output dtypes and shapes, and dispatch to the CPU or CUDA kernels.
#pragma once
#include <optional>
#include <utility>

#include "core/tensor.h"

namespace pt::ops {

// The dims a reduction runs over; nullopt (and, except for all/any, an empty list) means all.
using Dims = std::optional<DimVec>;

struct ValuesIndices {
  Tensor values, indices;
};

Tensor sum(const Tensor& t, const Dims& dim, bool keepdim, std::optional<DType> dtype);
Tensor nansum(const Tensor& t, const Dims& dim, bool keepdim, std::optional<DType> dtype);
Tensor mean(const Tensor& t, const Dims& dim, bool keepdim, std::optional<DType> dtype);
Tensor nanmean(const Tensor& t, const Dims& dim, bool keepdim, std::optional<DType> dtype);
Tensor prod(const Tensor& t, std::optional<int64_t> dim, bool keepdim, std::optional<DType> dtype);

// max()/min() of everything is a 0-d tensor; along a dim, the values and their indices.
Tensor max(const Tensor& t);
Tensor min(const Tensor& t);
ValuesIndices max(const Tensor& t, int64_t dim, bool keepdim);
ValuesIndices min(const Tensor& t, int64_t dim, bool keepdim);
Tensor amax(const Tensor& t, const Dims& dim, bool keepdim);
Tensor amin(const Tensor& t, const Dims& dim, bool keepdim);
// dim nullopt: the index into the flattened tensor.
Tensor argmax(const Tensor& t, std::optional<int64_t> dim, bool keepdim);
Tensor argmin(const Tensor& t, std::optional<int64_t> dim, bool keepdim);

Tensor var(const Tensor& t, const Dims& dim, double correction, bool keepdim);
Tensor std(const Tensor& t, const Dims& dim, double correction, bool keepdim);
std::pair<Tensor, Tensor> var_mean(const Tensor& t, const Dims& dim, double correction, bool keepdim);
std::pair<Tensor, Tensor> std_mean(const Tensor& t, const Dims& dim, double correction, bool keepdim);

// An empty dim list reduces nothing here (each element tested on its own), as in PyTorch.
Tensor all(const Tensor& t, const Dims& dim, bool keepdim);
Tensor any(const Tensor& t, const Dims& dim, bool keepdim);
Tensor count_nonzero(const Tensor& t, const Dims& dim);

// Vector p-norm: p = 2, 1, 0, +-inf or any other number ('fro' is p = 2).
Tensor norm(const Tensor& t, double p, const Dims& dim, bool keepdim, std::optional<DType> dtype);
Tensor logsumexp(const Tensor& t, const Dims& dim, bool keepdim);

Tensor cumsum(const Tensor& t, int64_t dim, std::optional<DType> dtype);
Tensor cumprod(const Tensor& t, int64_t dim, std::optional<DType> dtype);

// `g` summed down to `shape`, which broadcasts to g's shape: what a broadcasting op's backward
// does to return a gradient of its input's shape.
Tensor sum_to(const Tensor& g, const DimVec& shape);

// Autograd records shared with sort.cpp; callers test autograd::needs_grad first.
// On `values`: its gradient goes back to the elements of `input` at `indices` along `dim`
// (both with that dim kept when `keepdim`, else dropped).
void record_selection(const char* name, const Tensor& input, const Tensor& values,
                      const Tensor& indices, int64_t dim, bool keepdim);
// On the 0-d `value` picked from `input`: its gradient is split evenly among the elements equal
// to it (NaN matching NaN), as PyTorch does for max(), min() and median() of everything.
void record_evenly_distributed(const char* name, const Tensor& input, const Tensor& value);

// Tests only: route every reduction above through the plain reference kernels.
void use_reference_reductions(bool on);

}  // namespace pt::ops
