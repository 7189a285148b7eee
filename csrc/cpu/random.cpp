#include "cpu/random.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "core/error.h"
#include "core/iter.h"

namespace pt::cpu {
namespace {

constexpr int64_t kBlockGrain = 4096;

uint64_t u64(uint32_t hi, uint32_t lo) { return (static_cast<uint64_t>(hi) << 32) | lo; }
// 53 random bits as a double in [0, 1).
double unit53(uint64_t x) { return static_cast<double>(x >> 11) * 0x1.0p-53; }

// Two draws from each block, as full 64-bit integers.
std::array<uint64_t, 2> draw_u64(const PhiloxBlock& w) { return {u64(w[0], w[1]), u64(w[2], w[3])}; }
// Two doubles in [0, 1) with 53 random bits each.
std::array<double, 2> draw_unit53(const PhiloxBlock& w) {
  return {unit53(u64(w[0], w[1])), unit53(u64(w[2], w[3]))};
}
// Four doubles in [0, 1) with 24 random bits each: all a float32 can hold below 1.
std::array<double, 4> draw_unit24(const PhiloxBlock& w) {
  return {(w[0] >> 8) * 0x1.0p-24, (w[1] >> 8) * 0x1.0p-24, (w[2] >> 8) * 0x1.0p-24,
          (w[3] >> 8) * 0x1.0p-24};
}
// Two independent N(0, 1) by Box-Muller; u1 is in (0, 1] so the log is finite.
std::array<double, 2> draw_normal(const PhiloxBlock& w) {
  const double u1 = static_cast<double>((u64(w[0], w[1]) >> 11) + 1) * 0x1.0p-53;
  const double u2 = unit53(u64(w[2], w[3]));
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double theta = 2.0 * M_PI * u2;
  return {r * std::cos(theta), r * std::sin(theta)};
}

// Element i takes value k = i % K of block i / K: draw(block) -> std::array<R, K>, then
// put(i, value) stores it. Blocks are split across threads; the values never depend on how.
template <class Draw, class Put>
void fill_blocks(int64_t n, Generator& gen, const Draw& draw, const Put& put) {
  if (n == 0) return;
  constexpr int64_t K = std::tuple_size_v<decltype(draw(PhiloxBlock{}))>;
  const int64_t nblocks = (n + K - 1) / K;
  const PhiloxStream s = gen.reserve(nblocks);
  GilRelease nogil(n >= kElementwiseGrain);
  parallel_for(0, nblocks, kBlockGrain, [&](int64_t b, int64_t e) {
    for (int64_t j = b; j < e; ++j) {
      const auto vals = draw(s.block(j));
      const int64_t base = j * K, m = std::min(K, n - base);
      for (int64_t k = 0; k < m; ++k) put(base + k, vals[k]);
    }
  });
}

}  // namespace

void uniform(const Tensor& out, double from, double to, Generator& gen) {
  PT_DISPATCH_FLOAT(out->dtype(), "uniform_", [&] {
    scalar_t* o = out->data<scalar_t>();
    // Rounding to scalar_t may reach `to`; the interval stays half-open.
    const scalar_t hi = static_cast<scalar_t>(to);
    const scalar_t below = from < to ? std::nextafter(hi, static_cast<scalar_t>(from)) : hi;
    const auto put = [=](int64_t i, double u) {
      const scalar_t v = static_cast<scalar_t>(from + u * (to - from));
      o[i] = v < hi ? v : below;
    };
    if constexpr (std::is_same_v<scalar_t, float>) fill_blocks(out->numel(), gen, draw_unit24, put);
    else fill_blocks(out->numel(), gen, draw_unit53, put);
  });
}

void normal(const Tensor& out, double mean, double std, Generator& gen) {
  PT_DISPATCH_FLOAT(out->dtype(), "normal_", [&] {
    scalar_t* o = out->data<scalar_t>();
    fill_blocks(out->numel(), gen, draw_normal,
                [=](int64_t i, double z) { o[i] = static_cast<scalar_t>(mean + std * z); });
  });
}

void random_range(const Tensor& out, int64_t low, uint64_t range, Generator& gen) {
  PT_DISPATCH_ALL(out->dtype(), "random_", [&] {
    scalar_t* o = out->data<scalar_t>();
    fill_blocks(out->numel(), gen, draw_u64, [=](int64_t i, uint64_t x) {
      const uint64_t v = static_cast<uint64_t>(low) + (range ? x % range : x);
      o[i] = static_cast<scalar_t>(static_cast<int64_t>(v));
    });
  });
}

void bernoulli(const Tensor& out, double p, Generator& gen) {
  PT_DISPATCH_ALL(out->dtype(), "bernoulli_", [&] {
    scalar_t* o = out->data<scalar_t>();
    fill_blocks(out->numel(), gen, draw_unit53,
                [=](int64_t i, double u) { o[i] = static_cast<scalar_t>(u < p); });
  });
}

void bernoulli(const Tensor& out, const Tensor& p, Generator& gen) {
  const double* pp = p->data<double>();
  PT_DISPATCH_ALL(out->dtype(), "bernoulli_", [&] {
    scalar_t* o = out->data<scalar_t>();
    fill_blocks(out->numel(), gen, draw_unit53,
                [=](int64_t i, double u) { o[i] = static_cast<scalar_t>(u < pp[i]); });
  });
}

void exponential(const Tensor& out, double lambd, Generator& gen) {
  PT_DISPATCH_FLOAT(out->dtype(), "exponential_", [&] {
    scalar_t* o = out->data<scalar_t>();
    fill_blocks(out->numel(), gen, draw_unit53, [=](int64_t i, double u) {
      o[i] = static_cast<scalar_t>(-std::log1p(-u) / lambd);
    });
  });
}

// j uniform in [0, bound) from 64 random bits by multiply-high (bias below bound / 2**64).
static int64_t below(uint64_t x, int64_t bound) {
  return static_cast<int64_t>((static_cast<unsigned __int128>(x) * static_cast<uint64_t>(bound)) >> 64);
}

void randperm(const Tensor& out, Generator& gen) {
  const int64_t n = out->numel();
  int64_t* o = out->data<int64_t>();
  std::iota(o, o + n, int64_t{0});
  if (n < 2) return;
  const PhiloxStream s = gen.reserve(static_cast<uint64_t>(n) / 2);  // n - 1 draws, two a block
  GilRelease nogil(n >= kElementwiseGrain);
  std::array<uint64_t, 2> draws{};
  for (int64_t i = n - 1, d = 0; i > 0; --i, ++d) {
    if (d % 2 == 0) draws = draw_u64(s.block(d / 2));
    std::swap(o[i], o[below(draws[d % 2], i + 1)]);
  }
}

void multinomial(const Tensor& out, const Tensor& weights, bool replacement, Generator& gen) {
  const int64_t rows = weights->sizes()[0], n = weights->sizes()[1], k = out->sizes()[1];
  const int64_t per_row = replacement ? (k + 1) / 2 : (n + 1) / 2;  // blocks, two draws each
  const PhiloxStream s = gen.reserve(static_cast<uint64_t>(rows * per_row));
  const double* w = weights->data<double>();
  int64_t* o = out->data<int64_t>();
  const auto draws = [&](int64_t row, int64_t i) {
    return draw_unit53(s.block(row * per_row + i / 2))[i % 2];
  };
  GilRelease nogil(rows * std::max(n, k) >= kElementwiseGrain);
  parallel_for(0, rows, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, n)),
               [&](int64_t rb, int64_t re) {
    std::vector<double> buf(n);
    std::vector<int64_t> idx(n);
    for (int64_t r = rb; r < re; ++r) {
      const double* wr = w + r * n;
      int64_t* orow = o + r * k;
      if (replacement) {
        // Inverse CDF: first category whose cumulative weight exceeds u * total.
        std::partial_sum(wr, wr + n, buf.begin());
        const double total = buf[n - 1];
        int64_t last = n - 1;
        while (last > 0 && wr[last] == 0) --last;
        for (int64_t i = 0; i < k; ++i) {
          const double x = draws(r, i) * total;
          const int64_t c = std::upper_bound(buf.begin(), buf.end(), x) - buf.begin();
          orow[i] = std::min(c, last);
        }
      } else {
        for (int64_t i = 0; i < n; ++i)
          buf[i] = wr[i] > 0 ? -std::log1p(-draws(r, i)) / wr[i] : std::numeric_limits<double>::infinity();
        std::iota(idx.begin(), idx.end(), int64_t{0});
        std::partial_sort(idx.begin(), idx.begin() + k, idx.end(),
                          [&](int64_t a, int64_t b) { return buf[a] < buf[b] || (buf[a] == buf[b] && a < b); });
        std::copy(idx.begin(), idx.begin() + k, orow);
      }
    }
  });
}

}  // namespace pt::cpu
