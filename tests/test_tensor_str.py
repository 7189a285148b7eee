"""Tests for pytensor/_tensor_str.py (tensor printing).

Two kinds of tests:

* ``CASES``: a table of expected strings captured from PyTorch 2.x
  (``str(torch_tensor).replace('torch.', 'pytensor.')``), so the printing
  rules are checked without torch being installed.
* ``test_parity_*``: when torch is importable, compare against it directly on
  many random and special tensors and under several print options.

The module is loaded straight from its file so these tests run whether or not
the package (and its compiled extension) has been built.
"""

import importlib.util
import math
import pathlib

import numpy as np
import pytest

_MODULE_PATH = pathlib.Path(__file__).resolve().parent.parent / "pytensor" / "_tensor_str.py"
_spec = importlib.util.spec_from_file_location("_pytensor_tensor_str_standalone", _MODULE_PATH)
_tensor_str = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_tensor_str)

format_tensor = _tensor_str.format_tensor
set_printoptions = _tensor_str.set_printoptions
get_printoptions = _tensor_str.get_printoptions

nan = math.nan
inf = math.inf

DEFAULT_OPTIONS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}


@pytest.fixture(autouse=True)
def _reset_printoptions():
    set_printoptions(profile="default")
    yield
    set_printoptions(profile="default")


# ---------------------------------------------------------------------------
# Expected strings captured from PyTorch 2.x
# ---------------------------------------------------------------------------

# (id, values, dtype, format_tensor keyword arguments, set_printoptions arguments, expected)
CASES = [
    (
        'float_vector',
        [0.1366, 0.5994, 0.2, 1.0],
        'float32',
        {},
        {},
        'tensor([0.1366, 0.5994, 0.2000, 1.0000])',
    ),
    (
        'float64_2d_requires_grad',
        [[0.1366, 0.5994], [0.2, 1.0]],
        'float64',
        {'requires_grad': True},
        {},
        (
            'tensor([[0.1366, 0.5994],\n'
            '        [0.2000, 1.0000]], dtype=pytensor.float64, requires_grad=True)'
        ),
    ),
    (
        'float32_scalar_rounding',
        0.1,
        'float32',
        {},
        {},
        'tensor(0.1000)',
    ),
    (
        'float32_scalar_rounding_precision10',
        0.1,
        'float32',
        {},
        {'precision': 10},
        'tensor(0.1000000015)',
    ),
    (
        'float64_scalar_precision10',
        0.1,
        'float64',
        {},
        {'precision': 10},
        'tensor(0.1000000000, dtype=pytensor.float64)',
    ),
    (
        'scalar_integer_valued',
        3.0,
        'float32',
        {},
        {},
        'tensor(3.)',
    ),
    (
        'scalar_float64',
        2.5,
        'float64',
        {},
        {},
        'tensor(2.5000, dtype=pytensor.float64)',
    ),
    (
        'scalar_bool',
        True,
        'bool',
        {},
        {},
        'tensor(True)',
    ),
    (
        'scalar_int64',
        5,
        'int64',
        {},
        {},
        'tensor(5)',
    ),
    (
        'scalar_int32',
        -3,
        'int32',
        {},
        {},
        'tensor(-3, dtype=pytensor.int32)',
    ),
    (
        'scalar_uint8',
        7,
        'uint8',
        {},
        {},
        'tensor(7, dtype=pytensor.uint8)',
    ),
    (
        'scalar_nan',
        nan,
        'float32',
        {},
        {},
        'tensor(nan)',
    ),
    (
        'scalar_neg_inf',
        -inf,
        'float64',
        {},
        {},
        'tensor(-inf, dtype=pytensor.float64)',
    ),
    (
        'scalar_neg_zero',
        -0.0,
        'float32',
        {},
        {},
        'tensor(-0.)',
    ),
    (
        'scalar_small_sci',
        1e-5,
        'float32',
        {},
        {},
        'tensor(1.0000e-05)',
    ),
    (
        'scalar_requires_grad',
        2.0,
        'float32',
        {'requires_grad': True},
        {},
        'tensor(2., requires_grad=True)',
    ),
    (
        'integer_valued',
        [1.0, 2.0, 3.0],
        'float32',
        {},
        {},
        'tensor([1., 2., 3.])',
    ),
    (
        'integer_valued_aligned',
        [-1.0, 10.0, 100.0],
        'float32',
        {},
        {},
        'tensor([ -1.,  10., 100.])',
    ),
    (
        'mixed_fraction',
        [1.0, 2.5],
        'float32',
        {},
        {},
        'tensor([1.0000, 2.5000])',
    ),
    (
        'alignment',
        [1.5, -22.25, 333.125],
        'float32',
        {},
        {},
        'tensor([  1.5000, -22.2500, 333.1250])',
    ),
    (
        'int_alignment',
        [1, -22, 333],
        'int64',
        {},
        {},
        'tensor([  1, -22, 333])',
    ),
    (
        'sci_small',
        [1e-5, 1.0],
        'float32',
        {},
        {},
        'tensor([1.0000e-05, 1.0000e+00])',
    ),
    (
        'sci_ratio_int_mode',
        [1.0, 1001.0],
        'float32',
        {},
        {},
        'tensor([1.0000e+00, 1.0010e+03])',
    ),
    (
        'no_sci_ratio_1000',
        [1.0, 1000.0],
        'float32',
        {},
        {},
        'tensor([   1., 1000.])',
    ),
    (
        'sci_large_int_mode',
        [1e9, 1.0],
        'float32',
        {},
        {},
        'tensor([1.0000e+09, 1.0000e+00])',
    ),
    (
        'sci_above_1e8',
        [123456789.5],
        'float64',
        {},
        {},
        'tensor([1.2346e+08], dtype=pytensor.float64)',
    ),
    (
        'no_sci_1e8',
        [1e8, 2e7],
        'float64',
        {},
        {},
        'tensor([100000000.,  20000000.], dtype=pytensor.float64)',
    ),
    (
        'float32_1e_4_is_below_threshold',
        [1e-4, 0.5],
        'float32',
        {},
        {},
        'tensor([1.0000e-04, 5.0000e-01])',
    ),
    (
        'float64_1e_4_not_sci',
        [1e-4, 0.5],
        'float64',
        {},
        {},
        'tensor([1.0000e-04, 5.0000e-01], dtype=pytensor.float64)',
    ),
    (
        'sci_negative',
        [-1.5e-7, 2.0, -300.0],
        'float64',
        {},
        {},
        'tensor([-1.5000e-07,  2.0000e+00, -3.0000e+02], dtype=pytensor.float64)',
    ),
    (
        'sci_three_digit_exponent',
        [1e300, 1e-300],
        'float64',
        {},
        {},
        'tensor([1.0000e+300, 1.0000e-300], dtype=pytensor.float64)',
    ),
    (
        'nan_inf_int_mode',
        [nan, 1.0, inf, -inf],
        'float32',
        {},
        {},
        'tensor([nan, 1., inf, -inf])',
    ),
    (
        'nan_inf_fixed',
        [0.5, nan, -inf],
        'float32',
        {},
        {},
        'tensor([0.5000,    nan,   -inf])',
    ),
    (
        'nan_sci',
        [nan, 1e-5, 1.0],
        'float32',
        {},
        {},
        'tensor([       nan, 1.0000e-05, 1.0000e+00])',
    ),
    (
        'only_nan',
        [nan],
        'float32',
        {},
        {},
        'tensor([nan])',
    ),
    (
        'only_nonfinite_and_zero',
        [0.0, nan, inf],
        'float64',
        {},
        {},
        'tensor([0., nan, inf], dtype=pytensor.float64)',
    ),
    (
        'neg_zero_int_mode',
        [-0.0, 1.0],
        'float32',
        {},
        {},
        'tensor([-0., 1.])',
    ),
    (
        'neg_zero_fixed',
        [-0.0, 0.5],
        'float32',
        {},
        {},
        'tensor([-0.0000, 0.5000])',
    ),
    (
        'neg_zero_sci',
        [-0.0, 1e-5],
        'float32',
        {},
        {},
        'tensor([-0.0000e+00, 1.0000e-05])',
    ),
    (
        'zeros',
        [[0.0, 0.0], [0.0, 0.0]],
        'float32',
        {},
        {},
        (
            'tensor([[0., 0.],\n'
            '        [0., 0.]])'
        ),
    ),
    (
        'bool_vector',
        [True, False],
        'bool',
        {},
        {},
        'tensor([ True, False])',
    ),
    (
        'bool_2d',
        [[True, False, True], [False, False, True]],
        'bool',
        {},
        {},
        (
            'tensor([[ True, False,  True],\n'
            '        [False, False,  True]])'
        ),
    ),
    (
        'uint8',
        [0, 255, 7],
        'uint8',
        {},
        {},
        'tensor([  0, 255,   7], dtype=pytensor.uint8)',
    ),
    (
        'int32_range',
        np.arange(-3, 4),
        'int32',
        {},
        {},
        'tensor([-3, -2, -1,  0,  1,  2,  3], dtype=pytensor.int32)',
    ),
    (
        'wrap_float32',
        np.arange(30.0) / 3,
        'float32',
        {},
        {},
        (
            'tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n'
            '        3.0000, 3.3333, 3.6667, 4.0000, 4.3333, 4.6667, 5.0000, 5.3333, 5.6667,\n'
            '        6.0000, 6.3333, 6.6667, 7.0000, 7.3333, 7.6667, 8.0000, 8.3333, 8.6667,\n'
            '        9.0000, 9.3333, 9.6667])'
        ),
    ),
    (
        'wrap_int64',
        np.arange(40) * 7 - 100,
        'int64',
        {},
        {},
        (
            'tensor([-100,  -93,  -86,  -79,  -72,  -65,  -58,  -51,  -44,  -37,  -30,  -23,\n'
            '         -16,   -9,   -2,    5,   12,   19,   26,   33,   40,   47,   54,   61,\n'
            '          68,   75,   82,   89,   96,  103,  110,  117,  124,  131,  138,  145,\n'
            '         152,  159,  166,  173])'
        ),
    ),
    (
        'wrap_int32_suffix',
        np.arange(25) * 1000,
        'int32',
        {},
        {},
        (
            'tensor([    0,  1000,  2000,  3000,  4000,  5000,  6000,  7000,  8000,  9000,\n'
            '        10000, 11000, 12000, 13000, 14000, 15000, 16000, 17000, 18000, 19000,\n'
            '        20000, 21000, 22000, 23000, 24000], dtype=pytensor.int32)'
        ),
    ),
    (
        'suffix_stays_on_line',
        [31, 127, 209, 121, 245, 36, 95, 75, 32, 206],
        'uint8',
        {},
        {},
        'tensor([ 31, 127, 209, 121, 245,  36,  95,  75,  32, 206], dtype=pytensor.uint8)',
    ),
    (
        'suffix_wraps',
        np.arange(12) * -523331,
        'int32',
        {},
        {},
        (
            'tensor([       0,  -523331, -1046662, -1569993, -2093324, -2616655, -3139986,\n'
            '        -3663317, -4186648, -4709979, -5233310, -5756641], dtype=pytensor.int32)'
        ),
    ),
    (
        'suffixes_wrap_float64_grad',
        np.arange(11.0) / 3,
        'float64',
        {'requires_grad': True},
        {},
        (
            'tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n'
            '        3.0000, 3.3333], dtype=pytensor.float64, requires_grad=True)'
        ),
    ),
    (
        'wrap_bool',
        np.arange(30) % 3 == 0,
        'bool',
        {},
        {},
        (
            'tensor([ True, False, False,  True, False, False,  True, False, False,  True,\n'
            '        False, False,  True, False, False,  True, False, False,  True, False,\n'
            '        False,  True, False, False,  True, False, False,  True, False, False])'
        ),
    ),
    (
        'wrap_2d',
        np.arange(60.0).reshape(3, 20) / 7,
        'float32',
        {},
        {},
        (
            'tensor([[0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n'
            '         1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,\n'
            '         2.5714, 2.7143],\n'
            '        [2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143, 3.8571, 4.0000,\n'
            '         4.1429, 4.2857, 4.4286, 4.5714, 4.7143, 4.8571, 5.0000, 5.1429, 5.2857,\n'
            '         5.4286, 5.5714],\n'
            '        [5.7143, 5.8571, 6.0000, 6.1429, 6.2857, 6.4286, 6.5714, 6.7143, 6.8571,\n'
            '         7.0000, 7.1429, 7.2857, 7.4286, 7.5714, 7.7143, 7.8571, 8.0000, 8.1429,\n'
            '         8.2857, 8.4286]])'
        ),
    ),
    (
        'blocks_3d',
        np.arange(24).reshape(2, 3, 4),
        'int64',
        {},
        {},
        (
            'tensor([[[ 0,  1,  2,  3],\n'
            '         [ 4,  5,  6,  7],\n'
            '         [ 8,  9, 10, 11]],\n'
            '\n'
            '        [[12, 13, 14, 15],\n'
            '         [16, 17, 18, 19],\n'
            '         [20, 21, 22, 23]]])'
        ),
    ),
    (
        'blocks_4d',
        np.arange(16.0).reshape(2, 2, 2, 2) - 8,
        'float32',
        {},
        {},
        (
            'tensor([[[[-8., -7.],\n'
            '          [-6., -5.]],\n'
            '\n'
            '         [[-4., -3.],\n'
            '          [-2., -1.]]],\n'
            '\n'
            '\n'
            '        [[[ 0.,  1.],\n'
            '          [ 2.,  3.]],\n'
            '\n'
            '         [[ 4.,  5.],\n'
            '          [ 6.,  7.]]]])'
        ),
    ),
    (
        'size_one_dims',
        np.ones((1, 2, 1)),
        'float64',
        {},
        {},
        (
            'tensor([[[1.],\n'
            '         [1.]]], dtype=pytensor.float64)'
        ),
    ),
    (
        'summarize_1d',
        np.arange(1001.0),
        'float32',
        {},
        {},
        'tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])',
    ),
    (
        'summarize_1d_fraction',
        np.arange(2000.0) / 3,
        'float64',
        {},
        {},
        (
            'tensor([0.0000e+00, 3.3333e-01, 6.6667e-01,  ..., 6.6567e+02, 6.6600e+02,\n'
            '        6.6633e+02], dtype=pytensor.float64)'
        ),
    ),
    (
        'summarize_rows',
        np.arange(2000).reshape(1000, 2),
        'int64',
        {},
        {},
        (
            'tensor([[   0,    1],\n'
            '        [   2,    3],\n'
            '        [   4,    5],\n'
            '        ...,\n'
            '        [1994, 1995],\n'
            '        [1996, 1997],\n'
            '        [1998, 1999]])'
        ),
    ),
    (
        'summarize_cols',
        np.arange(2000).reshape(2, 1000),
        'int32',
        {},
        {},
        (
            'tensor([[   0,    1,    2,  ...,  997,  998,  999],\n'
            '        [1000, 1001, 1002,  ..., 1997, 1998, 1999]], dtype=pytensor.int32)'
        ),
    ),
    (
        'summarize_2d',
        np.arange(10000.0).reshape(100, 100) / 100,
        'float32',
        {},
        {},
        (
            'tensor([[0.0000e+00, 1.0000e-02, 2.0000e-02,  ..., 9.7000e-01, 9.8000e-01,\n'
            '         9.9000e-01],\n'
            '        [1.0000e+00, 1.0100e+00, 1.0200e+00,  ..., 1.9700e+00, 1.9800e+00,\n'
            '         1.9900e+00],\n'
            '        [2.0000e+00, 2.0100e+00, 2.0200e+00,  ..., 2.9700e+00, 2.9800e+00,\n'
            '         2.9900e+00],\n'
            '        ...,\n'
            '        [9.7000e+01, 9.7010e+01, 9.7020e+01,  ..., 9.7970e+01, 9.7980e+01,\n'
            '         9.7990e+01],\n'
            '        [9.8000e+01, 9.8010e+01, 9.8020e+01,  ..., 9.8970e+01, 9.8980e+01,\n'
            '         9.8990e+01],\n'
            '        [9.9000e+01, 9.9010e+01, 9.9020e+01,  ..., 9.9970e+01, 9.9980e+01,\n'
            '         9.9990e+01]])'
        ),
    ),
    (
        'summarize_3d_short_first_dim',
        np.arange(4800).reshape(3, 40, 40),
        'int64',
        {},
        {},
        (
            'tensor([[[   0,    1,    2,  ...,   37,   38,   39],\n'
            '         [  40,   41,   42,  ...,   77,   78,   79],\n'
            '         [  80,   81,   82,  ...,  117,  118,  119],\n'
            '         ...,\n'
            '         [1480, 1481, 1482,  ..., 1517, 1518, 1519],\n'
            '         [1520, 1521, 1522,  ..., 1557, 1558, 1559],\n'
            '         [1560, 1561, 1562,  ..., 1597, 1598, 1599]],\n'
            '\n'
            '        [[1600, 1601, 1602,  ..., 1637, 1638, 1639],\n'
            '         [1640, 1641, 1642,  ..., 1677, 1678, 1679],\n'
            '         [1680, 1681, 1682,  ..., 1717, 1718, 1719],\n'
            '         ...,\n'
            '         [3080, 3081, 3082,  ..., 3117, 3118, 3119],\n'
            '         [3120, 3121, 3122,  ..., 3157, 3158, 3159],\n'
            '         [3160, 3161, 3162,  ..., 3197, 3198, 3199]],\n'
            '\n'
            '        [[3200, 3201, 3202,  ..., 3237, 3238, 3239],\n'
            '         [3240, 3241, 3242,  ..., 3277, 3278, 3279],\n'
            '         [3280, 3281, 3282,  ..., 3317, 3318, 3319],\n'
            '         ...,\n'
            '         [4680, 4681, 4682,  ..., 4717, 4718, 4719],\n'
            '         [4720, 4721, 4722,  ..., 4757, 4758, 4759],\n'
            '         [4760, 4761, 4762,  ..., 4797, 4798, 4799]]])'
        ),
    ),
    (
        'summarize_4d',
        np.arange(1050.0).reshape(7, 1, 1, 150),
        'float32',
        {},
        {},
        (
            'tensor([[[[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.4700e+02,\n'
            '           1.4800e+02, 1.4900e+02]]],\n'
            '\n'
            '\n'
            '        [[[1.5000e+02, 1.5100e+02, 1.5200e+02,  ..., 2.9700e+02,\n'
            '           2.9800e+02, 2.9900e+02]]],\n'
            '\n'
            '\n'
            '        [[[3.0000e+02, 3.0100e+02, 3.0200e+02,  ..., 4.4700e+02,\n'
            '           4.4800e+02, 4.4900e+02]]],\n'
            '\n'
            '\n'
            '        ...,\n'
            '\n'
            '\n'
            '        [[[6.0000e+02, 6.0100e+02, 6.0200e+02,  ..., 7.4700e+02,\n'
            '           7.4800e+02, 7.4900e+02]]],\n'
            '\n'
            '\n'
            '        [[[7.5000e+02, 7.5100e+02, 7.5200e+02,  ..., 8.9700e+02,\n'
            '           8.9800e+02, 8.9900e+02]]],\n'
            '\n'
            '\n'
            '        [[[9.0000e+02, 9.0100e+02, 9.0200e+02,  ..., 1.0470e+03,\n'
            '           1.0480e+03, 1.0490e+03]]]])'
        ),
    ),
    (
        'summarize_4d_every_dim',
        np.arange(81).reshape(3, 3, 3, 3),
        'int64',
        {},
        {'edgeitems': 1, 'threshold': 10},
        (
            'tensor([[[[ 0,  ...,  2],\n'
            '          ...,\n'
            '          [ 6,  ...,  8]],\n'
            '\n'
            '         ...,\n'
            '\n'
            '         [[18,  ..., 20],\n'
            '          ...,\n'
            '          [24,  ..., 26]]],\n'
            '\n'
            '\n'
            '        ...,\n'
            '\n'
            '\n'
            '        [[[54,  ..., 56],\n'
            '          ...,\n'
            '          [60,  ..., 62]],\n'
            '\n'
            '         ...,\n'
            '\n'
            '         [[72,  ..., 74],\n'
            '          ...,\n'
            '          [78,  ..., 80]]]])'
        ),
    ),
    (
        'summarize_bool',
        np.arange(1200) % 2 == 0,
        'bool',
        {},
        {},
        'tensor([ True, False,  True,  ..., False,  True, False])',
    ),
    (
        'summarize_uses_shown_values_for_width',
        np.concatenate([[1.0, 2.0, 3.0], np.full(2000, 1e-9), [4.0, 5.0, 6.5]]),
        'float32',
        {},
        {},
        'tensor([1.0000, 2.0000, 3.0000,  ..., 4.0000, 5.0000, 6.5000])',
    ),
    (
        'empty_float32',
        [],
        'float32',
        {},
        {},
        'tensor([])',
    ),
    (
        'empty_float64',
        np.zeros(0),
        'float64',
        {},
        {},
        'tensor([], dtype=pytensor.float64)',
    ),
    (
        'empty_int64',
        [],
        'int64',
        {},
        {},
        'tensor([], dtype=pytensor.int64)',
    ),
    (
        'empty_bool',
        [],
        'bool',
        {},
        {},
        'tensor([], dtype=pytensor.bool)',
    ),
    (
        'empty_2d',
        np.zeros((0, 3)),
        'float32',
        {},
        {},
        'tensor([], size=(0, 3))',
    ),
    (
        'empty_2d_int32',
        np.zeros((2, 0)),
        'int32',
        {},
        {},
        'tensor([], size=(2, 0), dtype=pytensor.int32)',
    ),
    (
        'empty_3d_requires_grad',
        np.zeros((1, 0, 2)),
        'float32',
        {'requires_grad': True},
        {},
        'tensor([], size=(1, 0, 2), requires_grad=True)',
    ),
    (
        'precision_2',
        [0.1366, 0.5994, 12.5],
        'float32',
        {},
        {'precision': 2},
        'tensor([ 0.14,  0.60, 12.50])',
    ),
    (
        'precision_0',
        [0.1366, 0.5994, 12.5],
        'float64',
        {},
        {'precision': 0},
        'tensor([ 0,  1, 12], dtype=pytensor.float64)',
    ),
    (
        'sci_forced_on',
        [1.5, 2.0],
        'float32',
        {},
        {'sci_mode': True},
        'tensor([1.5000e+00, 2.0000e+00])',
    ),
    (
        'sci_forced_on_int_mode',
        [1.0, 2.0, nan],
        'float32',
        {},
        {'sci_mode': True},
        'tensor([1.0000e+00, 2.0000e+00,        nan])',
    ),
    (
        'sci_forced_on_no_finite_nonzero',
        [0.0, nan],
        'float32',
        {},
        {'sci_mode': True},
        'tensor([0., nan])',
    ),
    (
        'sci_forced_off',
        [1e-5, 1.0],
        'float32',
        {},
        {'sci_mode': False},
        'tensor([0.0000, 1.0000])',
    ),
    (
        'sci_forced_off_int_mode',
        [1.0, 1e10, nan],
        'float64',
        {},
        {'sci_mode': False},
        'tensor([          1., 10000000000.,          nan], dtype=pytensor.float64)',
    ),
    (
        'linewidth_40',
        np.arange(20.0) / 4,
        'float32',
        {},
        {'linewidth': 40},
        (
            'tensor([0.0000, 0.2500, 0.5000, 0.7500,\n'
            '        1.0000, 1.2500, 1.5000, 1.7500,\n'
            '        2.0000, 2.2500, 2.5000, 2.7500,\n'
            '        3.0000, 3.2500, 3.5000, 3.7500,\n'
            '        4.0000, 4.2500, 4.5000, 4.7500])'
        ),
    ),
    (
        'linewidth_tiny',
        [[1, 2], [3, 4]],
        'int64',
        {},
        {'linewidth': 1},
        (
            'tensor([[1,\n'
            '         2],\n'
            '        [3,\n'
            '         4]])'
        ),
    ),
    (
        'edgeitems_1',
        np.arange(20.0).reshape(4, 5),
        'float32',
        {},
        {'edgeitems': 1, 'threshold': 10},
        (
            'tensor([[ 0.,  ...,  4.],\n'
            '        ...,\n'
            '        [15.,  ..., 19.]])'
        ),
    ),
    (
        'edgeitems_0',
        np.arange(20.0),
        'float32',
        {},
        {'edgeitems': 0, 'threshold': 5},
        'tensor([...], size=(20,))',
    ),
    (
        'edgeitems_0_2d_int32',
        np.arange(20).reshape(4, 5),
        'int32',
        {},
        {'edgeitems': 0, 'threshold': 5},
        'tensor([...], size=(4, 5), dtype=pytensor.int32)',
    ),
    (
        'edgeitems_0_not_summarized',
        np.arange(4.0),
        'float32',
        {},
        {'edgeitems': 0},
        'tensor([0., 1., 2., 3.], size=(4,))',
    ),
    (
        'threshold_0_scalar',
        1.5,
        'float32',
        {},
        {'threshold': 0},
        'tensor(1.5000)',
    ),
    (
        'profile_short',
        np.arange(1001.0) / 3,
        'float32',
        {},
        {'profile': 'short'},
        'tensor([0.00e+00, 3.33e-01,  ..., 3.33e+02, 3.33e+02])',
    ),
    (
        'profile_short_2d',
        [[0.1366, 0.5994], [0.2, 1.0]],
        'float32',
        {},
        {'profile': 'short'},
        (
            'tensor([[0.14, 0.60],\n'
            '        [0.20, 1.00]])'
        ),
    ),
    (
        'profile_full_small',
        np.arange(30).reshape(3, 10),
        'int64',
        {},
        {'profile': 'full'},
        (
            'tensor([[ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9],\n'
            '        [10, 11, 12, 13, 14, 15, 16, 17, 18, 19],\n'
            '        [20, 21, 22, 23, 24, 25, 26, 27, 28, 29]])'
        ),
    ),
    (
        'grad_fn',
        [[1.5, 2.0], [3.0, 4.0]],
        'float32',
        {'grad_fn': 'AddBackward0', 'requires_grad': True},
        {},
        (
            'tensor([[1.5000, 2.0000],\n'
            '        [3.0000, 4.0000]], grad_fn=<AddBackward0>)'
        ),
    ),
    (
        'grad_fn_float64',
        [0.25, 1.0],
        'float64',
        {'grad_fn': 'AddBackward0', 'requires_grad': True},
        {},
        'tensor([0.2500, 1.0000], dtype=pytensor.float64, grad_fn=<AddBackward0>)',
    ),
    (
        'default_float64_float64',
        [0.5, 1.0],
        'float64',
        {'default_dtype': 'float64'},
        {},
        'tensor([0.5000, 1.0000])',
    ),
    (
        'default_float64_float32',
        [0.5, 1.0],
        'float32',
        {'default_dtype': 'float64'},
        {},
        'tensor([0.5000, 1.0000], dtype=pytensor.float32)',
    ),
    (
        'default_float64_empty_float64',
        [],
        'float64',
        {'default_dtype': 'float64'},
        {},
        'tensor([])',
    ),
    (
        'default_float64_empty_float32',
        [],
        'float32',
        {'default_dtype': 'float64'},
        {},
        'tensor([], dtype=pytensor.float32)',
    ),
    (
        'parameter_prefix',
        np.arange(24.0).reshape(2, 12) / 7,
        'float32',
        {'requires_grad': True, 'prefix': 'Parameter containing:\ntensor('},
        {},
        (
            'Parameter containing:\n'
            'tensor([[0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n'
            '         1.2857, 1.4286, 1.5714],\n'
            '        [1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286, 2.5714, 2.7143, 2.8571,\n'
            '         3.0000, 3.1429, 3.2857]], requires_grad=True)'
        ),
    ),
    (
        'subclass_prefix',
        np.arange(24.0).reshape(2, 12) / 7,
        'float32',
        {'prefix': 'MyTensor('},
        {},
        (
            'MyTensor([[0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000,\n'
            '           1.1429, 1.2857, 1.4286, 1.5714],\n'
            '          [1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286, 2.5714, 2.7143,\n'
            '           2.8571, 3.0000, 3.1429, 3.2857]])'
        ),
    ),
]

# PyTorch on a machine without a GPU cannot produce these; they follow the same
# suffix order (device, size, dtype, grad) and wrapping rule as the cases above.
DEVICE_CASES = [
    (
        "device_cuda",
        [1.0, 2.0],
        "float32",
        {"device": "cuda:0"},
        {},
        "tensor([1., 2.], device='cuda:0')",
    ),
    (
        "device_cuda_int32",
        [1, 2],
        "int32",
        {"device": "cuda:0"},
        {},
        "tensor([1, 2], device='cuda:0', dtype=pytensor.int32)",
    ),
    (
        "device_cuda_empty",
        np.zeros((0, 3)),
        "float32",
        {"device": "cuda:0"},
        {},
        "tensor([], device='cuda:0', size=(0, 3))",
    ),
    (
        "device_cuda_suffix_wrap",
        [0.5, 1.0],
        "float64",
        {"device": "cuda:0", "requires_grad": True},
        {},
        "tensor([0.5000, 1.0000], device='cuda:0', dtype=pytensor.float64,\n       requires_grad=True)",
    ),
]


@pytest.mark.parametrize(
    "values, dtype, kwargs, options, expected",
    [pytest.param(*case[1:], id=case[0]) for case in CASES + DEVICE_CASES],
)
def test_expected_output(values, dtype, kwargs, options, expected):
    set_printoptions(**options)
    assert format_tensor(values, dtype, **kwargs) == expected


def test_full_profile_prints_everything():
    values = np.arange(1001)
    assert "..." in format_tensor(values, "int64")
    set_printoptions(profile="full")
    text = format_tensor(values, "int64")
    assert "..." not in text
    assert text.startswith("tensor([   0,    1,    2,")
    assert text.endswith(" 999, 1000])")
    assert text.replace("\n", " ").count(",") == 1000


def test_float64_values_are_rounded_to_float32():
    # A float32 tensor prints its float32 value even if given float64 data.
    set_printoptions(precision=10)
    assert format_tensor(np.float64(0.1), "float32") == "tensor(0.1000000015)"
    assert format_tensor(np.float32(0.1), "float32") == "tensor(0.1000000015)"


def test_non_contiguous_input():
    values = np.arange(6.0).reshape(2, 3).T
    assert format_tensor(values, "float32") == "tensor([[0., 3.],\n        [1., 4.],\n        [2., 5.]])"


def test_grad_fn_takes_precedence_over_requires_grad():
    text = format_tensor([1.0], "float32", requires_grad=True, grad_fn="MulBackward0")
    assert text == "tensor([1.], grad_fn=<MulBackward0>)"


def test_unknown_dtype_rejected():
    with pytest.raises(ValueError):
        format_tensor([1.0], "float16")


# ---------------------------------------------------------------------------
# Print options
# ---------------------------------------------------------------------------


def test_default_printoptions():
    assert get_printoptions() == DEFAULT_OPTIONS


def test_profiles():
    set_printoptions(profile="short")
    assert get_printoptions() == {**DEFAULT_OPTIONS, "precision": 2, "edgeitems": 2}
    set_printoptions(profile="full")
    assert get_printoptions() == {**DEFAULT_OPTIONS, "threshold": math.inf}
    set_printoptions(linewidth=120, threshold=10, edgeitems=5, precision=7)
    set_printoptions(profile="default")
    assert get_printoptions() == DEFAULT_OPTIONS


def test_explicit_options_override_profile():
    set_printoptions(profile="short", precision=6)
    assert get_printoptions() == {**DEFAULT_OPTIONS, "precision": 6, "edgeitems": 2}


def test_sci_mode_reset_by_later_call():
    # As in PyTorch, any call that does not pass sci_mode sets it back to None.
    set_printoptions(sci_mode=True)
    assert get_printoptions()["sci_mode"] is True
    set_printoptions(precision=3)
    assert get_printoptions()["sci_mode"] is None


def test_unknown_profile_ignored():
    set_printoptions(precision=2)
    set_printoptions(profile="no-such-profile")
    assert get_printoptions()["precision"] == 2


def test_get_printoptions_returns_copy():
    options = get_printoptions()
    options["precision"] = 99
    assert get_printoptions()["precision"] == 4


# ---------------------------------------------------------------------------
# Parity with PyTorch (skipped when torch is not installed)
# ---------------------------------------------------------------------------

DTYPES = ["float32", "float64", "int64", "int32", "uint8", "bool"]
NUMPY_DTYPES = {
    "float32": np.float32,
    "float64": np.float64,
    "int64": np.int64,
    "int32": np.int32,
    "uint8": np.uint8,
    "bool": np.bool_,
}

OPTION_SETS = [
    {},
    {"precision": 2},
    {"precision": 0},
    {"precision": 6, "linewidth": 120},
    {"sci_mode": True},
    {"sci_mode": False},
    {"linewidth": 40},
    {"linewidth": 1},
    {"threshold": 50},
    {"edgeitems": 1, "threshold": 20},
    {"edgeitems": 0, "threshold": 5},
    {"threshold": 0},
    {"profile": "short"},
    {"profile": "full"},
]

SPECIAL_ARRAYS = [
    ([-0.0], "float32"),
    ([-0.0, 0.0], "float32"),
    (-0.0, "float64"),
    ([nan], "float32"),
    ([-inf, inf, nan], "float64"),
    ([1e308, 1e-308, 0.5], "float64"),
    ([3.4e38, 1e-45], "float32"),
    ([16777217.0, 2.0], "float32"),
    ([1e8, 1.0], "float32"),
    ([1e8 + 1, 1.0], "float64"),
    ([1e-4, 1.0], "float32"),
    ([1e-4, 0.5], "float64"),
    ([1000.0, 1.0], "float32"),
    ([1001.0, 1.0], "float32"),
    ([1000.5, 1.0], "float32"),
    ([0.1, 0.2, 0.3], "float32"),
    ([0.1, 0.2, 0.3], "float64"),
    (0.1, "float32"),
    ([2.5e-5, -3.0, nan], "float32"),
    ([123456789.0], "float32"),
    ([0.5, 1e10], "float64"),
    (np.full((3, 3), 1e-10), "float32"),
    ([1e20, -1e20], "float32"),
    (True, "bool"),
    ([True, False], "bool"),
    (7, "uint8"),
    (-3, "int32"),
    ([-(2**63), 2**63 - 1], "int64"),
    ([-(2**31), 2**31 - 1], "int32"),
    (np.arange(12.0).reshape(3, 4).T, "float32"),
    (np.zeros((2, 1, 1, 1, 3)), "float32"),
    (np.ones((1, 1)), "int64"),
    (np.zeros((3, 0, 2)), "bool"),
    (np.arange(2000).reshape(2, 1000), "int64"),
    (np.arange(2000.0).reshape(1000, 2) / 7, "float32"),
    (np.arange(10000.0).reshape(10, 10, 10, 10), "float64"),
    (np.linspace(-1e5, 1e5, 1001), "float32"),
]


def _random_array(rng):
    """A random array and dtype: shapes up to 4-d, some large enough to summarise."""
    ndim = int(rng.integers(0, 5))
    if ndim >= 1 and rng.random() < 0.15:
        shape = tuple(int(rng.integers(10, 1500 if ndim == 1 else 40)) for _ in range(ndim))
    else:
        shape = tuple(int(rng.integers(0, 8 if ndim > 1 else 40)) for _ in range(ndim))
    dtype = DTYPES[int(rng.integers(0, len(DTYPES)))]
    n = int(np.prod(shape))
    if dtype == "bool":
        values = rng.random(n) < 0.5
    elif dtype == "uint8":
        values = rng.integers(0, 256, n)
    elif dtype in ("int32", "int64"):
        values = rng.integers(-(10 ** int(rng.integers(1, 9))), 10 ** int(rng.integers(1, 9)), n)
    else:
        kind = int(rng.integers(0, 6))
        if kind == 0:  # ordinary values
            values = rng.standard_normal(n)
        elif kind == 1:  # wildly mixed magnitudes
            values = rng.standard_normal(n) * 10.0 ** rng.integers(-12, 12, n)
        elif kind == 2:  # integer-valued floats
            values = rng.integers(-1000, 1000, n).astype(float) * 10.0 ** int(rng.integers(0, 7))
        elif kind == 3:  # one common magnitude
            values = rng.standard_normal(n) * 10.0 ** int(rng.integers(-6, 10))
        elif kind == 4:  # few decimals
            values = np.round(rng.standard_normal(n), int(rng.integers(0, 5)))
        else:  # special values only
            values = rng.choice([0.0, -0.0, 1.0, nan, inf, -inf, 0.5, 1e-5, 123456.0], n)
        if n and rng.random() < 0.3:
            where = rng.integers(0, n, max(1, n // 5))
            values[where] = rng.choice([nan, inf, -inf, 0.0, -0.0], len(where))
    return np.asarray(values).reshape(shape), dtype


def _torch_expected(torch, values, dtype, requires_grad=False, grad_fn=None, parameter=False):
    t = torch.from_numpy(np.array(values, dtype=NUMPY_DTYPES[dtype], copy=True))
    if grad_fn is not None:
        # clone() keeps -0.0 (unlike "+ 0") and gives grad_fn=<CloneBackward0>.
        assert grad_fn == "CloneBackward0"
        t = t.requires_grad_().clone()
    elif requires_grad:
        t.requires_grad_()
    if parameter:
        t = torch.nn.Parameter(t)
    return str(t).replace("torch.", "pytensor.")


@pytest.fixture
def torch():
    torch = pytest.importorskip("torch")
    yield torch
    torch.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)


def _set_both(torch, options):
    torch.set_printoptions(**options)
    set_printoptions(**options)


@pytest.mark.parametrize("options", OPTION_SETS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "default")
def test_parity_random(torch, options):
    rng = np.random.default_rng(sorted(OPTION_SETS, key=repr).index(options))
    _set_both(torch, options)
    for _ in range(120):
        values, dtype = _random_array(rng)
        if options.get("profile") == "full" and values.size > 5000:
            continue  # printing millions of elements in full is just slow
        expected = _torch_expected(torch, values, dtype)
        assert format_tensor(values, dtype) == expected, (dtype, values.shape)


@pytest.mark.parametrize("options", OPTION_SETS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "default")
def test_parity_special(torch, options):
    _set_both(torch, options)
    for values, dtype in SPECIAL_ARRAYS:
        expected = _torch_expected(torch, values, dtype)
        assert format_tensor(values, dtype) == expected, (dtype, values)


def test_parity_autograd_and_prefix(torch):
    rng = np.random.default_rng(1234)
    checked = 0
    while checked < 150:
        values, dtype = _random_array(rng)
        if dtype not in ("float32", "float64"):
            continue
        checked += 1
        assert format_tensor(values, dtype, requires_grad=True) == _torch_expected(
            torch, values, dtype, requires_grad=True
        )
        assert format_tensor(values, dtype, grad_fn="CloneBackward0") == _torch_expected(
            torch, values, dtype, grad_fn="CloneBackward0"
        )
        assert format_tensor(
            values, dtype, requires_grad=True, prefix="Parameter containing:\ntensor("
        ) == _torch_expected(torch, values, dtype, parameter=True)


def test_parity_default_dtype_float64(torch):
    torch.set_default_dtype(torch.float64)
    rng = np.random.default_rng(99)
    for _ in range(150):
        values, dtype = _random_array(rng)
        expected = _torch_expected(torch, values, dtype)
        assert format_tensor(values, dtype, default_dtype="float64") == expected
    for shape in [(0,), (0, 3)]:
        for dtype in DTYPES:
            expected = _torch_expected(torch, np.zeros(shape), dtype)
            assert format_tensor(np.zeros(shape), dtype, default_dtype="float64") == expected
