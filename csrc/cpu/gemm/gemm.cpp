// CPU GEMM driver: the BLIS algorithm, five loops around a register-tiled micro-kernel.
//
//   loop 5  jc += NC   columns of C and B
//   loop 4  pc += KC   pack B[pc:pc+KC, jc:jc+NC] into KC x NR micro-panels   (L3-sized)
//   loop 3  ic += MC   pack A[ic:ic+MC, pc:pc+KC] into MR x KC micro-panels   (L2-sized)
//   loop 2  jr += NR   one B micro-panel                                      (L1-resident)
//   loop 1  ir += MR   micro-kernel: MR x NR tile of C in registers over KC
//
// Packing is in pack.cpp, the kernels behind ukernel.h, block sizes in ukernel.h's table.
// Threads take whole sub-GEMMs: batch items, or blocks of one C (see gemm() below).
//
// Versions (float32, GFLOP/s, 2-core AVX2 Zen 3 VM; 1 thread / 2 threads):
//   v1  five loops, AVX2 6x16 kernel, per-thread packing, C split in blocks across threads.
#include "cpu/gemm/gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

#include "core/parallel.h"
#include "cpu/cpu_features.h"
#include "cpu/gemm/pack.h"
#include "cpu/gemm/ukernel.h"

namespace pt::cpu {
namespace {

// At or below this M*N*K, A is used in place (packing it would cost about as much as the
// product) and the matrix is not split across threads.
static const double kSmallMNK = std::getenv("SMALL") ? std::atof(std::getenv("SMALL")) : 64.0*64*64;
// Least M*N*K worth handing to another thread: below it the pool's wake-up costs more.
constexpr double kMinTaskMNK = 128.0 * 128 * 128;

enum class Isa { generic, avx2, avx512 };

// PT_GEMM_ISA=generic forces the portable kernels, so they can be tested on an AVX2 machine.
Isa best_isa() {
  const char* env = std::getenv("PT_GEMM_ISA");
  if (env && std::strcmp(env, "generic") == 0) return Isa::generic;
  if (!cpu_has_avx2_fma()) return Isa::generic;
  return cpu_has_avx512f() ? Isa::avx512 : Isa::avx2;
}

template <class T>
struct Kernel {
  UKernel<T> fn;
  Blocking blk;
};

template <class T>
Kernel<T> pick_kernel() {
  constexpr bool f32 = std::is_same_v<T, float>;
  switch (best_isa()) {
#if PT_GEMM_HAVE_AVX2
    case Isa::avx512:  // no AVX-512 kernel yet: those CPUs run the AVX2 one
    case Isa::avx2:
      return {ukernel_avx2, f32 ? kAvx2F32 : kAvx2F64};
#endif
    default:
      return {ukernel_generic, f32 ? kGenericF32 : kGenericF64};
  }
}

template <class T>
const Kernel<T>& kernel() {
  static const Kernel<T> k = pick_kernel<T>();
  return k;
}

int64_t round_up(int64_t x, int64_t r) { return (x + r - 1) / r * r; }

// One thread's packing memory: 64-byte aligned (cache lines) and grown on demand, so
// steady-state calls allocate nothing.
class PackBuffer {
 public:
  PackBuffer() = default;
  PackBuffer(const PackBuffer&) = delete;
  PackBuffer& operator=(const PackBuffer&) = delete;
  ~PackBuffer() { release(); }

  template <class T>
  T* get(int64_t elements) {
    const size_t bytes = static_cast<size_t>(elements) * sizeof(T);
    if (bytes > cap_) {
      release();
      p_ = ::operator new(bytes, std::align_val_t{64});
      cap_ = bytes;
    }
    return static_cast<T*>(p_);
  }

 private:
  void release() {
    if (p_) ::operator delete(p_, std::align_val_t{64});
    p_ = nullptr;
    cap_ = 0;
  }
  void* p_ = nullptr;
  size_t cap_ = 0;
};

thread_local PackBuffer t_pack_a, t_pack_b;

template <class T>
struct View {  // element (i, j) at p[i*rs + j*cs]
  T* p;
  int64_t rs, cs;
  T* at(int64_t i, int64_t j) const { return p + i * rs + j * cs; }
};

template <class T>
struct Problem {
  int64_t M, N, K;
  T alpha;
  View<const T> A, B;
  T beta;
  View<T> C;
};

// The MR-row panels of A for one MC x KC block: full panels at p + q*step with strides
// (rs, cs); the last panel, when it has fewer than MR rows, always packed at `tail`.
template <class T>
struct APanels {
  const T* p;
  int64_t rs, cs, step;
  const T* tail;
};

// Loops 2 and 1 over one mc x nc block of C.
template <class T>
void macro_kernel(const Kernel<T>& kr, int64_t mc, int64_t nc, int64_t kc, T alpha,
                  const APanels<T>& a, const T* b, T beta, View<T> c) {
  const int64_t MR = kr.blk.mr, NR = kr.blk.nr;
  for (int64_t jr = 0; jr < nc; jr += NR, b += NR * kc) {
    const int64_t n = std::min(NR, nc - jr);
    for (int64_t ir = 0; ir < mc; ir += MR) {
      const int64_t m = std::min(MR, mc - ir);
      if (m == MR) {
        kr.fn(kc, alpha, a.p + ir / MR * a.step, a.rs, a.cs, b, beta, c.at(ir, jr), c.rs, c.cs,
              m, n);
      } else {
        kr.fn(kc, alpha, a.tail, 1, MR, b, beta, c.at(ir, jr), c.rs, c.cs, m, n);
      }
    }
  }
}

// Loops 5, 4 and 3 on the calling thread. With in_place_a (small problems) the kernel reads A
// through its strides and only A's last partial panel is packed.
template <class T>
void gemm_blocked(const Kernel<T>& kr, const Problem<T>& g, bool in_place_a) {
  const Blocking& bk = kr.blk;
  const int64_t kc_max = std::min(bk.kc, g.K);
  T* const bbuf = t_pack_b.get<T>(kc_max * round_up(std::min(bk.nc, g.N), bk.nr));
  T* const abuf =
      t_pack_a.get<T>(kc_max * (in_place_a ? bk.mr : round_up(std::min(bk.mc, g.M), bk.mr)));
  for (int64_t jc = 0; jc < g.N; jc += bk.nc) {
    const int64_t nc = std::min(bk.nc, g.N - jc);
    for (int64_t pc = 0; pc < g.K; pc += bk.kc) {
      const int64_t kc = std::min(bk.kc, g.K - pc);
      const T beta = pc == 0 ? g.beta : T(1);  // later K blocks add onto the first
      pack_b(kc, nc, g.B.at(pc, jc), g.B.rs, g.B.cs, bk.nr, bbuf);
      for (int64_t ic = 0; ic < g.M; ic += bk.mc) {
        const int64_t mc = std::min(bk.mc, g.M - ic);
        const int64_t full = mc / bk.mr * bk.mr;  // rows in whole MR panels
        const View<const T> a{g.A.at(ic, pc), g.A.rs, g.A.cs};
        APanels<T> panels;
        if (in_place_a) {
          if (full < mc) pack_a(mc - full, kc, a.at(full, 0), a.rs, a.cs, bk.mr, abuf);
          panels = {a.p, a.rs, a.cs, bk.mr * a.rs, abuf};
        } else {
          pack_a(mc, kc, a.p, a.rs, a.cs, bk.mr, abuf);
          panels = {abuf, 1, bk.mr, bk.mr * kc, abuf + full * kc};
        }
        macro_kernel(kr, mc, nc, kc, g.alpha, panels, bbuf, beta, View<T>{g.C.at(ic, jc), g.C.rs, g.C.cs});
      }
    }
  }
}

// How one matrix's C is cut into tm x tn blocks for threads: whole micro-tiles per block, and
// of the splits into at most nt blocks, the one with the most blocks, then the least packing
// (each block packs its rows of A and its columns of B: M/tm + N/tn).
struct Grid {
  int64_t tm, tn;
};

Grid split_grid(int64_t nt, int64_t M, int64_t N, const Blocking& bk) {
  const int64_t mtiles = (M + bk.mr - 1) / bk.mr, ntiles = (N + bk.nr - 1) / bk.nr;
  Grid best{1, 1};
  double best_cost = double(M) + double(N);
  for (int64_t tm = 1; tm <= std::min(nt, mtiles); ++tm) {
    const int64_t tn = std::min(nt / tm, ntiles);
    const double cost = double(M) / tm + double(N) / tn;
    if (tm * tn > best.tm * best.tn || (tm * tn == best.tm * best.tn && cost < best_cost)) {
      best = {tm, tn};
      best_cost = cost;
    }
  }
  return best;
}

// [begin, end) of block `i` of `parts` over `tiles` micro-tiles of size r, clipped to size.
std::pair<int64_t, int64_t> block_range(int64_t i, int64_t parts, int64_t tiles, int64_t r,
                                        int64_t size) {
  return {std::min(size, i * tiles / parts * r), std::min(size, (i + 1) * tiles / parts * r)};
}

// K == 0 or alpha == 0: C = beta * C, or zeros when beta == 0 (not 0 * NaN).
template <class T>
void scale_c(int64_t batch, int64_t M, int64_t N, T beta, T* C, int64_t bsC, int64_t rsC,
             int64_t csC) {
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t i = 0; i < M; ++i) {
      for (int64_t j = 0; j < N; ++j) {
        T& c = C[b * bsC + i * rsC + j * csC];
        c = beta == T(0) ? T(0) : beta * c;
      }
    }
  }
}

}  // namespace

// alpha == 0 does not read A or B (as in BLAS): C = beta * C.
template <class T>
void gemm(int64_t batch, int64_t M, int64_t N, int64_t K, T alpha,
          const T* A, int64_t bsA, int64_t rsA, int64_t csA,
          const T* B, int64_t bsB, int64_t rsB, int64_t csB, T beta,
          T* C, int64_t bsC, int64_t rsC, int64_t csC) {
  if (batch <= 0 || M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == T(0)) return scale_c(batch, M, N, beta, C, bsC, rsC, csC);

  const Kernel<T>& kr = kernel<T>();
  const double mnk = double(M) * double(N) * double(K);
  const bool small = mnk <= kSmallMNK;
  // Batch items go to threads whole. A matrix is also cut into blocks when the batch alone
  // would leave threads idle: batch 1, or a remainder that is a large share of the batch.
  const int64_t nt = in_parallel_region() ? 1 : get_num_threads();
  Grid grid{1, 1};
  if (!small && batch % nt != 0 && batch < 4 * nt) grid = split_grid(nt, M, N, kr.blk);
  const int64_t parts = grid.tm * grid.tn;
  const int64_t mtiles = (M + kr.blk.mr - 1) / kr.blk.mr, ntiles = (N + kr.blk.nr - 1) / kr.blk.nr;
  const int64_t grain = std::max<int64_t>(1, static_cast<int64_t>(kMinTaskMNK * parts / mnk));

  parallel_for(0, batch * parts, grain, [&](int64_t begin, int64_t end) {
    for (int64_t job = begin; job < end; ++job) {
      const int64_t b = job / parts, part = job % parts;
      const auto [i0, i1] = block_range(part / grid.tn, grid.tm, mtiles, kr.blk.mr, M);
      const auto [j0, j1] = block_range(part % grid.tn, grid.tn, ntiles, kr.blk.nr, N);
      const Problem<T> g{i1 - i0, j1 - j0, K, alpha,
                         View<const T>{A + b * bsA + i0 * rsA, rsA, csA},
                         View<const T>{B + b * bsB + j0 * csB, rsB, csB}, beta,
                         View<T>{C + b * bsC + i0 * rsC + j0 * csC, rsC, csC}};
      gemm_blocked(kr, g, small);
    }
  });
}

template void gemm<float>(int64_t, int64_t, int64_t, int64_t, float, const float*, int64_t,
                          int64_t, int64_t, const float*, int64_t, int64_t, int64_t, float,
                          float*, int64_t, int64_t, int64_t);
template void gemm<double>(int64_t, int64_t, int64_t, int64_t, double, const double*, int64_t,
                           int64_t, int64_t, const double*, int64_t, int64_t, int64_t, double,
                           double*, int64_t, int64_t, int64_t);

}  // namespace pt::cpu
