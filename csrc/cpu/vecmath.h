// Vectorised float32 transcendental functions for contiguous runs, chosen at run time. The
// scalar libm loops of cpu/elementwise.cpp stay the reference (and the path on CPUs without
// AVX2+FMA); these kernels are held to a few ulp of float64 by tests/test_vecmath.py.
#pragma once
#include <cstdint>

namespace pt::cpu {

// out[i] = f(x[i]) for 0 <= i < n; out may be x. Every element gets the same result whatever
// its position (tails run through the same vector code), so layouts never change values.
using VecKernelF32 = void (*)(float* out, const float* x, int64_t n);

enum class VecFn : uint8_t { Exp, Log, Tanh, Sigmoid, Silu, GeluErf, GeluTanh };

// The fastest kernel for this CPU, or null where there is none (then the caller's scalar loop
// runs). use_reference_vecmath(true) forces null, so tests can compare both paths.
VecKernelF32 vec_kernel_f32(VecFn fn);
void use_reference_vecmath(bool on);

#if defined(__x86_64__) || defined(__i386__)
#define PT_VECMATH_HAVE_AVX2 1
// vecmath_avx2.cpp (built with -mavx2 -mfma): called only after cpu_has_avx2_fma().
VecKernelF32 vec_kernel_f32_avx2(VecFn fn);
#endif

}  // namespace pt::cpu
