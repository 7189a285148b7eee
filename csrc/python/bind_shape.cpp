// Bindings of the shape family (ops/shape.h): views, joins and copies, as Tensor methods and
// pytensor functions with PyTorch's argument forms.
#include "ops/copy.h"
#include "ops/shape.h"
#include "python/init.h"

namespace pt::python {

namespace {

// Sizes or dims given as varargs (`t.view(2, 3)`) or as one sequence (`t.view((2, 3))`).
DimVec varargs(const py::args& args, const char* op, const char* name) {
  PT_CHECK(args.size() > 0, TypeError, op, "() missing 1 required positional arguments: \"", name, "\"");
  return parse_size(args, op);
}

std::vector<Tensor> tensor_list(py::handle seq, const char* op) {
  PT_CHECK(PyList_Check(seq.ptr()) || PyTuple_Check(seq.ptr()), TypeError, op,
           "(): argument 'tensors' (position 1) must be tuple of Tensors, not ",
           is_tensor(seq) ? "Tensor" : type_name(seq));
  py::sequence s = py::reinterpret_borrow<py::sequence>(seq);
  std::vector<Tensor> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    py::handle item = s[i];
    PT_CHECK(is_tensor(item), TypeError, op, "(): expected Tensor as element ", i,
             " in argument 0, but got ", type_name(item));
    out.push_back(item.cast<Tensor>());
  }
  return out;
}

py::tuple to_tuple(const std::vector<Tensor>& ts) {
  py::tuple out(ts.size());
  for (size_t i = 0; i < ts.size(); ++i) out[i] = py::cast(ts[i]);
  return out;
}

// Integer values of a 0-d or 1-d integer tensor (tensor_split's tensor argument).
DimVec int_values(const Tensor& t, const char* op) {
  PT_CHECK(is_integral(t->dtype(), false) && t->dim() <= 1, TypeError, op,
           "(): expected an integer tensor with 0 or 1 dims, but got a ", t->dtype(), " tensor of shape ",
           t->sizes());
  const Tensor c = ops::to(ops::contiguous(t), DType::Int64, cpu_device());
  return DimVec(c->data<int64_t>(), c->data<int64_t>() + c->numel());
}

// atleast_1d(x) -> tensor; atleast_1d(x, y) and atleast_1d([x, y]) -> tuple.
py::object atleast(const py::args& args, int64_t n, const char* op) {
  if (args.size() == 1 && is_tensor(args[0])) return py::cast(ops::atleast_nd(args[0].cast<Tensor>(), n));
  std::vector<Tensor> ts = args.size() == 1 ? tensor_list(args[0], op) : tensor_list(args, op);
  for (Tensor& t : ts) t = ops::atleast_nd(t, n);
  return to_tuple(ts);
}

// The same callable as a Tensor method and as a pytensor function whose first argument is `input`.
template <class F, class... Extra>
void def_both(py::module_& m, TensorClass& cls, const char* name, F&& f, const Extra&... extra) {
  cls.def(name, f, extra...);
  m.def(name, f, py::arg("input").none(false), extra...);
}

}  // namespace

void init_shape(py::module_& m, TensorClass& cls) {
  // ---- views ----
  cls.def("view", [](const Tensor& t, const py::args& a) { return ops::view(t, varargs(a, "view", "size")); });
  cls.def("view_as", [](const Tensor& t, const Tensor& o) { return ops::view(t, o->sizes()); },
          py::arg("other").none(false));
  cls.def("reshape", [](const Tensor& t, const py::args& a) {
    return ops::reshape(t, varargs(a, "reshape", "shape"));
  });
  m.def("reshape", [](const Tensor& t, py::handle s) { return ops::reshape(t, to_dimvec(s, "reshape")); },
        py::arg("input").none(false), py::arg("shape"));
  cls.def("reshape_as", [](const Tensor& t, const Tensor& o) { return ops::reshape(t, o->sizes()); },
          py::arg("other").none(false));
  def_both(m, cls, "flatten", &ops::flatten, py::arg("start_dim") = 0, py::arg("end_dim") = -1);
  def_both(m, cls, "unflatten", [](const Tensor& t, int64_t dim, py::handle sizes) {
    return ops::unflatten(t, dim, to_dimvec(sizes, "unflatten"));
  }, py::arg("dim"), py::arg("sizes"));
  def_both(m, cls, "ravel", &ops::ravel);

  // An int dim and a sequence of dims are different ops to autograd (SqueezeBackward1 / 2).
  def_both(m, cls, "squeeze", [](const Tensor& t, py::handle dim) {
    if (dim.is_none()) return ops::squeeze(t);
    if (PyLong_Check(dim.ptr())) return ops::squeeze(t, to_dimvec(dim, "squeeze")[0]);
    return ops::squeeze(t, to_dimvec(dim, "squeeze"));
  }, py::arg("dim") = py::none());
  cls.def("squeeze_", [](const Tensor& t, py::handle dim) -> Tensor {
    if (PyLong_Check(dim.ptr())) return ops::squeeze_(t, to_dimvec(dim, "squeeze_")[0]);
    return ops::squeeze_(t, dim.is_none() ? std::nullopt : std::optional(to_dimvec(dim, "squeeze_")));
  }, py::arg("dim") = py::none());
  def_both(m, cls, "unsqueeze", &ops::unsqueeze, py::arg("dim"));
  cls.def("unsqueeze_", [](const Tensor& t, int64_t dim) -> Tensor { return ops::unsqueeze_(t, dim); },
          py::arg("dim"));

  cls.def("permute", [](const Tensor& t, const py::args& a) {
    return ops::permute(t, varargs(a, "permute", "dims"));
  });
  m.def("permute", [](const Tensor& t, py::handle d) { return ops::permute(t, to_dimvec(d, "permute")); },
        py::arg("input").none(false), py::arg("dims"));
  def_both(m, cls, "transpose", &ops::transpose, py::arg("dim0"), py::arg("dim1"));
  def_both(m, cls, "swapdims", &ops::transpose, py::arg("dim0"), py::arg("dim1"));
  def_both(m, cls, "swapaxes", &ops::transpose, py::arg("axis0"), py::arg("axis1"));
  cls.def("transpose_", [](const Tensor& t, int64_t a, int64_t b) -> Tensor { return ops::transpose_(t, a, b); },
          py::arg("dim0"), py::arg("dim1"));
  def_both(m, cls, "t", &ops::t);
  cls.def("t_", [](const Tensor& t) -> Tensor { return ops::t_(t); });
  cls.def_property_readonly("T", [](const Tensor& t) {
    if (t->dim() != 2 &&
        PyErr_WarnEx(PyExc_UserWarning,
                     "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                     "deprecated and it will throw an error in a future release. Consider `x.mT` to "
                     "transpose batches of matrices or `x.permute(*range(x.ndim - 1, -1, -1))` to "
                     "reverse the dimensions of a tensor.", 1) < 0)
      throw py::error_already_set();
    return ops::numpy_T(t);
  });
  cls.def_property_readonly("mT", &ops::matrix_T);
  for (const char* name : {"movedim", "moveaxis"})
    def_both(m, cls, name, [](const Tensor& t, py::handle src, py::handle dst) {
      return ops::movedim(t, to_dimvec(src, "movedim"), to_dimvec(dst, "movedim"));
    }, py::arg("source"), py::arg("destination"));

  cls.def("expand", [](const Tensor& t, const py::args& a) { return ops::expand(t, varargs(a, "expand", "size")); });
  cls.def("expand_as", [](const Tensor& t, const Tensor& o) { return ops::expand(t, o->sizes()); },
          py::arg("other").none(false));
  def_both(m, cls, "broadcast_to", [](const Tensor& t, py::handle s) {
    return ops::broadcast_to(t, to_dimvec(s, "broadcast_to"));
  }, py::arg("size"));
  m.def("broadcast_tensors", [](const py::args& a) {
    return to_tuple(ops::broadcast_tensors(tensor_list(a, "broadcast_tensors")));
  });
  m.def("broadcast_shapes", [](const py::args& a) {
    DimVec shape;
    for (py::handle s : a) shape = ops::broadcast_shapes(shape, to_dimvec(s, "broadcast_shapes"), "broadcast_shapes");
    return size_object(shape);
  });
  def_both(m, cls, "diagonal", &ops::diagonal, py::arg("offset") = 0, py::arg("dim1") = 0, py::arg("dim2") = 1);
  m.def("atleast_1d", [](const py::args& a) { return atleast(a, 1, "atleast_1d"); });
  m.def("atleast_2d", [](const py::args& a) { return atleast(a, 2, "atleast_2d"); });
  m.def("atleast_3d", [](const py::args& a) { return atleast(a, 3, "atleast_3d"); });

  def_both(m, cls, "unbind", [](const Tensor& t, int64_t dim) { return to_tuple(ops::unbind(t, dim)); },
           py::arg("dim") = 0);
  def_both(m, cls, "split", [](const Tensor& t, py::handle s, int64_t dim) {
    if (!PySequence_Check(s.ptr())) return to_tuple(ops::split(t, to_dimvec(s, "split")[0], dim));
    return to_tuple(ops::split_with_sizes(t, to_dimvec(s, "split"), dim));
  }, py::arg("split_size_or_sections"), py::arg("dim") = 0);
  def_both(m, cls, "chunk", [](const Tensor& t, int64_t chunks, int64_t dim) {
    return to_tuple(ops::chunk(t, chunks, dim));
  }, py::arg("chunks"), py::arg("dim") = 0);
  def_both(m, cls, "tensor_split", [](const Tensor& t, py::handle s, int64_t dim) {
    const bool tensor = is_tensor(s);
    DimVec v = tensor ? int_values(s.cast<Tensor>(), "tensor_split") : to_dimvec(s, "tensor_split");
    const bool sections = tensor ? s.cast<Tensor>()->dim() == 0 : PyLong_Check(s.ptr()) || !PySequence_Check(s.ptr());
    return to_tuple(sections ? ops::tensor_split(t, v[0], dim) : ops::tensor_split_indices(t, v, dim));
  }, py::arg("indices_or_sections"), py::arg("dim") = 0);

  // ---- joins and copies ----
  for (const char* name : {"cat", "concat"})
    m.def(name, [](py::handle ts, int64_t dim) { return ops::cat(tensor_list(ts, "cat"), dim); },
          py::arg("tensors"), py::arg("dim") = 0);
  m.def("concatenate", [](py::handle ts, int64_t axis) { return ops::cat(tensor_list(ts, "concatenate"), axis); },
        py::arg("tensors"), py::arg("axis") = 0);
  m.def("stack", [](py::handle ts, int64_t dim) { return ops::stack(tensor_list(ts, "stack"), dim); },
        py::arg("tensors"), py::arg("dim") = 0);
  m.def("hstack", [](py::handle ts) { return ops::hstack(tensor_list(ts, "hstack")); }, py::arg("tensors"));
  m.def("vstack", [](py::handle ts) { return ops::vstack(tensor_list(ts, "vstack")); }, py::arg("tensors"));
  m.def("dstack", [](py::handle ts) { return ops::dstack(tensor_list(ts, "dstack")); }, py::arg("tensors"));

  cls.def("flip", [](const Tensor& t, const py::args& a) { return ops::flip(t, varargs(a, "flip", "dims")); });
  m.def("flip", [](const Tensor& t, py::handle d) { return ops::flip(t, to_dimvec(d, "flip")); },
        py::arg("input").none(false), py::arg("dims"));
  def_both(m, cls, "fliplr", &ops::fliplr);
  def_both(m, cls, "flipud", &ops::flipud);
  def_both(m, cls, "roll", [](const Tensor& t, py::handle shifts, py::handle dims) {
    return ops::roll(t, to_dimvec(shifts, "roll"), dims.is_none() ? DimVec{} : to_dimvec(dims, "roll"));
  }, py::arg("shifts"), py::arg("dims") = py::none());
  cls.def("repeat", [](const Tensor& t, const py::args& a) {
    return ops::repeat(t, varargs(a, "repeat", "repeats"));
  });
  cls.def("tile", [](const Tensor& t, const py::args& a) { return ops::tile(t, varargs(a, "tile", "dims")); });
  m.def("tile", [](const Tensor& t, py::handle d) { return ops::tile(t, to_dimvec(d, "tile")); },
        py::arg("input").none(false), py::arg("dims"));
  def_both(m, cls, "repeat_interleave", [](const Tensor& t, py::handle repeats, std::optional<int64_t> dim) {
    if (is_tensor(repeats)) return ops::repeat_interleave(t, repeats.cast<Tensor>(), dim);
    PT_CHECK(PyLong_Check(repeats.ptr()), TypeError,
             "repeat_interleave(): argument 'repeats' must be Tensor or int, not ", type_name(repeats));
    return ops::repeat_interleave(t, repeats.cast<int64_t>(), dim);
  }, py::arg("repeats"), py::arg("dim") = py::none());
  def_both(m, cls, "tril", &ops::tril, py::arg("diagonal") = 0);
  def_both(m, cls, "triu", &ops::triu, py::arg("diagonal") = 0);
  cls.def("tril_", [](const Tensor& t, int64_t k) -> Tensor { return ops::tril_(t, k); }, py::arg("diagonal") = 0);
  cls.def("triu_", [](const Tensor& t, int64_t k) -> Tensor { return ops::triu_(t, k); }, py::arg("diagonal") = 0);
  def_both(m, cls, "diag", &ops::diag, py::arg("diagonal") = 0);
}

}  // namespace pt::python
