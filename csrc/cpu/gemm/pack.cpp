#include "cpu/gemm/pack.h"

#include "cpu/gemm/ukernel.h"

namespace pt::cpu {
namespace {

// Both packings are the same operation: cut `lines` (rows of A, columns of B) into groups of
// R and interleave each group along k. R is a template parameter so the copy of one k step
// unrolls into R loads and stores.
template <class T, int64_t R>
void pack_lines(int64_t lines, int64_t k, const T* src, int64_t s_line, int64_t s_k, T* dst) {
  int64_t q = 0;
  for (; q + R <= lines; q += R, src += R * s_line, dst += R * k) {
    if (s_line == 1) {  // the R elements of a k step are adjacent: a straight vector copy
      for (int64_t p = 0; p < k; ++p)
        for (int64_t i = 0; i < R; ++i) dst[p * R + i] = src[p * s_k + i];
    } else {
      for (int64_t p = 0; p < k; ++p)
        for (int64_t i = 0; i < R; ++i) dst[p * R + i] = src[i * s_line + p * s_k];
    }
  }
  const int64_t rest = lines - q;
  if (rest == 0) return;
  for (int64_t p = 0; p < k; ++p) {
    for (int64_t i = 0; i < rest; ++i) dst[p * R + i] = src[i * s_line + p * s_k];
    for (int64_t i = rest; i < R; ++i) dst[p * R + i] = T(0);
  }
}

constexpr bool has_case(int64_t r) { return r == 4 || r == 6 || r == 8 || r == 16; }
constexpr bool has_cases(const Blocking& b) { return has_case(b.mr) && has_case(b.nr); }
static_assert(has_cases(kGenericF32) && has_cases(kGenericF64) && has_cases(kAvx2F32) &&
                  has_cases(kAvx2F64),
              "a kernel in ukernel.h's table has a panel width that pack_panels() has no case for");

}  // namespace

template <class T>
void pack_panels(int64_t lines, int64_t k, const T* src, int64_t s_line, int64_t s_k, int64_t r,
                 T* dst) {
  switch (r) {
    case 4: return pack_lines<T, 4>(lines, k, src, s_line, s_k, dst);
    case 6: return pack_lines<T, 6>(lines, k, src, s_line, s_k, dst);
    case 8: return pack_lines<T, 8>(lines, k, src, s_line, s_k, dst);
    case 16: return pack_lines<T, 16>(lines, k, src, s_line, s_k, dst);
  }
}

template void pack_panels<float>(int64_t, int64_t, const float*, int64_t, int64_t, int64_t,
                                 float*);
template void pack_panels<double>(int64_t, int64_t, const double*, int64_t, int64_t, int64_t,
                                  double*);

}  // namespace pt::cpu
