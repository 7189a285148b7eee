// Bindings of the loss ops, linear and the norms in the submodule _C._nn (as torch._C._nn):
// pytensor.nn.functional calls them; they are not Tensor methods in PyTorch.
#include "ops/linalg.h"
#include "ops/loss.h"
#include "ops/norm.h"
#include "python/init.h"

namespace pt::python {

void init_nn(py::module_& m, TensorClass&) {
  py::module_ nn = m.def_submodule("_nn");
  const auto input = py::arg("input"), target = py::arg("target");
  const auto reduction = py::arg("reduction") = "mean";
  nn.def("linear", &ops::linear, input, py::arg("weight"), py::arg("bias") = py::none());
  nn.def("layer_norm", [](const Tensor& x, py::handle shape, const std::optional<Tensor>& w,
                          const std::optional<Tensor>& b, double eps) {
    const DimVec dims = py::isinstance<py::int_>(shape) ? DimVec{shape.cast<int64_t>()}
                                                        : to_dimvec(shape, "layer_norm");
    return ops::layer_norm(x, dims, w, b, eps);
  }, input, py::arg("normalized_shape"), py::arg("weight") = py::none(),
     py::arg("bias") = py::none(), py::arg("eps") = 1e-5);
  nn.def("batch_norm", &ops::batch_norm, input, py::arg("running_mean"), py::arg("running_var"),
         py::arg("weight") = py::none(), py::arg("bias") = py::none(), py::arg("training") = false,
         py::arg("momentum") = 0.1, py::arg("eps") = 1e-5);
  nn.def("cross_entropy", &ops::cross_entropy, input, target, py::arg("weight") = py::none(),
         py::arg("ignore_index") = -100, reduction, py::arg("label_smoothing") = 0.0);
  nn.def("nll_loss", &ops::nll_loss, input, target, py::arg("weight") = py::none(),
         py::arg("ignore_index") = -100, reduction);
  nn.def("mse_loss", &ops::mse_loss, input, target, reduction);
  nn.def("smooth_l1_loss", &ops::smooth_l1_loss, input, target, reduction, py::arg("beta") = 1.0);
  nn.def("huber_loss", &ops::huber_loss, input, target, reduction, py::arg("delta") = 1.0);
  nn.def("binary_cross_entropy", &ops::binary_cross_entropy, input, target,
         py::arg("weight") = py::none(), reduction);
  nn.def("binary_cross_entropy_with_logits", &ops::binary_cross_entropy_with_logits, input, target,
         py::arg("weight") = py::none(), py::arg("pos_weight") = py::none(), reduction);
}

}  // namespace pt::python
