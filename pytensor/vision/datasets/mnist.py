"""MNIST-style datasets read from IDX files (gzip or raw), in torchvision's folder layout."""
import gzip
import os
import struct

import numpy as np

import pytensor
from pytensor.vision.datasets.utils import download_from_mirrors
from pytensor.vision.datasets.vision import VisionDataset

# IDX type byte -> numpy dtype (big-endian on disk).
_IDX_DTYPES = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"),
               0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def read_idx(path):
    """The array an IDX file holds (".gz" files are decompressed), in native byte order."""
    with (gzip.open if str(path).endswith(".gz") else open)(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise RuntimeError(f"{path}: not an IDX file (magic bytes {raw[:4].hex()})")
    ndim, dtype = raw[3], _IDX_DTYPES[raw[2]]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise RuntimeError(f"{path}: truncated IDX header")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    count = int(np.prod(dims, dtype=np.int64))
    if len(raw) != header + count * dtype.itemsize:
        raise RuntimeError(f"{path}: IDX data holds {len(raw) - header} bytes, expected "
                           f"{count * dtype.itemsize} for shape {tuple(dims)} of {dtype.name}")
    return np.frombuffer(raw, dtype, count, header).reshape(dims).astype(dtype.newbyteorder("="))


class MNIST(VisionDataset):
    """Images (.data: uint8 N x 28 x 28) and labels (.targets: int64 N) of the train or test split.

    Files are looked for in root/<ClassName>/raw (torchvision's layout) and then in root itself,
    raw or gzipped. Samples are (H x W uint8 numpy array, int), so ToTensor() gives 1 x H x W
    floats in [0, 1] as it does for torchvision's PIL images. download=True fetches the split's
    missing .gz files from `mirrors` (tried in turn) into raw/, checked against `resources`."""

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    resources = [("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                 ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
                 ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
                 ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c")]
    files = {True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six",
               "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        paths = [self._find(name) for name in self.files[train]]
        if None in paths:
            raise RuntimeError("Dataset not found. You can use download=True to download it, or put "
                               f"{' and '.join(self._missing())} (gzipped or not) in {self.raw_folder}")
        images, labels = read_idx(paths[0]), read_idx(paths[1])
        if images.dtype != np.uint8 or images.ndim != 3:
            raise RuntimeError(f"{paths[0]}: expected uint8 images of 3 dims, got {images.dtype} of shape {images.shape}")
        if labels.ndim != 1 or len(labels) != len(images):
            raise RuntimeError(f"{paths[1]}: expected {len(images)} labels, got shape {labels.shape}")
        self._images, self._labels = images, labels.astype(np.int64)
        self.data = pytensor.from_numpy(self._images)
        self.targets = pytensor.from_numpy(self._labels)

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    def _find(self, name):
        for folder in (self.raw_folder, self.root):
            for ext in ("", ".gz"):
                path = os.path.join(folder, name + ext)
                if os.path.isfile(path):
                    return path
        return None

    def _missing(self):
        return [name for name in self.files[self.train] if self._find(name) is None]

    def download(self):
        """Fetches the .gz files of this split that are not already present (raw or gzipped)."""
        md5s = dict(self.resources)
        for name in self._missing():
            download_from_mirrors(self.mirrors, name + ".gz", self.raw_folder, md5s.get(name + ".gz"),
                                  self.__class__.__name__)

    def __getitem__(self, index):
        img, target = self._images[index].copy(), int(self._labels[index])
        return self._transformed(img, target)

    def __len__(self):
        return len(self._images)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                 ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
                 ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
                 ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310")]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
               "Bag", "Ankle boot"]


class KMNIST(MNIST):
    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
                 ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
                 ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
                 ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134")]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]
