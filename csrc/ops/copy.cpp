#include "ops/copy.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "autograd/record.h"
#include "core/error.h"
#include "core/iter.h"
#include "cpu/copy.h"
#include "cuda/kernels.h"

namespace pt::ops {

DimVec broadcast_shapes(const DimVec& a, const DimVec& b, const char* op) {
  const int64_t nd = std::max(a.size(), b.size());
  DimVec out(nd);
  for (int64_t i = 0; i < nd; ++i) {
    const int64_t da = i < nd - a.size() ? 1 : a[i - (nd - a.size())];
    const int64_t db = i < nd - b.size() ? 1 : b[i - (nd - b.size())];
    PT_CHECK(da == db || da == 1 || db == 1, RuntimeError, op, ": the size of tensor a (", da,
             ") must match the size of tensor b (", db, ") at non-singleton dimension ", i,
             "; shapes ", a, " and ", b, " cannot be broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

DimVec broadcast_strides(const Tensor& t, const DimVec& shape, const char* op) {
  const int64_t nd = shape.size(), td = t->dim();
  PT_CHECK(td <= nd, RuntimeError, op, ": tensor of shape ", t->sizes(),
           " cannot be broadcast to shape ", shape);
  DimVec strides(nd, 0);
  for (int64_t i = 0; i < td; ++i) {
    const int64_t d = nd - td + i, s = t->sizes()[i];
    PT_CHECK(s == shape[d] || s == 1, RuntimeError, op, ": the expanded size of the tensor (",
             shape[d], ") must match the existing size (", s, ") at non-singleton dimension ", d,
             ". Target sizes: ", shape, ". Tensor sizes: ", t->sizes());
    strides[d] = s == 1 ? 0 : t->strides()[i];
  }
  return strides;
}

void check_no_internal_overlap(const Tensor& t, const char* op) {
  if (t->numel() == 0) return;  // nothing is written
  // Sorted by stride, each dim must step past everything the smaller dims span.
  std::vector<std::pair<int64_t, int64_t>> dims;
  for (int64_t d = 0; d < t->dim(); ++d)
    if (t->sizes()[d] > 1) dims.emplace_back(t->strides()[d], t->sizes()[d]);
  std::sort(dims.begin(), dims.end());
  int64_t span = 0;
  for (auto [stride, size] : dims) {
    PT_CHECK(stride > span, RuntimeError, op,
             ": unsupported operation: more than one element of the written-to tensor refers to "
             "a single memory location. Please clone() the tensor before performing the operation.");
    span += stride * (size - 1);
  }
}

static std::pair<const char*, const char*> byte_range(const Tensor& t) {
  const char* lo = static_cast<const char*>(t->raw_data());
  const char* hi = lo;
  for (int64_t d = 0; d < t->dim(); ++d) {
    const int64_t ext = (t->sizes()[d] - 1) * t->strides()[d] * t->itemsize();
    (ext < 0 ? lo : hi) += ext;
  }
  return {lo, hi + t->itemsize()};
}

bool partial_overlap(const Tensor& a, const Tensor& b) {
  // Memory ranges, not storage identity: two from_numpy views of one array are two storages.
  if (a->device() != b->device() || a->numel() == 0 || b->numel() == 0) return false;
  if (a->raw_data() == b->raw_data() && a->sizes() == b->sizes() && a->strides() == b->strides() &&
      a->dtype() == b->dtype())
    return false;  // the same view: elementwise in-place is safe
  auto [alo, ahi] = byte_range(a);
  auto [blo, bhi] = byte_range(b);
  return alo < bhi && blo < ahi;
}

template <class Out, class In>
static void cast_loop(char** p, const int64_t* s, int64_t n) {
  if (s[0] == sizeof(Out) && s[1] == sizeof(In)) {
    Out* o = reinterpret_cast<Out*>(p[0]);
    const In* in = reinterpret_cast<const In*>(p[1]);
    for (int64_t i = 0; i < n; ++i) o[i] = static_cast<Out>(in[i]);
  } else {
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<Out*>(p[0] + i * s[0]) = static_cast<Out>(*reinterpret_cast<const In*>(p[1] + i * s[1]));
  }
}

// dst = src cast to dst's dtype, both on dst's device; src_strides broadcast src to dst.
static void copy_same_device(const Tensor& dst, const Tensor& src, const DimVec& src_strides) {
  if (dst->device().is_cpu() && cpu::copy_transposed(dst, src, src_strides)) return;
  const Operand ops[2] = {{static_cast<char*>(dst->raw_data()), &dst->strides(), dst->itemsize()},
                          {static_cast<char*>(src->raw_data()), &src_strides, src->itemsize()}};
  StridedLoop loop(dst->sizes(), 2, ops);
  if (dst->device().is_cuda()) return cuda::copy(loop, dst->dtype(), src->dtype());
  PT_DISPATCH_ALL(dst->dtype(), "copy_", [&] {
    using out_t = scalar_t;
    PT_DISPATCH_ALL(src->dtype(), "copy_", [&] {
      loop.run([](char** p, const int64_t* s, int64_t n) { cast_loop<out_t, scalar_t>(p, s, n); });
    });
  });
}

// Contiguous dst = contiguous src of the same dtype and size, on different devices.
static void memcpy_between(const Tensor& dst, const Tensor& src, bool non_blocking) {
  auto index = [](Device d) { return d.is_cpu() ? -1 : d.index; };
  cuda::memcpy(dst->raw_data(), index(dst->device()), src->raw_data(), index(src->device()),
               dst->numel() * dst->itemsize(), non_blocking);
}

// A contiguous copy of t (same dtype) on `device`: a gather on t's device when t is strided,
// then one memcpy between the devices.
static Tensor contiguous_on(const Tensor& t, Device device) {
  Tensor dense = t;
  if (!t->is_contiguous()) {
    dense = empty(t->sizes(), t->dtype(), t->device());
    copy_same_device(dense, t, t->strides());
  }
  if (device == t->device()) return dense;
  Tensor out = empty(t->sizes(), t->dtype(), device);
  memcpy_between(out, dense, false);
  return out;
}

const Tensor& copy_into(const Tensor& dst, const Tensor& src, const char* op, bool non_blocking) {
  check_no_internal_overlap(dst, op);
  DimVec strides = broadcast_strides(src, dst->sizes(), op);
  if (dst->numel() == 0) return dst;
  dst->bump_version();
  if (dst->device() == src->device()) {
    if (partial_overlap(dst, src)) {
      Tensor tmp = empty(src->sizes(), src->dtype(), src->device());
      copy_same_device(tmp, src, src->strides());
      copy_same_device(dst, tmp, broadcast_strides(tmp, dst->sizes(), op));
    } else {
      copy_same_device(dst, src, strides);
    }
    return dst;
  }
  if (dst->is_contiguous() && dst->dtype() == src->dtype() && dst->sizes() == src->sizes()) {
    memcpy_between(dst, contiguous_on(src, src->device()), non_blocking);  // gathered first if strided
    return dst;
  }
  // Across devices: src moves over densely in its own dtype (only the elements it holds, not
  // the broadcast), then a same-device copy casts, broadcasts and scatters into dst.
  Tensor moved = contiguous_on(src, dst->device());
  copy_same_device(dst, moved, broadcast_strides(moved, dst->sizes(), op));
  return dst;
}

// The gradient passes through unchanged; the engine casts it back to the input's dtype and
// device. Serves clone (CloneBackward0) and to (ToCopyBackward0).
struct PassThroughBackward final : autograd::Node {
  explicit PassThroughBackward(const char* name) : name_(name) {}
  std::string name() const override { return name_; }
  autograd::TensorList apply(autograd::TensorList&& grads) override { return {std::move(grads[0])}; }

 private:
  const char* name_;
};

// dst's old value is overwritten (no gradient); src gets dst's gradient, summed down to its
// shape by the engine.
struct CopyBackwards final : autograd::Node {
  std::string name() const override { return "CopyBackwards"; }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    return {nullptr, std::move(grads[0])};
  }
};

const Tensor& copy_(const Tensor& dst, const Tensor& src, const char* op, bool non_blocking) {
  autograd::check_inplace(dst, op);
  std::shared_ptr<CopyBackwards> node;
  if (autograd::needs_grad({&dst, &src})) node = autograd::make_node<CopyBackwards>({&dst, &src});
  copy_into(dst, src, op, non_blocking);
  if (node) autograd::set_history(dst, node);
  return dst;
}

static Tensor copy_to_new(const Tensor& t, DType dtype, Device device, const char* op,
                          const char* node_name, bool non_blocking = false) {
  Tensor out = empty(t->sizes(), dtype, device);
  copy_into(out, t, op, non_blocking);
  if (autograd::needs_grad({&t})) autograd::set_history(out, autograd::make_node<PassThroughBackward>({&t}, node_name));
  return out;
}

Tensor clone(const Tensor& t) { return copy_to_new(t, t->dtype(), t->device(), "clone", "CloneBackward0"); }

Tensor contiguous(const Tensor& t) { return t->is_contiguous() ? t : clone(t); }

Tensor to(const Tensor& t, DType dtype, Device device, bool copy, bool non_blocking) {
  if (!copy && t->dtype() == dtype && t->device() == device) return t;
  return copy_to_new(t, dtype, device, "to", "ToCopyBackward0", non_blocking);
}

bool is_pinned(const Tensor& t) { return t->storage()->pinned(); }

Tensor pin_memory(const Tensor& t) {
  PT_CHECK(t->device().is_cpu(), RuntimeError, "cannot pin '", t->device().str(), " ", t->dtype(),
           "' tensor: only dense CPU tensors can be pinned");
  if (is_pinned(t)) return t;
  Tensor out = std::make_shared<TensorImpl>(Storage::allocate_pinned(t->numel() * t->itemsize()), 0,
                                            t->sizes(), contiguous_strides(t->sizes()), t->dtype());
  copy_into(out, t, "pin_memory");
  if (autograd::needs_grad({&t}))
    autograd::set_history(out, autograd::make_node<PassThroughBackward>({&t}, "PinMemoryBackward0"));
  return out;
}

}  // namespace pt::ops
