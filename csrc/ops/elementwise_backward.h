// The autograd side of the elementwise family, internal to ops/elementwise*.cpp. Every op's
// backward is one ElementwiseBackward node driven by a Formula: PyTorch's node name, the
// gradient of each input written with ops (so create_graph differentiates it again), and
// which saved values each gradient reads, so that only those are saved.
#pragma once
#include <initializer_list>
#include <memory>

#include "autograd/grad_mode.h"
#include "cpu/elementwise.h"
#include "ops/elementwise.h"

namespace pt::ops {

// What a gradient formula sees. Operands are present when some needed gradient reads them.
struct GradContext {
  Tensor grad;      // gradient of the op's output
  Tensor tensor[3]; // tensor operands
  Scalar scalar[3]; // number operands
  bool is_scalar[3] = {false, false, false};
  Tensor result;
  Scalar alpha;     // add/sub's multiplier of the second operand
  Arg in(int i) const { return is_scalar[i] ? Arg(scalar[i]) : Arg(tensor[i]); }
};

// Bits of Formula::reads: operand k is bit k, the op's result is kResult.
enum : uint8_t { kIn0 = 1, kIn1 = 2, kIn2 = 4, kResult = 8 };

struct Formula {
  const char* name;
  Tensor (*grad[3])(const GradContext&);  // per input; null where there is none (where's cond)
  uint8_t reads[3];                        // what each input's gradient reads
};

struct ElementwiseBackward;

// The formula of a unary op; null for those without a gradient (isnan, bitwise_not...).
const Formula* unary_formula(cpu::UnaryOp op);

// grad * d op(v) / dx with v the op's input or result (cpu::activation_backward): the fused
// backward of sigmoid, tanh, silu and gelu when no graph of the gradient is being built.
Tensor activation_backward(cpu::UnaryOp op, const Tensor& grad, const Tensor& v);

// Puts an op on the tape: made before the op writes anything, finished with its output.
// Without grad mode or an input that requires grad it is one branch and records nothing.
class Recorder {
 public:
  // inplace: input 0 is the tensor the op overwrites, so its old value is saved as a clone
  // (only when a needed gradient reads it) and `out` in finish() is that tensor.
  Recorder(const Formula* f, std::initializer_list<Arg> inputs, bool inplace,
           const Scalar& alpha = Scalar::from_int(1)) {
    if (f && needs_grad(inputs)) start(f, inputs, inplace, alpha);
  }
  // A unary op's formula is looked up only when there is something to record.
  Recorder(cpu::UnaryOp op, const Tensor& x, bool inplace) {
    if (needs_grad({x})) start(unary_formula(op), {x}, inplace, Scalar::from_int(1));
  }
  void finish(const Tensor& out) {
    if (node_) finish_slow(out);
  }

 private:
  static bool needs_grad(std::initializer_list<Arg> inputs) {
    if (!autograd::grad_enabled()) return false;
    for (const Arg& a : inputs)
      if (!a.is_scalar() && (*a.tensor)->requires_grad()) return true;
    return false;
  }
  void start(const Formula* f, std::initializer_list<Arg> inputs, bool inplace, const Scalar& alpha);
  void finish_slow(const Tensor& out);
  std::shared_ptr<ElementwiseBackward> node_;
};

// Binary and ternary ops, named by op and, where PyTorch's node differs, by operand kinds.
extern const Formula add_grad, sub_grad, rsub_grad, mul_grad, div_grad, div_rounding_grad,
    floor_divide_grad, pow_scalar_exponent_grad, pow_grad, pow_scalar_base_grad, maximum_grad,
    minimum_grad, atan2_grad, remainder_scalar_grad, remainder_grad, rremainder_grad,
    fmod_scalar_grad, fmod_grad, rfmod_grad;
// clamp_min/clamp_max with a number (…0) or a tensor (…1) bound; clamp with one bound given.
extern const Formula clamp_min_scalar_grad, clamp_min_tensor_grad, clamp_max_scalar_grad,
    clamp_max_tensor_grad, clamp_lo_scalar_grad, clamp_lo_tensor_grad, clamp_hi_scalar_grad,
    clamp_hi_tensor_grad;
// clamp with both bounds: tensor bounds (ClampBackward0) or numbers (ClampBackward1).
extern const Formula clamp_tensor_grad, clamp_scalar_grad;
extern const Formula where_grad, fill_scalar_grad, fill_tensor_grad, zero_grad;

}  // namespace pt::ops
