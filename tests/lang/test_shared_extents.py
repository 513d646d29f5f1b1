"""After ``assert a.shape[1] == b.shape[1] and …`` an access to ``b`` computes its address
with ``a``'s extents (the same values from there on: backend/ranges.py records, per access,
the extents an assert has made equal, and backend/bounds.py reads the first of them), so
arrays of one shape share their strides. An access before the assert keeps its own; the
results, writes and errors are CPython's."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import compile_source

from .conftest import check, python_and_compiled

SOURCE = """\
from portalis.lang import Array, f64


def mix(a: Array[f64, 3], b: Array[f64, 3], out: Array[f64, 3], x: float) -> float:
    out[0, 0, 0] = b[b.shape[0] - 1, b.shape[1] - 1, b.shape[2] - 1]
    nx = a.shape[0]
    ny = a.shape[1]
    nz = a.shape[2]
    assert b.shape[0] == nx and b.shape[1] == ny and b.shape[2] == nz
    assert out.shape[0] == nx and out.shape[1] == ny and out.shape[2] == nz
    total = 0.0
    for i in range(nx):
        for j in range(ny):
            for k in range(nz):
                c = min(max(int(k * x), 0), nz - 1)
                v = a[i, j, c] + b[i, j, c] * 0.5
                out[i, j, c] = v
                total += v
    return total


def before(a: Array[f64, 2], b: Array[f64, 2], j: int) -> float:
    t = b[1, j]
    b[0, 0] = t  # seen even when the assert fails
    assert a.shape[1] == b.shape[1]
    return t + a[0, j]
"""


@pytest.fixture(scope="module")
def kernels():  # type: ignore[no-untyped-def]
    return python_and_compiled(SOURCE, "extents.py")


def _loop_text(wat: str, name: str) -> str:
    body = wat.split(f"(func ${name} ", 1)[1].split("\n  (func ", 1)[0]
    return body[body.index("loop") :]


def test_asserted_arrays_share_extents() -> None:
    """Inside the loops (after the asserts) ``b`` and ``out`` are addressed with ``a``'s
    extents; before the asserts ``b``'s own are read; in ``before``, ``b[1, j]`` (above the
    assert) uses ``b``'s and ``a[0, j]`` ``a``'s."""
    wat = compile_source(SOURCE, "extents.py").wat
    loops = _loop_text(wat, "mix")
    for name in ("b", "out"):
        assert f"local.get ${name}.d1" not in loops and f"local.get ${name}.d2" not in loops
    assert "local.get $a.d2" in loops
    text = wat.split("(func $before ", 1)[1].split("\n  (func ", 1)[0]
    above, below = text.split("local.get $a.d1", 1)  # the assert reads a.shape[1] first
    after = below.split("unreachable", 1)[1]  # past the assert's raise
    assert "local.get $b.d1" in above and "local.get $b.d1" not in after


@settings(max_examples=60, deadline=None)
@given(
    st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)),
    st.tuples(st.integers(0, 1), st.integers(0, 1), st.integers(0, 1)),
    st.sampled_from([0.0, 0.5, 1.0, 1.7, 3.0]),
    st.integers(0, 2**32 - 1),
)
def test_mix_matches_cpython(kernels, shape, grow, x: float, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    other = tuple(n + g for n, g in zip(shape, grow, strict=True))  # b may differ: an error
    b = rng.standard_normal(other)
    check(kernels, "mix", a, b, np.zeros(shape), x)
    check(kernels, "mix", a, a.copy(), np.zeros(other), x)


@pytest.mark.parametrize("widths", [(3, 3), (3, 5), (5, 3)])
@pytest.mark.parametrize("j", [-4, -1, 0, 2, 4])
def test_before_matches_cpython(kernels, widths: tuple[int, int], j: int) -> None:  # type: ignore[no-untyped-def]
    a = np.arange(2.0 * widths[0]).reshape(2, widths[0])
    b = np.arange(2.0 * widths[1]).reshape(2, widths[1]) + 0.5
    check(kernels, "before", a, b, j)
