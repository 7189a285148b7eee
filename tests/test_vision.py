"""pytensor.vision: MNIST-style datasets from synthetic IDX files, FakeData, folders, and the
transforms (values against numpy, reprs as torchvision prints them)."""
import gzip
import os
import struct

import numpy as np
import pytest

import pytensor
from pytensor.utils.data import DataLoader
from pytensor.vision import datasets, transforms as T
from pytensor.vision.datasets.mnist import read_idx
from pytensor.vision.transforms import functional as F

from helpers import assert_close

MNIST_DIR = "/work/shared/datasets/mnist"
_IDX_CODE = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(">i2"): 0x0B,
             np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}


def write_idx(path, arr, big_endian_dtype=None):
    """Encodes an array as an IDX file: 0, 0, type byte, ndim, big-endian dims, big-endian data."""
    dtype = np.dtype(big_endian_dtype or arr.dtype)
    data = np.ascontiguousarray(arr, dtype=dtype)
    raw = bytes([0, 0, _IDX_CODE[dtype], data.ndim]) + struct.pack(f">{data.ndim}I", *data.shape) + data.tobytes()
    with (gzip.open if str(path).endswith(".gz") else open)(path, "wb") as f:
        f.write(raw)


def fake_mnist(folder, n, train=True, gz=True, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n).astype(np.uint8)
    prefix = "train" if train else "t10k"
    os.makedirs(folder, exist_ok=True)
    ext = ".gz" if gz else ""
    write_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte{ext}"), images)
    write_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte{ext}"), labels)
    return images, labels


# ---- IDX and MNIST ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.uint8, np.int8, ">i2", ">i4", ">f4", ">f8"])
def test_read_idx_round_trip(tmp_path, dtype):
    arr = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    write_idx(tmp_path / "x.idx", arr)
    got = read_idx(str(tmp_path / "x.idx"))
    assert got.shape == (2, 3, 4) and got.dtype.isnative and np.array_equal(got, arr)


def test_read_idx_rejects_bad_files(tmp_path):
    (tmp_path / "bad").write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(RuntimeError, match="not an IDX file"):
        read_idx(str(tmp_path / "bad"))
    (tmp_path / "short").write_bytes(bytes([0, 0, 8, 1]) + struct.pack(">I", 10) + b"\x00" * 3)
    with pytest.raises(RuntimeError, match="expected 10 for shape"):
        read_idx(str(tmp_path / "short"))


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("layout", ["raw_folder", "root"])
def test_mnist_from_idx(tmp_path, gz, layout):
    folder = tmp_path / "MNIST" / "raw" if layout == "raw_folder" else tmp_path
    images, labels = fake_mnist(str(folder), 7, train=True, gz=gz)
    ds = datasets.MNIST(str(tmp_path), train=True)
    assert len(ds) == 7
    assert ds.data.dtype == pytensor.uint8 and tuple(ds.data.shape) == (7, 28, 28)
    assert ds.targets.dtype == pytensor.int64 and ds.targets.tolist() == labels.tolist()
    assert np.array_equal(np.asarray(ds.data), images)
    img, target = ds[3]
    assert isinstance(img, np.ndarray) and img.dtype == np.uint8 and img.shape == (28, 28)
    assert np.array_equal(img, images[3]) and target == int(labels[3]) and type(target) is int
    assert ds.classes[3] == "3 - three" and ds.class_to_idx["9 - nine"] == 9


def test_mnist_transforms_and_loader(tmp_path):
    images, labels = fake_mnist(str(tmp_path / "FashionMNIST" / "raw"), 10, train=False)
    ds = datasets.FashionMNIST(str(tmp_path), train=False, transform=T.ToTensor(),
                               target_transform=T.Lambda(lambda y: y + 100))
    x, y = ds[2]
    assert x.dtype == pytensor.float32 and tuple(x.shape) == (1, 28, 28)
    assert_close(x, images[2][None].astype(np.float64) / 255)
    assert y == int(labels[2]) + 100
    assert ds.classes[9] == "Ankle boot"
    xb, yb = next(iter(DataLoader(ds, batch_size=4)))
    assert tuple(xb.shape) == (4, 1, 28, 28) and yb.tolist() == [int(v) + 100 for v in labels[:4]]


def test_mnist_repr(tmp_path):
    fake_mnist(str(tmp_path), 3, train=False)
    ds = datasets.MNIST(str(tmp_path), train=False,
                        transform=T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))]))
    assert repr(ds) == (
        "Dataset MNIST\n"
        "    Number of datapoints: 3\n"
        f"    Root location: {tmp_path}\n"
        "    Split: Test\n"
        "    StandardTransform\n"
        "Transform: Compose(\n"
        "               ToTensor()\n"
        "               Normalize(mean=(0.1307,), std=(0.3081,))\n"
        "           )")
    plain = datasets.MNIST(str(tmp_path), train=False)
    assert repr(plain).splitlines()[-1] == "    Split: Test"


def test_mnist_missing_files(tmp_path, monkeypatch):
    raw = os.path.join(str(tmp_path), "MNIST", "raw")
    with pytest.raises(RuntimeError, match="Dataset not found. You can use download=True to download it, or "
                       f"put train-images-idx3-ubyte and train-labels-idx1-ubyte .gzipped or not. in {raw}"):
        datasets.MNIST(str(tmp_path))
    monkeypatch.setattr(datasets.MNIST, "mirrors", ["file:///nonexistent/"])  # never the network
    with pytest.raises(RuntimeError, match="Could not download train-images-idx3-ubyte.gz of MNIST"):
        datasets.MNIST(str(tmp_path), download=True)
    fake_mnist(str(tmp_path), 2)
    assert len(datasets.MNIST(str(tmp_path), download=True)) == 2  # present: nothing to fetch


def test_real_mnist_test_set():
    if not os.path.exists(os.path.join(MNIST_DIR, "t10k-images-idx3-ubyte.gz")):
        pytest.skip("MNIST test set not present")
    ds = datasets.MNIST(MNIST_DIR, train=False)
    assert len(ds) == 10000 and ds.targets[:5].tolist() == [7, 2, 1, 0, 4]
    assert np.bincount(np.asarray(ds.targets)).sum() == 10000


def test_fake_data_is_deterministic():
    ds = datasets.FakeData(size=4, image_size=(3, 5, 6), num_classes=3, transform=T.ToTensor())
    x0, y0 = ds[1]
    x1, y1 = ds[1]
    assert tuple(x0.shape) == (3, 5, 6) and 0 <= y0 < 3 and y0 == y1
    assert_close(x0, np.asarray(x1))
    with pytest.raises(IndexError, match="FakeData index out of range"):
        ds[4]


def test_image_folder_with_npy_files(tmp_path):
    for cls, n in (("cat", 2), ("dog", 1)):
        os.makedirs(tmp_path / cls)
        for i in range(n):
            np.save(tmp_path / cls / f"{i}.npy", np.full((2, 3, 3), i, dtype=np.uint8))
    (tmp_path / "dog" / "notes.txt").write_text("not an image")
    ds = datasets.ImageFolder(str(tmp_path), transform=T.ToTensor())
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    assert len(ds) == 3 and ds.targets == [0, 0, 1]
    x, y = ds[1]
    assert tuple(x.shape) == (3, 2, 3) and y == 0 and abs(x.max().item() - 1 / 255) < 1e-7
    os.makedirs(tmp_path / "empty")
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes empty"):
        datasets.ImageFolder(str(tmp_path))


# ---- transforms ---------------------------------------------------------------------------------

def test_to_tensor_values_and_layout():
    rng = np.random.default_rng(0)
    hwc = rng.integers(0, 256, size=(4, 5, 3), dtype=np.uint8)
    t = T.ToTensor()(hwc)
    assert t.dtype == pytensor.float32 and tuple(t.shape) == (3, 4, 5)
    assert_close(t, hwc.transpose(2, 0, 1).astype(np.float64) / 255)
    assert tuple(T.ToTensor()(hwc[:, :, 0]).shape) == (1, 4, 5)
    f = T.ToTensor()(np.ones((2, 2, 1), np.float64) * 3)  # non-uint8 arrays are not scaled
    assert f.dtype == pytensor.float64 and f.sum().item() == 12
    p = T.PILToTensor()(hwc)
    assert p.dtype == pytensor.uint8 and np.array_equal(np.asarray(p), hwc.transpose(2, 0, 1))
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        T.ToTensor()(pytensor.zeros(1, 2, 2))
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 1 dimensions."):
        T.ToTensor()(np.zeros(3, np.uint8))


def test_normalize():
    rng = np.random.default_rng(1)
    x = rng.random((2, 3, 4, 4)).astype(np.float32)
    mean, std = (0.1, 0.2, 0.3), (0.5, 1.0, 2.0)
    t = pytensor.from_numpy(x.copy())
    out = T.Normalize(mean, std)(t)
    ref = (x - np.array(mean)[:, None, None]) / np.array(std)[:, None, None]
    assert_close(out, ref, rtol=1e-6, atol=1e-6)
    assert_close(t, x)  # not in place
    same = T.Normalize(mean, std, inplace=True)(t)
    assert same is t and np.allclose(np.asarray(t), ref, atol=1e-6)
    with pytest.raises(TypeError, match="Input tensor should be a float tensor. Got pytensor.uint8."):
        T.Normalize((0.5,), (0.5,))(pytensor.zeros(1, 2, 2, dtype=pytensor.uint8))
    with pytest.raises(ValueError, match="Expected tensor to be a tensor image of size"):
        T.Normalize((0.5,), (0.5,))(pytensor.zeros(2, 2))
    with pytest.raises(ValueError, match="std evaluated to zero"):
        T.Normalize((0.5,), (0.0,))(pytensor.zeros(1, 2, 2))


def test_flips_and_crops():
    x = pytensor.arange(2 * 3 * 4, dtype=pytensor.float32).reshape(2, 3, 4)
    xn = np.asarray(x)
    assert np.array_equal(np.asarray(T.RandomHorizontalFlip(p=1.0)(x)), xn[..., ::-1])
    assert np.array_equal(np.asarray(T.RandomVerticalFlip(p=1.0)(x)), xn[:, ::-1])
    assert T.RandomHorizontalFlip(p=0.0)(x) is x
    img = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert np.array_equal(T.RandomHorizontalFlip(p=1.0)(img), img[:, ::-1])
    assert np.array_equal(np.asarray(T.CenterCrop(2)(x)), xn[:, 0:2, 1:3])
    pytensor.manual_seed(0)
    crop = T.RandomCrop((2, 3))(x)
    assert tuple(crop.shape) == (2, 2, 3)
    windows = [xn[:, i:i + 2, j:j + 3] for i in range(2) for j in range(2)]
    assert any(np.array_equal(np.asarray(crop), w) for w in windows)
    padded = T.RandomCrop(7, padding=2)(x)
    assert tuple(padded.shape) == (2, 7, 7) and padded.sum().item() == x.sum().item()
    with pytest.raises(ValueError, match="Required crop size"):
        T.RandomCrop(5)(x)


def test_resize_against_numpy_bilinear():
    x = np.random.default_rng(2).random((2, 6, 8))
    t = pytensor.from_numpy(x)
    out = F.resize(t, [9, 5], antialias=False)

    def lin(n_in, n_out):
        # align_corners=False bilinear: src = (dst + 0.5) * scale - 0.5, clamped at 0
        m = np.zeros((n_out, n_in))
        for i in range(n_out):
            s = max((i + 0.5) * n_in / n_out - 0.5, 0.0)
            j0 = min(int(np.floor(s)), n_in - 1)
            j1, w = min(j0 + 1, n_in - 1), s - np.floor(s)
            m[i, j0] += 1 - w
            m[i, j1] += w
        return m

    assert_close(out, np.einsum("oh,chw,pw->cop", lin(6, 9), x, lin(8, 5)), rtol=1e-12, atol=1e-12)
    assert tuple(F.resize(t, 3).shape) == (2, 3, 4)  # the shorter edge becomes 3
    assert F.resize(t, [6, 8]) is t
    near = F.resize(t, [3, 4], interpolation=T.InterpolationMode.NEAREST)
    assert np.array_equal(np.asarray(near), x[:, ::2, ::2])
    u8 = pytensor.full((1, 4, 4), 200, dtype=pytensor.uint8)
    assert F.resize(u8, [2, 2]).tolist() == [[[200, 200], [200, 200]]]


def test_resize_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(3).random((1, 3, 10, 7)).astype(np.float32)
    for size, aa in (((4, 3), True), ((4, 3), False), ((13, 15), True)):
        ref = torch.nn.functional.interpolate(torch.from_numpy(x), size, mode="bilinear",
                                              antialias=aa, align_corners=False).numpy()
        assert_close(F.resize(pytensor.from_numpy(x), list(size), antialias=aa), ref, rtol=1e-5, atol=1e-5)


def test_convert_image_dtype():
    u8 = pytensor.tensor([[[0, 128, 255]]], dtype=pytensor.uint8)
    f = T.ConvertImageDtype(pytensor.float32)(u8)
    assert f.dtype == pytensor.float32
    assert_close(f, np.array([[[0, 128 / 255, 1]]]), rtol=1e-6, atol=1e-6)
    back = F.convert_image_dtype(f, pytensor.uint8)
    assert back.tolist() == [[[0, 128, 255]]]
    assert F.convert_image_dtype(u8, pytensor.int32).tolist() == [[[0, 128 << 23, 255 << 23]]]
    with pytest.raises(RuntimeError, match="cannot be performed safely"):
        F.convert_image_dtype(f, pytensor.int64)


def test_transform_reprs():
    assert repr(T.ToTensor()) == "ToTensor()"
    assert repr(T.Normalize((0.5,), (0.5,))) == "Normalize(mean=(0.5,), std=(0.5,))"
    assert repr(T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])) == \
        "Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])"
    assert repr(T.Lambda(lambda x: x)) == "Lambda()"
    assert repr(T.RandomHorizontalFlip()) == "RandomHorizontalFlip(p=0.5)"
    assert repr(T.Resize(32)) == "Resize(size=32, interpolation=bilinear, max_size=None, antialias=True)"
    assert repr(T.CenterCrop(5)) == "CenterCrop(size=(5, 5))"
    assert repr(T.RandomCrop(32, padding=4)) == "RandomCrop(size=(32, 32), padding=4)"
    assert repr(T.ConvertImageDtype(pytensor.float32)) == "ConvertImageDtype()"
    assert repr(T.Compose([T.ToTensor(), T.Normalize((0.5,), (0.5,))])) == \
        "Compose(\n    ToTensor()\n    Normalize(mean=(0.5,), std=(0.5,))\n)"
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)


# ---- PIL images, padding modes ------------------------------------------------------------------

def test_image_folder_with_pil_images(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(4)
    rgb = rng.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    gray = rng.integers(0, 256, size=(5, 7), dtype=np.uint8)
    for cls in ("a", "b"):
        os.makedirs(tmp_path / cls)
    Image.fromarray(rgb).save(tmp_path / "a" / "x.png")
    Image.fromarray(gray).save(tmp_path / "b" / "y.bmp")
    ds = datasets.ImageFolder(str(tmp_path), transform=T.Compose([T.ToTensor(), T.Normalize((0.5,) * 3, (0.5,) * 3)]))
    assert ds.classes == ["a", "b"] and ds.targets == [0, 1]
    x, y = ds[0]
    assert tuple(x.shape) == (3, 5, 7) and y == 0
    assert_close(x, (rgb.transpose(2, 0, 1) / 255 - 0.5) / 0.5, rtol=1e-6, atol=1e-6)
    img, _ = datasets.ImageFolder(str(tmp_path))[1]  # grayscale files are converted to RGB
    assert img.shape == (5, 7, 3) and all(np.array_equal(img[..., c], gray) for c in range(3))


def test_transforms_take_pil_images_as_torchvision_does():
    Image = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(5)
    arr = rng.integers(0, 256, size=(28, 30, 3), dtype=np.uint8)
    pic = Image.fromarray(arr)
    assert_close(T.ToTensor()(pic), arr.transpose(2, 0, 1) / 255)
    assert_close(T.ToTensor()(pic.convert("L")), np.array(pic.convert("L"))[None] / 255)
    bits = Image.fromarray(np.array([[0, 255, 0]], np.uint8)).convert("1")
    assert T.ToTensor()(bits).tolist() == [[[0.0, 1.0, 0.0]]]
    assert np.array_equal(T.RandomHorizontalFlip(p=1.0)(pic), arr[:, ::-1])
    assert np.array_equal(T.CenterCrop(10)(pic), arr[9:19, 10:20])
    for size in ((14, 15), (45, 17), (28, 12)):  # PIL's own resize: bilinear within 1, nearest exact
        ref = np.array(pic.resize(size[::-1], Image.BILINEAR)).astype(int)
        assert np.abs(T.Resize(size)(pic).astype(int) - ref).max() <= 1
        ref = np.array(pic.resize(size[::-1], Image.NEAREST))
        assert np.array_equal(T.Resize(size, interpolation=T.InterpolationMode.NEAREST)(pic), ref)
    with pytest.raises(TypeError, match="img should be Tensor, ndarray or PIL Image"):
        F.hflip([[1, 2]])


def test_pil_nearest_ties_fall_as_in_pil():
    # 30 -> 25 columns: pixel 12's centre maps to 12.5 * 1.2 = 15 exactly, but PIL steps there by
    # repeated addition and lands just below, on 14; tensors (torch's rule) take floor(12 * 1.2).
    row = np.arange(30, dtype=np.uint8)[None]
    out = F.resize(row, [1, 25], interpolation=T.InterpolationMode.NEAREST)
    assert out[0, 12] == 14 and out[0, 13] == 16
    t = F.resize(pytensor.from_numpy(row.copy()), [1, 25], interpolation=T.InterpolationMode.NEAREST)
    assert t[0, 12].item() == 14 and t[0, 13].item() == 15
    exact = F.resize(pytensor.from_numpy(row.copy()), [1, 25], interpolation=T.InterpolationMode.NEAREST_EXACT)
    assert exact[0, 12].item() == 15


def test_pad_modes_hand_computed():
    img = np.array([[1, 2, 3], [4, 5, 6]], np.uint8)
    assert F.pad(img, [2, 0, 1, 0], padding_mode="reflect").tolist() == [[3, 2, 1, 2, 3, 2], [6, 5, 4, 5, 6, 5]]
    assert F.pad(img, [1, 1], padding_mode="edge").tolist() == [
        [1, 1, 2, 3, 3], [1, 1, 2, 3, 3], [4, 4, 5, 6, 6], [4, 4, 5, 6, 6]]
    assert F.pad(img, [2, 0], padding_mode="symmetric").tolist() == [[2, 1, 1, 2, 3, 3, 2], [5, 4, 4, 5, 6, 6, 5]]
    t = pytensor.from_numpy(np.stack([img, img + 10]))
    for mode in ("edge", "reflect", "symmetric"):
        ref = np.pad(np.asarray(t), [(0, 0), (1, 0), (1, 2)], mode=mode)
        assert F.pad(t, [1, 1, 2, 0], padding_mode=mode).tolist() == ref.tolist()
    assert F.pad(t, 1, fill=7).tolist()[0][0] == [7] * 5
    pytensor.manual_seed(0)
    out = T.RandomCrop(3, padding=1, padding_mode="edge")(img)
    assert out.shape == (3, 3) and set(np.unique(out)) <= set(img.ravel().tolist())
    with pytest.raises(ValueError, match="Padding mode should be either constant, edge, reflect or symmetric"):
        F.pad(img, 1, padding_mode="wrap")


def test_pad_modes_match_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(6).random((2, 3, 5, 6)).astype(np.float32)
    for mode, torch_mode in (("edge", "replicate"), ("reflect", "reflect")):
        ref = torch.nn.functional.pad(torch.from_numpy(x), (2, 1, 3, 0), mode=torch_mode).numpy()
        assert_close(F.pad(pytensor.from_numpy(x), [2, 3, 1, 0], padding_mode=mode), ref)
