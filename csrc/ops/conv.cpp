#include "ops/conv.h"

#include <atomic>
#include <string>

#include "autograd/record.h"
#include "core/error.h"
#include "core/gil.h"
#include "cpu/conv.h"
#include "cuda/kernels.h"
#include "ops/copy.h"
#include "ops/reduce.h"
#include "ops/shape.h"

namespace pt::ops {

namespace {

std::atomic<bool> g_reference{false};

// Stride, top/left padding and dilation per spatial dim; a 1-D convolution is stored as a
// 2-D one with H == 1 (entry 0 is the unit H dim).
struct ConvParams {
  int64_t stride[2] = {1, 1}, pad[2] = {0, 0}, dil[2] = {1, 1};
  int64_t groups = 1;
};

// The three bilinear maps of one convolution: y = conv(x, w); the input gradient
// dx = Input(dy, w) (the transposed convolution); the weight gradient dw = Weight(dy, x).
// Each is the others' derivative, so one node type differentiates all three, to any order.
enum class ConvKind { Forward, GradInput, GradWeight };

// Sizes of a 1-D convolution's 3-D tensor as the 4-D ones the kernels take.
DimVec four_d(const DimVec& s) { return s.size() == 3 ? DimVec{s[0], s[1], 1, s[2]} : s; }

cpu::ConvGeom make_geom(const DimVec& x, const DimVec& w, const DimVec& y, const ConvParams& p) {
  const DimVec x4 = four_d(x), w4 = four_d(w), y4 = four_d(y);
  return {x4[0], x4[1], x4[2], x4[3], w4[0], w4[2], w4[3], y4[2], y4[3],
          p.stride[0], p.stride[1], p.pad[0], p.pad[1], p.dil[0], p.dil[1], p.groups};
}

// Runs one of the three maps on contiguous copies of its operands; a is x or dy, b is w or x.
Tensor run_conv(ConvKind kind, const Tensor& a, const Tensor& b, const Tensor* bias,
                const DimVec& out_sizes, const ConvParams& p) {
  const Tensor ac = contiguous(a), bc = contiguous(b);
  const Tensor biasc = bias ? contiguous(*bias) : Tensor();
  const bool on_cuda = a->device().is_cuda();
  Tensor out = empty(out_sizes, a->dtype(), a->device());
  const DimVec& x = kind == ConvKind::Forward ? a->sizes() : kind == ConvKind::GradInput ? out_sizes : b->sizes();
  const DimVec& w = kind == ConvKind::GradWeight ? out_sizes : b->sizes();
  const DimVec& y = kind == ConvKind::Forward ? out_sizes : a->sizes();
  const cpu::ConvGeom g = make_geom(x, w, y, p);
  const bool ref = g_reference.load();
  GilRelease nogil(!on_cuda && g.N * g.O * g.OH * g.OW * g.kh * g.kw * (g.C / g.groups) >= (1 << 16));
  PT_DISPATCH_FLOAT(a->dtype(), "conv", [&] {
    using T = scalar_t;
    const T* A = ac->data<T>();
    const T* B = bc->data<T>();
    const T* bs = biasc ? biasc->data<T>() : nullptr;
    T* o = out->data<T>();
    switch (kind) {
      case ConvKind::Forward:
        (on_cuda ? cuda::conv2d_forward<T> : ref ? cpu::conv2d_forward_ref<T> : cpu::conv2d_forward<T>)(g, A, B, bs, o);
        break;
      case ConvKind::GradInput:
        (on_cuda ? cuda::conv2d_grad_input<T> : ref ? cpu::conv2d_grad_input_ref<T> : cpu::conv2d_grad_input<T>)(g, A, B, bs, o);
        break;
      case ConvKind::GradWeight:
        (on_cuda ? cuda::conv2d_grad_weight<T> : ref ? cpu::conv2d_grad_weight_ref<T> : cpu::conv2d_grad_weight<T>)(g, A, B, o);
        break;
    }
  });
  return out;
}

Tensor conv_op(ConvKind kind, const Tensor& a, const Tensor& b, const Tensor* bias,
               const DimVec& out_sizes, const ConvParams& p);

// Backward of any of the three maps: with the incoming gradient G, the gradient of operand a
// needs b and that of b needs a (saved only when needed).
struct ConvolutionBackward final : autograd::Node {
  ConvolutionBackward(ConvKind k, const ConvParams& p) : kind(k), params(p) {}
  std::string name() const override {
    return kind == ConvKind::GradWeight ? "ConvolutionBackwardBackward0" : "ConvolutionBackward0";
  }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    const Tensor& g = grads[0];
    autograd::TensorList out(next_edges.size());
    if (next_edges[0].fn) {
      const Tensor b = b_.unpack(this);
      switch (kind) {
        case ConvKind::Forward: out[0] = conv_op(ConvKind::GradInput, g, b, nullptr, a_sizes, params); break;
        case ConvKind::GradInput: out[0] = conv_op(ConvKind::Forward, g, b, nullptr, a_sizes, params); break;
        case ConvKind::GradWeight: out[0] = conv_op(ConvKind::Forward, b, g, nullptr, a_sizes, params); break;
      }
    }
    if (next_edges[1].fn) {
      const Tensor a = a_.unpack(this);
      switch (kind) {
        case ConvKind::Forward: out[1] = conv_op(ConvKind::GradWeight, g, a, nullptr, b_sizes, params); break;
        case ConvKind::GradInput: out[1] = conv_op(ConvKind::GradWeight, a, g, nullptr, b_sizes, params); break;
        case ConvKind::GradWeight: out[1] = conv_op(ConvKind::GradInput, a, g, nullptr, b_sizes, params); break;
      }
    }
    if (next_edges.size() > 2 && next_edges[2].fn) {
      DimVec dims{0};
      for (int64_t d = 2; d < g->dim(); ++d) dims.push_back(d);
      out[2] = sum(g, dims, false, std::nullopt);
    }
    return out;
  }
  void release_saved() override {
    a_.reset();
    b_.reset();
  }
  ConvKind kind;
  ConvParams params;
  DimVec a_sizes, b_sizes;
  autograd::SavedVariable a_, b_;
};

Tensor conv_op(ConvKind kind, const Tensor& a, const Tensor& b, const Tensor* bias,
               const DimVec& out_sizes, const ConvParams& p) {
  Tensor out = run_conv(kind, a, b, bias, out_sizes, p);
  const Tensor none;
  if (autograd::needs_grad({&a, &b, bias ? bias : &none})) {
    auto node = bias ? autograd::make_node<ConvolutionBackward>({&a, &b, bias}, kind, p)
                     : autograd::make_node<ConvolutionBackward>({&a, &b}, kind, p);
    node->a_sizes = a->sizes();
    node->b_sizes = b->sizes();
    if (b->requires_grad()) node->a_ = autograd::SavedVariable(a, false);
    if (a->requires_grad()) node->b_ = autograd::SavedVariable(b, false);
    autograd::set_history(out, node);
  }
  return out;
}

// ---- argument checks, as PyTorch words them ----

std::string join(const DimVec& v, const char* sep) {
  std::string s;
  for (int64_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + std::to_string(v[i]);
  return s;
}

// One value for every spatial dim, or one per dim.
DimVec expand_param(const DimVec& v, int64_t ns, const char* name) {
  if (v.size() == 1) return DimVec(ns, v[0]);
  PT_CHECK(v.size() == ns, RuntimeError, "expected ", name,
           " to be a single integer value or a list of ", ns,
           " values to match the convolution dimensions, but got ", name, "=", ListStr{v});
  return v;
}

void check_operands(const char* op, int64_t ns, const Tensor& input, const Tensor& weight,
                    const std::optional<Tensor>& bias) {
  PT_CHECK(input->dim() == ns + 1 || input->dim() == ns + 2, RuntimeError, "Expected ", ns + 1,
           "D (unbatched) or ", ns + 2, "D (batched) input to ", op, ", but got input of size: ",
           ListStr{input->sizes()});
  PT_CHECK(weight->dim() == ns + 2, RuntimeError, "Expected ", ns + 2, "D weight for ", op,
           ", but got weight of size: ", ListStr{weight->sizes()});
  same_device(op, {&input, &weight, bias ? &*bias : nullptr});
  if (!is_floating(input->dtype())) throw_bad_dtype(op, input->dtype());
  PT_CHECK(weight->dtype() == input->dtype() && (!bias || (*bias)->dtype() == input->dtype()),
           RuntimeError, "expected scalar type ", torch_dtype_name(input->dtype()),
           " but found ", torch_dtype_name(weight->dtype() != input->dtype() ? weight->dtype() : (*bias)->dtype()));
}

struct Prepared {
  Tensor input;  // batched
  ConvParams params;
  bool unbatched;
};

// Shared by the four public ops: checks, then the batched input and the 2-D parameters.
Prepared prepare(const char* op, int64_t ns, const Tensor& input, const Tensor& weight,
                 const std::optional<Tensor>& bias, const DimVec& stride_in, const DimVec& pad_in,
                 const DimVec& dilation_in, int64_t groups, bool transposed) {
  check_operands(op, ns, input, weight, bias);
  const DimVec stride = expand_param(stride_in, ns, "stride");
  const DimVec pad = expand_param(pad_in, ns, "padding");
  const DimVec dil = expand_param(dilation_in, ns, "dilation");
  for (int64_t d = 0; d < ns; ++d) {
    PT_CHECK(stride[d] > 0, RuntimeError, "non-positive stride is not supported");
    PT_CHECK(pad[d] >= 0, RuntimeError, "negative padding is not supported");
    PT_CHECK(dil[d] > 0, RuntimeError, "dilation should be greater than zero");
  }
  PT_CHECK(groups > 0, RuntimeError, "non-positive groups is not supported");
  Prepared r{input->dim() == ns + 1 ? unsqueeze(input, 0) : input, {}, input->dim() == ns + 1};
  const DimVec& is = r.input->sizes();
  const DimVec& ws = weight->sizes();
  PT_CHECK(ws[0] >= 1, RuntimeError, "Given groups=", groups,
           ", expected weight to be at least 1 at dimension 0, but got weight of size ", ListStr{ws},
           " instead");
  for (int64_t d = 0; d < ns; ++d)
    PT_CHECK(ws[2 + d] > 0, RuntimeError, "kernel size should be greater than zero, but got ",
             ns == 2 ? str_cat("kernel_height: ", ws[2], " kernel_width: ", ws[3])
                     : str_cat("kernel_width: ", ws[2]));
  PT_CHECK(ws[0] % groups == 0, RuntimeError, "Given groups=", groups,
           ", expected weight to be divisible by ", groups,
           " at dimension 0, but got weight of size [", ListStr{ws}, "] instead");
  const int64_t in_channels = transposed ? ws[0] : ws[1] * groups;
  PT_CHECK(is[1] == in_channels, RuntimeError, "Given ",
           transposed ? "transposed=1" : str_cat("groups=", groups), ", weight of size ",
           ListStr{ws}, ", expected input", ListStr{is}, " to have ", in_channels,
           " channels, but got ", is[1], " channels instead");
  const int64_t out_channels = transposed ? ws[1] * groups : ws[0];
  PT_CHECK(!bias || ((*bias)->dim() == 1 && (*bias)->numel() == out_channels), RuntimeError,
           "Given weight of size ", ListStr{ws}, ", expected bias to be 1-dimensional with ",
           out_channels, " elements, but got bias of size ", ListStr{(*bias)->sizes()}, " instead");
  const int64_t off = 2 - ns;  // 1-D parameters go to entry 1 (W)
  for (int64_t d = 0; d < ns; ++d) {
    r.params.stride[d + off] = stride[d];
    r.params.pad[d + off] = pad[d];
    r.params.dil[d + off] = dil[d];
  }
  r.params.groups = groups;
  return r;
}

Tensor finish(const Prepared& r, const Tensor& out) { return r.unbatched ? squeeze(out, 0) : out; }

Tensor convolution(const char* op, int64_t ns, const Tensor& input, const Tensor& weight,
                   const std::optional<Tensor>& bias, const DimVec& stride,
                   const ConvPadding& padding, const DimVec& dilation, int64_t groups) {
  const bool same = padding.same;
  Prepared r = prepare(op, ns, input, weight, bias, stride, same ? DimVec{0} : padding.sizes,
                       dilation, groups, false);
  const DimVec& is = r.input->sizes();
  const DimVec& ws = weight->sizes();
  DimVec out{is[0], ws[0]}, padded, kernel;
  for (int64_t d = 0; d < ns; ++d) {
    const int64_t e = d + 2 - ns;  // entry in the 2-D parameters
    const int64_t k = r.params.dil[e] * (ws[2 + d] - 1) + 1;
    if (same) {
      PT_CHECK(r.params.stride[e] == 1, RuntimeError,
               "padding='same' is not supported for strided convolutions");
      r.params.pad[e] = (k - 1) / 2;  // odd totals put the extra row at the bottom/right
    }
    padded.push_back(is[2 + d] + (same ? k - 1 : 2 * r.params.pad[e]));
    kernel.push_back(k);
    out.push_back(padded.back() < k ? 0 : (padded.back() - k) / r.params.stride[e] + 1);
  }
  for (int64_t d = 0; d < ns; ++d)
    PT_CHECK(padded[d] >= kernel[d], RuntimeError, "Calculated padded input size per channel: (",
             join(padded, " x "), "). Kernel size: (", join(kernel, " x "),
             "). Kernel size can't be greater than actual input size");
  const Tensor b = bias ? *bias : Tensor();
  return finish(r, conv_op(ConvKind::Forward, r.input, weight, bias ? &b : nullptr, out, r.params));
}

Tensor convolution_transpose(const char* op, int64_t ns, const Tensor& input, const Tensor& weight,
                             const std::optional<Tensor>& bias, const DimVec& stride,
                             const DimVec& padding, const DimVec& output_padding_in, int64_t groups,
                             const DimVec& dilation) {
  Prepared r = prepare(op, ns, input, weight, bias, stride, padding, dilation, groups, true);
  const DimVec outpad = expand_param(output_padding_in, ns, "output_padding");
  const DimVec& is = r.input->sizes();
  const DimVec& ws = weight->sizes();
  DimVec out{is[0], ws[1] * groups}, in_sp, out_sp;
  for (int64_t d = 0; d < ns; ++d) {
    const int64_t e = d + 2 - ns;
    const ConvParams& p = r.params;
    PT_CHECK(outpad[d] >= 0, RuntimeError, "negative output_padding is not supported");
    PT_CHECK(outpad[d] < p.stride[e] || outpad[d] < p.dil[e], RuntimeError,
             "output padding must be smaller than either stride or dilation, but got output_padding=",
             ListStr{outpad}, " stride=", ListStr{expand_param(stride, ns, "stride")},
             " dilation=", ListStr{expand_param(dilation, ns, "dilation")});
    in_sp.push_back(is[2 + d]);
    out_sp.push_back((is[2 + d] - 1) * p.stride[e] - 2 * p.pad[e] + p.dil[e] * (ws[2 + d] - 1) +
                     outpad[d] + 1);
    out.push_back(out_sp.back());
  }
  for (int64_t d = 0; d < ns; ++d)
    PT_CHECK(out_sp[d] > 0, RuntimeError, "Given input size per channel: (", join(in_sp, " x "),
             "). Calculated output size per channel: (", join(out_sp, " x "),
             "). Output size is too small");
  const Tensor b = bias ? *bias : Tensor();
  return finish(r, conv_op(ConvKind::GradInput, r.input, weight, bias ? &b : nullptr, out, r.params));
}

}  // namespace

Tensor conv1d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
              const DimVec& stride, const ConvPadding& padding, const DimVec& dilation,
              int64_t groups) {
  return convolution("conv1d", 1, input, weight, bias, stride, padding, dilation, groups);
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
              const DimVec& stride, const ConvPadding& padding, const DimVec& dilation,
              int64_t groups) {
  return convolution("conv2d", 2, input, weight, bias, stride, padding, dilation, groups);
}

Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
                        const DimVec& stride, const DimVec& padding, const DimVec& output_padding,
                        int64_t groups, const DimVec& dilation) {
  return convolution_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding,
                               output_padding, groups, dilation);
}

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
                        const DimVec& stride, const DimVec& padding, const DimVec& output_padding,
                        int64_t groups, const DimVec& dilation) {
  return convolution_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding,
                               output_padding, groups, dilation);
}

void use_reference_conv(bool on) { g_reference.store(on); }

}  // namespace pt::ops
