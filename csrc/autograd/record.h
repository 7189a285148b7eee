// What an op does to take part in autograd, in the op family's own file:
//
//   Tensor exp(const Tensor& x) {
//     Tensor out = ...forward...;
//     if (autograd::needs_grad({&x})) {
//       auto node = autograd::make_node<ExpBackward0>({&x});
//       node->result = SavedVariable(out, /*is_output=*/true);
//       autograd::set_history(out, node);
//     }
//     return out;
//   }
//
// and the node's apply() beside it, written with ops so that create_graph differentiates it
// again. Save an op's own output (or an in-place op's self) with is_output=true: a node that
// holds its own output strongly would never be freed.
#pragma once
#include <initializer_list>
#include <memory>

#include "autograd/grad_mode.h"
#include "autograd/node.h"

namespace pt::autograd {

// Grad mode is on and some input requires grad.
inline bool needs_grad(std::initializer_list<const Tensor*> inputs) {
  if (!grad_enabled()) return false;
  for (const Tensor* t : inputs)
    if (*t && (*t)->requires_grad()) return true;
  return false;
}
bool needs_grad(const std::vector<Tensor>& inputs);

// A node of type N whose edges point at the inputs' gradient edges (empty for inputs that
// need no gradient, and for null tensors).
template <class N, class... Args>
std::shared_ptr<N> make_node(std::initializer_list<const Tensor*> inputs, Args&&... args) {
  auto node = std::make_shared<N>(std::forward<Args>(args)...);
  for (const Tensor* t : inputs) node->next_edges.push_back(*t ? gradient_edge(*t) : Edge{});
  return node;
}
template <class N, class... Args>
std::shared_ptr<N> make_node(const std::vector<Tensor>& inputs, Args&&... args) {
  auto node = std::make_shared<N>(std::forward<Args>(args)...);
  for (const Tensor& t : inputs) node->next_edges.push_back(t ? gradient_edge(t) : Edge{});
  return node;
}

// Makes `out` output number `output_nr` of `node`. Outputs that are not floating point are
// never differentiable and are left alone.
void set_history(const Tensor& out, const std::shared_ptr<Node>& node, uint32_t output_nr = 0);
// For view ops: as set_history, and marks `out` as a view (in-place ops on it are refused).
void set_view_history(const Tensor& out, const std::shared_ptr<Node>& node, uint32_t output_nr = 0);

// Before an in-place op writes `self`: PyTorch's errors for leaves that require grad and for
// views of tensors that require grad (whose base's history we cannot rewrite).
void check_inplace(const Tensor& self, const char* op);

}  // namespace pt::autograd
