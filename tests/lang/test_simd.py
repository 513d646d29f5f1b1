"""Vectorised loops (backend/simd.py) give CPython's results bit for bit: element-wise
kernels over every remainder length, out-of-range bounds and zero divisors (the scalar
loop raises where CPython does), overlapping arrays in linear memory (the runtime alias
check falls back to the scalar loop), and the loop variable and body locals after the
loop. The compiler is also shown to vectorise where it may and to refuse where an
iteration depends on another."""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import ir
from portalis.lang.backend import simd
from portalis.lang.backend.unroll import nodes
from portalis.lang.frontend.program import Program, default_library
from portalis.lang.frontend.unit import parse_unit

from .conftest import Built, Kernels, check, python_and_built, same

SOURCE = """\
import math

from portalis.lang import Array, f64, u8


def axpy(a: float, x: Array[f64], y: Array[f64], out: Array[f64], lo: int, hi: int) -> float:
    t = -1.0
    j = -1
    for j in range(lo, hi):
        t = a * x[j] + y[j]
        out[j] = t - x[j] / 4.0
    return t + float(j)


def scaled(x: Array[f64], out: Array[f64], d: float, lo: int, hi: int) -> None:
    for j in range(lo, hi):
        out[j] = -abs(x[j]) * (1.5 / d) + math.sqrt(abs(x[j]) * 0.5)


def shifted(x: Array[f64], out: Array[f64], n: int) -> None:
    for j in range(n):
        out[j + 1] = x[j] * 2.0 + 1.0


def row_update(m: Array[f64, 2], i: int, k: int, s: float) -> None:
    for j in range(m.shape[1]):
        m[i, j] += s * m[k, j]


def stencil(u: Array[f64, 2], new: Array[f64, 2]) -> None:
    for i in range(1, u.shape[0] - 1):
        for j in range(1, u.shape[1] - 1):
            new[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])


def relax(d: Array[f64, 2], i: int, k: int) -> None:
    dik = d[i, k]
    for j in range(d.shape[1]):
        if dik + d[k, j] < d[i, j]:
            d[i, j] = dik + d[k, j]


def clip_count(x: Array[f64], hi: float) -> int:
    n = 0
    for j in range(len(x)):
        if x[j] > hi:
            x[j] = hi
            n += 1
    return n


def masked(u0: Array[f64], p: Array[f64], mask: Array[u8], u: Array[f64], s: float) -> None:
    for k in range(1, len(u)):
        u[k] = (u0[k] - s * (p[k] - p[k - 1])) * mask[k]


def gauss_seidel(g: Array[f64]) -> None:
    for j in range(1, len(g)):
        g[j] = g[j - 1] * 0.5 + g[j]


def total(x: Array[f64]) -> float:
    s = 0.0
    for j in range(len(x)):
        s += x[j]
    return s


def relax_open(p: Array[f64], inv: Array[f64], b: Array[f64], w: float, lo: int, hi: int) -> int:
    closed = 0
    for j in range(lo, hi):
        if inv[j] == 0.5:
            around = p[j] + b[j] * 2.0
            here = p[j]
            p[j] = here + w * (around * 0.5 - here)
        else:
            closed += 1
            b[j] = -b[j]
    return closed


def count_down(x: Array[f64], t: float, n: int, by: int) -> int:
    for j in range(len(x)):
        if x[j] != t:
            n -= by
        n += 1
    return n


def last_clipped(x: Array[f64], t: float) -> float:
    last = 0.0
    for j in range(len(x)):
        if x[j] > t:
            last = x[j] * 2.0
            x[j] = last
    return last


def between_rows(a: Array[f64, 2], i: int) -> None:
    for j in range(a.shape[1]):
        a[i, j] = a[i - 1, j] * 0.5 + a[i + 1, j]
"""

VECTORISED = {
    "axpy",
    "scaled",
    "shifted",
    "row_update",
    "stencil",
    "relax",
    "masked",
    "clip_count",
    "relax_open",
    "count_down",
    "between_rows",
}
REFUSED = {
    "gauss_seidel": "another column",
    "total": "carries a value",
    # ``last`` is read after the loop: assigning it on every lane would leave the wrong one
    "last_clipped": "does more than store",
}


@pytest.fixture(scope="module")
def built() -> Built:
    return python_and_built(SOURCE, "simd_kernels.py")


@pytest.fixture(scope="module")
def kernels(built: Built) -> Kernels:
    """(CPython namespace, compiled kernel)."""
    return built[0], built[1]


@pytest.fixture(scope="module")
def wat(built: Built) -> str:
    return built[2].wat


def function_text(wat: str, name: str) -> str:
    start = wat.index(f"(func ${name} ")
    end = wat.find("\n  (func ", start + 1)
    return wat[start : end if end >= 0 else len(wat)]


@pytest.mark.parametrize("name", sorted(VECTORISED))
def test_independent_loops_are_vectorised(wat, name):
    text = function_text(wat, name)
    assert re.search(r"\bf64x2\.(add|sub|mul|div|gt|ne)\b", text)
    assert "v128.load" in text
    assert simd.vector_loops(text) == 1


def test_read_only_rows_are_loaded_once_per_column(wat):
    """The stencil's ``u[i, j + 1]`` in one round is ``u[i, j - 1]`` in the next: within
    one trip round the vector loop, no (row pointer, offset) is loaded twice, while the
    row written (``new``) is still stored every round."""
    text = function_text(wat, "stencil")
    loop = text.split("loop $vector", 1)[1].split("br $vector", 1)[0]
    lines = [line.strip() for line in loop.splitlines()]
    loads = [
        (pointer, load)
        for pointer, load in itertools.pairwise(lines)
        if load.startswith("v128.load") and pointer.startswith("local.get")
    ]
    assert len(loads) > 8 and len(set(loads)) == len(loads)
    assert any(line.startswith("v128.store") for line in lines)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_loops_with_a_dependence_are_not(wat, name):
    assert "f64x2" not in function_text(wat, name)
    assert "v128" not in function_text(wat, name)
    assert simd.vector_loops(function_text(wat, name)) == 0


def lowered_loop(name: str) -> tuple[ir.ForRange, ir.Function]:
    unit = parse_unit(SOURCE, "k.py", prefix="", exported=True)
    program = Program(unit, default_library())
    fn = next(f for f in program.lower_all() if f.name == name)
    loop = next(n for s in fn.body for n in nodes(s) if isinstance(n, ir.ForRange))
    return loop, fn


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refusal_names_the_dependence(name):
    loop, fn = lowered_loop(name)
    assert REFUSED[name] in simd.refusal(loop, fn)


def test_counts_are_lane_reductions():
    """``closed += 1`` in an ``else`` and ``n -= by``/``n += 1`` become per-lane int
    counts, added to the local after the vector rounds."""
    for name, counts in (("relax_open", ["closed"]), ("count_down", ["n"])):
        loop, fn = lowered_loop(name)
        vector = simd.plan(loop, fn)
        assert vector is not None and vector.counts == counts


def test_rows_of_one_array_need_no_overlap_test():
    """``a[i - 1, j]``, ``a[i, j]`` and ``a[i + 1, j]`` are three rows of one array whose
    indices are all in bounds in the vector loop: they cannot overlap, so no run-time test
    compares them. Two different arrays still are compared."""
    loop, fn = lowered_loop("between_rows")
    vector = simd.plan(loop, fn)
    assert vector is not None and vector.disjoint == []
    loop, fn = lowered_loop("relax_open")
    vector = simd.plan(loop, fn)
    assert vector is not None and len(vector.disjoint) == 3  # p, b written; inv read


FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64) | st.sampled_from(
    [0.0, -0.0, 1.5, -2.25, 1e308, 5e-324]
)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(FLOATS, min_size=0, max_size=40),
    a=FLOATS,
    lo=st.integers(-2, 3),
    extra=st.integers(-1, 40),
)
def test_axpy_equals_cpython(kernels, values, a, lo, extra):
    x = np.array(values)
    hi = max(lo, 0) + extra  # every remainder length, and past the end (IndexError)
    check(kernels, "axpy", a, x, x[::-1] * 0.5, np.full(len(values), 7.0), lo, hi, bits=True)


@settings(max_examples=40, deadline=None)
@given(values=st.lists(FLOATS, min_size=0, max_size=9), d=FLOATS | st.just(0.0))
def test_scaled_equals_cpython_including_a_zero_divisor(kernels, values, d):
    n = len(values)
    check(kernels, "scaled", np.array(values), np.zeros(n), d, 0, n, bits=True)


# Up to 8 vector rounds (16 iterations) per back-edge, then 4, 2 and 1 round, then scalar.
@pytest.mark.parametrize("n", [*range(0, 20), 31, 32, 33, 46, 47])
def test_row_and_stencil_loops_over_every_remainder(kernels, n):
    rng = np.random.default_rng(n)
    m = rng.standard_normal((3, n))
    for i, k in ((0, 1), (2, 0), (1, 1)):  # (1, 1): the row updated from itself
        check(kernels, "row_update", m.copy(), i, k, 0.375, bits=True, returns=True)
    u = rng.standard_normal((n + 2, n + 3))
    check(kernels, "stencil", u, np.zeros_like(u), bits=True, returns=True)


@pytest.mark.parametrize("shift", [-1, 0, 1, 2])
@pytest.mark.parametrize("n", [0, 1, 4, 5])
def test_overlapping_arrays_in_linear_memory(kernels, shift, n):
    """``x`` and ``out`` as views of one buffer, ``shift`` elements apart: with a shift of 1,
    CPython's loop feeds each result into the next iteration, which two lanes at a time
    would not: the alias check must send it to the scalar loop."""
    python, compiled = kernels
    base = np.arange(1.0, n + 5)
    want = base.copy()
    lo = max(0, -shift)
    python["shifted"](want[lo + shift : lo + shift + n + 1], want[lo : lo + n + 1], n)
    memory = compiled.instance.memory
    compiled.shifted(np.zeros(n + 1), np.zeros(n + 1), n)  # scratch first (may grow memory)
    view = memory.write(base)
    x = memory.view(view.offset + 8 * (lo + shift), np.float64, n + 1)
    out = memory.view(view.offset + 8 * lo, np.float64, n + 1)
    compiled.shifted(x, out, n)
    assert view.numpy().tobytes() == want.tobytes()


def test_aliased_arguments_to_axpy_in_linear_memory(kernels):
    python, compiled = kernels
    base = np.linspace(-3.0, 3.0, 9)
    want = base.copy()
    t_want = python["axpy"](1.5, want, want, want, 0, 9)
    memory = compiled.instance.memory
    compiled.axpy(1.5, np.zeros(9), np.zeros(9), np.zeros(9), 0, 9)
    view = memory.write(base)
    t_got = compiled.axpy(1.5, view, view, view, 0, 9)
    assert same(t_want, t_got)
    assert view.numpy().tobytes() == want.tobytes()


def test_locals_after_a_vectorised_loop_hold_the_last_iteration(kernels):
    for n in range(6):
        x = np.arange(float(n)) - 1.5
        assert math.isfinite(
            check(kernels, "axpy", 2.0, x, x * 3.0, np.zeros(n), 0, n, returns=True)
        )


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(FLOATS, min_size=1, max_size=18),
    width=st.integers(1, 6),
    i=st.integers(0, 2),
    k=st.integers(0, 2),
)
def test_conditional_store_equals_cpython(kernels, cells, width, i, k):
    """``if a < b: x[j] = a`` as a per-lane select, with NaN and infinities in the
    comparison, and the row relaxed against itself (``i == k``)."""
    d = np.resize(np.array(cells), (3, width))
    check(kernels, "relax", d.copy(), i, k, bits=True)
    check(kernels, "clip_count", d.ravel().copy(), 0.5, bits=True)


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(FLOATS, min_size=0, max_size=11),
    bytes_=st.lists(st.integers(0, 255), min_size=11, max_size=11),
    s=FLOATS,
)
def test_uint8_mask_widened_equals_cpython(kernels, values, bytes_, s):
    n = len(values)
    u0 = np.array(values)
    mask = np.array(bytes_[:n], dtype=np.uint8)
    check(kernels, "masked", u0, u0[::-1] * 0.25, mask, np.zeros(n), s, bits=True, returns=True)


@settings(max_examples=80, deadline=None)
@given(
    cells=st.lists(FLOATS | st.just(0.5), min_size=0, max_size=21),
    lo=st.integers(-1, 2),
    extra=st.integers(-1, 23),
    w=FLOATS,
)
def test_if_else_with_a_count_equals_cpython(kernels, cells, lo, extra, w):
    """The fluid's sweep shape, unit stride: an ``==`` test (NaN compares unequal, as in
    CPython), locals and a store in the ``if``, a count and a store in the ``else``; every
    remainder length, and a range past the end (IndexError at CPython's iteration, after
    the same writes)."""
    inv = np.array(cells)
    n = len(cells)
    p = np.linspace(-1.0, 2.0, n)
    b = inv[::-1] * 0.25
    hi = max(lo, 0) + extra
    check(kernels, "relax_open", p, inv, b, w, max(lo, 0), hi, bits=True)
    if lo < 0 <= n - 1:
        check(kernels, "relax_open", p, inv, b, w, lo, n, bits=True)  # -1: a negative index


@settings(max_examples=40, deadline=None)
@given(
    cells=st.lists(FLOATS | st.just(1.0), min_size=0, max_size=19),
    n=st.integers(-(2**62), 2**62),
    by=st.integers(-5, 5),
)
def test_counts_equal_cpython(kernels, cells, n, by):
    check(kernels, "count_down", np.array(cells), 1.0, n, by, bits=True, returns=True)
    check(kernels, "last_clipped", np.array(cells), 0.0, bits=True, returns=True)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 17, 18, 33])
def test_rows_of_one_array_equal_cpython(kernels, n):
    a = np.random.default_rng(n).standard_normal((4, n))
    for i in (1, 2):
        check(kernels, "between_rows", a.copy(), i, bits=True, returns=True)
    check(kernels, "between_rows", a.copy(), 3, bits=True)  # a[4]: IndexError
    check(kernels, "between_rows", a.copy(), 0, bits=True)  # a[-1]: the last row


@pytest.mark.parametrize("shift", [-1, 0, 1])
@pytest.mark.parametrize("n", [0, 1, 4, 5, 9])
def test_if_else_on_overlapping_arrays_in_linear_memory(kernels, shift, n):
    """``p`` and ``b`` (both written) as views of one buffer ``shift`` elements apart: the
    overlap test sends the loop to the scalar one, which gives CPython's result."""
    python, compiled = kernels
    base = np.linspace(-2.0, 2.0, n + 3)
    inv = np.where(np.arange(n) % 3 == 0, 0.25, 0.5)
    lo = max(0, -shift)
    want = base.copy()
    c_want = python["relax_open"](
        want[lo : lo + n], inv, want[lo + shift : lo + shift + n], 1.5, 0, n
    )
    memory = compiled.instance.memory
    compiled.relax_open(np.zeros(n), inv, np.zeros(n), 1.5, 0, n)  # scratch first
    view = memory.write(base)
    p = memory.view(view.offset + 8 * lo, np.float64, n)
    b = memory.view(view.offset + 8 * (lo + shift), np.float64, n)
    c_got = compiled.relax_open(p, inv, b, 1.5, 0, n)
    assert c_got == c_want
    assert view.numpy().tobytes() == want.tobytes()
