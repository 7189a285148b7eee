// Run-time choice of the vectorised float32 math kernels (see vecmath.h).
#include "cpu/vecmath.h"

#include <atomic>

#include "cpu/cpu_features.h"

namespace pt::cpu {

static std::atomic<bool> g_reference{false};

void use_reference_vecmath(bool on) { g_reference.store(on); }

VecKernelF32 vec_kernel_f32(VecFn fn) {
  if (g_reference.load(std::memory_order_relaxed)) return nullptr;
#ifdef PT_VECMATH_HAVE_AVX2
  static const bool avx2 = cpu_has_avx2_fma();
  if (avx2) return vec_kernel_f32_avx2(fn);
#endif
  (void)fn;
  return nullptr;
}

}  // namespace pt::cpu
