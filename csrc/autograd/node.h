// The tape: a Node is one recorded backward step. It maps the gradients of its op's outputs to
// the gradients of the op's inputs, and its Edges point at the nodes of those inputs. Outputs
// own their node (grad_fn), so a graph lives exactly as long as a tensor can reach it.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "autograd/meta.h"
#include "core/tensor.h"

namespace pt::autograd {

using TensorList = std::vector<Tensor>;

struct Edge {
  std::shared_ptr<Node> fn;  // null: that input needs no gradient
  uint32_t input_nr = 0;     // which input slot of fn the gradient goes to
};

struct Node {
  Node();
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // PyTorch's class name, e.g. "AddBackward0".
  virtual std::string name() const = 0;
  // grads[i] is the gradient of output i (already checked and never null: the engine fills
  // zeros). Returns one gradient per next edge; null where that input needs none.
  virtual TensorList apply(TensorList&& grads) = 0;
  // Frees saved tensors after a backward without retain_graph.
  virtual void release_saved() {}

  // What each output looked like, to check incoming gradients and to fill missing ones.
  struct OutputMeta {
    DimVec sizes;
    DType dtype;
    Device device;
  };
  std::vector<Edge> next_edges;
  std::vector<OutputMeta> outputs;
  uint64_t sequence_nr;  // later nodes run first when several are ready
  // Hooks on non-leaf tensors: (output index, handle id, hook); retain_grad is one of them.
  struct PreHook {
    uint32_t output_nr;
    int id;
    GradHook fn;
  };
  std::vector<PreHook> pre_hooks;
};

// Adds gradients into a leaf's .grad; the leaf's tensor hooks run first.
struct AccumulateGrad final : Node {
  explicit AccumulateGrad(Tensor leaf);
  std::string name() const override { return "AccumulateGrad"; }
  TensorList apply(TensorList&& grads) override;
  Tensor variable;
};

// A tensor saved for backward. An op's own output is kept without its grad_fn (which would
// be a reference cycle) and re-linked on unpack; the version recorded at save time catches
// in-place changes made afterwards.
class SavedVariable {
 public:
  SavedVariable() = default;
  SavedVariable(const Tensor& t, bool is_output);
  // The saved tensor, or an error if it was freed by backward or modified in place.
  Tensor unpack(const Node* owner) const;
  void reset() { data_ = nullptr; released_ = true; }
  bool defined() const { return saved_; }

 private:
  Tensor data_;
  uint64_t version_ = 0;
  bool saved_ = false, released_ = false, is_output_ = false, requires_grad_ = false;
  std::weak_ptr<Node> grad_fn_;
  uint32_t output_nr_ = 0;
};

// Where the gradient of `t` flows: its grad_fn, or the accumulator of a leaf that requires
// grad (created on first use), or an empty edge.
Edge gradient_edge(const Tensor& t);
// The leaf's accumulator if it exists (autograd.grad must not create one).
std::shared_ptr<Node> try_grad_accumulator(const Tensor& t);

}  // namespace pt::autograd
