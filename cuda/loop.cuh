// The elementwise launcher every CUDA kernel of the elementwise kind runs on. The host side
// takes the StridedLoop the CPU kernels take (already broadcast, reordered and coalesced) and
// packs it into LoopArgs passed by value; the device side is a grid-stride loop with
// an offset calculator for up to kMaxDims dims (32-bit index math when the loop is small
// enough), a flat path for 1-D loops, and 16-byte float4 loads and stores when every operand
// is contiguous float32.
#pragma once
#include <cuda_runtime.h>

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <utility>

#include "core/iter.h"
#include "cuda/check.cuh"

namespace pt::cuda {

constexpr int kMaxDims = 8;
constexpr int kThreads = 256;

template <int N>
struct LoopArgs {
  char* data[N];
  int64_t strides[kMaxDims][N];  // bytes; innermost dim last
  int64_t sizes[kMaxDims];
  uint64_t scalar[N];  // value bits of operand k when bit k of scalar_mask is set
  uint32_t scalar_mask;
  int ndim;
  int64_t numel;

  __device__ void offsets(int64_t i, int64_t* off) const {
    if (ndim == 1) {
#pragma unroll
      for (int k = 0; k < N; ++k) off[k] = i * strides[0][k];
      return;
    }
#pragma unroll
    for (int k = 0; k < N; ++k) off[k] = 0;
    if (numel <= UINT32_MAX) {  // 32-bit division is several times cheaper
      uint32_t r = static_cast<uint32_t>(i);
      for (int d = ndim - 1; d >= 0; --d) {
        const uint32_t s = static_cast<uint32_t>(sizes[d]), q = r / s, idx = r - q * s;
#pragma unroll
        for (int k = 0; k < N; ++k) off[k] += idx * strides[d][k];
        r = q;
      }
    } else {
      for (int d = ndim - 1; d >= 0; --d) {
        const int64_t q = i / sizes[d], idx = i - q * sizes[d];
#pragma unroll
        for (int k = 0; k < N; ++k) off[k] += idx * strides[d][k];
        i = q;
      }
    }
  }

  template <class T>
  __device__ T load(int k, int64_t off) const {
    if (scalar_mask >> k & 1) {
      T v;
      ::memcpy(&v, &scalar[k], sizeof(T));
      return v;
    }
    return *reinterpret_cast<const T*>(data[k] + off);
  }
};

template <int N>
LoopArgs<N> make_args(const StridedLoop& loop, uint32_t host_scalars, const char* kernel) {
  PT_CHECK(loop.nops() == N, RuntimeError, kernel, ": expected ", N, " operands, got ", loop.nops());
  const DimVec& shape = loop.shape();
  PT_CHECK(shape.size() <= kMaxDims, NotImplementedError, kernel, ": CUDA kernels take at most ",
           kMaxDims, " dims after coalescing, got ", shape.size());
  LoopArgs<N> p{};
  p.ndim = static_cast<int>(shape.size());
  p.numel = loop.numel();
  p.scalar_mask = host_scalars;
  for (int d = 0; d < p.ndim; ++d) p.sizes[d] = shape[d];
  for (int k = 0; k < N; ++k) {
    p.data[k] = loop.data(k);
    for (int d = 0; d < p.ndim; ++d) p.strides[d][k] = loop.byte_strides(k)[d];
    if (host_scalars >> k & 1) {
      std::memcpy(&p.scalar[k], loop.data(k), sizeof(uint64_t));  // an 8-byte host slot
      p.data[k] = nullptr;
    }
  }
  return p;
}

// Enough blocks to fill the device a few times over; the grid-stride loop does the rest.
inline int grid_for(int64_t n) {
  static const int sms = [] {
    int dev = 0, v = 0;
    cudaGetDevice(&dev);
    return cudaDeviceGetAttribute(&v, cudaDevAttrMultiProcessorCount, dev) == cudaSuccess ? v : 80;
  }();
  const int64_t blocks = (n + kThreads - 1) / kThreads;
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(blocks, int64_t{sms} * 16)));
}

// The functor's signature: out = f(ins...). A type, so that kernels (whose template packs
// must come last) can take it as one parameter.
template <class Out, class... Ins>
struct Sig {
  template <int N, class F, size_t... I>
  __device__ static void apply(const LoopArgs<N>& p, int64_t i, const F& f, std::index_sequence<I...>) {
    int64_t off[N];
    p.offsets(i, off);
    *reinterpret_cast<Out*>(p.data[0] + off[0]) = f(p.template load<Ins>(I + 1, off[I + 1])...);
  }
  template <int N, class F>
  __device__ static void apply(const LoopArgs<N>& p, int64_t i, const F& f) {
    apply(p, i, f, std::index_sequence_for<Ins...>{});
  }
};

template <class S, int N, class F>
__global__ void elementwise_kernel(LoopArgs<N> p, F f) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < p.numel; i += step)
    S::apply(p, i, f);
}

// Lane j of a float4, or the broadcast value of a stride-0 operand.
__device__ inline float lane(const float4& v, int j) { return j == 0 ? v.x : j == 1 ? v.y : j == 2 ? v.z : v.w; }

template <int N, class F, size_t... I>
__device__ float4 apply4(const F& f, const float4* v, std::index_sequence<I...>) {
  return make_float4(f(lane(v[I], 0)...), f(lane(v[I], 1)...), f(lane(v[I], 2)...), f(lane(v[I], 3)...));
}

template <size_t>
using float_at = float;

template <int N, class F, size_t... I>
__device__ void apply_floats(const LoopArgs<N>& p, int64_t i, const F& f, std::index_sequence<I...> s) {
  Sig<float, float_at<I>...>::apply(p, i, f, s);
}

// float32 only, 1-D loop, every operand contiguous (or a broadcast single value) and 16-byte
// aligned: each thread moves float4s; the first threads finish the last numel % 4 elements.
template <int N, class F>
__global__ void vec4_kernel(LoopArgs<N> p, F f) {
  constexpr int NIn = N - 1;
  const int64_t n4 = p.numel / 4, step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  const int64_t tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  for (int64_t j = tid; j < n4; j += step) {
    float4 v[NIn > 0 ? NIn : 1];
#pragma unroll
    for (int k = 0; k < NIn; ++k) {
      if (p.strides[0][k + 1] == 0) {
        const float s = p.template load<float>(k + 1, 0);
        v[k] = make_float4(s, s, s, s);
      } else {
        v[k] = reinterpret_cast<const float4*>(p.data[k + 1])[j];
      }
    }
    reinterpret_cast<float4*>(p.data[0])[j] = apply4<N>(f, v, std::make_index_sequence<NIn>{});
  }
  const int64_t i = n4 * 4 + tid;
  if (i < p.numel) apply_floats(p, i, f, std::make_index_sequence<NIn>{});
}

template <int N>
bool vectorizable(const LoopArgs<N>& p) {
  if (p.ndim != 1) return false;
  for (int k = 0; k < N; ++k) {
    const bool scalar = (p.scalar_mask >> k & 1) || (k > 0 && p.strides[0][k] == 0);
    if (!scalar && (p.strides[0][k] != 4 || reinterpret_cast<uintptr_t>(p.data[k]) % 16 != 0)) return false;
  }
  return true;
}

// Runs out = f(ins...) over the loop; `kernel` names it in errors (a string literal).
template <class Out, class... Ins, class F>
void launch(const char* kernel, const StridedLoop& loop, uint32_t host_scalars, const F& f) {
  constexpr int N = sizeof...(Ins) + 1;
  const LoopArgs<N> p = make_args<N>(loop, host_scalars, kernel);
  if (p.numel == 0) return;
  if constexpr (std::is_same_v<Out, float> && (std::is_same_v<Ins, float> && ...)) {
    if (vectorizable(p)) {
      vec4_kernel<<<grid_for(p.numel / 4 + 1), kThreads>>>(p, f);
      check_launch(kernel);
      return;
    }
  }
  elementwise_kernel<Sig<Out, Ins...>><<<grid_for(p.numel), kThreads>>>(p, f);
  check_launch(kernel);
}

}  // namespace pt::cuda
