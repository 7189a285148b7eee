"""Random numbers: the Philox generator, seeding and state, the sampling ops and their statistics."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import pytensor
from helpers import ALL_DTYPES, FLOAT_DTYPES, NP_DTYPES, dtype_name, layouts, pt_dtype, rand, to_np

N = 100_000


@pytest.fixture(autouse=True)
def fixed_seed():
    state = pytensor.get_rng_state()
    pytensor.manual_seed(1234)
    yield
    pytensor.set_rng_state(state)


# ---- the generator ----------------------------------------------------------------------

# Random123's known-answer vectors for philox4x32-10: counter, key, expected output.
KAT = [
    ([0, 0, 0, 0], [0, 0], [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]),
    ([0xFFFFFFFF] * 4, [0xFFFFFFFF] * 2, [0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]),
    ([0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344], [0xA4093822, 0x299F31D0],
     [0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1]),
]


@pytest.mark.parametrize("ctr,key,expected", KAT)
def test_philox_known_answers(ctr, key, expected):
    assert list(pytensor._C._philox4x32_10(ctr, key)) == expected


def test_same_seed_same_numbers():
    for make in (lambda: pytensor.rand(100), lambda: pytensor.randn(3, 7), lambda: pytensor.randint(0, 50, (64,)),
                 lambda: pytensor.randperm(30), lambda: pytensor.rand(5, dtype=pytensor.float64)):
        pytensor.manual_seed(7)
        a = to_np(make())
        pytensor.manual_seed(7)
        b = to_np(make())
        pytensor.manual_seed(8)
        c = to_np(make())
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)


def test_successive_calls_differ_and_continue_stream():
    a, b = to_np(pytensor.rand(1000)), to_np(pytensor.rand(1000))
    assert not np.array_equal(a, b)


def test_manual_seed_returns_generator_and_initial_seed():
    g = pytensor.manual_seed(42)
    assert isinstance(g, pytensor.Generator) and g is pytensor.default_generator
    assert pytensor.initial_seed() == 42 and g.initial_seed() == 42
    pytensor.manual_seed(-1)  # negatives wrap modulo 2**64, as PyTorch
    assert pytensor.initial_seed() == 2 ** 64 - 1
    pytensor.manual_seed(2 ** 64 - 1)
    with pytest.raises(ValueError, match="seed must be within the range"):
        pytensor.manual_seed(2 ** 64)


def test_seed_is_fresh():
    s1 = pytensor.seed()
    assert pytensor.initial_seed() == s1
    assert pytensor.seed() != s1


def test_rng_state_round_trip():
    state = pytensor.get_rng_state()
    assert dtype_name(state) == "uint8" and state.numel() == 16
    a = to_np(pytensor.randn(50))
    pytensor.set_rng_state(state)
    np.testing.assert_array_equal(to_np(pytensor.randn(50)), a)
    with pytest.raises(TypeError, match="RNG state must be"):
        pytensor.set_rng_state(pytensor.zeros(16))
    with pytest.raises(RuntimeError, match="16 bytes"):
        pytensor.set_rng_state(pytensor.zeros(3, dtype=pytensor.uint8))


def test_generator_objects():
    g = pytensor.Generator()
    assert g.manual_seed(5) is g and g.initial_seed() == 5
    assert g.device == pytensor.device("cpu")
    a = to_np(pytensor.rand(10, generator=g))
    default_before = pytensor.get_rng_state()
    g2 = pytensor.Generator(device="cpu").manual_seed(5)
    np.testing.assert_array_equal(to_np(pytensor.rand(10, generator=g2)), a)
    assert np.array_equal(to_np(pytensor.get_rng_state()), to_np(default_before))  # default untouched
    state = g.get_state()
    b = to_np(pytensor.randn(4, generator=g))
    g.set_state(state)
    np.testing.assert_array_equal(to_np(pytensor.randn(4, generator=g)), b)
    assert isinstance(g.seed(), int)
    with pytest.raises(NotImplementedError, match="only CPU generators"):
        pytensor.Generator(device="cuda")


def test_generator_keyword_everywhere():
    def draws(g):
        t = pytensor.empty(6)
        return [to_np(x) for x in (
            pytensor.rand(4, generator=g), pytensor.randn(4, generator=g), pytensor.randint(9, (4,), generator=g),
            pytensor.randperm(5, generator=g), pytensor.normal(0.0, 1.0, (3,), generator=g),
            pytensor.bernoulli(pytensor.full((5,), 0.5), generator=g),
            pytensor.multinomial(pytensor.ones(4), 2, generator=g),
            pytensor.rand_like(t, generator=g), pytensor.randn_like(t, generator=g),
            pytensor.randint_like(t, 3, generator=g),
            t.clone().uniform_(generator=g), t.clone().normal_(generator=g), t.clone().random_(generator=g),
            t.clone().bernoulli_(0.3, generator=g), t.clone().exponential_(generator=g))]
    a = draws(pytensor.Generator().manual_seed(3))
    b = draws(pytensor.Generator().manual_seed(3))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_results_do_not_depend_on_thread_count():
    n = 300_001  # several chunks of the parallel loop, odd tail
    old = pytensor.get_num_threads()
    try:
        out = []
        for threads in (1, 4):
            pytensor.set_num_threads(threads)
            pytensor.manual_seed(99)
            out.append([to_np(pytensor.rand(n)), to_np(pytensor.randn(n, dtype=pytensor.float64)),
                        to_np(pytensor.randint(-5, 5, (n,)))])
    finally:
        pytensor.set_num_threads(old)
    for x, y in zip(*out):
        np.testing.assert_array_equal(x, y)


def test_prefix_stability():
    # Element i depends only on (seed, offset, i): a shorter draw is a prefix of a longer one.
    pytensor.manual_seed(5)
    long = to_np(pytensor.randn(1001))
    pytensor.manual_seed(5)
    np.testing.assert_array_equal(to_np(pytensor.randn(10)), long[:10])


# ---- rand / randn / normal --------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_rand_statistics(dtype):
    x = to_np(pytensor.rand(N, dtype=pt_dtype(dtype))).astype(np.float64)
    assert x.dtype == np.float64 and x.min() >= 0 and x.max() < 1
    assert abs(x.mean() - 0.5) < 0.005
    assert abs(x.std() - 1 / math.sqrt(12)) < 0.005
    hist, _ = np.histogram(x, bins=10, range=(0, 1))
    assert np.all(np.abs(hist - N / 10) < 5 * math.sqrt(N / 10))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_randn_statistics(dtype):
    x = to_np(pytensor.randn(N, dtype=pt_dtype(dtype))).astype(np.float64)
    assert abs(x.mean()) < 0.015 and abs(x.std() - 1) < 0.015
    assert abs(np.mean(np.abs(x) < 1) - 0.6827) < 0.01
    assert abs(np.mean(x ** 3)) < 0.05  # symmetric
    assert np.isfinite(x).all()


def test_rand_shapes_and_keywords():
    assert tuple(pytensor.rand(2, 3).shape) == (2, 3)
    assert tuple(pytensor.randn((2, 3)).shape) == (2, 3)
    assert tuple(pytensor.rand(size=(4,)).shape) == (4,)
    assert pytensor.randn([]).dim() == 0
    assert pytensor.rand(0, 3).numel() == 0
    t = pytensor.randn(3, requires_grad=True, dtype=pytensor.float64)
    assert t.requires_grad and dtype_name(t) == "float64"
    with pytest.raises(NotImplementedError, match="not implemented for 'int64'"):
        pytensor.rand(3, dtype=pytensor.int64)
    with pytest.raises(NotImplementedError, match="not implemented for 'int32'"):
        pytensor.randn(3, dtype=pytensor.int32)


def test_normal_forms():
    x = to_np(pytensor.normal(3.0, 2.0, (N,))).astype(np.float64)
    assert abs(x.mean() - 3) < 0.03 and abs(x.std() - 2) < 0.03
    x = to_np(pytensor.normal(2.0, 0.5, size=(N,), dtype=pytensor.float64))
    assert x.dtype == np.float64 and abs(x.mean() - 2) < 0.01
    mean = pytensor.tensor([[0.0], [100.0]])
    std = pytensor.tensor([1.0, 0.0, 2.0])
    out = to_np(pytensor.normal(mean, std))  # broadcast to (2, 3)
    assert out.shape == (2, 3) and out[0, 1] == 0.0 and out[1, 1] == 100.0
    out = to_np(pytensor.normal(pytensor.full((N,), 5.0), 1.0))
    assert abs(out.mean() - 5) < 0.02 and abs(out.std() - 1) < 0.02
    out = to_np(pytensor.normal(1.0, pytensor.full((N,), 3.0, dtype=pytensor.float64)))
    assert out.dtype == np.float64 and abs(out.std() - 3) < 0.05
    assert dtype_name(pytensor.normal(pytensor.zeros(2, dtype=pytensor.float64), pytensor.ones(3, 1))) == "float64"


def test_normal_errors():
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0, but found std -1"):
        pytensor.normal(0.0, -1.0, (3,))
    with pytest.raises(RuntimeError, match="normal expects all elements of std >= 0.0"):
        pytensor.normal(pytensor.zeros(3), pytensor.full((3,), -1.0))
    with pytest.raises(NotImplementedError, match="not implemented for 'int64'"):
        pytensor.normal(pytensor.zeros(2, dtype=pytensor.int64), 1.0)
    with pytest.raises(TypeError, match="needs a size"):
        pytensor.normal(0.0, 1.0)
    with pytest.raises(RuntimeError, match="must match"):
        pytensor.normal(pytensor.zeros(2), pytensor.ones(3))


# ---- randint / random_ / randperm ---------------------------------------------------------

def test_randint_bounds_and_coverage():
    x = to_np(pytensor.randint(-3, 4, (N,)))
    assert x.dtype == np.int64 and x.min() == -3 and x.max() == 3
    counts = np.bincount(x + 3)
    assert np.all(np.abs(counts - N / 7) < 5 * math.sqrt(N / 7))
    x = to_np(pytensor.randint(10, (5, 4)))
    assert x.shape == (5, 4) and x.min() >= 0 and x.max() < 10


def test_randint_forms():
    assert tuple(pytensor.randint(5, (3,)).shape) == (3,)
    assert tuple(pytensor.randint(1, 5, (2, 2)).shape) == (2, 2)
    assert tuple(pytensor.randint(5, size=(3,)).shape) == (3,)
    assert tuple(pytensor.randint(low=2, high=5, size=[4]).shape) == (4,)
    x = to_np(pytensor.randint(3, 6, (1000,), dtype=pytensor.float32))
    assert x.dtype == np.float32 and set(np.unique(x)) == {3.0, 4.0, 5.0}
    x = to_np(pytensor.randint(2, (1000,), dtype=pytensor.bool))
    assert x.dtype == np.bool_ and x.any() and not x.all()
    x = to_np(pytensor.randint(0, 2 ** 62, (1000,)))
    assert x.min() >= 0 and x.max() > 2 ** 60
    x = to_np(pytensor.randint(-2 ** 63, 2 ** 63 - 1, (1000,)))
    assert (x < 0).any() and (x > 0).any()


@settings(max_examples=50, deadline=None)
@given(st.integers(-2 ** 40, 2 ** 40), st.integers(1, 2 ** 20), st.integers(0, 300), st.integers(0, 2 ** 64 - 1))
def test_randint_property(low, width, n, seed):
    g = pytensor.Generator().manual_seed(seed)
    x = to_np(pytensor.randint(low, low + width, (n,), generator=g))
    assert x.shape == (n,) and (x >= low).all() and (x < low + width).all()
    g.manual_seed(seed)
    np.testing.assert_array_equal(to_np(pytensor.randint(low, low + width, (n,), generator=g)), x)


@pytest.mark.parametrize("call,exc,msg", [
    (lambda: pytensor.randint(5, 5, (3,)), RuntimeError, "random_ expects 'from' to be less than 'to', but got from=5 >= to=5"),
    (lambda: pytensor.randint(-5, 5, (2,), dtype=pytensor.uint8), RuntimeError, "from=-5 is out of bounds for uint8"),
    (lambda: pytensor.randint(0, 3, (2,), dtype=pytensor.bool), RuntimeError, "out of bounds for bool"),
    (lambda: pytensor.randint(5), TypeError, "randint\\(\\) takes"),
    (lambda: pytensor.randint(1.5, (3,)), TypeError, "'high' must be int"),
    (lambda: pytensor.randint(5, (-1,)), RuntimeError, "negative dimension"),
])
def test_randint_errors(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_random_(dtype):
    t = pytensor.empty(2000, dtype=pt_dtype(dtype))
    hi = {"bool": 1, "uint8": 255}.get(dtype)
    x = to_np(t.random_()).astype(np.float64)
    assert x.min() >= 0 and (hi is None or x.max() <= hi) and len(np.unique(x)) > 1
    x = to_np(t.random_(2)).astype(np.float64)
    assert set(np.unique(x)) == {0.0, 1.0}
    if dtype != "bool":
        x = to_np(t.random_(3, 7)).astype(np.float64)
        assert set(np.unique(x)) == {3.0, 4.0, 5.0, 6.0}
        x = to_np(t.random_(**{"from": 1, "to": 3})).astype(np.float64)
        assert set(np.unique(x)) == {1.0, 2.0}
    with pytest.raises(RuntimeError, match="expects 'from' to be less than 'to'"):
        t.random_(-5 if dtype in ("int32", "int64") else 0, -5 if dtype in ("int32", "int64") else 0)


def test_random_float_range():
    x = to_np(pytensor.empty(N).random_())
    assert x.min() >= 0 and x.max() <= 2 ** 24 and x.max() > 2 ** 23 and (x == np.round(x)).all()


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 1000, 100_001])
def test_randperm_is_permutation(n):
    p = to_np(pytensor.randperm(n))
    assert p.dtype == np.int64
    np.testing.assert_array_equal(np.sort(p), np.arange(n))


def test_randperm_uniform_and_dtypes():
    firsts = np.array([to_np(pytensor.randperm(4))[0] for _ in range(4000)])
    assert np.all(np.abs(np.bincount(firsts, minlength=4) - 1000) < 150)
    p = to_np(pytensor.randperm(7, dtype=pytensor.float32))
    assert p.dtype == np.float32 and sorted(p) == list(range(7))
    with pytest.raises(RuntimeError, match="negative dimension"):
        pytensor.randperm(-1)
    with pytest.raises(RuntimeError, match="too large for dtype uint8"):
        pytensor.randperm(300, dtype=pytensor.uint8)


# ---- bernoulli / multinomial --------------------------------------------------------------

def test_bernoulli_frequency():
    p = np.linspace(0, 1, 11)
    probs = pytensor.from_numpy(np.repeat(p[None, :], 20000, axis=0))
    x = to_np(pytensor.bernoulli(probs))
    assert x.dtype == np.float64 and set(np.unique(x)) <= {0.0, 1.0}
    np.testing.assert_allclose(x.mean(axis=0), p, atol=0.015)
    assert x[:, 0].sum() == 0 and x[:, -1].all()


def test_bernoulli_forms():
    x = to_np(pytensor.bernoulli(pytensor.zeros(N), 0.3))
    assert abs(x.mean() - 0.3) < 0.01
    x = to_np(pytensor.zeros(N).bernoulli(p=0.7))
    assert abs(x.mean() - 0.7) < 0.01
    t = pytensor.zeros(N, dtype=pytensor.int64)
    assert abs(to_np(t.bernoulli_(0.25)).mean() - 0.25) < 0.01
    b = pytensor.zeros(N, dtype=pytensor.bool).bernoulli_()
    assert abs(to_np(b).mean() - 0.5) < 0.01
    p = pytensor.from_numpy(np.array([[0.0], [1.0]]))  # broadcast over columns
    t = pytensor.full((2, 50), 7.0).bernoulli_(p)
    assert (to_np(t)[0] == 0).all() and (to_np(t)[1] == 1).all()


def test_bernoulli_errors():
    with pytest.raises(RuntimeError, match="bernoulli_ expects p to be in \\[0, 1\\], but got p=2"):
        pytensor.zeros(3).bernoulli_(2.0)
    with pytest.raises(RuntimeError, match="p_in >= 0 && p_in <= 1"):
        pytensor.bernoulli(pytensor.full((3,), 2.0))
    with pytest.raises(RuntimeError, match="p_in >= 0 && p_in <= 1"):
        pytensor.bernoulli(pytensor.full((3,), float("nan")))
    with pytest.raises(NotImplementedError, match="not implemented for 'int64'"):
        pytensor.bernoulli(pytensor.ones(3, dtype=pytensor.int64))


def test_multinomial_with_replacement():
    w = pytensor.tensor([1.0, 0.0, 3.0, 6.0])
    x = to_np(pytensor.multinomial(w, N, replacement=True))
    assert x.dtype == np.int64 and x.shape == (N,)
    np.testing.assert_allclose(np.bincount(x, minlength=4) / N, [0.1, 0.0, 0.3, 0.6], atol=0.01)
    rows = to_np(pytensor.multinomial(pytensor.tensor([[1.0, 0.0], [0.0, 1.0]]), 5, True))
    assert rows.shape == (2, 5) and (rows[0] == 0).all() and (rows[1] == 1).all()


def test_multinomial_without_replacement():
    w = pytensor.tensor([5.0, 1.0, 0.0, 2.0])
    for _ in range(20):
        x = to_np(w.multinomial(3))
        assert sorted(x) == [0, 1, 3]
    firsts = to_np(pytensor.multinomial(pytensor.from_numpy(np.tile([5.0, 1.0, 0.0, 2.0], (N // 10, 1))), 1))
    np.testing.assert_allclose(np.bincount(firsts[:, 0], minlength=4) / (N // 10), [5 / 8, 1 / 8, 0, 2 / 8], atol=0.02)
    np.testing.assert_array_equal(np.sort(to_np(pytensor.multinomial(pytensor.ones(50), 50))), np.arange(50))


@pytest.mark.parametrize("call,msg", [
    (lambda: pytensor.multinomial(pytensor.ones(3), 5), "cannot sample n_sample > prob_dist.size\\(-1\\) samples without replacement"),
    (lambda: pytensor.multinomial(pytensor.zeros(3), 1), "sum of probabilities <= 0"),
    (lambda: pytensor.multinomial(pytensor.ones(3), 0), "cannot sample n_sample <= 0 samples"),
    (lambda: pytensor.multinomial(pytensor.ones(2, 2, 2), 1), "prob_dist must be 1 or 2 dim"),
    (lambda: pytensor.multinomial(pytensor.ones(3, dtype=pytensor.int64), 1), "only supports floating-point"),
    (lambda: pytensor.multinomial(pytensor.tensor([1.0, -1.0]), 1), "contains either `inf`, `nan` or element < 0"),
    (lambda: pytensor.multinomial(pytensor.tensor([1.0, 0.0]), 2), "not enough non-negative category"),
])
def test_multinomial_errors(call, msg):
    with pytest.raises(RuntimeError, match=msg):
        call()


# ---- in-place samplers ------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_uniform_(dtype):
    t = pytensor.empty(N, dtype=pt_dtype(dtype))
    x = to_np(t.uniform_(-2, 5)).astype(np.float64)
    assert x.min() >= -2 and x.max() < 5 and abs(x.mean() - 1.5) < 0.05
    x = to_np(t.uniform_(**{"from": 3, "to": 3}))
    assert (x == 3).all()
    x = to_np(t.uniform_(0.0, 1e-30))  # rounding must not reach `to`
    assert (x < NP_DTYPES[dtype](1e-30)).all()


def test_normal_and_exponential_():
    x = to_np(pytensor.empty(N, dtype=pytensor.float64).normal_(4, 0.5))
    assert abs(x.mean() - 4) < 0.01 and abs(x.std() - 0.5) < 0.01
    x = to_np(pytensor.empty(N).exponential_(2.0)).astype(np.float64)
    assert x.min() >= 0 and abs(x.mean() - 0.5) < 0.01 and abs(x.std() - 0.5) < 0.015
    x = to_np(pytensor.empty(N).exponential_())
    assert abs(x.mean() - 1) < 0.02


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_in_place_on_views_fills_every_element(dtype):
    arr = np.full((40, 30), -7.0, NP_DTYPES[dtype])
    for _, t, view in layouts(arr.copy()):
        before = t._version
        assert t.uniform_(0, 1) is t
        assert t._version > before
        assert (view >= 0).all() and (view < 1).all()
        t.normal_()
        assert len(np.unique(view)) == view.size
        t.bernoulli_(1.0)
        assert (view == 1).all()


@pytest.mark.parametrize("call,exc,msg", [
    (lambda: pytensor.zeros(3, dtype=pytensor.int64).uniform_(), NotImplementedError, "not implemented for 'int64'"),
    (lambda: pytensor.zeros(3).uniform_(2, 1), RuntimeError, "uniform_ expects to return a \\[from, to\\) range, but found from=2 > to=1"),
    (lambda: pytensor.zeros(3).normal_(0, -1), RuntimeError, "normal expects std >= 0.0"),
    (lambda: pytensor.zeros(3, dtype=pytensor.int32).normal_(), NotImplementedError, "not implemented for 'int32'"),
    (lambda: pytensor.zeros(3).exponential_(0), RuntimeError, "exponential_ expects lambda > 0.0, but found lambda=0"),
    (lambda: pytensor.zeros(3).random_(5, 5), RuntimeError, "from=5 >= to=5"),
    (lambda: pytensor.zeros(3).random_(1, 2, 3), TypeError, "at most 2 positional"),
    (lambda: pytensor.zeros(3, dtype=pytensor.uint8).random_(0, 300), RuntimeError, "out of bounds for uint8"),
])
def test_in_place_errors(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()


def test_in_place_rejects_overlapping_view():
    expanded = pytensor.from_numpy(np.broadcast_to(np.zeros(3, np.float32), (4, 3)))
    with pytest.raises(RuntimeError, match="more than one element"):
        expanded.uniform_()


# ---- random *_like ----------------------------------------------------------------------

def test_random_like():
    base = pytensor.zeros(3, 4, dtype=pytensor.float64)
    x = pytensor.rand_like(base)
    assert tuple(x.shape) == (3, 4) and dtype_name(x) == "float64"
    assert dtype_name(pytensor.randn_like(base, dtype=pytensor.float32)) == "float32"
    ints = pytensor.zeros(2, 5, dtype=pytensor.int64)
    assert dtype_name(pytensor.rand_like(ints, dtype=pytensor.float)) == "float32"
    with pytest.raises(NotImplementedError):
        pytensor.rand_like(ints)
    x = to_np(pytensor.randint_like(ints, 10))
    assert x.dtype == np.int64 and x.min() >= 0 and x.max() < 10
    x = to_np(pytensor.randint_like(pytensor.zeros(1000), 5, 8))
    assert x.dtype == np.float32 and set(np.unique(x)) == {5.0, 6.0, 7.0}
    x = to_np(pytensor.randint_like(ints, high=4))
    assert x.max() < 4
    assert pytensor.rand_like(base, requires_grad=True).requires_grad
