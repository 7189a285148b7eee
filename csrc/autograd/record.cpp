#include "autograd/record.h"

#include "core/error.h"

namespace pt::autograd {

bool needs_grad(const std::vector<Tensor>& inputs) {
  if (!grad_enabled()) return false;
  for (const Tensor& t : inputs)
    if (t && t->requires_grad()) return true;
  return false;
}

void set_history(const Tensor& out, const std::shared_ptr<Node>& node, uint32_t output_nr) {
  if (node->outputs.size() <= output_nr) node->outputs.resize(output_nr + 1);
  node->outputs[output_nr] = {out->sizes(), out->dtype(), out->device()};
  if (!is_floating(out->dtype())) return;
  AutogradMeta& m = out->autograd_mut();
  m.requires_grad = true;
  m.grad_fn = node;
  m.output_nr = output_nr;
}

void set_view_history(const Tensor& out, const std::shared_ptr<Node>& node, uint32_t output_nr) {
  set_history(out, node, output_nr);
  if (out->autograd()) out->autograd_mut().is_view = true;
}

void check_inplace(const Tensor& self, const char* op) {
  if (!grad_enabled() || !self->requires_grad()) return;
  const AutogradMeta& m = *self->autograd();
  PT_CHECK(m.grad_fn, RuntimeError, op,
           ": a leaf Variable that requires grad is being used in an in-place operation.");
  PT_CHECK(!m.is_view, RuntimeError, op,
           ": in-place operation on a view of a tensor that requires grad is not supported; "
           "clone() the view first or run the operation under no_grad()");
}

}  // namespace pt::autograd
