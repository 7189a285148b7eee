// Conversions between Python objects and the core's types, shared by every binding file:
// dtype and device objects, sizes, Python numbers and tensor-like arguments.
#pragma once
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>

#include "core/error.h"
#include "core/scalar.h"
#include "core/tensor.h"

namespace py = pybind11;

namespace pt::python {

using TensorClass = py::class_<TensorImpl, Tensor>;

// Python-visible dtype and device objects: pytensor.float32, pytensor.device("cpu").
struct PyDType { DType t; };
struct PyDevice { Device d; };

py::object dtype_object(DType t);
py::object device_object(Device d);

bool is_tensor(py::handle h);
// Python bool/int/float (and numpy scalars): true and `out` filled.
bool as_scalar(py::handle h, Scalar& out);
// A tensor as is; numbers, lists and numpy arrays become a new tensor (op names the caller).
Tensor as_tensor_arg(py::handle h, const char* op);
// Sizes from `zeros(2, 3)`, `zeros((2, 3))`, `zeros([2, 3])` or `zeros(Size([2, 3]))`.
DimVec parse_size(const py::args& args, const char* op);
DimVec to_dimvec(py::handle seq, const char* op);
// The value of an object with __index__ (numpy integers, 0-d int tensors); raises the
// Python error __index__ set (a TypeError for arrays of several elements).
int64_t index_to_int64(py::handle h);
py::object size_object(const DimVec& sizes);  // pytensor.Size
std::string type_name(py::handle h);

}  // namespace pt::python

namespace pybind11::detail {

// A Tensor argument never binds None (pybind11 would pass a null pointer into the op); an
// optional tensor is declared std::optional<Tensor> or taken as py::handle.
template <>
class type_caster<pt::Tensor> : public copyable_holder_caster<pt::TensorImpl, pt::Tensor> {
 public:
  bool load(handle src, bool convert) {
    return !src.is_none() && copyable_holder_caster<pt::TensorImpl, pt::Tensor>::load(src, convert);
  }
};

template <>
struct type_caster<pt::DType> {
  PYBIND11_TYPE_CASTER(pt::DType, const_name("pytensor.dtype"));
  bool load(handle src, bool convert);
  static handle cast(pt::DType t, return_value_policy, handle) {
    return pt::python::dtype_object(t).release();
  }
};

template <>
struct type_caster<pt::Device> {
  PYBIND11_TYPE_CASTER(pt::Device, const_name("pytensor.device"));
  bool load(handle src, bool convert);
  static handle cast(pt::Device d, return_value_policy, handle) {
    return pt::python::device_object(d).release();
  }
};

}  // namespace pybind11::detail
