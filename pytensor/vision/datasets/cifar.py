"""CIFAR-10 and CIFAR-100 from the python pickle batches, in torchvision's folder layout."""
import codecs
import os
import pickle

import numpy as np

from pytensor.vision.datasets.utils import check_integrity, download_and_extract_archive
from pytensor.vision.datasets.vision import VisionDataset

# The only globals a batch may name: numpy's array reconstruction (found through ndarray's own
# pickling, whatever numpy calls its modules), the classes it builds, and the bytes encoder that
# protocol-2 pickles written by Python 3 use. None of them can run arbitrary code.
_RECONSTRUCT, _FROMBUFFER = np.zeros(1).__reduce__()[0], np.zeros(1).__reduce_ex__(5)[0]
_SAFE_GLOBALS = {("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
                 ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
                 ("numpy.core.numeric", "_frombuffer"): _FROMBUFFER,
                 ("numpy._core.numeric", "_frombuffer"): _FROMBUFFER,
                 ("numpy", "ndarray"): np.ndarray, ("numpy", "dtype"): np.dtype,
                 ("_codecs", "encode"): codecs.encode}


class _BatchUnpickler(pickle.Unpickler):
    """Loads plain containers and numpy arrays only: a file from a stranger cannot run code."""

    def find_class(self, module, name):
        try:
            return _SAFE_GLOBALS[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"global {module}.{name} is not allowed in a CIFAR batch") from None


def _load_batch(path):
    with open(path, "rb") as f:
        try:
            entry = _BatchUnpickler(f, encoding="latin1").load()
        except Exception as e:  # any failure to decode means the same thing: a corrupt file
            raise RuntimeError(f"{path}: not a readable CIFAR batch ({type(e).__name__}: {e}); "
                               "delete it and use download=True, or extract the archive again") from e
    if not isinstance(entry, dict):
        raise RuntimeError(f"{path}: not a CIFAR batch (holds a {type(entry).__name__}, not a dict)")
    return entry


class CIFAR10(VisionDataset):
    """The train (50,000) or test (10,000) images: `.data` is a uint8 N x 32 x 32 x 3 numpy array,
    `.targets` a list of ints. Samples are (32 x 32 x 3 uint8 numpy array, int), as MNIST's are
    arrays, so ToTensor() gives 3 x 32 x 32 floats in [0, 1]. Files live in
    root/cifar-10-batches-py; download=True fetches and extracts the archive from `mirrors`."""

    base_folder = "cifar-10-batches-py"
    mirrors = ["https://www.cs.toronto.edu/~kriz/"]
    filename = "cifar-10-python.tar.gz"
    url = mirrors[0] + filename
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [["data_batch_1", "c99cafc152244af753f735de768cd75f"],
                  ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
                  ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
                  ["data_batch_4", "634d18415352ddfa80567beed471001a"],
                  ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"]]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {"filename": "batches.meta", "key": "label_names", "md5": "5ff9c542aee3614f3951f8cda6e48888"}

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        bad = self._bad_files()
        if bad:
            raise RuntimeError(
                "Dataset not found or corrupted. You can use download=True to download it. "
                f"Missing or corrupted: {', '.join(bad)}. Without network access, put "
                f"{self.filename} (md5 {self.tgz_md5}, from {self.mirrors[0]}) in {self.root} "
                "and use download=True to check and extract it, or extract it there yourself.")
        images, targets = [], []
        for name, _ in self.train_list if train else self.test_list:
            path = os.path.join(self.root, self.base_folder, name)
            entry = _load_batch(path)
            data, labels = entry.get("data"), entry.get("labels", entry.get("fine_labels"))
            if not (isinstance(data, np.ndarray) and data.dtype == np.uint8 and data.ndim == 2
                    and data.shape[1] == 3 * 32 * 32 and isinstance(labels, list)
                    and len(labels) == len(data)):
                raise RuntimeError(f"{path}: expected 'data' (N x 3072 uint8) and N 'labels'")
            images.append(data)
            targets.extend(int(t) for t in labels)
        # Stored as N x 3 x 32 x 32 planes; torchvision's .data is N x H x W x C.
        self.data = np.ascontiguousarray(np.vstack(images).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
        self.targets = targets
        self._load_meta()

    def _load_meta(self):
        path = os.path.join(self.root, self.base_folder, self.meta["filename"])
        names = _load_batch(path).get(self.meta["key"])
        if not isinstance(names, list):
            raise RuntimeError(f"{path}: expected a list of class names under '{self.meta['key']}'")
        self.classes = names
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def _bad_files(self):
        """Paths of the files this split needs that are missing or fail their md5."""
        files = (self.train_list if self.train else self.test_list) + [[self.meta["filename"], self.meta["md5"]]]
        paths = [(os.path.join(self.root, self.base_folder, name), md5) for name, md5 in files]
        return [path for path, md5 in paths if not check_integrity(path, md5)]

    def download(self):
        """Fetches and extracts the archive unless the split's files are already there and valid;
        an archive already in root with the right md5 is extracted without fetching."""
        if not self._bad_files():
            return
        download_and_extract_archive(self.mirrors, self.filename, self.root, md5=self.tgz_md5,
                                     what=self.__class__.__name__)

    def __getitem__(self, index):
        img, target = self.data[index].copy(), self.targets[index]
        return self._transformed(img, target)

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class CIFAR100(CIFAR10):
    """CIFAR-100 with its 100 fine labels (root/cifar-100-python)."""

    base_folder = "cifar-100-python"
    filename = "cifar-100-python.tar.gz"
    url = CIFAR10.mirrors[0] + filename
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {"filename": "meta", "key": "fine_label_names", "md5": "7973b15100ade9c7d40fb424638fde48"}
