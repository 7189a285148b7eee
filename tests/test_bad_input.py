"""Robustness sweep: every public function and Tensor method, called with odd arguments, must
return or raise a Python exception; none may crash the process (a crash fails the whole run)."""
import inspect
import itertools
import math

import numpy as np
import pytest

import pytensor

# Calls that legitimately block, allocate without bound or change global state.
SKIP = {"set_num_threads", "set_default_dtype", "manual_seed", "seed", "set_rng_state",
        "set_printoptions", "set_grad_enabled", "_set_grad_enabled", "from_dlpack", "Tensor",
        "empty", "zeros", "ones", "full", "rand", "randn", "randint", "randperm", "arange",
        "linspace", "logspace", "eye", "empty_strided", "normal", "tensor", "as_tensor",
        "FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "BoolTensor", "ByteTensor",
        "new_empty", "new_zeros", "new_ones", "new_full", "repeat", "tile", "expand",
        "repeat_interleave", "broadcast_to", "multinomial", "set_", "resize_", "register_hook",
        "backward", "apply_", "map_", "__setstate__", "__init__", "__new__", "__reduce_ex__",
        "__init_subclass__", "__subclasshook__", "__class_getitem__", "__dlpack__", "numpy",
        "__array__", "tolist", "uniform_", "normal_", "random_", "exponential_", "bernoulli_"}


def samples():
    return [
        pytensor.tensor([[1.5, -2.0, float("nan")], [float("inf"), 0.0, 3.0]]),
        pytensor.tensor(7),
        pytensor.zeros(0, 3),
        pytensor.tensor([True, False]),
    ]


ODD_ARGS = [None, "x", -1, 3, 10 ** 30, -(10 ** 30), 2.5, math.nan, (), [0, 5], (1, -7),
            np.zeros((2, 2)), slice(None, None, -1)]


def callables():
    names = sorted(set(dir(pytensor._C)) | set(dir(pytensor.Tensor)))
    for name in names:
        if name in SKIP or name.startswith("_") and not name.startswith("__"):
            continue
        fn_mod = getattr(pytensor._C, name, None)
        fn_meth = getattr(pytensor.Tensor, name, None)
        if callable(fn_mod) and not inspect.isclass(fn_mod):
            yield f"pytensor.{name}", fn_mod, True
        if callable(fn_meth) and not inspect.isclass(fn_meth):
            yield f"Tensor.{name}", fn_meth, False


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_no_call_crashes_the_process():
    calls = 0
    for label, fn, _ in callables():
        for t in samples():
            arg_sets = [(t,)] + [(t, a) for a in ODD_ARGS] + \
                       [(t, a, b) for a, b in itertools.product(ODD_ARGS[:6], repeat=2)]
            for args in arg_sets:
                calls += 1
                try:
                    fn(*args)
                except Exception:
                    pass  # any Python exception is fine; a crash ends the test run
    assert calls > 10_000  # the sweep really ran over the API
