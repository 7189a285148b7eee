// Fused optimizer updates: argument checks, contiguous staging, the step counter, dispatch.
#include "ops/optim.h"

#include <algorithm>
#include <array>
#include <vector>

#include "core/error.h"
#include "cpu/optim.h"
#include "cuda/kernels.h"
#include "ops/copy.h"

namespace pt::ops {

namespace {

using TensorList = std::vector<Tensor>;

// A state buffer the update writes; t is null when the options leave it out.
struct Buffer {
  const Tensor* t;
  const char* name;
};

bool overlaps(const Tensor& a, const Tensor& b) {
  return partial_overlap(a, b) || (a->numel() > 0 && a->raw_data() == b->raw_data());
}

void check_like_param(const char* op, const Tensor& param, const Tensor& t, const char* name) {
  same_device(op, {&param, &t});
  PT_CHECK(t->sizes() == param->sizes(), RuntimeError, op, "(): ", name, " has shape ",
           t->sizes(), " but param has shape ", param->sizes());
  PT_CHECK(t->dtype() == param->dtype(), RuntimeError, op, "(): ", name, " has dtype ",
           t->dtype(), " but param has dtype ", param->dtype());
}

// A contiguous tensor with t's values, copied without autograd (t itself when contiguous).
Tensor contiguous_copy(const Tensor& t, const char* op) {
  if (t->is_contiguous()) return t;
  Tensor out = empty(t->sizes(), t->dtype(), t->device());
  copy_into(out, t, op);
  return out;
}

// The step counter is a one-element floating-point CPU tensor (PyTorch's default,
// non-capturable layout), read and advanced on the host.
void check_step(const Tensor& step, const char* op) {
  check_cpu(step, op);
  PT_CHECK(step->numel() == 1 && is_floating(step->dtype()), RuntimeError, op,
           "(): step must be a one-element floating-point tensor, but got shape ",
           step->sizes(), " and dtype ", step->dtype());
}

// Adds 1 to the (checked) step counter and returns the new count.
double next_step(const Tensor& step, const char* op) {
  double count = 0;
  PT_DISPATCH_FLOAT(step->dtype(), op, [&] {
    scalar_t& s = *step->data<scalar_t>();
    s = s + scalar_t(1);
    count = s;
  });
  step->bump_version();
  return count;
}

const Tensor* present(const std::optional<Tensor>& t) { return t ? &*t : nullptr; }

// One parameter's update, checked and staged: written[0] is the parameter, then its state
// buffers; work[i] is a contiguous tensor with written[i]'s values (written[i] itself when
// contiguous), written back by finish(). `step` is the counter to advance (null for SGD).
template <size_t N>
struct Staged {
  std::array<Buffer, N + 1> written;
  Tensor grad;
  std::array<Tensor, N + 1> work;
  const Tensor* step;
  bool first_step;
  const Tensor& param() const { return work[0]; }
  // The work state buffers as the CPU kernels take them (null where an option leaves one out).
  const Tensor* state(size_t i) const { return written[i + 1].t ? &work[i + 1] : nullptr; }
};

// Checks the operands and stages contiguous copies of the non-contiguous ones: a
// non-contiguous tensor is read (grad) or updated (the others) through a contiguous copy.
template <size_t N>
Staged<N> stage(const char* op, const Tensor& param, const Tensor& grad,
                const std::array<Buffer, N>& state, const Tensor* step, bool first_step = false) {
  PT_CHECK(is_floating(param->dtype()), RuntimeError, op,
           "(): expected a floating-point param, but got ", param->dtype());
  check_like_param(op, param, grad, "grad");
  Staged<N> s{{{{&param, "param"}}}, Tensor(), {}, step, first_step};
  for (size_t i = 0; i < N; ++i) s.written[i + 1] = state[i];
  for (size_t i = 0; i <= N; ++i) {
    if (!s.written[i].t) continue;
    const Tensor& t = *s.written[i].t;
    if (i > 0) check_like_param(op, param, t, s.written[i].name);
    check_no_internal_overlap(t, op);
    PT_CHECK(!partial_overlap(grad, t), RuntimeError, op, "(): grad and ", s.written[i].name,
             " partially overlap");
    for (size_t j = 0; j < i; ++j)
      PT_CHECK(!s.written[j].t || !overlaps(*s.written[j].t, t), RuntimeError, op, "(): ",
               s.written[j].name, " and ", s.written[i].name, " share memory");
  }
  if (step) check_step(*step, op);
  s.grad = contiguous_copy(grad, op);
  for (size_t i = 0; i <= N; ++i)
    if (s.written[i].t) s.work[i] = contiguous_copy(*s.written[i].t, op);
  return s;
}

// Bumps the version of every written tensor and copies staged values back.
template <size_t N>
void finish(const Staged<N>& s, const char* op) {
  for (size_t i = 0; i <= N; ++i) {
    if (!s.written[i].t) continue;
    const Tensor& orig = *s.written[i].t;
    orig->bump_version();
    if (s.work[i] != orig) copy_into(orig, s.work[i], op);
  }
}

// Runs the staged updates: advances each step counter, then the CPU kernel per parameter
// (kernel(staged, step)) or, on the device, one multi-tensor launch per dtype
// (kernel(dtype, slots)); then writes back.
template <size_t N, class Kernel>
void run(const char* op, const std::vector<Staged<N>>& batch, const Kernel& kernel) {
  std::vector<cuda::OptimSlot> slots[2];  // float32, float64
  for (const Staged<N>& s : batch) {
    const double step = s.step ? next_step(*s.step, op) : 0.0;
    if (!s.param()->device().is_cuda()) {
      kernel(s, step);
      continue;
    }
    cuda::OptimSlot slot{s.param()->raw_data(), s.grad->raw_data(), {nullptr, nullptr, nullptr},
                         s.param()->numel(), step, s.first_step};
    for (size_t i = 0; i < N; ++i)
      if (s.state(i)) slot.state[i] = (*s.state(i))->raw_data();
    slots[s.param()->dtype() == DType::Float64].push_back(slot);
  }
  if (!slots[0].empty()) kernel(DType::Float32, slots[0]);
  if (!slots[1].empty()) kernel(DType::Float64, slots[1]);
  for (const Staged<N>& s : batch) finish(s, op);
}

// The list form: stages params[i] with make(i) and runs them in batches; a parameter whose
// storage is already in the batch (a repeated parameter) first runs the batch, so that each
// update reads the previous one's result as in the one-by-one loop.
template <size_t N, class Make, class Kernel>
void run_list(const char* op, const TensorList& params, const TensorList& grads, const Make& make,
              const Kernel& kernel) {
  PT_CHECK(grads.size() == params.size(), RuntimeError, op, "(): got ", params.size(),
           " params but ", grads.size(), " grads");
  std::vector<Staged<N>> batch;
  batch.reserve(params.size());
  std::vector<const Storage*> storages;
  for (size_t i = 0; i < params.size(); ++i) {
    const Storage* st = params[i]->storage().get();
    if (std::find(storages.begin(), storages.end(), st) != storages.end()) {
      run(op, batch, kernel);
      batch.clear();
      storages.clear();
    }
    batch.push_back(make(i));
    storages.push_back(st);
  }
  run(op, batch, kernel);
}

// An optional list's i-th tensor, or null; its length must match params'.
const Tensor* item(const std::optional<TensorList>& list, size_t i) {
  return list ? &(*list)[i] : nullptr;
}
void check_length(const char* op, const TensorList& params, size_t n, const char* name) {
  PT_CHECK(n == params.size(), RuntimeError, op, "(): got ", params.size(), " params but ", n,
           " ", name);
}
void check_length(const char* op, const TensorList& params, const std::optional<TensorList>& list,
                  const char* name) {
  if (list) check_length(op, params, list->size(), name);
}

// Each optimizer's kernels over staged updates: the CPU kernel per parameter, the CUDA
// kernel over a list of slots.
struct SgdKernel {
  cpu::SgdOptions o;
  void operator()(const Staged<1>& s, double) const {
    cpu::SgdOptions so = o;
    so.first_step = s.first_step;
    cpu::sgd_step(s.param(), s.grad, s.state(0), so);
  }
  void operator()(DType dtype, const std::vector<cuda::OptimSlot>& slots) const {
    cuda::sgd_step(dtype, slots, o);
  }
};
struct AdamKernel {
  cpu::AdamOptions o;
  void operator()(const Staged<3>& s, double step) const {
    cpu::AdamOptions so = o;
    so.step = step;
    cpu::adam_step(s.param(), s.grad, *s.state(0), *s.state(1), s.state(2), so);
  }
  void operator()(DType dtype, const std::vector<cuda::OptimSlot>& slots) const {
    cuda::adam_step(dtype, slots, o);
  }
};
struct RmspropKernel {
  cpu::RmspropOptions o;
  void operator()(const Staged<3>& s, double) const {
    cpu::rmsprop_step(s.param(), s.grad, *s.state(0), s.state(1), s.state(2), o);
  }
  void operator()(DType dtype, const std::vector<cuda::OptimSlot>& slots) const {
    cuda::rmsprop_step(dtype, slots, o);
  }
};
struct AdagradKernel {
  cpu::AdagradOptions o;
  void operator()(const Staged<1>& s, double step) const {
    cpu::AdagradOptions so = o;
    so.step = step;
    cpu::adagrad_step(s.param(), s.grad, *s.state(0), so);
  }
  void operator()(DType dtype, const std::vector<cuda::OptimSlot>& slots) const {
    cuda::adagrad_step(dtype, slots, o);
  }
};

std::array<Buffer, 1> sgd_state(const Tensor* buf) { return {{{buf, "momentum_buffer"}}}; }
std::array<Buffer, 3> adam_state(const Tensor* m, const Tensor* v, const Tensor* v_max) {
  return {{{m, "exp_avg"}, {v, "exp_avg_sq"}, {v_max, "max_exp_avg_sq"}}};
}
std::array<Buffer, 3> rmsprop_state(const Tensor* v, const Tensor* a, const Tensor* buf) {
  return {{{v, "square_avg"}, {a, "grad_avg"}, {buf, "momentum_buffer"}}};
}
std::array<Buffer, 1> adagrad_state(const Tensor* sum) { return {{{sum, "sum"}}}; }

}  // namespace

void sgd_step_(const Tensor& param, const Tensor& grad,
               const std::optional<Tensor>& momentum_buffer, double lr, double momentum,
               double dampening, double weight_decay, bool nesterov, bool maximize,
               bool first_step) {
  const char* op = "_sgd_step_";
  PT_CHECK(momentum == 0 || momentum_buffer, RuntimeError, op,
           "(): momentum != 0 needs a momentum_buffer");
  const Tensor* buf = momentum != 0 ? present(momentum_buffer) : nullptr;
  run(op, std::vector{stage(op, param, grad, sgd_state(buf), nullptr, first_step)},
      SgdKernel{{lr, momentum, dampening, weight_decay, nesterov, maximize, first_step}});
}

void adam_step_(const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                const Tensor& exp_avg_sq, const std::optional<Tensor>& max_exp_avg_sq,
                const Tensor& step, double lr, double beta1, double beta2, double eps,
                double weight_decay, bool decoupled, bool amsgrad, bool maximize) {
  const char* op = "_adam_step_";
  PT_CHECK(!amsgrad || max_exp_avg_sq, RuntimeError, op, "(): amsgrad needs max_exp_avg_sq");
  const auto state = adam_state(&exp_avg, &exp_avg_sq, amsgrad ? present(max_exp_avg_sq) : nullptr);
  run(op, std::vector{stage(op, param, grad, state, &step)},
      AdamKernel{{lr, beta1, beta2, eps, weight_decay, decoupled, amsgrad, maximize, 0.0}});
}

void rmsprop_step_(const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                   const std::optional<Tensor>& grad_avg,
                   const std::optional<Tensor>& momentum_buffer, const Tensor& step, double lr,
                   double alpha, double eps, double weight_decay, double momentum,
                   bool maximize) {
  const char* op = "_rmsprop_step_";
  PT_CHECK(momentum <= 0 || momentum_buffer, RuntimeError, op,
           "(): momentum > 0 needs a momentum_buffer");
  const auto state = rmsprop_state(&square_avg, present(grad_avg),
                                   momentum > 0 ? present(momentum_buffer) : nullptr);
  run(op, std::vector{stage(op, param, grad, state, &step)},
      RmspropKernel{{lr, alpha, eps, weight_decay, momentum, grad_avg.has_value(), maximize}});
}

void adagrad_step_(const Tensor& param, const Tensor& grad, const Tensor& sum,
                   const Tensor& step, double lr, double lr_decay, double weight_decay,
                   double eps, bool maximize) {
  const char* op = "_adagrad_step_";
  run(op, std::vector{stage(op, param, grad, adagrad_state(&sum), &step)},
      AdagradKernel{{lr, lr_decay, weight_decay, eps, maximize, 0.0}});
}

void sgd_step_multi_(const TensorList& params, const TensorList& grads,
                     const std::optional<TensorList>& momentum_buffers, double lr,
                     double momentum, double dampening, double weight_decay, bool nesterov,
                     bool maximize, const std::vector<bool>& first_steps) {
  const char* op = "_sgd_step_multi_";
  PT_CHECK(momentum == 0 || momentum_buffers, RuntimeError, op,
           "(): momentum != 0 needs momentum_buffers");
  check_length(op, params, momentum_buffers, "momentum_buffers");
  check_length(op, params, first_steps.size(), "first_steps");
  run_list<1>(op, params, grads, [&](size_t i) {
    const Tensor* buf = momentum != 0 ? item(momentum_buffers, i) : nullptr;
    return stage(op, params[i], grads[i], sgd_state(buf), nullptr, first_steps[i]);
  }, SgdKernel{{lr, momentum, dampening, weight_decay, nesterov, maximize, false}});
}

void adam_step_multi_(const TensorList& params, const TensorList& grads,
                      const TensorList& exp_avgs, const TensorList& exp_avg_sqs,
                      const std::optional<TensorList>& max_exp_avg_sqs, const TensorList& steps,
                      double lr, double beta1, double beta2, double eps, double weight_decay,
                      bool decoupled, bool amsgrad, bool maximize) {
  const char* op = "_adam_step_multi_";
  PT_CHECK(!amsgrad || max_exp_avg_sqs, RuntimeError, op, "(): amsgrad needs max_exp_avg_sqs");
  check_length(op, params, exp_avgs.size(), "exp_avgs");
  check_length(op, params, exp_avg_sqs.size(), "exp_avg_sqs");
  check_length(op, params, max_exp_avg_sqs, "max_exp_avg_sqs");
  check_length(op, params, steps.size(), "steps");
  run_list<3>(op, params, grads, [&](size_t i) {
    const auto state = adam_state(&exp_avgs[i], &exp_avg_sqs[i],
                                  amsgrad ? item(max_exp_avg_sqs, i) : nullptr);
    return stage(op, params[i], grads[i], state, &steps[i]);
  }, AdamKernel{{lr, beta1, beta2, eps, weight_decay, decoupled, amsgrad, maximize, 0.0}});
}

void rmsprop_step_multi_(const TensorList& params, const TensorList& grads,
                         const TensorList& square_avgs, const std::optional<TensorList>& grad_avgs,
                         const std::optional<TensorList>& momentum_buffers,
                         const TensorList& steps, double lr, double alpha, double eps,
                         double weight_decay, double momentum, bool maximize) {
  const char* op = "_rmsprop_step_multi_";
  PT_CHECK(momentum <= 0 || momentum_buffers, RuntimeError, op,
           "(): momentum > 0 needs momentum_buffers");
  check_length(op, params, square_avgs.size(), "square_avgs");
  check_length(op, params, grad_avgs, "grad_avgs");
  check_length(op, params, momentum_buffers, "momentum_buffers");
  check_length(op, params, steps.size(), "steps");
  run_list<3>(op, params, grads, [&](size_t i) {
    const auto state = rmsprop_state(&square_avgs[i], item(grad_avgs, i),
                                     momentum > 0 ? item(momentum_buffers, i) : nullptr);
    return stage(op, params[i], grads[i], state, &steps[i]);
  }, RmspropKernel{{lr, alpha, eps, weight_decay, momentum, grad_avgs.has_value(), maximize}});
}

void adagrad_step_multi_(const TensorList& params, const TensorList& grads,
                         const TensorList& sums, const TensorList& steps, double lr,
                         double lr_decay, double weight_decay, double eps, bool maximize) {
  const char* op = "_adagrad_step_multi_";
  check_length(op, params, sums.size(), "sums");
  check_length(op, params, steps.size(), "steps");
  run_list<1>(op, params, grads, [&](size_t i) {
    return stage(op, params[i], grads[i], adagrad_state(&sums[i]), &steps[i]);
  }, AdagradKernel{{lr, lr_decay, weight_decay, eps, maximize, 0.0}});
}

}  // namespace pt::ops
