// This machine's ceilings, measured in the same binary as the kernels: the peak FMA rate (one
// thread and all the pool's threads) and the memory bandwidth (STREAM triad on the same pool);
// plus the shared setup and counters of bench_util.h.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "autograd/engine.h"
#include "bench_util.h"
#include "core/generator.h"
#include "core/parallel.h"
#include "cpu/cpu_features.h"
#include "ops/random.h"

namespace ptbench {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Without AVX2+FMA: the same independent chains in plain C++ (SSE2 multiply + add).
double fma_loop_portable(DType dtype, int64_t iters) {
  constexpr int kAcc = 32;
  auto run = [&](auto zero) {
    using T = decltype(zero);
    T acc[kAcc];
    for (int k = 0; k < kAcc; ++k) acc[k] = T(k);
    const T m = T(0.999999), a = T(1e-6);
    for (int64_t i = 0; i < iters; ++i)
      for (int k = 0; k < kAcc; ++k) acc[k] = acc[k] * m + a;
    T sum = 0;
    for (int k = 0; k < kAcc; ++k) sum += acc[k];
    volatile T sink = sum;
    (void)sink;
    return 2.0 * kAcc * static_cast<double>(iters);
  };
  return dtype == DType::Float64 ? run(0.0) : run(0.0f);
}

// Best of a few runs: a ceiling is the fastest the machine went, and other processes on a
// shared machine only ever slow a run down.
template <class F>
double best_rate(int runs, F&& once) {
  double best = 0;
  for (int r = 0; r < runs; ++r) best = std::max(best, once());
  return best;
}

double cpu_seconds(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
double thread_cpu_seconds() { return cpu_seconds(CLOCK_THREAD_CPUTIME_ID); }

// Each thread's flops over its own CPU time, summed over the threads running together: the
// FMA units' rate is what the cores deliver while our threads run, so CPU time (which leaves
// out the time other processes hold the core) measures it even on a shared machine.
double peak_gflops(DType dtype, int threads, double (*loop)(DType, int64_t)) {
  constexpr int64_t kIters = 1 << 20;  // ~3 ms per thread
  return best_rate(20, [&] {
    std::vector<double> rate(threads, 0.0);
    pt::parallel_for(0, threads, 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        const double t0 = thread_cpu_seconds();
        const double flops = loop(dtype, kIters);
        rate[i] = flops / (thread_cpu_seconds() - t0) * 1e-9;
      }
    });
    double total = 0;
    for (double r : rate) total += r;
    return total;
  });
}

// a = b + s * c over three float64 arrays of 128 MiB each (4x the largest L3 we expect),
// split across the pool as the kernels split their loops. Wall-clock time: bandwidth is shared
// by the threads, so per-thread CPU times would overstate it. Also sets the bytes per CPU-second
// of the process (frac_cpu's ceiling).
double triad_gbs(double* gb_per_cpu_s) {
  constexpr int64_t n = int64_t(1) << 24;
  const Tensor ta = pt::empty({n}, DType::Float64), tb = pt::empty({n}, DType::Float64),
               tc = pt::empty({n}, DType::Float64);
  double *a = ta->data<double>(), *b = tb->data<double>(), *c = tc->data<double>();
  const int64_t grain = n / pt::get_num_threads();
  pt::parallel_for(0, n, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) a[i] = 0, b[i] = 1, c[i] = 2;
  });
  const double gb = 3.0 * 8.0 * static_cast<double>(n) * 1e-9;
  *gb_per_cpu_s = 0;
  return best_rate(60, [&] {
    const double cpu0 = process_cpu_seconds();
    const auto t0 = Clock::now();
    pt::parallel_for(0, n, grain, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) a[i] = b[i] + 3.0 * c[i];
    });
    const double s = since(t0);
    benchmark::DoNotOptimize(a);
    *gb_per_cpu_s = std::max(*gb_per_cpu_s, gb / (process_cpu_seconds() - cpu0));
    return gb / s;
  });
}

Ceilings measure_ceilings() {
  Ceilings c;
  c.threads = pt::get_num_threads();
  const bool avx2 = pt::cpu::cpu_has_avx2_fma();
  auto* loop = avx2 ? &fma_loop_avx2 : &fma_loop_portable;
  c.fma_kernel = avx2 ? "avx2+fma" : "portable";
  for (DType d : {DType::Float32, DType::Float64}) {
    const int i = d == DType::Float64;
    c.fma_gflops_1t[i] = peak_gflops(d, 1, loop);
    c.fma_gflops_all[i] = c.threads == 1 ? c.fma_gflops_1t[i] : peak_gflops(d, c.threads, loop);
  }
  c.triad_gbs = triad_gbs(&c.triad_gb_per_cpu_s);
  return c;
}

}  // namespace

const Ceilings& ceilings() {
  static const Ceilings c = measure_ceilings();
  return c;
}

Tensor randn(const DimVec& sizes, DType dtype) {
  static const pt::GeneratorPtr gen = std::make_shared<pt::Generator>(0);
  return pt::ops::randn(sizes, dtype, pt::cpu_device(), gen);
}

Tensor leaf(const DimVec& sizes, DType dtype) {
  Tensor t = randn(sizes, dtype);
  t->autograd_mut().requires_grad = true;
  return t;
}

double process_cpu_seconds() { return cpu_seconds(CLOCK_PROCESS_CPUTIME_ID); }

const char* short_name(DType dtype) { return dtype == DType::Float64 ? "f64" : "f32"; }

void set_counters(benchmark::State& st, const Work& w, double seconds, double cpu_seconds) {
  const Ceilings& c = ceilings();
  const double iters = static_cast<double>(st.iterations());
  const int f64 = w.dtype == DType::Float64;
  if (w.flops > 0) {
    const double g = w.flops * iters / seconds * 1e-9;
    st.counters["GFLOPS"] = g;
    st.counters["frac_peak"] = g / c.fma_gflops_all[f64];
    st.counters["frac_cpu"] = w.flops * iters / cpu_seconds * 1e-9 / c.fma_gflops_1t[f64];
  } else {
    const double g = w.bytes * iters / seconds * 1e-9;
    st.counters["GB/s"] = g;
    st.counters["frac_bw"] = g / c.triad_gbs;
    st.counters["frac_cpu"] = w.bytes * iters / cpu_seconds * 1e-9 / c.triad_gb_per_cpu_s;
  }
}

void measure_backward(benchmark::State& st, const Work& w, const Tensor& root, const Tensor& grad,
                      const Tensor& wrt) {
  pt::autograd::BackwardOptions opts;
  opts.retain_graph = true;
  opts.capture = true;
  const pt::autograd::TensorList roots{root}, grads{grad}, inputs{wrt};
  measure(st, w, [&] { benchmark::DoNotOptimize(pt::autograd::run_backward(roots, grads, inputs, opts)); });
}

}  // namespace ptbench
