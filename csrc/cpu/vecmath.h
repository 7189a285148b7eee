// Vectorised float32 transcendental functions for contiguous runs, chosen at run time. The
// scalar libm loops of cpu/elementwise.cpp stay the reference (and the path on CPUs without
// AVX2+FMA); these kernels are held to a few ulp of float64 by tests/test_vecmath.py.
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

namespace pt::cpu {

// out[i] = f(x[i]) for 0 <= i < n; out may be x. Every element gets the same result whatever
// its position (tails run through the same vector code), so layouts never change values.
using VecKernelF32 = void (*)(float* out, const float* x, int64_t n);

enum class VecFn : uint8_t { Exp, Log, Tanh, Sigmoid, Silu, GeluErf, GeluTanh };

// The fastest kernel for this CPU, or null where there is none (then the caller's scalar loop
// runs). use_reference_vecmath(true) forces null, so tests can compare both paths.
VecKernelF32 vec_kernel_f32(VecFn fn);
void use_reference_vecmath(bool on);

// exp over a contiguous run (out may be in) for kernels that need it inside their own passes:
// the vectorised float32 kernel where the CPU has one, libm otherwise. Construct it once per
// op, outside the loops (the lookup is not free).
template <class T>
struct ExpRun {
  VecKernelF32 vk = std::is_same_v<T, float> ? vec_kernel_f32(VecFn::Exp) : nullptr;
  bool vectorised() const { return vk != nullptr; }
  void operator()(T* out, const T* in, int64_t n) const {
    if constexpr (std::is_same_v<T, float>) {
      if (vk) return vk(out, in, n);
    }
    for (int64_t i = 0; i < n; ++i) out[i] = std::exp(in[i]);
  }
};

#if defined(__x86_64__) || defined(__i386__)
#define PT_VECMATH_HAVE_AVX2 1
// vecmath_avx2.cpp (built with -mavx2 -mfma): called only after cpu_has_avx2_fma().
VecKernelF32 vec_kernel_f32_avx2(VecFn fn);
#endif

}  // namespace pt::cpu
