// Copies and dtype casts between tensors: the primitive under contiguous(), clone(), to(),
// type conversions and every write through __setitem__.
#pragma once
#include "core/tensor.h"

namespace pt::ops {

// dst[...] = src broadcast to dst's shape and cast to dst's dtype. Returns dst. Records
// CopyBackwards when src requires grad (dst's old value gets no gradient).
// non_blocking: a copy between host and device returns before it completes (with pinned host
// memory; see cuda::memcpy).
const Tensor& copy_(const Tensor& dst, const Tensor& src, const char* op = "copy_",
                    bool non_blocking = false);
// The same copy without autograd: for ops that build their own outputs out of copies.
const Tensor& copy_into(const Tensor& dst, const Tensor& src, const char* op,
                        bool non_blocking = false);
Tensor clone(const Tensor& t);
Tensor contiguous(const Tensor& t);
// `t` itself when nothing changes, else a converted copy.
Tensor to(const Tensor& t, DType dtype, Device device, bool copy = false, bool non_blocking = false);
// A copy of CPU tensor `t` in page-locked memory (t itself when it is pinned already).
Tensor pin_memory(const Tensor& t);
bool is_pinned(const Tensor& t);

// Expand `t`'s strides to `shape` (0 for broadcast dims); raises with `op` in the message.
DimVec broadcast_strides(const Tensor& t, const DimVec& shape, const char* op);
DimVec broadcast_shapes(const DimVec& a, const DimVec& b, const char* op);

// PyTorch's errors for writes through self-overlapping views (expand) and for an output
// that partly overlaps an input.
void check_no_internal_overlap(const Tensor& t, const char* op);
bool partial_overlap(const Tensor& a, const Tensor& b);

}  // namespace pt::ops
