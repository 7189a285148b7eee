#include "ops/softmax.h"

#include "autograd/record.h"
#include "core/error.h"
#include "cpu/softmax.h"
#include "cuda/kernels.h"
#include "ops/copy.h"
#include "ops/elementwise.h"
#include "ops/reduce.h"

namespace pt::ops {

namespace {

Tensor run(const Tensor& t, int64_t d, DType dt, bool log) {
  const Tensor x = contiguous(to(t, dt, t->device()));
  Tensor out = empty(t->sizes(), dt, t->device());
  if (t->device().is_cuda()) cuda::softmax(x, t->dim() ? d : 0, log, out);
  else cpu::softmax(x, t->dim() ? d : 0, log, out);
  return out;
}

// Both backwards read only the saved output y. Under create_graph (grad mode on inside
// backward) they are the composite formulas, differentiable again; otherwise one fused pass per
// line (cpu::softmax_backward), which the tests hold against the composite.
struct SoftmaxBackward final : autograd::Node {
  SoftmaxBackward(bool log, int64_t dim, DType dtype) : log_(log), dim_(dim), dtype_(dtype) {}
  std::string name() const override { return log_ ? "LogSoftmaxBackward0" : "SoftmaxBackward0"; }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    const Tensor y = result.unpack(this);
    const Tensor& g = grads[0];
    Tensor dx;
    if (autograd::grad_enabled()) {
      const DimVec d{dim_};
      dx = log_ ? sub(g, mul(exp(y), sum(g, d, true, std::nullopt)))
                : mul(y, sub(g, sum(mul(g, y), d, true, std::nullopt)));
    } else {
      dx = empty(y->sizes(), y->dtype(), y->device());
      const Tensor yc = contiguous(y), gc = contiguous(to(g, y->dtype(), y->device()));
      if (y->device().is_cuda()) cuda::softmax_backward(yc, gc, dim_, log_, dx);
      else cpu::softmax_backward(yc, gc, dim_, log_, dx);
    }
    return {to(dx, dtype_, dx->device())};  // back to the dtype before softmax's dtype= cast
  }
  void release_saved() override { result.reset(); }
  autograd::SavedVariable result;

 private:
  bool log_;
  int64_t dim_;
  DType dtype_;
};

Tensor softmax_op(const Tensor& t, int64_t dim, std::optional<DType> dtype, bool log) {
  const char* op = log ? "log_softmax" : "softmax";
  const int64_t d = wrap_dim(dim, t->dim());
  const DType dt = dtype.value_or(t->dtype());
  if (!is_floating(dt))
    throw NotImplementedError(str_cat("\"", op, "\" not implemented for '", torch_dtype_name(dt), "'"));
  Tensor out = run(t, d, dt, log);
  if (autograd::needs_grad({&t})) {
    auto node = autograd::make_node<SoftmaxBackward>({&t}, log, t->dim() ? d : 0, t->dtype());
    node->result = autograd::SavedVariable(out, true);
    autograd::set_history(out, node);
  }
  return out;
}

}  // namespace

Tensor softmax(const Tensor& t, int64_t dim, std::optional<DType> dtype) {
  return softmax_op(t, dim, dtype, false);
}
Tensor log_softmax(const Tensor& t, int64_t dim, std::optional<DType> dtype) {
  return softmax_op(t, dim, dtype, true);
}

}  // namespace pt::ops
