// Fused optimizer updates: argument checks, contiguous staging, the step counter, dispatch.
#include "ops/optim.h"

#include <array>

#include "core/error.h"
#include "cpu/optim.h"
#include "ops/copy.h"

namespace pt::ops {

namespace {

// A state buffer the update writes; t is null when the options leave it out.
struct Buffer {
  const Tensor* t;
  const char* name;
};

bool overlaps(const Tensor& a, const Tensor& b) {
  return partial_overlap(a, b) || (a->numel() > 0 && a->raw_data() == b->raw_data());
}

void check_like_param(const char* op, const Tensor& param, const Tensor& t, const char* name) {
  check_cpu(t, op);
  PT_CHECK(t->sizes() == param->sizes(), RuntimeError, op, "(): ", name, " has shape ",
           t->sizes(), " but param has shape ", param->sizes());
  PT_CHECK(t->dtype() == param->dtype(), RuntimeError, op, "(): ", name, " has dtype ",
           t->dtype(), " but param has dtype ", param->dtype());
}

// A contiguous tensor with t's values, copied without autograd (t itself when contiguous).
Tensor contiguous_copy(const Tensor& t, const char* op) {
  if (t->is_contiguous()) return t;
  Tensor out = empty(t->sizes(), t->dtype());
  copy_into(out, t, op);
  return out;
}

// Checks the operands, then runs kernel(param, grad, state) on contiguous tensors: a
// non-contiguous tensor is read (grad) or updated (the others) through a contiguous copy that
// is written back afterwards. Every written tensor's version is bumped.
template <size_t N, class F>
void fused_update(const char* op, const Tensor& param, const Tensor& grad,
                  const std::array<Buffer, N>& state, const F& kernel) {
  check_cpu(param, op);
  PT_CHECK(is_floating(param->dtype()), RuntimeError, op,
           "(): expected a floating-point param, but got ", param->dtype());
  check_like_param(op, param, grad, "grad");
  std::array<Buffer, N + 1> written{{{&param, "param"}}};
  for (size_t i = 0; i < N; ++i) written[i + 1] = state[i];
  for (size_t i = 0; i <= N; ++i) {
    if (!written[i].t) continue;
    const Tensor& t = *written[i].t;
    if (i > 0) check_like_param(op, param, t, written[i].name);
    check_no_internal_overlap(t, op);
    PT_CHECK(!partial_overlap(grad, t), RuntimeError, op, "(): grad and ", written[i].name,
             " partially overlap");
    for (size_t j = 0; j < i; ++j)
      PT_CHECK(!written[j].t || !overlaps(*written[j].t, t), RuntimeError, op, "(): ",
               written[j].name, " and ", written[i].name, " share memory");
  }

  const Tensor g = contiguous_copy(grad, op);
  std::array<Tensor, N + 1> work;
  std::array<const Tensor*, N> work_state{};
  for (size_t i = 0; i <= N; ++i) {
    if (!written[i].t) continue;
    work[i] = contiguous_copy(*written[i].t, op);
    if (i > 0) work_state[i - 1] = &work[i];
  }
  kernel(work[0], g, work_state);
  for (size_t i = 0; i <= N; ++i) {
    if (!written[i].t) continue;
    const Tensor& orig = *written[i].t;
    orig->bump_version();
    if (work[i] != orig) copy_into(orig, work[i], op);
  }
}

// Adds 1 to the step counter and returns the new count.
double next_step(const Tensor& step, const char* op) {
  check_cpu(step, op);
  PT_CHECK(step->numel() == 1 && is_floating(step->dtype()), RuntimeError, op,
           "(): step must be a one-element floating-point tensor, but got shape ",
           step->sizes(), " and dtype ", step->dtype());
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

}  // namespace

void sgd_step_(const Tensor& param, const Tensor& grad,
               const std::optional<Tensor>& momentum_buffer, double lr, double momentum,
               double dampening, double weight_decay, bool nesterov, bool maximize,
               bool first_step) {
  const char* op = "_sgd_step_";
  PT_CHECK(momentum == 0 || momentum_buffer, RuntimeError, op,
           "(): momentum != 0 needs a momentum_buffer");
  const cpu::SgdOptions o{lr, momentum, dampening, weight_decay, nesterov, maximize, first_step};
  const Tensor* buf = momentum != 0 ? present(momentum_buffer) : nullptr;
  fused_update(op, param, grad, std::array<Buffer, 1>{{{buf, "momentum_buffer"}}},
               [&](const Tensor& p, const Tensor& g, const auto& s) {
                 cpu::sgd_step(p, g, s[0], o);
               });
}

void adam_step_(const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                const Tensor& exp_avg_sq, const std::optional<Tensor>& max_exp_avg_sq,
                const Tensor& step, double lr, double beta1, double beta2, double eps,
                double weight_decay, bool decoupled, bool amsgrad, bool maximize) {
  const char* op = "_adam_step_";
  PT_CHECK(!amsgrad || max_exp_avg_sq, RuntimeError, op, "(): amsgrad needs max_exp_avg_sq");
  const std::array<Buffer, 3> state{{{&exp_avg, "exp_avg"},
                                     {&exp_avg_sq, "exp_avg_sq"},
                                     {amsgrad ? present(max_exp_avg_sq) : nullptr,
                                      "max_exp_avg_sq"}}};
  fused_update(op, param, grad, state, [&](const Tensor& p, const Tensor& g, const auto& s) {
    const cpu::AdamOptions o{lr,        beta1,   beta2,    eps,     weight_decay,
                             decoupled, amsgrad, maximize, next_step(step, op)};
    cpu::adam_step(p, g, *s[0], *s[1], s[2], o);
  });
}

void rmsprop_step_(const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                   const std::optional<Tensor>& grad_avg,
                   const std::optional<Tensor>& momentum_buffer, const Tensor& step, double lr,
                   double alpha, double eps, double weight_decay, double momentum,
                   bool maximize) {
  const char* op = "_rmsprop_step_";
  PT_CHECK(momentum <= 0 || momentum_buffer, RuntimeError, op,
           "(): momentum > 0 needs a momentum_buffer");
  const std::array<Buffer, 3> state{{{&square_avg, "square_avg"},
                                     {present(grad_avg), "grad_avg"},
                                     {momentum > 0 ? present(momentum_buffer) : nullptr,
                                      "momentum_buffer"}}};
  fused_update(op, param, grad, state, [&](const Tensor& p, const Tensor& g, const auto& s) {
    next_step(step, op);
    const cpu::RmspropOptions o{lr, alpha, eps, weight_decay, momentum, grad_avg.has_value(),
                                maximize};
    cpu::rmsprop_step(p, g, *s[0], s[1], s[2], o);
  });
}

void adagrad_step_(const Tensor& param, const Tensor& grad, const Tensor& sum,
                   const Tensor& step, double lr, double lr_decay, double weight_decay,
                   double eps, bool maximize) {
  const char* op = "_adagrad_step_";
  fused_update(op, param, grad, std::array<Buffer, 1>{{{&sum, "sum"}}},
               [&](const Tensor& p, const Tensor& g, const auto& s) {
                 const cpu::AdagradOptions o{lr, lr_decay, weight_decay, eps, maximize,
                                             next_step(step, op)};
                 cpu::adagrad_step(p, g, *s[0], o);
               });
}

}  // namespace pt::ops
