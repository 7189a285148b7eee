import os

import pytest

import pytensor


def pytest_collection_modifyitems(config, items):
    if pytensor.cuda.is_available() or os.environ.get("PYTENSOR_TEST_GPU") == "cpu":
        return  # the second: a dry run of the cuda tests on the CPU (see helpers.GPU)
    skip = pytest.mark.skip(reason="needs a CUDA GPU")
    for item in items:
        if item.get_closest_marker("cuda"):  # not keywords: they hold directory names too
            item.add_marker(skip)
