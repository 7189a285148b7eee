"""Process-wide switches: TF32 matmuls (pytensor.backends.cuda.matmul.allow_tf32 and
set_float32_matmul_precision), the cuDNN switches kept for scripts that set them, and
use_deterministic_algorithms."""
import pytest

import pytensor


@pytest.fixture(autouse=True)
def restore_flags():
    yield
    pytensor.backends.cuda.matmul.allow_tf32 = False
    pytensor.use_deterministic_algorithms(False)


def test_allow_tf32_defaults_off_and_round_trips():
    assert pytensor.backends.cuda.matmul.allow_tf32 is False
    assert pytensor.get_float32_matmul_precision() == "highest"
    pytensor.backends.cuda.matmul.allow_tf32 = True
    assert pytensor.backends.cuda.matmul.allow_tf32 is True
    assert pytensor.get_float32_matmul_precision() == "high"
    pytensor.backends.cuda.matmul.allow_tf32 = 0
    assert pytensor.backends.cuda.matmul.allow_tf32 is False


@pytest.mark.parametrize("precision,tf32", [("highest", False), ("high", True), ("medium", True)])
def test_float32_matmul_precision(precision, tf32):
    pytensor.set_float32_matmul_precision(precision)
    assert pytensor.backends.cuda.matmul.allow_tf32 is tf32


def test_bad_precision_warns_and_changes_nothing():
    pytensor.set_float32_matmul_precision("high")
    with pytest.warns(UserWarning, match="not one of 'highest', 'high', or 'medium'"):
        pytensor.set_float32_matmul_precision("low")
    assert pytensor.get_float32_matmul_precision() == "high"


def test_unknown_matmul_setting_raises():
    with pytest.raises(AttributeError, match="Unknown attribute allow_fp16"):
        pytensor.backends.cuda.matmul.allow_fp16 = True


def test_cpu_matmul_ignores_tf32():
    a = pytensor.rand(20, 30, dtype=pytensor.float64).float()
    b = pytensor.rand(30, 10, dtype=pytensor.float64).float()
    exact = a @ b
    pytensor.backends.cuda.matmul.allow_tf32 = True
    assert pytensor.equal(a @ b, exact)


def test_cudnn_switches_exist_for_scripts():
    cudnn = pytensor.backends.cudnn
    assert cudnn.is_available() is False
    cudnn.deterministic, cudnn.benchmark = True, False  # what tutorial scripts write
    assert cudnn.enabled is True
    assert pytensor.backends.cuda.is_built() == pytensor._C._cuda_built()


def test_deterministic_algorithms_switch():
    assert pytensor.are_deterministic_algorithms_enabled() is False
    pytensor.use_deterministic_algorithms(True)
    assert pytensor.are_deterministic_algorithms_enabled() is True
    assert pytensor.is_deterministic_algorithms_warn_only_enabled() is False
    pytensor.use_deterministic_algorithms(True, warn_only=True)
    assert pytensor.is_deterministic_algorithms_warn_only_enabled() is True
    pytensor.use_deterministic_algorithms(False, warn_only=True)
    assert pytensor.are_deterministic_algorithms_enabled() is False
    assert pytensor.is_deterministic_algorithms_warn_only_enabled() is False
    with pytest.raises(TypeError):
        pytensor.use_deterministic_algorithms(True, True)  # warn_only is keyword-only
