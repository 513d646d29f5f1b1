"""An in-bounds access with a constant last index (``pos[i, 1]``, a complex element's
imaginary part) is addressed as ``pos[i, 0]`` plus the column in the load's offset: the
same element as before, CPython's results, and IndexError where the column is past the end."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import compile_source

from .conftest import check, python_and_compiled

SOURCE = """\
from portalis.lang import Array, f64


def spread(pos: Array[f64, 2], out: Array[f64, 2], k: int) -> float:
    s = 0.0
    for i in range(k):
        x = pos[i, 0]
        y = pos[i, 1]
        z = pos[i, 2]
        out[i, 2] = x - y
        out[i, 1] = y * z
        out[i, 0] = z + x
        s += x * 0.5 - z
    return s
"""


KERNELS = python_and_compiled(SOURCE, "columns.py")


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 7), st.integers(1, 4), st.integers(0, 7), st.integers(-2, 8))
def test_constant_columns_match_cpython(n: int, columns: int, m: int, k: int) -> None:
    """Columns past ``pos``'s end (IndexError), ``k`` past either array's rows."""
    rng = np.random.default_rng(n * 31 + columns * 7 + m)
    check(KERNELS, "spread", rng.standard_normal((n, columns)), np.zeros((m, 3)), k)


def test_the_column_is_the_load_offset() -> None:
    wat = compile_source(SOURCE, "columns.py").wat
    assert "f64.load offset=16" in wat and "f64.store offset=8" in wat
