"""An in-bounds access with a constant last index (``pos[i, 1]``, a complex element's
imaginary part) is addressed as ``pos[i, 0]`` plus the column in the load's offset: the
same element as before, CPython's results, and IndexError where the column is past the end."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import compile_source

from .conftest import compile_kernel, outcome, same

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


NAMESPACE: dict[str, object] = {}
exec(compile(SOURCE, "columns.py", "exec"), NAMESPACE)  # the CPython reference
COMPILED = compile_kernel(SOURCE, "columns.py")


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 7), st.integers(1, 4), st.integers(0, 7), st.integers(-2, 8))
def test_constant_columns_match_cpython(n: int, columns: int, m: int, k: int) -> None:
    """Columns past ``pos``'s end (IndexError), ``k`` past either array's rows."""
    namespace, compiled = NAMESPACE, COMPILED
    rng = np.random.default_rng(n * 31 + columns * 7 + m)
    pos = rng.standard_normal((n, columns))
    a, b = np.zeros((m, 3)), np.zeros((m, 3))
    expected = outcome(namespace["spread"], pos, a, k)  # type: ignore[operator]
    got = outcome(compiled.spread, pos.copy(), b, k)
    assert expected[0] == got[0] and same(expected[1], got[1]), (expected, got)
    np.testing.assert_array_equal(a, b)


def test_the_column_is_the_load_offset() -> None:
    wat = compile_source(SOURCE, "columns.py").wat
    assert "f64.load offset=16" in wat and "f64.store offset=8" in wat
