"""Transcendental float32 kernels (cpu/vecmath_avx2.cpp on AVX2 machines, libm elsewhere)
held to a few ulp of float64 numpy over sweeps of the whole float32 range; erf, erfc, erfinv;
the fused silu/gelu ops and their backward."""
import math

import numpy as np
import pytest

import pytensor
import pytensor.nn.functional as F
from pytensor import _C
from helpers import assert_close, to_np

# Max error in float32 ulps of the exact (float64) value. Measured over every 257th float32
# bit pattern: vector kernels exp 0.88, log 0.89, tanh 1.48, sigmoid 2.33; the libm loops they
# replace exp 0.50, log 0.75, tanh 2.12, sigmoid 2.33.
ULP_BOUND = {
    "vector": {"exp": 1.0, "log": 1.0, "tanh": 2.0, "sigmoid": 2.5},
    "reference": {"exp": 1.0, "log": 1.0, "tanh": 2.5, "sigmoid": 2.5},
}

with np.errstate(all="ignore"):
    REF = {
        "exp": np.exp,
        "log": np.log,
        "tanh": np.tanh,
        # exp(-|x|) keeps float64 finite everywhere.
        "sigmoid": lambda x: np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))),
                                      np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x)))),
    }

SPECIALS = np.array(
    [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 1e-40, -1e-40, 1.1754942e-38,
     1.1754944e-38, 3.4028235e38, -3.4028235e38, 1.0, -1.0, 0.5, 88.72283, 88.72284, 89.0,
     -87.33654, -87.33655, -103.9720, -103.9721, -104.0, 9.0, 9.01, 10.0, -10.0, 20.0,
     0.70710677, 0.7071068, 1.4142135, 1.4142137, 1e-7, -1e-7],
    dtype=np.float32)


def sweep():
    """Every 4099th float32 bit pattern (about 1M values, both signs, subnormals to inf/nan)
    plus the special values."""
    bits = np.arange(0, 2**32, 4099, dtype=np.uint64).astype(np.uint32)
    return np.concatenate([bits.view(np.float32), SPECIALS])


def ulp_error(got, x, name):
    """|got - exact| in float32 ulps of the exact value; where the exact value rounds to
    +-inf, nan or 0 in float32, got must be exactly that."""
    with np.errstate(all="ignore"):
        ref = REF[name](x.astype(np.float64))
        ref32 = ref.astype(np.float32)
        got = got.astype(np.float64)
        spacing = np.spacing(np.abs(ref32)).astype(np.float64)
        err = np.abs(got - ref) / np.where(np.isfinite(ref32), spacing, 1.0)
    exact_only = ~np.isfinite(ref32) | (ref == 0)
    same = (got == ref32) | (np.isnan(got) & np.isnan(ref32))
    return np.where(exact_only, np.where(same, 0.0, np.inf), err)


def run(name, x):
    return to_np(getattr(pytensor.from_numpy(x), name)())


@pytest.fixture(params=["vector", "reference"])
def path(request):
    """Both the vector kernels and the scalar libm reference they replace."""
    _C._use_reference_vecmath(request.param == "reference")
    yield request.param
    _C._use_reference_vecmath(False)


@pytest.mark.parametrize("name", ["exp", "log", "tanh", "sigmoid"])
def test_ulp_bound_whole_range(name, path):
    x = sweep()
    got = run(name, x)
    err = ulp_error(got, x, name)
    worst = int(np.argmax(err))
    assert err[worst] <= ULP_BOUND[path][name], (name, path, x[worst], got[worst], err[worst])


@pytest.mark.parametrize("name", ["exp", "log", "tanh", "sigmoid"])
def test_ulp_bound_dense_core(name, path):
    # 1 in 1021 float32s from the smallest normal to 100, where the polynomials do their work.
    x = np.arange(0x00800000, 0x42c80000, 1021, dtype=np.int32).view(np.float32)
    x = x[x >= 1e-3] if name == "log" else np.concatenate([x[x <= 20], -x[x <= 20]])
    assert ulp_error(run(name, x), x, name).max() <= ULP_BOUND[path][name]


@pytest.mark.parametrize("name", ["exp", "log", "tanh", "sigmoid"])
def test_special_values_exact(name):
    inf, nan = np.inf, np.nan
    x = np.array([0.0, -0.0, inf, -inf, nan, -1.0, 1e-45, -1e-45, 100.0, -200.0, 3e38, -3e38],
                 dtype=np.float32)
    expected = {
        "exp": [1, 1, inf, 0, nan, math.exp(-1), 1, 1, inf, 0, inf, 0],
        "log": [-inf, -inf, inf, nan, nan, nan, math.log(1.401298464324817e-45),
                nan, math.log(100.0), nan, math.log(np.float32(3e38)), nan],
        "tanh": [0, -0.0, 1, -1, nan, math.tanh(-1), 1.401298464e-45, -1.401298464e-45, 1, -1, 1, -1],
        "sigmoid": [0.5, 0.5, 1, 0, nan, 1 / (1 + math.e), 0.5, 0.5, 1, 0, 1, 0],
    }[name]
    got = run(name, x)
    np.testing.assert_allclose(got, np.array(expected, dtype=np.float32), rtol=2e-7, atol=0)
    if name == "tanh":  # signed zeros and subnormals kept
        assert np.signbit(got[1]) and not np.signbit(got[0])
        assert got[6] == x[6] and got[7] == x[7]
    if name == "exp":
        assert got[3] == 0 and not np.signbit(got[3])


@pytest.mark.parametrize("name", ["exp", "log", "tanh", "sigmoid", "erf", "erfinv"])
@pytest.mark.parametrize("n", [1, 7, 13, 63, 65, 1000])
def test_tails_and_layouts_give_the_same_values(name, n):
    rng = np.random.default_rng(n)
    x = rng.uniform(-0.99, 0.99, 3 * n).astype(np.float32)
    if name == "log":
        x = np.abs(x) * 50
    full = run(name, x)
    # Any prefix (a vector tail of any length) and any stride give bitwise the same results.
    np.testing.assert_array_equal(run(name, x[:n]), full[:n])
    np.testing.assert_array_equal(to_np(getattr(pytensor.from_numpy(x)[::3], name)()), full[::3])
    t = pytensor.from_numpy(x.reshape(3, n)).t()
    np.testing.assert_array_equal(to_np(getattr(t, name)()), full.reshape(3, n).T)
    if name in REF:
        assert ulp_error(full, x, name).max() <= ULP_BOUND["reference"][name]  # either path


def test_inplace_and_integer_inputs():
    x = np.linspace(-5, 5, 37, dtype=np.float32)
    t = pytensor.from_numpy(x.copy())
    t.exp_()
    np.testing.assert_array_equal(to_np(t), run("exp", x))
    i = pytensor.from_numpy(np.arange(-3, 4, dtype=np.int64))
    out = pytensor.sigmoid(i)
    assert out.dtype == pytensor.float32
    assert_close(out, 1 / (1 + np.exp(-np.arange(-3, 4.0))))


def test_float64_stays_libm():
    x = np.linspace(-30, 30, 1001)
    for name in ["exp", "tanh", "sigmoid"]:
        assert_close(getattr(pytensor.from_numpy(x), name)(), REF[name](x), rtol=1e-15, atol=0)


# ---- erf, erfc, erfinv ----

def test_erf_erfc_values():
    x = np.concatenate([np.linspace(-7, 7, 301), [0.0, -0.0, np.inf, -np.inf, np.nan]])
    for dt, tol in [(np.float64, 1e-15), (np.float32, 2e-7)]:
        xd = x.astype(dt).astype(np.float64)
        erf_ref = np.array([math.erf(v) if not np.isnan(v) else np.nan for v in xd])
        erfc_ref = np.array([math.erfc(v) if not np.isnan(v) else np.nan for v in xd])
        t = pytensor.from_numpy(x.astype(dt))
        assert_close(t.erf(), erf_ref, rtol=tol, atol=1e-30)
        assert_close(pytensor.erfc(t), erfc_ref, rtol=tol * 4, atol=1e-30)
    i = pytensor.from_numpy(np.array([0, 1, 2]))
    assert pytensor.erf(i).dtype == pytensor.float32
    assert_close(pytensor.erf(i), [math.erf(v) for v in (0, 1, 2)])


def test_erfinv_inverts_erf():
    y = np.concatenate([np.linspace(-0.999999, 0.999999, 2001), 1 - np.logspace(-16, -1, 40),
                        -(1 - np.logspace(-16, -1, 40)), [1e-300, -1e-20]])
    x = to_np(pytensor.from_numpy(y).erfinv())
    # x is within 2 ulp of the exact inverse: erf moves by at most erf'(x) * 2 ulp(x), plus
    # math.erf's own rounding (1 ulp of y, or of 1 - |y| in the tails, measured with erfc).
    for yi, xi in zip(y, x):
        slope = 2 / math.sqrt(math.pi) * math.exp(-xi * xi) * 2 * np.spacing(abs(xi))
        if abs(yi) < 0.5:
            assert abs(math.erf(xi) - yi) <= slope + np.spacing(abs(yi)), (yi, xi)
        else:
            q = 1 - abs(yi)
            assert abs(math.erfc(abs(xi)) - q) <= slope + 2 * np.spacing(q), (yi, xi)
    known = {0.5: 0.4769362762044699, 0.9: 1.1630871536766743, -0.999: -2.326753765513525}
    for yi, xi in known.items():
        assert pytensor.erfinv(pytensor.tensor([yi], dtype=pytensor.float64)).item() == pytest.approx(xi, rel=1e-15)
    special = to_np(pytensor.tensor([1.0, -1.0, 1.5, -2.0, 0.0, -0.0, float("nan")]).erfinv())
    assert special[0] == np.inf and special[1] == -np.inf
    assert np.isnan(special[2]) and np.isnan(special[3]) and np.isnan(special[6])
    assert special[4] == 0 and not np.signbit(special[4]) and np.signbit(special[5])
    f32 = to_np(pytensor.from_numpy(y.astype(np.float32)).erfinv())
    f64 = to_np(pytensor.from_numpy(y.astype(np.float32).astype(np.float64)).erfinv())
    np.testing.assert_array_equal(f32, f64.astype(np.float32))


def test_erf_inplace_and_torch_parity():
    t = pytensor.tensor([0.25, -0.5])
    assert t.erfinv_() is t
    assert_close(t, [0.2253120550121781, -0.4769362762044699])
    torch = pytest.importorskip("torch")
    x = np.linspace(-0.99, 0.99, 101).astype(np.float32)
    for name in ["erf", "erfc", "erfinv"]:
        assert_close(getattr(pytensor, name)(pytensor.from_numpy(x)),
                     getattr(torch, name)(torch.from_numpy(x)).numpy(), rtol=2e-6, atol=1e-7)


# ---- gelu, silu ----

def gelu_ref(x, approximate):
    if approximate == "tanh":  # 0.5 x (1 + tanh(u)) = x sigmoid(2u), without cancellation
        return x * REF["sigmoid"](2 * math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))
    return 0.5 * x * np.array([math.erfc(-v / math.sqrt(2)) for v in x])


@pytest.mark.parametrize("approximate", ["none", "tanh"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gelu_values(approximate, dtype):
    x = np.concatenate([np.linspace(-12, 12, 1001), [0.0, 1e-30, -1e-30]]).astype(dtype)
    got = F.gelu(pytensor.from_numpy(x), approximate=approximate)
    assert got.dtype == pytensor.from_numpy(x).dtype
    # gelu's relative condition number grows like x^2 on the negative side (~150 at -12).
    tol = 1e-13 if dtype == np.float64 else 2e-5
    assert_close(got, gelu_ref(x.astype(np.float64), approximate), rtol=tol, atol=tol * 1e-6)
    strided = F.gelu(pytensor.from_numpy(x)[::2], approximate=approximate)
    np.testing.assert_array_equal(to_np(strided), to_np(got)[::2])


def test_silu_values_and_inplace():
    x = np.linspace(-20, 20, 1003).astype(np.float32)
    ref = x.astype(np.float64) / (1 + np.exp(-x.astype(np.float64)))
    assert_close(F.silu(pytensor.from_numpy(x)), ref, rtol=1e-6, atol=1e-12)
    t = pytensor.from_numpy(x.copy())
    assert F.silu(t, inplace=True) is t
    assert_close(t, ref, rtol=1e-6, atol=1e-12)


def test_activation_errors():
    i = pytensor.tensor([1, 2])
    with pytest.raises(NotImplementedError, match="GeluKernelImpl\" not implemented for 'Long'"):
        F.gelu(i)
    with pytest.raises(NotImplementedError, match="silu_cpu"):
        F.silu(i)
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        F.gelu(pytensor.tensor([1.0]), approximate="fast")
    with pytest.raises(TypeError):
        F.gelu([1.0, 2.0])


def test_activation_torch_parity():
    torch = pytest.importorskip("torch")
    x = np.linspace(-8, 8, 257).astype(np.float32)
    for approximate in ["none", "tanh"]:
        assert_close(F.gelu(pytensor.from_numpy(x), approximate=approximate),
                     torch.nn.functional.gelu(torch.from_numpy(x), approximate=approximate).numpy(),
                     rtol=1e-5, atol=1e-7)
    assert_close(F.silu(pytensor.from_numpy(x)), torch.nn.functional.silu(torch.from_numpy(x)).numpy(),
                 rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", ["exp", "log", "tanh", "sigmoid"])
def test_hypothesis_any_float32(name):
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    @hypothesis.settings(max_examples=60, deadline=None)
    @hypothesis.given(st.lists(st.floats(width=32, allow_nan=True, allow_infinity=True),
                               min_size=1, max_size=40))
    def check(values):
        x = np.array(values, dtype=np.float32)
        assert ulp_error(run(name, x), x, name).max() <= ULP_BOUND["reference"][name]

    check()
