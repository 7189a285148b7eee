"""
Named tuples returned by max, sort, topk...
"""
from __future__ import annotations
from pytensor.return_types import kthvalue
from pytensor.return_types import max
from pytensor.return_types import median
from pytensor.return_types import min
from pytensor.return_types import sort
from pytensor.return_types import topk
__all__: list[str] = ['kthvalue', 'max', 'median', 'min', 'sort', 'topk']
