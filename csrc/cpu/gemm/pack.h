// Packing: copies a block of A or B, read through any strides, into the contiguous,
// micro-kernel-ordered layout the kernels stream from (see ukernel.h).
#pragma once
#include <cstdint>

namespace pt::cpu {

// Packs the m x k block a (element (i, p) at a[i*rsa + p*csa]) into ceil(m / mr) panels of
// mr x k: dst[q*mr*k + p*mr + i] = A[q*mr + i, p]. Rows past m in the last panel are zero.
template <class T>
void pack_a(int64_t m, int64_t k, const T* a, int64_t rsa, int64_t csa, int64_t mr, T* dst);

// Packs the k x n block b (element (p, j) at b[p*rsb + j*csb]) into ceil(n / nr) panels of
// k x nr: dst[q*nr*k + p*nr + j] = B[p, q*nr + j]. Columns past n in the last panel are zero.
template <class T>
void pack_b(int64_t k, int64_t n, const T* b, int64_t rsb, int64_t csb, int64_t nr, T* dst);

}  // namespace pt::cpu
