"""Loop versioning for indices of a counter (``out[3 * count + 1]`` with ``count += 1`` once
per iteration at most: a filter writing what it keeps): one guard before the loop stands in
for their bounds checks, and whichever version runs, results, exceptions (IndexError at its
line and iteration) and the writes made before them are CPython's — too-short outputs,
negative counters counting from the end, accesses before and after the increment, loops
whose body increments twice or in a nested loop (no guard for those), and counters near the
int64 limits, where the guard's own arithmetic must not wrap."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import compile_source

from . import wat_shape
from .conftest import check, python_and_compiled

SOURCE = """\
from portalis.lang import Array, f64, i32


def gather(
    src: Array[f64], keep: Array[i32], out: Array[f64], w: Array[f64], lo: int, n: int,
    count: int,
) -> int:
    for v in range(lo, n):
        if keep[v] == 0:
            continue
        out[3 * count] = src[v]
        out[3 * count + 1] = 2.0 * src[v]
        out[3 * count + 2] = 3.0
        count += 1
        w[count - 1] = 1.5
    return count


def select_count(src: Array[f64], out: Array[f64], n: int, count: int, step: int) -> int:
    for v in range(0, n, 2):
        out[count] = src[v]
        if src[v] > 0.5:
            count += 1
    return count + step


def stop_early(src: Array[f64], out: Array[f64], n: int, limit: float) -> int:
    count = 0
    for v in range(n):
        if src[v] > limit:
            break
        out[2 * count + 1] = src[v]
        count += 1
    return count


def twice(src: Array[f64], out: Array[f64], n: int) -> int:
    count = 0
    for v in range(n):
        out[count] = src[v]
        count += 1
        if src[v] > 0.5:
            count += 1
    return count


def in_while(src: Array[f64], out: Array[f64], n: int) -> int:
    count = 0
    for v in range(n):
        out[count] = src[v]
        k = 0
        while k < 2 and src[v] > 0.5:
            count += 1
            k += 1
    return count
"""


@pytest.fixture(scope="module")
def kernels():  # type: ignore[no-untyped-def]
    return python_and_compiled(SOURCE, "counters.py")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 1), min_size=0, max_size=12),
    st.integers(0, 40),
    st.integers(0, 14),
    st.integers(-4, 12),
    st.integers(-4, 14),
    st.integers(-16, 8),
)
def test_gather_matches_cpython(  # type: ignore[no-untyped-def]
    kernels, keep: list[int], n_out: int, n_w: int, lo: int, n: int, count: int
) -> None:
    src = np.arange(1.0, len(keep) + 1.0)
    check(
        kernels,
        "gather",
        src,
        np.array(keep, dtype=np.int32),
        np.zeros(n_out),
        np.zeros(n_w),
        lo,
        n,
        count,
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=0, max_size=16),
    st.integers(0, 12),
    st.integers(-3, 18),
    st.integers(-14, 6),
)
def test_conditional_increment_matches_cpython(  # type: ignore[no-untyped-def]
    kernels, src: list[float], n_out: int, n: int, count: int
) -> None:
    check(kernels, "select_count", np.array(src), np.zeros(n_out), n, count, 1)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=0, max_size=16),
    st.integers(0, 40),
    st.integers(-2, 18),
    st.floats(0.0, 1.0),
)
def test_break_and_double_increments_match_cpython(  # type: ignore[no-untyped-def]
    kernels, src: list[float], n_out: int, n: int, limit: float
) -> None:
    a = np.array(src)
    check(kernels, "stop_early", a, np.zeros(n_out), n, limit)
    check(kernels, "twice", a, np.zeros(n_out), n)
    check(kernels, "in_while", a, np.zeros(n_out), n)


@pytest.mark.parametrize(
    "count", [2**61, 2**61 + 5, -(2**61), -(2**61) - 7, 2**40 - 1, 2**40, -(2**40) - 1]
)
def test_counters_near_the_int64_limits(kernels, count: int) -> None:  # type: ignore[no-untyped-def]
    """Counters whose products with 3 would wrap int64 in the guard were it not to test
    them first: no access outside the array gets through. (Indices past int64 themselves
    differ from CPython by design: docs/language.md.)"""
    keep = np.ones(6, dtype=np.int32)
    check(kernels, "gather", np.arange(1.0, 7.0), keep, np.zeros(30), np.zeros(10), 0, 6, count)
    check(kernels, "select_count", np.linspace(0.0, 1.0, 9), np.zeros(20), 9, count, 0)


def test_guarded_copy_checks_no_index() -> None:
    """One guard before the loop; the copy that runs when it holds raises no IndexError,
    the plain copy kept for when it fails still does. A counter incremented twice in an
    iteration, or in a nested loop, gets no guard (its accesses keep their checks)."""
    wat = compile_source(SOURCE, "counters.py").wat
    for name in ("gather", "select_count", "stop_early"):
        fn = wat_shape.function(wat, name)
        (guard,) = [s for s in fn.all() if s.kind == "if" and s.loops()]
        assert not wat_shape.Structure("then", body=guard.body).raises("IndexError"), name
        assert wat_shape.Structure("else", body=guard.orelse).raises("IndexError"), name
    for name in ("twice", "in_while"):
        fn = wat_shape.function(wat, name)
        for guard in [s for s in fn.all() if s.kind == "if" and s.loops()]:
            assert wat_shape.Structure("then", body=guard.body).raises("IndexError"), name


@pytest.mark.parametrize("count", [0, 3])
@pytest.mark.parametrize("short_out", [0, 1, 2, 3])
@pytest.mark.parametrize("short_w", [0, 1])
def test_outputs_exactly_full_or_one_short(  # type: ignore[no-untyped-def]
    kernels, count: int, short_out: int, short_w: int
) -> None:
    """Every item kept: the outputs hold exactly the last index written, or are short of it
    by one element (IndexError at the last iteration, after the writes before it); the
    access after the increment reaches one further than those before it."""
    m = 7
    keep = np.ones(m, dtype=np.int32)
    out, w = np.zeros(3 * (count + m) - short_out), np.zeros(count + m - short_w)
    check(kernels, "gather", np.arange(1.0, m + 1.0), keep, out, w, 0, m, count)
    check(kernels, "stop_early", np.full(m, 0.25), np.zeros(2 * m + 1 - short_out), m, 0.5)
