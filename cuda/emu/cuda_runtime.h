// A CPU emulation of the slice of CUDA that cuda/*.cu use, so the real kernels run (slowly,
// exactly) on a machine without a GPU: `PYTENSOR_CUDA=EMU` compiles the .cu files as C++
// after cuda/emu/translate.py has turned each `k<<<grid, block, smem>>>(args)` into
// `::pt_emu::launch(grid, block, smem, [&] { k(args); })`.
//
// A launch runs its blocks one after another; the threads of a block are fibers on the
// calling thread (started with ucontext, then switched with _setjmp/_longjmp, which unlike
// swapcontext make no system call), switched round-robin at __syncthreads and at warp shuffles, which
// are real barriers here: a thread that passes one before its block (or warp) has arrived
// waits. So shared memory, barriers, warp exchanges and index math behave as on a GPU, and a
// missing __syncthreads shows as a wrong answer, deterministically: threads run in index
// order between barriers, or in reverse order with PYTENSOR_EMU_REVERSE=1 (a read of a value
// another thread has not yet written is then caught whichever thread writes it). "Device" memory is host
// memory; the runtime answers as one device, "pytensor CUDA emulator", sm_90, 2 SMs.
#pragma once
#include <setjmp.h>
#include <ucontext.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <mutex>
#include <type_traits>
#include <vector>

// ---- qualifiers ----
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__
#define __shared__ static  // blocks run one at a time, so one copy serves every block
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)
#define __restrict__ __restrict

// ---- vector types ----
struct dim3 {
  unsigned x = 1, y = 1, z = 1;
  constexpr dim3(unsigned a = 1, unsigned b = 1, unsigned c = 1) : x(a), y(b), z(c) {}
};
struct alignas(8) float2 { float x, y; };
struct alignas(16) float4 { float x, y, z, w; };
struct alignas(16) double2 { double x, y; };
struct alignas(8) int2 { int x, y; };
struct alignas(16) int4 { int x, y, z, w; };
struct alignas(16) uint4 { unsigned x, y, z, w; };
inline float2 make_float2(float x, float y) { return {x, y}; }
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
inline double2 make_double2(double x, double y) { return {x, y}; }
inline int2 make_int2(int x, int y) { return {x, y}; }
inline int4 make_int4(int x, int y, int z, int w) { return {x, y, z, w}; }
inline uint4 make_uint4(unsigned x, unsigned y, unsigned z, unsigned w) { return {x, y, z, w}; }

// ---- runtime types ----
enum cudaError_t {
  cudaSuccess = 0, cudaErrorInvalidValue = 1, cudaErrorMemoryAllocation = 2,
  cudaErrorInvalidConfiguration = 9, cudaErrorInvalidDevice = 101, cudaErrorNoDevice = 100,
  cudaErrorLaunchFailure = 719,
};
using cudaError = cudaError_t;
enum cudaMemcpyKind {
  cudaMemcpyHostToHost, cudaMemcpyHostToDevice, cudaMemcpyDeviceToHost, cudaMemcpyDeviceToDevice, cudaMemcpyDefault
};
enum cudaDeviceAttr {
  cudaDevAttrMaxThreadsPerBlock = 1, cudaDevAttrMultiProcessorCount = 16,
  cudaDevAttrComputeCapabilityMajor = 75, cudaDevAttrComputeCapabilityMinor = 76,
};
using cudaStream_t = struct CUstream_st*;
constexpr unsigned cudaHostAllocDefault = 0;
struct cudaDeviceProp {
  char name[256];
  size_t totalGlobalMem;
  int multiProcessorCount, major, minor, maxThreadsPerBlock, warpSize;
};

namespace pt_emu {

constexpr int kMaxThreads = 1024, kWarp = 32, kSMs = 2;
constexpr size_t kMemory = size_t(16) << 30;  // what the "device" reports as its memory
constexpr size_t kStack = 256 << 10;          // per fiber: kernels keep register arrays here

inline cudaError_t& last_error() {
  static cudaError_t e = cudaSuccess;
  return e;
}
inline cudaError_t fail(cudaError_t e) { return last_error() = e; }

// ---- the fiber scheduler: one block at a time ----
struct Fiber {
  ucontext_t ctx;  // the fiber's start
  jmp_buf env;     // where it stopped
  dim3 tid;
  int lane;
  bool started, done, at_block_barrier, at_warp_barrier;
};

struct Block {
  ucontext_t main;
  jmp_buf main_env;  // the scheduler, resumed by every fiber that stops
  uint32_t fragments[kMaxThreads][6];  // mma operands posted by each lane
  std::vector<Fiber> fibers;
  std::vector<char> stacks;
  int current = 0;
  const std::function<void()>* body = nullptr;
  std::exception_ptr error;
  // Shuffle slots: each lane posts 8 bytes, the warp meets, each lane reads its source.
  uint64_t slot[kMaxThreads];
  std::vector<unsigned char> dynamic_smem;
};

inline Block& block() {
  static Block b;
  return b;
}
inline bool reverse_order() {
  static const bool reverse = [] {
    const char* v = std::getenv("PYTENSOR_EMU_REVERSE");
    return v && *v && *v != '0';
  }();
  return reverse;
}
inline std::recursive_mutex& launch_mutex() {
  static std::recursive_mutex m;
  return m;
}

}  // namespace pt_emu

// The built-in variables: the running fiber's (one OS thread runs every fiber).
inline dim3 threadIdx, blockIdx, blockDim, gridDim;
constexpr int warpSize = pt_emu::kWarp;

namespace pt_emu {

inline void switch_to_main() {
  Block& b = block();
  if (!_setjmp(b.fibers[b.current].env)) _longjmp(b.main_env, 1);
}

inline void resume(Fiber& f) {
  Block& b = block();
  if (_setjmp(b.main_env)) return;  // the fiber stopped
  if (f.started) _longjmp(f.env, 1);
  f.started = true;
  swapcontext(&b.main, &f.ctx);  // onto the fiber's own stack; it comes back by _longjmp
}

inline void fiber_entry() {
  Block& b = block();
  try {
    (*b.body)();
  } catch (...) {
    if (!b.error) b.error = std::current_exception();
  }
  b.fibers[b.current].done = true;
  switch_to_main();
}

inline int nthreads() { return static_cast<int>(blockDim.x * blockDim.y * blockDim.z); }

// Whether every live thread of warp w (or of the block, w < 0) is waiting at its barrier.
inline bool all_waiting(int w) {
  Block& b = block();
  const int n = nthreads(), lo = w < 0 ? 0 : w * kWarp, hi = w < 0 ? n : std::min(n, lo + kWarp);
  bool any = false;
  for (int i = lo; i < hi; ++i) {
    const Fiber& f = b.fibers[i];
    if (f.done) continue;
    if (!(w < 0 ? f.at_block_barrier : f.at_warp_barrier)) return false;
    any = true;
  }
  return any;
}

inline void run_block(const dim3& bid) {
  Block& b = block();
  const int n = nthreads();
  for (int i = 0; i < n; ++i) {
    Fiber& f = b.fibers[i];
    f.tid = dim3(i % blockDim.x, i / blockDim.x % blockDim.y, i / (blockDim.x * blockDim.y));
    f.lane = i % kWarp;
    f.started = f.done = f.at_block_barrier = f.at_warp_barrier = false;
    getcontext(&f.ctx);
    f.ctx.uc_stack.ss_sp = b.stacks.data() + static_cast<size_t>(i) * kStack;
    f.ctx.uc_stack.ss_size = kStack;
    f.ctx.uc_link = nullptr;
    makecontext(&f.ctx, fiber_entry, 0);
  }
  blockIdx = bid;
  for (;;) {
    bool progressed = false, live = false;
    for (int k = 0; k < n; ++k) {
      const int i = reverse_order() ? n - 1 - k : k;
      Fiber& f = b.fibers[i];
      if (f.done || f.at_block_barrier || f.at_warp_barrier) continue;
      b.current = i;
      threadIdx = f.tid;
      resume(f);
      progressed = true;
    }
    for (int i = 0; i < n; ++i) live |= !b.fibers[i].done;
    if (!live) return;
    // Release the warps whose live lanes all wait at a shuffle, then the block if all wait.
    for (int w = 0; w * kWarp < n; ++w)
      if (all_waiting(w))
        for (int i = w * kWarp; i < std::min(n, (w + 1) * kWarp); ++i) b.fibers[i].at_warp_barrier = false, progressed = true;
    if (all_waiting(-1)) {
      for (int i = 0; i < n; ++i) b.fibers[i].at_block_barrier = false;
      progressed = true;
    }
    if (!progressed) {  // threads wait at different barriers: a deadlock on a GPU too
      b.error = std::make_exception_ptr(std::runtime_error("CUDA emulator: threads of a block wait at different barriers"));
      return;
    }
  }
}

inline cudaError_t check_config(const dim3& grid, const dim3& blk, size_t smem) {
  const uint64_t threads = uint64_t(blk.x) * blk.y * blk.z;
  if (grid.x == 0 || grid.y == 0 || grid.z == 0 || threads == 0 || threads > kMaxThreads ||
      grid.y > 65535 || grid.z > 65535 || blk.z > 64 || smem > (227u << 10))
    return cudaErrorInvalidConfiguration;
  return cudaSuccess;
}

// k<<<grid, block, smem>>>(args) becomes launch(grid, block, smem, [&] { k(args); }).
inline void launch(dim3 grid, dim3 blk, size_t smem, const std::function<void()>& body) {
  std::lock_guard<std::recursive_mutex> lock(launch_mutex());
  if (check_config(grid, blk, smem) != cudaSuccess) {
    fail(cudaErrorInvalidConfiguration);
    return;
  }
  Block& b = block();
  const dim3 saved_dim = blockDim, saved_grid = gridDim;
  blockDim = blk;
  gridDim = grid;
  const int n = nthreads();
  if (b.fibers.size() < static_cast<size_t>(n)) {
    b.fibers.resize(n);
    b.stacks.resize(static_cast<size_t>(n) * kStack);
  }
  b.dynamic_smem.assign(smem + 16, 0xA5);  // uninitialised on a GPU: a pattern, not zeros
  b.body = &body;
  b.error = nullptr;
  for (unsigned z = 0; z < grid.z && !b.error; ++z)
    for (unsigned y = 0; y < grid.y && !b.error; ++y)
      for (unsigned x = 0; x < grid.x && !b.error; ++x) run_block(dim3(x, y, z));
  blockDim = saved_dim;
  gridDim = saved_grid;
  if (b.error) {
    fail(cudaErrorLaunchFailure);
    std::rethrow_exception(b.error);
  }
}
inline void launch(dim3 grid, dim3 blk, const std::function<void()>& body) { launch(grid, blk, 0, body); }
inline void launch(dim3 grid, dim3 blk, size_t smem, cudaStream_t, const std::function<void()>& body) {
  launch(grid, blk, smem, body);
}

inline unsigned char* dynamic_shared() {
  auto p = reinterpret_cast<uintptr_t>(block().dynamic_smem.data());
  return reinterpret_cast<unsigned char*>((p + 15) & ~uintptr_t(15));
}

// Waits until every live lane of the calling thread's warp has arrived.
inline void warp_sync() {
  Block& b = block();
  b.fibers[b.current].at_warp_barrier = true;
  switch_to_main();
}

// A warp-wide exchange: every live lane posts `bits`, then reads lane `src`'s.
inline uint64_t exchange(uint64_t bits, int src) {
  Block& b = block();
  const int me = b.current, base = me - b.fibers[me].lane;
  b.slot[me] = bits;
  warp_sync();
  const uint64_t got = b.slot[base + src];
  warp_sync();  // nobody overwrites a slot before all have read
  return got;
}

// mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 as PTX documents its fragments: lane l
// (g = l/4, t = l%4) holds A at (g, t), (g+8, t), (g, t+4), (g+8, t+4), B at (k=t, n=g),
// (k=t+4, n=g), and D at rows g and g+8, columns 2t and 2t+1. The emulation checks the
// code around the instruction against this layout; it cannot check the layout itself.
inline void mma_m16n8k8_tf32(float* d, const uint32_t* a, const uint32_t* bf) {
  Block& b = block();
  const int me = b.current, lane = b.fibers[me].lane, base = me - lane;
  for (int q = 0; q < 4; ++q) b.fragments[me][q] = a[q];
  b.fragments[me][4] = bf[0], b.fragments[me][5] = bf[1];
  warp_sync();
  float A[16][8], B[8][8];
  for (int l = 0; l < kWarp; ++l) {
    const uint32_t* f = b.fragments[base + l];
    const int g = l / 4, t = l % 4;
    auto val = [](uint32_t u) { float x; std::memcpy(&x, &u, 4); return x; };
    A[g][t] = val(f[0]), A[g + 8][t] = val(f[1]), A[g][t + 4] = val(f[2]), A[g + 8][t + 4] = val(f[3]);
    B[t][g] = val(f[4]), B[t + 4][g] = val(f[5]);
  }
  const int g = lane / 4, t = lane % 4;
  for (int q = 0; q < 4; ++q) {
    const int row = g + (q >> 1) * 8, col = 2 * t + (q & 1);
    float acc = d[q];
    for (int k = 0; k < 8; ++k) acc += A[row][k] * B[k][col];
    d[q] = acc;
  }
  warp_sync();
}

// cvt.rna.tf32.f32: 10 mantissa bits, to nearest with ties away from zero.
inline float to_tf32(float x) {
  if (!std::isfinite(x)) return x;
  uint32_t u;
  std::memcpy(&u, &x, 4);
  u = (u + 0x1000u) & ~0x1FFFu;
  std::memcpy(&x, &u, 4);
  return x;
}

template <class T>
T shuffle(T v, int src) {
  static_assert(sizeof(T) <= 8, "shuffles move at most 8 bytes");
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(T));
  bits = exchange(bits, src);
  T out;
  std::memcpy(&out, &bits, sizeof(T));
  return out;
}

inline int lane_id() { return block().fibers[block().current].lane; }

}  // namespace pt_emu

inline void __syncthreads() {
  pt_emu::Block& b = pt_emu::block();
  b.fibers[b.current].at_block_barrier = true;
  pt_emu::switch_to_main();
}
template <class T>
T __shfl_sync(unsigned, T v, int src, int width = warpSize) {
  const int lane = pt_emu::lane_id();
  return pt_emu::shuffle(v, (lane / width) * width + src % width);
}
template <class T>
T __shfl_xor_sync(unsigned, T v, int mask, int width = warpSize) {
  const int lane = pt_emu::lane_id(), src = lane ^ mask;
  return pt_emu::shuffle(v, src / width == lane / width ? src : lane);
}
template <class T>
T __shfl_down_sync(unsigned, T v, unsigned delta, int width = warpSize) {
  const int lane = pt_emu::lane_id(), src = lane + static_cast<int>(delta);
  return pt_emu::shuffle(v, src / width == lane / width ? src : lane);
}
template <class T>
T __shfl_up_sync(unsigned, T v, unsigned delta, int width = warpSize) {
  const int lane = pt_emu::lane_id(), src = lane - static_cast<int>(delta);
  return pt_emu::shuffle(v, src >= 0 && src / width == lane / width ? src : lane);
}
inline unsigned __ballot_sync(unsigned, int pred) {
  const int lane = pt_emu::lane_id();
  unsigned bits = 0;
  for (int l = 0; l < warpSize; ++l) bits |= (pt_emu::shuffle<int>(pred ? 1 : 0, l) ? 1u : 0u) << l;
  (void)lane;
  return bits;
}

// ---- atomics (fibers never run at once, so plain read-modify-writes are atomic) ----
template <class T> T atomicAdd(T* p, T v) { T old = *p; *p = old + v; return old; }
template <class T> T atomicMin(T* p, T v) { T old = *p; *p = std::min(old, v); return old; }
template <class T> T atomicMax(T* p, T v) { T old = *p; *p = std::max(old, v); return old; }
template <class T> T atomicExch(T* p, T v) { T old = *p; *p = v; return old; }
template <class T> T atomicCAS(T* p, T cmp, T v) { T old = *p; if (old == cmp) *p = v; return old; }

// ---- intrinsics and the device math library's extras ----
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int __ffs(int x) { return __builtin_ffs(x); }
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz(static_cast<unsigned>(x)); }
inline unsigned __umulhi(unsigned a, unsigned b) { return static_cast<unsigned>((uint64_t(a) * b) >> 32); }
inline unsigned long long __umul64hi(unsigned long long a, unsigned long long b) {
  return static_cast<unsigned long long>((static_cast<unsigned __int128>(a) * b) >> 64);
}
inline unsigned __float_as_uint(float x) { unsigned u; std::memcpy(&u, &x, 4); return u; }
inline float __uint_as_float(unsigned u) { float x; std::memcpy(&x, &u, 4); return x; }
inline int __float_as_int(float x) { int u; std::memcpy(&u, &x, 4); return u; }
inline float __int_as_float(int u) { float x; std::memcpy(&x, &u, 4); return x; }
inline long long __double_as_longlong(double x) { long long u; std::memcpy(&u, &x, 8); return u; }
inline double __longlong_as_double(long long u) { double x; std::memcpy(&x, &u, 8); return x; }
// Rounded products and sums that nvcc never contracts into an FMA (the emulator's sources are
// compiled with -ffp-contract=off, so plain operators are already unfused).
inline float __fmul_rn(float a, float b) { return a * b; }
inline double __dmul_rn(double a, double b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }
inline double __dadd_rn(double a, double b) { return a + b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __expf(float x) { return std::exp(x); }
inline float __logf(float x) { return std::log(x); }
inline float rsqrtf(float x) { return 1.f / std::sqrt(x); }
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
inline float rsqrt(float x) { return 1.f / std::sqrt(x); }
inline void sincospi(double x, double* s, double* c) { *s = std::sin(M_PI * x); *c = std::cos(M_PI * x); }
inline void sincospif(float x, float* s, float* c) { *s = std::sin(float(M_PI) * x); *c = std::cos(float(M_PI) * x); }
// erfinv by Newton's method on erf from a rational first guess: to the last bit of double,
// the accuracy CUDA's erfinv has.
inline double erfinv(double y) {
  if (!(y > -1 && y < 1)) return y == 1 ? INFINITY : y == -1 ? -INFINITY : NAN;
  const double w = -std::log((1 - y) * (1 + y));
  double x = w < 5 ? y * (1.2533 + w * (0.14 + w * 0.003)) : std::copysign(std::sqrt(w) - 0.3, y);
  for (int i = 0; i < 60; ++i) {
    const double step = (std::erf(x) - y) / (2 / std::sqrt(M_PI) * std::exp(-x * x));
    x -= step;
    if (std::fabs(step) <= 1e-17 * std::fabs(x)) break;
  }
  return x;
}
inline float erfinvf(float y) { return static_cast<float>(erfinv(y)); }
[[noreturn]] inline void __trap() { std::abort(); }

using std::isfinite;
using std::isinf;
using std::isnan;
using std::signbit;
template <class A, class B>
auto min(A a, B b) -> std::common_type_t<A, B> { return b < a ? b : a; }
template <class A, class B>
auto max(A a, B b) -> std::common_type_t<A, B> { return a < b ? b : a; }

// ---- the runtime API ----
inline cudaError_t cudaGetLastError() {
  const cudaError_t e = pt_emu::last_error();
  pt_emu::last_error() = cudaSuccess;
  return e;
}
inline cudaError_t cudaPeekAtLastError() { return pt_emu::last_error(); }
inline const char* cudaGetErrorString(cudaError_t e) {
  switch (e) {
    case cudaSuccess: return "no error";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument";
    case cudaErrorInvalidDevice: return "invalid device ordinal";
    case cudaErrorLaunchFailure: return "unspecified launch failure";
    default: return "invalid argument";
  }
}
inline cudaError_t cudaGetDeviceCount(int* n) { *n = 1; return cudaSuccess; }
inline cudaError_t cudaGetDevice(int* d) { *d = 0; return cudaSuccess; }
inline cudaError_t cudaSetDevice(int d) { return d == 0 ? cudaSuccess : pt_emu::fail(cudaErrorInvalidDevice); }
inline cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }
inline cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }
inline cudaError_t cudaDeviceGetAttribute(int* v, cudaDeviceAttr attr, int d) {
  if (d != 0) return pt_emu::fail(cudaErrorInvalidDevice);
  switch (attr) {
    case cudaDevAttrMultiProcessorCount: *v = pt_emu::kSMs; break;
    case cudaDevAttrComputeCapabilityMajor: *v = 9; break;
    case cudaDevAttrComputeCapabilityMinor: *v = 0; break;
    case cudaDevAttrMaxThreadsPerBlock: *v = pt_emu::kMaxThreads; break;
  }
  return cudaSuccess;
}
inline cudaError_t cudaGetDeviceProperties(cudaDeviceProp* p, int d) {
  if (d != 0) return pt_emu::fail(cudaErrorInvalidDevice);
  std::memset(p, 0, sizeof *p);
  std::strcpy(p->name, "pytensor CUDA emulator");
  p->totalGlobalMem = pt_emu::kMemory;
  p->multiProcessorCount = pt_emu::kSMs;
  p->major = 9;
  p->maxThreadsPerBlock = pt_emu::kMaxThreads;
  p->warpSize = pt_emu::kWarp;
  return cudaSuccess;
}
inline cudaError_t cudaMemGetInfo(size_t* free_b, size_t* total_b) {
  *free_b = *total_b = pt_emu::kMemory;
  return cudaSuccess;
}
inline cudaError_t cudaMalloc(void** p, size_t n) {
  if (n > pt_emu::kMemory) return pt_emu::fail(cudaErrorMemoryAllocation);
  *p = std::aligned_alloc(256, (std::max<size_t>(n, 1) + 255) / 256 * 256);
  if (!*p) return pt_emu::fail(cudaErrorMemoryAllocation);
  std::memset(*p, 0xA5, n);  // fresh device memory is not zeroed: a pattern shows reads of it
  return cudaSuccess;
}
inline cudaError_t cudaFree(void* p) { std::free(p); return cudaSuccess; }
inline cudaError_t cudaHostAlloc(void** p, size_t n, unsigned) { return cudaMalloc(p, n); }
inline cudaError_t cudaFreeHost(void* p) { return cudaFree(p); }
inline cudaError_t cudaMemcpy(void* d, const void* s, size_t n, cudaMemcpyKind) {
  std::memmove(d, s, n);
  return cudaSuccess;
}
inline cudaError_t cudaMemcpyAsync(void* d, const void* s, size_t n, cudaMemcpyKind k, cudaStream_t = nullptr) {
  return cudaMemcpy(d, s, n, k);
}
inline cudaError_t cudaMemset(void* p, int v, size_t n) { std::memset(p, v, n); return cudaSuccess; }
inline cudaError_t cudaMemsetAsync(void* p, int v, size_t n, cudaStream_t = nullptr) { return cudaMemset(p, v, n); }
