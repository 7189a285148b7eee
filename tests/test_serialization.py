"""pytensor.save / pytensor.load (nested containers, views sharing memory, weights_only) and the
safetensors reader and writer."""
import collections
import io
import json
import os
import pathlib
import pickle
import struct
import zipfile

import numpy as np
import pytest

import pytensor
from pytensor.serialization import (add_safe_globals, clear_safe_globals, load, load_file,
                                    safe_globals, save, save_file)

from helpers import ALL_DTYPES, NP_DTYPES, pt_dtype, rand


def round_trip(obj, **load_kwargs):
    buf = io.BytesIO()
    save(obj, buf)
    buf.seek(0)
    return load(buf, **load_kwargs)


def same(a, b):
    return a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape) and np.array_equal(np.asarray(a), np.asarray(b))


# ---- save / load --------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (3, 0), (7,), (2, 3, 4)])
def test_round_trip_dtypes_and_shapes(dtype, shape):
    t = pytensor.from_numpy(np.ascontiguousarray(rand(shape, dtype)) if shape else np.array(rand(shape, dtype)))
    got = round_trip({"t": t})["t"]
    assert same(got, t) and got.dtype == pt_dtype(dtype)


def test_nested_state_dict():
    state = collections.OrderedDict([
        ("layer.weight", pytensor.randn(4, 3)),
        ("layer.bias", pytensor.zeros(4)),
        ("steps", pytensor.tensor(7)),
    ])
    obj = {"model": state, "optim": {"state": {0: {"momentum_buffer": pytensor.ones(4, 3)}},
                                     "param_groups": [{"lr": 0.1, "params": [0, 1], "nesterov": False}]},
           "epoch": 3, "loss": 0.25, "name": "run-1", "none": None, "shape": (2, 3),
           "size": pytensor.Size([2, 3]), "dtype": pytensor.float64, "blob": b"\x00\x01",
           "tags": {"a", "b"}, "c": 1 + 2j}
    got = round_trip(obj)
    assert type(got["model"]) is collections.OrderedDict and list(got["model"]) == list(state)
    for k in state:
        assert same(got["model"][k], state[k])
    assert same(got["optim"]["state"][0]["momentum_buffer"], pytensor.ones(4, 3))
    assert got["optim"]["param_groups"] == obj["optim"]["param_groups"]
    for k in ("epoch", "loss", "name", "none", "shape", "blob", "tags", "c"):
        assert got[k] == obj[k] and type(got[k]) is type(obj[k])
    assert got["size"] == pytensor.Size([2, 3]) and isinstance(got["size"], pytensor.Size)
    assert got["dtype"] == pytensor.float64


def test_views_share_storage_after_load():
    base = pytensor.arange(12, dtype=pytensor.float32).reshape(3, 4)
    obj = {"base": base, "t": base.t(), "row": base[1], "cols": base[:, 1:3], "alias": base,
           "bcast": pytensor.ones(3).expand(2, 3)}
    got = round_trip(obj)
    assert got["alias"] is got["base"]
    for k in ("t", "row", "cols", "bcast"):
        assert same(got[k], obj[k]) and got[k].stride() == obj[k].stride()
    got["base"][1, 2] = 100.0
    assert got["t"][2, 1].item() == 100.0 and got["row"][2].item() == 100.0 and got["cols"][1, 1].item() == 100.0
    assert base[1, 2].item() == 6.0  # the saved tensor is untouched


def test_view_saves_only_its_span():
    big = pytensor.arange(1000, dtype=pytensor.float64)
    buf = io.BytesIO()
    save(big[10:14], buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        records = [i for i in zf.infolist() if "/data/" in i.filename]
        assert [r.file_size for r in records] == [4 * 8]
    got = load(io.BytesIO(buf.getvalue()))
    assert got.tolist() == [10.0, 11.0, 12.0, 13.0] and got.storage_offset() == 0


def test_negative_strides_and_requires_grad():
    arr = np.arange(6, dtype=np.float64)
    rev = pytensor.from_numpy(arr[::-1])
    w = pytensor.ones(2, 2, requires_grad=True)
    got = round_trip([rev, w])
    assert got[0].tolist() == [5, 4, 3, 2, 1, 0]
    assert got[1].requires_grad and got[1].is_leaf and not got[0].requires_grad


def test_paths_and_file_objects(tmp_path):
    obj = {"w": pytensor.arange(5)}
    save(obj, str(tmp_path / "a.pt"))
    assert load(str(tmp_path / "a.pt"))["w"].tolist() == [0, 1, 2, 3, 4]
    save(obj, tmp_path / "b.pt")
    assert load(pathlib.Path(tmp_path / "b.pt"))["w"].tolist() == [0, 1, 2, 3, 4]
    with open(tmp_path / "c.pt", "wb") as f:
        save(obj, f)
    with open(tmp_path / "c.pt", "rb") as f:
        assert load(f)["w"].tolist() == [0, 1, 2, 3, 4]
    assert zipfile.is_zipfile(tmp_path / "c.pt")


def test_map_location():
    obj = {"w": pytensor.ones(2)}
    assert round_trip(obj, map_location="cpu")["w"].device.type == "cpu"
    assert round_trip(obj, map_location=pytensor.device("cpu"))["w"].tolist() == [1.0, 1.0]
    assert round_trip(obj, map_location={"cuda:0": "cpu"})["w"].device.type == "cpu"
    assert round_trip(obj, map_location=lambda storage, loc: storage)["w"].tolist() == [1.0, 1.0]
    if not pytensor.cuda.is_available():
        with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA device"):
            round_trip(obj, map_location="cuda")


class Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_weights_only_refuses_code_execution(tmp_path):
    marker = tmp_path / "pwned"
    buf = io.BytesIO()
    save({"w": pytensor.ones(2), "x": Evil(marker)}, buf)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed") as info:
        load(io.BytesIO(buf.getvalue()))
    assert "GLOBAL posix.system" in str(info.value) or "GLOBAL nt.system" in str(info.value)
    assert not marker.exists()
    # The default is weights_only=True; False unpickles anything (and so runs the payload).
    load(io.BytesIO(buf.getvalue()), weights_only=False)
    assert marker.exists()


class Point:
    def __init__(self, x):
        self.x = x


def test_weights_only_custom_classes_and_allowlist():
    buf = io.BytesIO()
    save({"p": Point(pytensor.ones(1))}, buf)
    with pytest.raises(pickle.UnpicklingError, match=r"Unsupported global: GLOBAL test_serialization\.Point"):
        load(io.BytesIO(buf.getvalue()))
    assert load(io.BytesIO(buf.getvalue()), weights_only=False)["p"].x.tolist() == [1.0]
    with safe_globals([Point]):
        assert load(io.BytesIO(buf.getvalue()))["p"].x.tolist() == [1.0]
    with pytest.raises(pickle.UnpicklingError):
        load(io.BytesIO(buf.getvalue()))
    add_safe_globals([Point])
    try:
        assert isinstance(load(io.BytesIO(buf.getvalue()))["p"], Point)
    finally:
        clear_safe_globals()


def test_load_rejects_non_archives():
    with pytest.raises(pickle.UnpicklingError, match="not a pytensor archive"):
        load(io.BytesIO(pickle.dumps({"a": 1})))


# ---- safetensors --------------------------------------------------------------------------------

def read_header(path):
    raw = pathlib.Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    return n, json.loads(raw[8:8 + n]), raw[8 + n:]


def test_safetensors_round_trip_all_dtypes(tmp_path):
    tensors = {f"t_{d}": pytensor.from_numpy(np.ascontiguousarray(rand((2, 3), d))) for d in ALL_DTYPES}
    tensors["scalar"] = pytensor.tensor(3.5, dtype=pytensor.float64)
    tensors["empty"] = pytensor.zeros(0, 4)
    tensors["transposed"] = pytensor.arange(6, dtype=pytensor.int32).reshape(2, 3).t()
    save_file(tensors, tmp_path / "m.safetensors", metadata={"format": "pt"})
    got = load_file(tmp_path / "m.safetensors")
    assert set(got) == set(tensors)
    for k, t in tensors.items():
        assert same(got[k], t), k


def test_safetensors_header_layout(tmp_path):
    save_file({"b": pytensor.ones(3, dtype=pytensor.uint8), "a": pytensor.zeros(2, 2),
               "c": pytensor.arange(2)}, tmp_path / "h.safetensors", metadata={"k": "v"})
    n, header, data = read_header(tmp_path / "h.safetensors")
    assert n % 8 == 0 and header["__metadata__"] == {"k": "v"}
    assert header["a"] == {"dtype": "F32", "shape": [2, 2], "data_offsets": [8 * 2, 8 * 2 + 16]}
    assert header["c"] == {"dtype": "I64", "shape": [2], "data_offsets": [0, 16]}
    assert header["b"] == {"dtype": "U8", "shape": [3], "data_offsets": [32, 35]}
    assert len(data) == 35
    assert np.frombuffer(data[0:16], "<i8").tolist() == [0, 1]
    assert np.frombuffer(data[16:32], "<f4").tolist() == [0.0] * 4


def test_safetensors_rejects_bad_files(tmp_path):
    (tmp_path / "short").write_bytes(b"\x01")
    with pytest.raises(ValueError, match="too small"):
        load_file(tmp_path / "short")
    (tmp_path / "long").write_bytes(struct.pack("<Q", 1000) + b"{}")
    with pytest.raises(ValueError, match="runs past the end"):
        load_file(tmp_path / "long")
    head = json.dumps({"x": {"dtype": "F32", "shape": [4], "data_offsets": [0, 8]}}).encode()
    (tmp_path / "off").write_bytes(struct.pack("<Q", len(head)) + head + b"\x00" * 8)
    with pytest.raises(ValueError, match="invalid data_offsets"):
        load_file(tmp_path / "off")
    head = json.dumps({"x": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}}).encode()
    (tmp_path / "f16").write_bytes(struct.pack("<Q", len(head)) + head + b"\x00" * 2)
    with pytest.raises(ValueError, match="unsupported dtype 'F16'"):
        load_file(tmp_path / "f16")


def test_safetensors_interop_with_package(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    arrays = {"w": np.arange(6, dtype=np.float32).reshape(2, 3), "i": np.array([1, 2], np.int64)}
    st.save_file(arrays, str(tmp_path / "theirs.safetensors"))
    got = load_file(tmp_path / "theirs.safetensors")
    assert np.array_equal(np.asarray(got["w"]), arrays["w"]) and got["i"].tolist() == [1, 2]
    save_file({k: pytensor.from_numpy(v) for k, v in arrays.items()}, tmp_path / "ours.safetensors")
    back = st.load_file(str(tmp_path / "ours.safetensors"))
    assert all(np.array_equal(back[k], arrays[k]) for k in arrays)


def test_weights_only_rejects_forged_tensor_records():
    from pytensor.serialization import _rebuild_tensor
    # A pickle calling the allowed rebuild function with a storage that overruns its record.
    forged = io.BytesIO()
    save({"w": pytensor.ones(2)}, forged)
    with zipfile.ZipFile(io.BytesIO(forged.getvalue())) as zf:
        records = {n: zf.read(n) for n in zf.namelist()}
    # offset 0, shape (2,) -> offset 0, shape (4000,)
    pkl = records["archive/data.pkl"].replace(b"K\x00K\x02\x85", b"K\x00M\xa0\x0f\x85")
    assert pkl != records["archive/data.pkl"]
    records["archive/data.pkl"] = pkl
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for n, b in records.items():
            zf.writestr(n, b)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        load(io.BytesIO(out.getvalue()))
    with pytest.raises(TypeError, match="expected a storage record"):
        _rebuild_tensor(np.zeros(4), 0, (2,), (1,), False)


class Tagged(pytensor.Tensor):
    """A Tensor subclass that pickles itself the way nn.Parameter does."""

    __slots__ = ()

    def __new__(cls, data):
        t = data.detach()
        t.__class__ = cls
        return t

    def __init__(self, data):
        pass

    def __reduce_ex__(self, protocol):
        return (Tagged, (self.detach(),))


class Untagged(pytensor.Tensor):
    __slots__ = ()

    def __new__(cls, data):
        t = data.detach()
        t.__class__ = cls
        return t

    def __init__(self, data):
        pass


def test_tensor_subclasses_and_self_pickled_tensors():
    base = pytensor.arange(4.0)
    got = round_trip([Tagged(base), base], weights_only=False)
    assert type(got[0]) is Tagged and got[0].tolist() == [0, 1, 2, 3]
    got[1][0] = 9.0
    assert got[0][0].item() == 9.0  # the subclass still shares the plain tensor's storage
    with safe_globals([Tagged]):
        assert type(round_trip(Tagged(base))) is Tagged
    # A subclass without a reduce of its own is saved as a plain tensor.
    plain = round_trip(Untagged(base))
    assert type(plain) is pytensor.Tensor and plain.tolist() == [0, 1, 2, 3]
    nested = round_trip({"d": pytensor.device("cpu"), "t": pytensor.ones(3)})
    assert nested["d"] == pytensor.device("cpu")


def test_parameters_round_trip():
    nn = pytest.importorskip("pytensor.nn")
    p = nn.Parameter(pytensor.ones(2, 2))
    got = round_trip({"p": p})["p"]
    assert type(got) is nn.Parameter and got.requires_grad and got.tolist() == [[1, 1], [1, 1]]


def test_checkpoint_resumes_training_bit_for_bit(tmp_path):
    """N epochs straight == N/2 epochs, save (model, optimizer, scheduler, RNG), load into fresh
    objects, N/2 more: dropout masks, shuffling, Adam moments and the lr schedule all resume."""
    nn, optim = pytensor.nn, pytensor.optim
    from pytensor.utils.data import DataLoader, TensorDataset

    def make(seed):
        pytensor.manual_seed(seed)
        model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 2))
        opt = optim.Adam(model.parameters(), lr=0.01)
        return model, opt, optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)

    pytensor.manual_seed(0)
    data = TensorDataset(pytensor.randn(40, 5), pytensor.randint(0, 2, (40,)))

    def train(model, opt, sched, epochs):
        for _ in range(epochs):
            for x, y in DataLoader(data, batch_size=8, shuffle=True):
                opt.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                opt.step()
            sched.step()

    model, opt, sched = make(1)
    pytensor.manual_seed(2)
    train(model, opt, sched, 4)
    straight = {k: v.clone() for k, v in model.state_dict().items()}

    model, opt, sched = make(1)
    pytensor.manual_seed(2)
    train(model, opt, sched, 2)
    pytensor.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                   "rng": pytensor.get_rng_state()}, tmp_path / "ckpt.pth")
    pytensor.manual_seed(99)  # whatever happens in between is undone by the checkpoint
    model, opt, sched = make(3)
    ckpt = pytensor.load(tmp_path / "ckpt.pth")
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["opt"])
    sched.load_state_dict(ckpt["sched"])
    pytensor.set_rng_state(ckpt["rng"])
    train(model, opt, sched, 2)
    assert opt.param_groups[0]["lr"] == 0.01 * 0.25
    for k, v in model.state_dict().items():
        assert pytensor.equal(v, straight[k]), k
