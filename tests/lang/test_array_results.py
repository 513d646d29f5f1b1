"""Arrays as results (frontend/results.py, runtime/results.py): a function returning an
array it made, alone or in a tuple with numbers, gives the Python caller a fresh NumPy array
equal to CPython's (differential, Hypothesis), helpers hand arrays to helpers inside the
module, every block is freed (the caller's, the host's after its copy), and returning what
the function does not own, or an array from a function declared otherwise, is a located
error with the fix."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.errors import CompileError
from portalis.lang import compile_source

from . import conftest
from .conftest import Kernels, compile_kernel, kernels_fixture

SOURCE = """\
import numpy as np
from portalis.lang import Array, f64, i32, i64


def ramp(n: int, step: float) -> Array[f64]:
    out = np.empty(n)
    for i in range(n):
        out[i] = i * step
    return out


def table(n: int, m: int) -> Array[i64, 2]:
    g = np.zeros((n, m), dtype=np.int64)
    for i in range(n):
        for j in range(m):
            g[i, j] = i * m - j
    return g


def _scaled(a: Array[f64], k: float) -> Array[f64]:
    b = a.copy()
    for i in range(len(b)):
        b[i] *= k
    return b


def chained(n: int, step: float) -> Array[f64]:
    r = ramp(n, step)
    return _scaled(r, 3.0)


def either(n: int, flag: bool) -> Array[f64]:
    a = np.ones(n)
    b = np.full(n, 0.25)
    if flag:
        return a
    return b


def made_on_return(x: Array[f64, 2]) -> Array[f64, 2]:
    return np.zeros_like(x)


def copied(x: Array[f64, 2]) -> Array[f64, 2]:
    return x.copy()


def row_copy(x: Array[f64, 2], i: int) -> Array[f64]:
    return np.copy(x[i])


def small(n: int) -> Array[i32]:
    return np.full(n, 7, dtype=np.int32)


def kept(xs: Array[f64], lo: float) -> tuple[Array[f64], int]:
    out = np.zeros(len(xs))
    n = 0
    for x in xs:
        if x >= lo:
            out[n] = x
            n += 1
    return out, n


def _pair(n: int) -> tuple[int, Array[i64, 2], float]:
    g = np.zeros((n, 2), dtype=np.int64)
    for i in range(n):
        g[i, 0] = i * i
    return n * 2, g, 0.5


def pairs(xs: Array[f64], lo: float) -> tuple[int, Array[i64, 2], float]:
    out, n = kept(xs, lo)
    k, g, h = _pair(n)
    _pair(3)
    t = h + k
    for i in range(n):
        t += out[i] + g[i, 0]
    if t > 10.0:
        return _pair(n + 1)
    return k, g, t


def summed(n: int, step: float) -> float:
    r = ramp(n, step)
    ramp(3, 1.0)
    s = 0.0
    for x in r:
        s += x
    return s
"""


pair = kernels_fixture(SOURCE, "array_results.py")


def check(pair: Kernels, name: str, *args: Any) -> None:
    """conftest's check, and each array the compiled call returns is the caller's own."""
    got = conftest.check(pair, name, *args)
    for value in got if isinstance(got, tuple) else (got,):
        assert not isinstance(value, np.ndarray) or value.flags.owndata, (name, args)


@settings(max_examples=30, deadline=None)
@given(st.integers(-2, 12), st.integers(-2, 6), st.floats(-1e3, 1e3), st.booleans())
def test_array_results_match_cpython(
    pair: Kernels, n: int, m: int, step: float, flag: bool
) -> None:
    x = np.arange(max(n, 0) * max(m, 0), dtype=np.float64).reshape(max(n, 0), max(m, 0)) * step
    check(pair, "ramp", n, step)  # negative n: ValueError in both
    check(pair, "table", n, m)
    check(pair, "chained", n, step)
    check(pair, "either", n, flag)
    check(pair, "made_on_return", x)
    check(pair, "copied", x)
    check(pair, "row_copy", x, m - 3)  # out of range: IndexError in both
    check(pair, "small", n)
    check(pair, "summed", n, step)
    xs = np.linspace(-step, step, max(n, 0))
    check(pair, "kept", xs, 0.0)
    check(pair, "pairs", xs, step / 3)


def test_the_result_is_the_callers_own(pair: Kernels) -> None:
    """The array outlives the call and the instance, and later calls do not change it."""
    _, wasm = pair
    first = wasm.ramp(4, 1.0)
    wasm.ramp(4, 9.0)
    assert first.tolist() == [0.0, 1.0, 2.0, 3.0]
    kernel = compile_kernel(SOURCE, "array_results.py")
    kept = kernel.table(2, 2)
    kernel.close()
    assert kept.tolist() == [[0, -1], [2, 1]]


def test_every_block_is_freed(pair: Kernels) -> None:
    """Thousands of calls returning arrays (to the host, and from helper to helper) leave
    linear memory as it was after the first."""
    _, wasm = pair
    x = np.ones((50, 40))
    ones = np.ones(5000)
    for _ in range(2):  # first calls place the arguments
        wasm.chained(5000, 0.5), wasm.copied(x), wasm.summed(5000, 1.0), wasm.pairs(ones, 0.5)
    before = wasm.instance.memory.size
    for _ in range(300):
        wasm.chained(5000, 0.5)
        wasm.copied(x)
        wasm.summed(5000, 1.0)
        wasm.either(3000, True)
        wasm.pairs(ones, 0.5)
    assert wasm.instance.memory.size == before


def test_abi_describes_array_results() -> None:
    abi = compile_source(SOURCE, "array_results.py").abi
    ramp = abi.function("ramp")
    assert ramp is not None and ramp.array_results
    (result,) = ramp.results
    assert (result.name, result.dtype, result.ndim) == ("out", "f64", 1)  # type: ignore[union-attr]
    assert abi.extra["array_results"] == "caller frees with portalis_free"
    kept = abi.function("kept")
    assert kept is not None
    assert [(r.name, type(r).__name__) for r in kept.results] == [("out", "Array"), ("n", "Value")]


HEADER = "import numpy as np\nfrom portalis.lang import Array, f64\n\n\n"
ERRORS = [
    ("def f(a: Array[f64]) -> Array[f64]:\n    return a\n",
     "an array parameter it did not make", "return a.copy()"),
    ("def f(a: Array[f64, 2]) -> Array[f64]:\n    r = a[0]\n    return r\n",
     "a view it did not make", "r.copy()"),
    ("def f(n: int) -> Array[f64]:\n    return 1.0\n", "must return an array", ""),
    ("def f(n: int) -> Array[f64, 2]:\n    a = np.zeros(n)\n    return a\n",
     "declared `-> Array[f64, 2]` but returns Array[f64]", "-> Array[f64]"),
    ("def f(n: int) -> float:\n    a = np.zeros(n)\n    return a\n",
     "returns an array but is declared `-> float`", "declare it `-> Array[f64]`"),
    ("def f(a: Array[f64]) -> float:\n    return a\n",
     "returns an array but is declared `-> float`", "declare it `-> Array[f64]`"),
    ("def f(n: int) -> None:\n    return np.zeros(n)\n",
     "returns an array but is declared `-> None`", "Array[f64]"),
    ("def f(a: Array[f64]):\n    return a\n", "no return annotation", "-> Array[f64]"),
    ("def g(n: int) -> Array[f64]:\n    return np.zeros(n)\n\n\n"
     "def f(n: int) -> float:\n    return g(n) + 1.0\n", "bind it to a name", ""),
    ("def g(n: int) -> Array[f64]:\n    return np.zeros(n)\n\n\n"
     "def f(n: int) -> float:\n    for i in range(n):\n        b = g(n)\n    return 0.0\n",
     "created once, at the top level", ""),
    ("def f(n: int) -> tuple[Array[f64], float]:\n    a = np.zeros(n)\n    return a\n",
     "returns a tuple of 2 items, written out", ""),
    ("def f(a: Array[f64]) -> tuple[Array[f64], float]:\n    return a, 1.0\n",
     "an array parameter it did not make", "a.copy()"),
    ("def g(n: int) -> Array[f64]:\n    return np.zeros(n)\n\n\n"
     "def h(a: Array[f64]) -> float:\n    return a[0]\n\n\n"
     "def f(n: int) -> float:\n    return h(g(n))\n", "got not an array", "b = f(...)"),
    ("def g(n: int) -> Array[f64]:\n    return np.zeros(n)\n\n\n"
     "def f(n: int) -> int:\n    return len(g(n))\n", "len()", "then take len(b)"),
    ("def h(a: Array[f64]) -> float:\n    return a[0]\n\n\n"
     "def f(m: Array[f64, 2]) -> float:\n    return h(m)\n",
     "must be Array[f64, 1], got Array[f64, 2]", "`m[i]` is a 1-D view of it"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "words", "hint"), ERRORS)
def test_unsupported_forms_are_located_errors(body: str, words: str, hint: str) -> None:
    with pytest.raises(CompileError) as info:
        compile_source(HEADER + body, "k.py")
    text = str(info.value) + " " + info.value.hint
    assert words in text and hint in text, text
    assert info.value.line > 4


@pytest.mark.parametrize(
    ("body", "what"),
    [
        ("def f(n: int) -> Array[f64]:\n    return np.zeros(n)\n", "returning an array"),
        ("def f(a: Array[f64]) -> float:\n    b = a.copy()\n    return b[0]\n", "copying"),
        (
            "def f(n: int) -> tuple[Array[f64], int]:\n    return np.zeros(n), n\n",
            "returning an array",
        ),
    ],
)
def test_rust_backend_says_it_does_not_translate_them_yet(body: str, what: str) -> None:
    with pytest.raises(CompileError) as info:
        compile_source(HEADER + body, "k.py", backend="rust")
    assert what in str(info.value) and "not supported by the Rust backend yet" in str(info.value)
    assert info.value.line == 6
