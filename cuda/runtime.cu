// CUDA runtime wiring: device queries, the current device and copies.
// cudart is linked statically and every query tolerates a missing driver, so the same wheel
// imports on machines with no GPU.
#include <cuda_runtime.h>

#include "core/error.h"
#include "cuda/check.cuh"
#include "cuda/kernels.h"

namespace pt::cuda {

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

static void check_device(int device, const char* op) {
  PT_CHECK(is_available(), RuntimeError, op, ": no CUDA GPUs are available");
  PT_CHECK(device >= 0 && device < device_count(), RuntimeError, op, ": invalid device ordinal ",
           device, " (", device_count(), " CUDA devices)");
}

std::string device_name(int device) {
  check_device(device, "get_device_name");
  cudaDeviceProp prop;
  check(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
  return prop.name;
}

void synchronize() {
  check_device(0, "synchronize");
  check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
}

int current_device() {
  check_device(0, "current_device");
  int d = 0;
  check(cudaGetDevice(&d), "cudaGetDevice");
  return d;
}

void set_device(int device) {
  check_device(device, "set_device");
  check(cudaSetDevice(device), "cudaSetDevice");
}

void memcpy(void* dst, int dst_device, const void* src, int src_device, int64_t nbytes,
            bool non_blocking) {
  if (nbytes == 0) return;
  const cudaMemcpyKind kind = dst_device < 0 ? cudaMemcpyDeviceToHost
                              : src_device < 0 ? cudaMemcpyHostToDevice
                                               : cudaMemcpyDeviceToDevice;
  if (non_blocking)  // the legacy default stream: ordered with every kernel we launch
    check(cudaMemcpyAsync(dst, src, static_cast<size_t>(nbytes), kind, 0), "cudaMemcpyAsync");
  else
    check(cudaMemcpy(dst, src, static_cast<size_t>(nbytes), kind), "cudaMemcpy");
}

void* host_alloc(int64_t nbytes) {
  check_device(0, "pin_memory");
  void* p = nullptr;
  if (nbytes == 0) return nullptr;
  const cudaError_t err = cudaHostAlloc(&p, static_cast<size_t>(nbytes), cudaHostAllocDefault);
  if (err == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    throw RuntimeError(str_cat("pin_memory: cannot allocate ", nbytes, " bytes of page-locked host memory"));
  }
  check(err, "cudaHostAlloc");
  return p;
}

void host_free(void* p) {
  if (!p) return;
  cudaDeviceSynchronize();  // an asynchronous copy from this block may still be in flight
  cudaFreeHost(p);          // no throw: called from destructors
}

}  // namespace pt::cuda
