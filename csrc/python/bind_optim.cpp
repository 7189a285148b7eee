// The fused optimizer updates as private module functions of _C (pytensor.optim calls them);
// like torch._fused_adam_ they are not Tensor methods.
#include "ops/optim.h"
#include "python/init.h"

namespace pt::python {

void init_optim(py::module_& m) {
  const auto param = py::arg("param"), grad = py::arg("grad"), step = py::arg("step"),
             lr = py::arg("lr"), eps = py::arg("eps"), weight_decay = py::arg("weight_decay"),
             momentum = py::arg("momentum"), maximize = py::arg("maximize");
  m.def("_sgd_step_", &ops::sgd_step_, param, grad, py::arg("momentum_buffer").none(true), lr,
        momentum, py::arg("dampening"), weight_decay, py::arg("nesterov"), maximize,
        py::arg("first_step"));
  m.def("_adam_step_", &ops::adam_step_, param, grad, py::arg("exp_avg"),
        py::arg("exp_avg_sq"), py::arg("max_exp_avg_sq").none(true), step, lr,
        py::arg("beta1"), py::arg("beta2"), eps, weight_decay, py::arg("decoupled"),
        py::arg("amsgrad"), maximize);
  m.def("_rmsprop_step_", &ops::rmsprop_step_, param, grad, py::arg("square_avg"),
        py::arg("grad_avg").none(true), py::arg("momentum_buffer").none(true), step, lr,
        py::arg("alpha"), eps, weight_decay, momentum, maximize);
  m.def("_adagrad_step_", &ops::adagrad_step_, param, grad, py::arg("sum"), step, lr,
        py::arg("lr_decay"), weight_decay, eps, maximize);
  // Multi-tensor forms: lists, one entry per parameter (CUDA parameters in few launches).
  const auto params = py::arg("params"), grads = py::arg("grads"), steps = py::arg("steps");
  m.def("_sgd_step_multi_", &ops::sgd_step_multi_, params, grads,
        py::arg("momentum_buffers").none(true), lr, momentum, py::arg("dampening"), weight_decay,
        py::arg("nesterov"), maximize, py::arg("first_steps"));
  m.def("_adam_step_multi_", &ops::adam_step_multi_, params, grads, py::arg("exp_avgs"),
        py::arg("exp_avg_sqs"), py::arg("max_exp_avg_sqs").none(true), steps, lr,
        py::arg("beta1"), py::arg("beta2"), eps, weight_decay, py::arg("decoupled"),
        py::arg("amsgrad"), maximize);
  m.def("_rmsprop_step_multi_", &ops::rmsprop_step_multi_, params, grads,
        py::arg("square_avgs"), py::arg("grad_avgs").none(true),
        py::arg("momentum_buffers").none(true), steps, lr, py::arg("alpha"), eps, weight_decay,
        momentum, maximize);
  m.def("_adagrad_step_multi_", &ops::adagrad_step_multi_, params, grads, py::arg("sums"),
        steps, lr, py::arg("lr_decay"), weight_decay, eps, maximize);
}

}  // namespace pt::python
