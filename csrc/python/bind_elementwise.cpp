// Bindings of the elementwise family: named functions (as Tensor methods and pytensor.*),
// the operator dunders and the in-place forms. Every binary op takes its other operand as
// one py::handle and branches on its type, so `a + b` is a single pybind11 call.
#include "cpu/vecmath.h"
#include "ops/elementwise.h"
#include "python/init.h"

namespace pt::python {

using ops::Arg;

namespace {

// One operand from Python. A number stays a Scalar; an array-like becomes a tensor here.
struct PyArg {
  Tensor tensor;
  Scalar scalar;
  bool is_scalar = false;
  Arg arg() const { return is_scalar ? Arg(scalar) : Arg(tensor); }
};

// What a binary op takes besides tensors and numbers: arithmetic takes numpy arrays and
// lists; == and != take numpy arrays but not lists (as PyTorch); None is never an operand.
enum class Accept { Numbers, Arrays, ArrayLikes };

bool load(py::handle h, PyArg& out, Accept accept) {
  if (h.is_none()) return false;
  if (is_tensor(h)) {
    out.tensor = h.cast<Tensor>();
    return true;
  }
  if (as_scalar(h, out.scalar)) {
    out.is_scalar = true;
    return true;
  }
  if (accept == Accept::Numbers) return false;
  const bool array = py::hasattr(h, "__array_interface__") || PyObject_CheckBuffer(h.ptr());
  if (!array && (accept == Accept::Arrays || !(PyList_Check(h.ptr()) || PyTuple_Check(h.ptr()))))
    return false;
  try {
    out.tensor = as_tensor_arg(h, "elementwise");
  } catch (const TypeError&) {
    return false;
  }
  return true;
}

// For named functions: a bad operand is a TypeError naming the op and the argument.
Arg load_or_throw(py::handle h, PyArg& slot, const char* op, const char* argname) {
  PT_CHECK(load(h, slot, Accept::ArrayLikes), TypeError, op, "(): argument '", argname,
           "' must be Tensor or Number, not ", type_name(h));
  return slot.arg();
}

Tensor tensor_arg(py::handle h, const char* op, const char* argname) {
  PT_CHECK(is_tensor(h), TypeError, op, "(): argument '", argname, "' must be Tensor, not ",
           type_name(h));
  return h.cast<Tensor>();
}

Scalar scalar_arg(py::handle h, const char* op, const char* argname) {
  Scalar s;
  PT_CHECK(as_scalar(h, s), TypeError, op, "(): argument '", argname, "' must be Number, not ",
           type_name(h));
  return s;
}

std::optional<Arg> optional_arg(py::handle h, PyArg& slot, const char* op, const char* argname) {
  if (h.is_none()) return std::nullopt;
  return load_or_throw(h, slot, op, argname);
}

ops::RoundingMode rounding_mode(py::handle h) {
  if (h.is_none()) return ops::RoundingMode::None;
  const std::string s = py::str(h);
  if (s == "trunc" && PyUnicode_Check(h.ptr())) return ops::RoundingMode::Trunc;
  if (s == "floor" && PyUnicode_Check(h.ptr())) return ops::RoundingMode::Floor;
  throw RuntimeError(str_cat("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '",
                             s, "'"));
}

py::object not_implemented() { return py::reinterpret_borrow<py::object>(Py_NotImplemented); }

// The two-operand ops as plain (Arg, Arg) functions, for the templates below.
using BinaryFn = Tensor (*)(Arg, Arg);
using InplaceFn = const Tensor& (*)(const Tensor&, Arg);
Tensor add2(Arg a, Arg b) { return ops::add(a, b); }
Tensor sub2(Arg a, Arg b) { return ops::sub(a, b); }
Tensor truediv2(Arg a, Arg b) { return ops::div(a, b); }
const Tensor& add2_(const Tensor& s, Arg o) { return ops::add_(s, o); }
const Tensor& sub2_(const Tensor& s, Arg o) { return ops::sub_(s, o); }
const Tensor& truediv2_(const Tensor& s, Arg o) { return ops::div_(s, o); }

// a OP b and b OP a: NotImplemented for operands we do not take, so Python tries the other side.
template <BinaryFn F, bool Reflected>
py::object dunder(const Tensor& self, py::handle other) {
  PyArg o;
  if (!load(other, o, Accept::ArrayLikes)) return not_implemented();
  return py::cast(Reflected ? F(o.arg(), self) : F(self, o.arg()));
}

template <BinaryFn F>
py::object compare_dunder(const Tensor& self, py::handle other) {
  PyArg o;
  if (!load(other, o, Accept::Arrays)) return not_implemented();
  return py::cast(F(self, o.arg()));
}

template <InplaceFn F>
py::object inplace_dunder(py::object self, py::handle other) {
  PyArg o;
  if (!load(other, o, Accept::ArrayLikes)) return not_implemented();
  F(self.cast<Tensor>(), o.arg());
  return self;
}

// Named binary op: a Tensor method and a pytensor function from one callable.
template <BinaryFn F>
void def_binary(py::module_& m, TensorClass& cls, const char* name) {
  auto fn = [name](py::handle input, py::handle other) {
    PyArg a, b;
    return F(load_or_throw(input, a, name, "input"), load_or_throw(other, b, name, "other"));
  };
  cls.def(name, fn, py::arg("other"));
  m.def(name, fn, py::arg("input"), py::arg("other"));
}

template <InplaceFn F>
void def_inplace(TensorClass& cls, const char* name) {
  cls.def(name, [name](py::object self, py::handle other) {
    PyArg o;
    F(tensor_arg(self, name, "self"), load_or_throw(other, o, name, "other"));
    return self;
  }, py::arg("other"));
}

using UnaryFn = Tensor (*)(const Tensor&);
using UnaryInplaceFn = const Tensor& (*)(const Tensor&);

template <UnaryFn F>
void def_unary(py::module_& m, TensorClass& cls, const char* name) {
  cls.def(name, F);
  m.def(name, F, py::arg("input"));
}

// name_ returns the very object it was called on.
template <UnaryInplaceFn F>
void def_unary_(py::module_& m, TensorClass& cls, const char* name) {
  auto fn = [name](py::object self) {
    F(tensor_arg(self, name, "input"));
    return self;
  };
  cls.def(name, fn);
  m.def(name, fn, py::arg("input"));
}

void bind_binary(py::module_& m, TensorClass& cls) {
  // add/sub carry alpha; div carries rounding_mode.
  auto add = [](py::handle input, py::handle other, py::handle alpha) {
    PyArg a, b;
    return ops::add(load_or_throw(input, a, "add", "input"), load_or_throw(other, b, "add", "other"),
                    scalar_arg(alpha, "add", "alpha"));
  };
  auto sub = [](py::handle input, py::handle other, py::handle alpha) {
    PyArg a, b;
    return ops::sub(load_or_throw(input, a, "sub", "input"), load_or_throw(other, b, "sub", "other"),
                    scalar_arg(alpha, "sub", "alpha"));
  };
  auto rsub = [](py::handle input, py::handle other, py::handle alpha) {
    PyArg a, b;
    return ops::sub(load_or_throw(other, b, "rsub", "other"), load_or_throw(input, a, "rsub", "input"),
                    scalar_arg(alpha, "rsub", "alpha"));
  };
  auto div = [](py::handle input, py::handle other, py::handle mode) {
    PyArg a, b;
    return ops::div(load_or_throw(input, a, "div", "input"), load_or_throw(other, b, "div", "other"),
                    rounding_mode(mode));
  };
  const py::object one = py::int_(1);
  cls.def("add", add, py::arg("other"), py::kw_only(), py::arg("alpha") = one);
  m.def("add", add, py::arg("input"), py::arg("other"), py::kw_only(), py::arg("alpha") = one);
  for (const char* name : {"sub", "subtract"}) {
    cls.def(name, sub, py::arg("other"), py::kw_only(), py::arg("alpha") = one);
    m.def(name, sub, py::arg("input"), py::arg("other"), py::kw_only(), py::arg("alpha") = one);
  }
  m.def("rsub", rsub, py::arg("input"), py::arg("other"), py::kw_only(), py::arg("alpha") = one);
  for (const char* name : {"div", "divide"}) {
    cls.def(name, div, py::arg("other"), py::kw_only(), py::arg("rounding_mode") = py::none());
    m.def(name, div, py::arg("input"), py::arg("other"), py::kw_only(),
          py::arg("rounding_mode") = py::none());
  }
  def_binary<ops::mul>(m, cls, "mul");
  def_binary<ops::mul>(m, cls, "multiply");
  def_binary<truediv2>(m, cls, "true_divide");
  def_binary<ops::floor_divide>(m, cls, "floor_divide");
  def_binary<ops::remainder>(m, cls, "remainder");
  def_binary<ops::fmod>(m, cls, "fmod");
  def_binary<ops::pow>(m, cls, "pow");
  def_binary<ops::maximum>(m, cls, "maximum");
  def_binary<ops::minimum>(m, cls, "minimum");
  def_binary<ops::atan2>(m, cls, "atan2");
  def_binary<ops::atan2>(m, cls, "arctan2");
  def_binary<ops::bitwise_and>(m, cls, "bitwise_and");
  def_binary<ops::bitwise_or>(m, cls, "bitwise_or");
  def_binary<ops::bitwise_xor>(m, cls, "bitwise_xor");
  def_binary<ops::logical_and>(m, cls, "logical_and");
  def_binary<ops::logical_or>(m, cls, "logical_or");
  def_binary<ops::logical_xor>(m, cls, "logical_xor");
  def_binary<ops::eq>(m, cls, "eq");
  def_binary<ops::ne>(m, cls, "ne");
  def_binary<ops::lt>(m, cls, "lt");
  def_binary<ops::le>(m, cls, "le");
  def_binary<ops::gt>(m, cls, "gt");
  def_binary<ops::ge>(m, cls, "ge");
  def_binary<ops::ne>(m, cls, "not_equal");
  def_binary<ops::lt>(m, cls, "less");
  def_binary<ops::le>(m, cls, "less_equal");
  def_binary<ops::gt>(m, cls, "greater");
  def_binary<ops::ge>(m, cls, "greater_equal");

  cls.def("add_", [](py::object self, py::handle other, py::handle alpha) {
    PyArg o;
    ops::add_(tensor_arg(self, "add_", "self"), load_or_throw(other, o, "add_", "other"),
              scalar_arg(alpha, "add_", "alpha"));
    return self;
  }, py::arg("other"), py::kw_only(), py::arg("alpha") = one);
  cls.def("sub_", [](py::object self, py::handle other, py::handle alpha) {
    PyArg o;
    ops::sub_(tensor_arg(self, "sub_", "self"), load_or_throw(other, o, "sub_", "other"),
              scalar_arg(alpha, "sub_", "alpha"));
    return self;
  }, py::arg("other"), py::kw_only(), py::arg("alpha") = one);
  cls.def("div_", [](py::object self, py::handle other, py::handle mode) {
    PyArg o;
    ops::div_(tensor_arg(self, "div_", "self"), load_or_throw(other, o, "div_", "other"),
              rounding_mode(mode));
    return self;
  }, py::arg("other"), py::kw_only(), py::arg("rounding_mode") = py::none());
  def_inplace<ops::mul_>(cls, "mul_");
  def_inplace<truediv2_>(cls, "true_divide_");
  def_inplace<ops::floor_divide_>(cls, "floor_divide_");
  def_inplace<ops::remainder_>(cls, "remainder_");
  def_inplace<ops::fmod_>(cls, "fmod_");
  def_inplace<ops::pow_>(cls, "pow_");
  def_inplace<ops::bitwise_and_>(cls, "bitwise_and_");
  def_inplace<ops::bitwise_or_>(cls, "bitwise_or_");
  def_inplace<ops::bitwise_xor_>(cls, "bitwise_xor_");
}

void bind_operators(TensorClass& cls) {
  cls.def("__add__", &dunder<add2, false>)
      .def("__radd__", &dunder<add2, true>)
      .def("__sub__", &dunder<sub2, false>)
      .def("__rsub__", &dunder<sub2, true>)
      .def("__mul__", &dunder<ops::mul, false>)
      .def("__rmul__", &dunder<ops::mul, true>)
      .def("__truediv__", &dunder<truediv2, false>)
      .def("__rtruediv__", &dunder<truediv2, true>)
      .def("__floordiv__", &dunder<ops::floor_divide, false>)
      .def("__rfloordiv__", &dunder<ops::floor_divide, true>)
      .def("__mod__", &dunder<ops::remainder, false>)
      .def("__rmod__", &dunder<ops::remainder, true>)
      .def("__pow__", &dunder<ops::pow, false>)
      .def("__rpow__", &dunder<ops::pow, true>)
      .def("__and__", &dunder<ops::bitwise_and, false>)
      .def("__rand__", &dunder<ops::bitwise_and, true>)
      .def("__or__", &dunder<ops::bitwise_or, false>)
      .def("__ror__", &dunder<ops::bitwise_or, true>)
      .def("__xor__", &dunder<ops::bitwise_xor, false>)
      .def("__rxor__", &dunder<ops::bitwise_xor, true>)
      .def("__lt__", &dunder<ops::lt, false>)
      .def("__le__", &dunder<ops::le, false>)
      .def("__gt__", &dunder<ops::gt, false>)
      .def("__ge__", &dunder<ops::ge, false>)
      .def("__eq__", &compare_dunder<ops::eq>)
      .def("__ne__", &compare_dunder<ops::ne>)
      .def("__iadd__", &inplace_dunder<add2_>)
      .def("__isub__", &inplace_dunder<sub2_>)
      .def("__imul__", &inplace_dunder<ops::mul_>)
      .def("__itruediv__", &inplace_dunder<truediv2_>)
      .def("__ifloordiv__", &inplace_dunder<ops::floor_divide_>)
      .def("__imod__", &inplace_dunder<ops::remainder_>)
      .def("__ipow__", &inplace_dunder<ops::pow_>)
      .def("__iand__", &inplace_dunder<ops::bitwise_and_>)
      .def("__ior__", &inplace_dunder<ops::bitwise_or_>)
      .def("__ixor__", &inplace_dunder<ops::bitwise_xor_>)
      .def("__neg__", &ops::neg)
      .def("__abs__", &ops::abs)
      .def("__invert__", [](const Tensor& t) {
        PT_CHECK(!is_floating(t->dtype()), TypeError,
                 "~ (operator.invert) is only implemented on integer and Boolean-type tensors");
        return ops::bitwise_not(t);
      });
  // Defining __eq__ made pybind11 clear __hash__; tensors hash by identity, as in PyTorch.
  cls.attr("__hash__") = py::module_::import("builtins").attr("object").attr("__hash__");
  // numpy defers to our reflected operators, so `array + tensor` is a tensor.
  cls.attr("__array_priority__") = 1000;
}

void bind_unary(py::module_& m, TensorClass& cls) {
#define PT_BIND_UNARY(name)                        \
  def_unary<ops::name>(m, cls, #name);             \
  def_unary_<ops::name##_>(m, cls, #name "_");
  PT_BIND_UNARY(exp) PT_BIND_UNARY(exp2) PT_BIND_UNARY(log) PT_BIND_UNARY(log2)
  PT_BIND_UNARY(log10) PT_BIND_UNARY(log1p) PT_BIND_UNARY(expm1) PT_BIND_UNARY(sqrt)
  PT_BIND_UNARY(rsqrt) PT_BIND_UNARY(sin) PT_BIND_UNARY(cos) PT_BIND_UNARY(tan)
  PT_BIND_UNARY(asin) PT_BIND_UNARY(acos) PT_BIND_UNARY(atan) PT_BIND_UNARY(sinh)
  PT_BIND_UNARY(cosh) PT_BIND_UNARY(tanh) PT_BIND_UNARY(sigmoid) PT_BIND_UNARY(reciprocal)
  PT_BIND_UNARY(floor) PT_BIND_UNARY(ceil) PT_BIND_UNARY(trunc) PT_BIND_UNARY(frac)
  PT_BIND_UNARY(abs) PT_BIND_UNARY(neg) PT_BIND_UNARY(sign) PT_BIND_UNARY(square)
  PT_BIND_UNARY(relu) PT_BIND_UNARY(bitwise_not) PT_BIND_UNARY(erf) PT_BIND_UNARY(erfc)
  PT_BIND_UNARY(erfinv)
#undef PT_BIND_UNARY
  // Activations live in _C._nn, as torch._C._nn (not Tensor methods in PyTorch).
  py::module_ nn = m.def_submodule("_nn");
  nn.def("silu", [](py::handle x) { return ops::silu(tensor_arg(x, "silu", "input")); }, py::arg("input"));
  nn.def("silu_", [](py::object x) { ops::silu_(tensor_arg(x, "silu_", "input")); return x; }, py::arg("input"));
  nn.def("gelu", [](py::handle x, const std::string& approximate) {
    return ops::gelu(tensor_arg(x, "gelu", "input"), approximate);
  }, py::arg("input"), py::arg("approximate") = "none");
  m.def("_use_reference_vecmath", &cpu::use_reference_vecmath, py::arg("on"));
  def_unary<ops::neg>(m, cls, "negative");
  def_unary_<ops::neg_>(m, cls, "negative_");
  def_unary<ops::abs>(m, cls, "absolute");
  def_unary<ops::logical_not>(m, cls, "logical_not");
  def_unary<ops::isnan>(m, cls, "isnan");
  def_unary<ops::isinf>(m, cls, "isinf");
  def_unary<ops::isfinite>(m, cls, "isfinite");
  def_unary<ops::isposinf>(m, cls, "isposinf");
  def_unary<ops::isneginf>(m, cls, "isneginf");

  auto round = [](const Tensor& x, int64_t decimals) { return ops::round(x, decimals); };
  cls.def("round", round, py::kw_only(), py::arg("decimals") = 0);
  m.def("round", round, py::arg("input"), py::kw_only(), py::arg("decimals") = 0);
  auto round_ = [](py::object self, int64_t decimals) {
    ops::round_(tensor_arg(self, "round_", "input"), decimals);
    return self;
  };
  cls.def("round_", round_, py::kw_only(), py::arg("decimals") = 0);
  m.def("round_", round_, py::arg("input"), py::kw_only(), py::arg("decimals") = 0);

  using OptD = std::optional<double>;
  auto nan_to_num = [](const Tensor& x, OptD nan, OptD posinf, OptD neginf) {
    return ops::nan_to_num(x, nan, posinf, neginf);
  };
  cls.def("nan_to_num", nan_to_num, py::arg("nan") = 0.0, py::arg("posinf") = py::none(),
          py::arg("neginf") = py::none());
  m.def("nan_to_num", nan_to_num, py::arg("input"), py::arg("nan") = 0.0,
        py::arg("posinf") = py::none(), py::arg("neginf") = py::none());
  cls.def("nan_to_num_", [](py::object self, OptD nan, OptD posinf, OptD neginf) {
    ops::nan_to_num_(tensor_arg(self, "nan_to_num_", "input"), nan, posinf, neginf);
    return self;
  }, py::arg("nan") = 0.0, py::arg("posinf") = py::none(), py::arg("neginf") = py::none());
}

void bind_clamp_where_fill(py::module_& m, TensorClass& cls) {
  auto clamp = [](const Tensor& x, py::handle min, py::handle max) {
    PyArg lo, hi;
    return ops::clamp(x, optional_arg(min, lo, "clamp", "min"), optional_arg(max, hi, "clamp", "max"));
  };
  auto clamp_ = [](py::object self, py::handle min, py::handle max) {
    PyArg lo, hi;
    ops::clamp_(tensor_arg(self, "clamp_", "input"), optional_arg(min, lo, "clamp_", "min"),
                optional_arg(max, hi, "clamp_", "max"));
    return self;
  };
  for (const char* name : {"clamp", "clip"}) {
    cls.def(name, clamp, py::arg("min") = py::none(), py::arg("max") = py::none());
    m.def(name, clamp, py::arg("input"), py::arg("min") = py::none(), py::arg("max") = py::none());
  }
  for (const char* name : {"clamp_", "clip_"}) {
    cls.def(name, clamp_, py::arg("min") = py::none(), py::arg("max") = py::none());
    m.def(name, clamp_, py::arg("input"), py::arg("min") = py::none(), py::arg("max") = py::none());
  }
  auto clamp_min = [](const Tensor& x, py::handle min) {
    PyArg lo;
    return ops::clamp_min(x, load_or_throw(min, lo, "clamp_min", "min"));
  };
  auto clamp_max = [](const Tensor& x, py::handle max) {
    PyArg hi;
    return ops::clamp_max(x, load_or_throw(max, hi, "clamp_max", "max"));
  };
  cls.def("clamp_min", clamp_min, py::arg("min"));
  m.def("clamp_min", clamp_min, py::arg("input"), py::arg("min"));
  cls.def("clamp_max", clamp_max, py::arg("max"));
  m.def("clamp_max", clamp_max, py::arg("input"), py::arg("max"));
  def_inplace<ops::clamp_min_>(cls, "clamp_min_");
  def_inplace<ops::clamp_max_>(cls, "clamp_max_");

  auto where = [](const Tensor& cond, py::handle input, py::handle other) {
    PyArg a, b;
    return ops::where(cond, load_or_throw(input, a, "where", "input"),
                      load_or_throw(other, b, "where", "other"));
  };
  cls.def("where", [where](const Tensor& self, const Tensor& cond, py::handle other) {
    return where(cond, py::cast(self), other);
  }, py::arg("condition"), py::arg("other"));
  m.def("where", where, py::arg("condition"), py::arg("input"), py::arg("other"));

  auto fill_ = [](py::object self, py::handle value) {
    PyArg v;
    PT_CHECK(load(value, v, Accept::Numbers), TypeError,
             "fill_(): argument 'value' must be Number or Tensor, not ", type_name(value));
    ops::fill_(tensor_arg(self, "fill_", "input"), v.arg());
    return self;
  };
  cls.def("fill_", fill_, py::arg("value"));
  m.def("fill_", fill_, py::arg("input"), py::arg("value"));
  auto zero_ = [](py::object self) {
    ops::zero_(tensor_arg(self, "zero_", "input"));
    return self;
  };
  cls.def("zero_", zero_);
  m.def("zero_", zero_, py::arg("input"));
}

}  // namespace

void init_elementwise(py::module_& m, TensorClass& cls) {
  bind_binary(m, cls);
  bind_operators(cls);
  bind_unary(m, cls);
  bind_clamp_where_fill(m, cls);
}

}  // namespace pt::python
