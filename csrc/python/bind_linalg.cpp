#include "python/init.h"

namespace pt::python {

void init_linalg(py::module_& m, TensorClass& cls) {}

}  // namespace pt::python
