// pytensor_bench: measures the machine's ceilings first (printed in the context header and
// used by every frac_* counter), then runs the kernel benchmarks registered by bench_*.cpp.
// Threads: the pool's setting (OMP_NUM_THREADS, default all cores).
#include <cstdio>
#include <string>

#include "bench_util.h"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const ptbench::Ceilings& c = ptbench::ceilings();
  auto fmt = [](double v, const char* unit) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f %s", v, unit);
    return std::string(buf);
  };
  benchmark::AddCustomContext("pytensor threads", std::to_string(c.threads));
  benchmark::AddCustomContext("ceiling FMA kernel", c.fma_kernel);
  benchmark::AddCustomContext("ceiling f32 FMA, 1 thread", fmt(c.fma_gflops_1t[0], "GFLOPS"));
  benchmark::AddCustomContext("ceiling f32 FMA, all threads", fmt(c.fma_gflops_all[0], "GFLOPS"));
  benchmark::AddCustomContext("ceiling f64 FMA, 1 thread", fmt(c.fma_gflops_1t[1], "GFLOPS"));
  benchmark::AddCustomContext("ceiling f64 FMA, all threads", fmt(c.fma_gflops_all[1], "GFLOPS"));
  benchmark::AddCustomContext("ceiling triad bandwidth", fmt(c.triad_gbs, "GB/s"));
  benchmark::AddCustomContext("ceiling triad per CPU-second", fmt(c.triad_gb_per_cpu_s, "GB"));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
