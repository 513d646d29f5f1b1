"""Whole-array overlap tests hoisted out of loop nests (backend/simd.py, ``hoist_apart``):
a vectorised loop's rows of two different arrays need no overlap test of their own when a
test before the nest found the two arrays' bytes apart; when they overlap (two views of
one buffer), each row pair is still tested, and the result is CPython's either way."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang.backend import simd

from .conftest import Built, Kernels, check, python_and_built

SOURCE = """
import numpy as np
from portalis.lang import Array, f64, u8


def smooth3(u: Array[f64, 3], out: Array[f64, 3], open_: Array[u8, 3], a: float) -> None:
    for i in range(1, u.shape[0] - 1):
        for j in range(1, u.shape[1] - 1):
            for k in range(1, u.shape[2] - 1):
                around = (
                    u[i - 1, j, k]
                    + u[i + 1, j, k]
                    + u[i, j - 1, k]
                    + u[i, j + 1, k]
                    + u[i, j, k - 1]
                    + u[i, j, k + 1]
                )
                out[i, j, k] = (u[i, j, k] + a * around) * open_[i, j, k]


def smooth2(u: Array[f64, 2], out: Array[f64, 2], a: float) -> None:
    for i in range(1, u.shape[0] - 1):
        for j in range(1, u.shape[1] - 1):
            out[i, j] = u[i, j] + a * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])


def repeat1(x: Array[f64], out: Array[f64], lo: int, hi: int, times: int) -> None:
    for t in range(times):
        for j in range(lo, hi):
            out[j] = out[j] * 0.5 + x[j]


def swept(u: Array[f64, 2], sweeps: int) -> Array[f64, 2]:
    u = u.copy()
    new = np.empty_like(u)
    new[:, :] = u
    for _ in range(sweeps):
        for i in range(1, u.shape[0] - 1):
            for j in range(1, u.shape[1] - 1):
                new[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])
        u, new = new, u
    return u


def single(x: Array[f64], out: Array[f64]) -> None:
    for j in range(x.shape[0]):
        out[j] = x[j] * 2.0
"""


@pytest.fixture(scope="module")
def built() -> Built:
    return python_and_built(SOURCE, "hoisted_overlap.py")


@pytest.fixture(scope="module")
def kernels(built: Built) -> Kernels:
    return built[0], built[1]


def function_text(wat: str, name: str) -> str:
    start = wat.index(f"(func ${name} ")
    end = wat.find("\n  (func ", start + 1)
    return wat[start : end if end >= 0 else len(wat)]


def apart_flags(text: str) -> list[str]:
    """The i32 locals set right after a whole-array test (``... i64.le_s i32.or``)."""
    return re.findall(r"i64\.le_s\s+i32\.or\s+local\.set (\$\S+)", text)


def first_loop(text: str) -> int:
    return text.index("loop $")


@pytest.mark.parametrize(("name", "pairs"), [("smooth3", 2), ("smooth2", 1), ("repeat1", 1)])
def test_disjoint_parameters_are_tested_once_before_the_nest(built, name, pairs):
    """One whole-array test per pair of parameters, before the outermost loop; inside,
    the vectorised loop reads the flags first and its row tests run only when they fail."""
    text = function_text(built[2].wat, name)
    flags = apart_flags(text)
    assert len(flags) == pairs
    assert all(text.index(f"local.set {f}") < first_loop(text) for f in flags)
    vectors = text.index("block $vectors")
    for flag in flags:
        use = text.index(f"local.get {flag}", first_loop(text))
        assert use < vectors
        # the flags decide (``if``) before any row pointer's span is computed
        between = text[use:vectors]
        flags_then_if = r"local\.get \S+\s+(i32\.and\s+)?(local\.get \S+\s+i32\.and\s+)*if"
        assert re.match(flags_then_if, between)
    assert simd.vector_loops(text) == 1


def test_a_swap_in_the_outer_loop_keeps_the_test_inside_it(built):
    """``u, new = new, u`` each sweep: the arrays' addresses change per sweep, so the test
    is made before each sweep's row loop, not before the sweeps."""
    text = function_text(built[2].wat, "swept")
    flags = apart_flags(text)
    assert len(flags) == 1
    assert text.index(f"local.set {flags[0]}") > first_loop(text)


def test_a_loop_with_no_loop_around_it_keeps_its_own_test(built):
    text = function_text(built[2].wat, "single")
    assert apart_flags(text) == []
    assert simd.vector_loops(text) == 1


FLOATS = st.floats(-1e3, 1e3, width=64) | st.sampled_from([0.0, -0.0, float("nan"), 1e308])


@settings(max_examples=40, deadline=None)
@given(
    shape=st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 9)),
    a=FLOATS,
    seed=st.integers(0, 2**32 - 1),
    smaller=st.booleans(),
)
def test_disjoint_arrays_equal_cpython(kernels, shape, a, seed, smaller):
    """Separate arrays (the flags hold), 3-D and 2-D; ``out`` one row short on some axis
    sends the loop to the scalar one (IndexError where CPython raises it)."""
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(shape)
    out_shape = (shape[0], shape[1], max(shape[2] - 1, 0)) if smaller else shape
    out = np.full(out_shape, 7.0)
    open_ = (rng.random(shape) < 0.7).astype(np.uint8)
    check(kernels, "smooth3", u, out, open_, a, bits=True)
    flat = (shape[0] * shape[1], shape[2])
    check(kernels, "smooth2", u.reshape(flat), out.reshape(flat[0], out_shape[2]), a, bits=True)
    x = rng.standard_normal(shape[2])
    check(kernels, "repeat1", x, np.ones(shape[2]), 0, shape[2], 2, bits=True)


def _one_buffer(compiled, base: np.ndarray):
    memory = compiled.instance.memory
    return memory, memory.write(base)


@settings(max_examples=60, deadline=None)
@given(
    shape=st.tuples(st.integers(3, 5), st.integers(3, 5), st.integers(1, 9)),
    shift=st.integers(-12, 12),
    a=FLOATS,
    seed=st.integers(0, 2**32 - 1),
)
def test_views_of_one_buffer_equal_cpython(kernels, shape, shift, a, seed):
    """``u`` and ``out`` as views of one buffer ``shift`` elements apart: whole arrays
    overlap (the flags fail), and each row pair is then tested; rows that overlap send the
    loop to the scalar one. The buffer after the call is CPython's, bit for bit."""
    python, compiled = kernels
    n = int(np.prod(shape))
    rng = np.random.default_rng(seed)
    base = rng.standard_normal(n + abs(shift))
    lo = max(0, -shift)
    want = base.copy()
    mask = np.ones(shape, np.uint8)
    python["smooth3"](
        want[lo + shift : lo + shift + n].reshape(shape), want[lo : lo + n].reshape(shape), mask, a
    )
    compiled.smooth3(np.zeros(shape), np.zeros(shape), mask, a)  # scratch first
    memory, view = _one_buffer(compiled, base)
    u = memory.view(view.offset + 8 * (lo + shift), np.float64, shape)
    out = memory.view(view.offset + 8 * lo, np.float64, shape)
    compiled.smooth3(u, out, mask, a)
    assert view.numpy().tobytes() == want.tobytes()


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 12),
    shift=st.integers(-14, 14),
    lo=st.integers(0, 6),
    width=st.integers(0, 6),
    seed=st.integers(0, 2**32 - 1),
)
def test_views_whose_used_rows_lie_apart_equal_cpython(kernels, n, shift, lo, width, seed):
    """1-D views of one buffer that overlap as wholes while the columns the loop uses may
    not (``lo + width <= |shift|``): the row test, not the whole-array one, decides."""
    python, compiled = kernels
    hi = min(lo + width, n)
    rng = np.random.default_rng(seed)
    base = rng.standard_normal(n + abs(shift))
    start = max(0, -shift)
    want = base.copy()
    python["repeat1"](want[start + shift : start + shift + n], want[start : start + n], lo, hi, 2)
    compiled.repeat1(np.zeros(n), np.zeros(n), lo, hi, 2)  # scratch first
    memory, view = _one_buffer(compiled, base)
    x = memory.view(view.offset + 8 * (start + shift), np.float64, n)
    out = memory.view(view.offset + 8 * start, np.float64, n)
    compiled.repeat1(x, out, lo, hi, 2)
    assert view.numpy().tobytes() == want.tobytes()


@pytest.mark.parametrize("sweeps", [0, 1, 2, 3])
def test_swapped_arrays_equal_cpython(kernels, sweeps):
    rng = np.random.default_rng(sweeps)
    check(kernels, "swept", rng.standard_normal((6, 7)), sweeps, bits=True, returns=True)
