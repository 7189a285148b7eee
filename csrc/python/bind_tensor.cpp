// The Tensor type: attributes, conversions to Python numbers, the legacy constructor and
// dtype/device conversion. Ops are bound by their family's binding file.
#include "autograd/meta.h"
#include "ops/copy.h"
#include "python/init.h"

namespace pt::python {

static void check_one_element(const Tensor& t, const char* what) {
  PT_CHECK(t->numel() == 1, RuntimeError, "a Tensor with ", t->numel(),
           " elements cannot be converted to ", what);
}

// The value of a one-element tensor as a Python bool, int or float.
py::object item(const Tensor& t) {
  check_one_element(t, "Scalar");
  Tensor c = t->device().is_cpu() ? t : ops::to(t, t->dtype(), cpu_device());
  py::object out;
  PT_DISPATCH_ALL(c->dtype(), "item", [&] {
    scalar_t v = *c->data<scalar_t>();
    if constexpr (std::is_same_v<scalar_t, bool>) out = py::bool_(v);
    else if constexpr (std::is_floating_point_v<scalar_t>) out = py::float_(static_cast<double>(v));
    else out = py::int_(static_cast<int64_t>(v));
  });
  return out;
}

static Tensor detach(const Tensor& t) {
  return make_view(t, t->sizes(), t->strides(), t->offset());
}

static void set_requires_grad(const Tensor& t, bool value) {
  PT_CHECK(!value || is_floating(t->dtype()), RuntimeError,
           "only Tensors of floating point dtype can require gradients (got ", t->dtype(), ")");
  PT_CHECK(value || !t->autograd() || !t->autograd()->grad_fn, RuntimeError,
           "you can only change requires_grad flags of leaf variables. If you want to use a "
           "computed variable in a subgraph that doesn't require differentiation use "
           "var_no_grad = var.detach().");
  if (value || t->autograd()) t->autograd_mut().requires_grad = value;
}

// t.to(dtype) / to(device) / to(device, dtype) / to(other), then the positional flags
// non_blocking and copy, with dtype=, device=, non_blocking=, copy= keywords.
static Tensor to_method(const Tensor& t, const py::args& args, const py::kwargs& kwargs) {
  std::optional<DType> dtype;
  std::optional<Device> device;
  bool copy = false, non_blocking = false;
  int flags = 0;
  for (py::handle a : args) {
    if (PyBool_Check(a.ptr())) {
      PT_CHECK(flags < 2, TypeError, "to() received an invalid combination of arguments: too many flags");
      (flags++ == 0 ? non_blocking : copy) = a.cast<bool>();
    } else if (is_tensor(a)) {
      Tensor o = a.cast<Tensor>();
      dtype = o->dtype();
      device = o->device();
    } else if (py::isinstance<PyDType>(a)) {
      dtype = a.cast<DType>();
    } else if (!a.is_none()) {
      try {
        device = a.cast<Device>();
      } catch (py::cast_error&) {
        throw TypeError(str_cat("to() received an invalid combination of arguments: got ",
                                type_name(a)));
      }
    }
  }
  for (auto kv : kwargs) {
    const std::string k = kv.first.cast<std::string>();
    if (k == "dtype" && !kv.second.is_none()) dtype = kv.second.cast<DType>();
    else if (k == "device" && !kv.second.is_none()) device = kv.second.cast<Device>();
    else if (k == "copy") copy = kv.second.cast<bool>();
    else if (k == "non_blocking") non_blocking = kv.second.cast<bool>();
    else if (k != "memory_format" && k != "dtype" && k != "device")
      throw TypeError(str_cat("to() got an unexpected keyword argument '", k, "'"));
  }
  return ops::to(t, dtype.value_or(t->dtype()), device.value_or(t->device()), copy, non_blocking);
}

void init_tensor(py::module_& m, TensorClass& cls) {
  cls.def_buffer([](TensorImpl& t) {
    PT_CHECK(t.device().is_cpu(), TypeError, "can't convert ", t.device().str(),
             " device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.");
    static const char* formats[] = {"?", "B", "i", "q", "f", "d"};
    std::vector<py::ssize_t> shape(t.sizes().begin(), t.sizes().end());
    std::vector<py::ssize_t> strides;
    for (int64_t s : t.strides()) strides.push_back(s * t.itemsize());
    return py::buffer_info(t.raw_data(), t.itemsize(), formats[static_cast<int>(t.dtype())],
                           t.dim(), shape, strides, /*readonly=*/false);
  });
  // The legacy constructor: Tensor(data) copies data as float32, Tensor(*sizes) is uninitialised.
  cls.def(py::init([](const py::args& args) {
    if (args.size() == 1 && !PyLong_Check(args[0].ptr()) && !py::isinstance<py::tuple>(args[0]) &&
        !PyIndex_Check(args[0].ptr()))
      return ops::to(as_tensor_arg(args[0], "Tensor"), DType::Float32, cpu_device(), true);
    return empty(args.size() ? parse_size(args, "Tensor") : DimVec{0}, DType::Float32);
  }));
  cls.def_property_readonly("shape", [](const Tensor& t) { return size_object(t->sizes()); })
      .def("size", [](const Tensor& t, std::optional<int64_t> dim) -> py::object {
        if (!dim) return size_object(t->sizes());
        return py::int_(t->sizes()[wrap_dim(*dim, t->dim(), "size")]);
      }, py::arg("dim") = py::none())
      .def("stride", [](const Tensor& t, std::optional<int64_t> dim) -> py::object {
        if (!dim) return py::tuple(py::cast(t->strides().vec()));
        return py::int_(t->strides()[wrap_dim(*dim, t->dim(), "stride")]);
      }, py::arg("dim") = py::none())
      .def_property_readonly("dtype", [](const Tensor& t) { return t->dtype(); })
      .def_property_readonly("device", [](const Tensor& t) { return t->device(); })
      .def_property_readonly("is_cuda", [](const Tensor& t) { return t->device().is_cuda(); })
      .def_property_readonly("is_cpu", [](const Tensor& t) { return t->device().is_cpu(); })
      .def_property_readonly("ndim", [](const Tensor& t) { return t->dim(); })
      .def("dim", [](const Tensor& t) { return t->dim(); })
      .def("ndimension", [](const Tensor& t) { return t->dim(); })
      .def("numel", [](const Tensor& t) { return t->numel(); })
      .def("nelement", [](const Tensor& t) { return t->numel(); })
      .def("element_size", [](const Tensor& t) { return t->itemsize(); })
      .def_property_readonly("itemsize", [](const Tensor& t) { return t->itemsize(); })
      .def_property_readonly("nbytes", [](const Tensor& t) { return t->numel() * t->itemsize(); })
      .def("is_contiguous", [](const Tensor& t, py::object) { return t->is_contiguous(); },
           py::arg("memory_format") = py::none())
      .def("is_floating_point", [](const Tensor& t) { return is_floating(t->dtype()); })
      .def("storage_offset", [](const Tensor& t) { return t->offset(); })
      .def("data_ptr", [](const Tensor& t) { return reinterpret_cast<uintptr_t>(t->raw_data()); })
      .def("untyped_storage_ptr", [](const Tensor& t) { return reinterpret_cast<uintptr_t>(t->storage()->data()); })
      .def_property_readonly("_version", [](const Tensor& t) { return t->version(); })
      .def("item", &item)
      .def("__len__", [](const Tensor& t) {
        PT_CHECK(t->dim() > 0, TypeError, "len() of a 0-d tensor");
        return t->sizes()[0];
      })
      .def("__bool__", [](const Tensor& t) {
        PT_CHECK(t->numel() == 1, RuntimeError, "Boolean value of Tensor with ",
                 t->numel() == 0 ? "no values" : "more than one value", " is ambiguous");
        return item(t).cast<bool>();
      })
      .def("__float__", [](const Tensor& t) {
        check_one_element(t, "Python scalar");
        return item(t).cast<double>();
      })
      .def("__int__", [](const Tensor& t) {
        check_one_element(t, "Python scalar");
        py::object v = item(t);
        return PyFloat_Check(v.ptr()) ? py::int_(v) : v.cast<py::int_>();
      })
      .def("__index__", [](const Tensor& t) {
        PT_CHECK(t->numel() == 1 && is_integral(t->dtype(), true), TypeError,
                 "only integer tensors of a single element can be converted to an index");
        return item(t).cast<int64_t>();
      })
      .def("contiguous", [](const Tensor& t, py::object) { return ops::contiguous(t); },
           py::arg("memory_format") = py::none())
      .def("clone", [](const Tensor& t, py::object) { return ops::clone(t); },
           py::arg("memory_format") = py::none())
      .def("copy_", [](const Tensor& t, py::handle src, bool non_blocking) {
        ops::copy_(t, as_tensor_arg(src, "copy_"), "copy_", non_blocking);
        return t;
      }, py::arg("src"), py::arg("non_blocking") = false)
      .def("pin_memory", [](const Tensor& t, py::object) { return ops::pin_memory(t); },
           py::arg("device") = py::none())
      .def("is_pinned", [](const Tensor& t, py::object) { return ops::is_pinned(t); },
           py::arg("device") = py::none())
      .def("to", &to_method)
      .def("float", [](const Tensor& t) { return ops::to(t, DType::Float32, t->device()); })
      .def("double", [](const Tensor& t) { return ops::to(t, DType::Float64, t->device()); })
      .def("long", [](const Tensor& t) { return ops::to(t, DType::Int64, t->device()); })
      .def("int", [](const Tensor& t) { return ops::to(t, DType::Int32, t->device()); })
      .def("byte", [](const Tensor& t) { return ops::to(t, DType::UInt8, t->device()); })
      .def("bool", [](const Tensor& t) { return ops::to(t, DType::Bool, t->device()); })
      .def("cpu", [](const Tensor& t) { return ops::to(t, t->dtype(), cpu_device()); })
      .def("cuda", [](const Tensor& t, std::optional<Device> d, bool non_blocking) {
        return ops::to(t, t->dtype(), d.value_or(Device{DeviceType::CUDA, 0}), false, non_blocking);
      }, py::arg("device") = py::none(), py::arg("non_blocking") = false)
      .def("type", [](const Tensor& t, py::object dtype) -> py::object {
        static const char* names[] = {"BoolTensor", "ByteTensor", "IntTensor",
                                      "LongTensor", "FloatTensor", "DoubleTensor"};
        if (dtype.is_none())
          return py::str(std::string("pytensor.") + names[static_cast<int>(t->dtype())]);
        return py::cast(ops::to(t, dtype.cast<DType>(), t->device()));
      }, py::arg("dtype") = py::none())
      .def("detach", &detach)
      .def("detach_", [](const Tensor& t) {
        if (t->autograd()) {
          t->autograd_mut().grad_fn = nullptr;
          t->autograd_mut().requires_grad = false;
        }
        return t;
      })
      .def_property("requires_grad", [](const Tensor& t) { return t->requires_grad(); },
                    &set_requires_grad)
      .def("requires_grad_", [](const Tensor& t, bool v) {
        set_requires_grad(t, v);
        return t;
      }, py::arg("requires_grad") = true)
      .def_property("grad",
                    [](const Tensor& t) { return t->autograd() ? t->autograd()->grad : nullptr; },
                    [](const Tensor& t, std::optional<Tensor> grad) {
                      const Tensor g = grad.value_or(nullptr);
                      if (g) {
                        PT_CHECK(g->sizes() == t->sizes(), RuntimeError,
                                 "assigned grad has data of a different size: ", g->sizes(),
                                 " vs tensor ", t->sizes());
                        PT_CHECK(g->dtype() == t->dtype(), RuntimeError,
                                 "assigned grad has data of a different type: ", g->dtype(),
                                 " vs tensor ", t->dtype());
                      }
                      if (g || t->autograd()) t->autograd_mut().grad = g;
                    })
      .def_property("data", &detach, [](const Tensor& t, const Tensor& src) {
        // Rebinds this tensor to src's storage, geometry and dtype, as PyTorch's `param.data = x`
        // (how Module.double() keeps its Parameter objects).
        t->set_(src->storage(), src->offset(), src->sizes(), src->strides(), src->dtype());
      });
  m.def("_item", &item);
}

}  // namespace pt::python
