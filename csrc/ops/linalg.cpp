#include "ops/linalg.h"

#include <cstring>

#include "autograd/record.h"
#include "core/error.h"
#include "core/gil.h"
#include "cpu/gemm/gemm.h"
#include "cpu/matmul_int.h"
#include "cuda/kernels.h"
#include "ops/copy.h"
#include "ops/elementwise.h"
#include "ops/factory.h"
#include "ops/reduce.h"
#include "ops/shape.h"

namespace pt::ops {

namespace {

struct MatrixArg {
  const char* data;
  int64_t rs, cs;  // row and column strides, in elements
};

void check_pair(const Tensor& a, const Tensor& b, const char* op) {
  PT_CHECK(a->dtype() == b->dtype(), RuntimeError, op,
           ": expected both arguments to have the same dtype, but got ", a->dtype(), " and ",
           b->dtype());
  PT_CHECK(a->device() == b->device(), RuntimeError, op,
           ": expected both arguments to be on the same device, but got ", a->device().str(),
           " and ", b->device().str());
  PT_CHECK(a->device().is_cpu() || is_floating(a->dtype()), NotImplementedError, op,
           ": not implemented for ", a->device().str(), " tensors of dtype ", a->dtype(), " yet");
  if (a->dtype() == DType::Bool) throw_bad_dtype(op, a->dtype());
}

[[noreturn]] void shape_error(const Tensor& a, const Tensor& b, int64_t k1, int64_t k2, const char* op) {
  throw RuntimeError(str_cat(op, ": shapes ", a->sizes(), " and ", b->sizes(),
                             " cannot be multiplied (", k1, " != ", k2, ")"));
}

// C[i] = A[i] @ B[i] over a flattened batch where the three operands step by one stride each.
void gemm_run(Device device, DType dtype, int64_t batch, int64_t M, int64_t N, int64_t K, MatrixArg A,
              int64_t bsA, MatrixArg B, int64_t bsB, char* C, int64_t bsC, int64_t rsC, int64_t csC) {
  if (device.is_cuda())  // asynchronous: no GIL release needed
    return cuda::gemm(dtype, batch, M, N, K, A.data, bsA, A.rs, A.cs, B.data, bsB, B.rs, B.cs, C,
                      bsC, rsC, csC);
  GilRelease nogil(batch * M * N * K >= (1 << 18));
  switch (dtype) {
    case DType::Float32:
      cpu::gemm<float>(batch, M, N, K, 1.f, reinterpret_cast<const float*>(A.data), bsA, A.rs, A.cs,
                       reinterpret_cast<const float*>(B.data), bsB, B.rs, B.cs, 0.f,
                       reinterpret_cast<float*>(C), bsC, rsC, csC);
      break;
    case DType::Float64:
      cpu::gemm<double>(batch, M, N, K, 1.0, reinterpret_cast<const double*>(A.data), bsA, A.rs, A.cs,
                        reinterpret_cast<const double*>(B.data), bsB, B.rs, B.cs, 0.0,
                        reinterpret_cast<double*>(C), bsC, rsC, csC);
      break;
    default:
      PT_DISPATCH_NUMERIC(dtype, "matmul", [&] {
        if constexpr (!std::is_floating_point_v<scalar_t>)
          cpu::matmul_int<scalar_t>(batch, M, N, K, reinterpret_cast<const scalar_t*>(A.data), bsA,
                                    A.rs, A.cs, reinterpret_cast<const scalar_t*>(B.data), bsB, B.rs,
                                    B.cs, reinterpret_cast<scalar_t*>(C), bsC, rsC, csC);
      });
  }
}

// a: (...a, M, K), b: (...b, K, N), both at least 2-D; batch dims broadcast.
Tensor batched_matmul(const Tensor& a, const Tensor& b, const char* op) {
  const int64_t da = a->dim(), db = b->dim();
  const int64_t M = a->sizes()[da - 2], K = a->sizes()[da - 1];
  const int64_t K2 = b->sizes()[db - 2], N = b->sizes()[db - 1];
  if (K != K2) shape_error(a, b, K, K2, op);
  const DimVec batch = broadcast_shapes(DimVec(a->sizes().begin(), a->sizes().end() - 2),
                                        DimVec(b->sizes().begin(), b->sizes().end() - 2), op);
  DimVec out_shape = batch;
  out_shape.push_back(M);
  out_shape.push_back(N);
  Tensor c = pt::empty(out_shape, a->dtype(), a->device());
  if (c->numel() == 0) return c;
  if (K == 0) {  // an empty sum: zeros
    fill_(c, Scalar::from_int(0));
    return c;
  }

  // Batch strides of each operand (0 where broadcast), then coalesced so one GEMM call covers
  // the innermost run of batches and a plain loop walks the rest.
  const int64_t nb = batch.size();
  DimVec sizes, st[3];
  for (int64_t d = 0; d < nb; ++d) {
    if (batch[d] == 1) continue;
    const int64_t ia = d - (nb - (da - 2)), ib = d - (nb - (db - 2));
    const int64_t sa = ia >= 0 && a->sizes()[ia] != 1 ? a->strides()[ia] : 0;
    const int64_t sb = ib >= 0 && b->sizes()[ib] != 1 ? b->strides()[ib] : 0;
    const int64_t sc = c->strides()[d];
    if (!sizes.empty() && st[0].back() == sa * batch[d] && st[1].back() == sb * batch[d] &&
        st[2].back() == sc * batch[d]) {
      sizes[sizes.size() - 1] *= batch[d];
      st[0][st[0].size() - 1] = sa;
      st[1][st[1].size() - 1] = sb;
      st[2][st[2].size() - 1] = sc;
    } else {
      sizes.push_back(batch[d]);
      st[0].push_back(sa);
      st[1].push_back(sb);
      st[2].push_back(sc);
    }
  }
  const int64_t isz = a->itemsize();
  const int64_t inner = sizes.empty() ? 1 : sizes.back();
  const int64_t ibs[3] = {sizes.empty() ? 0 : st[0].back(), sizes.empty() ? 0 : st[1].back(),
                          sizes.empty() ? 0 : st[2].back()};
  const int64_t nouter_dims = sizes.empty() ? 0 : sizes.size() - 1;
  int64_t nouter = 1;
  for (int64_t d = 0; d < nouter_dims; ++d) nouter *= sizes[d];
  for (int64_t o = 0; o < nouter; ++o) {
    int64_t off[3] = {0, 0, 0}, rem = o;
    for (int64_t d = nouter_dims - 1; d >= 0; --d) {
      const int64_t i = rem % sizes[d];
      rem /= sizes[d];
      for (int k = 0; k < 3; ++k) off[k] += i * st[k][d];
    }
    MatrixArg A{static_cast<const char*>(a->raw_data()) + off[0] * isz, a->strides()[da - 2], a->strides()[da - 1]};
    MatrixArg B{static_cast<const char*>(b->raw_data()) + off[1] * isz, b->strides()[db - 2], b->strides()[db - 1]};
    gemm_run(a->device(), a->dtype(), inner, M, N, K, A, ibs[0], B, ibs[1],
             static_cast<char*>(c->raw_data()) + off[2] * isz, ibs[2], N, 1);
  }
  return c;
}

Tensor unsqueeze_view(const Tensor& t, int64_t dim) {
  DimVec sizes = t->sizes(), strides = t->strides();
  sizes.insert(dim, 1);
  strides.insert(dim, 1);
  return make_view(t, sizes, strides, t->offset());
}

Tensor squeeze_view(const Tensor& t, int64_t dim) {
  DimVec sizes = t->sizes(), strides = t->strides();
  sizes.erase(dim);
  strides.erase(dim);
  return make_view(t, sizes, strides, t->offset());
}

}  // namespace

static Tensor dot_forward(const Tensor& a, const Tensor& b);

static Tensor matmul_forward(const Tensor& a, const Tensor& b) {
  check_pair(a, b, "matmul");
  const int64_t da = a->dim(), db = b->dim();
  PT_CHECK(da >= 1 && db >= 1, RuntimeError,
           "matmul: both arguments to matmul need to be at least 1D, but they are ", da, "D and ",
           db, "D");
  if (da == 1 && db == 1) return dot_forward(a, b);
  // A 1-D operand becomes a row (left) or column (right) matrix, removed from the result.
  const Tensor a2 = da == 1 ? unsqueeze_view(a, 0) : a;
  const Tensor b2 = db == 1 ? unsqueeze_view(b, 1) : b;
  if (a2->sizes().back() != b2->sizes()[b2->dim() - 2])
    shape_error(a, b, a2->sizes().back(), b2->sizes()[b2->dim() - 2], "matmul");
  Tensor c = batched_matmul(a2, b2, "matmul");
  if (db == 1) c = squeeze_view(c, c->dim() - 1);
  if (da == 1) c = squeeze_view(c, c->dim() - (db == 1 ? 1 : 2));
  return c;
}

static Tensor mm_forward(const Tensor& a, const Tensor& b) {
  check_pair(a, b, "mm");
  PT_CHECK(a->dim() == 2 && b->dim() == 2, RuntimeError, "mm: expected 2-D tensors, but got ",
           a->dim(), "-D and ", b->dim(), "-D (shapes ", a->sizes(), " and ", b->sizes(), ")");
  return batched_matmul(a, b, "mm");
}

static Tensor bmm_forward(const Tensor& a, const Tensor& b) {
  check_pair(a, b, "bmm");
  PT_CHECK(a->dim() == 3 && b->dim() == 3, RuntimeError, "bmm: expected 3-D tensors, but got ",
           a->dim(), "-D and ", b->dim(), "-D (shapes ", a->sizes(), " and ", b->sizes(), ")");
  PT_CHECK(a->sizes()[0] == b->sizes()[0], RuntimeError, "bmm: batch sizes differ: shapes ",
           a->sizes(), " and ", b->sizes());
  return batched_matmul(a, b, "bmm");
}

static Tensor mv_forward(const Tensor& a, const Tensor& v) {
  check_pair(a, v, "mv");
  PT_CHECK(a->dim() == 2 && v->dim() == 1, RuntimeError,
           "mv: expected a 2-D matrix and a 1-D vector, but got shapes ", a->sizes(), " and ",
           v->sizes());
  if (a->sizes()[1] != v->sizes()[0]) shape_error(a, v, a->sizes()[1], v->sizes()[0], "mv");
  return squeeze_view(batched_matmul(a, unsqueeze_view(v, 1), "mv"), 1);
}

static Tensor dot_forward(const Tensor& a, const Tensor& b) {
  check_pair(a, b, "dot");
  PT_CHECK(a->dim() == 1 && b->dim() == 1, RuntimeError,
           "dot: 1D tensors expected, but got ", a->dim(), "D and ", b->dim(), "D tensors");
  PT_CHECK(a->numel() == b->numel(), RuntimeError,
           "dot: inconsistent tensor size, expected tensor [", a->numel(),
           "] and src [", b->numel(), "] to have the same number of elements, but got ",
           a->numel(), " and ", b->numel(), " elements respectively");
  Tensor c = batched_matmul(unsqueeze_view(a, 0), unsqueeze_view(b, 1), "dot");
  return make_view(c, {}, {}, c->offset());
}

// Every product is a matmul of (batched) matrices, so one backward serves them all:
// dA = dC @ B^T and dB = A^T @ dC, with 1-D operands as a row / column and broadcast batch dims
// summed away. Transposes are views; the GEMM reads them in place.
struct MatmulBackward final : autograd::Node {
  explicit MatmulBackward(const char* name) : name_(name) {}
  std::string name() const override { return name_; }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    // A 1-D operand is a row (left) or a column (right); the gradient gets the dims back.
    auto as_matrix = [](Tensor t, bool left) { return t->dim() == 1 ? unsqueeze(t, left ? 0 : 1) : t; };
    Tensor g = grads[0];
    if (b_sizes.size() == 1) g = unsqueeze(g, g->dim());
    if (a_sizes.size() == 1) g = unsqueeze(g, g->dim() - 1);
    autograd::TensorList out(2);
    if (next_edges[0].fn) {
      const Tensor b2 = as_matrix(b_.unpack(this), false);
      out[0] = matmul(g, matrix_T(b2));
      out[0] = reshape(sum_to(out[0], a_sizes.size() == 1 ? DimVec{1, a_sizes[0]} : a_sizes), a_sizes);
    }
    if (next_edges[1].fn) {
      const Tensor a2 = as_matrix(a_.unpack(this), true);
      out[1] = matmul(matrix_T(a2), g);
      out[1] = reshape(sum_to(out[1], b_sizes.size() == 1 ? DimVec{b_sizes[0], 1} : b_sizes), b_sizes);
    }
    return out;
  }
  void release_saved() override {
    a_.reset();
    b_.reset();
  }
  autograd::SavedVariable a_, b_;  // each saved only when the other's gradient is needed
  DimVec a_sizes, b_sizes;

 private:
  const char* name_;
};

// Runs `forward` and, when needed, records a MatmulBackward named as PyTorch names that product.
template <class F>
static Tensor record_product(const Tensor& a, const Tensor& b, const char* name, F forward) {
  Tensor out = forward(a, b);
  if (autograd::needs_grad({&a, &b})) {
    auto node = autograd::make_node<MatmulBackward>({&a, &b}, name);
    node->a_sizes = a->sizes();
    node->b_sizes = b->sizes();
    if (b->requires_grad()) node->a_ = autograd::SavedVariable(a, false);
    if (a->requires_grad()) node->b_ = autograd::SavedVariable(b, false);
    autograd::set_history(out, node);
  }
  return out;
}

static const char* matmul_node_name(const Tensor& a, const Tensor& b) {
  if (a->dim() == 1 && b->dim() == 1) return "DotBackward0";
  if (a->dim() == 2 && b->dim() == 1) return "MvBackward0";
  if (a->dim() <= 2 && b->dim() <= 2) return "MmBackward0";
  return a->dim() == 3 && b->dim() == 3 ? "BmmBackward0" : "UnsafeViewBackward0";
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  return record_product(a, b, matmul_node_name(a, b), matmul_forward);
}
Tensor mm(const Tensor& a, const Tensor& b) { return record_product(a, b, "MmBackward0", mm_forward); }
Tensor bmm(const Tensor& a, const Tensor& b) { return record_product(a, b, "BmmBackward0", bmm_forward); }
Tensor mv(const Tensor& a, const Tensor& v) { return record_product(a, v, "MvBackward0", mv_forward); }
Tensor dot(const Tensor& a, const Tensor& b) { return record_product(a, b, "DotBackward0", dot_forward); }
Tensor outer(const Tensor& a, const Tensor& b) {
  check_pair(a, b, "outer");
  PT_CHECK(a->dim() == 1 && b->dim() == 1, RuntimeError, "outer: expected 1-D tensors, but got ",
           a->dim(), "D and ", b->dim(), "D");
  return matmul(unsqueeze(a, 1), unsqueeze(b, 0));  // a column times a row
}

// linear on 2-D operands: out = input @ weight^T (+ bias): the bias is broadcast into the
// output rows first and the GEMM accumulates onto it (beta = 1), so there is no second pass.
static Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& bias) {
  const int64_t M = x->sizes()[0], K = x->sizes()[1], N = w->sizes()[0];
  Tensor out = pt::empty({M, N}, x->dtype(), x->device());
  if (out->numel() == 0) return out;
  PT_DISPATCH_FLOAT(x->dtype(), "linear", [&] {
    scalar_t* c = static_cast<scalar_t*>(out->raw_data());
    scalar_t beta = 0;
    if (bias) {
      const scalar_t* b = static_cast<const scalar_t*>(bias->raw_data());
      const int64_t bs = bias->strides()[0];
      for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j) c[i * N + j] = b[j * bs];
      beta = 1;
    } else if (K == 0) {
      std::memset(c, 0, out->numel() * sizeof(scalar_t));
    }
    if (K == 0) return;
    GilRelease nogil(M * N * K >= (1 << 18));
    cpu::gemm<scalar_t>(1, M, N, K, scalar_t(1), static_cast<const scalar_t*>(x->raw_data()), 0,
                        x->strides()[0], x->strides()[1], static_cast<const scalar_t*>(w->raw_data()),
                        0, w->strides()[1], w->strides()[0], beta, c, 0, N, 1);
  });
  return out;
}

// d input = g @ W, d weight = g^T @ input, d bias = g summed over rows (all ops, so
// create_graph differentiates them again).
struct LinearBackward final : autograd::Node {
  explicit LinearBackward(bool has_bias) : has_bias_(has_bias) {}
  std::string name() const override { return has_bias_ ? "AddmmBackward0" : "MmBackward0"; }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    const Tensor& g = grads[0];
    autograd::TensorList out(3);
    if (next_edges[0].fn) out[0] = mm(g, weight_.unpack(this));
    if (next_edges[1].fn) out[1] = mm(t(g), input_.unpack(this));
    if (has_bias_ && next_edges[2].fn) out[2] = sum(g, DimVec{0}, false, std::nullopt);
    return out;
  }
  void release_saved() override {
    input_.reset();
    weight_.reset();
  }
  autograd::SavedVariable input_, weight_;  // each saved only when the other's gradient is needed

 private:
  bool has_bias_;
};

// The fused 2-D product and its node; input (M, K), weight (N, K), bias null or (N,).
static Tensor linear_2d(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  Tensor out = linear_forward(input, weight, bias);
  if (autograd::needs_grad({&input, &weight, &bias})) {
    auto node = autograd::make_node<LinearBackward>({&input, &weight, &bias}, bool(bias));
    if (weight->requires_grad()) node->input_ = autograd::SavedVariable(input, false);
    if (input->requires_grad()) node->weight_ = autograd::SavedVariable(weight, false);
    autograd::set_history(out, node);
  }
  return out;
}

Tensor linear(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias_opt) {
  const Tensor bias = bias_opt.value_or(Tensor());
  check_pair(input, weight, "linear");
  PT_CHECK(weight->dim() == 1 || weight->dim() == 2, RuntimeError,
           "linear: weight must be 1-D or 2-D (out_features, in_features), but got shape ",
           weight->sizes());
  PT_CHECK(input->dim() >= 1, RuntimeError, "linear: input must be at least 1-D, but got a 0-D tensor");
  const int64_t K = input->sizes()[input->dim() - 1], Kw = weight->sizes()[weight->dim() - 1];
  PT_CHECK(K == Kw, RuntimeError, "linear: input of shape ", input->sizes(), " has ", K,
           " features but the weight of shape ", weight->sizes(), " expects ", Kw, " (in_features)");
  if (bias) check_pair(input, bias, "linear");
  const bool fused = input->device().is_cpu() && weight->dim() == 2 && is_floating(input->dtype()) &&
                     (!bias || (bias->dim() == 1 && bias->sizes()[0] == weight->sizes()[0]));
  if (!fused) {  // CUDA, 1-D weights, integer dtypes and broadcasting biases: the composite
    Tensor out = matmul(input, weight->dim() == 2 ? t(weight) : weight);
    return bias ? add(out, bias) : out;
  }
  if (input->dim() == 2) return linear_2d(input, weight, bias);
  // Leading dims flattened around the 2-D product, as PyTorch does.
  DimVec out_shape(input->sizes().begin(), input->sizes().end() - 1);
  out_shape.push_back(weight->sizes()[0]);
  return reshape(linear_2d(reshape(input, {-1, K}), weight, bias), out_shape);
}

}  // namespace pt::ops
