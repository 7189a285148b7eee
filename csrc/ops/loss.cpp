// The loss ops: checks, PyTorch's errors, reductions, and each op's backward node.
#include "ops/loss.h"

#include <utility>

#include "autograd/record.h"
#include "core/error.h"
#include "cpu/loss.h"
#include "cuda/kernels.h"
#include "ops/copy.h"
#include "ops/elementwise.h"
#include "ops/factory.h"
#include "ops/reduce.h"
#include "ops/shape.h"
#include "ops/softmax.h"

namespace pt::ops {

namespace {

enum class Reduction { None, Mean, Sum };

Reduction parse_reduction(const std::string& r) {
  if (r == "mean") return Reduction::Mean;
  if (r == "sum") return Reduction::Sum;
  if (r == "none") return Reduction::None;
  throw ValueError(str_cat(r, " is not a valid value for reduction"));
}

Scalar num(double v) { return Scalar::from_double(v); }

// PyTorch refuses class weights (and pos_weight) that require grad rather than ignoring them.
void check_not_differentiable(const std::optional<Tensor>& t, const char* op, const char* arg) {
  if (t && autograd::needs_grad({&*t}))
    throw RuntimeError(str_cat("The function '", op, "' is not differentiable with respect to argument '",
                               arg, "'. This input cannot have requires_grad True."));
}

void check_floating(DType dt, const char* op) {
  if (!is_floating(dt))
    throw NotImplementedError(str_cat("\"", op, "\" not implemented for '", torch_dtype_name(dt), "'"));
}

// The value of a one-element tensor on any device (a device-to-host copy for CUDA ones).
template <class T>
T host_value(const Tensor& t) {
  return to(t, dtype_of<T>::value, cpu_device())->template data<T>()[0];
}

// PyTorch prints sizes in these messages as lists: [2, 3].
std::string list_str(const DimVec& v) {
  std::string s = "[";
  for (int64_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

// ---------------------------------------------------------------------------------------------
// cross_entropy and nll_loss: one fused op (cpu/loss.h explains B, the effective target weights).

struct NllSpec {
  cpu::NllGeometry geo;
  int64_t class_dim;
  DType dtype;  // the dtype the loss is computed in
  int64_t ignore_index;
  double smoothing;
  bool log_softmax, prob_target;
  Reduction reduction;
};

// The gradient as ops, for create_graph: differentiable again (in x, the probability target and
// the incoming gradient). Returns {dx, dtarget}.
std::pair<Tensor, Tensor> nll_backward_composite(const NllSpec& s, const Tensor& x, const Tensor& target,
                                                 const Tensor& weight, const Tensor& grad, double factor,
                                                 bool need_dtarget) {
  const int64_t cd = s.class_dim, C = s.geo.classes;
  DimVec along(x->dim(), 1);  // (1, C, 1, ...): a per-class vector placed on the class dim
  along[cd] = C;
  const Tensor xd = to(x, s.dtype, x->device());
  const Tensor logp = s.log_softmax ? log_softmax(xd, cd, std::nullopt) : xd;
  const Tensor w = weight ? view(weight, along) : Tensor{};
  Tensor b;
  if (s.prob_target) {
    b = add(mul(to(target, s.dtype, x->device()), num(1 - s.smoothing)), num(s.smoothing / C));
  } else {
    const Tensor classes = view(arange(Scalar::from_int(0), Scalar::from_int(C), Scalar::from_int(1),
                                       DType::Int64, x->device()), along);
    const Tensor t = unsqueeze(target, cd);
    const Tensor onehot = to(eq(classes, t), s.dtype, x->device());
    const Tensor kept = to(ne(t, Scalar::from_int(s.ignore_index)), s.dtype, x->device());
    b = mul(add(mul(onehot, num(1 - s.smoothing)), num(s.smoothing / C)), kept);
  }
  if (w) b = mul(b, w);
  Tensor g = mul(to(grad, s.dtype, x->device()), num(factor));
  if (s.reduction == Reduction::None) g = unsqueeze(g, cd);
  const Tensor dx = s.log_softmax ? mul(g, sub(mul(sum(b, DimVec{cd}, true, std::nullopt), exp(logp)), b))
                                  : neg(mul(g, b));
  Tensor dq;
  if (need_dtarget) {
    const Tensor wl = w ? mul(w, logp) : logp;
    dq = mul(g, mul(wl, num(-(1 - s.smoothing))));
  }
  return {dx, dq};
}

struct NllBackward final : autograd::Node {
  NllBackward(std::string name, NllSpec spec) : name_(std::move(name)), spec_(spec) {}
  std::string name() const override { return name_; }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    const Tensor x = input.unpack(this), t = target.unpack(this);
    const double factor = spec_.reduction == Reduction::Mean ? 1.0 / denominator : 1.0;
    const bool need_dx = next_edges[0].fn != nullptr;
    const bool need_dt = spec_.prob_target && next_edges[1].fn != nullptr;
    Tensor dx, dq;
    if (autograd::grad_enabled()) {
      std::tie(dx, dq) = nll_backward_composite(spec_, x, t, weight, grads[0], factor, need_dt);
    } else {
      const Tensor xc = contiguous(to(x, spec_.dtype, x->device()));
      const Tensor tc = contiguous(to(t, spec_.prob_target ? spec_.dtype : DType::Int64, t->device()));
      const Tensor gc = contiguous(to(grads[0], spec_.dtype, x->device()));
      dx = pt::empty(xc->sizes(), spec_.dtype, x->device());
      if (need_dt) dq = pt::empty(xc->sizes(), spec_.dtype, x->device());
      const cpu::NllOptions o{weight ? &weight : nullptr, spec_.ignore_index, spec_.smoothing,
                              spec_.log_softmax, spec_.prob_target};
      const Tensor* dqp = need_dt ? &dq : nullptr;
      if (x->device().is_cuda()) cuda::nll_backward(xc, tc, lse, gc, factor, spec_.geo, o, dx, dqp);
      else cpu::nll_backward(xc, tc, lse, gc, factor, spec_.geo, o, dx, dqp);
    }
    return {need_dx ? to(dx, x->dtype(), x->device()) : Tensor{},
            need_dt ? to(dq, t->dtype(), t->device()) : Tensor{}};
  }
  void release_saved() override {
    input.reset();
    target.reset();
    weight = lse = nullptr;
  }
  autograd::SavedVariable input, target;
  Tensor weight, lse;  // weight as the kernel reads it (contiguous, loss dtype); lse per position
  double denominator = 1;

 private:
  std::string name_;
  NllSpec spec_;
};

// Checks the class-index target against the input as PyTorch's nll_loss does.
void check_index_target(const Tensor& input, const Tensor& target, const char* op) {
  const DType td = target->dtype();
  PT_CHECK(td == DType::Int64 || td == DType::UInt8, RuntimeError,
           "expected target dtype to be Long or Byte, but got ", torch_dtype_name(td));
  const int64_t nd = input->dim();
  if (nd == 1) {
    PT_CHECK(target->dim() == 0 || (target->dim() == 1 && target->numel() == 1), RuntimeError,
             op, ": 0D target (or one element) expected for 1D input, got target of shape ",
             target->sizes());
    return;
  }
  PT_CHECK(nd != 2 || target->dim() <= 1, RuntimeError,
           "0D or 1D target tensor expected, multi-target not supported");
  const int64_t tn = target->dim() ? target->sizes()[0] : 0;
  PT_CHECK(tn == input->sizes()[0], ValueError, "Expected input batch_size (", input->sizes()[0],
           ") to match target batch_size (", tn, ").");
  DimVec expected;
  for (int64_t d = 0; d < nd; ++d)
    if (d != 1) expected.push_back(input->sizes()[d]);
  PT_CHECK(target->sizes() == expected, RuntimeError, "Expected target size ", list_str(expected),
           ", got ", list_str(target->sizes()));
}

Tensor nll_op(const char* op, const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
              int64_t ignore_index, const std::string& reduction, double smoothing, bool log_softmax) {
  const Device dev = same_device(op, {&input, &target, weight ? &*weight : nullptr});
  NllSpec s{};
  s.reduction = parse_reduction(reduction);
  s.prob_target = log_softmax && input->sizes() == target->sizes();
  PT_CHECK(input->dim() >= 1, ValueError, "Expected 1 or more dimensions (got 0)");
  PT_CHECK(smoothing <= 1.0, RuntimeError, "label_smoothing must be between 0.0 and 1.0. Got: ", smoothing);
  check_floating(input->dtype(), op);
  if (s.prob_target)
    PT_CHECK(is_floating(target->dtype()), RuntimeError,
             "Expected floating point type for target with class probabilities, got ",
             torch_dtype_name(target->dtype()));
  else
    check_index_target(input, target, op);
  const int64_t nd = input->dim();
  s.class_dim = nd == 1 ? 0 : 1;
  s.geo = {nd == 1 ? 1 : input->sizes()[0], input->sizes()[s.class_dim], 1};
  for (int64_t d = 2; d < nd; ++d) s.geo.inner *= input->sizes()[d];
  s.dtype = s.prob_target ? promote_types(input->dtype(), target->dtype()) : input->dtype();
  s.ignore_index = ignore_index;
  s.smoothing = smoothing;
  s.log_softmax = log_softmax;
  if (weight) {
    PT_CHECK((*weight)->dim() == 1 && (*weight)->numel() == s.geo.classes, RuntimeError,
             "weight tensor should be defined either for all ", s.geo.classes,
             " classes or no classes but got weight tensor of shape: ", list_str((*weight)->sizes()));
    PT_CHECK((*weight)->dtype() == input->dtype(), RuntimeError, "expected scalar type ",
             torch_dtype_name(input->dtype()), " but found ", torch_dtype_name((*weight)->dtype()));
    check_not_differentiable(weight, log_softmax ? "cross_entropy" : "nll_loss", "weight");
  }

  const Tensor x = contiguous(to(input, s.dtype, input->device()));
  const Tensor t = contiguous(to(target, s.prob_target ? s.dtype : DType::Int64, target->device()));
  if (!s.prob_target) {  // on the host: a CUDA target is copied back for the check
    const Tensor th = to(t, DType::Int64, cpu_device());
    const int64_t* tp = th->data<int64_t>();
    for (int64_t i = 0; i < t->numel(); ++i)
      if (tp[i] != ignore_index && (tp[i] < 0 || tp[i] >= s.geo.classes))
        throw IndexError(str_cat("Target ", tp[i], " is out of bounds."));
  }
  const Tensor w = weight ? contiguous(*weight) : Tensor{};
  DimVec pos_shape = t->sizes();  // one loss per position
  if (s.prob_target) pos_shape.erase(s.class_dim);
  const Tensor loss = pt::empty(pos_shape, s.dtype, dev);
  const Tensor denom = s.prob_target ? Tensor{} : pt::empty(pos_shape, s.dtype, dev);
  const Tensor lse = log_softmax ? pt::empty(pos_shape, s.dtype, dev) : Tensor{};
  const cpu::NllOptions o{w ? &w : nullptr, ignore_index, smoothing, log_softmax, s.prob_target};
  if (dev.is_cuda()) cuda::nll_forward(x, t, s.geo, o, loss, denom, lse);
  else cpu::nll_forward(x, t, s.geo, o, loss, denom, lse);

  auto total = [](const Tensor& v) { return host_value<double>(sum(v, std::nullopt, false, DType::Float64)); };
  double denominator = 1;
  Tensor out = loss;
  if (s.reduction != Reduction::None) {
    double value = total(loss);
    if (s.reduction == Reduction::Mean) {
      denominator = s.prob_target ? static_cast<double>(s.geo.positions()) : total(denom);
      value /= denominator;  // 0 / 0 = nan for an empty batch or every target ignored
    }
    out = full({}, num(value), s.dtype, input->device());
  }
  if (autograd::needs_grad({&input, &target})) {
    std::string name = nd >= 3 ? "NllLoss2DBackward0" : "NllLossBackward0";  // PyTorch's last node
    if (s.prob_target) name = s.reduction == Reduction::Mean ? "DivBackward1" : "NegBackward0";
    else if (smoothing > 0) name = "AddBackward0";
    auto node = autograd::make_node<NllBackward>({&input, &target}, std::move(name), s);
    node->input = autograd::SavedVariable(input, false);
    node->target = autograd::SavedVariable(target, false);
    node->weight = w;
    node->lse = lse;
    node->denominator = denominator;
    autograd::set_history(out, node);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pointwise losses: the forward and the derivatives are composed of ops (no grad recorded
// inside), under one node named as PyTorch's.

enum class Pointwise { Mse, SmoothL1, Huber, Bce, BceWithLogits };

struct PointwiseArgs {
  Pointwise kind;
  double param;       // beta (smooth_l1) or delta (huber)
  Tensor weight, pos_weight;  // optional
};

Tensor softplus_neg(const Tensor& x) {  // log(1 + exp(-x)), stable for large |x|
  return add(clamp_min(neg(x), num(0)), log1p(exp(neg(abs(x)))));
}
Tensor clamped_log(const Tensor& v) { return clamp_min(log(v), num(-100)); }
Tensor one_minus(const Tensor& v) { return sub(num(1), v); }

Tensor pointwise_value(const PointwiseArgs& a, const Tensor& x, const Tensor& y) {
  Tensor l;
  switch (a.kind) {
    case Pointwise::Mse:
      l = square(sub(x, y));
      break;
    case Pointwise::SmoothL1:
    case Pointwise::Huber: {
      const Tensor d = sub(x, y), ad = abs(d);
      if (a.param == 0) return ad;  // smooth_l1 with beta 0 is l1
      const double p = a.param;
      l = a.kind == Pointwise::SmoothL1
              ? where(lt(ad, num(p)), mul(square(d), num(0.5 / p)), sub(ad, num(0.5 * p)))
              : where(lt(ad, num(p)), mul(square(d), num(0.5)), mul(sub(ad, num(0.5 * p)), num(p)));
      break;
    }
    case Pointwise::Bce:
      l = sub(mul(sub(y, num(1)), clamp_min(log1p(neg(x)), num(-100))), mul(y, clamped_log(x)));
      break;
    case Pointwise::BceWithLogits: {
      const Tensor sp = softplus_neg(x);
      const Tensor lw = a.pos_weight ? add(mul(sub(a.pos_weight, num(1)), y), num(1)) : Tensor{};
      l = add(mul(one_minus(y), x), lw ? mul(lw, sp) : sp);
      break;
    }
  }
  return a.weight ? mul(l, a.weight) : l;
}

// d loss / d x and d loss / d y, elementwise (before the incoming gradient).
std::pair<Tensor, Tensor> pointwise_grads(const PointwiseArgs& a, const Tensor& x, const Tensor& y) {
  Tensor dx, dy;
  switch (a.kind) {
    case Pointwise::Mse:
      dx = mul(sub(x, y), num(2));
      dy = neg(dx);
      break;
    case Pointwise::SmoothL1:
    case Pointwise::Huber: {
      const Tensor d = sub(x, y);
      const double p = a.param;
      if (p == 0) dx = sign(d);
      else if (a.kind == Pointwise::SmoothL1) dx = clamp(div(d, num(p)), Arg(num(-1)), Arg(num(1)));
      else dx = clamp(d, Arg(num(-p)), Arg(num(p)));
      dy = neg(dx);
      break;
    }
    case Pointwise::Bce:
      dx = div(sub(x, y), clamp_min(mul(one_minus(x), x), num(1e-12)));
      dy = sub(clamp_min(log1p(neg(x)), num(-100)), clamped_log(x));
      break;
    case Pointwise::BceWithLogits:
      if (a.pos_weight) {
        const Tensor lw = add(mul(sub(a.pos_weight, num(1)), y), num(1));
        dx = sub(one_minus(y), mul(lw, sigmoid(neg(x))));
        dy = add(neg(x), mul(sub(a.pos_weight, num(1)), softplus_neg(x)));
      } else {
        dx = sub(sigmoid(x), y);
        dy = neg(x);
      }
      break;
  }
  if (a.weight) {
    dx = mul(dx, a.weight);
    dy = mul(dy, a.weight);
  }
  return {dx, dy};
}

const char* pointwise_node_name(Pointwise k) {
  switch (k) {
    case Pointwise::Mse: return "MseLossBackward0";
    case Pointwise::SmoothL1: return "SmoothL1LossBackward0";
    case Pointwise::Huber: return "HuberLossBackward0";
    case Pointwise::Bce: return "BinaryCrossEntropyBackward0";
    case Pointwise::BceWithLogits: return "BinaryCrossEntropyWithLogitsBackward0";
  }
  return "?";
}

struct PointwiseLossBackward final : autograd::Node {
  PointwiseLossBackward(PointwiseArgs args, Reduction r, int64_t count)
      : args_(std::move(args)), reduction_(r), count_(count) {}
  std::string name() const override { return pointwise_node_name(args_.kind); }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    const Tensor x = input.unpack(this), y = target.unpack(this);
    Tensor g = grads[0];
    if (reduction_ == Reduction::Mean) g = div(g, num(static_cast<double>(count_)));
    auto [dx, dy] = pointwise_grads(args_, x, y);
    auto back = [&](const Tensor& d, const Tensor& like) {
      return to(sum_to(mul(g, d), like->sizes()), like->dtype(), like->device());
    };
    return {next_edges[0].fn ? back(dx, x) : Tensor{}, next_edges[1].fn ? back(dy, y) : Tensor{}};
  }
  void release_saved() override {
    input.reset();
    target.reset();
    args_.weight = args_.pos_weight = nullptr;
  }
  autograd::SavedVariable input, target;

 private:
  PointwiseArgs args_;
  Reduction reduction_;
  int64_t count_;  // elements of the unreduced loss: mean's divisor
};

Tensor pointwise_op(const char* op, const Tensor& input, const Tensor& target, const std::string& reduction,
                    PointwiseArgs args) {
  same_device(op, {&input, &target, &args.weight, &args.pos_weight});
  const Reduction r = parse_reduction(reduction);
  check_floating(promote_types(input->dtype(), target->dtype()), op);
  Tensor l;
  {
    autograd::GradModeGuard no_grad(false);
    l = pointwise_value(args, input, target);
  }
  const int64_t count = l->numel();
  Tensor out = r == Reduction::None ? l
               : r == Reduction::Sum ? sum(l, std::nullopt, false, std::nullopt)
                                     : mean(l, std::nullopt, false, std::nullopt);
  if (autograd::needs_grad({&input, &target})) {
    auto node = autograd::make_node<PointwiseLossBackward>({&input, &target}, std::move(args), r, count);
    node->input = autograd::SavedVariable(input, false);
    node->target = autograd::SavedVariable(target, false);
    autograd::set_history(out, node);
  }
  return out;
}

}  // namespace

Tensor cross_entropy(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
                     int64_t ignore_index, const std::string& reduction, double label_smoothing) {
  return nll_op("cross_entropy", input, target, weight, ignore_index, reduction, label_smoothing, true);
}

Tensor nll_loss(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
                int64_t ignore_index, const std::string& reduction) {
  return nll_op("nll_loss", input, target, weight, ignore_index, reduction, 0.0, false);
}

Tensor mse_loss(const Tensor& input, const Tensor& target, const std::string& reduction) {
  return pointwise_op("mse_loss", input, target, reduction, {Pointwise::Mse, 0, {}, {}});
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction, double beta) {
  PT_CHECK(beta >= 0, RuntimeError, "smooth_l1_loss does not support negative values for beta.");
  return pointwise_op("smooth_l1_loss", input, target, reduction, {Pointwise::SmoothL1, beta, {}, {}});
}

Tensor huber_loss(const Tensor& input, const Tensor& target, const std::string& reduction, double delta) {
  PT_CHECK(delta > 0, RuntimeError, "huber_loss does not support non-positive values for delta.");
  return pointwise_op("huber_loss", input, target, reduction, {Pointwise::Huber, delta, {}, {}});
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
                            const std::string& reduction) {
  check_not_differentiable(weight, "binary_cross_entropy", "weight");
  if (input->numel() && is_floating(input->dtype())) {
    autograd::GradModeGuard no_grad(false);
    const Tensor inside = all(logical_and(ge(input, num(0)), le(input, num(1))), std::nullopt, false);
    PT_CHECK(host_value<bool>(inside), RuntimeError, "all elements of input should be between 0 and 1");
  }
  return pointwise_op("binary_cross_entropy", input, target, reduction,
                      {Pointwise::Bce, 0, weight.value_or(Tensor{}), {}});
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const std::optional<Tensor>& weight,
                                        const std::optional<Tensor>& pos_weight, const std::string& reduction) {
  check_not_differentiable(weight, "binary_cross_entropy_with_logits", "weight");
  check_not_differentiable(pos_weight, "binary_cross_entropy_with_logits", "pos_weight");
  return pointwise_op("binary_cross_entropy_with_logits", input, target, reduction,
                      {Pointwise::BceWithLogits, 0, weight.value_or(Tensor{}), pos_weight.value_or(Tensor{})});
}

}  // namespace pt::ops
