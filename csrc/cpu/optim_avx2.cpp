// The fused optimizer kernels built for AVX2 + FMA; optim.cpp picks them at run time.
#if defined(__x86_64__)
#include "cpu/optim_kernels.h"

namespace pt::cpu {

const OptimKernels& optim_kernels_avx2() {
  static constexpr OptimKernels kernels = make_optim_kernels();
  return kernels;
}

}  // namespace pt::cpu
#endif
