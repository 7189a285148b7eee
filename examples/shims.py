"""What the tutorials import from outside torch, without their dependencies: stand-ins for the
pandas and scikit-learn functions they call (neither is a pytensor dependency), and where the
real data lives.

DATASETS is ../shared/datasets beside the repository (the MNIST test set in mnist/, the UCI CSV
files in uci/), or the folder named by the PYTENSOR_DATASETS environment variable.
"""
import csv
import os

import numpy as np

DATASETS = os.environ.get("PYTENSOR_DATASETS") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "datasets")


def data_path(*parts):
    """The tutorial's data file: sys.argv[1] when the program is given one, else DATASETS/parts."""
    import sys
    return sys.argv[1] if len(sys.argv) > 1 else os.path.join(DATASETS, *parts)


class _Frame:
    """The one part of a pandas DataFrame the tutorials use: .values."""

    def __init__(self, values):
        self.values = values


def _cell(text):
    try:
        return float(text)
    except ValueError:
        return text


def read_csv(path, header=None):
    """pandas.read_csv(path, header=None) for plain numeric CSV files whose label column may be
    text: .values is float64, or object (floats and strings) when some cell is not a number."""
    if header is not None:
        raise NotImplementedError("read_csv stand-in: only header=None")
    with open(path, newline="") as f:
        rows = [[_cell(c) for c in row] for row in csv.reader(f) if row]
    numeric = all(isinstance(c, float) for row in rows for c in row)
    values = np.array(rows, dtype=np.float64) if numeric else np.empty((len(rows), len(rows[0])), dtype=object)
    if not numeric:
        values[:] = rows
    return _Frame(values)


class LabelEncoder:
    """sklearn.preprocessing.LabelEncoder: labels -> int64 indices into the sorted classes_."""

    def fit_transform(self, y):
        self.classes_, codes = np.unique(np.asarray(y), return_inverse=True)
        return codes.astype(np.int64).reshape(-1)


def accuracy_score(y_true, y_pred):
    """sklearn.metrics.accuracy_score: the fraction of equal labels."""
    return float(np.mean(np.ravel(y_true) == np.ravel(y_pred)))


def mean_squared_error(y_true, y_pred):
    """sklearn.metrics.mean_squared_error for one output column."""
    return float(np.mean((np.ravel(y_true).astype(np.float64) - np.ravel(y_pred)) ** 2))
