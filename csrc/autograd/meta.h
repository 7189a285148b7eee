// Per-tensor autograd state, allocated only for tensors that take part in autograd.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/tensor.h"

namespace pt {

namespace autograd {
struct Node;
// A tensor hook: gets the gradient, returns a replacement or null to keep it.
using GradHook = std::function<Tensor(const Tensor&)>;
}  // namespace autograd

struct AutogradMeta {
  bool requires_grad = false;
  bool retains_grad = false;
  // Set on differentiable views: an in-place op on them would bypass the base's history.
  bool is_view = false;
  uint32_t output_nr = 0;  // which output of grad_fn this tensor is
  Tensor grad;
  std::shared_ptr<autograd::Node> grad_fn;
  // A leaf's accumulator is owned by the graphs that use it, so a leaf never keeps one alive.
  std::weak_ptr<autograd::Node> grad_accumulator;
  std::vector<std::pair<int, autograd::GradHook>> hooks;  // (handle id, hook) on leaves
};

}  // namespace pt
