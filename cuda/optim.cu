// CUDA kernels of the fused optimizer updates (SGD, Adam/AdamW, RMSprop, Adagrad), with the
// arithmetic of cpu/optim_kernels.h operation by operation (PyTorch's single-tensor step):
// scalars rounded to the dtype, fma exactly where the CPU's madd/lerp fuse, and products that
// the CPU rounds before a sum kept unfused (__fmul_rn: nvcc would contract a * b + c).
// Multi-tensor: a launch takes a table of up to kMaxSlots parameters by value (pointers,
// sizes, per-parameter step scalars); every parameter is cut into chunks of kChunk elements and
// block q of the grid-stride loop updates chunk q of the concatenation, so one launch updates
// many parameters. A single-tensor step is a table of one.
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "cuda/kernels.h"
#include "cuda/loop.cuh"

namespace pt::cuda {
namespace {

constexpr int kMaxSlots = 36;
constexpr int64_t kChunk = 4096;

// One parameter in a launch. aux: per-parameter scalars in double (Adam: -lr / bias1 and
// sqrt(bias2); Adagrad: -clr); flag: SGD's first step.
struct Slot {
  void* p;
  const void* g;
  void* s[3];
  int64_t n;
  double aux[2];
  int flag;
};

struct Table {
  Slot slot[kMaxSlots];
  int64_t first_chunk[kMaxSlots + 1];  // slot k owns chunks [first_chunk[k], first_chunk[k + 1])
  int count;
};
static_assert(sizeof(Table) <= 3584, "kernel parameters are limited to 4 KiB (the functor comes too)");

__device__ inline float mul_rn(float a, float b) { return __fmul_rn(a, b); }
__device__ inline double mul_rn(double a, double b) { return __dmul_rn(a, b); }

// torch.maximum: NaN wins.
template <class T>
__device__ T max_nan(T a, T b) {
  return (a > b || a != a) ? a : b;
}

// PyTorch's lerp with a scalar weight w (see cpu/optim_kernels.h): coeff = w, or w - 1 when
// |w| >= 0.5, taken from `start` or from `end` so that either end is reached exactly.
template <class T>
struct Lerp {
  T coeff;
  bool small;
  __device__ T operator()(T start, T end) const { return fma(coeff, end - start, small ? start : end); }
};
template <class T>
Lerp<T> make_lerp(T w) {
  const bool small = std::abs(w) < T(0.5);
  return {small ? w : w - T(1), small};
}

template <class F>
__global__ void multi_tensor_kernel(Table t, F f) {
  const int64_t total = t.first_chunk[t.count];
  for (int64_t q = blockIdx.x; q < total; q += gridDim.x) {
    int k = 0;
    while (t.first_chunk[k + 1] <= q) ++k;  // first_chunk[k] <= q < first_chunk[k + 1]
    const Slot s = t.slot[k];  // into registers: no dynamic indexing of the parameter space per element
    const int64_t begin = (q - t.first_chunk[k]) * kChunk;
    const int64_t end = begin + kChunk < s.n ? begin + kChunk : s.n;
    for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) f(s, i);
  }
}

// Fills tables of up to kMaxSlots parameters and launches f over each; aux(slot, Slot&) sets
// the per-parameter scalars.
template <class F, class Aux>
void launch_slots(const char* kernel, const std::vector<OptimSlot>& slots, const F& f, const Aux& aux) {
  for (size_t first = 0; first < slots.size(); first += kMaxSlots) {
    Table t{};
    t.count = static_cast<int>(std::min<size_t>(kMaxSlots, slots.size() - first));
    for (int k = 0; k < t.count; ++k) {
      const OptimSlot& o = slots[first + k];
      Slot& s = t.slot[k];
      s.p = o.param;
      s.g = o.grad;
      for (int j = 0; j < 3; ++j) s.s[j] = o.state[j];
      s.n = o.numel;
      aux(o, s);
      t.first_chunk[k + 1] = t.first_chunk[k] + (o.numel + kChunk - 1) / kChunk;
    }
    const int64_t total = t.first_chunk[t.count];
    if (total == 0) continue;
    multi_tensor_kernel<<<static_cast<int>(std::min<int64_t>(total, 65536)), kThreads>>>(t, f);
    check_launch(kernel);
  }
}

// SGD: g = ±grad (+ wd * p); b = g on the first step, else momentum * b + (1 - dampening) * g;
// g = g + momentum * b (Nesterov) or b; p = p - lr * g.
template <class T>
struct SgdF {
  T sign, wd, mom, keep, neg_lr;
  bool decay, nesterov;
  __device__ void operator()(const Slot& s, int64_t i) const {
    T* p = static_cast<T*>(s.p);
    const T* grad = static_cast<const T*>(s.g);
    T* buf = static_cast<T*>(s.s[0]);
    T g = sign * grad[i];
    if (decay) g = fma(p[i], wd, g);
    if (buf) {
      const T b = s.flag ? g : fma(g, keep, mul_rn(buf[i], mom));
      buf[i] = b;
      g = nesterov ? fma(b, mom, g) : b;
    }
    p[i] = fma(g, neg_lr, p[i]);
  }
};

// Adam / AdamW, as adam_loop in cpu/optim_kernels.h.
template <class T>
struct AdamF {
  T sign, wd, keep, beta2, rest2, eps;
  Lerp<T> lerp;
  bool decay, decoupled, amsgrad;
  __device__ void operator()(const Slot& s, int64_t i) const {
    T* p = static_cast<T*>(s.p);
    const T* grad = static_cast<const T*>(s.g);
    T* m = static_cast<T*>(s.s[0]);
    T* v = static_cast<T*>(s.s[1]);
    T* v_max = static_cast<T*>(s.s[2]);
    const T neg_step_size = static_cast<T>(s.aux[0]), bias2_sqrt = static_cast<T>(s.aux[1]);
    T g = sign * grad[i];
    if (decay && decoupled) p[i] = p[i] * keep;
    if (decay && !decoupled) g = fma(p[i], wd, g);
    m[i] = lerp(m[i], g);
    T vi = fma(mul_rn(rest2, g), g, mul_rn(v[i], beta2));
    v[i] = vi;
    if (amsgrad) vi = v_max[i] = max_nan(v_max[i], vi);
    p[i] = p[i] + mul_rn(neg_step_size, m[i]) / (sqrt(vi) / bias2_sqrt + eps);
  }
};

// RMSprop, as rmsprop_loop: centered when grad_avg (state 1) is given, momentum when the
// momentum buffer (state 2) is.
template <class T>
struct RmspropF {
  T sign, wd, alpha, rest, eps, mom, neg_lr;
  Lerp<T> lerp;
  bool decay;
  __device__ void operator()(const Slot& s, int64_t i) const {
    T* p = static_cast<T*>(s.p);
    const T* grad = static_cast<const T*>(s.g);
    T* v = static_cast<T*>(s.s[0]);
    T* a = static_cast<T*>(s.s[1]);
    T* buf = static_cast<T*>(s.s[2]);
    T g = sign * grad[i];
    if (decay) g = fma(p[i], wd, g);
    const T vi = fma(mul_rn(rest, g), g, mul_rn(v[i], alpha));
    v[i] = vi;
    T var = vi;
    if (a) {
      const T ai = lerp(a[i], g);
      a[i] = ai;
      var = fma(-ai, ai, vi);
    }
    const T avg = sqrt(var) + eps;
    if (buf) {
      const T bi = mul_rn(buf[i], mom) + g / avg;
      buf[i] = bi;
      p[i] = fma(bi, neg_lr, p[i]);
    } else {
      p[i] = p[i] + mul_rn(neg_lr, g) / avg;
    }
  }
};

// Adagrad: g = ±grad (+ wd * p); s += g * g; p -= clr * g / (sqrt(s) + eps).
template <class T>
struct AdagradF {
  T sign, wd, eps;
  bool decay;
  __device__ void operator()(const Slot& s, int64_t i) const {
    T* p = static_cast<T*>(s.p);
    const T* grad = static_cast<const T*>(s.g);
    T* sum = static_cast<T*>(s.s[0]);
    const T neg_clr = static_cast<T>(s.aux[0]);
    T g = sign * grad[i];
    if (decay) g = fma(p[i], wd, g);
    const T si = fma(g, g, sum[i]);
    sum[i] = si;
    p[i] = p[i] + mul_rn(neg_clr, g) / (sqrt(si) + eps);
  }
};

}  // namespace

void sgd_step(DType dtype, const std::vector<OptimSlot>& slots, const cpu::SgdOptions& o) {
  PT_DISPATCH_FLOAT(dtype, "_sgd_step_", [&] {
    using T = scalar_t;
    const SgdF<T> f{o.maximize ? T(-1) : T(1), T(o.weight_decay), T(o.momentum), T(1 - o.dampening), T(-o.lr),
                    o.weight_decay != 0, o.nesterov};
    launch_slots("sgd_step_kernel", slots, f, [](const OptimSlot& in, Slot& s) { s.flag = in.first_step; });
  });
}

void adam_step(DType dtype, const std::vector<OptimSlot>& slots, const cpu::AdamOptions& o) {
  PT_DISPATCH_FLOAT(dtype, "_adam_step_", [&] {
    using T = scalar_t;
    const AdamF<T> f{o.maximize ? T(-1) : T(1), T(o.weight_decay), T(1 - o.lr * o.weight_decay),
                     T(o.beta2),                T(1 - o.beta2),     T(o.eps),
                     make_lerp(T(1 - o.beta1)), o.weight_decay != 0, o.decoupled,
                     o.amsgrad};
    launch_slots("adam_step_kernel", slots, f, [&](const OptimSlot& in, Slot& s) {
      const double bias1 = 1 - std::pow(o.beta1, in.step), bias2 = 1 - std::pow(o.beta2, in.step);
      s.aux[0] = -(o.lr / bias1);
      s.aux[1] = std::pow(bias2, 0.5);
    });
  });
}

void rmsprop_step(DType dtype, const std::vector<OptimSlot>& slots, const cpu::RmspropOptions& o) {
  PT_DISPATCH_FLOAT(dtype, "_rmsprop_step_", [&] {
    using T = scalar_t;
    const RmspropF<T> f{o.maximize ? T(-1) : T(1), T(o.weight_decay), T(o.alpha),
                        T(1 - o.alpha),            T(o.eps),          T(o.momentum),
                        T(-o.lr),                  make_lerp(T(1 - o.alpha)), o.weight_decay != 0};
    launch_slots("rmsprop_step_kernel", slots, f, [](const OptimSlot&, Slot&) {});
  });
}

void adagrad_step(DType dtype, const std::vector<OptimSlot>& slots, const cpu::AdagradOptions& o) {
  PT_DISPATCH_FLOAT(dtype, "_adagrad_step_", [&] {
    using T = scalar_t;
    const AdagradF<T> f{o.maximize ? T(-1) : T(1), T(o.weight_decay), T(o.eps), o.weight_decay != 0};
    launch_slots("adagrad_step_kernel", slots, f, [&](const OptimSlot& in, Slot& s) {
      s.aux[0] = -(o.lr / (1 + (in.step - 1) * o.lr_decay));
    });
  });
}

}  // namespace pt::cuda
