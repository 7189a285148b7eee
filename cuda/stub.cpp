// Built instead of runtime.cu when pytensor is compiled without CUDA: every entry point
// reports that, so a CPU-only build imports and fails clearly on device="cuda".
#include "core/error.h"
#include "cuda/kernels.h"

namespace pt::cuda {

[[noreturn]] static void no_cuda() {
  throw RuntimeError("Torch not compiled with CUDA enabled: this pytensor build has no CUDA support");
}

bool built_with_cuda() { return false; }
bool is_available() { return false; }
int device_count() { return 0; }
std::string device_name(int) { no_cuda(); }
void synchronize() { no_cuda(); }
void* malloc(int64_t, int) { no_cuda(); }
void free(void*, int) {}
void memcpy(void*, int, const void*, int, int64_t) { no_cuda(); }

}  // namespace pt::cuda
