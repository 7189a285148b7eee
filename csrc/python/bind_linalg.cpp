// matmul and friends, the @ operator included.
#include "ops/linalg.h"
#include "python/init.h"

namespace pt::python {

using BinaryFn = Tensor (*)(const Tensor&, const Tensor&);

template <BinaryFn F>
static void bind_pair(py::module_& m, TensorClass& cls, const char* name, const char* other) {
  auto fn = [](const Tensor& a, py::handle b) { return F(a, as_tensor_arg(b, "matmul")); };
  cls.def(name, fn, py::arg(other));
  m.def(name, fn, py::arg("input"), py::arg(other));
}

void init_linalg(py::module_& m, TensorClass& cls) {
  bind_pair<ops::matmul>(m, cls, "matmul", "other");
  bind_pair<ops::mm>(m, cls, "mm", "mat2");
  bind_pair<ops::bmm>(m, cls, "bmm", "mat2");
  bind_pair<ops::mv>(m, cls, "mv", "vec");
  bind_pair<ops::dot>(m, cls, "dot", "tensor");
  bind_pair<ops::outer>(m, cls, "outer", "vec2");
  m.attr("ger") = m.attr("outer");
  cls.def("__matmul__", [](const Tensor& a, py::handle b) { return ops::matmul(a, as_tensor_arg(b, "matmul")); });
  cls.def("__rmatmul__", [](const Tensor& a, py::handle b) { return ops::matmul(as_tensor_arg(b, "matmul"), a); });
}

}  // namespace pt::python
