// Zero-copy exchange with numpy through the buffer protocol (never numpy's C API, so one
// build works under numpy 1.26 and 2.x), with other frameworks through DLPack capsules, and
// pickling (a contiguous byte copy plus dtype, shape, requires_grad and device).
#include <cstring>

#include "autograd/meta.h"
#include "cuda/kernels.h"
#include "ops/copy.h"
#include "python/dlpack.h"
#include "python/init.h"

namespace pt::python {

static DType dtype_from_format(const Py_buffer& v) {
  const char* f = v.format ? v.format : "B";
  if (*f == '<' || *f == '=' || *f == '@' || *f == '|') ++f;
  const char c = *f;
  const int64_t n = v.itemsize;
  if (c == '?') return DType::Bool;
  if (c == 'B' && n == 1) return DType::UInt8;
  if ((c == 'i' || c == 'l' || c == 'q') && n == 4) return DType::Int32;
  if ((c == 'i' || c == 'l' || c == 'q') && n == 8) return DType::Int64;
  if (c == 'f' && n == 4) return DType::Float32;
  if (c == 'd' && n == 8) return DType::Float64;
  throw TypeError(str_cat("can't convert np.ndarray of type with format '", v.format ? v.format : "",
                          "' (itemsize ", n, "). The only supported types are: float64, float32, "
                          "int64, int32, uint8, and bool."));
}

// A tensor sharing the memory of any object that exports a strided buffer.
Tensor from_buffer(py::handle obj) {
  auto view = std::shared_ptr<Py_buffer>(new Py_buffer(), [](Py_buffer* v) {
    py::gil_scoped_acquire gil;
    PyBuffer_Release(v);
    delete v;
  });
  if (PyObject_GetBuffer(obj.ptr(), view.get(), PyBUF_RECORDS_RO) != 0) {
    PyErr_Clear();
    throw TypeError(str_cat("expected np.ndarray (got ", type_name(obj), ")"));
  }
  const DType dtype = dtype_from_format(*view);
  DimVec sizes, strides;
  for (int i = 0; i < view->ndim; ++i) {
    sizes.push_back(view->shape[i]);
    const int64_t s = view->strides ? view->strides[i] : 0;
    PT_CHECK(s % view->itemsize == 0, ValueError,
             "from_numpy: strides that are not a multiple of the element size are not supported");
    strides.push_back(s / view->itemsize);
  }
  if (!view->strides) strides = contiguous_strides(sizes);
  // Storage starts at the lowest address the view touches, so negative strides work too.
  int64_t lo = 0, hi = 0;
  for (int64_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == 0) { lo = hi = 0; break; }
    (strides[d] < 0 ? lo : hi) += strides[d] * (sizes[d] - 1);
  }
  char* base = static_cast<char*>(view->buf) + lo * view->itemsize;
  const int64_t nbytes = (hi - lo + 1) * view->itemsize;
  auto storage = Storage::wrap(base, nbytes, cpu_device(), view);
  return std::make_shared<TensorImpl>(std::move(storage), -lo, sizes, strides, dtype);
}

// ---- DLPack producer -------------------------------------------------------------------

static DLDataType dl_dtype(DType t) {
  switch (t) {
    case DType::Bool: return {kDLBool, 8, 1};
    case DType::UInt8: return {kDLUInt, 8, 1};
    case DType::Int32: return {kDLInt, 32, 1};
    case DType::Int64: return {kDLInt, 64, 1};
    case DType::Float32: return {kDLFloat, 32, 1};
    case DType::Float64: return {kDLFloat, 64, 1};
  }
  return {kDLOpaqueHandle, 0, 0};
}

static DLDevice dl_device(Device d) {
  return d.is_cpu() ? DLDevice{kDLCPU, 0} : DLDevice{kDLCUDA, d.index};
}

template <class Managed> constexpr const char* kCapsuleName = "dltensor";
template <> constexpr const char* kCapsuleName<DLManagedTensorVersioned> = "dltensor_versioned";

// A capsule's payload and what it keeps alive: the tensor (hence its storage) and the shape
// and strides arrays the DLTensor points into. The consumer's call to `deleter` frees it.
template <class Managed>
struct Export {
  Managed managed{};
  Tensor tensor;
  std::vector<int64_t> shape, strides;
};

template <class Managed>
static py::capsule export_capsule(const Tensor& t, bool copied) {
  auto* e = new Export<Managed>();
  e->tensor = t;
  e->shape = t->sizes().vec();
  e->strides = t->strides().vec();
  DLTensor& dl = e->managed.dl_tensor;
  dl.data = t->raw_data();
  dl.device = dl_device(t->device());
  dl.ndim = static_cast<int32_t>(t->dim());
  dl.dtype = dl_dtype(t->dtype());
  dl.shape = e->shape.data();
  dl.strides = e->strides.data();
  dl.byte_offset = 0;
  e->managed.manager_ctx = e;
  e->managed.deleter = [](Managed* self) { delete static_cast<Export<Managed>*>(self->manager_ctx); };
  if constexpr (std::is_same_v<Managed, DLManagedTensorVersioned>) {
    e->managed.version = {DLPACK_MAJOR_VERSION, DLPACK_MINOR_VERSION};
    e->managed.flags = copied ? DLPACK_FLAG_BITMASK_IS_COPIED : 0;
  }
  // An unconsumed capsule frees its payload; a consumed one was renamed "used_..." and the
  // consumer owns the payload from then on.
  PyObject* cap = PyCapsule_New(&e->managed, kCapsuleName<Managed>, [](PyObject* c) {
    if (!PyCapsule_IsValid(c, kCapsuleName<Managed>)) return;
    auto* m = static_cast<Managed*>(PyCapsule_GetPointer(c, kCapsuleName<Managed>));
    m->deleter(m);
  });
  if (!cap) {
    delete e;
    throw py::error_already_set();
  }
  return py::reinterpret_steal<py::capsule>(cap);
}

static py::capsule dlpack(const Tensor& self, py::handle stream, py::handle max_version,
                          py::handle dl_device_req, std::optional<bool> copy) {
  if (self->requires_grad())
    throw py::buffer_error("Can't export tensors that require gradient, use tensor.detach()");
  PT_CHECK(stream.is_none() || PyLong_Check(stream.ptr()), TypeError,
           "__dlpack__: stream must be an int or None, got ", type_name(stream));
  Tensor t = self;
  bool copied = false;
  if (!dl_device_req.is_none()) {
    const auto req = dl_device_req.cast<std::pair<int, int>>();
    const DLDevice own = dl_device(t->device());
    if (req.first != own.device_type || req.second != own.device_id) {
      if (req.first != kDLCPU || copy == false)
        throw py::buffer_error(str_cat("__dlpack__: cannot export a ", t->device().str(),
                                       " tensor to DLPack device (", req.first, ", ", req.second,
                                       ")", copy == false ? " without a copy (copy=False)" : ""));
      t = ops::to(t, t->dtype(), cpu_device(), true);
      copied = true;
    }
  }
  if (copy == true && !copied) {
    t = ops::clone(t);
    copied = true;
  }
  if (t->device().is_cuda()) cuda::synchronize();  // no streams yet: the data is ready after this
  const bool versioned =
      !max_version.is_none() && max_version.cast<std::pair<int, int>>().first >= 1;
  return versioned ? export_capsule<DLManagedTensorVersioned>(t, copied)
                   : export_capsule<DLManagedTensor>(t, copied);
}

// ---- DLPack consumer -------------------------------------------------------------------

static DType dtype_from_dl(DLDataType t) {
  const int code = t.code, bits = t.bits;
  if (t.lanes == 1) {
    if (code == kDLBool && bits == 8) return DType::Bool;
    if (code == kDLUInt && bits == 8) return DType::UInt8;
    if (code == kDLInt && bits == 32) return DType::Int32;
    if (code == kDLInt && bits == 64) return DType::Int64;
    if (code == kDLFloat && bits == 32) return DType::Float32;
    if (code == kDLFloat && bits == 64) return DType::Float64;
  }
  static const char* names[] = {"int", "uint", "float", "opaque", "bfloat", "complex", "bool"};
  throw TypeError(str_cat("from_dlpack: unsupported DLPack dtype ",
                          code < 7 ? names[code] : "code " + std::to_string(code), bits,
                          t.lanes != 1 ? str_cat(" x", t.lanes, " lanes") : std::string(),
                          "; pytensor supports bool, uint8, int32, int64, float32 and float64"));
}

static Device device_from_dl(DLDevice d) {
  // Pinned and managed CUDA memory are host-addressable.
  if (d.device_type == kDLCPU || d.device_type == kDLCUDAHost || d.device_type == kDLCUDAManaged)
    return cpu_device();
  if (d.device_type == kDLCUDA) return Device{DeviceType::CUDA, d.device_id};
  throw py::buffer_error(str_cat("from_dlpack: unsupported DLPack device type ",
                                 static_cast<int>(d.device_type), " (pytensor takes CPU and CUDA)"));
}

// A tensor on the memory of a "dltensor" / "dltensor_versioned" capsule, which is renamed
// "used_..." so no one else consumes it; the producer's deleter runs when the last tensor
// on that storage dies.
static Tensor from_capsule(py::handle cap) {
  const char* name = PyCapsule_GetName(cap.ptr());
  if (!name) PyErr_Clear();
  const bool versioned = name && std::strcmp(name, "dltensor_versioned") == 0;
  PT_CHECK(versioned || (name && std::strcmp(name, "dltensor") == 0), ValueError,
           "from_dlpack: expected a DLPack capsule named 'dltensor' or 'dltensor_versioned', got '",
           name ? name : "", "' (a capsule can be consumed only once)");
  void* payload = PyCapsule_GetPointer(cap.ptr(), name);
  DLTensor* dl;
  void (*release)(void*);
  if (versioned) {
    auto* m = static_cast<DLManagedTensorVersioned*>(payload);
    if (m->version.major > DLPACK_MAJOR_VERSION)
      throw py::buffer_error(str_cat("from_dlpack: DLPack version ", m->version.major, ".",
                                     m->version.minor, " is newer than the supported ",
                                     DLPACK_MAJOR_VERSION, ".", DLPACK_MINOR_VERSION));
    dl = &m->dl_tensor;
    release = [](void* p) {
      auto* mt = static_cast<DLManagedTensorVersioned*>(p);
      if (mt->deleter) mt->deleter(mt);
    };
  } else {
    dl = &static_cast<DLManagedTensor*>(payload)->dl_tensor;
    release = [](void* p) {
      auto* mt = static_cast<DLManagedTensor*>(p);
      if (mt->deleter) mt->deleter(mt);
    };
  }
  // Everything that can fail runs before the capsule is consumed.
  const DType dtype = dtype_from_dl(dl->dtype);
  const Device device = device_from_dl(dl->device);
  PT_CHECK(dl->ndim >= 0, ValueError, "from_dlpack: negative ndim ", dl->ndim);
  DimVec sizes(dl->shape, dl->shape + dl->ndim);
  for (int64_t s : sizes) PT_CHECK(s >= 0, ValueError, "from_dlpack: negative size in shape ", sizes);
  DimVec strides = dl->strides ? DimVec(dl->strides, dl->strides + dl->ndim) : contiguous_strides(sizes);
  // Storage starts at the lowest element the view touches, so negative strides work too.
  int64_t lo = 0, hi = 0;
  const bool empty_view = checked_numel(sizes, "from_dlpack") == 0;
  for (int64_t d = 0; d < sizes.size() && !empty_view; ++d)
    (strides[d] < 0 ? lo : hi) += strides[d] * (sizes[d] - 1);
  const int64_t isz = itemsize(dtype);
  char* base = static_cast<char*>(dl->data) + dl->byte_offset + lo * isz;
  const int64_t nbytes = empty_view ? 0 : (hi - lo + 1) * isz;

  PyCapsule_SetName(cap.ptr(), versioned ? "used_dltensor_versioned" : "used_dltensor");
  std::shared_ptr<void> owner(payload, release);
  return std::make_shared<TensorImpl>(Storage::wrap(base, nbytes, device, std::move(owner)), -lo,
                                      std::move(sizes), std::move(strides), dtype);
}

static Tensor from_dlpack(py::handle obj, std::optional<Device> device, std::optional<bool> copy) {
  Tensor t;
  if (PyCapsule_CheckExact(obj.ptr())) {
    t = from_capsule(obj);
  } else {
    PT_CHECK(py::hasattr(obj, "__dlpack__"), TypeError,
             "from_dlpack: expected an object with __dlpack__ or a DLPack capsule, got ", type_name(obj));
    // Ask for a versioned capsule; producers older than DLPack 1.0 reject max_version.
    py::object cap;
    try {
      cap = obj.attr("__dlpack__")(py::arg("max_version") = py::make_tuple(DLPACK_MAJOR_VERSION, DLPACK_MINOR_VERSION));
    } catch (py::error_already_set& e) {
      if (!e.matches(PyExc_TypeError)) throw;
      cap = obj.attr("__dlpack__")();
    }
    t = from_capsule(cap);
  }
  if (device && *device != t->device()) return ops::to(t, t->dtype(), *device, true);
  return copy == true ? ops::clone(t) : t;
}

// ---- Pickling -------------------------------------------------------------------------

static py::tuple reduce_tensor(const Tensor& t, py::handle rebuild) {
  // A contiguous CPU copy of the values travels as bytes; views are stored compact.
  Tensor c = t->device().is_cpu() ? ops::contiguous(t) : ops::to(t, t->dtype(), cpu_device(), true);
  py::bytes data(static_cast<const char*>(c->raw_data()), c->numel() * c->itemsize());
  return py::make_tuple(rebuild, py::make_tuple(data, t->dtype(), py::tuple(py::cast(t->sizes().vec())),
                                                t->requires_grad(), t->device()));
}

static Tensor rebuild_tensor(const py::bytes& data, DType dtype, const std::vector<int64_t>& shape,
                             bool requires_grad, Device device) {
  Tensor t = pt::empty(DimVec(shape), dtype);
  const std::string_view bytes = data;
  PT_CHECK(static_cast<int64_t>(bytes.size()) == t->numel() * t->itemsize(), ValueError,
           "_rebuild_tensor: ", bytes.size(), " bytes do not hold a ", dtype, " tensor of shape ",
           t->sizes());
  if (!bytes.empty()) std::memcpy(t->raw_data(), bytes.data(), bytes.size());
  if (!device.is_cpu()) t = ops::to(t, dtype, device);
  if (requires_grad) t->autograd_mut().requires_grad = true;
  return t;
}

void init_interop(py::module_& m, TensorClass& cls) {
  m.def("from_numpy", [](py::handle a) {
    PT_CHECK(py::hasattr(a, "__array_interface__") || PyObject_CheckBuffer(a.ptr()), TypeError,
             "expected np.ndarray (got ", type_name(a), ")");
    return from_buffer(a);
  }, py::arg("ndarray"));
  m.def("_from_buffer", &from_buffer);

  cls.def("__dlpack__", &dlpack, py::arg("stream") = py::none(), py::kw_only(),
          py::arg("max_version") = py::none(), py::arg("dl_device") = py::none(),
          py::arg("copy") = py::none());
  cls.def("__dlpack_device__", [](const Tensor& t) {
    const DLDevice d = dl_device(t->device());
    return py::make_tuple(static_cast<int>(d.device_type), d.device_id);
  });
  m.def("from_dlpack", &from_dlpack, py::arg("ext_tensor"), py::kw_only(),
        py::arg("device") = py::none(), py::arg("copy") = py::none());

  m.def("_rebuild_tensor", &rebuild_tensor);
  // __reduce__ too: object's default would build an instance pybind11 cannot allocate.
  const auto reduce = [](const Tensor& t) {
    return reduce_tensor(t, py::module_::import("pytensor._C").attr("_rebuild_tensor"));
  };
  cls.def("__reduce_ex__", [reduce](const Tensor& t, int) { return reduce(t); }, py::arg("protocol"));
  cls.def("__reduce__", reduce);
}

}  // namespace pt::python
