"""Slices as views (frontend/slices.py): ``a[lo:hi]``, ``m[i, lo:hi]``, ``m[lo:hi]``,
``m[i, :]`` and columns ``m[:, j]`` read and write the base array in place, pass to
helpers, iterate, and clamp out-of-range bounds exactly as CPython/NumPy (differential,
Hypothesis); the forms that stay unsupported (steps on a later axis, strided views passed
as arrays, fancy indexing other than the row swap, tuple row swaps) are located errors
naming the loop to write instead."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.errors import CompileError
from portalis.lang import compile_source
from portalis.lang.prelude.slice_bound import slice_bound

from .conftest import Kernels, check, kernels_fixture, python_and_compiled

SOURCE = """\
import numpy as np
from portalis.lang import Array, f64


def _total(x: Array[f64]) -> float:
    s = 0.0
    for v in x:
        s += v
    return s


def _bump(x: Array[f64], by: float) -> None:
    for k in range(len(x)):
        x[k] += by


def weighted(a: Array[f64], lo: int, hi: int) -> float:
    s = a[lo:hi]
    t = 0.0
    for k in range(len(s)):
        t += s[k] * (k + 1)
    return t + len(s) * 1000.0 + s.size * 10.0


def at(a: Array[f64], lo: int, hi: int, k: int) -> float:
    return a[lo:hi][k]


def halves(a: Array[f64], cut: int) -> float:
    return _total(a[cut:]) - 2.0 * _total(a[:cut])


def resliced(a: Array[f64], lo: int, hi: int, lo2: int) -> float:
    s = a[lo:hi]
    t = s[lo2:]
    return len(t) * 100.0 + _total(t)


def tail_sum(a: Array[f64], lo: int) -> float:
    t = 0.0
    for x in a[lo:]:
        t += x
    c = a[:lo].copy()
    return t + len(c) * 1000.0 + _total(c)


def edit(a: Array[f64], lo: int, hi: int, v: float) -> None:
    s = a[lo:hi]
    for k in range(len(s)):
        s[k] = v * k
    if len(s) > 0:
        s[-1] += 0.5


def rows(m: Array[f64, 2], i: int, lo: int, hi: int) -> float:
    r = m[i, lo:hi]
    _bump(r, 1.0)
    band = m[lo:hi]
    n, c = band.shape
    whole = m[i, :]
    return _total(r) + n * 100.0 + c * 10.0 + whole[0]


def column(m: Array[f64, 2], j: int, k: float) -> float:
    c = m[:, j]
    t = 0.0
    for i in range(len(c)):
        t += c[i] * (i + 1)
        c[i] *= k
    for x in m[:, j]:
        t += x
    return t + m[:, j][-1]


def in_loop(m: Array[f64, 2], w: int) -> float:
    t = 0.0
    for i in range(m.shape[0]):
        part = m[i, :w]
        for k in range(len(part)):
            t += part[k] * (i + 1)
    return t
"""

bounds = st.integers(-14, 14)


pair = kernels_fixture(SOURCE, "slices.py")


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 11), bounds, bounds, bounds, st.floats(-1e3, 1e3))
def test_slices_match_cpython(pair: Kernels, n: int, lo: int, hi: int, k: int, v: float) -> None:
    a = np.linspace(-3.0, 5.0, n)
    m = np.arange(n * 4, dtype=np.float64).reshape(n, 4) * 0.5
    check(pair, "weighted", a, lo, hi)
    check(pair, "at", a, lo, hi, k)  # out of the slice: IndexError in both
    check(pair, "halves", a, lo)
    check(pair, "resliced", a, lo, hi, k)
    check(pair, "tail_sum", a, lo)
    check(pair, "edit", a, lo, hi, v)
    check(pair, "rows", m, k, lo, hi)  # row index out of range: IndexError in both
    check(pair, "in_loop", m, lo)
    check(pair, "column", m, k, v)  # column or row out of range: IndexError in both


@given(st.integers(-40, 40), st.integers(-40, 40), st.integers(0, 30))
def test_slice_bound_is_cpythons(lo: int, hi: int, n: int) -> None:
    start, stop, _ = slice(lo, hi).indices(n)
    assert (slice_bound(lo, n), slice_bound(hi, n)) == (start, stop)


def test_writes_flag_follows_stores_through_slices() -> None:
    abi = compile_source(SOURCE, "slices.py").abi

    def writes(fn: str, param: str) -> bool:
        f = abi.function(fn)
        assert f is not None
        return next(p for p in f.params if p.name == param).writes  # type: ignore[union-attr]

    assert not writes("weighted", "a") and not writes("halves", "a")
    assert writes("edit", "a") and writes("rows", "m")  # a store, and a helper's store


HEADER = "import numpy as np\nfrom portalis.lang import Array, f64\n\n\n"
ERRORS = [
    ("def f(m: Array[f64, 2]) -> float:\n    s = m[:, ::2]\n    return s[0, 0]\n",
     "a step on a later axis"),
    ("def g(a: Array[f64]) -> float:\n    return a[0]\n\n\n"
     "def f(a: Array[f64]) -> float:\n    return g(a[::2])\n",
     "a slice with a step, a strided view: it cannot be passed"),
    ("def g(a: Array[f64]) -> float:\n    return a[0]\n\n\n"
     "def f(m: Array[f64, 2]) -> float:\n    return g(m[:, 1])\n",
     "is a column, a strided view: it cannot be passed or copied"),
    ("def f(m: Array[f64, 2]) -> float:\n    c = m[:, 1].copy()\n    return c[0]\n",
     "cannot be passed or copied"),
    ("def f(t: Array[f64, 3]) -> float:\n    c = t[:, 1]\n    return c[0, 0]\n",
     "takes a column (a strided view), which is not supported"),
    ("def f(m: Array[f64, 2]) -> float:\n    c = m[:, 1:3]\n    return c[0, 0]\n",
     "bounds a later axis"),
    ("def f(a: Array[f64]) -> None:\n    a[1:3] **= 2.0\n",
     "`a[1:3] **= ...` on a whole view is not supported"),
    ("def f(a: Array[f64]) -> None:\n    a[1:3] += np.sqrt(a[3:5])\n",
     "on whole arrays is not supported"),
    ("def f(m: Array[f64, 2]) -> None:\n    m[1:] += m[:-1]\n", "is another view of `m`"),
    ("def f(m: Array[f64, 2]) -> None:\n    m -= m[0]\n", "is another view of `m`"),
    ("def f(t: Array[f64, 3]) -> None:\n    t *= 2.0\n", "takes 1-D views"),
    ("def f(a: Array[f32]) -> None:\n    a[1:] *= 0.1\n", "takes float64 and int64 arrays"),
    ("def f(m: Array[f64, 2]) -> float:\n    b = m[[0, 1]]\n    return b[0, 0]\n",
     "a[[k, p]] = a[[p, k]]"),
    ("def f(n: int) -> float:\n    u = np.zeros(n)\n    u[1:-1] = u[:-2] + u[2:]\n"
     "    return u[0]\n", "made here only for parameters and module arrays"),
    ("def f(m: Array[f64, 2]) -> None:\n    m[[0, 1]] = 0.0\n",
     "takes rows picked by a list"),
    ("def f(m: Array[f64, 2]) -> None:\n    m[[0, 1]] = m[[1, 0, 2]]\n",
     "the lists must have the same length"),
    ("def f(t: Array[f64, 3]) -> None:\n    t[[0, 1]] = t[[1, 0]]\n",
     "work on whole 1-D and 2-D arrays"),
    ("def f(m: Array[f64, 2]) -> None:\n    m[0], m[1] = m[1].copy(), m[0].copy()\n",
     "a[i, j], a[k, j] = a[k, j], a[i, j]"),
    ("def f(a: Array[f64]) -> float:\n    return a[1:3] + 1.0\n", "a slice makes a view"),
    ("def f(a: Array[f64]) -> float:\n    s = a[0.5:]\n    return s[0]\n",
     "slice bounds must be int"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "words"), ERRORS)
def test_unsupported_slice_forms_are_located_errors(body: str, words: str) -> None:
    with pytest.raises(CompileError) as info:
        compile_source(HEADER + body, "k.py")
    assert words in str(info.value) + " " + info.value.hint, str(info.value)
    assert info.value.line > 4


def test_rust_backend_says_it_does_not_translate_slices_yet() -> None:
    body = "def f(a: Array[f64]) -> float:\n    s = a[1:]\n    return s[0]\n"
    with pytest.raises(CompileError, match="not supported by the Rust backend yet"):
        compile_source(HEADER + body, "k.py", backend="rust")


def test_row_swap_loop_form_matches_cpython() -> None:
    """The row swap numerical code writes that the compiler takes (docs/language.md)."""
    source = HEADER + (
        "def swap(a: Array[f64, 2], i: int, k: int) -> None:\n"
        "    for j in range(a.shape[1]):\n"
        "        a[i, j], a[k, j] = a[k, j], a[i, j]\n"
    )
    kernels = python_and_compiled(source, "swap.py")
    check(kernels, "swap", np.arange(12.0).reshape(3, 4), 0, 2, returns=True)


def test_columns_and_shapes_through_the_rust_backend() -> None:
    """Columns and shape unpacking are front-end forms over ordinary element accesses, so
    the Rust backend translates them too (slices it refuses, above)."""
    source = HEADER + (
        "def f(m: Array[f64, 2], j: int) -> float:\n"
        "    n, w = m.shape\n"
        "    c = m[:, j]\n"
        "    t = 0.0\n"
        "    for i in range(len(c)):\n"
        "        c[i] *= 2.0\n"
        "        t += c[i] * n + w\n"
        "    return t\n"
    )
    kernels = python_and_compiled(source, "cols.py", backend="rust")
    check(kernels, "f", np.arange(12.0).reshape(4, 3), -1, returns=True)
