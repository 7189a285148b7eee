#include "python/convert.h"

#include <array>
#include <cstring>

namespace pt::python {

namespace {
std::array<PyObject*, kNumDTypes> g_dtype_objects{};
PyObject* g_size_class = nullptr;
PyObject* g_as_tensor = nullptr;

}  // namespace

void register_dtype_objects(py::module_& m) {
  for (int i = 0; i < kNumDTypes; ++i) {
    py::object obj = py::cast(PyDType{static_cast<DType>(i)});
    g_dtype_objects[i] = obj.release().ptr();  // immortal: outlives every tensor
  }
}

void set_size_class(py::handle cls) {
  Py_XINCREF(cls.ptr());
  g_size_class = cls.ptr();
}

void set_as_tensor(py::handle fn) {
  Py_XINCREF(fn.ptr());
  g_as_tensor = fn.ptr();
}

py::object dtype_object(DType t) {
  return py::reinterpret_borrow<py::object>(g_dtype_objects[static_cast<int>(t)]);
}

py::object device_object(Device d) { return py::cast(PyDevice{d}); }


bool is_tensor(py::handle h) { return py::isinstance<TensorImpl>(h); }

std::string type_name(py::handle h) { return Py_TYPE(h.ptr())->tp_name; }

bool as_scalar(py::handle h, Scalar& out) {
  PyObject* o = h.ptr();
  if (PyBool_Check(o)) {
    out = Scalar::from_bool(o == Py_True);
    return true;
  }
  if (PyLong_Check(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    PT_CHECK(!overflow, RuntimeError, "Overflow when unpacking long: ", py::str(h).cast<std::string>(),
             " does not fit in int64");
    out = Scalar::from_int(v);
    return true;
  }
  if (PyFloat_Check(o)) {
    out = Scalar::from_double(PyFloat_AS_DOUBLE(o));
    return true;
  }
  // numpy scalars (np.float32(2), np.int64(3), np.bool_) are numbers too.
  if (!is_tensor(h) && py::hasattr(h, "dtype") && py::hasattr(h, "item") &&
      !py::hasattr(h, "__len__")) {
    py::object v = h.attr("item")();
    if (PyBool_Check(v.ptr()) || PyLong_Check(v.ptr()) || PyFloat_Check(v.ptr()))
      return as_scalar(v, out);
  }
  return false;
}

Tensor as_tensor_arg(py::handle h, const char* op) {
  if (is_tensor(h)) return h.cast<Tensor>();
  PT_CHECK(g_as_tensor, RuntimeError, op, ": pytensor is not fully initialised");
  try {
    return py::reinterpret_borrow<py::object>(g_as_tensor)(h).cast<Tensor>();
  } catch (py::error_already_set&) {
    throw TypeError(str_cat(op, ": expected a Tensor, a number or an array-like, but got ",
                            type_name(h)));
  }
}

int64_t index_to_int64(py::handle h) {
  py::object v = py::reinterpret_steal<py::object>(PyNumber_Index(h.ptr()));
  if (!v) throw py::error_already_set();
  return v.cast<int64_t>();
}

static int64_t index_value(py::handle h, const char* op, int64_t pos) {
  if (PyLong_Check(h.ptr()) && !PyBool_Check(h.ptr())) return h.cast<int64_t>();
  if (PyIndex_Check(h.ptr()) && !PyBool_Check(h.ptr()))
    return index_to_int64(h);
  throw TypeError(str_cat(op, "(): argument 'size' must be tuple of ints, but found element of type ",
                          type_name(h), " at pos ", pos));
}

DimVec to_dimvec(py::handle seq, const char* op) {
  if (PyLong_Check(seq.ptr()) || (PyIndex_Check(seq.ptr()) && !PySequence_Check(seq.ptr())))
    return DimVec{index_value(seq, op, 0)};
  PT_CHECK(PySequence_Check(seq.ptr()), TypeError, op,
           "(): argument 'size' must be tuple of ints, but found ", type_name(seq));
  // The iterator owns each item while it is used (a tensor makes its rows on access).
  DimVec out;
  int64_t i = 0;
  for (py::handle item : py::reinterpret_borrow<py::iterable>(seq)) out.push_back(index_value(item, op, i++));
  return out;
}

DimVec parse_size(const py::args& args, const char* op) {
  if (args.size() == 1 && !PyLong_Check(args[0].ptr())) return to_dimvec(args[0], op);
  DimVec out;
  for (size_t i = 0; i < args.size(); ++i) out.push_back(index_value(args[i], op, i));
  return out;
}

py::object size_object(const DimVec& sizes) {
  py::tuple t(sizes.size());
  for (int64_t i = 0; i < sizes.size(); ++i) t[i] = py::int_(sizes[i]);
  if (!g_size_class) return std::move(t);
  return py::reinterpret_borrow<py::object>(g_size_class)(t);
}

}  // namespace pt::python

namespace pybind11::detail {

bool type_caster<pt::DType>::load(handle src, bool) {
  using namespace pt::python;
  if (isinstance<PyDType>(src)) {
    value = src.cast<PyDType>().t;
    return true;
  }
  if (src.ptr() == reinterpret_cast<PyObject*>(&PyFloat_Type)) { value = pt::DType::Float64; return true; }
  if (src.ptr() == reinterpret_cast<PyObject*>(&PyLong_Type)) { value = pt::DType::Int64; return true; }
  if (src.ptr() == reinterpret_cast<PyObject*>(&PyBool_Type)) { value = pt::DType::Bool; return true; }
  // numpy dtypes and scalar types (np.float32, np.dtype('int64')).
  if (hasattr(src, "dtype") || hasattr(src, "itemsize") || PyType_Check(src.ptr())) {
    try {
      std::string name = module_::import("numpy").attr("dtype")(src).attr("name").cast<std::string>();
      if (name == "bool") name = "bool";
      for (int i = 0; i < pt::kNumDTypes; ++i)
        if (name == pt::dtype_name(static_cast<pt::DType>(i))) {
          value = static_cast<pt::DType>(i);
          return true;
        }
    } catch (error_already_set&) {
    }
  }
  return false;
}

bool type_caster<pt::Device>::load(handle src, bool) {
  using namespace pt::python;
  if (isinstance<PyDevice>(src)) {
    value = src.cast<PyDevice>().d;
    return true;
  }
  if (PyLong_Check(src.ptr())) {
    value = pt::Device{pt::DeviceType::CUDA, src.cast<int>()};
    return true;
  }
  if (!PyUnicode_Check(src.ptr())) return false;
  std::string s = src.cast<std::string>();
  if (s == "cpu") {
    value = pt::Device{};
    return true;
  }
  if (s.rfind("cuda", 0) == 0) {
    int index = 0;
    if (s.size() > 4) {
      PT_CHECK(s[4] == ':' && s.size() > 5 && s.find_first_not_of("0123456789", 5) == std::string::npos,
               RuntimeError, "Invalid device string: '", s, "'");
      index = std::stoi(s.substr(5));
    }
    value = pt::Device{pt::DeviceType::CUDA, index};
    return true;
  }
  throw pt::RuntimeError(pt::str_cat(
      "Expected one of cpu, cuda device type at start of device string: ", s));
}

}  // namespace pybind11::detail
