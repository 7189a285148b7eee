// Convolution and pooling, as torch's module functions (torch.conv2d, torch.max_pool2d...).
#include "ops/conv.h"
#include "ops/pool.h"
#include "python/init.h"

namespace pt::python {

namespace {

// An int or a sequence of ints (stride=2, stride=(2, 1)); None gives an empty list.
DimVec int_list(py::handle h, const char* op, const char* name) {
  if (h.is_none()) return {};
  PT_CHECK(PyIndex_Check(h.ptr()) || (PySequence_Check(h.ptr()) && !PyUnicode_Check(h.ptr())), TypeError, op, "(): argument '",
           name, "' must be tuple of ints, but found ", type_name(h));
  return to_dimvec(h, op);
}

ops::ConvPadding conv_padding(py::handle h, const char* op) {
  if (!py::isinstance<py::str>(h)) return {int_list(h, op, "padding"), false};
  const std::string s = h.cast<std::string>();
  PT_CHECK(s == "same" || s == "valid", RuntimeError, "Invalid padding string: '", s, "'");
  return {DimVec{0}, s == "same"};
}

// output_size: an int, or a pair whose None entries keep the input's size.
ops::OutputSize adaptive_size(py::handle h, const char* op) {
  if (PyIndex_Check(h.ptr())) {
    const int64_t v = index_to_int64(h);
    return {v, v};
  }
  PT_CHECK(PySequence_Check(h.ptr()) && !PyUnicode_Check(h.ptr()), TypeError, op,
           "(): argument 'output_size' must be tuple of ints, but found ", type_name(h));
  ops::OutputSize out;
  for (py::handle item : py::reinterpret_borrow<py::iterable>(h))
    out.push_back(item.is_none() ? std::nullopt : std::optional<int64_t>(index_to_int64(item)));
  return out;
}

py::object maybe_indices(const ops::ValuesIndices& r, bool return_indices) {
  if (return_indices) return py::make_tuple(r.values, r.indices);
  return py::cast(r.values);
}

}  // namespace

void init_conv(py::module_& m, TensorClass&) {
  using OptTensor = std::optional<Tensor>;
  m.def("conv2d", [](const Tensor& input, const Tensor& weight, const OptTensor& bias, py::handle stride,
                     py::handle padding, py::handle dilation, int64_t groups) {
          return ops::conv2d(input, weight, bias, int_list(stride, "conv2d", "stride"),
                             conv_padding(padding, "conv2d"), int_list(dilation, "conv2d", "dilation"), groups);
        },
        py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("stride") = 1,
        py::arg("padding") = 0, py::arg("dilation") = 1, py::arg("groups") = 1);
  m.def("conv1d", [](const Tensor& input, const Tensor& weight, const OptTensor& bias, py::handle stride,
                     py::handle padding, py::handle dilation, int64_t groups) {
          return ops::conv1d(input, weight, bias, int_list(stride, "conv1d", "stride"),
                             conv_padding(padding, "conv1d"), int_list(dilation, "conv1d", "dilation"), groups);
        },
        py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("stride") = 1,
        py::arg("padding") = 0, py::arg("dilation") = 1, py::arg("groups") = 1);
  using TransposeFn = Tensor (*)(const Tensor&, const Tensor&, const OptTensor&, const DimVec&,
                                 const DimVec&, const DimVec&, int64_t, const DimVec&);
  auto bind_transpose = [&](const char* name, TransposeFn fn) {
    m.def(name, [fn, name](const Tensor& input, const Tensor& weight, const OptTensor& bias, py::handle stride,
                           py::handle padding, py::handle output_padding, int64_t groups, py::handle dilation) {
            return fn(input, weight, bias, int_list(stride, name, "stride"), int_list(padding, name, "padding"),
                      int_list(output_padding, name, "output_padding"), groups,
                      int_list(dilation, name, "dilation"));
          },
          py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("stride") = 1,
          py::arg("padding") = 0, py::arg("output_padding") = 0, py::arg("groups") = 1,
          py::arg("dilation") = 1);
  };
  bind_transpose("conv_transpose2d", ops::conv_transpose2d);
  bind_transpose("conv_transpose1d", ops::conv_transpose1d);

  using MaxFn = ops::ValuesIndices (*)(const Tensor&, const DimVec&, const DimVec&, const DimVec&,
                                       const DimVec&, bool, bool);
  auto bind_max = [&](const char* name, const char* with_indices, MaxFn fn) {
    auto run = [fn, name](const Tensor& input, py::handle kernel_size, py::handle stride, py::handle padding,
                          py::handle dilation, bool ceil_mode, bool return_indices) {
      return fn(input, int_list(kernel_size, name, "kernel_size"), int_list(stride, name, "stride"),
                int_list(padding, name, "padding"), int_list(dilation, name, "dilation"), ceil_mode,
                return_indices);
    };
    m.def(name, [run](const Tensor& input, py::handle kernel_size, py::handle stride, py::handle padding,
                      py::handle dilation, bool ceil_mode, bool return_indices) {
            return maybe_indices(run(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices),
                                 return_indices);
          },
          py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::none(), py::arg("padding") = 0,
          py::arg("dilation") = 1, py::arg("ceil_mode") = false, py::arg("return_indices") = false);
    m.def(with_indices, [run](const Tensor& input, py::handle kernel_size, py::handle stride, py::handle padding,
                              py::handle dilation, bool ceil_mode) {
            return maybe_indices(run(input, kernel_size, stride, padding, dilation, ceil_mode, true), true);
          },
          py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::none(), py::arg("padding") = 0,
          py::arg("dilation") = 1, py::arg("ceil_mode") = false);
  };
  bind_max("max_pool2d", "max_pool2d_with_indices", ops::max_pool2d_with_indices);
  bind_max("max_pool1d", "max_pool1d_with_indices", ops::max_pool1d_with_indices);

  m.def("avg_pool2d", [](const Tensor& input, py::handle kernel_size, py::handle stride, py::handle padding,
                         bool ceil_mode, bool count_include_pad, std::optional<int64_t> divisor_override) {
          return ops::avg_pool2d(input, int_list(kernel_size, "avg_pool2d", "kernel_size"),
                                 int_list(stride, "avg_pool2d", "stride"), int_list(padding, "avg_pool2d", "padding"),
                                 ceil_mode, count_include_pad, divisor_override);
        },
        py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::none(), py::arg("padding") = 0,
        py::arg("ceil_mode") = false, py::arg("count_include_pad") = true,
        py::arg("divisor_override") = py::none());
  m.def("avg_pool1d", [](const Tensor& input, py::handle kernel_size, py::handle stride, py::handle padding,
                         bool ceil_mode, bool count_include_pad) {
          return ops::avg_pool1d(input, int_list(kernel_size, "avg_pool1d", "kernel_size"),
                                 int_list(stride, "avg_pool1d", "stride"), int_list(padding, "avg_pool1d", "padding"),
                                 ceil_mode, count_include_pad);
        },
        py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::none(), py::arg("padding") = 0,
        py::arg("ceil_mode") = false, py::arg("count_include_pad") = true);
  m.def("adaptive_avg_pool2d", [](const Tensor& input, py::handle output_size) {
          return ops::adaptive_avg_pool2d(input, adaptive_size(output_size, "adaptive_avg_pool2d"));
        },
        py::arg("input"), py::arg("output_size"));
  m.def("adaptive_max_pool2d", [](const Tensor& input, py::handle output_size, bool return_indices) {
          return maybe_indices(
              ops::adaptive_max_pool2d(input, adaptive_size(output_size, "adaptive_max_pool2d")), return_indices);
        },
        py::arg("input"), py::arg("output_size"), py::arg("return_indices") = false);

  m.def("_use_reference_conv", &ops::use_reference_conv);
  m.def("_use_reference_pool", &ops::use_reference_pool);
}

}  // namespace pt::python
