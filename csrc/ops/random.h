// Random ops: sampling factories (rand, randn, randint, randperm, normal, bernoulli,
// multinomial) and the in-place samplers (uniform_, normal_, random_, bernoulli_,
// exponential_). A null generator means the default one.
#pragma once
#include <optional>

#include "core/generator.h"
#include "core/tensor.h"

namespace pt::ops {

Tensor rand(const DimVec& size, DType dtype, Device device, const GeneratorPtr& gen);
Tensor randn(const DimVec& size, DType dtype, Device device, const GeneratorPtr& gen);
// Uniform integers in [low, high).
Tensor randint(int64_t low, int64_t high, const DimVec& size, DType dtype, Device device,
               const GeneratorPtr& gen);
Tensor randperm(int64_t n, DType dtype, Device device, const GeneratorPtr& gen);
// Elementwise N(mean, std) over the broadcast shape of mean and std (a number is a 0-d tensor).
Tensor normal(const Tensor& mean, const Tensor& std, const GeneratorPtr& gen);
Tensor normal(double mean, double std, const DimVec& size, DType dtype, Device device,
              const GeneratorPtr& gen);
// 0/1 draws with the probabilities in `p`, in p's dtype.
Tensor bernoulli(const Tensor& p, const GeneratorPtr& gen);
// 0/1 draws of probability p, shaped and typed as `input`.
Tensor bernoulli(const Tensor& input, double p, const GeneratorPtr& gen);
// Category indices drawn from the (unnormalised) weights of each row of a 1-D or 2-D tensor.
Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement,
                   const GeneratorPtr& gen);

const Tensor& uniform_(const Tensor& t, double from, double to, const GeneratorPtr& gen);
const Tensor& normal_(const Tensor& t, double mean, double std, const GeneratorPtr& gen);
// Integers in [from, to); without `to`, up to the largest value the dtype holds exactly.
const Tensor& random_(const Tensor& t, int64_t from, std::optional<int64_t> to,
                      const GeneratorPtr& gen);
const Tensor& bernoulli_(const Tensor& t, double p, const GeneratorPtr& gen);
// p broadcasts to t's shape.
const Tensor& bernoulli_(const Tensor& t, const Tensor& p, const GeneratorPtr& gen);
const Tensor& exponential_(const Tensor& t, double lambd, const GeneratorPtr& gen);

}  // namespace pt::ops
