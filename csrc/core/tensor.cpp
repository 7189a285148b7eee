#include "core/tensor.h"

#include "autograd/meta.h"
#include "core/error.h"

namespace pt {

TensorImpl::TensorImpl(std::shared_ptr<Storage> storage, int64_t offset, DimVec sizes,
                       DimVec strides, DType dtype)
    : storage_(std::move(storage)),
      offset_(offset),
      sizes_(std::move(sizes)),
      strides_(std::move(strides)),
      dtype_(dtype) {
  refresh();
}

TensorImpl::~TensorImpl() = default;

void TensorImpl::refresh() {
  numel_ = 1;
  for (int64_t s : sizes_) numel_ *= s;
  // Contiguous as PyTorch defines it: size-1 dims may have any stride.
  contiguous_ = true;
  int64_t expected = 1;
  for (int64_t d = sizes_.size() - 1; d >= 0; --d) {
    if (sizes_[d] == 1) continue;
    if (strides_[d] != expected) {
      contiguous_ = numel_ == 0;
      break;
    }
    expected *= sizes_[d];
  }
}

void TensorImpl::set_(std::shared_ptr<Storage> storage, int64_t offset, DimVec sizes,
                      DimVec strides, DType dtype) {
  storage_ = std::move(storage);
  dtype_ = dtype;
  offset_ = offset;
  sizes_ = std::move(sizes);
  strides_ = std::move(strides);
  refresh();
}

AutogradMeta& TensorImpl::autograd_mut() {
  if (!autograd_) autograd_ = std::make_unique<AutogradMeta>();
  return *autograd_;
}

bool TensorImpl::requires_grad() const { return autograd_ && autograd_->requires_grad; }

DimVec contiguous_strides(const DimVec& sizes) {
  DimVec strides(sizes.size());
  int64_t s = 1;
  for (int64_t d = sizes.size() - 1; d >= 0; --d) {
    strides[d] = s;
    s *= sizes[d] > 1 ? sizes[d] : 1;
  }
  return strides;
}

int64_t checked_numel(const DimVec& sizes, const char* op) {
  int64_t n = 1;
  bool overflow = false;
  for (int64_t s : sizes) {
    PT_CHECK(s >= 0, RuntimeError, op, ": negative dimension ", s, " in size ", sizes);
    overflow = overflow || __builtin_mul_overflow(n, s, &n);
  }
  PT_CHECK(!overflow, RuntimeError, op, ": size ", sizes, " is too large (numel overflows int64)");
  return n;
}

Tensor empty(const DimVec& sizes, DType dtype, Device device) {
  const int64_t n = checked_numel(sizes, "empty");
  int64_t nbytes = 0;
  PT_CHECK(!__builtin_mul_overflow(n, itemsize(dtype), &nbytes), RuntimeError,
           "empty: size ", sizes, " of dtype ", dtype, " is too large");
  return std::make_shared<TensorImpl>(Storage::allocate(nbytes, device), 0, sizes,
                                      contiguous_strides(sizes), dtype);
}

Tensor make_view(const Tensor& base, DimVec sizes, DimVec strides, int64_t offset) {
  return std::make_shared<TensorImpl>(base->storage(), offset, std::move(sizes),
                                      std::move(strides), base->dtype());
}

void check_cpu(const Tensor& t, const char* op) {
  PT_CHECK(t->device().is_cpu(), NotImplementedError, op, ": not implemented for ",
           t->device().str(), " tensors yet");
}

Device same_device(const char* op, std::initializer_list<const Tensor*> ts) {
  const Tensor* first = nullptr;
  for (const Tensor* t : ts) {
    if (!t || !*t) continue;
    if (!first) first = t;
    PT_CHECK((*t)->device() == (*first)->device(), RuntimeError, op,
             ": Expected all tensors to be on the same device, but found at least two devices, ",
             (*first)->device().str(), " and ", (*t)->device().str(), "!");
  }
  return first ? (**first).device() : cpu_device();
}

int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  const int64_t n = ndim > 0 ? ndim : 1;  // a 0-d tensor accepts dim 0 and -1
  if (dim < -n || dim >= n)
    throw IndexError(str_cat(op ? op : "", op ? ": " : "",
                             "Dimension out of range (expected to be in range of [", -n, ", ",
                             n - 1, "], but got ", dim, ")"));
  return dim < 0 ? dim + n : dim;
}

}  // namespace pt
