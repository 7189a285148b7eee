// Fused cross-entropy / NLL on CUDA with cpu/loss.h's contract. A group of G lanes owns a
// position (an (outer, inner) pair): G = 32, a warp striding over the classes, when they are
// contiguous (inner == 1) and numerous enough; otherwise G = 1, a thread per position with
// neighbouring threads on neighbouring inner positions, so reads coalesce. Forward: a pass for
// the max, one for the sum of exp, one for the loss; backward: one for sum_c B_c (the warp form
// reduces it), one writing the gradient from the saved log-sum-exp. Sums accumulate in double
// in a fixed order (cuda/row_reduce.cuh): bit-identical run to run.
#include <type_traits>

#include "core/error.h"
#include "cuda/kernels.h"
#include "cuda/loop.cuh"
#include "cuda/row_reduce.cuh"

namespace pt::cuda {
namespace {

using cpu::NllGeometry;
using cpu::NllOptions;
using cpu::NllTargetWeights;

// What the kernels read, as raw pointers: `prob` for probability targets, else `index` (a
// flag, not the pointers, tells which: an empty target may have no storage).
template <class T>
struct NllArgs {
  const T* x;
  const int64_t* index;
  const T* prob;
  NllTargetWeights<T> tw;
  int64_t classes, inner, positions, ignore_index;
  bool prob_target, log_softmax, smoothing;  // smoothing: eps != 0

  __device__ int64_t base(int64_t p) const { return p / inner * classes * inner + p % inner; }
};

template <class T>
NllArgs<T> make_nll_args(const Tensor& x, const Tensor& target, const NllGeometry& g, const NllOptions& o) {
  return {x->data<T>(),
          o.prob_target ? nullptr : target->data<int64_t>(),
          o.prob_target ? target->data<T>() : nullptr,
          {o.weight ? (*o.weight)->data<T>() : nullptr, o.smoothing / static_cast<double>(g.classes),
           1.0 - o.smoothing},
          g.classes, g.inner, g.positions(), o.ignore_index, o.prob_target, o.log_softmax, o.smoothing != 0};
}

// The lanes of one group: `lane` in [0, G); reductions over the group (nothing to do for G = 1).
template <int G>
struct Group {
  int lane;
  template <class V, class Op>
  __device__ V reduce(V v, Op op) const {
    if constexpr (G == 1) return v;
    else return warp_reduce(v, op);
  }
};

// The group's position loop: calls body(p, group) for each position it owns (uniform per group).
template <int G, class F>
__device__ void for_each_position(int64_t positions, F body) {
  const int64_t tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x / G;
  const Group<G> grp{static_cast<int>(tid % G)};
  for (int64_t p = tid / G; p < positions; p += step) body(p, grp);
}

// log(sum_c exp(x_c)) over the classes at xp (stride inner), shifted by the max.
template <class T, int G>
__device__ double log_sum_exp(const T* xp, int64_t inner, int64_t classes, const Group<G>& grp) {
  T m = -INFINITY;
  for (int64_t c = grp.lane; c < classes; c += G) m = xp[c * inner] > m ? xp[c * inner] : m;
  m = grp.reduce(m, MaxOp{});
  if (m == -INFINITY || m == INFINITY) return m;  // all -inf (or a +inf): no finite shift exists
  double s = 0;
  for (int64_t c = grp.lane; c < classes; c += G) s += ::exp(xp[c * inner] - m);
  return static_cast<double>(m) + ::log(grp.reduce(s, SumOp{}));
}

template <class T, int G>
__global__ void nll_forward_kernel(NllArgs<T> a, T* loss, T* denom, T* lse_out) {
  for_each_position<G>(a.positions, [&](int64_t p, const Group<G>& grp) {
    const int64_t base = a.base(p), C = a.classes;
    const T* xp = a.x + base;
    const double lse = a.log_softmax ? log_sum_exp(xp, a.inner, C, grp) : 0.0;
    const bool writer = grp.lane == 0;
    if (writer && lse_out) lse_out[p] = static_cast<T>(lse);
    double l = 0;
    if (a.prob_target) {
      for (int64_t c = grp.lane; c < C; c += G)
        l -= a.tw.prob(a.prob + base, a.inner, c) * (xp[c * a.inner] - lse);
      l = grp.reduce(l, SumOp{});
    } else {
      const int64_t t = a.index[p];
      double d = 0;
      if (t != a.ignore_index && (t < 0 || t >= C)) {  // refused by the op already: never read x[t]
        l = d = NAN;
      } else if (t != a.ignore_index) {
        double smooth = 0;
        if (a.smoothing)
          for (int64_t c = grp.lane; c < C; c += G)
            smooth += a.tw.eps_over_c * a.tw.weight(c) * (xp[c * a.inner] - lse);
        l = -a.tw.keep * a.tw.weight(t) * (xp[t * a.inner] - lse) - grp.reduce(smooth, SumOp{});
        d = a.tw.weight(t);
      }
      if (writer) denom[p] = static_cast<T>(d);
    }
    if (writer) loss[p] = static_cast<T>(l);
  });
}

template <class T, int G>
__global__ void nll_backward_kernel(NllArgs<T> a, const T* lse_in, const T* grad, bool per_position,
                                    double factor, T* dx, T* dq) {
  for_each_position<G>(a.positions, [&](int64_t p, const Group<G>& grp) {
    const int64_t base = a.base(p), C = a.classes, inner = a.inner;
    const T* xp = a.x + base;
    T* d = dx + base;
    const double s = static_cast<double>(grad[per_position ? p : 0]) * factor;
    const double lse = a.log_softmax ? static_cast<double>(lse_in[p]) : 0.0;
    const int64_t t = a.prob_target ? 0 : a.index[p];
    if (!a.prob_target && (t == a.ignore_index || t < 0 || t >= C)) {  // out of range: refused by the op already
      const T fill = t == a.ignore_index ? T(0) : T(NAN);
      for (int64_t c = grp.lane; c < C; c += G) d[c * inner] = fill;
      return;
    }
    auto b = [&](int64_t c) { return a.prob_target ? a.tw.prob(a.prob + base, inner, c) : a.tw.index(t, c); };
    if (a.log_softmax) {
      double bsum = 0;
      for (int64_t c = grp.lane; c < C; c += G) bsum += b(c);
      bsum = grp.reduce(bsum, SumOp{});
      for (int64_t c = grp.lane; c < C; c += G) {
        const double sm = ::exp(static_cast<T>(xp[c * inner] - lse));
        d[c * inner] = static_cast<T>(s * (bsum * sm - b(c)));
      }
    } else {
      for (int64_t c = grp.lane; c < C; c += G) d[c * inner] = static_cast<T>(-s * b(c));
    }
    if (dq)
      for (int64_t c = grp.lane; c < C; c += G)
        dq[base + c * inner] = static_cast<T>(-s * a.tw.keep * a.tw.weight(c) * (xp[c * inner] - lse));
  });
}

// Calls f(std::integral_constant<int, G>) with the group size for this geometry, and the grid.
template <class F>
void with_group(const NllGeometry& g, F f) {
  if (g.inner == 1 && g.classes >= 16) f(std::integral_constant<int, kWarp>{}, grid_for(g.positions() * kWarp));
  else f(std::integral_constant<int, 1>{}, grid_for(g.positions()));
}

}  // namespace

void nll_forward(const Tensor& x, const Tensor& target, const NllGeometry& g, const NllOptions& o,
                 const Tensor& loss, const Tensor& denom, const Tensor& lse) {
  if (g.positions() == 0) return;
  PT_DISPATCH_FLOAT(x->dtype(), "nll_loss", [&] {
    const NllArgs<scalar_t> a = make_nll_args<scalar_t>(x, target, g, o);
    scalar_t* dp = o.prob_target ? nullptr : denom->data<scalar_t>();
    scalar_t* sp = o.log_softmax ? lse->data<scalar_t>() : nullptr;
    with_group(g, [&](auto group, int blocks) {
      nll_forward_kernel<scalar_t, decltype(group)::value>
          <<<blocks, kThreads>>>(a, loss->data<scalar_t>(), dp, sp);
    });
    check_launch("nll_forward_kernel");
  });
}

void nll_backward(const Tensor& x, const Tensor& target, const Tensor& lse, const Tensor& grad, double factor,
                  const NllGeometry& g, const NllOptions& o, const Tensor& dx, const Tensor* dtarget) {
  if (g.positions() == 0) return;
  PT_DISPATCH_FLOAT(x->dtype(), "nll_loss_backward", [&] {
    const NllArgs<scalar_t> a = make_nll_args<scalar_t>(x, target, g, o);
    const scalar_t* sp = o.log_softmax ? lse->data<scalar_t>() : nullptr;
    scalar_t* dq = dtarget ? (*dtarget)->data<scalar_t>() : nullptr;
    const bool per_position = grad->numel() == g.positions();
    with_group(g, [&](auto group, int blocks) {
      nll_backward_kernel<scalar_t, decltype(group)::value><<<blocks, kThreads>>>(
          a, sp, grad->data<scalar_t>(), per_position, factor, dx->data<scalar_t>(), dq);
    });
    check_launch("nll_backward_kernel");
  });
}

}  // namespace pt::cuda
