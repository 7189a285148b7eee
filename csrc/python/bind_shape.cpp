#include "python/init.h"

namespace pt::python {

void init_shape(py::module_& m, TensorClass& cls) {}

}  // namespace pt::python
