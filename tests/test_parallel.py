"""The thread pool: thread-count control, OMP_NUM_THREADS, fork safety, and the GIL released
around big kernels."""
import multiprocessing as mp
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import pytensor


def big_product():
    a = pytensor.from_numpy(np.full((384, 384), 0.5, np.float32))
    return np.asarray(a @ a)


def test_set_and_get_num_threads():
    n = pytensor.get_num_threads()
    try:
        pytensor.set_num_threads(1)
        assert pytensor.get_num_threads() == 1
        one = big_product()
        pytensor.set_num_threads(3)
        assert pytensor.get_num_threads() == 3
        np.testing.assert_array_equal(big_product(), one)
    finally:
        pytensor.set_num_threads(n)
    with pytest.raises(RuntimeError, match="positive"):
        pytensor.set_num_threads(0)


def test_omp_num_threads_is_honoured(tmp_path):  # cwd away from the source tree
    # The child imports the same pytensor as this process, wherever it is installed.
    env = dict(os.environ, OMP_NUM_THREADS="3",
               PYTHONPATH=os.path.dirname(os.path.dirname(pytensor.__file__)))
    out = subprocess.run([sys.executable, "-c", "import pytensor; print(pytensor.get_num_threads())"],
                         env=env, capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stdout.strip() == "3"


def _child(q):
    q.put(float(big_product()[0, 0]))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_fork_after_threaded_kernels_does_not_deadlock():
    pytensor.set_num_threads(max(2, pytensor.get_num_threads()))
    big_product()  # the pool's threads now exist in the parent
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(q,))
    p.start()
    p.join(timeout=60)
    if p.is_alive():
        p.kill()
        pytest.fail("child deadlocked running a kernel after fork")
    assert p.exitcode == 0
    assert q.get(timeout=5) == pytest.approx(384 * 0.25)


def test_gil_is_released_during_big_kernels():
    a = pytensor.from_numpy(np.random.default_rng(0).random((1500, 1500), dtype=np.float32))
    done = threading.Event()
    ticks = 0

    def work():
        for _ in range(3):
            a @ a
        done.set()

    t = threading.Thread(target=work)
    t.start()
    while not done.is_set():
        ticks += 1
    t.join()
    # Had the GIL been held, this loop could not have run while the products were computed.
    assert ticks > 1000
