"""Arithmetic on whole views (frontend/slice_exprs.py) and rows picked by lists
(frontend/fancy_rows.py): the compiled kernel leaves every array exactly as NumPy under
CPython does, raises what it raises (IndexError, ValueError) with the same writes done
before, for random shapes, bounds (out of range, negative, overlapping) and values
(differential, Hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.errors import CompileError
from portalis.lang import compile_source

from .conftest import Kernels, check, kernels_fixture

SOURCE = """\
import numpy as np
from portalis.lang import Array, f64, i64


def eliminate(a: Array[f64, 2], i: int, k: int) -> None:
    a[i, k] /= a[k, k]
    a[i, k + 1:] -= a[i, k] * a[k, k + 1:]


def shifted(a: Array[f64], lo: int, hi: int, lo2: int, hi2: int) -> None:
    a[lo:hi] += a[lo2:hi2]


def mixed(a: Array[f64], b: Array[f64], lo: int, hi: int, c: float) -> None:
    a[lo:hi] = -b[lo:hi] * c + a[lo:hi] / 2.0


def named(a: Array[f64], lo: int, hi: int, v: float) -> float:
    s = a[lo:hi]
    s *= v
    s -= 1.0
    return s.size * 1.0


def rows(m: Array[f64, 2], i: int, k: int) -> None:
    m[i] -= m[k] * 0.5


def ints(a: Array[i64], lo: int, hi: int, c: int) -> None:
    a[lo:hi] += c * a[lo:hi] - 3


def columns(m: Array[f64, 2], b: Array[f64, 2], j: int, v: float) -> None:
    m[:, j] = v
    m[:, j] += 2.0 * b[:, j] - b[:, 0]
    b[:, j] = m[:, 0]


def stencil(u: Array[f64], steps: int) -> None:
    for s in range(steps):
        u[1:-1] = 0.25 * (u[:-2] + u[2:]) + 0.5 * u[1:-1]


def crossed(m: Array[f64, 2], a: Array[f64], j: int) -> None:
    m[0] -= m[:, j]
    m[:, j] += m[1]
    a[::2] = a[1::2] * 3.0 - a[::-2]


def rows2(x: Array[f64, 2], mean: Array[f64], v: Array[f64, 2], lo: int, f: float) -> None:
    x -= mean
    x[lo:] += f * v[lo:] - x[lo:]
    x *= x


def product(m: Array[f64, 2], a: Array[f64, 2], b: Array[f64, 2]) -> None:
    m[:] = a * b + 1.0


def swap(m: Array[f64, 2], k: int, p: int) -> None:
    m[[k, p]] = m[[p, k]]


def rotate(v: Array[i64], i: int, j: int, l: int) -> None:
    v[[i, j, l]] = v[[j, l, i]]


def take(b: Array[f64, 2], a: Array[f64, 2], i: int, j: int) -> None:
    b[[0, 1]] = a[[i, j]]
"""


pair = kernels_fixture(SOURCE, "slice_exprs.py")


index = st.integers(-7, 7)
bound = st.integers(-9, 9)  # beyond ±n: clamped, as a missing bound


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 6), index, index, bound, bound, bound, bound, st.floats(-1e3, 1e3))
def test_view_arithmetic_matches_numpy(
    pair: Kernels,
    n: int,
    i: int,
    k: int,
    lo: int,
    hi: int,
    lo2: int,
    hi2: int,
    v: float,
) -> None:
    rng = np.random.default_rng(n)
    m = rng.standard_normal((max(n, 1), n))
    check(pair, "eliminate", m, i, k, bits=True)  # the LU update: rows k and i, the same columns
    a, b = rng.standard_normal(n), rng.standard_normal(n)
    check(pair, "shifted", a, lo, hi, lo2, hi2, bits=True)  # one array, overlapping either way
    check(pair, "mixed", a, b, lo, hi, v, bits=True)
    check(pair, "named", a, lo, hi, v, bits=True)
    check(pair, "rows", m, i, k, bits=True)  # the same row or another: ordered at run time
    check(pair, "ints", np.arange(n, dtype=np.int64) - 2, lo, hi, int(v), bits=True)
    check(pair, "columns", m, rng.standard_normal(m.shape), k, v, bits=True)
    check(pair, "stencil", a, 3, bits=True)  # two views behind and ahead: through NumPy's temporary
    check(pair, "crossed", m, a, k, bits=True)
    rows, cols = m.shape
    mean = rng.standard_normal(cols if i % 3 else max(k, 0))  # a row, or a broadcast error
    check(
        pair, "rows2", m, mean, rng.standard_normal((rows if k % 2 else 1, cols)), i, v, bits=True
    )
    shapes = [(rows, cols), (1, cols), (rows, 1), (max(i, 0), cols)]
    a, b = (rng.standard_normal(shapes[abs(x) % 4]) for x in (i, k))
    check(pair, "product", m, a, b, bits=True)  # 2-D broadcasting of one row or one column
    check(pair, "swap", m, i, k, bits=True)  # k == p, negative, out of range: IndexError
    check(pair, "rotate", np.arange(n, dtype=np.int64), i, k, i + k, bits=True)
    check(pair, "take", rng.standard_normal((2, n)), m, i, k, bits=True)


def test_shifted_runs_backwards_where_numpy_uses_its_temporary(
    pair: Kernels,
) -> None:
    a = np.arange(8.0)
    check(pair, "shifted", a, 1, 8, 0, -1, bits=True)  # forward would smear a[0] down the array
    check(pair, "shifted", a, 0, -1, 1, 8, bits=True)


def test_lu_update_is_proven_without_a_direction_test() -> None:
    """The LU update's source is the target's own slice of the same array: no run-time
    ordering (one loop, vectorised), where a source of another slice needs both loops."""
    proven = compile_source(SOURCE, "slice_exprs.py").wat
    body = proven.split("(func $eliminate")[1].split("(func ")[0]
    assert "f64x2.mul" in body and body.count("loop $") <= 4
    shifted = proven.split("(func $shifted")[1].split("(func ")[0]
    assert shifted.count("loop $") > body.count("loop $")


def test_the_rust_backend_takes_the_lu_forms_and_refuses_slices_it_cannot_translate() -> None:
    lu_forms = SOURCE.split("def shifted")[0] + "def swap" + SOURCE.split("def swap")[1]
    built = compile_source(lu_forms.split("def rotate")[0], "slice_exprs.py", backend="rust")
    from portalis.runtime import load

    kernel = load(built.wasm, cache=False)
    m = np.arange(12.0).reshape(3, 4)
    mine = m.copy()
    kernel.swap(mine, 0, -1)
    kernel.eliminate(mine, 2, 0)
    m[[0, -1]] = m[[-1, 0]]
    m[2, 0] /= m[0, 0]
    m[2, 1:] -= m[2, 0] * m[0, 1:]
    assert m.tobytes() == mine.tobytes()
    with pytest.raises(CompileError, match="not supported by the Rust backend yet") as info:
        compile_source(SOURCE, "slice_exprs.py", backend="rust")
    assert info.value.line == 11  # shifted's a[lo:hi] += a[lo2:hi2]


def test_writes_flag_follows_whole_view_stores() -> None:
    abi = compile_source(SOURCE, "slice_exprs.py").abi
    writes = {
        (f.name, p.name): p.writes  # type: ignore[union-attr]
        for f in abi.functions
        for p in f.params
        if hasattr(p, "writes")
    }
    assert writes[("eliminate", "a")] and writes[("swap", "m")] and writes[("named", "a")]
    assert writes[("take", "b")] and not writes[("take", "a")]  # rows read from a only
    assert writes[("mixed", "a")] and not writes[("mixed", "b")]
