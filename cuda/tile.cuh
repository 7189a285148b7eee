// What the tiled kernels (gemm.cu, conv.cu) share: four consecutive elements of a shared-memory
// tile in one vector read (16-byte aligned rows).
#pragma once
#include <cuda_runtime.h>

namespace pt::cuda {

__device__ inline void read4(const float* p, float* v) {
  const float4 x = *reinterpret_cast<const float4*>(p);
  v[0] = x.x, v[1] = x.y, v[2] = x.z, v[3] = x.w;
}
__device__ inline void read4(const double* p, double* v) {
  const double2 x = reinterpret_cast<const double2*>(p)[0], y = reinterpret_cast<const double2*>(p)[1];
  v[0] = x.x, v[1] = x.y, v[2] = y.x, v[3] = y.y;
}

}  // namespace pt::cuda
