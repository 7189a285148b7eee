// TensorImpl: a strided view (offset, sizes, strides, dtype) onto a Storage, plus optional
// autograd metadata. `Tensor` is the shared handle every op takes and returns.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <memory>

#include "core/device.h"
#include "core/dimvec.h"
#include "core/dtype.h"
#include "core/storage.h"

namespace pt {

struct AutogradMeta;  // csrc/autograd/: requires_grad, grad, grad_fn
class TensorImpl;
using Tensor = std::shared_ptr<TensorImpl>;

class TensorImpl {
 public:
  TensorImpl(std::shared_ptr<Storage> storage, int64_t offset, DimVec sizes, DimVec strides,
             DType dtype);
  ~TensorImpl();

  const DimVec& sizes() const { return sizes_; }
  const DimVec& strides() const { return strides_; }
  int64_t dim() const { return sizes_.size(); }
  int64_t numel() const { return numel_; }
  DType dtype() const { return dtype_; }
  Device device() const { return storage_->device(); }
  int64_t offset() const { return offset_; }
  int64_t itemsize() const { return pt::itemsize(dtype_); }
  const std::shared_ptr<Storage>& storage() const { return storage_; }
  bool is_contiguous() const { return contiguous_; }

  void* raw_data() const {
    return static_cast<char*>(storage_->data()) + offset_ * pt::itemsize(dtype_);
  }
  template <class T>
  T* data() const { return static_cast<T*>(raw_data()); }

  uint64_t version() const { return storage_->version(); }
  void bump_version() { storage_->bump_version(); }

  // Autograd metadata is created on first use so plain tensors carry one null pointer.
  AutogradMeta* autograd() const { return autograd_.get(); }
  AutogradMeta& autograd_mut();
  bool requires_grad() const;

  // Rebinds this tensor to another storage and geometry in place (`t.data = x`, set_, resize_,
  // in-place views such as t_ and squeeze_), keeping its autograd metadata.
  void set_(std::shared_ptr<Storage> storage, int64_t offset, DimVec sizes, DimVec strides,
            DType dtype);

 private:
  void refresh();

  std::shared_ptr<Storage> storage_;
  int64_t offset_;
  DimVec sizes_, strides_;
  int64_t numel_ = 1;
  DType dtype_;
  bool contiguous_ = true;
  std::unique_ptr<AutogradMeta> autograd_;
};

DimVec contiguous_strides(const DimVec& sizes);
// Product of sizes, raising RuntimeError on a negative size or int64 overflow.
int64_t checked_numel(const DimVec& sizes, const char* op);
// A new tensor with fresh contiguous storage (contents undefined).
Tensor empty(const DimVec& sizes, DType dtype, Device device = cpu_device());
// A view sharing `base`'s storage (no copy).
Tensor make_view(const Tensor& base, DimVec sizes, DimVec strides, int64_t offset);
// Ops without a CUDA kernel yet refuse CUDA tensors with NotImplementedError naming the op.
void check_cpu(const Tensor& t, const char* op);
// The device every given tensor (null ones skipped) lives on; RuntimeError naming both devices
// when two differ, as PyTorch words it.
Device same_device(const char* op, std::initializer_list<const Tensor*> ts);
// Wraps a negative dim and checks its range, raising IndexError as PyTorch does.
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op = nullptr);

}  // namespace pt
