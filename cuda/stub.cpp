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
void manual_seed(uint64_t seed) { generator().manual_seed(seed); }
uint64_t initial_seed() { return generator().initial_seed(); }
void memcpy(void*, int, const void*, int, int64_t, bool) { no_cuda(); }
void* host_alloc(int64_t) { no_cuda(); }
void host_free(void*) {}

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
bool binary(cpu::BinaryOp, DType, const StridedLoop&, const Scalar&, uint32_t) { no_cuda(); }
void unary(cpu::UnaryOp, DType, const StridedLoop&, const double*) { no_cuda(); }
void activation_backward(cpu::UnaryOp, DType, const StridedLoop&) { no_cuda(); }
void clamp(DType, const StridedLoop&, uint32_t) { no_cuda(); }
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
void softmax(const Tensor&, int64_t, bool, const Tensor&) { no_cuda(); }
void softmax_backward(const Tensor&, const Tensor&, int64_t, bool, const Tensor&) { no_cuda(); }
void nll_forward(const Tensor&, const Tensor&, const cpu::NllGeometry&, const cpu::NllOptions&, const Tensor&,
                 const Tensor&, const Tensor&) {
  no_cuda();
}
void nll_backward(const Tensor&, const Tensor&, const Tensor&, const Tensor&, double, const cpu::NllGeometry&,
                  const cpu::NllOptions&, const Tensor&, const Tensor*) {
  no_cuda();
}

// ---- convolution and pooling (cuda/conv.cu, cuda/pool.cu) ----
template <class T>
void conv2d_forward(const cpu::ConvGeom&, const T*, const T*, const T*, T*) { no_cuda(); }
template <class T>
void conv2d_grad_input(const cpu::ConvGeom&, const T*, const T*, const T*, T*) { no_cuda(); }
template <class T>
void conv2d_grad_weight(const cpu::ConvGeom&, const T*, const T*, T*) { no_cuda(); }
template <class T>
void max_pool2d(const cpu::PoolGeom&, const T*, T*, int64_t*) { no_cuda(); }
template <class T>
void adaptive_max_pool2d(const cpu::PoolGeom&, const T*, T*, int64_t*) { no_cuda(); }
template <class T>
void avg_pool2d(const cpu::PoolGeom&, const T*, T*, bool, int64_t) { no_cuda(); }
template <class T>
void avg_pool2d_backward(const cpu::PoolGeom&, const T*, T*, bool, int64_t) { no_cuda(); }
template <class T>
void adaptive_avg_pool2d(const cpu::PoolGeom&, const T*, T*) { no_cuda(); }
template <class T>
void adaptive_avg_pool2d_backward(const cpu::PoolGeom&, const T*, T*) { no_cuda(); }
template <class T>
void index_scatter_add(const cpu::PoolGeom&, bool, const T*, const int64_t*, T*) { no_cuda(); }
template <class T>
void index_gather(const cpu::PoolGeom&, const T*, const int64_t*, T*) { no_cuda(); }
#define PT_STUB_CONV_POOL(T)                                                                 \
  template void conv2d_forward<T>(const cpu::ConvGeom&, const T*, const T*, const T*, T*);  \
  template void conv2d_grad_input<T>(const cpu::ConvGeom&, const T*, const T*, const T*, T*); \
  template void conv2d_grad_weight<T>(const cpu::ConvGeom&, const T*, const T*, T*);        \
  template void avg_pool2d<T>(const cpu::PoolGeom&, const T*, T*, bool, int64_t);           \
  template void avg_pool2d_backward<T>(const cpu::PoolGeom&, const T*, T*, bool, int64_t);  \
  template void adaptive_avg_pool2d<T>(const cpu::PoolGeom&, const T*, T*);                 \
  template void adaptive_avg_pool2d_backward<T>(const cpu::PoolGeom&, const T*, T*);        \
  template void index_scatter_add<T>(const cpu::PoolGeom&, bool, const T*, const int64_t*, T*); \
  template void index_gather<T>(const cpu::PoolGeom&, const T*, const int64_t*, T*);
#define PT_STUB_MAX_POOL(T)                                                      \
  template void max_pool2d<T>(const cpu::PoolGeom&, const T*, T*, int64_t*);    \
  template void adaptive_max_pool2d<T>(const cpu::PoolGeom&, const T*, T*, int64_t*);
PT_STUB_CONV_POOL(float)
PT_STUB_CONV_POOL(double)
PT_STUB_MAX_POOL(uint8_t)
PT_STUB_MAX_POOL(int32_t)
PT_STUB_MAX_POOL(int64_t)
PT_STUB_MAX_POOL(float)
PT_STUB_MAX_POOL(double)
#undef PT_STUB_CONV_POOL
#undef PT_STUB_MAX_POOL

// ---- normalisation, optimizer steps, random numbers (cuda/norm.cu, cuda/optim.cu, cuda/random.cu) ----
void norm_forward(const cpu::NormGeometry&, const Tensor&, const Tensor&, const Tensor*, const Tensor*,
                  const Tensor*, const Tensor*, double, const Tensor&, const Tensor&, const Tensor*) {
  no_cuda();
}
void norm_backward(const cpu::NormGeometry&, const Tensor&, const Tensor&, const Tensor*, const Tensor&,
                   const Tensor&, bool, const Tensor*, const Tensor*, const Tensor*) {
  no_cuda();
}
void batch_norm_update_stats(const Tensor&, const Tensor&, const Tensor&, const Tensor&, double, double) {
  no_cuda();
}
void sgd_step(DType, const std::vector<OptimSlot>&, const cpu::SgdOptions&) { no_cuda(); }
void adam_step(DType, const std::vector<OptimSlot>&, const cpu::AdamOptions&) { no_cuda(); }
void rmsprop_step(DType, const std::vector<OptimSlot>&, const cpu::RmspropOptions&) { no_cuda(); }
void adagrad_step(DType, const std::vector<OptimSlot>&, const cpu::AdagradOptions&) { no_cuda(); }
// Kept so that pytensor.cuda.manual_seed / initial_seed work without CUDA.
Generator& generator() {
  static Generator* gen = new Generator();  // never freed
  return *gen;
}
void uniform(const Tensor&, double, double, Generator&) { no_cuda(); }
void normal(const Tensor&, double, double, Generator&) { no_cuda(); }
void random_range(const Tensor&, int64_t, uint64_t, Generator&) { no_cuda(); }
void bernoulli(const Tensor&, double, Generator&) { no_cuda(); }
void bernoulli(const Tensor&, const Tensor&, Generator&) { no_cuda(); }
void exponential(const Tensor&, double, Generator&) { no_cuda(); }

// ---- indexing, gather/scatter and joins (cuda/index.cu) ----
void add_index_offsets(const Tensor&, const Tensor&, int64_t, int64_t, bool, bool) { no_cuda(); }
void index_gather(const Tensor&, const Tensor&, const Tensor&) { no_cuda(); }
void index_put(const Tensor&, const Tensor&, const Tensor&, bool) { no_cuda(); }
void check_index_range(const Tensor&, int64_t, bool) { no_cuda(); }
void gather(const Tensor&, const Tensor&, int64_t, const Tensor&) { no_cuda(); }
void scatter(const Tensor&, int64_t, const Tensor&, const Tensor&, cpu::Reduce, const Scalar&) { no_cuda(); }
void masked_fill(const Tensor&, const Tensor&, const Scalar&) { no_cuda(); }
Tensor nonzero(const Tensor&, bool) { no_cuda(); }
void zero_triangle(const Tensor&, int64_t, bool) { no_cuda(); }


}  // namespace pt::cuda
