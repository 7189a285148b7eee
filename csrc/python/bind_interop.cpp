// Zero-copy exchange with numpy through the buffer protocol (never numpy's C API, so one
// build works under numpy 1.26 and 2.x).
#include "python/init.h"

namespace pt::python {

static DType dtype_from_format(const Py_buffer& v) {
  const char* f = v.format ? v.format : "B";
  if (*f == '<' || *f == '=' || *f == '@' || *f == '|') ++f;
  const char c = *f;
  const int64_t n = v.itemsize;
  if (c == '?') return DType::Bool;
  if (c == 'B' && n == 1) return DType::UInt8;
  if ((c == 'i' || c == 'l' || c == 'q') && n == 4) return DType::Int32;
  if ((c == 'i' || c == 'l' || c == 'q') && n == 8) return DType::Int64;
  if (c == 'f' && n == 4) return DType::Float32;
  if (c == 'd' && n == 8) return DType::Float64;
  throw TypeError(str_cat("can't convert np.ndarray of type with format '", v.format ? v.format : "",
                          "' (itemsize ", n, "). The only supported types are: float64, float32, "
                          "int64, int32, uint8, and bool."));
}

// A tensor sharing the memory of any object that exports a strided buffer.
Tensor from_buffer(py::handle obj) {
  auto view = std::shared_ptr<Py_buffer>(new Py_buffer(), [](Py_buffer* v) {
    py::gil_scoped_acquire gil;
    PyBuffer_Release(v);
    delete v;
  });
  if (PyObject_GetBuffer(obj.ptr(), view.get(), PyBUF_RECORDS_RO) != 0) {
    PyErr_Clear();
    throw TypeError(str_cat("expected np.ndarray (got ", type_name(obj), ")"));
  }
  const DType dtype = dtype_from_format(*view);
  DimVec sizes, strides;
  for (int i = 0; i < view->ndim; ++i) {
    sizes.push_back(view->shape[i]);
    const int64_t s = view->strides ? view->strides[i] : 0;
    PT_CHECK(s % view->itemsize == 0, ValueError,
             "from_numpy: strides that are not a multiple of the element size are not supported");
    strides.push_back(s / view->itemsize);
  }
  if (!view->strides) strides = contiguous_strides(sizes);
  // Storage starts at the lowest address the view touches, so negative strides work too.
  int64_t lo = 0, hi = 0;
  for (int64_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == 0) { lo = hi = 0; break; }
    (strides[d] < 0 ? lo : hi) += strides[d] * (sizes[d] - 1);
  }
  char* base = static_cast<char*>(view->buf) + lo * view->itemsize;
  const int64_t nbytes = (hi - lo + 1) * view->itemsize;
  auto storage = Storage::wrap(base, nbytes, cpu_device(), view);
  return std::make_shared<TensorImpl>(std::move(storage), -lo, sizes, strides, dtype);
}

void init_interop(py::module_& m, TensorClass& cls) {
  m.def("from_numpy", [](py::handle a) {
    PT_CHECK(py::hasattr(a, "__array_interface__") || PyObject_CheckBuffer(a.ptr()), TypeError,
             "expected np.ndarray (got ", type_name(a), ")");
    return from_buffer(a);
  }, py::arg("ndarray"));
  m.def("_from_buffer", &from_buffer);
}

}  // namespace pt::python
