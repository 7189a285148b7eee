// Bindings of the reductions, sorting and softmax families: each op as a Tensor method and as
// a module function, with PyTorch's argument names, defaults and named-tuple results.
#include "ops/elementwise.h"
#include "ops/reduce.h"
#include "ops/softmax.h"
#include "ops/sort.h"
#include "python/init.h"

namespace pt::python {

namespace {

// pytensor.return_types.<name>(values, indices): namedtuple classes made once at import.
enum ReturnType { kMax, kMin, kSort, kTopk, kKthvalue, kMedian, kNumReturnTypes };
const char* const kReturnTypeNames[] = {"max", "min", "sort", "topk", "kthvalue", "median"};
PyObject* g_return_types[kNumReturnTypes] = {};

py::object values_indices(ReturnType which, const ops::ValuesIndices& r) {
  return py::reinterpret_borrow<py::object>(g_return_types[which])(r.values, r.indices);
}

void init_return_types(py::module_& m) {
  py::module_ rt = m.def_submodule("return_types", "Named tuples returned by max, sort, topk...");
  py::object namedtuple = py::module_::import("collections").attr("namedtuple");
  for (int i = 0; i < kNumReturnTypes; ++i) {
    py::object cls = namedtuple(kReturnTypeNames[i], py::make_tuple("values", "indices"),
                                py::arg("module") = "pytensor.return_types");
    rt.attr(kReturnTypeNames[i]) = cls;
    g_return_types[i] = cls.release().ptr();  // lives as long as the module
  }
  // So that pickle finds the classes by their module name.
  py::module_::import("sys").attr("modules")["pytensor.return_types"] = rt;
}

bool is_int(py::handle h) {
  return !PyBool_Check(h.ptr()) && (PyLong_Check(h.ptr()) || PyIndex_Check(h.ptr()));
}


// dim=None, an int, or a tuple/list of ints.
ops::Dims parse_dims(py::handle h, const char* op) {
  if (h.is_none()) return std::nullopt;
  if (is_int(h)) return DimVec{index_to_int64(h)};
  PT_CHECK(PyTuple_Check(h.ptr()) || PyList_Check(h.ptr()), TypeError, op,
           "(): argument 'dim' must be int or tuple of ints, not ", type_name(h));
  DimVec dims;
  int64_t pos = 0;
  for (py::handle item : h) {
    PT_CHECK(is_int(item), TypeError, op, "(): argument 'dim' must be tuple of ints, but found "
             "element of type ", type_name(item), " at pos ", pos);
    dims.push_back(index_to_int64(item));
    ++pos;
  }
  return dims;
}

// var/std: `unbiased` (legacy bool, also accepted in dim's place) or `correction`.
double parse_correction(py::handle& dim, py::handle unbiased, py::handle correction) {
  if (PyBool_Check(dim.ptr())) {
    unbiased = dim;
    dim = py::none();
  }
  double c = unbiased.is_none() ? 1.0 : (unbiased.cast<bool>() ? 1.0 : 0.0);
  if (!correction.is_none()) c = correction.cast<double>();
  return c;
}

// norm's p: a number, None (2) or 'fro' (2 over the given dims).
double parse_p(py::handle p) {
  if (p.is_none()) return 2;
  if (PyUnicode_Check(p.ptr())) {
    const std::string s = p.cast<std::string>();
    if (s == "fro") return 2;
    PT_CHECK(s != "nuc", NotImplementedError, "norm: the nuclear norm (p='nuc') is not implemented");
    throw RuntimeError(str_cat("linalg.matrix_norm: Order ", s, " not supported."));
  }
  return p.cast<double>();
}

template <class F, class... Extra>
void def_both(py::module_& m, TensorClass& cls, const char* name, const F& f, const Extra&... extra) {
  m.def(name, f, py::arg("input"), extra...);
  cls.def(name, f, extra...);
}

using OptDType = std::optional<DType>;

}  // namespace

void init_reduce(py::module_& m, TensorClass& cls) {
  init_return_types(m);
  const auto dim_none = py::arg("dim") = py::none();
  const auto keepdim = py::arg("keepdim") = false;
  const auto dtype_none = py::arg("dtype") = py::none();

  using SumLike = Tensor (*)(const Tensor&, const ops::Dims&, bool, OptDType);
  const std::pair<const char*, SumLike> sum_like[] = {
      {"sum", &ops::sum}, {"nansum", &ops::nansum}, {"mean", &ops::mean}, {"nanmean", &ops::nanmean}};
  for (auto [name, fn] : sum_like)
    def_both(m, cls, name, [name = name, fn = fn](const Tensor& t, py::handle dim, bool kd, OptDType dt) {
      return fn(t, parse_dims(dim, name), kd, dt);
    }, dim_none, keepdim, py::kw_only(), dtype_none);
  def_both(m, cls, "prod", &ops::prod, dim_none, keepdim, py::kw_only(), dtype_none);

  for (ReturnType which : {kMax, kMin}) {
    const bool is_max = which == kMax;
    def_both(m, cls, kReturnTypeNames[which], [which, is_max](const Tensor& t, py::handle dim, bool kd) -> py::object {
      const char* name = kReturnTypeNames[which];
      if (dim.is_none()) return py::cast(is_max ? ops::max(t) : ops::min(t));
      if (is_tensor(dim)) {  // max(input, other) is the elementwise maximum
        const Tensor other = dim.cast<Tensor>();
        return py::cast(is_max ? ops::maximum(t, other) : ops::minimum(t, other));
      }
      PT_CHECK(is_int(dim), TypeError, name, "(): argument 'dim' must be int, not ", type_name(dim));
      const int64_t d = index_to_int64(dim);
      return values_indices(which, is_max ? ops::max(t, d, kd) : ops::min(t, d, kd));
    }, dim_none, keepdim);
  }
  using Extreme = Tensor (*)(const Tensor&, const ops::Dims&, bool);
  const std::pair<const char*, Extreme> extremes[] = {
      {"amax", &ops::amax}, {"amin", &ops::amin}, {"all", &ops::all}, {"any", &ops::any},
      {"logsumexp", &ops::logsumexp}};
  for (auto [name, fn] : extremes) {
    const auto f = [name = name, fn = fn](const Tensor& t, py::handle dim, bool kd) {
      return fn(t, parse_dims(dim, name), kd);
    };
    // logsumexp alone has no default dim in PyTorch.
    if (std::string(name) == "logsumexp") def_both(m, cls, name, f, py::arg("dim"), keepdim);
    else def_both(m, cls, name, f, dim_none, keepdim);
  }
  def_both(m, cls, "argmax", &ops::argmax, dim_none, keepdim);
  def_both(m, cls, "argmin", &ops::argmin, dim_none, keepdim);
  def_both(m, cls, "count_nonzero", [](const Tensor& t, py::handle dim) {
    return ops::count_nonzero(t, parse_dims(dim, "count_nonzero"));
  }, dim_none);

  using Moment = Tensor (*)(const Tensor&, const ops::Dims&, double, bool);
  const std::pair<const char*, Moment> moments[] = {{"var", &ops::var}, {"std", &ops::std}};
  for (auto [name, fn] : moments)
    def_both(m, cls, name, [name = name, fn = fn](const Tensor& t, py::handle dim, py::handle unbiased,
                                            bool kd, py::handle correction) {
      const double c = parse_correction(dim, unbiased, correction);
      return fn(t, parse_dims(dim, name), c, kd);
    }, dim_none, py::arg("unbiased") = py::none(), keepdim, py::kw_only(),
       py::arg("correction") = py::none());
  using MomentMean = std::pair<Tensor, Tensor> (*)(const Tensor&, const ops::Dims&, double, bool);
  const std::pair<const char*, MomentMean> moment_means[] = {
      {"var_mean", &ops::var_mean}, {"std_mean", &ops::std_mean}};
  for (auto [name, fn] : moment_means)
    m.def(name, [name = name, fn = fn](const Tensor& t, py::handle dim, py::handle unbiased, bool kd,
                                 py::handle correction) {
      const double c = parse_correction(dim, unbiased, correction);
      return fn(t, parse_dims(dim, name), c, kd);
    }, py::arg("input"), dim_none, py::arg("unbiased") = py::none(), keepdim, py::kw_only(),
       py::arg("correction") = py::none());

  def_both(m, cls, "norm", [](const Tensor& t, py::handle p, py::handle dim, bool kd, OptDType dt) {
    return ops::norm(t, parse_p(p), parse_dims(dim, "norm"), kd, dt);
  }, py::arg("p") = "fro", dim_none, keepdim, dtype_none);
  def_both(m, cls, "cumsum", &ops::cumsum, py::arg("dim"), py::kw_only(), dtype_none);
  def_both(m, cls, "cumprod", &ops::cumprod, py::arg("dim"), py::kw_only(), dtype_none);
  m.def("_use_reference_reductions", &ops::use_reference_reductions);

  // Sorting and selection.
  def_both(m, cls, "sort", [](const Tensor& t, int64_t dim, bool descending, bool stable) {
    return values_indices(kSort, ops::sort(t, dim, descending, stable));
  }, py::arg("dim") = -1, py::arg("descending") = false, py::kw_only(), py::arg("stable") = false);
  def_both(m, cls, "argsort", &ops::argsort, py::arg("dim") = -1, py::arg("descending") = false,
           py::kw_only(), py::arg("stable") = false);
  def_both(m, cls, "msort", &ops::msort);
  def_both(m, cls, "topk", [](const Tensor& t, int64_t k, int64_t dim, bool largest, bool sorted) {
    return values_indices(kTopk, ops::topk(t, k, dim, largest, sorted));
  }, py::arg("k"), py::arg("dim") = -1, py::arg("largest") = true, py::arg("sorted") = true);
  def_both(m, cls, "kthvalue", [](const Tensor& t, int64_t k, int64_t dim, bool kd) {
    return values_indices(kKthvalue, ops::kthvalue(t, k, dim, kd));
  }, py::arg("k"), py::arg("dim") = -1, keepdim);
  def_both(m, cls, "median", [](const Tensor& t, std::optional<int64_t> dim, bool kd) -> py::object {
    if (!dim) return py::cast(ops::median(t));
    return values_indices(kMedian, ops::median(t, *dim, kd));
  }, dim_none, keepdim);

  // Softmax; the nn.functional versions wrap these.
  def_both(m, cls, "softmax", &ops::softmax, py::arg("dim"), dtype_none);
  def_both(m, cls, "log_softmax", &ops::log_softmax, py::arg("dim"), dtype_none);
}

}  // namespace pt::python
