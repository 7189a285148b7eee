// On-device random numbers: the counter-based Philox4x32-10 of core/generator.h evaluated on
// the GPU. A call reserves its blocks from the generator on the host (seed, offset), then
// thread j computes block offset + j and writes elements j*K .. j*K + K-1 from it, with the
// CPU kernels' bit recipes (cpu/random.cpp): element i depends only on (seed, offset, i).
// The device's default generator is its own Generator, seeded by pytensor.cuda.manual_seed.
#include <cmath>

#include "core/error.h"
#include "cuda/kernels.h"
#include "cuda/loop.cuh"

namespace pt::cuda {

Generator& generator() {
  static Generator* gen = new Generator();  // never freed: used until the process exits
  return *gen;
}
void manual_seed(uint64_t seed) { generator().manual_seed(seed); }
uint64_t initial_seed() { return generator().initial_seed(); }

namespace {

// philox4x32_10 of core/generator.h: 10 rounds on the counter (c, 0) under the 64-bit key.
__device__ uint4 philox(uint64_t c, uint64_t key) {
  constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  uint32_t k0 = static_cast<uint32_t>(key), k1 = static_cast<uint32_t>(key >> 32);
  uint32_t x0 = static_cast<uint32_t>(c), x1 = static_cast<uint32_t>(c >> 32), x2 = 0, x3 = 0;
  for (int round = 0; round < 10; ++round) {
    if (round) {
      k0 += kWeyl0;
      k1 += kWeyl1;
    }
    const uint32_t hi0 = __umulhi(kMul0, x0), lo0 = kMul0 * x0;
    const uint32_t hi1 = __umulhi(kMul1, x2), lo1 = kMul1 * x2;
    const uint32_t y0 = hi1 ^ x1 ^ k0, y1 = lo1, y2 = hi0 ^ x3 ^ k1, y3 = lo0;
    x0 = y0;
    x1 = y1;
    x2 = y2;
    x3 = y3;
  }
  return make_uint4(x0, x1, x2, x3);
}

__device__ inline uint64_t u64(uint32_t hi, uint32_t lo) { return (static_cast<uint64_t>(hi) << 32) | lo; }
// 53 random bits as a double in [0, 1).
__device__ inline double unit53(uint64_t x) { return static_cast<double>(x >> 11) * 0x1.0p-53; }

// The draws of cpu/random.cpp: K values per block.
struct Unit53 {
  static constexpr int K = 2;
  __device__ static void draw(uint4 w, double* v) {
    v[0] = unit53(u64(w.x, w.y));
    v[1] = unit53(u64(w.z, w.w));
  }
};
struct Unit24 {  // all a float32 holds below 1
  static constexpr int K = 4;
  __device__ static void draw(uint4 w, double* v) {
    v[0] = (w.x >> 8) * 0x1.0p-24;
    v[1] = (w.y >> 8) * 0x1.0p-24;
    v[2] = (w.z >> 8) * 0x1.0p-24;
    v[3] = (w.w >> 8) * 0x1.0p-24;
  }
};
struct Normal {  // Box-Muller; u1 in (0, 1] so the log is finite
  static constexpr int K = 2;
  __device__ static void draw(uint4 w, double* v) {
    const double u1 = static_cast<double>((u64(w.x, w.y) >> 11) + 1) * 0x1.0p-53;
    const double u2 = unit53(u64(w.z, w.w));
    const double r = sqrt(-2.0 * log(u1));
    double s, c;
    sincospi(2.0 * u2, &s, &c);
    v[0] = r * c;
    v[1] = r * s;
  }
};
struct Bits64 {
  static constexpr int K = 2;
  __device__ static void draw(uint4 w, uint64_t* v) {
    v[0] = u64(w.x, w.y);
    v[1] = u64(w.z, w.w);
  }
};

// Thread j of the grid-stride loop: block offset + j, drawn by D, stored by put(i, value).
template <class D, class V, class Put>
__global__ void philox_kernel(int64_t n, uint64_t seed, uint64_t offset, Put put) {
  constexpr int K = D::K;
  const int64_t nblocks = (n + K - 1) / K, step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t j = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < nblocks; j += step) {
    V v[K];
    D::draw(philox(offset + static_cast<uint64_t>(j), seed), v);
    const int64_t base = j * K;
#pragma unroll
    for (int k = 0; k < K; ++k)
      if (base + k < n) put(base + k, v[k]);
  }
}

template <class D, class V, class Put>
void run(const char* kernel, const Tensor& out, Generator& gen, const Put& put) {
  const int64_t n = out->numel();
  if (n == 0) return;
  const int64_t nblocks = (n + D::K - 1) / D::K;
  const PhiloxStream s = gen.reserve(static_cast<uint64_t>(nblocks));
  philox_kernel<D, V><<<grid_for(nblocks), kThreads>>>(n, s.seed, s.offset, put);
  check_launch(kernel);
}

template <class T>
struct UniformPut {
  T* o;
  double from, to;
  T hi, below;  // `to` rounded to T, and the value below it that replaces it (half-open)
  __device__ void operator()(int64_t i, double u) const {
    const T v = static_cast<T>(from + u * (to - from));
    o[i] = v < hi ? v : below;
  }
};

template <class T>
struct NormalPut {
  T* o;
  double mean, std;
  __device__ void operator()(int64_t i, double z) const { o[i] = static_cast<T>(mean + std * z); }
};

template <class T>
struct RangePut {
  T* o;
  int64_t low;
  uint64_t range;  // 0 stands for 2**64
  __device__ void operator()(int64_t i, uint64_t x) const {
    const uint64_t v = static_cast<uint64_t>(low) + (range ? x % range : x);
    o[i] = static_cast<T>(static_cast<int64_t>(v));
  }
};

// p given as a number (pp null) or per element.
template <class T>
struct BernoulliPut {
  T* o;
  double p;
  const double* pp;
  __device__ void operator()(int64_t i, double u) const { o[i] = static_cast<T>(u < (pp ? pp[i] : p)); }
};

template <class T>
struct ExponentialPut {
  T* o;
  double lambd;
  __device__ void operator()(int64_t i, double u) const { o[i] = static_cast<T>(-log1p(-u) / lambd); }
};

}  // namespace

void uniform(const Tensor& out, double from, double to, Generator& gen) {
  PT_DISPATCH_FLOAT(out->dtype(), "uniform_", [&] {
    const scalar_t hi = static_cast<scalar_t>(to);
    const scalar_t below = from < to ? std::nextafter(hi, static_cast<scalar_t>(from)) : hi;
    const UniformPut<scalar_t> put{out->data<scalar_t>(), from, to, hi, below};
    if constexpr (std::is_same_v<scalar_t, float>) run<Unit24, double>("uniform_kernel", out, gen, put);
    else run<Unit53, double>("uniform_kernel", out, gen, put);
  });
}

void normal(const Tensor& out, double mean, double std, Generator& gen) {
  PT_DISPATCH_FLOAT(out->dtype(), "normal_", [&] {
    run<Normal, double>("normal_kernel", out, gen, NormalPut<scalar_t>{out->data<scalar_t>(), mean, std});
  });
}

void random_range(const Tensor& out, int64_t low, uint64_t range, Generator& gen) {
  PT_DISPATCH_ALL(out->dtype(), "random_", [&] {
    run<Bits64, uint64_t>("random_kernel", out, gen, RangePut<scalar_t>{out->data<scalar_t>(), low, range});
  });
}

void bernoulli(const Tensor& out, double p, Generator& gen) {
  PT_DISPATCH_ALL(out->dtype(), "bernoulli_", [&] {
    run<Unit53, double>("bernoulli_kernel", out, gen, BernoulliPut<scalar_t>{out->data<scalar_t>(), p, nullptr});
  });
}

void bernoulli(const Tensor& out, const Tensor& p, Generator& gen) {
  PT_DISPATCH_ALL(out->dtype(), "bernoulli_", [&] {
    run<Unit53, double>("bernoulli_kernel", out, gen,
                        BernoulliPut<scalar_t>{out->data<scalar_t>(), 0.0, p->data<double>()});
  });
}

void exponential(const Tensor& out, double lambd, Generator& gen) {
  PT_DISPATCH_FLOAT(out->dtype(), "exponential_", [&] {
    run<Unit53, double>("exponential_kernel", out, gen, ExponentialPut<scalar_t>{out->data<scalar_t>(), lambd});
  });
}

}  // namespace pt::cuda
