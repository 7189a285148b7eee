// Indexing bindings: __getitem__/__setitem__ parse the Python index object into ops::IndexItem
// (a lone int or slice goes straight to a view), and the named index ops.
#include "ops/index.h"
#include "python/init.h"

namespace pt::python {

using ops::IndexItem;
using ops::IndexList;

namespace {

[[noreturn]] void bad_index(py::handle h) {
  throw IndexError(str_cat("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                           "Variables are valid indices (got ", type_name(h), ")"));
}

int64_t int_value(PyObject* o) {
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
  if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
  PT_CHECK(!overflow, IndexError, "index ", py::str(o).cast<std::string>(),
           " is out of bounds: it does not fit in int64");
  return v;
}

// PySlice_Unpack clips huge bounds to +-PY_SSIZE_T_MAX and reads __index__ (numpy ints, tensors).
IndexItem slice_item(PyObject* o) {
  Py_ssize_t start, stop, step;
  if (PySlice_Unpack(o, &start, &stop, &step) < 0) throw py::error_already_set();
  return IndexItem::slice(start, stop, step);
}

IndexItem parse_item(py::handle h) {
  PyObject* o = h.ptr();
  if (PyBool_Check(o)) return IndexItem::boolean(o == Py_True);
  if (PyLong_Check(o)) return IndexItem::integer(int_value(o));
  if (PySlice_Check(o)) return slice_item(o);
  if (o == Py_None) return IndexItem::none();
  if (o == Py_Ellipsis) return IndexItem::ellipsis();
  if (is_tensor(h)) return IndexItem::index(h.cast<Tensor>());
  if (PyUnicode_Check(o) || PyBytes_Check(o) || PyFloat_Check(o)) bad_index(h);
  if (PySequence_Check(o)) {
    // Lists and arrays become index tensors; an empty list is an empty int64 index.
    Tensor t = as_tensor_arg(h, "index");
    if (t->numel() == 0 && is_floating(t->dtype())) t = empty(t->sizes(), DType::Int64);
    return IndexItem::index(std::move(t));
  }
  Scalar s;
  if (as_scalar(h, s) && !s.is_float())  // numpy integer and bool scalars
    return s.kind == Scalar::Kind::Bool ? IndexItem::boolean(s.i != 0) : IndexItem::integer(s.i);
  if (PyIndex_Check(o)) {
    py::object i = py::reinterpret_steal<py::object>(PyNumber_Index(o));
    if (!i) throw py::error_already_set();
    return IndexItem::integer(int_value(i.ptr()));
  }
  bad_index(h);
}

// A short list holding a slice, None, Ellipsis or a tensor is a tuple of indices, as in
// PyTorch; other lists (of numbers, nested) are one index tensor, as in numpy.
bool list_is_tuple(PyObject* o) {
  const Py_ssize_t n = PyList_GET_SIZE(o);
  if (n >= 32) return false;
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* e = PyList_GET_ITEM(o, i);
    if (PySlice_Check(e) || e == Py_None || e == Py_Ellipsis || is_tensor(e)) return true;
  }
  return false;
}

IndexList parse_key(py::handle key) {
  PyObject* o = key.ptr();
  IndexList items;
  const bool seq = PyTuple_Check(o) || (PyList_Check(o) && list_is_tuple(o));
  if (!seq) {
    items.push_back(parse_item(key));
    return items;
  }
  py::sequence s = py::reinterpret_borrow<py::sequence>(key);
  items.reserve(s.size());
  for (py::handle h : s) items.push_back(parse_item(h));
  return items;
}

Tensor getitem(const Tensor& self, py::handle key) {
  PyObject* k = key.ptr();
  if (PyLong_CheckExact(k)) return ops::index_int(self, int_value(k));
  if (PySlice_Check(k)) {
    const IndexItem s = slice_item(k);
    return ops::index_slice(self, s.start, s.stop, s.step);
  }
  return ops::index(self, parse_key(key));
}

void setitem(const Tensor& self, py::handle key, py::handle value) {
  const IndexList items = parse_key(key);
  Scalar s;
  if (!is_tensor(value) && as_scalar(value, s)) return ops::index_put_items(self, items, s);
  PyObject* v = value.ptr();
  PT_CHECK(is_tensor(value) || (PySequence_Check(v) && !PyUnicode_Check(v) && !PyBytes_Check(v)),
           TypeError, "can't assign a ", type_name(value), " to a ", self->dtype(), " tensor");
  ops::index_put_items(self, items, as_tensor_arg(value, "__setitem__"));
}

// A value argument: a Python number or a 0-d tensor.
Scalar value_arg(py::handle v, const char* op) {
  Scalar s;
  if (is_tensor(v)) return ops::scalar_of(v.cast<Tensor>(), op);
  PT_CHECK(as_scalar(v, s), TypeError, op, "(): argument 'value' must be a Number or a 0-dim Tensor, not ",
           type_name(v));
  return s;
}

// A fill value: a 0-d tensor stays a tensor (so that it gets a gradient), a number a Scalar.
template <class F>
Tensor with_fill_value(py::handle v, const char* op, const F& f) {
  if (is_tensor(v)) return f(v.cast<Tensor>());
  return f(value_arg(v, op));
}

py::tuple to_tuple(const std::vector<Tensor>& ts) {
  py::tuple out(ts.size());
  for (size_t i = 0; i < ts.size(); ++i) out[i] = py::cast(ts[i]);
  return out;
}

std::vector<Tensor> index_list(py::handle indices) {
  PT_CHECK(PySequence_Check(indices.ptr()) && !is_tensor(indices), TypeError,
           "index_put_(): argument 'indices' must be a tuple of Tensors, not ", type_name(indices));
  std::vector<Tensor> out;
  for (py::handle h : py::reinterpret_borrow<py::iterable>(indices))  // the iterator owns h
    out.push_back(h.is_none() ? nullptr : as_tensor_arg(h, "index_put_"));
  return out;
}

// `src` as a tensor, or `value` as a number, whichever scatter() was given.
template <class F>
Tensor with_src_or_value(py::handle src, py::handle value, const F& f) {
  py::handle s = src.is_none() ? value : src;
  PT_CHECK(!s.is_none(), TypeError, "scatter() missing 1 required argument: 'src' or 'value'");
  if (is_tensor(s)) return f(s.cast<Tensor>(), Scalar{}, true);
  return f(nullptr, value_arg(s, "scatter"), false);
}

// One callable as Tensor method and as module function (first argument `input`).
template <class F, class... Extra>
void def_both(py::module_& m, TensorClass& cls, const char* name, F f, const Extra&... extra) {
  cls.def(name, f, extra...);
  m.def(name, f, py::arg("input"), extra...);
}

}  // namespace

void init_index(py::module_& m, TensorClass& cls) {
  cls.def("__getitem__", &getitem).def("__setitem__", &setitem);

  def_both(m, cls, "select", &ops::select, py::arg("dim"), py::arg("index"));
  def_both(m, cls, "narrow", &ops::narrow, py::arg("dim"), py::arg("start"), py::arg("length"));
  def_both(m, cls, "index_select", &ops::index_select, py::arg("dim"), py::arg("index"));
  def_both(m, cls, "gather", [](const Tensor& t, int64_t dim, const Tensor& index, bool) {
    return ops::gather(t, dim, index);
  }, py::arg("dim"), py::arg("index"), py::kw_only(), py::arg("sparse_grad") = false);
  def_both(m, cls, "take", &ops::take, py::arg("index"));

  auto scatter = [](const Tensor& t, int64_t dim, const Tensor& index, py::handle src,
                    py::handle value, std::optional<std::string> reduce) {
    return with_src_or_value(src, value, [&](const Tensor& s, const Scalar& v, bool is_src) {
      return is_src ? ops::scatter(t, dim, index, s, reduce.value_or(""))
                    : ops::scatter(t, dim, index, v, reduce.value_or(""));
    });
  };
  auto scatter_ = [](const Tensor& t, int64_t dim, const Tensor& index, py::handle src,
                     py::handle value, std::optional<std::string> reduce) {
    return with_src_or_value(src, value, [&](const Tensor& s, const Scalar& v, bool is_src) {
      return is_src ? ops::scatter_(t, dim, index, s, reduce.value_or(""))
                    : ops::scatter_(t, dim, index, v, reduce.value_or(""));
    });
  };
  def_both(m, cls, "scatter", scatter, py::arg("dim"), py::arg("index"), py::arg("src") = py::none(),
           py::arg("value") = py::none(), py::kw_only(), py::arg("reduce") = py::none());
  cls.def("scatter_", scatter_, py::arg("dim"), py::arg("index"), py::arg("src") = py::none(),
          py::arg("value") = py::none(), py::kw_only(), py::arg("reduce") = py::none());
  def_both(m, cls, "scatter_add", &ops::scatter_add, py::arg("dim"), py::arg("index"), py::arg("src"));
  cls.def("scatter_add_", &ops::scatter_add_, py::arg("dim"), py::arg("index"), py::arg("src"));

  def_both(m, cls, "index_add", [](const Tensor& t, int64_t dim, const Tensor& index,
                                   const Tensor& source, py::handle alpha) {
    return ops::index_add(t, dim, index, source, value_arg(alpha, "index_add"));
  }, py::arg("dim"), py::arg("index"), py::arg("source"), py::kw_only(), py::arg("alpha") = 1);
  cls.def("index_add_", [](const Tensor& t, int64_t dim, const Tensor& index, const Tensor& source,
                           py::handle alpha) {
    return ops::index_add_(t, dim, index, source, value_arg(alpha, "index_add_"));
  }, py::arg("dim"), py::arg("index"), py::arg("source"), py::kw_only(), py::arg("alpha") = 1);
  def_both(m, cls, "index_fill", [](const Tensor& t, int64_t dim, const Tensor& index, py::handle v) {
    return with_fill_value(v, "index_fill",
                           [&](const auto& x) { return ops::index_fill(t, dim, index, x); });
  }, py::arg("dim"), py::arg("index"), py::arg("value"));
  cls.def("index_fill_", [](const Tensor& t, int64_t dim, const Tensor& index, py::handle v) {
    return with_fill_value(v, "index_fill_",
                           [&](const auto& x) { return ops::index_fill_(t, dim, index, x); });
  }, py::arg("dim"), py::arg("index"), py::arg("value"));

  def_both(m, cls, "index_put", [](const Tensor& t, py::handle indices, const Tensor& values,
                                   bool accumulate) {
    return ops::index_put(t, index_list(indices), values, accumulate);
  }, py::arg("indices"), py::arg("values"), py::arg("accumulate") = false);
  cls.def("index_put_", [](const Tensor& t, py::handle indices, const Tensor& values, bool accumulate) {
    return ops::index_put_(t, index_list(indices), values, accumulate);
  }, py::arg("indices"), py::arg("values"), py::arg("accumulate") = false);

  def_both(m, cls, "masked_fill", [](const Tensor& t, const Tensor& mask, py::handle v) {
    return with_fill_value(v, "masked_fill",
                           [&](const auto& x) { return ops::masked_fill(t, mask, x); });
  }, py::arg("mask"), py::arg("value"));
  cls.def("masked_fill_", [](const Tensor& t, const Tensor& mask, py::handle v) {
    return with_fill_value(v, "masked_fill_",
                           [&](const auto& x) { return ops::masked_fill_(t, mask, x); });
  }, py::arg("mask"), py::arg("value"));
  def_both(m, cls, "masked_select", &ops::masked_select, py::arg("mask"));

  def_both(m, cls, "nonzero", [](const Tensor& t, bool as_tuple) -> py::object {
    if (as_tuple) return to_tuple(ops::nonzero_tuple(t));
    return py::cast(ops::nonzero(t));
  }, py::kw_only(), py::arg("as_tuple") = false);
  def_both(m, cls, "argwhere", &ops::nonzero);
  // where(condition) is nonzero(as_tuple=True); an overload after the three-argument where of
  // bind_elementwise.cpp, so the common form is tried first.
  m.def("where", [](const Tensor& cond) { return to_tuple(ops::nonzero_tuple(cond)); },
        py::arg("condition"));
}

}  // namespace pt::python
