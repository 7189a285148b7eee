// The engine: counts dependencies from the roots, then runs ready nodes (latest first) until
// the gradients reach the leaves or the requested inputs. Iterative, so deep graphs are fine.
#pragma once
#include "autograd/node.h"

namespace pt::autograd {

struct BackwardOptions {
  bool retain_graph = false;
  bool create_graph = false;
  // autograd.grad: return the gradients of `inputs` instead of accumulating into .grad.
  bool capture = false;
  bool allow_unused = false;
};

// roots[i] gets gradient grad_roots[i] (null: ones, allowed only for one-element roots).
// With `inputs` non-empty, only those tensors receive gradients. Returns, when capturing, one
// gradient per input (null for unused inputs when allow_unused).
TensorList run_backward(const TensorList& roots, const TensorList& grad_roots,
                        const TensorList& inputs, const BackwardOptions& opts);

}  // namespace pt::autograd
