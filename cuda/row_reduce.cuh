// Fixed-order reductions of one line by a warp or a whole block, shared by softmax.cu and
// loss.cu. Warps use the xor butterfly of shuffles: every lane ends with the same bits (IEEE
// addition and our max are commutative), so no broadcast is needed. No atomics anywhere, so
// the results are bit-identical run to run.
#pragma once
#include <cuda_runtime.h>

namespace pt::cuda {

constexpr int kWarp = 32;

struct SumOp {
  template <class V>
  __device__ V operator()(V a, V b) const { return a + b; }
};
// NaN never wins (the CPU's `x > m ? x : m`): a NaN line still comes out NaN through its sum.
struct MaxOp {
  template <class V>
  __device__ V operator()(V a, V b) const { return b > a ? b : a; }
};

// All 32 lanes of the warp must call it together.
template <class V, class Op>
__device__ V warp_reduce(V v, Op op) {
#pragma unroll
  for (int m = kWarp / 2; m > 0; m >>= 1) v = op(v, __shfl_xor_sync(0xffffffffu, v, m));
  return v;
}

// Every thread of the block must call it (it synchronises); blockDim.x a multiple of 32. Each
// warp reduces its lanes, then every warp reduces the per-warp values in the same order, so all
// threads return the same value. `init` is the identity of op.
template <class V, class Op>
__device__ V block_reduce(V v, Op op, V init) {
  __shared__ V partial[kWarp];
  const int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp;
  v = warp_reduce(v, op);
  __syncthreads();  // readers of the previous call are done with `partial`
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  v = lane < static_cast<int>(blockDim.x / kWarp) ? partial[lane] : init;
  return warp_reduce(v, op);
}

}  // namespace pt::cuda
