// One init function per binding file; module.cpp calls them in order.
#pragma once
#include "python/convert.h"

namespace pt::python {

void init_types(py::module_& m);      // bind_types.cpp: dtype, device, threads, cuda queries
void init_tensor(py::module_& m, TensorClass& cls);       // bind_tensor.cpp
void init_factory(py::module_& m, TensorClass& cls);      // bind_factory.cpp
void init_elementwise(py::module_& m, TensorClass& cls);  // bind_elementwise.cpp
void init_reduce(py::module_& m, TensorClass& cls);       // bind_reduce.cpp
void init_shape(py::module_& m, TensorClass& cls);        // bind_shape.cpp
void init_index(py::module_& m, TensorClass& cls);        // bind_index.cpp
void init_linalg(py::module_& m, TensorClass& cls);       // bind_linalg.cpp
void init_interop(py::module_& m, TensorClass& cls);      // bind_interop.cpp: numpy, DLPack
void init_autograd(py::module_& m, TensorClass& cls);     // bind_autograd.cpp
void init_nn(py::module_& m, TensorClass& cls);           // bind_nn.cpp: _C._nn losses, linear, norms
void init_conv(py::module_& m, TensorClass& cls);         // bind_conv.cpp: convolution, pooling
void init_optim(py::module_& m);  // bind_optim.cpp: fused optimizer updates (private)

void register_dtype_objects(py::module_& m);
void set_size_class(py::handle cls);
void set_as_tensor(py::handle fn);

}  // namespace pt::python
