// Per-tensor autograd state, allocated only for tensors that take part in autograd.
#pragma once
#include <memory>

#include "core/tensor.h"

namespace pt {

struct Node;  // a recorded backward step (csrc/autograd/)

struct AutogradMeta {
  bool requires_grad = false;
  Tensor grad;
  std::shared_ptr<Node> grad_fn;
};

}  // namespace pt
