#include "cpu/cpu_features.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace pt::cpu {
namespace {

struct Features {
  bool avx2_fma = false;
  bool avx512f = false;
};

#if defined(__x86_64__) || defined(__i386__)
// XCR0 says which register files the OS saves on a context switch; a CPU flag alone is not
// enough, since using YMM/ZMM state the OS does not save corrupts other processes' registers.
unsigned long long read_xcr0() {
  unsigned eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<unsigned long long>(edx) << 32) | eax;
}

Features detect() {
  Features f;
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const bool osxsave = ecx & (1u << 27), avx = ecx & (1u << 28), fma = ecx & (1u << 12);
  if (!osxsave || !avx) return f;
  const unsigned long long xcr0 = read_xcr0();
  const bool ymm_saved = (xcr0 & 0x6) == 0x6;         // SSE and AVX state
  const bool zmm_saved = (xcr0 & 0xe6) == 0xe6;       // plus opmask, ZMM0-15 high, ZMM16-31
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return f;
  const bool avx2 = ebx & (1u << 5), avx512f = ebx & (1u << 16);
  f.avx2_fma = ymm_saved && avx2 && fma;
  f.avx512f = zmm_saved && avx512f;
  return f;
}
#else
Features detect() { return {}; }
#endif

const Features& features() {
  static const Features f = detect();
  return f;
}

}  // namespace

bool cpu_has_avx2_fma() { return features().avx2_fma; }
bool cpu_has_avx512f() { return features().avx512f; }

}  // namespace pt::cpu
