// The only CUDA header the core sees: plain C++ declarations, implemented by cuda/*.cu in a
// CUDA build and by cuda/stub.cpp otherwise, so no CUDA type leaks into csrc/.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

#include "core/dtype.h"
#include "core/iter.h"
#include "core/scalar.h"
#include "core/tensor.h"

namespace pt::cpu {
enum class BinaryOp : uint8_t;
enum class UnaryOp : uint8_t;
enum class ReduceKind;
struct ReduceArgs;
struct Selection;
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
// The seed for on-device random numbers, stored until the generators arrive.
void manual_seed(uint64_t seed);
uint64_t initial_seed();
// device -1 means host memory.
void memcpy(void* dst, int dst_device, const void* src, int src_device, int64_t nbytes);

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
// Add, Sub (b scaled by alpha), Mul, Div, Maximum, Minimum and the comparisons.
void binary(const char* op, cpu::BinaryOp kind, DType dtype, const StridedLoop& loop, const Scalar& alpha,
            uint32_t host_scalars);
// Neg, Abs, Relu (numeric dtypes); Exp, Log, Sqrt, Rsqrt, Tanh, Sigmoid (floating).
void unary(const char* op, cpu::UnaryOp kind, DType dtype, const StridedLoop& loop);
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

// ---- convolution and pooling (cuda/conv.cu, cuda/pool.cu) ----

// ---- normalisation, optimizer steps, random numbers (cuda/norm.cu, cuda/optim.cu, cuda/random.cu) ----

// ---- indexing, gather/scatter and joins (cuda/index.cu) ----


}  // namespace pt::cuda
