"""CIFAR-10/100 from generated pickle batches, and download=True for the MNIST family and CIFAR
against local mirrors (file:// URLs and an http.server on loopback; never the network)."""
import functools
import gzip
import http.server
import io
import os
import pickle
import socket
import tarfile
import threading

import numpy as np
import pytest

import pytensor
from pytensor.utils.data import DataLoader
from pytensor.vision import datasets, transforms as T
from pytensor.vision.datasets import utils
from pytensor.vision.datasets.utils import calculate_md5

from helpers import assert_close
from test_vision import write_idx

# ---- CIFAR from generated batches ---------------------------------------------------------------


def write_cifar(root, cls, n_per_batch=3, protocol=2, seed=0):
    """Batches of cls's layout under root/<base_folder> (planes stored as N x 3072, as the real
    files are). Returns {file name: (images N x 32 x 32 x 3, labels)} and the md5 of each file."""
    rng = np.random.default_rng(seed)
    folder = os.path.join(root, cls.base_folder)
    os.makedirs(folder, exist_ok=True)
    label_key = "labels" if cls is datasets.CIFAR10 else "fine_labels"
    n_classes = 10 if cls is datasets.CIFAR10 else 100
    content, md5s = {}, {}
    for name, _ in cls.train_list + cls.test_list:
        planes = rng.integers(0, 256, size=(n_per_batch, 3, 32, 32), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, n_classes, size=n_per_batch)]
        entry = {"batch_label": name, "data": planes.reshape(n_per_batch, -1), label_key: labels,
                 "filenames": [f"img{i}.png" for i in range(n_per_batch)]}
        with open(os.path.join(folder, name), "wb") as f:
            pickle.dump(entry, f, protocol=protocol)
        content[name] = (planes.transpose(0, 2, 3, 1), labels)
    names = [f"class{i}" for i in range(n_classes)]
    with open(os.path.join(folder, cls.meta["filename"]), "wb") as f:
        pickle.dump({cls.meta["key"]: names, "num_cases_per_batch": n_per_batch}, f, protocol=protocol)
    for name in os.listdir(folder):
        md5s[name] = calculate_md5(os.path.join(folder, name))
    return content, md5s


def use_md5s(monkeypatch, cls, md5s):
    """Points cls's checksums at the generated files."""
    monkeypatch.setattr(cls, "train_list", [[n, md5s[n]] for n, _ in cls.train_list])
    monkeypatch.setattr(cls, "test_list", [[n, md5s[n]] for n, _ in cls.test_list])
    monkeypatch.setattr(cls, "meta", dict(cls.meta, md5=md5s[cls.meta["filename"]]))


@pytest.fixture
def cifar10(tmp_path, monkeypatch):
    content, md5s = write_cifar(str(tmp_path), datasets.CIFAR10)
    use_md5s(monkeypatch, datasets.CIFAR10, md5s)
    return content


def test_cifar10_train_and_test_splits(tmp_path, cifar10):
    ds = datasets.CIFAR10(str(tmp_path), train=True)
    expected = np.concatenate([cifar10[f"data_batch_{i}"][0] for i in range(1, 6)])
    labels = sum((cifar10[f"data_batch_{i}"][1] for i in range(1, 6)), [])
    assert isinstance(ds.data, np.ndarray) and ds.data.dtype == np.uint8 and ds.data.shape == (15, 32, 32, 3)
    assert np.array_equal(ds.data, expected) and ds.data.flags.c_contiguous
    assert ds.targets == labels and all(type(t) is int for t in ds.targets)
    assert len(ds) == 15 and ds.classes[3] == "class3" and ds.class_to_idx["class9"] == 9
    img, target = ds[7]
    assert isinstance(img, np.ndarray) and img.shape == (32, 32, 3) and np.array_equal(img, expected[7])
    assert target == labels[7] and type(target) is int
    img[:] = 0  # samples are copies
    assert np.array_equal(ds.data[7], expected[7])
    test = datasets.CIFAR10(str(tmp_path), train=False)
    assert len(test) == 3 and np.array_equal(test.data, cifar10["test_batch"][0])
    assert test.targets == cifar10["test_batch"][1]


def test_cifar10_transforms_loader_and_repr(tmp_path, cifar10):
    ds = datasets.CIFAR10(str(tmp_path), train=False, transform=T.ToTensor(),
                          target_transform=T.Lambda(lambda y: y * 10))
    x, y = ds[1]
    assert x.dtype == pytensor.float32 and tuple(x.shape) == (3, 32, 32)
    assert_close(x, cifar10["test_batch"][0][1].transpose(2, 0, 1).astype(np.float64) / 255)
    assert y == cifar10["test_batch"][1][1] * 10
    xb, yb = next(iter(DataLoader(ds, batch_size=3)))
    assert tuple(xb.shape) == (3, 3, 32, 32) and yb.tolist() == [v * 10 for v in cifar10["test_batch"][1]]
    assert repr(datasets.CIFAR10(str(tmp_path), train=False)) == (
        f"Dataset CIFAR10\n    Number of datapoints: 3\n    Root location: {tmp_path}\n    Split: Test")


@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_cifar100_fine_labels(tmp_path, monkeypatch, protocol):
    content, md5s = write_cifar(str(tmp_path), datasets.CIFAR100, n_per_batch=4, protocol=protocol)
    use_md5s(monkeypatch, datasets.CIFAR100, md5s)
    ds = datasets.CIFAR100(str(tmp_path), train=True)
    assert ds.data.shape == (4, 32, 32, 3) and np.array_equal(ds.data, content["train"][0])
    assert ds.targets == content["train"][1] and len(ds.classes) == 100
    assert datasets.CIFAR100(str(tmp_path), train=False).targets == content["test"][1]


def test_cifar_missing_files_name_path_and_archive(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted. You can use download=True") as e:
        datasets.CIFAR10(str(tmp_path), train=False)
    msg = str(e.value)
    assert os.path.join(str(tmp_path), "cifar-10-batches-py", "test_batch") in msg
    assert "cifar-10-python.tar.gz (md5 c58f30108f718f92721af3b95e74349a" in msg and str(tmp_path) in msg


def test_cifar_corrupt_files(tmp_path, cifar10, monkeypatch):
    path = os.path.join(str(tmp_path), "cifar-10-batches-py", "test_batch")
    with open(path, "r+b") as f:
        f.seek(200)
        f.write(b"\xff\xff")
    with pytest.raises(RuntimeError, match=f"Missing or corrupted: {path}"):
        datasets.CIFAR10(str(tmp_path), train=False)
    # A file whose md5 is accepted but which is not a pickle at all.
    with open(path, "wb") as f:
        f.write(b"this is not a pickle")
    monkeypatch.setattr(datasets.CIFAR10, "test_list", [["test_batch", calculate_md5(path)]])
    with pytest.raises(RuntimeError, match=f"{path}: not a readable CIFAR batch"):
        datasets.CIFAR10(str(tmp_path), train=False)


class _Boom:
    def __reduce__(self):
        return (os.system, ("echo pwned > pwned.txt",))


def test_cifar_batches_cannot_run_code(tmp_path, cifar10, monkeypatch):
    path = os.path.join(str(tmp_path), "cifar-10-batches-py", "test_batch")
    with open(path, "wb") as f:
        pickle.dump({"data": _Boom(), "labels": []}, f, protocol=2)
    monkeypatch.setattr(datasets.CIFAR10, "test_list", [["test_batch", calculate_md5(path)]])
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RuntimeError, match="global posix.system is not allowed in a CIFAR batch"):
        datasets.CIFAR10(str(tmp_path), train=False)
    assert not os.path.exists(tmp_path / "pwned.txt")


# ---- downloads ----------------------------------------------------------------------------------

def file_url(folder):
    return "file://" + os.path.abspath(folder) + "/"


def closed_port_url():
    """An http URL on loopback where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def http_mirror(tmp_path):
    """Serves tmp_path/mirror over http on loopback; yields (folder, base URL)."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield folder, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def mnist_mirror(folder, n=5, seed=0):
    """The four gzipped IDX files in folder; returns the arrays and torchvision-style resources."""
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    arrays = {}
    for prefix, count in (("train", n), ("t10k", n - 2)):
        arrays[prefix] = (rng.integers(0, 256, size=(count, 28, 28), dtype=np.uint8),
                          rng.integers(0, 10, size=count).astype(np.uint8))
        write_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"), arrays[prefix][0])
        write_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"), arrays[prefix][1])
    resources = [(name, calculate_md5(os.path.join(folder, name))) for name in sorted(os.listdir(folder))]
    return arrays, resources


@pytest.mark.parametrize("cls", [datasets.MNIST, datasets.FashionMNIST, datasets.KMNIST])
def test_mnist_family_download_from_file_mirror(tmp_path, monkeypatch, cls):
    arrays, resources = mnist_mirror(str(tmp_path / "mirror"))
    root = tmp_path / "data"
    # The first mirror is unreachable: the second one serves.
    monkeypatch.setattr(cls, "mirrors", [closed_port_url(), file_url(tmp_path / "mirror")])
    monkeypatch.setattr(cls, "resources", resources)
    ds = cls(str(root), train=False, download=True)
    raw = root / cls.__name__ / "raw"
    assert sorted(os.listdir(raw)) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    assert np.array_equal(np.asarray(ds.data), arrays["t10k"][0])
    assert ds.targets.tolist() == arrays["t10k"][1].tolist()
    # Already there: nothing is fetched, even with no mirror reachable.
    before = {n: os.stat(raw / n).st_mtime_ns for n in os.listdir(raw)}
    monkeypatch.setattr(cls, "mirrors", [closed_port_url()])
    assert len(cls(str(root), train=False, download=True)) == 3
    assert {n: os.stat(raw / n).st_mtime_ns for n in os.listdir(raw)} == before
    with pytest.raises(RuntimeError, match="Could not download train-images-idx3-ubyte.gz"):
        cls(str(root), train=True, download=True)


def test_mnist_download_over_http_with_progress(tmp_path, monkeypatch, http_mirror):
    folder, url = http_mirror
    arrays, resources = mnist_mirror(str(folder))
    bars = []

    class FakeTqdm:  # records what a tqdm bar would be told
        def __init__(self, total=None, **kwargs):
            self.total, self.n, self.desc, self.closed = total, 0, kwargs.get("desc"), False
            bars.append(self)

        def update(self, n):
            self.n += n

        def close(self):
            self.closed = True

    monkeypatch.setattr(utils, "_tqdm", FakeTqdm)
    monkeypatch.setattr(datasets.MNIST, "mirrors", [url])
    monkeypatch.setattr(datasets.MNIST, "resources", resources)
    ds = datasets.MNIST(str(tmp_path / "data"), train=True, download=True)
    assert np.array_equal(np.asarray(ds.data), arrays["train"][0])
    sizes = {n: os.path.getsize(folder / n) for n in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")}
    assert {b.desc: (b.total, b.n) for b in bars} == {n: (s, s) for n, s in sizes.items()}
    assert all(b.closed for b in bars)


def test_download_checksum_mismatch(tmp_path, monkeypatch):
    _, resources = mnist_mirror(str(tmp_path / "mirror"))
    bad = [(name, "0" * 32) for name, _ in resources]
    monkeypatch.setattr(datasets.MNIST, "mirrors", [file_url(tmp_path / "mirror")])
    monkeypatch.setattr(datasets.MNIST, "resources", bad)
    with pytest.raises(RuntimeError, match="checksum mismatch: the download has md5 [0-9a-f]{32}, expected 0{32}"):
        datasets.MNIST(str(tmp_path / "data"), train=True, download=True)
    assert os.listdir(tmp_path / "data" / "MNIST" / "raw") == []  # neither the file nor a .part


def test_download_unreachable_mirrors_error(tmp_path, monkeypatch):
    urls = [file_url(tmp_path / "nowhere"), closed_port_url()]
    monkeypatch.setattr(datasets.FashionMNIST, "mirrors", urls)
    with pytest.raises(RuntimeError) as e:
        datasets.FashionMNIST(str(tmp_path), train=False, download=True)
    msg = str(e.value)
    raw = os.path.join(str(tmp_path), "FashionMNIST", "raw")
    assert msg.startswith("Could not download t10k-images-idx3-ubyte.gz of FashionMNIST; tried:")
    assert all(u + "t10k-images-idx3-ubyte.gz" in msg for u in urls)
    assert f"put t10k-images-idx3-ubyte.gz (md5 bef4ecab320f06d8554ea6380940ec79) in {raw}" in msg


def test_download_http_404_names_the_url(tmp_path, monkeypatch, http_mirror):
    _, url = http_mirror
    monkeypatch.setattr(datasets.KMNIST, "mirrors", [url])
    with pytest.raises(RuntimeError, match=f"{url}train-images-idx3-ubyte.gz: HTTP Error 404"):
        datasets.KMNIST(str(tmp_path / "data"), download=True)


def cifar_archive(folder, tmp_path, cls=datasets.CIFAR10):
    """cls's archive built from generated batches, in folder; returns the batches and md5s."""
    content, md5s = write_cifar(str(tmp_path / "src"), cls)
    archive = os.path.join(folder, cls.filename)
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(str(tmp_path / "src" / cls.base_folder), arcname=cls.base_folder)
    return content, md5s, calculate_md5(archive)


def test_cifar_download_and_extract(tmp_path, monkeypatch, http_mirror):
    folder, url = http_mirror
    content, md5s, tgz_md5 = cifar_archive(str(folder), tmp_path)
    use_md5s(monkeypatch, datasets.CIFAR10, md5s)
    monkeypatch.setattr(datasets.CIFAR10, "tgz_md5", tgz_md5)
    monkeypatch.setattr(datasets.CIFAR10, "mirrors", [url])
    root = tmp_path / "data"
    ds = datasets.CIFAR10(str(root), train=False, download=True)
    assert np.array_equal(ds.data, content["test_batch"][0]) and ds.targets == content["test_batch"][1]
    assert sorted(os.listdir(root / "cifar-10-batches-py")) == sorted(md5s)
    # Valid files: nothing fetched. A deleted batch with the archive still there: re-extracted
    # with no network.
    monkeypatch.setattr(datasets.CIFAR10, "mirrors", [closed_port_url()])
    assert len(datasets.CIFAR10(str(root), train=True, download=True)) == 15
    os.remove(root / "cifar-10-batches-py" / "data_batch_3")
    assert len(datasets.CIFAR10(str(root), train=True, download=True)) == 15
    os.remove(root / "cifar-10-python.tar.gz")
    os.remove(root / "cifar-10-batches-py" / "data_batch_3")
    with pytest.raises(RuntimeError, match=f"put cifar-10-python.tar.gz \\(md5 {tgz_md5}\\) in {root}"):
        datasets.CIFAR10(str(root), train=True, download=True)


def test_cifar_archive_checksum_and_bad_archives(tmp_path, monkeypatch):
    (tmp_path / "mirror").mkdir()
    _, md5s, tgz_md5 = cifar_archive(str(tmp_path / "mirror"), tmp_path)
    use_md5s(monkeypatch, datasets.CIFAR10, md5s)
    monkeypatch.setattr(datasets.CIFAR10, "mirrors", [file_url(tmp_path / "mirror")])
    with pytest.raises(RuntimeError, match=f"checksum mismatch: the download has md5 {tgz_md5}"):
        datasets.CIFAR10(str(tmp_path / "data"), download=True)
    # An archive whose member would land outside root is refused.
    evil = io.BytesIO()
    with tarfile.open(fileobj=evil, mode="w:gz") as tar:
        info = tarfile.TarInfo("../escaped.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    (tmp_path / "mirror" / "cifar-10-python.tar.gz").write_bytes(evil.getvalue())
    monkeypatch.setattr(datasets.CIFAR10, "tgz_md5", calculate_md5(str(tmp_path / "mirror" / "cifar-10-python.tar.gz")))
    with pytest.raises(RuntimeError):
        datasets.CIFAR10(str(tmp_path / "data"), download=True)
    assert not (tmp_path / "escaped.txt").exists()
    # A truncated archive is a clear error naming it.
    with pytest.raises(RuntimeError, match="not a readable tar archive"):
        gz = tmp_path / "cut.tar.gz"
        gz.write_bytes(gzip.compress(b"\x00" * 10)[:-4])
        utils.extract_archive(str(gz), str(tmp_path / "out"))
