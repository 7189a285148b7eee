// CPU GEMM driver: the BLIS algorithm, five loops around a register-tiled micro-kernel.
//
//   loop 5  jc += NC   columns of C and B
//   loop 4  pc += KC   pack B[pc:pc+KC, jc:jc+NC] into KC x NR micro-panels   (L3-sized)
//   loop 3  ic += MC   pack A[ic:ic+MC, pc:pc+KC] into MR x KC micro-panels   (L2-sized)
//   loop 2  jr += NR   one B micro-panel                                      (L1-resident)
//   loop 1  ir += MR   micro-kernel: MR x NR tile of C in registers over KC
//
// Packing is in pack.cpp, the kernels behind ukernel.h, block sizes in ukernel.h's table.
// When packing A would not pay (small or skinny problems) the kernel reads A in place.
// Threads take whole sub-GEMMs: batch items, or blocks of one C (see gemm() below).
//
// Versions. GFLOP/s on the 2-core AVX2 Zen 3 VM (FMA peak ~93 float, ~46 double per core),
// float unless marked, "1t/2t" = threads:
//   v1  Five loops, AVX2 6x16 / 6x8 kernels, A and B always packed, masked edge stores, C cut
//       into per-thread blocks. 1024^3: 92/180. MLP 64x34 @ 34x10: 25.
//   v2  Edge tiles store 4+2+1 lanes instead of vmaskmov (microcoded on AMD). 64x34@34x10: 35.
//   v3  A read in place when packing it does not pay. 96^3: 81 -> 93; 1024x16x1024: 49 -> 92;
//       1024x64x1024: 78 -> 93. (B in place was tried and dropped: see use_a_in_place.)
//   v4  Thread thresholds from the measured pool wake-up (~10 us). 2t: 128^3 88 -> 115,
//       batch 32 x 64^3 79 -> 141.
//   v5  Generic kernel on vector extensions (GCC had vectorised it across k): 6 -> 32.
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

// Up to this M*N*K the kernel reads A in place: packing it costs more than it saves
// (measured crossover near 200^3 for column-major A).
constexpr double kSmallMNK = 160.0 * 160 * 160;
// Least M*N*K worth handing to another thread: waking the pool costs ~10 us, about 1M
// float multiply-adds (2 threads: 96^3 lost 10%, 128^3 gained 30%).
constexpr double kMinTaskMNK = 1 << 20;

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
#ifdef PT_GEMM_HAVE_AVX2
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
  const BPacker<T>* packer;  // B's source when not null (B is then unused); j0: first column
  int64_t j0;
};

// The MR-row micro-panels of one MC x KC block of A. Packed, panel q is at p + q*step with
// strides (1, MR); in place, the kernel reads A through its own strides. A last panel with
// fewer than MR rows is always packed, at `tail`: kernels read whole panels.
template <class T>
struct APanel {
  const T* p;
  int64_t rs, cs;
};

template <class T>
struct APanels {
  const T* p;
  int64_t rs, cs, step;
  const T* tail;
  APanel<T> at(int64_t q, bool partial, int64_t mr) const {
    return partial ? APanel<T>{tail, 1, mr} : APanel<T>{p + q * step, rs, cs};
  }
};

template <class T>
APanels<T> make_a_panels(bool in_place, int64_t mc, int64_t kc, View<const T> a, int64_t mr,
                         T* buf) {
  const int64_t full = mc / mr * mr;
  if (!in_place) {
    pack_panels(mc, kc, a.p, a.rs, a.cs, mr, buf);
    return {buf, 1, mr, mr * kc, buf + full * kc};
  }
  if (full < mc) pack_panels(mc - full, kc, a.at(full, 0), a.rs, a.cs, mr, buf);
  return {a.p, a.rs, a.cs, mr * a.rs, buf};
}

// Loops 2 and 1 over one mc x nc block of C; b is the packed KC x NC block of B.
template <class T>
void macro_kernel(const Kernel<T>& kr, int64_t mc, int64_t nc, int64_t kc, T alpha,
                  const APanels<T>& a, const T* b, T beta, View<T> c) {
  const int64_t MR = kr.blk.mr, NR = kr.blk.nr;
  for (int64_t jr = 0; jr < nc; jr += NR) {
    const int64_t n = std::min(NR, nc - jr);
    for (int64_t ir = 0; ir < mc; ir += MR) {
      const int64_t m = std::min(MR, mc - ir);
      const APanel<T> pa = a.at(ir / MR, m < MR, MR);
      kr.fn(kc, alpha, pa.p, pa.rs, pa.cs, b + jr * kc, beta, c.at(ir, jr), c.rs, c.cs, m, n);
    }
  }
}

// Packing A pays when many B micro-panels reuse each packed panel (NC/NR of them); otherwise
// the kernel reads A in place. Row-major A streams well in place (MR contiguous rows), so it is
// packed only for high reuse, where packing also avoids cache-set conflicts of power-of-two
// row strides (2048^3: 84 -> 92 GFLOP/s). On 1024 x N x 1024, N <= 64 ran up to 2x faster in
// place. (B is always packed: in place, its rows' large stride thrashed L1, 72 -> 44 GFLOP/s
// on 64 x 4096 x 1024.)
template <class T>
bool use_a_in_place(const Problem<T>& g, const Blocking& bk) {
  const int64_t reuse = (std::min(g.N, bk.nc) + bk.nr - 1) / bk.nr;
  return double(g.M) * double(g.N) * double(g.K) <= kSmallMNK ||
         reuse <= (g.A.cs == 1 ? 16 : 4);
}

// Loops 5, 4 and 3 on the calling thread.
template <class T>
void gemm_blocked(const Kernel<T>& kr, const Problem<T>& g) {
  const Blocking& bk = kr.blk;
  const bool a_in_place = use_a_in_place(g, bk);
  const int64_t kc_max = std::min(bk.kc, g.K);
  T* const bbuf = t_pack_b.get<T>(kc_max * round_up(std::min(bk.nc, g.N), bk.nr));
  T* const abuf =
      t_pack_a.get<T>(kc_max * (a_in_place ? bk.mr : round_up(std::min(bk.mc, g.M), bk.mr)));
  for (int64_t jc = 0; jc < g.N; jc += bk.nc) {
    const int64_t nc = std::min(bk.nc, g.N - jc);
    for (int64_t pc = 0; pc < g.K; pc += bk.kc) {
      const int64_t kc = std::min(bk.kc, g.K - pc);
      const T beta = pc == 0 ? g.beta : T(1);  // later K blocks add onto the first
      if (g.packer)
        g.packer->pack(g.packer->ctx, pc, kc, g.j0 + jc, nc, bk.nr, bbuf);
      else
        pack_panels(nc, kc, g.B.at(pc, jc), g.B.cs, g.B.rs, bk.nr, bbuf);
      for (int64_t ic = 0; ic < g.M; ic += bk.mc) {
        const int64_t mc = std::min(bk.mc, g.M - ic);
        const View<const T> a{g.A.at(ic, pc), g.A.rs, g.A.cs};
        macro_kernel(kr, mc, nc, kc, g.alpha, make_a_panels(a_in_place, mc, kc, a, bk.mr, abuf),
                     bbuf, beta, View<T>{g.C.at(ic, jc), g.C.rs, g.C.cs});
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

// gemm and gemm_packed_b: B from memory, or from `packer` when it is not null.
template <class T>
void run_gemm(int64_t batch, int64_t M, int64_t N, int64_t K, T alpha,
              const T* A, int64_t bsA, int64_t rsA, int64_t csA,
              const T* B, int64_t bsB, int64_t rsB, int64_t csB, const BPacker<T>* packer,
              T beta, T* C, int64_t bsC, int64_t rsC, int64_t csC) {
  if (batch <= 0 || M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == T(0)) return scale_c(batch, M, N, beta, C, bsC, rsC, csC);

  const Kernel<T>& kr = kernel<T>();
  const double mnk = double(M) * double(N) * double(K);
  // Batch items go to threads whole. A matrix is also cut into blocks when the batch alone
  // would leave threads idle (batch 1, or a remainder that is a large share of the batch) and
  // each block still carries at least kMinTaskMNK.
  const int64_t nt = in_parallel_region() ? 1 : get_num_threads();
  const int64_t max_parts = std::min<int64_t>(nt, static_cast<int64_t>(mnk / kMinTaskMNK));
  Grid grid{1, 1};
  if (max_parts > 1 && batch % nt != 0 && batch < 4 * nt) {
    grid = split_grid(max_parts, M, N, kr.blk);
  }
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
                         View<const T>{packer ? B : B + b * bsB + j0 * csB, rsB, csB}, beta,
                         View<T>{C + b * bsC + i0 * rsC + j0 * csC, rsC, csC}, packer, j0};
      gemm_blocked(kr, g);
    }
  });
}

}  // namespace

// alpha == 0 does not read A or B (as in BLAS): C = beta * C.
template <class T>
void gemm(int64_t batch, int64_t M, int64_t N, int64_t K, T alpha,
          const T* A, int64_t bsA, int64_t rsA, int64_t csA,
          const T* B, int64_t bsB, int64_t rsB, int64_t csB, T beta,
          T* C, int64_t bsC, int64_t rsC, int64_t csC) {
  run_gemm<T>(batch, M, N, K, alpha, A, bsA, rsA, csA, B, bsB, rsB, csB, nullptr, beta, C, bsC,
              rsC, csC);
}

template <class T>
void gemm_packed_b(int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t rsA, int64_t csA,
                   const BPacker<T>& b, T beta, T* C, int64_t rsC, int64_t csC) {
  run_gemm<T>(1, M, N, K, alpha, A, 0, rsA, csA, nullptr, 0, 0, 0, &b, beta, C, 0, rsC, csC);
}

template void gemm<float>(int64_t, int64_t, int64_t, int64_t, float, const float*, int64_t,
                          int64_t, int64_t, const float*, int64_t, int64_t, int64_t, float,
                          float*, int64_t, int64_t, int64_t);
template void gemm<double>(int64_t, int64_t, int64_t, int64_t, double, const double*, int64_t,
                           int64_t, int64_t, const double*, int64_t, int64_t, int64_t, double,
                           double*, int64_t, int64_t, int64_t);
template void gemm_packed_b<float>(int64_t, int64_t, int64_t, float, const float*, int64_t,
                                   int64_t, const BPacker<float>&, float, float*, int64_t,
                                   int64_t);
template void gemm_packed_b<double>(int64_t, int64_t, int64_t, double, const double*, int64_t,
                                    int64_t, const BPacker<double>&, double, double*, int64_t,
                                    int64_t);

}  // namespace pt::cpu
