// dtype and device objects, default dtype, thread count, CUDA queries and the process-wide
// switches of core/flags.h.
#include "core/flags.h"
#include "core/parallel.h"
#include "core/storage.h"
#include "cuda/kernels.h"
#include "python/init.h"

namespace pt::python {

void init_types(py::module_& m) {
  py::class_<PyDType>(m, "dtype")
      .def("__repr__", [](const PyDType& d) { return std::string("pytensor.") + dtype_name(d.t); })
      .def_property_readonly("is_floating_point", [](const PyDType& d) { return is_floating(d.t); })
      .def_property_readonly("is_signed", [](const PyDType& d) {
        return d.t != DType::Bool && d.t != DType::UInt8;
      })
      .def_property_readonly("itemsize", [](const PyDType& d) { return itemsize(d.t); })
      .def("__reduce__", [](const PyDType& d) -> py::tuple {
        return py::make_tuple(py::module_::import("pytensor").attr("_dtype_from_name"),
                              py::make_tuple(dtype_name(d.t)));
      });
  register_dtype_objects(m);
  for (int i = 0; i < kNumDTypes; ++i) m.attr(dtype_name(static_cast<DType>(i))) = static_cast<DType>(i);

  py::class_<PyDevice>(m, "device")
      .def(py::init([](Device d) { return PyDevice{d}; }), py::arg("type"))
      .def(py::init([](const std::string& type, int index) {
             PT_CHECK(type == "cuda" || (type == "cpu" && index == 0), RuntimeError,
                      "Invalid device: type ", type, " with index ", index);
             return PyDevice{Device{type == "cpu" ? DeviceType::CPU : DeviceType::CUDA, index}};
           }),
           py::arg("type"), py::arg("index"))
      .def_property_readonly("type", [](const PyDevice& d) { return d.d.is_cpu() ? "cpu" : "cuda"; })
      .def_property_readonly("index", [](const PyDevice& d) -> py::object {
        if (d.d.is_cpu()) return py::none();
        return py::int_(d.d.index);
      })
      .def("__str__", [](const PyDevice& d) { return d.d.str(); })
      .def("__repr__", [](const PyDevice& d) {
        return d.d.is_cpu() ? std::string("device(type='cpu')")
                            : "device(type='cuda', index=" + std::to_string(d.d.index) + ")";
      })
      .def("__eq__", [](const PyDevice& a, py::object b) {
        try {
          return a.d == b.cast<Device>();
        } catch (...) {
          return false;
        }
      })
      .def("__hash__", [](const PyDevice& d) { return static_cast<int>(d.d.type) * 1024 + d.d.index; })
      .def("__reduce__", [](const PyDevice& d) -> py::tuple {
        return py::make_tuple(py::type::of<PyDevice>(), py::make_tuple(d.d.str()));
      });

  m.def("get_default_dtype", [] { return default_dtype(); });
  m.def("set_default_dtype", [](DType t) { set_default_dtype(t); });
  m.def("get_num_threads", &get_num_threads);
  m.def("set_num_threads", [](int n) {
    PT_CHECK(n > 0, RuntimeError, "set_num_threads: Number of threads must be positive, got ", n);
    set_num_threads(n);
  });
  m.def("_cpu_empty_cache", &cpu_empty_cache);
  m.def("_cpu_cached_bytes", &cpu_cached_bytes);
  m.def("_set_size_class", &set_size_class);
  m.def("_set_as_tensor", &set_as_tensor);
  m.def("_cuda_built", &cuda::built_with_cuda);
  m.def("_cuda_is_available", &cuda::is_available);
  m.def("_cuda_device_count", &cuda::device_count);
  m.def("_cuda_get_device_name", &cuda::device_name);
  m.def("_cuda_synchronize", &cuda::synchronize);
  m.def("_cuda_current_device", &cuda::current_device);
  m.def("_cuda_set_device", &cuda::set_device);
  m.def("_cuda_manual_seed", &cuda::manual_seed);
  m.def("_cuda_initial_seed", &cuda::initial_seed);
  m.def("_cuda_empty_cache", &cuda::empty_cache);
  m.def("_cuda_memory_allocated", &cuda::memory_allocated);
  m.def("_cuda_max_memory_allocated", &cuda::max_memory_allocated);
  m.def("_cuda_memory_reserved", &cuda::memory_reserved);
  m.def("_cuda_reset_peak_memory_stats", &cuda::reset_peak_memory_stats);
  m.def("_allow_tf32", &allow_tf32);
  m.def("_set_allow_tf32", &set_allow_tf32);
  m.def("use_deterministic_algorithms", &set_deterministic_algorithms, py::arg("mode"), py::kw_only(),
        py::arg("warn_only") = false);
  m.def("are_deterministic_algorithms_enabled", &deterministic_algorithms);
  m.def("is_deterministic_algorithms_warn_only_enabled", &deterministic_warn_only);
}

}  // namespace pt::python
