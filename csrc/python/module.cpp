// The extension module pytensor._C: exception translation, the dtype/device types, and one
// init_<family>() call per binding file.
#include <Python.h>

#include "core/gil.h"
#include "core/parallel.h"
#include "cuda/kernels.h"
#include "python/convert.h"
#include "python/init.h"

namespace pt::python {

static void register_exceptions() {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const TypeError& e) {
      PyErr_SetString(PyExc_TypeError, e.what());
    } catch (const ValueError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const IndexError& e) {
      PyErr_SetString(PyExc_IndexError, e.what());
    } catch (const NotImplementedError& e) {
      PyErr_SetString(PyExc_NotImplementedError, e.what());
    } catch (const cuda::OutOfMemoryError& e) {
      PyErr_SetString(py::module_::import("pytensor.cuda").attr("OutOfMemoryError").ptr(), e.what());
    }
  });
}

static void install_gil_hooks() {
  gil_hooks().release = []() -> void* {
    return PyGILState_Check() ? static_cast<void*>(PyEval_SaveThread()) : nullptr;
  };
  gil_hooks().restore = [](void* token) { PyEval_RestoreThread(static_cast<PyThreadState*>(token)); };
}

}  // namespace pt::python

PYBIND11_MODULE(_C, m) {
  using namespace pt::python;
  m.doc() = "pytensor's C++ core";
  register_exceptions();
  install_gil_hooks();
  init_types(m);
  TensorClass cls(m, "Tensor", py::dynamic_attr(), py::buffer_protocol());
  init_tensor(m, cls);
  init_factory(m, cls);
  init_elementwise(m, cls);
  init_reduce(m, cls);
  init_shape(m, cls);
  init_index(m, cls);
  init_linalg(m, cls);
  init_interop(m, cls);
  init_autograd(m, cls);
  init_nn(m, cls);
  init_conv(m, cls);
  init_optim(m);
}
