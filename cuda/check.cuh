// Error checks shared by the .cu files: every runtime call and every kernel launch is
// checked, and the last launched kernel is remembered so that an asynchronous fault, which
// surfaces at the next synchronising call, can be reported with the kernel's name.
#pragma once
#include <cuda_runtime.h>

#include <atomic>

#include "core/error.h"

namespace pt::cuda {

inline std::atomic<const char*> g_last_kernel{nullptr};

inline void check(cudaError_t err, const char* what) {
  if (err == cudaSuccess) return;
  const char* k = g_last_kernel.load(std::memory_order_relaxed);
  throw RuntimeError(str_cat("CUDA error in ", what, ": ", cudaGetErrorString(err),
                             k ? " (last kernel launched: " : "", k ? k : "", k ? ")" : ""));
}

// After each <<<...>>>: a bad configuration or a fault of an earlier kernel shows here.
inline void check_launch(const char* kernel) {
  g_last_kernel.store(kernel, std::memory_order_relaxed);
  const cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess)
    throw RuntimeError(str_cat("CUDA error launching kernel ", kernel, ": ", cudaGetErrorString(err)));
}

}  // namespace pt::cuda
