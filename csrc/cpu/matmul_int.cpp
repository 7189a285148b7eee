#include "cpu/matmul_int.h"

#include <algorithm>

#include "core/parallel.h"

namespace pt::cpu {

template <class T>
void matmul_int(int64_t batch, int64_t M, int64_t N, int64_t K,
                const T* A, int64_t bsA, int64_t rsA, int64_t csA,
                const T* B, int64_t bsB, int64_t rsB, int64_t csB,
                T* C, int64_t bsC, int64_t rsC, int64_t csC) {
  const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(1, N * K));
  parallel_for(0, batch * M, grain, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const int64_t b = r / M, m = r % M;
      const T* a = A + b * bsA + m * rsA;
      const T* bb = B + b * bsB;
      T* c = C + b * bsC + m * rsC;
      for (int64_t n = 0; n < N; ++n) {
        int64_t acc = 0;
        for (int64_t k = 0; k < K; ++k)
          acc += static_cast<int64_t>(a[k * csA]) * static_cast<int64_t>(bb[k * rsB + n * csB]);
        c[n * csC] = static_cast<T>(acc);
      }
    }
  });
}

template void matmul_int<uint8_t>(int64_t, int64_t, int64_t, int64_t, const uint8_t*, int64_t, int64_t, int64_t,
                                  const uint8_t*, int64_t, int64_t, int64_t, uint8_t*, int64_t, int64_t, int64_t);
template void matmul_int<int32_t>(int64_t, int64_t, int64_t, int64_t, const int32_t*, int64_t, int64_t, int64_t,
                                  const int32_t*, int64_t, int64_t, int64_t, int32_t*, int64_t, int64_t, int64_t);
template void matmul_int<int64_t>(int64_t, int64_t, int64_t, int64_t, const int64_t*, int64_t, int64_t, int64_t,
                                  const int64_t*, int64_t, int64_t, int64_t, int64_t*, int64_t, int64_t, int64_t);

}  // namespace pt::cpu
