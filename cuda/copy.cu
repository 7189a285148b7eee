// Kernels that write a tensor from one other tensor or from a formula: the casting strided
// copy (gather) behind copy_/contiguous/to on the device, fill and arange.
#include "core/error.h"
#include "cuda/kernels.h"
#include "cuda/loop.cuh"

namespace pt::cuda {

template <class Out>
struct Cast {
  template <class In>
  __device__ Out operator()(In x) const { return static_cast<Out>(x); }
};

template <class T>
struct Constant {
  T value;
  __device__ T operator()() const { return value; }
};

void copy(const StridedLoop& loop, DType dst, DType src) {
  PT_DISPATCH_ALL(dst, "copy_", [&] {
    using out_t = scalar_t;
    PT_DISPATCH_ALL(src, "copy_", [&] { launch<out_t, scalar_t>("copy_kernel", loop, 0, Cast<out_t>{}); });
  });
}

void fill(const StridedLoop& loop, DType dtype, const Scalar& value) {
  PT_DISPATCH_ALL(dtype, "fill_", [&] { launch<scalar_t>("fill_kernel", loop, 0, Constant<scalar_t>{value.to<scalar_t>()}); });
}

// Acc: double for floating outputs, int64 for integral ones (the CPU kernel's arithmetic).
template <class T, class Acc>
__global__ void arange_kernel(T* out, int64_t n, Acc start, Acc step) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
    out[i] = static_cast<T>(start + step * static_cast<Acc>(i));
}

void arange(void* out, int64_t n, DType dtype, const Scalar& start, const Scalar& step) {
  if (n == 0) return;
  PT_DISPATCH_NUMERIC(dtype, "arange", [&] {
    using acc_t = std::conditional_t<std::is_floating_point_v<scalar_t>, double, int64_t>;
    arange_kernel<<<grid_for(n), kThreads>>>(static_cast<scalar_t*>(out), n, start.to<acc_t>(), step.to<acc_t>());
    check_launch("arange_kernel");
  });
}

}  // namespace pt::cuda
