// The reduction engine's vectorised line kernels: plain functions on raw pointers, one table
// per dtype, picked at run time from cpu_features. reduce_avx2.cpp (built with -mavx2 -mfma)
// holds the AVX2 set; it must not call inline functions that other files also instantiate (the
// linker may keep its AVX copy for all). Without AVX2 the engine's own loops run instead.
#pragma once
#include <cstdint>
#include <type_traits>

#include "cpu/cpu_features.h"

namespace pt::cpu {

template <class T>
struct ReduceKernels {
  // Sum of p[0:n] accumulated in double (fixed lane order: the same n gives the same bits);
  // float32 adds groups of four in float first (error within 2^-23 sum |x|).
  double (*sum)(const T* p, int64_t n);
  // acc[j] += p[r * row_stride + j] for r < rows, j < n, each column added in row order
  // (float32: rows in groups of four added in float first, the same bound).
  void (*sum_rows)(double* acc, const T* p, int64_t rows, int64_t row_stride, int64_t n);
  // Max / min of p[0:n], n >= 1; NaN when any element is NaN.
  T (*max)(const T* p, int64_t n);
  T (*min)(const T* p, int64_t n);
  // First index i < n with p[i] == v (p[i] NaN when v is NaN); n when there is none.
  int64_t (*find)(const T* p, int64_t n, T v);
};

#if defined(__x86_64__) || defined(__i386__)
#define PT_REDUCE_HAVE_AVX2 1
extern const ReduceKernels<float> kReduceAvx2F32;
extern const ReduceKernels<double> kReduceAvx2F64;
#endif

// The vectorised kernels for T on this CPU, or nullptr (then the callers' plain loops run).
// Not for reduce_avx2.cpp itself (see above).
template <class T>
const ReduceKernels<T>* reduce_kernels() {
#ifdef PT_REDUCE_HAVE_AVX2
  static const bool avx2 = cpu_has_avx2_fma();
  if constexpr (std::is_same_v<T, float>) return avx2 ? &kReduceAvx2F32 : nullptr;
  if constexpr (std::is_same_v<T, double>) return avx2 ? &kReduceAvx2F64 : nullptr;
#endif
  return nullptr;
}

}  // namespace pt::cpu
