"""Innermost loops with a large body (more than unroll.MEDIUM_BODY IR nodes, up to
unroll.LARGE_BODY) run two bodies per back-edge (backend/unroll.py): a semi-Lagrangian
back-trace, the fluid's advection, pays the epoch check and the reload of what it spilled
once per two cells. The copies run exactly the iterations the loop would, in order: every
trip count, a ``break`` or ``continue`` in either copy and an IndexError at any iteration
give CPython's results, writes and errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import compile_source
from portalis.lang.backend import unroll

from . import wat_shape
from .conftest import check, python_and_compiled

_TERMS = "\n".join(
    f"        t{m} = f[i] * {m + 1}.5 - g[j] * {m}.25 + (t{m - 1} if {m} > 0 else 0.0) * 0.5"
    if m
    else "        t0 = f[i] * 1.5 - g[j] * 0.25"
    for m in range(12)
)

SOURCE = f"""\
from portalis.lang import Array, f64, i64


def large(f: Array[f64], g: Array[f64], out: Array[f64], idx: Array[i64], stop: float) -> float:
    total = 0.0
    for i in range(len(f)):
        j = idx[i]
        if g[j] < -2.0:
            continue
{_TERMS}
        v = t11 + t10 * 0.125 - t9 * 0.0625 + min(max(t8, -3.0), 3.0)
        if v > stop:
            break
        out[i] = v
        total += v * 0.5
    return total
"""


@pytest.fixture(scope="module")
def kernels():  # type: ignore[no-untyped-def]
    return python_and_compiled(SOURCE, "large.py")


def test_large_body_runs_twice_per_back_edge() -> None:
    wat = compile_source(SOURCE, "large.py").wat
    loops = wat_shape.function(wat, "large").loops()
    assert max(loop.bodies_per_back_edge() for loop in loops) == unroll.LARGE_COPIES == 2


@settings(max_examples=80, deadline=None)
@given(
    st.integers(0, 9),
    st.integers(0, 2**32 - 1),
    st.sampled_from([1e9, 4.0, 0.5, -1.0]),
    st.booleans(),
)
def test_large_body_matches_cpython(kernels, n: int, seed: int, stop: float, bad: bool) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    f = rng.standard_normal(n) * 2.0
    g = rng.standard_normal(5) * 2.0
    idx = rng.integers(0, 5, n)
    if bad and n:
        idx[rng.integers(0, n)] = 7  # IndexError at that iteration (or -7: from the end)
    if bad and n > 1:
        idx[rng.integers(0, n)] = -3
    check(kernels, "large", f, g, np.zeros(n), idx, stop)
