// Factories (zeros, arange, eye, *_like, new_*), random sampling ops and the Generator type.
#include "autograd/meta.h"
#include "core/generator.h"
#include "cuda/kernels.h"
#include "ops/copy.h"
#include "ops/factory.h"
#include "ops/random.h"
#include "python/init.h"

namespace pt::python {

py::object item(const Tensor& t);  // bind_tensor.cpp

namespace {

using OptDType = std::optional<DType>;
using OptDevice = std::optional<Device>;

// Keywords every factory takes; layout, pin_memory and memory_format are accepted and ignored.
py::arg_v arg_dtype() { return py::arg("dtype") = py::none(); }
py::arg_v arg_device() { return py::arg("device") = py::none(); }
py::arg_v arg_requires_grad() { return py::arg("requires_grad") = false; }
py::arg_v arg_generator() { return py::arg("generator") = py::none(); }
py::arg_v arg_layout() { return py::arg("layout") = py::none(); }
py::arg_v arg_pin_memory() { return py::arg("pin_memory") = false; }
py::arg_v arg_memory_format() { return py::arg("memory_format") = py::none(); }
py::arg_v arg_size() { return py::arg("size") = py::none(); }

Tensor finish(Tensor t, bool requires_grad) {
  if (requires_grad) {
    PT_CHECK(is_floating(t->dtype()), RuntimeError,
             "Only Tensors of floating point and complex dtype can require gradients (got ",
             t->dtype(), ")");
    t->autograd_mut().requires_grad = true;
  }
  return t;
}

// The size from `zeros(2, 3)`, `zeros((2, 3))` or `zeros(size=(2, 3))`.
DimVec size_arg(const py::args& args, py::handle size_kw, const char* op) {
  if (!size_kw.is_none()) {
    PT_CHECK(args.empty(), TypeError, op, "() got multiple values for argument 'size'");
    return to_dimvec(size_kw, op);
  }
  return parse_size(args, op);
}

// A Python number, numpy scalar or one-element tensor as a Scalar.
Scalar scalar_arg(py::handle h, const char* op, const char* name) {
  Scalar s;
  if (as_scalar(h, s)) return s;
  if (is_tensor(h) && h.cast<Tensor>()->numel() == 1 && as_scalar(item(h.cast<Tensor>()), s)) return s;
  throw TypeError(str_cat(op, "(): argument '", name, "' must be a number, but got ", type_name(h)));
}

double double_arg(py::handle h, const char* op, const char* name) {
  return scalar_arg(h, op, name).f;
}

int64_t int_arg(py::handle h, const char* op, const char* name) {
  const Scalar s = scalar_arg(h, op, name);
  PT_CHECK(!s.is_float(), TypeError, op, "(): argument '", name, "' must be int, not float");
  return s.i;
}

// A seed as PyTorch takes it: any integer in [-2**63, 2**64); negatives wrap modulo 2**64.
uint64_t seed_arg(py::handle h) {
  py::int_ v(py::reinterpret_borrow<py::object>(h));
  const unsigned long long u = PyLong_AsUnsignedLongLong(v.ptr());
  if (!PyErr_Occurred()) return u;
  PyErr_Clear();
  const long long s = PyLong_AsLongLong(v.ptr());
  if (!PyErr_Occurred()) return static_cast<uint64_t>(s);
  PyErr_Clear();
  throw ValueError(str_cat("manual_seed: seed must be within the range [-2**63, 2**64 - 1], got ",
                           py::str(h).cast<std::string>()));
}

Tensor state_tensor(const Generator& g) {
  const auto bytes = g.state();
  Tensor t = pt::empty({Generator::kStateBytes}, DType::UInt8);
  std::copy(bytes.begin(), bytes.end(), t->data<uint8_t>());
  return t;
}

void set_state(Generator& g, py::handle state) {
  PT_CHECK(is_tensor(state) && state.cast<Tensor>()->dtype() == DType::UInt8 &&
               state.cast<Tensor>()->device().is_cpu(),
           TypeError, "RNG state must be a pytensor.ByteTensor (a uint8 CPU tensor), got ",
           is_tensor(state) ? dtype_name(state.cast<Tensor>()->dtype()) : type_name(state));
  Tensor t = ops::contiguous(state.cast<Tensor>());
  g.set_state(t->data<uint8_t>(), t->numel());
}

void init_generator(py::module_& m) {
  py::class_<Generator, GeneratorPtr>(m, "Generator")
      .def(py::init([](Device device) {
             PT_CHECK(device.is_cpu(), NotImplementedError,
                      "Generator: only CPU generators are supported yet, got ", device.str());
             return std::make_shared<Generator>();
           }),
           py::arg("device") = cpu_device())
      .def("manual_seed", [](const GeneratorPtr& g, py::handle seed) {
        g->manual_seed(seed_arg(seed));
        return g;
      }, py::arg("seed"))
      .def("seed", &Generator::seed)
      .def("initial_seed", &Generator::initial_seed)
      .def("get_state", &state_tensor)
      .def("set_state", [](const GeneratorPtr& g, py::handle s) {
        set_state(*g, s);
        return g;
      }, py::arg("new_state"))
      .def_property_readonly("device", [](const Generator&) { return cpu_device(); });
  m.attr("default_generator") = py::cast(default_generator());
  m.def("manual_seed", [](py::handle seed) {
    const uint64_t s = seed_arg(seed);
    default_generator()->manual_seed(s);
    cuda::manual_seed(s);  // as torch.manual_seed, which seeds every device
    return default_generator();
  }, py::arg("seed"));
  m.def("seed", [] { return default_generator()->seed(); });
  m.def("initial_seed", [] { return default_generator()->initial_seed(); });
  m.def("get_rng_state", [] { return state_tensor(*default_generator()); });
  m.def("set_rng_state", [](py::handle s) { set_state(*default_generator(), s); }, py::arg("new_state"));
  // Test hook: one raw Philox4x32-10 block, for the Random123 known-answer vectors.
  m.def("_philox4x32_10", [](std::array<uint32_t, 4> ctr, std::array<uint32_t, 2> key) {
    return philox4x32_10(ctr, key[0] | (static_cast<uint64_t>(key[1]) << 32));
  });
}

void init_constant_factories(py::module_& m, TensorClass& cls) {
  m.def("empty", [](const py::args& size, OptDType dtype, OptDevice device, bool rg, py::handle size_kw,
                    py::handle, bool, py::handle) {
    return finish(ops::empty(size_arg(size, size_kw, "empty"), dtype.value_or(default_dtype()),
                             device.value_or(cpu_device())), rg);
  }, arg_dtype(), arg_device(), arg_requires_grad(), arg_size(), arg_layout(), arg_pin_memory(), arg_memory_format());
  m.def("zeros", [](const py::args& size, OptDType dtype, OptDevice device, bool rg, py::handle size_kw,
                    py::handle, bool) {
    return finish(ops::zeros(size_arg(size, size_kw, "zeros"), dtype.value_or(default_dtype()),
                             device.value_or(cpu_device())), rg);
  }, arg_dtype(), arg_device(), arg_requires_grad(), arg_size(), arg_layout(), arg_pin_memory());
  m.def("ones", [](const py::args& size, OptDType dtype, OptDevice device, bool rg, py::handle size_kw,
                   py::handle, bool) {
    return finish(ops::ones(size_arg(size, size_kw, "ones"), dtype.value_or(default_dtype()),
                            device.value_or(cpu_device())), rg);
  }, arg_dtype(), arg_device(), arg_requires_grad(), arg_size(), arg_layout(), arg_pin_memory());
  m.def("full", [](py::handle size, py::handle fill_value, OptDType dtype, OptDevice device, bool rg,
                   py::handle, bool) {
    const Scalar v = scalar_arg(fill_value, "full", "fill_value");
    return finish(ops::full(to_dimvec(size, "full"), v,
                            dtype.value_or(ops::scalar_dtype(v, default_dtype())),
                            device.value_or(cpu_device())), rg);
  }, py::arg("size"), py::arg("fill_value"), py::kw_only(), arg_dtype(), arg_device(), arg_requires_grad(), arg_layout(),
     arg_pin_memory());
  m.def("empty_strided", [](py::handle size, py::handle stride, OptDType dtype, OptDevice device,
                            bool rg, py::handle, bool) {
    return finish(ops::empty_strided(to_dimvec(size, "empty_strided"), to_dimvec(stride, "empty_strided"),
                                     dtype.value_or(default_dtype()), device.value_or(cpu_device())), rg);
  }, py::arg("size"), py::arg("stride"), py::kw_only(), arg_dtype(), arg_device(), arg_requires_grad(), arg_layout(),
     arg_pin_memory());
  m.def("arange", [](py::handle a, py::handle b, py::handle c, OptDType dtype, OptDevice device,
                     bool rg, py::handle, bool) {
    // arange(end), arange(start, end), arange(start, end, step), and end= alone.
    PT_CHECK(!(a.is_none() && b.is_none()), TypeError, "arange() missing required argument 'end'");
    const Scalar start = a.is_none() || b.is_none() ? Scalar::from_int(0) : scalar_arg(a, "arange", "start");
    const Scalar end = scalar_arg(b.is_none() ? a : b, "arange", "end");
    const Scalar step = scalar_arg(c, "arange", "step");
    const bool floating = start.is_float() || end.is_float() || step.is_float();
    const DType dt = dtype.value_or(floating ? default_dtype() : DType::Int64);
    return finish(ops::arange(start, end, step, dt, device.value_or(cpu_device())), rg);
  }, py::arg("start") = py::none(), py::arg("end") = py::none(), py::arg("step") = 1, py::kw_only(),
     arg_dtype(), arg_device(), arg_requires_grad(), arg_layout(), arg_pin_memory());
  m.def("linspace", [](py::handle start, py::handle end, py::handle steps, OptDType dtype,
                       OptDevice device, bool rg, py::handle, bool) {
    return finish(ops::linspace(scalar_arg(start, "linspace", "start"), scalar_arg(end, "linspace", "end"),
                                int_arg(steps, "linspace", "steps"), dtype.value_or(default_dtype()),
                                device.value_or(cpu_device())), rg);
  }, py::arg("start"), py::arg("end"), py::arg("steps"), py::kw_only(), arg_dtype(), arg_device(),
     arg_requires_grad(), arg_layout(), arg_pin_memory());
  m.def("logspace", [](py::handle start, py::handle end, py::handle steps, py::handle base,
                       OptDType dtype, OptDevice device, bool rg, py::handle, bool) {
    return finish(ops::logspace(scalar_arg(start, "logspace", "start"), scalar_arg(end, "logspace", "end"),
                                int_arg(steps, "logspace", "steps"), double_arg(base, "logspace", "base"),
                                dtype.value_or(default_dtype()), device.value_or(cpu_device())), rg);
  }, py::arg("start"), py::arg("end"), py::arg("steps"), py::arg("base") = 10.0, py::kw_only(),
     arg_dtype(), arg_device(), arg_requires_grad(), arg_layout(), arg_pin_memory());
  m.def("eye", [](py::handle n, py::handle m_, OptDType dtype, OptDevice device, bool rg, py::handle,
                  bool) {
    const int64_t rows = int_arg(n, "eye", "n");
    const int64_t cols = m_.is_none() ? rows : int_arg(m_, "eye", "m");
    return finish(ops::eye(rows, cols, dtype.value_or(default_dtype()), device.value_or(cpu_device())), rg);
  }, py::arg("n"), py::arg("m") = py::none(), py::kw_only(), arg_dtype(), arg_device(), arg_requires_grad(), arg_layout(),
     arg_pin_memory());

  // *_like: shape from `input`, dtype and device from input unless given.
  const auto like = [](auto make) {
    return [make](const Tensor& input, OptDType dtype, OptDevice device, bool rg, py::handle,
                  py::handle, bool) {
      return finish(make(input->sizes(), dtype.value_or(input->dtype()),
                         device.value_or(input->device())), rg);
    };
  };
  m.def("empty_like", like(&ops::empty), py::arg("input"), py::kw_only(), arg_dtype(),
        arg_device(), arg_requires_grad(), arg_memory_format(), arg_layout(), arg_pin_memory());
  m.def("zeros_like", like(&ops::zeros), py::arg("input"), py::kw_only(), arg_dtype(),
        arg_device(), arg_requires_grad(), arg_memory_format(), arg_layout(), arg_pin_memory());
  m.def("ones_like", like(&ops::ones), py::arg("input"), py::kw_only(), arg_dtype(),
        arg_device(), arg_requires_grad(), arg_memory_format(), arg_layout(), arg_pin_memory());
  m.def("full_like", [](const Tensor& input, py::handle fill_value, OptDType dtype, OptDevice device,
                        bool rg, py::handle, py::handle, bool) {
    return finish(ops::full(input->sizes(), scalar_arg(fill_value, "full_like", "fill_value"),
                            dtype.value_or(input->dtype()), device.value_or(input->device())), rg);
  }, py::arg("input"), py::arg("fill_value"), py::kw_only(), arg_dtype(), arg_device(), arg_requires_grad(),
     arg_memory_format(), arg_layout(), arg_pin_memory());

  // new_*: dtype and device from self unless given; size as varargs or one sequence.
  cls.def("new_empty", [](const Tensor& self, const py::args& size, OptDType dtype, OptDevice device,
                          bool rg, py::handle, bool) {
    return finish(ops::empty(parse_size(size, "new_empty"), dtype.value_or(self->dtype()),
                             device.value_or(self->device())), rg);
  }, arg_dtype(), arg_device(), arg_requires_grad(), arg_layout(), arg_pin_memory());
  cls.def("new_zeros", [](const Tensor& self, const py::args& size, OptDType dtype, OptDevice device,
                          bool rg, py::handle, bool) {
    return finish(ops::zeros(parse_size(size, "new_zeros"), dtype.value_or(self->dtype()),
                             device.value_or(self->device())), rg);
  }, arg_dtype(), arg_device(), arg_requires_grad(), arg_layout(), arg_pin_memory());
  cls.def("new_ones", [](const Tensor& self, const py::args& size, OptDType dtype, OptDevice device,
                         bool rg, py::handle, bool) {
    return finish(ops::ones(parse_size(size, "new_ones"), dtype.value_or(self->dtype()),
                            device.value_or(self->device())), rg);
  }, arg_dtype(), arg_device(), arg_requires_grad(), arg_layout(), arg_pin_memory());
  cls.def("new_full", [](const Tensor& self, py::handle size, py::handle fill_value, OptDType dtype,
                         OptDevice device, bool rg, py::handle, bool) {
    return finish(ops::full(to_dimvec(size, "new_full"), scalar_arg(fill_value, "new_full", "fill_value"),
                            dtype.value_or(self->dtype()), device.value_or(self->device())), rg);
  }, py::arg("size"), py::arg("fill_value"), py::kw_only(), arg_dtype(), arg_device(), arg_requires_grad(), arg_layout(),
     arg_pin_memory());
  cls.def("new_tensor", [](const Tensor& self, py::handle data, OptDType dtype, OptDevice device,
                           bool rg) {
    // Leaked on purpose: a static py::object would be released after the interpreter is gone.
    static PyObject* tensor_fn = py::object(py::module_::import("pytensor").attr("tensor")).release().ptr();
    return py::handle(tensor_fn)(data, dtype.value_or(self->dtype()), device.value_or(self->device()), rg)
        .cast<Tensor>();
  }, py::arg("data"), py::kw_only(), arg_dtype(), arg_device(), arg_requires_grad());

}

// randint(high, size) / randint(low, high, size), each also by keyword.
std::tuple<int64_t, int64_t, DimVec> randint_args(const py::args& args, py::handle low,
                                                  py::handle high, py::handle size) {
  std::vector<py::handle> pos(args.begin(), args.end());
  if (!size.is_none()) pos.push_back(size);
  if (!high.is_none()) pos.insert(pos.end() - (size.is_none() ? 0 : 1), high);
  if (!low.is_none()) pos.insert(pos.begin(), low);
  PT_CHECK(pos.size() == 2 || pos.size() == 3, TypeError,
           "randint() takes (high, size) or (low, high, size), but got ", pos.size(), " arguments");
  const int64_t lo = pos.size() == 3 ? int_arg(pos[0], "randint", "low") : 0;
  const int64_t hi = int_arg(pos[pos.size() - 2], "randint", "high");
  return {lo, hi, to_dimvec(pos.back(), "randint")};
}

void init_random(py::module_& m, TensorClass& cls) {
  m.def("rand", [](const py::args& size, const GeneratorPtr& gen, OptDType dtype, OptDevice device,
                   bool rg, py::handle size_kw, py::handle, bool) {
    return finish(ops::rand(size_arg(size, size_kw, "rand"), dtype.value_or(default_dtype()),
                            device.value_or(cpu_device()), gen), rg);
  }, arg_generator(), arg_dtype(), arg_device(), arg_requires_grad(), arg_size(), arg_layout(), arg_pin_memory());
  m.def("randn", [](const py::args& size, const GeneratorPtr& gen, OptDType dtype, OptDevice device,
                    bool rg, py::handle size_kw, py::handle, bool) {
    return finish(ops::randn(size_arg(size, size_kw, "randn"), dtype.value_or(default_dtype()),
                             device.value_or(cpu_device()), gen), rg);
  }, arg_generator(), arg_dtype(), arg_device(), arg_requires_grad(), arg_size(), arg_layout(), arg_pin_memory());
  m.def("randint", [](const py::args& args, const GeneratorPtr& gen, OptDType dtype, OptDevice device,
                      bool rg, py::handle low, py::handle high, py::handle size, py::handle, bool) {
    auto [lo, hi, shape] = randint_args(args, low, high, size);
    return finish(ops::randint(lo, hi, shape, dtype.value_or(DType::Int64),
                               device.value_or(cpu_device()), gen), rg);
  }, arg_generator(), arg_dtype(), arg_device(), arg_requires_grad(), py::arg("low") = py::none(),
     py::arg("high") = py::none(), arg_size(), arg_layout(), arg_pin_memory());
  m.def("randperm", [](py::handle n, const GeneratorPtr& gen, OptDType dtype, OptDevice device,
                       bool rg, py::handle, bool) {
    return finish(ops::randperm(int_arg(n, "randperm", "n"), dtype.value_or(DType::Int64),
                                device.value_or(cpu_device()), gen), rg);
  }, py::arg("n"), py::kw_only(), arg_generator(), arg_dtype(), arg_device(), arg_requires_grad(), arg_layout(), arg_pin_memory());
  m.def("normal", [](py::handle mean, py::handle std, py::handle size, const GeneratorPtr& gen,
                     OptDType dtype, OptDevice device, bool rg, py::handle, bool) {
    if (!is_tensor(mean) && !is_tensor(std)) {
      PT_CHECK(!size.is_none(), TypeError,
               "normal() with a number mean and std needs a size: normal(mean, std, size)");
      return finish(ops::normal(double_arg(mean, "normal", "mean"), double_arg(std, "normal", "std"),
                                to_dimvec(size, "normal"), dtype.value_or(default_dtype()),
                                device.value_or(cpu_device()), gen), rg);
    }
    PT_CHECK(size.is_none(), TypeError, "normal(): 'size' is only taken when mean and std are numbers");
    // A number beside a tensor becomes a 0-d tensor of that tensor's dtype.
    const DType dt = (is_tensor(mean) ? mean : std).cast<Tensor>()->dtype();
    const auto as_t = [&](py::handle h, const char* name) {
      return is_tensor(h) ? h.cast<Tensor>()
                          : ops::full({}, scalar_arg(h, "normal", name), dt, cpu_device());
    };
    return finish(ops::normal(as_t(mean, "mean"), as_t(std, "std"), gen), rg);
  }, py::arg("mean") = 0.0, py::arg("std") = 1.0, py::arg("size") = py::none(), py::kw_only(),
     arg_generator(), arg_dtype(), arg_device(), arg_requires_grad(), arg_layout(), arg_pin_memory());

  // Random *_like factories.
  m.def("rand_like", [](const Tensor& input, const GeneratorPtr& gen, OptDType dtype, OptDevice device,
                        bool rg, py::handle, py::handle, bool) {
    return finish(ops::rand(input->sizes(), dtype.value_or(input->dtype()),
                            device.value_or(input->device()), gen), rg);
  }, py::arg("input"), py::kw_only(), arg_generator(), arg_dtype(), arg_device(), arg_requires_grad(), arg_memory_format(),
     arg_layout(), arg_pin_memory());
  m.def("randn_like", [](const Tensor& input, const GeneratorPtr& gen, OptDType dtype,
                         OptDevice device, bool rg, py::handle, py::handle, bool) {
    return finish(ops::randn(input->sizes(), dtype.value_or(input->dtype()),
                             device.value_or(input->device()), gen), rg);
  }, py::arg("input"), py::kw_only(), arg_generator(), arg_dtype(), arg_device(), arg_requires_grad(), arg_memory_format(),
     arg_layout(), arg_pin_memory());
  m.def("randint_like", [](const Tensor& input, py::handle low, py::handle high, const GeneratorPtr& gen,
                           OptDType dtype, OptDevice device, bool rg, py::handle, py::handle, bool) {
    // randint_like(input, high) or randint_like(input, low, high).
    PT_CHECK(!(low.is_none() && high.is_none()), TypeError, "randint_like() missing required argument 'high'");
    const int64_t lo = high.is_none() || low.is_none() ? 0 : int_arg(low, "randint_like", "low");
    const int64_t hi = int_arg(high.is_none() ? low : high, "randint_like", "high");
    return finish(ops::randint(lo, hi, input->sizes(), dtype.value_or(input->dtype()),
                               device.value_or(input->device()), gen), rg);
  }, py::arg("input"), py::arg("low") = py::none(), py::arg("high") = py::none(), py::kw_only(),
     arg_generator(), arg_dtype(), arg_device(), arg_requires_grad(), arg_memory_format(), arg_layout(), arg_pin_memory());

  // Sampling from a tensor of probabilities: module functions and methods.
  const auto bernoulli = [](const Tensor& input, py::handle p, const GeneratorPtr& gen) {
    return p.is_none() ? ops::bernoulli(input, gen)
                       : ops::bernoulli(input, double_arg(p, "bernoulli", "p"), gen);
  };
  m.def("bernoulli", bernoulli, py::arg("input"), py::arg("p") = py::none(), py::kw_only(), arg_generator());
  cls.def("bernoulli", bernoulli, py::arg("p") = py::none(), py::kw_only(), arg_generator());
  const auto multinomial = [](const Tensor& input, int64_t num_samples, bool replacement,
                              const GeneratorPtr& gen) {
    return ops::multinomial(input, num_samples, replacement, gen);
  };
  m.def("multinomial", multinomial, py::arg("input"), py::arg("num_samples"),
        py::arg("replacement") = false, py::kw_only(), arg_generator());
  cls.def("multinomial", multinomial, py::arg("num_samples"), py::arg("replacement") = false,
          py::kw_only(), arg_generator());

  // In-place samplers.
  cls.def("uniform_", [](const Tensor& t, double from, double to, const GeneratorPtr& gen) {
    return ops::uniform_(t, from, to, gen);
  }, py::arg("from") = 0.0, py::arg("to") = 1.0, py::kw_only(), arg_generator());
  cls.def("normal_", [](const Tensor& t, double mean, double std, const GeneratorPtr& gen) {
    return ops::normal_(t, mean, std, gen);
  }, py::arg("mean") = 0.0, py::arg("std") = 1.0, py::kw_only(), arg_generator());
  cls.def("exponential_", [](const Tensor& t, double lambd, const GeneratorPtr& gen) {
    return ops::exponential_(t, lambd, gen);
  }, py::arg("lambd") = 1.0, py::kw_only(), arg_generator());
  cls.def("bernoulli_", [](const Tensor& t, py::handle p, const GeneratorPtr& gen) {
    return is_tensor(p) ? ops::bernoulli_(t, p.cast<Tensor>(), gen)
                        : ops::bernoulli_(t, double_arg(p, "bernoulli_", "p"), gen);
  }, py::arg("p") = 0.5, py::kw_only(), arg_generator());
  // random_(), random_(to), random_(from, to): one positional argument is `to`, as in PyTorch.
  cls.def("random_", [](const Tensor& t, const py::args& args, const GeneratorPtr& gen,
                        py::handle from_kw, py::handle to_kw) {
    PT_CHECK(args.size() <= 2, TypeError, "random_() takes at most 2 positional arguments (",
             args.size(), " given)");
    py::handle from = args.size() == 2 ? args[0] : from_kw;
    py::handle to = args.size() == 2 ? args[1] : args.size() == 1 ? args[0] : to_kw;
    const int64_t lo = from.is_none() ? 0 : int_arg(from, "random_", "from");
    const std::optional<int64_t> hi =
        to.is_none() ? std::nullopt : std::optional<int64_t>(int_arg(to, "random_", "to"));
    return ops::random_(t, lo, hi, gen);
  }, arg_generator(), py::arg("from") = py::none(), py::arg("to") = py::none());
}

}  // namespace

void init_factory(py::module_& m, TensorClass& cls) {
  init_generator(m);
  init_constant_factories(m, cls);
  init_random(m, cls);
}

}  // namespace pt::python
