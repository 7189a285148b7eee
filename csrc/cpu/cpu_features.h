// Runtime ISA detection, so one binary picks the best kernels for the CPU it runs on.
#pragma once

namespace pt::cpu {

// True when the CPU has AVX2 and FMA3 and the OS saves the YMM registers (XCR0).
bool cpu_has_avx2_fma();
// True when the CPU has AVX-512F and the OS saves the ZMM and opmask registers (XCR0).
bool cpu_has_avx512f();

}  // namespace pt::cpu
