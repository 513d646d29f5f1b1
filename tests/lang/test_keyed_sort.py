"""Sorting by a key and sorting lists of tuples (frontend/keyed_sort.py): ``sort(key=...)``
and ``sorted(..., key=..., reverse=...)`` with a lambda or a named function, keys that are
numbers or tuples, lists of tuples sorted by their items or by a key — the same order as
CPython's stable sort on the same source (differential, Hypothesis, ties on purpose), NaN
keys refused by a stated rule, and unsupported keys refused with a located error."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.errors import CompileError
from portalis.lang import compile_source

from .conftest import outcome, python_and_compiled

SOURCE = """\
from portalis.lang import Array, f64, i64


def _cost(v: float) -> float:
    return abs(v - 1.0)


def numbers(a: Array[f64], out: Array[f64], way: int) -> int:
    xs: list[float] = [float(a[i]) for i in range(len(a))]
    if way == 0:
        xs.sort(key=lambda v: abs(v), reverse=True)
    elif way == 1:
        xs.sort(key=_cost)
    elif way == 2:
        xs.sort(key=lambda v: (v > 0.0, -v))
    else:
        xs.sort(key=lambda v: int(v) % 3, reverse=True)
    for i in range(len(xs)):
        out[i] = xs[i]
    if way % 2 == 1:
        ys = sorted(xs, key=lambda v: v * v, reverse=True)
    else:
        ys = sorted(xs, key=lambda v: v * v)
    for i in range(len(ys)):
        out[len(xs) + i] = ys[i]
    return len(ys)


def tuples(a: Array[i64], out: Array[i64], down: bool) -> int:
    ps = [(a[0] % 3, 0, 0.5)]
    for i in range(1, len(a)):
        ps.append((a[i] % 3, i, a[i] * 0.25))
    if down:
        ps.sort(key=lambda p: (p[0], -p[2]), reverse=True)
    else:
        ps.sort(key=lambda p: (p[0], -p[2]))
    k = 0
    for x, y, z in ps:
        out[k] = x * 1000 + y
        k += 1
    if down:
        ps.sort()
    else:
        ps.sort(reverse=True)
    for x, y, z in ps:
        out[k] = x * 1000 + y
        k += 1
    ps.sort(key=lambda p: p[-1])
    for x, y, z in ps:
        out[k] = y
        k += 1
    qs = sorted(ps, key=lambda p: p[0] * 2 - p[1], reverse=True)
    rs = list(qs)
    qs.append((0, 0, 0.0))
    for x, y, z in rs:
        out[k] = y
        k += 1
    return k - len(qs) * 1000 + len(rs)


def order(d: Array[f64], out: Array[i64]) -> int:
    idx = sorted(range(len(d)), key=lambda i: d[i])
    for k in range(len(idx)):
        out[k] = idx[k]
    pairs: list[tuple[float, int]] = [(d[i], i) for i in range(len(d)) if d[i] > -1.0]
    pairs.sort(key=lambda p: -p[0], reverse=True)
    t = 0
    for v, i in pairs:
        t = t * 7 % 1000003 + i
    return t


def walk_sorted(d: Array[f64]) -> float:
    xs: list[float] = [float(d[i]) for i in range(len(d))]
    pairs: list[tuple[float, int]] = [(d[i], i) for i in range(len(d))]
    t = 0.0
    for x in sorted(xs, reverse=True):
        t = t * 0.5 + x
    for v, i in sorted(pairs, key=lambda p: -p[0]):
        t = t * 0.25 + i
    for i in sorted(range(len(d)), key=lambda i: d[i]):
        t = t * 0.75 + i
    for k in range(3):
        for v, i in list(pairs):
            t += v * k + i
    return t


def nan_key(a: Array[f64]) -> float:
    xs: list[float] = [float(a[i]) for i in range(len(a))]
    xs.sort(key=lambda v: v * 0.0)
    return xs[0]
"""


@pytest.fixture(scope="module")
def pair() -> tuple[dict[str, Any], Any]:
    return python_and_compiled(SOURCE, "keyed.py")


# Few distinct values, both zeros: equal keys must keep their order, as in CPython.
VALUES = st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0, 0.5, -2.5, 3.0])


@settings(max_examples=60, deadline=None)
@given(st.lists(VALUES, max_size=40), st.integers(0, 3))
def test_sort_by_key_matches_cpython(
    pair: tuple[dict[str, Any], Any], values: list[float], way: int
) -> None:
    py, wasm = pair
    a = np.array(values, dtype=np.float64)
    mine, theirs = np.full(2 * len(a), 9.0), np.full(2 * len(a), 9.0)
    assert outcome(py["numbers"], a, mine, way) == outcome(wasm.numbers, a, theirs, way)
    assert mine.tobytes() == theirs.tobytes()  # -0.0 and 0.0 in CPython's places


@settings(max_examples=40, deadline=None)
@given(st.lists(VALUES, max_size=40))
def test_positions_sorted_by_a_key_match_cpython(
    pair: tuple[dict[str, Any], Any], values: list[float]
) -> None:
    """``sorted(range(n), key=lambda i: d[i])`` (argsort, stable) and a comprehension
    making a list of tuples."""
    py, wasm = pair
    a = np.array(values, dtype=np.float64)
    mine, theirs = np.zeros(len(a), np.int64), np.zeros(len(a), np.int64)
    assert outcome(py["order"], a, mine) == outcome(wasm.order, a, theirs)
    assert np.array_equal(mine, theirs)


@settings(max_examples=40, deadline=None)
@given(st.lists(VALUES, max_size=30))
def test_loops_over_sorted_copies_match_cpython(
    pair: tuple[dict[str, Any], Any], values: list[float]
) -> None:
    """``for x in sorted(xs, ...)``, ``for a, b in sorted(pairs, key=...)``, ``for i in
    sorted(range(n), key=...)``, ``for a, b in list(pairs)``: the copy made once, then walked."""
    py, wasm = pair
    a = np.array(values, dtype=np.float64)
    assert outcome(py["walk_sorted"], a) == outcome(wasm.walk_sorted, a)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-6, 6), min_size=1, max_size=40), st.booleans())
def test_sorting_lists_of_tuples_matches_cpython(
    pair: tuple[dict[str, Any], Any], values: list[int], down: bool
) -> None:
    py, wasm = pair
    a = np.array(values, dtype=np.int64)
    mine, theirs = np.zeros(4 * len(a), np.int64), np.zeros(4 * len(a), np.int64)
    assert outcome(py["tuples"], a, mine, down) == outcome(wasm.tuples, a, theirs, down)
    assert np.array_equal(mine, theirs)


def test_a_nan_key_is_refused_by_the_stated_rule(pair: tuple[dict[str, Any], Any]) -> None:
    """CPython's order with NaN keys depends on timsort's comparisons; compiled, ValueError."""
    _, wasm = pair
    assert outcome(wasm.nan_key, np.array([1.0, np.inf])) == ("raise", "ValueError")
    assert outcome(wasm.nan_key, np.array([2.0, 1.0])) == ("ok", 2.0)  # stable: 0.0 keys


HEAD = "from portalis.lang import Array, f64, i64\n\n\n"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("    xs = [1.0]\n    xs.sort(key=lambda a, b: a)\n", "takes one parameter"),
        ("    xs = [1.0]\n    xs.sort(key=xs)\n", "`xs` is not a function"),
        ("    xs = [1.0]\n    xs.sort(key=lambda v: v, cmp=1)\n", "with `cmp` is not supported"),
        ("    ps = [(1, 2)]\n    ps.sort(key=abs)\n", "on a list of tuples is not supported yet"),
        ("    ps = [(1, 2)]\n    ps.sort(key=lambda p: p[2])\n", "constant from -2 to 1"),
        ("    ps = [(1, 2)]\n    ps.sort(key=lambda p: p)\n", "uses the tuple `p` whole"),
        ("    xs = [1.0]\n    xs.sort(key=1.5)\n", "key=1.5 is not supported yet"),
    ],
)
def test_unsupported_keys_are_located_errors(body: str, words: str) -> None:
    source = HEAD + "def f(n: int) -> int:\n" + body + "    return n\n"
    with pytest.raises(CompileError) as info:
        compile_source(source, "k.py")
    assert "k.py:6:" in str(info.value) and words in str(info.value), str(info.value)
