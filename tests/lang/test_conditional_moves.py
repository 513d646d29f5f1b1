"""``if c: x = v`` without a branch: an integer local set, under an ``if`` with no ``else``, to
a constant, a local, or one add/sub/and/or/xor of those becomes a ``select`` (``x += 1`` and
``x -= 1``: the condition added as 0 or 1), so a count over data that goes either way is not
a mispredicted branch per element (RANSAC's inlier count). Checked against CPython with NaN,
±inf and ±0.0 in the conditions, and that the other ``if`` statements keep their branch."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import compile_source
from portalis.lang.backend import simd

from .conftest import check, python_and_compiled

SOURCE = """\
import math

from portalis.lang import Array, f64, i64


def inliers(xs: Array[f64], centre: float, threshold: float) -> int:
    score = 0
    for k in range(len(xs)):
        if abs(xs[k] - centre) <= threshold:
            score += 1
    return score


def below_and_above(xs: Array[f64], limit: float) -> tuple[int, int, int]:
    below = 0
    above = 0
    last = -1
    for k in range(len(xs)):
        if xs[k] < limit:
            below = below + 1
        if not xs[k] <= limit:
            above -= 1
        if math.isfinite(xs[k]):
            last = k
    return below, above, last


def masks(xs: Array[i64], bit: int) -> tuple[int, int, int, int]:
    acc = 0
    seen = 0
    fixed = 7
    other = 0
    for k in range(len(xs)):
        if xs[k] & bit != 0:
            acc = acc ^ k
        if xs[k] > 3:
            seen = seen | bit
        if xs[k] < -3:
            fixed = 11
        if xs[k] == 0:
            other = acc - seen
    return acc, seen, fixed, other


def kept_branches(xs: Array[i64], d: int) -> tuple[int, int]:
    # a division may raise, and an else or a second statement needs the branch: unchanged
    q = 0
    n = 0
    for k in range(len(xs)):
        if xs[k] > 0:
            q = d // (k - 1)
        if xs[k] < 0:
            n += 1
            q += 2
        else:
            n -= 1
    return q, n
"""

KERNELS = python_and_compiled(SOURCE, "conditional_moves.py")
EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, 1e300, -1e300, math.inf, -math.inf, math.nan]


def test_edges_match_cpython() -> None:
    xs = np.array(EDGES)
    for centre in EDGES:
        for threshold in EDGES:
            check(KERNELS, "inliers", xs, centre, threshold)
        check(KERNELS, "below_and_above", xs, centre)
    ints = np.array([0, 1, -1, 4, -4, 2**62, -(2**63), 2**63 - 1, 5], dtype=np.int64)
    for bit in (0, 1, 4, -1):
        check(KERNELS, "masks", ints, bit)
    for d in (3, -3, 0):
        check(KERNELS, "kept_branches", ints, d)


floats = st.floats(allow_nan=True, allow_infinity=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(floats, max_size=40), floats, floats)
def test_random_floats_match_cpython(xs: list[float], centre: float, threshold: float) -> None:
    a = np.array(xs, dtype=np.float64)
    check(KERNELS, "inliers", a, centre, threshold)
    check(KERNELS, "below_and_above", a, centre)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-(2**63), 2**63 - 1), max_size=40),
    st.integers(-(2**63), 2**63 - 1),
    st.integers(-5, 5),
)
def test_random_integers_match_cpython(xs: list[int], bit: int, d: int) -> None:
    a = np.array(xs, dtype=np.int64)
    check(KERNELS, "masks", a, bit)
    check(KERNELS, "kept_branches", a, d)


def _body(wat: str, name: str) -> str:
    start = wat.index(f"(func ${name} ")
    end = wat.find("\n  (func ", start + 1)
    return wat[start : end if end >= 0 else len(wat)]


def test_counts_and_sets_have_no_branch() -> None:
    wat = compile_source(SOURCE, "conditional_moves.py").wat
    for name in ("below_and_above", "masks"):
        body = _body(wat, name)
        assert all(line.strip() != "if" for line in body.splitlines()), name
    # ``inliers``' loop is vectorised (backend/simd.py: the count kept per lane, no
    # branch); its scalar copies (the last odd element, the loop run when a check fails)
    # add the condition as 0 or 1
    assert simd.vector_loops(_body(wat, "inliers")) == 1
    assert "i64.extend_i32_u" in _body(wat, "inliers")
    assert "select" in _body(wat, "masks")
    kept = [line.strip() for line in _body(wat, "kept_branches").splitlines()]
    assert kept.count("if") >= 2 and "else" in kept
