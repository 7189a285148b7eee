"""save / load (a zip of a pickle plus one raw-bytes record per storage) and safetensors files.

Archive layout (names inside the zip, under the "archive/" prefix as PyTorch does):
  data.pkl    the object, pickled with each tensor reduced to
              _rebuild_tensor(storage, offset, shape, stride, requires_grad), where `storage`
              is a persistent id ("storage", record name, dtype name, numel, device)
  data/<name> the bytes of the span of a storage the saved views touch, in native byte order
              (little-endian on the platforms pytensor builds for), stored uncompressed
  version     format version
Views of one storage share one record, so they share memory again after load.
weights_only=True unpickles with an allowlist of globals instead of the pickle module's import
machinery, so a file can hold nothing but containers, numbers, strings and tensors.
"""
import _compat_pickle
import codecs
import collections
import contextlib
import ctypes
import importlib
import io
import json
import os
import pickle
import struct
import zipfile

import numpy as np

import pytensor
from pytensor import _C
from pytensor._size import Size

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals", "save_file", "load_file"]

_FORMAT_VERSION = "1"
_NP_DTYPE = {"bool": np.bool_, "uint8": np.uint8, "int32": np.int32, "int64": np.int64,
             "float32": np.float32, "float64": np.float64}


def _dtype_name(dtype):
    return repr(dtype).split(".")[1]


# ---- save -------------------------------------------------------------------------------------

def _extent(t):
    """(lowest, highest + 1) element offsets a non-empty tensor touches, relative to element 0."""
    lo = hi = 0
    for size, stride in zip(t.shape, t.stride()):
        if stride < 0:
            lo += stride * (size - 1)
        else:
            hi += stride * (size - 1)
    return lo, hi + 1


class _StorageRef:
    """Stands for one storage record in the pickle (written as a persistent id)."""

    def __init__(self, name, dtype, numel, device):
        self.name, self.dtype, self.numel, self.device = name, dtype, numel, device


class _Saver(pickle.Pickler):
    """Pickles with tensors reduced to _rebuild_tensor over shared storage records.

    Runs twice: the first pass (final=False) only measures each storage's span over all of its
    views; the second writes offsets relative to that span."""

    def __init__(self, f, protocol, state, final):
        super().__init__(f, protocol=protocol)
        self.state, self.final = state, final

    def _cpu(self, obj):
        # CUDA tensors are copied once, and the copy kept, so its address stays unique.
        copies = self.state["copies"]
        if id(obj) not in copies:
            t = obj.detach()
            copies[id(obj)] = (obj, t.cpu() if t.is_cuda else t)
        return copies[id(obj)][1]

    def reducer_override(self, obj):
        # Subclasses that reduce themselves (nn.Parameter: their class over a plain tensor) do so;
        # the rest are saved as plain tensors.
        if not isinstance(obj, _C.Tensor) or type(obj).__reduce_ex__ is not _C.Tensor.__reduce_ex__:
            return NotImplemented
        t = self._cpu(obj)
        dtype, item = _dtype_name(t.dtype), t.element_size()
        storage, offset = _StorageRef(None, dtype, 0, str(obj.device)), 0
        if t.numel() > 0:
            key = (t.untyped_storage_ptr(), dtype)
            lo, hi = _extent(t)
            spans = self.state["spans"]
            if not self.final:
                a, b = spans.get(key, (t.data_ptr() + lo * item, t.data_ptr() + hi * item))
                spans[key] = (min(a, t.data_ptr() + lo * item), max(b, t.data_ptr() + hi * item))
            else:
                names = self.state["names"]
                name = names.setdefault(key, str(len(names)))
                a, b = spans[key]
                storage = _StorageRef(name, dtype, (b - a) // item, str(obj.device))
                offset = (t.data_ptr() - a) // item
        return _rebuild_tensor, (storage, offset, tuple(t.shape), tuple(t.stride()), obj.requires_grad)

    def persistent_id(self, obj):
        if isinstance(obj, _StorageRef):
            return ("storage", obj.name, obj.dtype, obj.numel, obj.device)
        return None


@contextlib.contextmanager
def _opened(f, mode):
    """A binary file object for a path (opened and closed here) or the caller's own file object."""
    if isinstance(f, (str, os.PathLike)):
        with open(f, mode) as fh:
            yield fh
    else:
        yield f


def save(obj, f, pickle_module=pickle, pickle_protocol=2, _use_new_zipfile_serialization=True):
    """Writes `obj` (containers of tensors, numbers, strings...) to a path or a binary file object."""
    state = {"copies": {}, "spans": {}, "names": {}}
    _Saver(io.BytesIO(), pickle_protocol, state, final=False).dump(obj)
    data = io.BytesIO()
    _Saver(data, pickle_protocol, state, final=True).dump(obj)
    with _opened(f, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("archive/data.pkl", data.getvalue())
        zf.writestr("archive/version", _FORMAT_VERSION)
        for key, name in state["names"].items():
            a, b = state["spans"][key]
            zf.writestr(f"archive/data/{name}", ctypes.string_at(a, b - a))


# ---- load -------------------------------------------------------------------------------------

class _LoadedStorage:
    """A storage record read back: its values (1-d numpy array) and the device it maps to."""

    def __init__(self, array, device):
        self.array, self.device = array, device


def _rebuild_tensor(storage, offset, shape, stride, requires_grad):
    """A tensor viewing `storage` at `offset` with the given shape and strides."""
    if not isinstance(storage, _LoadedStorage):
        raise TypeError(f"_rebuild_tensor: expected a storage record, got {type(storage).__name__}")
    base = storage.array  # numpy checks that shape, strides and offset stay inside it
    arr = np.ndarray(shape, base.dtype, buffer=base, offset=offset * base.itemsize,
                     strides=tuple(s * base.itemsize for s in stride))
    t = _C.from_numpy(arr)
    if storage.device != "cpu":
        t = t.to(storage.device)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _map_device(storage, device, map_location):
    """Where a storage saved on `device` goes: map_location is None, a device, a str, a dict
    {saved: target} or a callable(storage, location) returning the storage (kept on the CPU)."""
    if map_location is None:
        target = device
    elif isinstance(map_location, dict):
        target = map_location.get(device, device)
    elif callable(map_location):
        out = map_location(storage, device)
        target = "cpu" if out is storage or out is None else str(out)
    else:
        target = str(map_location)
    if target.startswith("cuda") and not pytensor.cuda.is_available():
        raise RuntimeError(
            "Attempting to deserialize object on a CUDA device but pytensor.cuda.is_available() "
            "is False. If you are running on a CPU-only machine, please use pytensor.load with "
            "map_location=pytensor.device('cpu') to map your storages to the CPU.")
    return target


class _WeightsOnlyError(Exception):
    pass


def _safe_dtype(name):
    if name not in _NP_DTYPE:
        raise _WeightsOnlyError(f"unknown dtype {name!r}")
    return getattr(_C, name)


# Globals a weights_only load may resolve: containers and the pieces a saved tensor is made of.
_SAFE_GLOBALS = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "complex"): complex,
    ("builtins", "slice"): slice,
    ("builtins", "bytearray"): bytearray,
    ("_codecs", "encode"): codecs.encode,  # how protocol 2 writes bytes objects
    ("pytensor.serialization", "_rebuild_tensor"): _rebuild_tensor,
    ("pytensor._size", "Size"): Size,
    ("pytensor", "_dtype_from_name"): _safe_dtype,
    ("pytensor._C", "device"): _C.device,
}
# Allowed too, imported only when a file names them (pytensor.nn may not be loaded yet).
_SAFE_LAZY_GLOBALS = {("pytensor.nn.parameter", "Parameter")}
_user_safe_globals = []


def add_safe_globals(safe_globals):
    """Allows these classes and functions in weights_only loads."""
    _user_safe_globals.extend(safe_globals)


def get_safe_globals():
    return list(_user_safe_globals)


def clear_safe_globals():
    _user_safe_globals.clear()


@contextlib.contextmanager
def safe_globals(safe_globals):
    """Allows these globals in weights_only loads inside the `with` block."""
    before = list(_user_safe_globals)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _user_safe_globals[:] = before


_BLOCKED_MODULES = ("os", "posix", "nt", "subprocess", "sys", "builtins", "shutil", "socket")


class _Loader(pickle.Unpickler):
    def __init__(self, f, storages, weights_only, map_location):
        super().__init__(f)
        self.storages, self.weights_only, self.map_location = storages, weights_only, map_location

    def find_class(self, module, name):
        if not self.weights_only:
            return super().find_class(module, name)
        # Protocol 2 writes Python 2 names (__builtin__.set); map them as pickle itself does.
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        if (module, name) in _SAFE_GLOBALS:
            return _SAFE_GLOBALS[(module, name)]
        if (module, name) in _SAFE_LAZY_GLOBALS:
            return getattr(importlib.import_module(module), name)
        for g in _user_safe_globals:
            if (getattr(g, "__module__", None), getattr(g, "__qualname__", None)) == (module, name):
                return g
        if module.split(".")[0] in _BLOCKED_MODULES:
            raise _WeightsOnlyError(f"Trying to load unsupported GLOBAL {module}.{name} whose module "
                                    f"{module} is blocked.")
        raise _WeightsOnlyError(
            f"Unsupported global: GLOBAL {module}.{name} was not an allowed global by default. "
            f"Please use `pytensor.serialization.add_safe_globals([{name}])` or the "
            f"`pytensor.serialization.safe_globals([{name}])` context manager to allowlist this "
            "global if you trust this class/function.")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage" and pid[2] in _NP_DTYPE):
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")
        array = self.storages(pid[1], _NP_DTYPE[pid[2]], pid[3])
        storage = _LoadedStorage(array, "cpu")
        storage.device = _map_device(storage, str(pid[4]), self.map_location)
        return storage


def _weights_only_error(msg):
    return pickle.UnpicklingError(
        "Weights only load failed. In PyTorch 2.6, we changed the default value of the "
        "`weights_only` argument in `torch.load` from `False` to `True`. Re-running `pytensor.load` "
        "with `weights_only` set to `False` will likely succeed, but it can result in arbitrary "
        "code execution. Do it only if you got the file from a trusted source.\n\n\n"
        f"{msg}\n\nCheck the documentation of torch.load to learn more about types accepted by "
        "default with weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None, **pickle_load_args):
    """Reads what save() wrote. weights_only=True refuses every global outside the allowlist."""
    if weights_only is None:
        weights_only = True
    with _opened(f, "rb") as fh:
        raw = fh.read()
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise pickle.UnpicklingError(
            "pytensor.load: not a pytensor archive (expected a zip file written by pytensor.save)")
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        names = zf.namelist()
        pkl = next((n for n in names if n.endswith("/data.pkl")), None)
        if pkl is None:
            raise RuntimeError("pytensor.load: archive has no data.pkl record")
        prefix = pkl[: -len("data.pkl")]
        cache = {}

        def storage(name, np_dtype, numel):
            if name is None:
                return np.empty(0, np_dtype)
            if name not in cache:
                buf = bytearray(zf.read(f"{prefix}data/{name}"))
                if len(buf) != numel * np.dtype(np_dtype).itemsize:
                    raise RuntimeError(f"pytensor.load: storage {name} holds {len(buf)} bytes, "
                                       f"expected {numel} {np.dtype(np_dtype).name} elements")
                cache[name] = np.frombuffer(buf, np_dtype)
            return cache[name]

        loader = _Loader(io.BytesIO(zf.read(pkl)), storage, weights_only, map_location)
        try:
            obj = loader.load()
        except _WeightsOnlyError as e:
            raise _weights_only_error(str(e)) from None
        except (pickle.UnpicklingError, ValueError, TypeError, EOFError) as e:
            if not weights_only:
                raise
            raise _weights_only_error(f"WeightsUnpickler error: {e}") from None
    return obj


# ---- safetensors ------------------------------------------------------------------------------

_ST_DTYPE = {"F64": "float64", "F32": "float32", "I64": "int64", "I32": "int32", "U8": "uint8",
             "BOOL": "bool"}
_ST_CODE = {v: k for k, v in _ST_DTYPE.items()}


def _safetensors_bytes(tensors, metadata=None):
    header, chunks, pos = {}, [], 0
    if metadata is not None:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise TypeError("save_file: metadata must map str to str")
        header["__metadata__"] = dict(metadata)
    # Larger items first, then by name, as the safetensors package orders its data section.
    order = sorted(tensors.items(), key=lambda kv: (-kv[1].element_size(), kv[0]))
    for name, t in order:
        if not isinstance(t, _C.Tensor):
            raise TypeError(f"save_file: value for {name!r} is not a tensor ({type(t).__name__})")
        arr = np.asarray(t.detach().cpu())
        data = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()  # tobytes is C-order
        header[name] = {"dtype": _ST_CODE[_dtype_name(t.dtype)], "shape": list(t.shape),
                        "data_offsets": [pos, pos + len(data)]}
        chunks.append(data)
        pos += len(data)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)  # the data section starts 8-byte aligned
    return struct.pack("<Q", len(head)) + head + b"".join(chunks)


def save_file(tensors, filename, metadata=None):
    """Writes a dict of name -> tensor as a .safetensors file."""
    with open(filename, "wb") as fh:
        fh.write(_safetensors_bytes(tensors, metadata))


def _safetensors_parse(raw):
    """name -> tensor from a safetensors file's bytes, checking every offset against the data."""
    if len(raw) < 8:
        raise ValueError("load_file: file too small to hold a safetensors header")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise ValueError(f"load_file: header length {n} runs past the end of the file ({len(raw)} bytes)")
    try:
        header = json.loads(raw[8: 8 + n])
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"load_file: invalid JSON header: {e}") from None
    if not isinstance(header, dict):
        raise ValueError("load_file: the header is not a JSON object")
    data = memoryview(raw)[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(info, dict) or info.get("dtype") not in _ST_DTYPE:
            raise ValueError(f"load_file: tensor {name!r} has unsupported dtype {info.get('dtype')!r}")
        np_dtype = np.dtype(_NP_DTYPE[_ST_DTYPE[info["dtype"]]]).newbyteorder("<")
        shape = tuple(int(s) for s in info["shape"])
        begin, end = (int(x) for x in info["data_offsets"])
        expected = int(np.prod(shape, dtype=np.int64)) * np_dtype.itemsize
        if not (0 <= begin <= end <= len(data)) or end - begin != expected:
            raise ValueError(f"load_file: tensor {name!r} of shape {list(shape)} and dtype "
                             f"{info['dtype']} has invalid data_offsets [{begin}, {end}]")
        arr = np.frombuffer(data[begin:end], np_dtype).reshape(shape)
        out[name] = _C.from_numpy(arr.astype(arr.dtype.newbyteorder("="), copy=True))
    return out


def load_file(filename, device="cpu"):
    """Reads a .safetensors file into a dict of name -> tensor."""
    with open(filename, "rb") as fh:
        tensors = _safetensors_parse(fh.read())
    return {k: v.to(device) for k, v in tensors.items()} if str(device) != "cpu" else tensors
