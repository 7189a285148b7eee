#include "python/init.h"

namespace pt::python {

void init_elementwise(py::module_& m, TensorClass& cls) {}

}  // namespace pt::python
