#include "ops/norm.h"

#include "autograd/record.h"
#include "core/error.h"
#include "cpu/norm.h"
#include "cuda/kernels.h"
#include "ops/copy.h"
#include "ops/elementwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"

namespace pt::ops {

namespace {

void check_param(const Tensor& input, const Tensor& p, int64_t numel, const char* what,
                 const char* op) {
  if (!p) return;
  PT_CHECK(p->dtype() == input->dtype(), RuntimeError, op, ": expected ", what,
           " to have the same dtype as the input (", input->dtype(), "), but got ", p->dtype());
  PT_CHECK(p->device() == input->device(), RuntimeError, op, ": expected ", what,
           " on the input's device ", input->device().str(), ", but got ", p->device().str());
  PT_CHECK(p->numel() == numel, RuntimeError, op, ": expected ", what, " with ", numel,
           " elements (input shape ", input->sizes(), "), but got shape ", p->sizes());
}

// Optional tensors (null: absent) as the kernels take them: contiguous, and by pointer.
Tensor contiguous_or_null(const Tensor& t) { return t ? contiguous(t) : Tensor(); }
const Tensor* ptr_or_null(const Tensor& t) { return t ? &t : nullptr; }

// The composite gradient (ops only), for create_graph: the statistics are recomputed from x
// with ops when they depend on it, so differentiating this again is exact.
autograd::TensorList norm_backward_composite(const cpu::NormGeometry& geo, const Tensor& x,
                                             const Tensor& g, const Tensor& w, const Tensor& mean,
                                             const Tensor& rstd, bool batch_stats, double eps) {
  const DimVec shape3{geo.outer, geo.channels, geo.inner}, stat_shape{1, geo.channels, 1};
  const Tensor x3 = reshape(x, shape3), g3 = reshape(g, shape3);
  const DimVec stat_dims{0, 2};
  Tensor m, r;
  if (batch_stats) {
    m = ops::mean(x3, stat_dims, true, std::nullopt);
    r = rsqrt(add(var(x3, stat_dims, 0.0, true), Scalar::from_double(eps)));
  } else {
    m = reshape(mean, stat_shape);
    r = reshape(rstd, stat_shape);
  }
  const Tensor xh = mul(sub(x3, m), r);
  const DimVec affine_shape = geo.affine_by_channel ? stat_shape : DimVec{1, 1, geo.inner};
  const Tensor gw = w ? mul(g3, reshape(w, affine_shape)) : g3;
  Tensor dx = mul(gw, r);
  if (batch_stats) {
    const Tensor a = ops::mean(gw, stat_dims, true, std::nullopt);
    const Tensor b = ops::mean(mul(gw, xh), stat_dims, true, std::nullopt);
    dx = mul(r, sub(sub(gw, a), mul(xh, b)));
  }
  const DimVec affine_dims = geo.affine_by_channel ? stat_dims : DimVec{0, 1};
  return {reshape(dx, x->sizes()), sum(mul(g3, xh), affine_dims, false, std::nullopt),
          sum(g3, affine_dims, false, std::nullopt)};
}

struct NormBackward final : autograd::Node {
  NormBackward(const char* name, cpu::NormGeometry geo, bool batch_stats, double eps)
      : name_(name), geo_(geo), batch_stats_(batch_stats), eps_(eps) {}
  std::string name() const override { return name_; }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    const Tensor x = input.unpack(this), w = weight.defined() ? weight.unpack(this) : Tensor();
    const bool need_dx = next_edges[0].fn != nullptr, need_dw = next_edges[1].fn != nullptr,
               need_db = next_edges[2].fn != nullptr;
    autograd::TensorList out(3);
    if (autograd::grad_enabled()) {
      out = norm_backward_composite(geo_, x, grads[0], w, mean, rstd, batch_stats_, eps_);
    } else {
      const Tensor xc = contiguous(x), gc = contiguous(grads[0]), wc = contiguous_or_null(w);
      if (need_dx) out[0] = empty(x->sizes(), x->dtype(), x->device());
      if (need_dw) out[1] = empty(w->sizes(), x->dtype(), x->device());
      if (need_db) out[2] = empty(w->sizes(), x->dtype(), x->device());
      const Tensor* dx = need_dx ? &out[0] : nullptr;
      const Tensor* dw = need_dw ? &out[1] : nullptr;
      const Tensor* db = need_db ? &out[2] : nullptr;
      if (x->device().is_cuda())
        cuda::norm_backward(geo_, xc, gc, ptr_or_null(wc), mean, rstd, batch_stats_, dx, dw, db);
      else
        cpu::norm_backward(geo_, xc, gc, ptr_or_null(wc), mean, rstd, batch_stats_, dx, dw, db);
    }
    if (!need_dx) out[0] = Tensor();
    if (!need_dw) out[1] = Tensor();
    if (!need_db) out[2] = Tensor();
    if (out[1]) out[1] = reshape(out[1], w->sizes());
    if (out[2]) out[2] = reshape(out[2], w->sizes());
    return out;
  }
  void release_saved() override {
    input.reset();
    weight.reset();
    mean = rstd = Tensor();
  }
  autograd::SavedVariable input, weight;
  Tensor mean, rstd;  // per channel, computed by the forward (constants for the fused path)

 private:
  const char* name_;
  cpu::NormGeometry geo_;
  bool batch_stats_;
  double eps_;
};

// Runs the fused forward over the (outer, C, inner) view and records one node.
Tensor norm(const char* node_name, const cpu::NormGeometry& geo, const Tensor& input,
            const Tensor& weight, const Tensor& bias, const Tensor& mean_in,
            const Tensor& var_in, double eps, const Tensor& var_out, Tensor* mean_out = nullptr) {
  const Device dev = input->device();
  const Tensor x = contiguous(input);
  const Tensor w = contiguous_or_null(weight), b = contiguous_or_null(bias);
  Tensor out = empty(input->sizes(), input->dtype(), dev);
  Tensor mean = empty({geo.channels}, input->dtype(), dev);
  Tensor rstd = empty({geo.channels}, input->dtype(), dev);
  const Tensor mi = contiguous_or_null(mean_in), vi = contiguous_or_null(var_in);
  if (dev.is_cuda())
    cuda::norm_forward(geo, x, out, ptr_or_null(w), ptr_or_null(b), ptr_or_null(mi),
                       ptr_or_null(vi), eps, mean, rstd, ptr_or_null(var_out));
  else
    cpu::norm_forward(geo, x, out, ptr_or_null(w), ptr_or_null(b), ptr_or_null(mi),
                      ptr_or_null(vi), eps, mean, rstd, ptr_or_null(var_out));
  if (mean_out) *mean_out = mean;
  if (autograd::needs_grad({&input, &weight, &bias})) {
    auto node = autograd::make_node<NormBackward>({&input, &weight, &bias}, node_name, geo,
                                                  !mean_in, eps);
    node->input = autograd::SavedVariable(input, false);
    if (weight) node->weight = autograd::SavedVariable(weight, false);
    node->mean = mean;
    node->rstd = rstd;
    autograd::set_history(out, node);
  }
  return out;
}

}  // namespace

Tensor layer_norm(const Tensor& input, const DimVec& normalized_shape,
                  const std::optional<Tensor>& weight_opt, const std::optional<Tensor>& bias_opt,
                  double eps) {
  const Tensor weight = weight_opt.value_or(Tensor()), bias = bias_opt.value_or(Tensor());
  const int64_t n = normalized_shape.size(), d = input->dim();
  bool ok = n > 0 && d >= n;
  for (int64_t i = 0; ok && i < n; ++i) ok = input->sizes()[d - n + i] == normalized_shape[i];
  if (!ok) {  // PyTorch's message, word for word
    auto list = [](const DimVec& v, const char* lead) {
      std::string out = std::string("[") + lead;
      for (int64_t i = 0; i < v.size(); ++i) out += (i || *lead ? ", " : "") + std::to_string(v[i]);
      return out + "]";
    };
    throw RuntimeError(str_cat("Given normalized_shape=", list(normalized_shape, ""),
                               ", expected input with shape ", list(normalized_shape, "*"),
                               ", but got input of size", list(input->sizes(), "")));
  }
  PT_CHECK(is_floating(input->dtype()), RuntimeError, "layer_norm: expected a floating point input, but got ",
           input->dtype());
  int64_t inner = 1;
  for (int64_t s : normalized_shape) inner *= s;
  check_param(input, weight, inner, "weight", "layer_norm");
  check_param(input, bias, inner, "bias", "layer_norm");
  int64_t rows = 1;
  for (int64_t i = 0; i < d - n; ++i) rows *= input->sizes()[i];
  return norm("NativeLayerNormBackward0", {1, rows, inner, false}, input, weight, bias, Tensor(),
              Tensor(), eps, Tensor());
}

Tensor batch_norm(const Tensor& input, const std::optional<Tensor>& running_mean_opt,
                  const std::optional<Tensor>& running_var_opt,
                  const std::optional<Tensor>& weight_opt, const std::optional<Tensor>& bias_opt,
                  bool training, double momentum, double eps) {
  const Tensor running_mean = running_mean_opt.value_or(Tensor());
  const Tensor running_var = running_var_opt.value_or(Tensor());
  const Tensor weight = weight_opt.value_or(Tensor()), bias = bias_opt.value_or(Tensor());
  PT_CHECK(input->dim() >= 2, ValueError, "batch_norm: expected an input of at least 2 dims (N, C, *), but got shape ",
           input->sizes());
  PT_CHECK(is_floating(input->dtype()), RuntimeError, "batch_norm: expected a floating point input, but got ",
           input->dtype());
  const int64_t C = input->sizes()[1], N = input->sizes()[0];
  const int64_t inner = C ? input->numel() / (N * C == 0 ? 1 : N * C) : 0;
  check_param(input, weight, C, "weight", "batch_norm");
  check_param(input, bias, C, "bias", "batch_norm");
  check_param(input, running_mean, C, "running_mean", "batch_norm");
  check_param(input, running_var, C, "running_var", "batch_norm");
  PT_CHECK(bool(running_mean) == bool(running_var), RuntimeError,
           "batch_norm: running_mean and running_var must both be given or both be None");
  PT_CHECK(!running_mean || (running_mean->dim() == 1 && running_var->dim() == 1), RuntimeError,
           "batch_norm: running_mean and running_var must be 1-D, but got shapes ",
           running_mean->sizes(), " and ", running_var->sizes());
  const cpu::NormGeometry geo{N, C, N * C == 0 ? 0 : inner, true};
  const int64_t count = N * geo.inner;
  if (!training) {
    PT_CHECK(running_mean, RuntimeError, "batch_norm: running_mean and running_var must be given in eval mode");
    return norm("NativeBatchNormBackward0", geo, input, weight, bias, running_mean, running_var,
                eps, Tensor());
  }
  PT_CHECK(count > 1 || C == 0, ValueError, "Expected more than 1 value per channel when training, got input size ",
           input->sizes());
  const Tensor var = running_mean ? empty({C}, input->dtype(), input->device()) : Tensor();
  Tensor mean;
  Tensor out = norm("NativeBatchNormBackward0", geo, input, weight, bias, Tensor(), Tensor(), eps,
                    var, &mean);
  if (running_mean) {
    // running = (1 - momentum) * running + momentum * batch, the variance made unbiased.
    const double unbias = static_cast<double>(count) / (count - 1);
    if (input->device().is_cuda()) {
      cuda::batch_norm_update_stats(running_mean, running_var, mean, var, momentum, unbias);
    } else {
      PT_DISPATCH_FLOAT(input->dtype(), "batch_norm", [&] {
        scalar_t* rm = static_cast<scalar_t*>(running_mean->raw_data());
        scalar_t* rv = static_cast<scalar_t*>(running_var->raw_data());
        const scalar_t* bm = static_cast<const scalar_t*>(mean->raw_data());
        const scalar_t* bv = static_cast<const scalar_t*>(var->raw_data());
        const int64_t sm = running_mean->strides()[0], sv = running_var->strides()[0];
        for (int64_t c = 0; c < C; ++c) {
          rm[c * sm] = static_cast<scalar_t>((1 - momentum) * rm[c * sm] + momentum * bm[c]);
          rv[c * sv] = static_cast<scalar_t>((1 - momentum) * rv[c * sv] + momentum * bv[c] * unbias);
        }
      });
    }
    running_mean->bump_version();
    running_var->bump_version();
  }
  return out;
}

}  // namespace pt::ops
