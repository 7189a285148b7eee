// What every benchmark file of the C++ suite shares: the machine's ceilings, tensor setup,
// registration with the suite's settings, and the timing loop that sets the counters.
#pragma once
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace ptbench {

using pt::DimVec;
using pt::DType;
using pt::Tensor;

// Measured once, at the pool's thread count, before any benchmark runs (main.cpp).
struct Ceilings {
  int threads = 1;
  const char* fma_kernel = "";  // which peak kernel ran: "avx2+fma" or "portable"
  double fma_gflops_1t[2] = {};   // [0] float32, [1] float64
  double fma_gflops_all[2] = {};  // all `threads` threads
  double triad_gbs = 0;           // STREAM triad, all threads, bytes as STREAM counts them
  double triad_gb_per_cpu_s = 0;  // the same bytes over the process's CPU time
};
const Ceilings& ceilings();

// Peak-FMA loops: each runs `iters` rounds of independent FMA chains and returns the flops done.
double fma_loop_avx2(DType dtype, int64_t iters);  // ceilings_avx2.cpp (-mavx2 -mfma)

// Standard-normal tensors from a fixed seed; `leaf` also sets requires_grad.
Tensor randn(const DimVec& sizes, DType dtype = DType::Float32);
Tensor leaf(const DimVec& sizes, DType dtype = DType::Float32);
const char* short_name(DType dtype);  // "f32" / "f64"

// Registers a benchmark with the suite's settings: wall-clock time (the pool's workers are
// not in the main thread's CPU time) in microseconds, and with repetitions a "min" aggregate
// beside the median (on a shared machine the fastest repetition is the least disturbed).
template <class F>
void add(const std::string& name, F&& fn) {
  benchmark::RegisterBenchmark(name.c_str(), std::forward<F>(fn))
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond)
      ->ComputeStatistics("min", [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); });
}

// The work of one iteration: flops (compared with the FMA peak of `dtype`) or bytes moved
// (compared with the triad bandwidth); the other is 0.
struct Work {
  double flops = 0, bytes = 0;
  DType dtype = DType::Float32;
};
double process_cpu_seconds();
void set_counters(benchmark::State& st, const Work& w, double seconds, double cpu_seconds);

// The timing loop: runs `once` per iteration and sets GFLOPS + frac_peak or GB/s + frac_bw
// (wall clock), and frac_cpu: the work per CPU-second of the process against the ceiling's
// (the one-thread FMA peak, or the triad's bytes per CPU-second). Time other processes hold
// the cores is not CPU time, so frac_cpu stays meaningful on a shared machine; it does not
// see threads left idle (a kernel on one thread of two scores as if both worked).
template <class F>
void measure(benchmark::State& st, const Work& w, F&& once) {
  const double cpu0 = process_cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : st) once();
  set_counters(st, w, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
               process_cpu_seconds() - cpu0);
}

// Times the backward of `root` into `wrt` alone: the graph is built once and retained, and
// the gradients are captured (not accumulated), so an iteration runs only the needed nodes.
void measure_backward(benchmark::State& st, const Work& w, const Tensor& root, const Tensor& grad,
                      const Tensor& wrt);

}  // namespace ptbench
