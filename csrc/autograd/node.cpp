#include "autograd/node.h"

#include <atomic>

#include "autograd/grad_mode.h"
#include "core/error.h"
#include "ops/copy.h"
#include "ops/elementwise.h"

namespace pt::autograd {

static std::atomic<uint64_t> g_next_sequence_nr{0};

Node::Node() : sequence_nr(g_next_sequence_nr.fetch_add(1, std::memory_order_relaxed)) {}

// A long chain (10^5 nodes) must not be freed recursively: nodes whose last owner is this one
// are queued and destroyed by the outermost destructor, one at a time.
Node::~Node() {
  static thread_local std::vector<std::shared_ptr<Node>> pending;
  static thread_local bool draining = false;
  for (Edge& e : next_edges)
    if (e.fn && e.fn.use_count() == 1) pending.push_back(std::move(e.fn));
  if (draining) return;
  draining = true;
  while (!pending.empty()) {
    std::shared_ptr<Node> n = std::move(pending.back());
    pending.pop_back();
    n.reset();
  }
  draining = false;
}

AccumulateGrad::AccumulateGrad(Tensor leaf) : variable(std::move(leaf)) {
  outputs.push_back({variable->sizes(), variable->dtype(), variable->device()});
}

TensorList AccumulateGrad::apply(TensorList&& grads) {
  Tensor g = std::move(grads[0]);
  AutogradMeta& meta = variable->autograd_mut();
  for (auto& [id, hook] : meta.hooks) {
    Tensor r = hook(g);
    if (r) g = std::move(r);
  }
  if (!meta.grad) {
    // Keep the incoming buffer when nothing else can see it; otherwise a private copy, so
    // .grad never aliases another tensor (AddBackward hands one buffer to both inputs).
    const bool private_buffer = g.use_count() == 1 && g->is_contiguous() && !grad_enabled();
    meta.grad = private_buffer ? g : ops::clone(g);
  } else if (grad_enabled()) {
    meta.grad = ops::add(meta.grad, g);  // create_graph: keep the sum differentiable
  } else {
    ops::add_(meta.grad, g);
  }
  return {};
}

SavedVariable::SavedVariable(const Tensor& t, bool is_output)
    : version_(t->version()), saved_(true), is_output_(is_output), requires_grad_(t->requires_grad()) {
  if (is_output && t->autograd() && t->autograd()->grad_fn) {
    data_ = make_view(t, t->sizes(), t->strides(), t->offset());
    grad_fn_ = t->autograd()->grad_fn;
    output_nr_ = t->autograd()->output_nr;
  } else {
    data_ = t;
  }
}

Tensor SavedVariable::unpack(const Node* owner) const {
  if (!saved_) return nullptr;
  PT_CHECK(!released_, RuntimeError,
           "Trying to backward through the graph a second time (or directly access saved tensors "
           "after they have already been freed). Saved intermediate values of the graph are freed "
           "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
           "backward through the graph a second time or if you need to access saved tensors after "
           "calling backward.");
  if (data_->version() != version_) {
    throw RuntimeError(str_cat(
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [", dtype_name(data_->dtype()), " ", data_->sizes(), "], which is ",
        is_output_ ? "output " : "an input of ", is_output_ ? std::to_string(output_nr_) + " of " : "",
        owner->name(), ", is at version ", data_->version(), "; expected version ", version_,
        " instead. Hint: the operation that modified it ran after the forward pass saved it; "
        "clone() the tensor before modifying it in place."));
  }
  if (!is_output_ || !requires_grad_) return data_;
  // Re-link the output to its node so create_graph sees its history.
  Tensor out = make_view(data_, data_->sizes(), data_->strides(), data_->offset());
  AutogradMeta& m = out->autograd_mut();
  m.requires_grad = true;
  m.grad_fn = grad_fn_.lock();
  m.output_nr = output_nr_;
  return out;
}

Edge gradient_edge(const Tensor& t) {
  AutogradMeta* m = t->autograd();
  if (!m || !m->requires_grad) return {};
  if (m->grad_fn) return {m->grad_fn, m->output_nr};
  std::shared_ptr<Node> acc = m->grad_accumulator.lock();
  if (!acc) {
    acc = std::make_shared<AccumulateGrad>(t);
    m->grad_accumulator = acc;
  }
  return {acc, 0};
}

std::shared_ptr<Node> try_grad_accumulator(const Tensor& t) {
  AutogradMeta* m = t->autograd();
  return m ? m->grad_accumulator.lock() : nullptr;
}

}  // namespace pt::autograd
