// Entry points of the fused optimizer kernels: pick the ISA's kernel table once, then split the
// elements across threads.
#include "cpu/optim.h"

#include <initializer_list>

#include "core/gil.h"
#include "core/iter.h"
#include "core/parallel.h"
#include "cpu/cpu_features.h"
#include "cpu/optim_kernels.h"

namespace pt::cpu {

namespace {

const OptimKernels& kernels() {
  static constexpr OptimKernels baseline = make_optim_kernels();
#if defined(__x86_64__)
  static const OptimKernels& chosen = cpu_has_avx2_fma() ? optim_kernels_avx2() : baseline;
  return chosen;
#else
  return baseline;
#endif
}

template <class O>
void run(OptimKernel<O> const (&kernel)[2], const Tensor& param, const Tensor& grad,
         std::initializer_list<const Tensor*> state, const O& o) {
  OptimData d{param->raw_data(), grad->raw_data(), {nullptr, nullptr, nullptr}};
  int k = 0;
  for (const Tensor* t : state) d.state[k++] = t ? (*t)->raw_data() : nullptr;
  const auto fn = kernel[param->dtype() == DType::Float64];
  const int64_t n = param->numel();
  GilRelease nogil(n >= kElementwiseGrain);
  parallel_for(0, n, kElementwiseGrain, [&](int64_t b, int64_t e) { fn(d, b, e, o); });
}

}  // namespace

void sgd_step(const Tensor& param, const Tensor& grad, const Tensor* momentum_buffer,
              const SgdOptions& o) {
  run(kernels().sgd, param, grad, {momentum_buffer}, o);
}

void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
               const Tensor& exp_avg_sq, const Tensor* max_exp_avg_sq, const AdamOptions& o) {
  run(kernels().adam, param, grad, {&exp_avg, &exp_avg_sq, max_exp_avg_sq}, o);
}

void rmsprop_step(const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                  const Tensor* grad_avg, const Tensor* momentum_buffer, const RmspropOptions& o) {
  run(kernels().rmsprop, param, grad, {&square_avg, grad_avg, momentum_buffer}, o);
}

void adagrad_step(const Tensor& param, const Tensor& grad, const Tensor& sum,
                  const AdagradOptions& o) {
  run(kernels().adagrad, param, grad, {&sum}, o);
}

}  // namespace pt::cpu
