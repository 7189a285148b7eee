// The only CUDA header the core sees: plain C++ declarations, implemented by cuda/runtime.cu
// in a CUDA build and by cuda/stub.cpp otherwise, so no CUDA type leaks into csrc/.
#pragma once
#include <cstdint>
#include <string>

namespace pt::cuda {

bool built_with_cuda();
bool is_available();
int device_count();
std::string device_name(int device);
void synchronize();

void* malloc(int64_t nbytes, int device);
void free(void* p, int device);
// device -1 means host memory.
void memcpy(void* dst, int dst_device, const void* src, int src_device, int64_t nbytes);

}  // namespace pt::cuda
