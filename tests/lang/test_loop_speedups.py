"""The loop speed-ups keep CPython's semantics at the edges: unrolled loops (every trip
count, break/continue in any copy, steps, bounds next to the int64 limits, the loop variable
after the loop) and indices proven non-negative (only their upper bound checked: IndexError
still raised, at the right line, after the same writes)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.errors import WasmTrap
from portalis.lang import compile_source

from . import wat_shape
from .conftest import Kernels, check, kernels_fixture, outcome, same

SOURCE = """\
from portalis.lang import Array, f64


def total(start: int, stop: int, step: int) -> int:
    t = 0
    for i in range(start, stop, 3):
        t += i * step
    return t


def plain(start: int, stop: int) -> int:
    t = 0
    for i in range(start, stop):
        t = (t * 3 + i % 97) % 1000003
    return t


def last(n: int) -> int:
    i = -7
    for i in range(n):
        pass
    return i


def stops(n: int, at: int, skip: int) -> tuple[int, int]:
    t = 0
    seen = 0
    for i in range(n):
        if i % 7 == skip:
            continue
        if i == at:
            break
        t += i
        seen += 1
    return t, seen


def rebinds(n: int) -> int:
    t = 0
    for i in range(n):
        t += i
        i = 100
        t += i
    return t


def nested(n: int, m: int) -> int:
    t = 0
    for i in range(n):
        for j in range(i, m):
            t += i * j
    return t


def huge(n: int) -> int:
    t = 0
    for i in range(9223372036854775807 - n, 9223372036854775807):
        t += 1
    for i in range(-9223372036854775808, -9223372036854775808 + n):
        t += 1
    return t


def fill(xs: Array[f64], out: Array[f64]) -> float:
    s = 0.0
    for i in range(1, len(xs) - 1):
        out[i] = xs[i - 1] + xs[i + 1]
        s += out[i]
    return s


def rows(grid: Array[f64, 2], out: Array[f64, 2]) -> float:
    n = grid.shape[0]
    m = grid.shape[1]
    s = 0.0
    for i in range(1, n - 1):
        for j in range(1, m - 1):
            v = grid[i - 1, j] + grid[i, j + 1]
            out[i, j] = v
            s += v
    return s


def window(xs: Array[f64], out: Array[f64], lo: int, n: int, k: int) -> float:
    s = 0.0
    for i in range(lo, n):
        out[i - 1] = xs[i + 2] * 2.0 + xs[k]
        s += out[i - 1] - xs[-1]
    return s


def column(grid: Array[f64, 2], k: int, out: Array[f64]) -> None:
    for j in range(grid.shape[1]):
        out[j] = grid[k, j]


def collatz(n: int, limit: int, skip: int) -> tuple[int, int]:
    steps = 0
    total = 0
    while n != 1 and steps < limit:
        steps += 1
        if n % 2 == 0:
            n = n // 2
            if steps % 5 == skip:
                continue
        else:
            n = 3 * n + 1
        if n == 40:
            break
        total += n
    return steps, total


def _pick(x: float, lo: float) -> float:
    if x < lo:
        return lo
    if x > 2.0:
        return 2.0
    return x


def picked(xs: Array[f64], lo: float) -> float:
    s = 0.0
    for i in range(len(xs)):
        s += _pick(xs[i], lo)
    k = 0
    while k < len(xs) and s > -100.0:
        s -= _pick(xs[k] * 0.5, lo)
        k += 1
    return s


def shifted(xs: Array[f64], n: int, k: int) -> float:
    s = 0.0
    for i in range(2, n):
        s += xs[i - k]
    return s
"""


kernels = kernels_fixture(SOURCE, "speedups.py")


def line_of(text: str) -> int:
    return next(k for k, line in enumerate(SOURCE.splitlines(), 1) if text in line)


@pytest.mark.parametrize("n", range(0, 13))
def test_every_trip_count(kernels: Kernels, n: int) -> None:
    for start in (-3, 0, 2):
        check(kernels, "plain", start, start + n)
        check(kernels, "total", start, start + 3 * n, 5)
        check(kernels, "total", start, start + 3 * n - 1, 5)
    check(kernels, "last", n)
    check(kernels, "rebinds", n)
    check(kernels, "nested", n, n + 2)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 40),
    st.integers(-1, 45),
    st.integers(0, 7),
)
def test_break_and_continue_in_any_copy(kernels: Kernels, n: int, at: int, skip: int) -> None:
    check(kernels, "stops", n, at, skip)


@settings(max_examples=120, deadline=None)
@given(st.integers(1, 60), st.integers(0, 30), st.integers(-1, 5))
def test_unrolled_while_loops(kernels: Kernels, n: int, limit: int, skip: int) -> None:
    """Each copy of a ``while`` body tests the condition first: any number of iterations,
    break and continue in any copy."""
    check(kernels, "collatz", n, limit, skip)


@pytest.mark.parametrize("n", [0, 1, 3, 4, 5, 9])
def test_inlined_helpers_with_control_flow_in_copies(kernels: Kernels, n: int) -> None:
    """A helper with early returns is inlined as a labelled block into every copy."""
    xs = np.linspace(-3.0, 3.0, n)
    for lo in (-1.0, 0.0, 0.5):
        check(kernels, "picked", xs, lo)


def test_ranges_at_the_int64_limits(kernels: Kernels) -> None:
    for n in (0, 1, 2, 3, 4, 5, 9):
        check(kernels, "huge", n)
    check(kernels, "plain", -(1 << 63), -(1 << 63) + 6)
    check(kernels, "plain", (1 << 63) - 6, (1 << 63) - 1)


def test_unrolled_bodies_are_emitted() -> None:
    """The loops above are unrolled (so the tests exercise the copies): one trip of the
    loop runs several bodies, and a plain loop finishes the rest; library code and loops
    with a loop inside are not."""
    wat = compile_source(SOURCE, "speedups.py").wat
    plain = wat_shape.function(wat, "plain").loops()
    assert sorted(loop.bodies_per_back_edge() for loop in plain)[-1] > 1  # unrolled
    assert min(loop.bodies_per_back_edge() for loop in plain) == 1  # and the remainder
    outer, *inner = wat_shape.function(wat, "nested").loops()
    assert outer.bodies_per_back_edge() == 1  # a loop with a loop inside stays as it is
    assert max(loop.bodies_per_back_edge() for loop in inner) > 1
    (collatz,) = wat_shape.function(wat, "collatz").loops()
    assert collatz.bodies_per_back_edge() > 1


@pytest.mark.parametrize("size", [2, 3, 4, 5, 6, 7, 8, 11])
def test_writes_match_cpython(kernels: Kernels, size: int) -> None:
    py, wasm = kernels
    rng = np.random.default_rng(size)
    xs = rng.standard_normal(size)
    a, b = np.zeros(size), np.zeros(size)
    assert py["fill"](xs, a) == wasm.fill(xs, b)
    np.testing.assert_array_equal(a, b)
    grid = rng.standard_normal((size, size + 1))
    a, b = np.zeros_like(grid), np.zeros_like(grid)
    assert py["rows"](grid, a) == wasm.rows(grid, b)
    np.testing.assert_array_equal(a, b)


def test_index_error_when_the_output_is_shorter(kernels: Kernels) -> None:
    """``out`` is indexed by a variable proven non-negative: only its upper bound is
    checked, and running off its end still raises IndexError at that line, after the same
    writes CPython makes."""
    py, wasm = kernels
    xs = np.arange(10.0)
    a, b = np.zeros(6), np.zeros(6)
    with pytest.raises(IndexError):
        py["fill"](xs, a)
    with pytest.raises(WasmTrap) as info:
        wasm.fill(xs, b)
    assert info.value.python_exception == "IndexError"
    assert info.value.line == line_of("out[i] = ")
    np.testing.assert_array_equal(a, b)
    grid = np.ones((6, 6))
    for shape in [(6, 3), (3, 6), (1, 1)]:
        a, b = np.zeros(shape), np.zeros(shape)
        with pytest.raises(IndexError):
            py["rows"](grid, a)
        with pytest.raises(WasmTrap) as info:
            wasm.rows(grid, b)
        assert info.value.python_exception == "IndexError"
        assert info.value.line == line_of("out[i, j] = v")
        np.testing.assert_array_equal(a, b)


def test_negative_offsets_keep_wrapping(kernels: Kernels) -> None:
    """``xs[i - k]`` with an unknown ``k`` may be negative: it still counts from the end."""
    xs = np.arange(8.0)
    for k in (-3, 0, 1, 2, 5, 9, 12):
        check(kernels, "shifted", xs, 8, k)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 9),
    st.integers(0, 9),
    st.integers(-3, 12),
    st.integers(-3, 14),
    st.integers(-12, 12),
)
def test_versioned_loops_match_cpython(  # type: ignore[no-untyped-def]
    kernels, n_xs: int, n_out: int, lo: int, n: int, k: int
) -> None:
    """Random extents, bounds and an invariant index: whichever version runs, results,
    exceptions and the writes made before them are CPython's."""
    py, wasm = kernels
    xs = np.arange(1.0, n_xs + 1.0)
    a, b = np.zeros(n_out), np.zeros(n_out)
    expected = outcome(py["window"], xs, a, lo, n, k)
    got = outcome(wasm.window, xs, b, lo, n, k)
    assert expected[0] == got[0] and same(expected[1], got[1]), (expected, got)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("k", [-4, -3, -1, 0, 2, 3, 4])
def test_invariant_negative_index_counts_from_the_end(kernels: Kernels, k: int) -> None:
    py, wasm = kernels
    grid = np.arange(15.0).reshape(3, 5)
    a, b = np.zeros(5), np.zeros(5)
    assert outcome(py["column"], grid, k, a) == outcome(wasm.column, grid, k, b)
    np.testing.assert_array_equal(a, b)


def test_versioned_loop_has_one_guard_before_the_loop() -> None:
    """``out[i]``'s bounds are tested once, before the loop: the unrolled loop that runs
    when the guard holds checks no index, and the checks stay only in the loop kept for
    when it fails."""
    fill = wat_shape.function(compile_source(SOURCE, "speedups.py").wat, "fill")
    guards = [s for s in fill.body if isinstance(s, wat_shape.Structure) and s.kind == "if"]
    assert len(guards) == 1  # one guard, at the top level of the function: before the loop
    (guard,) = guards
    fast = wat_shape.Structure("then", body=guard.body)
    slow = wat_shape.Structure("else", body=guard.orelse)
    assert fast.loops() and slow.loops()
    assert not fast.raises("IndexError")
    assert max(loop.bodies_per_back_edge() for loop in fast.loops()) > 1
    assert slow.raises("IndexError")
    assert all(loop.bodies_per_back_edge() == 1 for loop in slow.loops())


def test_nonneg_index_checks_only_the_upper_bound() -> None:
    wat = compile_source(SOURCE, "speedups.py").wat
    fill = wat_shape.function(wat, "fill")
    assert wat_shape.fix_ups(fill) == 0  # no negative-index wrap-around for out[i]
    assert "i64.ge_u" in fill.instructions()  # but still the upper-bound check
    assert wat_shape.fix_ups(wat_shape.function(wat, "shifted")) > 0
