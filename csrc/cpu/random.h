// CPU kernels of the random ops. Each writes a contiguous `out` in index order and reserves
// its counter blocks from `gen` itself, so element i's value depends only on (seed, offset, i).
#pragma once
#include "core/generator.h"
#include "core/tensor.h"

namespace pt::cpu {

// Floating `out`: uniform on [from, to).
void uniform(const Tensor& out, double from, double to, Generator& gen);
// Floating `out`: mean + std * N(0, 1), Box-Muller in float64.
void normal(const Tensor& out, double mean, double std, Generator& gen);
// Any dtype: low + (uniform 64-bit integer mod range); range 0 stands for 2**64.
void random_range(const Tensor& out, int64_t low, uint64_t range, Generator& gen);
// Any dtype: 1 with probability p (a number, or per element from contiguous float64 `p`).
void bernoulli(const Tensor& out, double p, Generator& gen);
void bernoulli(const Tensor& out, const Tensor& p, Generator& gen);
// Floating `out`: Exp(lambd), -log(1 - u) / lambd.
void exponential(const Tensor& out, double lambd, Generator& gen);
// int64 `out` of n elements: a uniform permutation of 0..n-1 (Fisher-Yates).
void randperm(const Tensor& out, Generator& gen);
// int64 `out` (rows, k) drawn from the rows of contiguous float64 weights (rows, n).
// Without replacement: the k smallest keys Exp(1) / w_i, which is sampling one at a time
// in proportion to the weights left.
void multinomial(const Tensor& out, const Tensor& weights, bool replacement, Generator& gen);

}  // namespace pt::cpu
