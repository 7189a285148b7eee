// Micro-kernel contract and the block-size table.
//
// A micro-kernel computes one MR x NR tile of C from a k-long sliver of A and of B:
//
//   C[i, j] = alpha * sum_{p < k} A[i, p] * B[p, j] + beta * C[i, j]     for i < m, j < n
//
//   a      MR rows of A; element (i, p) is a[i*rsa + p*csa]. Packed panels pass rsa = 1,
//          csa = MR; when packing would not pay, the driver passes A in place with its own
//          strides. All MR rows are read: a last panel with fewer rows is packed, zero-padded.
//   b      a packed B micro-panel: element (p, j) is b[p*NR + j], all NR columns present
//          (zero-padded past n).
//   k      >= 0. The tile is accumulated in registers over the whole k loop and C is touched
//          once at the end.
//   c      element (i, j) is c[i*rsc + j*csc], any strides. Edge tiles (m < MR or n < NR) are
//          computed in full, but only the m x n corner is loaded or stored.
//   beta   beta == 0 means C is never read: it is overwritten, so NaN or garbage in C does not
//          propagate. The driver calls with beta = 1 for every K block after the first.
//
// Kernels are plain functions, one overload per dtype, picked at run time from cpu_features.
// ukernel_avx2.cpp is the only file compiled with -mavx2 -mfma; it must not call inline
// functions that other files also instantiate (the linker may keep its AVX copy for all).
#pragma once
#include <cstdint>

namespace pt::cpu {

// MR x NR: the register tile of C (set by each kernel's register layout; kernels static_assert
// it). MC x KC: the packed A block, sized for L2. KC x NR: one B micro-panel, sized for L1.
// KC x NC: the packed B block, sized for L3.
struct Blocking {
  int64_t mr, nr, mc, kc, nc;
};

// The one table of block sizes. The AVX2 rows are BLIS's Zen values; on a Zen 3 (32 KiB L1d,
// 512 KiB L2 per core) they run at ~98% of FMA peak, so they were kept.
//                                         MR  NR   MC   KC    NC
inline constexpr Blocking kGenericF32   = { 4,  8, 128, 256, 4096};
inline constexpr Blocking kGenericF64   = { 4,  4, 128, 256, 4096};
inline constexpr Blocking kAvx2F32      = { 6, 16, 144, 256, 4080};
inline constexpr Blocking kAvx2F64      = { 6,  8,  72, 256, 4080};

template <class T>
using UKernel = void (*)(int64_t k, T alpha, const T* a, int64_t rsa, int64_t csa, const T* b,
                         T beta, T* c, int64_t rsc, int64_t csc, int64_t m, int64_t n);

// Portable C++ kernels (ukernel_generic.cpp), blocking kGenericF32 / kGenericF64.
void ukernel_generic(int64_t k, float alpha, const float* a, int64_t rsa, int64_t csa,
                     const float* b, float beta, float* c, int64_t rsc, int64_t csc, int64_t m,
                     int64_t n);
void ukernel_generic(int64_t k, double alpha, const double* a, int64_t rsa, int64_t csa,
                     const double* b, double beta, double* c, int64_t rsc, int64_t csc,
                     int64_t m, int64_t n);

#if defined(__x86_64__) || defined(__i386__)
#define PT_GEMM_HAVE_AVX2 1
// AVX2 + FMA kernels (ukernel_avx2.cpp), blocking kAvx2F32 (6x16) / kAvx2F64 (6x8).
void ukernel_avx2(int64_t k, float alpha, const float* a, int64_t rsa, int64_t csa,
                  const float* b, float beta, float* c, int64_t rsc, int64_t csc, int64_t m,
                  int64_t n);
void ukernel_avx2(int64_t k, double alpha, const double* a, int64_t rsa, int64_t csa,
                  const double* b, double beta, double* c, int64_t rsc, int64_t csc, int64_t m,
                  int64_t n);
#endif

// C[0:m, 0:n] = alpha * t + beta * C (C not read when beta == 0), t an accumulator tile with
// row stride ldt. The scalar store for tiles a kernel cannot store with vectors; it lives in
// ukernel_generic.cpp, compiled without AVX, so every kernel can call it.
void store_tile(const float* t, int64_t ldt, float alpha, float beta, float* c, int64_t rsc,
                int64_t csc, int64_t m, int64_t n);
void store_tile(const double* t, int64_t ldt, double alpha, double beta, double* c, int64_t rsc,
                int64_t csc, int64_t m, int64_t n);

}  // namespace pt::cpu
