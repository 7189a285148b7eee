// CUDA runtime wiring: device queries, allocation and copies. cudart is linked statically and
// every query tolerates a missing driver, so the same wheel imports on machines with no GPU.
#include <cuda_runtime.h>

#include "core/error.h"
#include "cuda/kernels.h"

namespace pt::cuda {

static void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess)
    throw RuntimeError(str_cat("CUDA error in ", what, ": ", cudaGetErrorString(err)));
}

bool built_with_cuda() { return true; }

int device_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no driver" error
    return 0;
  }
  return n;
}

bool is_available() { return device_count() > 0; }

std::string device_name(int device) {
  cudaDeviceProp prop;
  check(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
  return prop.name;
}

void synchronize() { check(cudaDeviceSynchronize(), "cudaDeviceSynchronize"); }

void* malloc(int64_t nbytes, int device) {
  PT_CHECK(is_available(), RuntimeError, "CUDA error: no CUDA-capable device is detected");
  if (nbytes == 0) return nullptr;
  check(cudaSetDevice(device), "cudaSetDevice");
  void* p = nullptr;
  cudaError_t err = cudaMalloc(&p, static_cast<size_t>(nbytes));
  if (err == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    throw RuntimeError(str_cat("CUDA out of memory. Tried to allocate ", nbytes, " bytes"));
  }
  check(err, "cudaMalloc");
  return p;
}

void free(void* p, int device) {
  if (!p) return;
  cudaSetDevice(device);
  cudaFree(p);
}

void memcpy(void* dst, int dst_device, const void* src, int src_device, int64_t nbytes) {
  if (nbytes == 0) return;
  const cudaMemcpyKind kind = dst_device < 0 ? cudaMemcpyDeviceToHost
                              : src_device < 0 ? cudaMemcpyHostToDevice
                                               : cudaMemcpyDeviceToDevice;
  check(cudaMemcpy(dst, src, static_cast<size_t>(nbytes), kind), "cudaMemcpy");
}

}  // namespace pt::cuda
