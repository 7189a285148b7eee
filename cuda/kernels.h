// The only CUDA header the core sees: plain C++ declarations, implemented by cuda/*.cu in a
// CUDA build and by cuda/stub.cpp otherwise, so no CUDA type leaks into csrc/.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/generator.h"
#include "core/iter.h"
#include "core/scalar.h"
#include "core/tensor.h"
#include "cpu/index.h"
#include "cpu/loss.h"
#include "cpu/norm.h"
#include "cpu/optim.h"

namespace pt::cpu {
enum class BinaryOp : uint8_t;
enum class UnaryOp : uint8_t;
enum class ReduceKind;
struct ReduceArgs;
struct Selection;
struct ConvGeom;
struct PoolGeom;
}  // namespace pt::cpu

namespace pt::cuda {

// The caching allocator found no memory even after emptying its cache; the bindings raise
// it as pytensor.cuda.OutOfMemoryError (a RuntimeError).
struct OutOfMemoryError : std::runtime_error { using std::runtime_error::runtime_error; };

// ---- runtime (cuda/runtime.cu) ----
bool built_with_cuda();
bool is_available();
int device_count();
std::string device_name(int device);
void synchronize();
int current_device();
void set_device(int device);
// Seed and initial seed of generator(), the generator of on-device random numbers
// (cuda/random.cu; the stub keeps one too).
void manual_seed(uint64_t seed);
uint64_t initial_seed();
// device -1 means host memory. non_blocking: queued on the stream and returns at once (truly
// asynchronous only with pinned host memory; pageable memory is staged before returning).
void memcpy(void* dst, int dst_device, const void* src, int src_device, int64_t nbytes,
            bool non_blocking = false);
// Page-locked host memory (Tensor.pin_memory): fast, asynchronous copies to and from devices.
// host_free waits for the device first, so no copy queued from the block outlives it.
void* host_alloc(int64_t nbytes);
void host_free(void* p);

// ---- caching allocator (cuda/allocator.cu) ----
void* malloc(int64_t nbytes, int device);
void free(void* p, int device);
// Returns every fully free cached segment to the driver.
void empty_cache();
// Bytes in blocks handed out (rounded sizes), their peak, and bytes held from the driver.
int64_t memory_allocated(int device);
int64_t max_memory_allocated(int device);
int64_t memory_reserved(int device);
void reset_peak_memory_stats(int device);

// ---- kernels ----
// Each takes the StridedLoop the CPU kernel would take (operand 0 the output, inputs already
// cast to the compute dtype). Bit k of `host_scalars` marks operand k as a Python number: its
// data points to an 8-byte host slot holding the value, passed to the kernel by value.
// Ops and dtypes without a kernel raise NotImplementedError naming `op`.

// dst (operand 0, dtype `dst`) = src (operand 1, dtype `src`) cast.
void copy(const StridedLoop& loop, DType dst, DType src);
// Every element of the single operand set to value.
void fill(const StridedLoop& loop, DType dtype, const Scalar& value);
// Contiguous out[i] = start + step * i (float64 math for floating dtypes, int64 otherwise).
void arange(void* out, int64_t n, DType dtype, const Scalar& start, const Scalar& step);
// The kernels of cpu/elementwise.h with the same operands and the same semantics (see there).
// binary returns false when an integer division met a zero divisor (the op raises); finding
// out synchronises, for integer division only.
bool binary(cpu::BinaryOp kind, DType dtype, const StridedLoop& loop, const Scalar& alpha, uint32_t host_scalars);
void unary(cpu::UnaryOp kind, DType dtype, const StridedLoop& loop, const double* params);
void activation_backward(cpu::UnaryOp kind, DType dtype, const StridedLoop& loop);
// {out, x, lo, hi}.
void clamp(DType dtype, const StridedLoop& loop, uint32_t host_scalars);
// {out, cond (bool), a, b}.
void where(DType dtype, const StridedLoop& loop, uint32_t host_scalars);
// C[b] = A[b] @ B[b] for b < batch: A is M x K, B is K x N, C is M x N, each given by its
// batch, row and column strides in elements. Float32 (exact FFMA) and float64.
void gemm(DType dtype, int64_t batch, int64_t M, int64_t N, int64_t K, const void* A, int64_t bsA,
          int64_t rsA, int64_t csA, const void* B, int64_t bsB, int64_t rsB, int64_t csB, void* C,
          int64_t bsC, int64_t rsC, int64_t csC);

// ---- reductions and scans (cuda/reduce.cu) ----
// The contracts of cpu::reduce and cpu::cumulative (cpu/reduce.h), every kind and dtype, with
// `in`, `out` and `out2` on the device.
void reduce(cpu::ReduceKind kind, const Tensor& in, uint64_t mask, const Tensor& out, const Tensor& out2,
            const cpu::ReduceArgs& args);
void cumulative(bool prod, const Tensor& in, int64_t dim, const Tensor& out);
// cpu::select's contract (cpu/sort.h) for lines of up to 2048 elements (cuda/sort.cu); longer
// ones raise NotImplementedError naming `op`.
void select(const char* op, const Tensor& in, int64_t dim, const cpu::Selection& sel, const Tensor& values,
            const Tensor& indices);

// ---- softmax and losses (cuda/softmax.cu, cuda/loss.cu) ----
// The contracts of cpu/softmax.h and cpu/loss.h, on device tensors.
void softmax(const Tensor& in, int64_t dim, bool log, const Tensor& out);
void softmax_backward(const Tensor& y, const Tensor& g, int64_t dim, bool log, const Tensor& out);
void nll_forward(const Tensor& x, const Tensor& target, const cpu::NllGeometry& g, const cpu::NllOptions& o,
                 const Tensor& loss, const Tensor& denom, const Tensor& lse);
void nll_backward(const Tensor& x, const Tensor& target, const Tensor& lse, const Tensor& grad, double factor,
                  const cpu::NllGeometry& g, const cpu::NllOptions& o, const Tensor& dx, const Tensor* dtarget);

// ---- convolution and pooling (cuda/conv.cu, cuda/pool.cu) ----
// The contracts of cpu/conv.h and cpu/pool.h on contiguous device buffers: float and double
// (max pooling: every numeric dtype). index_scatter_add also takes whether the indices come
// from an adaptive pooling (it gathers over the windows that can hold each input cell).
template <class T>
void conv2d_forward(const cpu::ConvGeom& g, const T* x, const T* w, const T* bias, T* y);
template <class T>
void conv2d_grad_input(const cpu::ConvGeom& g, const T* dy, const T* w, const T* bias, T* dx);
template <class T>
void conv2d_grad_weight(const cpu::ConvGeom& g, const T* dy, const T* x, T* dw);
template <class T>
void max_pool2d(const cpu::PoolGeom& g, const T* x, T* y, int64_t* idx);
template <class T>
void adaptive_max_pool2d(const cpu::PoolGeom& g, const T* x, T* y, int64_t* idx);
template <class T>
void avg_pool2d(const cpu::PoolGeom& g, const T* x, T* y, bool count_include_pad, int64_t divisor);
template <class T>
void avg_pool2d_backward(const cpu::PoolGeom& g, const T* dy, T* dx, bool count_include_pad, int64_t divisor);
template <class T>
void adaptive_avg_pool2d(const cpu::PoolGeom& g, const T* x, T* y);
template <class T>
void adaptive_avg_pool2d_backward(const cpu::PoolGeom& g, const T* dy, T* dx);
template <class T>
void index_scatter_add(const cpu::PoolGeom& g, bool adaptive, const T* dy, const int64_t* idx, T* dx);
template <class T>
void index_gather(const cpu::PoolGeom& g, const T* x, const int64_t* idx, T* y);

// ---- normalisation, optimizer steps, random numbers (cuda/norm.cu, cuda/optim.cu, cuda/random.cu) ----
// Batch norm and layer norm with the contracts of cpu::norm_forward / cpu::norm_backward, on
// device tensors (float32, float64).
void norm_forward(const cpu::NormGeometry& geo, const Tensor& x, const Tensor& y, const Tensor* w,
                  const Tensor* b, const Tensor* mean_in, const Tensor* var_in, double eps,
                  const Tensor& mean, const Tensor& rstd, const Tensor* var);
void norm_backward(const cpu::NormGeometry& geo, const Tensor& x, const Tensor& g, const Tensor* w,
                   const Tensor& mean, const Tensor& rstd, bool batch_stats, const Tensor* dx,
                   const Tensor* dw, const Tensor* db);
// running = (1 - momentum) * running + momentum * batch per channel, the batch variance scaled
// by unbias; the running tensors are 1-D (maybe strided), mean and var contiguous.
void batch_norm_update_stats(const Tensor& running_mean, const Tensor& running_var,
                             const Tensor& mean, const Tensor& var, double momentum, double unbias);

// One parameter of a multi-tensor optimizer step: contiguous device data of `numel` elements,
// the state buffers in the order of the cpu:: kernel (null where an option leaves one out),
// the parameter's step count (Adam, Adagrad) and first-step flag (SGD): the options' own
// step / first_step are not read.
struct OptimSlot {
  void* param;
  const void* grad;
  void* state[3];
  int64_t numel;
  double step;
  bool first_step;
};
// The updates of cpu/optim.h over every slot (all of `dtype`), in few launches.
void sgd_step(DType dtype, const std::vector<OptimSlot>& slots, const cpu::SgdOptions& o);
void adam_step(DType dtype, const std::vector<OptimSlot>& slots, const cpu::AdamOptions& o);
void rmsprop_step(DType dtype, const std::vector<OptimSlot>& slots, const cpu::RmspropOptions& o);
void adagrad_step(DType dtype, const std::vector<OptimSlot>& slots, const cpu::AdagradOptions& o);

// The default generator of device tensors: Philox4x32-10 with its own seed and offset.
Generator& generator();
// The samplers of cpu/random.h on a contiguous device `out` (bernoulli's p: a contiguous
// float64 device tensor of out's numel). Element i depends only on (seed, offset, i).
void uniform(const Tensor& out, double from, double to, Generator& gen);
void normal(const Tensor& out, double mean, double std, Generator& gen);
void random_range(const Tensor& out, int64_t low, uint64_t range, Generator& gen);
void bernoulli(const Tensor& out, double p, Generator& gen);
void bernoulli(const Tensor& out, const Tensor& p, Generator& gen);
void exponential(const Tensor& out, double lambd, Generator& gen);

// ---- indexing, gather/scatter and joins (cuda/index.cu) ----
// The contracts of cpu/index.h on device tensors (and cpu::zero_triangle of cpu/shape.h): a
// bad index is found by the kernel, read back after it and thrown as cpu::OutOfRange.
void add_index_offsets(const Tensor& off, const Tensor& idx, int64_t size, int64_t stride, bool first,
                       bool wrap);
void index_gather(const Tensor& out, const Tensor& src, const Tensor& off);
void index_put(const Tensor& dst, const Tensor& val, const Tensor& off, bool accumulate);
void check_index_range(const Tensor& index, int64_t size, bool wrap);
void gather(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index);
void scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, cpu::Reduce reduce,
             const Scalar& alpha);
void masked_fill(const Tensor& t, const Tensor& mask, const Scalar& value);
Tensor nonzero(const Tensor& t, bool transposed);
void zero_triangle(const Tensor& t, int64_t k, bool lower);


}  // namespace pt::cuda
