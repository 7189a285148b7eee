// Packing: copies a block of A or B, read through any strides, into the contiguous,
// micro-kernel-ordered layout the kernels stream from (see ukernel.h).
#pragma once
#include <cstdint>

namespace pt::cpu {

// Packs `lines` lines of length k, element (l, p) at src[l*s_line + p*s_k], into
// ceil(lines / r) micro-panels: dst[q*r*k + p*r + i] = line q*r + i at p. Lines past the end
// of the last panel are zeros, so kernels can always read whole panels.
//   A block (MR-row panels):    lines are rows of A,    s_line = rsA, s_k = csA, r = MR.
//   B block (NR-column panels): lines are columns of B, s_line = csB, s_k = rsB, r = NR.
template <class T>
void pack_panels(int64_t lines, int64_t k, const T* src, int64_t s_line, int64_t s_k, int64_t r,
                 T* dst);

}  // namespace pt::cpu
