#include "ops/pool.h"

#include <atomic>
#include <string>

#include "autograd/record.h"
#include "core/error.h"
#include "core/gil.h"
#include "cpu/pool.h"
#include "cuda/kernels.h"
#include "ops/copy.h"
#include "ops/factory.h"
#include "ops/shape.h"

namespace pt::ops {

namespace {

std::atomic<bool> g_reference{false};

enum class PoolKind { Max, AdaptiveMax, Avg, AdaptiveAvg };

// Everything a pooling's backward needs besides the max indices: the kind, its geometry and
// the input and output shapes (3-D or 4-D).
struct PoolSpec {
  PoolKind kind = PoolKind::Max;
  cpu::PoolGeom geom{};
  bool count_include_pad = true;
  int64_t divisor = 0;
  DimVec in_sizes, out_sizes;
};

// Once the max positions are known, every pooling is linear in its input: y = P x. The
// backward applies P^T and the backward of that applies P again, so one node type serves
// both directions, to any order. The P^T node also has an edge to the pooling's input (whose
// gradient is zero), as in PyTorch, so a gradient built with create_graph requires grad.
Tensor pool_apply(const PoolSpec& s, const Tensor& x, const Tensor& idx, bool adjoint,
                  const autograd::Edge& input_edge = {});

struct PoolBackward final : autograd::Node {
  PoolBackward(const PoolSpec& s, bool adj) : spec(s), adjoint(adj) {}
  std::string name() const override {
    static const char* base[] = {"MaxPool2DWithIndices", "AdaptiveMaxPool2D", "AvgPool2D", "AdaptiveAvgPool2D"};
    return std::string(base[int(spec.kind)]) + (adjoint ? "BackwardBackward0" : "Backward0");
  }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    const bool max = spec.kind == PoolKind::Max || spec.kind == PoolKind::AdaptiveMax;
    const Tensor idx = max ? indices.unpack(this) : Tensor();
    if (adjoint) {
      autograd::TensorList out{pool_apply(spec, grads[0], idx, false), nullptr};
      if (next_edges[1].fn) out[1] = zeros(spec.in_sizes, grads[0]->dtype(), grads[0]->device());
      return out;
    }
    return {pool_apply(spec, grads[0], idx, true, next_edges[0])};
  }
  void release_saved() override { indices.reset(); }
  PoolSpec spec;
  bool adjoint;
  autograd::SavedVariable indices;
};

void record_pool(const PoolSpec& s, const Tensor& in, const Tensor& out, const Tensor& idx, bool adjoint,
                 const autograd::Edge& input_edge) {
  if (!autograd::needs_grad({&in}) && !(autograd::grad_enabled() && input_edge.fn)) return;
  auto node = autograd::make_node<PoolBackward>({&in}, s, adjoint);
  if (adjoint) node->next_edges.push_back(input_edge);
  if (idx) node->indices = autograd::SavedVariable(idx, false);
  autograd::set_history(out, node);
}

Tensor pool_apply(const PoolSpec& s, const Tensor& x, const Tensor& idx, bool adjoint,
                  const autograd::Edge& input_edge) {
  const Tensor xc = contiguous(x);
  const bool on_cuda = x->device().is_cuda();
  Tensor out = pt::empty(adjoint ? s.in_sizes : s.out_sizes, x->dtype(), x->device());
  const cpu::PoolGeom& g = s.geom;
  const bool ref = g_reference.load();
  GilRelease nogil(!on_cuda && xc->numel() >= (1 << 16));
  PT_DISPATCH_FLOAT(x->dtype(), "pool", [&] {
    using T = scalar_t;
    const T* in = xc->data<T>();
    T* o = out->data<T>();
    switch (s.kind) {
      case PoolKind::Max:
      case PoolKind::AdaptiveMax: {
        const int64_t* ix = idx->data<int64_t>();
        if (!adjoint) (on_cuda ? cuda::index_gather<T> : cpu::index_gather<T>)(g, in, ix, o);
        else if (on_cuda) cuda::index_scatter_add<T>(g, s.kind == PoolKind::AdaptiveMax, in, ix, o);
        else cpu::index_scatter_add<T>(g, in, ix, o);
        break;
      }
      case PoolKind::Avg:
        if (adjoint)
          (on_cuda ? cuda::avg_pool2d_backward<T> : ref ? cpu::avg_pool2d_backward_ref<T> : cpu::avg_pool2d_backward<T>)(
              g, in, o, s.count_include_pad, s.divisor);
        else
          (on_cuda ? cuda::avg_pool2d<T> : ref ? cpu::avg_pool2d_ref<T> : cpu::avg_pool2d<T>)(
              g, in, o, s.count_include_pad, s.divisor);
        break;
      case PoolKind::AdaptiveAvg:
        if (adjoint)
          (on_cuda ? cuda::adaptive_avg_pool2d_backward<T>
                   : ref ? cpu::adaptive_avg_pool2d_backward_ref<T> : cpu::adaptive_avg_pool2d_backward<T>)(g, in, o);
        else
          (on_cuda ? cuda::adaptive_avg_pool2d<T> : ref ? cpu::adaptive_avg_pool2d_ref<T> : cpu::adaptive_avg_pool2d<T>)(g, in, o);
        break;
    }
  });
  record_pool(s, x, out, idx, adjoint, input_edge);
  return out;
}

// ---- shapes and checks, as PyTorch words them ----

// Two values from one or two; `what` completes "op: <name> must ...".
void pair_param(const DimVec& v, int64_t out[2], const char* op, const char* name, bool may_be_empty) {
  PT_CHECK(v.size() == 1 || v.size() == 2, RuntimeError, op, ": ", name,
           may_be_empty ? " must either be omitted, a single int, or a tuple of two ints"
                        : " must either be a single int, or a tuple of two ints");
  out[0] = v[0];
  out[1] = v.size() == 2 ? v[1] : v[0];
}

int64_t pooled_size(int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dil, bool ceil_mode) {
  const int64_t num = in + 2 * pad - dil * (k - 1) - 1 + (ceil_mode ? stride - 1 : 0);
  int64_t out = (num >= 0 ? num / stride : -((-num + stride - 1) / stride)) + 1;
  // The last window must start inside the input or its left padding.
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

PoolSpec make_spec(PoolKind kind, const cpu::PoolGeom& g, const DimVec& in_sizes) {
  PoolSpec s;
  s.kind = kind;
  s.geom = g;
  s.in_sizes = s.out_sizes = in_sizes;
  s.out_sizes[in_sizes.size() - 2] = g.OH;
  s.out_sizes[in_sizes.size() - 1] = g.OW;
  return s;
}

void check_pool_input(const Tensor& x) {
  const int64_t d = x->dim();
  bool ok = d == 3 || d == 4;
  for (int64_t i = d - 3; ok && i < d; ++i) ok = x->sizes()[i] > 0;
  PT_CHECK(ok, RuntimeError, "non-empty 3D or 4D (batch mode) tensor expected for input");
}

PoolSpec window_spec(const char* op, const Tensor& x, const DimVec& kernel_size, const DimVec& stride,
                     const DimVec& padding, const DimVec& dilation, bool ceil_mode, PoolKind kind) {
  int64_t k[2], s[2], p[2], d[2];
  pair_param(kernel_size, k, op, "kernel_size", false);
  if (stride.empty()) {
    s[0] = k[0];
    s[1] = k[1];
  } else {
    pair_param(stride, s, op, "stride", true);
  }
  pair_param(padding, p, op, "padding", false);
  pair_param(dilation, d, op, "dilation", false);
  PT_CHECK(s[0] != 0 && s[1] != 0, RuntimeError, "stride should not be zero");
  PT_CHECK(s[0] > 0 && s[1] > 0, RuntimeError, "stride should be greater than zero, but got dH: ",
           s[0], " dW: ", s[1]);
  PT_CHECK(k[0] > 0 && k[1] > 0, RuntimeError, "kernel size should be greater than zero, but got kH: ",
           k[0], " kW: ", k[1]);
  PT_CHECK(d[0] > 0 && d[1] > 0, RuntimeError,
           "dilation should be greater than zero, but got dilationH: ", d[0], " dilationW: ", d[1]);
  check_pool_input(x);
  for (int i = 0; i < 2; ++i) {
    PT_CHECK(p[i] >= 0, RuntimeError, "pad must be non-negative, but got pad: ", p[i]);
    PT_CHECK(p[i] <= (d[i] * (k[i] - 1) + 1) / 2, RuntimeError,
             "pad should be at most half of effective kernel size, but got pad=", p[i],
             ", kernel_size=", k[i], " and dilation=", d[i]);
  }
  const DimVec& is = x->sizes();
  const int64_t C = is[is.size() - 3], H = is[is.size() - 2], W = is[is.size() - 1];
  const int64_t OH = pooled_size(H, k[0], p[0], s[0], d[0], ceil_mode);
  const int64_t OW = pooled_size(W, k[1], p[1], s[1], d[1], ceil_mode);
  PT_CHECK(OH >= 1 && OW >= 1, RuntimeError, "Given input size: (", C, "x", H, "x", W,
           "). Calculated output size: (", C, "x", OH, "x", OW, "). Output size is too small");
  return make_spec(kind, {x->numel() / (H * W), H, W, OH, OW, k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1]}, is);
}

PoolSpec adaptive_spec(const char* op, const Tensor& x, const OutputSize& output_size, PoolKind kind) {
  PT_CHECK(x->dim() == 3 || x->dim() == 4, RuntimeError, op, "(): Expected 3D or 4D tensor, but got ",
           ListStr{x->sizes()});
  for (int64_t i = 1; i < x->dim(); ++i)
    PT_CHECK(x->sizes()[i] > 0, RuntimeError, op,
             "(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ",
             ListStr{x->sizes()}, " with dimension ", i, " being empty");
  PT_CHECK(output_size.size() == 2, RuntimeError, op, ": output_size must be 2");
  const DimVec& is = x->sizes();
  const int64_t H = is[is.size() - 2], W = is[is.size() - 1];
  const int64_t OH = output_size[0].value_or(H), OW = output_size[1].value_or(W);
  PT_CHECK(OH >= 0 && OW >= 0, RuntimeError, op,
           ": elements of output_size must be greater than or equal to 0 but received {", OH, ", ",
           OW, "}");
  return make_spec(kind, {x->numel() / (H * W), H, W, OH, OW, 0, 0, 1, 1, 0, 0, 1, 1}, is);
}

// Indices are the backward's: without return_indices they are skipped unless it will run.
ValuesIndices run_max(const PoolSpec& s, const Tensor& x, const char* op, bool return_indices) {
  if (x->dtype() == DType::Bool) throw_bad_dtype(op, x->dtype());
  const Tensor xc = contiguous(x);
  const bool with_indices = return_indices || autograd::needs_grad({&x});
  const Device dev = x->device();
  ValuesIndices r{pt::empty(s.out_sizes, x->dtype(), dev), with_indices ? pt::empty(s.out_sizes, DType::Int64, dev) : Tensor()};
  const bool ref = g_reference.load();
  GilRelease nogil(!dev.is_cuda() && xc->numel() >= (1 << 16));
  PT_DISPATCH_NUMERIC(x->dtype(), op, [&] {
    using T = scalar_t;
    int64_t* idx = with_indices ? r.indices->data<int64_t>() : nullptr;
    if (s.kind == PoolKind::Max)
      (dev.is_cuda() ? cuda::max_pool2d<T> : ref ? cpu::max_pool2d_ref<T> : cpu::max_pool2d<T>)(
          s.geom, xc->data<T>(), r.values->data<T>(), idx);
    else
      (dev.is_cuda() ? cuda::adaptive_max_pool2d<T> : ref ? cpu::adaptive_max_pool2d_ref<T> : cpu::adaptive_max_pool2d<T>)(
          s.geom, xc->data<T>(), r.values->data<T>(), idx);
  });
  record_pool(s, x, r.values, r.indices, false, {});
  return r;
}

// 1-D pooling is 2-D pooling over an H == 1 plane.
DimVec as_2d(const DimVec& v, int64_t fill) {
  return v.empty() ? v : DimVec{fill, v[0]};
}

void check_1d_input(const Tensor& x, const char* op) {
  PT_CHECK((x->dim() == 2 || x->dim() == 3) && x->sizes()[x->dim() - 1] > 0 &&
               x->sizes()[x->dim() - 2] > 0,
           RuntimeError, op,
           ": Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:",
           ListStr{x->sizes()});
}

void check_1d_param(const DimVec& v, const char* op, const char* name) {
  PT_CHECK(v.size() == 1, RuntimeError, op, ": ", name, " must be a single int, or a tuple of one int");
}

}  // namespace

ValuesIndices max_pool2d_with_indices(const Tensor& input, const DimVec& kernel_size,
                                      const DimVec& stride, const DimVec& padding,
                                      const DimVec& dilation, bool ceil_mode, bool return_indices) {
  const PoolSpec s = window_spec("max_pool2d", input, kernel_size, stride, padding, dilation,
                                 ceil_mode, PoolKind::Max);
  return run_max(s, input, "max_pool2d", return_indices);
}

ValuesIndices max_pool1d_with_indices(const Tensor& input, const DimVec& kernel_size,
                                      const DimVec& stride, const DimVec& padding,
                                      const DimVec& dilation, bool ceil_mode, bool return_indices) {
  check_1d_input(input, "max_pool1d");
  check_1d_param(kernel_size, "max_pool1d", "kernel_size");
  if (!stride.empty()) check_1d_param(stride, "max_pool1d", "stride");
  check_1d_param(padding, "max_pool1d", "padding");
  check_1d_param(dilation, "max_pool1d", "dilation");
  ValuesIndices r = max_pool2d_with_indices(unsqueeze(input, -2), as_2d(kernel_size, 1), as_2d(stride, 1),
                                            as_2d(padding, 0), as_2d(dilation, 1), ceil_mode, return_indices);
  return {squeeze(r.values, -2), return_indices ? squeeze(r.indices, -2) : Tensor()};
}

Tensor avg_pool2d(const Tensor& input, const DimVec& kernel_size, const DimVec& stride,
                  const DimVec& padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override) {
  PoolSpec s = window_spec("avg_pool2d", input, kernel_size, stride, padding, DimVec{1}, ceil_mode,
                           PoolKind::Avg);
  if (!is_floating(input->dtype())) throw_bad_dtype("avg_pool2d", input->dtype());
  PT_CHECK(!divisor_override || *divisor_override != 0, RuntimeError, "divisor must be not zero");
  s.count_include_pad = count_include_pad;
  s.divisor = divisor_override.value_or(0);
  return pool_apply(s, input, Tensor(), false);
}

Tensor avg_pool1d(const Tensor& input, const DimVec& kernel_size, const DimVec& stride,
                  const DimVec& padding, bool ceil_mode, bool count_include_pad) {
  check_1d_input(input, "avg_pool1d");
  check_1d_param(kernel_size, "avg_pool1d", "kernel_size");
  if (!stride.empty()) check_1d_param(stride, "avg_pool1d", "stride");
  check_1d_param(padding, "avg_pool1d", "padding");
  return squeeze(avg_pool2d(unsqueeze(input, -2), as_2d(kernel_size, 1), as_2d(stride, 1),
                            as_2d(padding, 0), ceil_mode, count_include_pad, std::nullopt),
                 -2);
}

Tensor adaptive_avg_pool2d(const Tensor& input, const OutputSize& output_size) {
  const PoolSpec s = adaptive_spec("adaptive_avg_pool2d", input, output_size, PoolKind::AdaptiveAvg);
  if (!is_floating(input->dtype())) throw_bad_dtype("adaptive_avg_pool2d", input->dtype());
  // A global average is a mean (PyTorch records MeanBackward1 for it too).
  if (s.geom.OH == 1 && s.geom.OW == 1) return mean(input, DimVec{-2, -1}, true, std::nullopt);
  return pool_apply(s, input, Tensor(), false);
}

ValuesIndices adaptive_max_pool2d(const Tensor& input, const OutputSize& output_size) {
  const PoolSpec s = adaptive_spec("adaptive_max_pool2d", input, output_size, PoolKind::AdaptiveMax);
  return run_max(s, input, "adaptive_max_pool2d", true);
}

void use_reference_pool(bool on) { g_reference.store(on); }

}  // namespace pt::ops
