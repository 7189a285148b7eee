// Built instead of cuda/*.cu when pytensor is compiled without CUDA: queries answer "no
// GPU", statistics are 0, and everything that would touch a device raises.
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
int current_device() { no_cuda(); }
void set_device(int) { no_cuda(); }
static uint64_t g_seed = 0;
void manual_seed(uint64_t seed) { g_seed = seed; }
uint64_t initial_seed() { return g_seed; }
void memcpy(void*, int, const void*, int, int64_t) { no_cuda(); }

void* malloc(int64_t, int) { no_cuda(); }
void free(void*, int) {}
void empty_cache() {}
int64_t memory_allocated(int) { return 0; }
int64_t max_memory_allocated(int) { return 0; }
int64_t memory_reserved(int) { return 0; }
void reset_peak_memory_stats(int) { no_cuda(); }

void copy(const StridedLoop&, DType, DType) { no_cuda(); }
void fill(const StridedLoop&, DType, const Scalar&) { no_cuda(); }
void arange(void*, int64_t, DType, const Scalar&, const Scalar&) { no_cuda(); }
void binary(const char*, cpu::BinaryOp, DType, const StridedLoop&, const Scalar&, uint32_t) { no_cuda(); }
void unary(const char*, cpu::UnaryOp, DType, const StridedLoop&) { no_cuda(); }
void where(DType, const StridedLoop&, uint32_t) { no_cuda(); }
void gemm(DType, int64_t, int64_t, int64_t, int64_t, const void*, int64_t, int64_t, int64_t,
          const void*, int64_t, int64_t, int64_t, void*, int64_t, int64_t, int64_t) {
  no_cuda();
}

// ---- reductions and scans (cuda/reduce.cu) ----
void reduce(cpu::ReduceKind, const Tensor&, uint64_t, const Tensor&, const Tensor&, const cpu::ReduceArgs&) {
  no_cuda();
}
void cumulative(bool, const Tensor&, int64_t, const Tensor&) { no_cuda(); }
void select(const char*, const Tensor&, int64_t, const cpu::Selection&, const Tensor&, const Tensor&) { no_cuda(); }

// ---- softmax and losses (cuda/softmax.cu, cuda/loss.cu) ----

// ---- convolution and pooling (cuda/conv.cu, cuda/pool.cu) ----

// ---- normalisation, optimizer steps, random numbers (cuda/norm.cu, cuda/optim.cu, cuda/random.cu) ----

// ---- indexing, gather/scatter and joins (cuda/index.cu) ----


}  // namespace pt::cuda
