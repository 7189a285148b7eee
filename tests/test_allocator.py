"""The CPU caching allocator: freed blocks are reused at their size, values never leak from
one tensor into another's meaning (zeros are written, not assumed), and a forked child
allocates normally."""
import multiprocessing as mp
import os

import numpy as np
import pytest

import pytensor


def test_freed_blocks_are_reused():
    pytensor._C._cpu_empty_cache()  # earlier tests may have filled the cache to its bound
    assert pytensor._C._cpu_cached_bytes() == 0
    a = pytensor.empty(1 << 20)
    ptr = a.data_ptr()
    del a
    b = pytensor.empty(1 << 20)
    assert b.data_ptr() == ptr  # same size: the cached block comes back


def test_reused_memory_is_initialised_by_the_factories():
    a = pytensor.full((1 << 16,), 7.0)
    del a
    z = pytensor.zeros(1 << 16)
    assert float(z.abs().sum()) == 0.0
    o = pytensor.ones(1 << 16)
    assert float(o.sum()) == float(1 << 16)


def test_many_sizes_round_trip_values():
    rng = np.random.default_rng(0)
    for n in [1, 7, 63, 64, 65, 4095, 4096, 4097, 1 << 21, (1 << 21) + 3]:
        x = rng.standard_normal(n).astype(np.float32)
        t = pytensor.from_numpy(x).clone()
        np.testing.assert_array_equal(t.numpy(), x)


def _child(q):
    q.put(float((pytensor.ones(1 << 18) * 2).sum()))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_child_allocates():
    keep = [pytensor.ones(1 << 18) for _ in range(4)]
    del keep  # the parent's cache now holds blocks
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(q,))
    p.start()
    p.join(timeout=60)
    assert p.exitcode == 0 and q.get(timeout=5) == 2.0 * (1 << 18)
