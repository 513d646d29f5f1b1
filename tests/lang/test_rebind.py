"""``u = u.copy()`` and the double-buffer swap ``u, new = new, u`` (frontend/rebind.py):
CPython's results (differential, Hypothesis), the caller's array left alone, every block
freed whichever name ends up holding it, and located errors for swaps the compiler cannot
prove shape-preserving."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.errors import CompileError
from portalis.lang import compile_source

from .conftest import Kernels, kernels_fixture, outcome, python_and_compiled

SOURCE = """\
import numpy as np
from portalis.lang import Array, f64


def laplace(u: Array[f64, 2], sweeps: int) -> Array[f64, 2]:
    u = u.copy()
    new = np.empty_like(u)
    new[:, :] = u
    for _ in range(sweeps):
        for i in range(1, u.shape[0] - 1):
            for j in range(1, u.shape[1] - 1):
                new[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])
        u, new = new, u
    return u


def smooth(x: Array[f64], steps: int) -> float:
    a = x.copy()
    b = np.zeros_like(a)
    for _ in range(steps):
        for i in range(len(a)):
            b[i] = 0.5 * (a[i] + a[(i + 1) % len(a)])
        a, b = b, a
    total = 0.0
    for v in a:
        total += v
    return total + b[0] if len(b) else total
"""


pair = kernels_fixture(SOURCE, "rebind.py")


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 7), st.integers(0, 7), st.integers(0, 5))
def test_rebinding_and_swaps_match_cpython(pair: Kernels, n: int, m: int, sweeps: int) -> None:
    py, wasm = pair
    u = np.random.default_rng(n * 8 + m).random((n, m))
    given_u = u.copy()
    np.testing.assert_array_equal(wasm.laplace(u, sweeps), py["laplace"](u.copy(), sweeps))
    np.testing.assert_array_equal(u, given_u)  # the caller's array is left alone
    x = u.reshape(-1)
    assert outcome(wasm.smooth, x, sweeps) == outcome(py["smooth"], x, sweeps)


def test_the_parameter_is_read_only_and_blocks_are_freed(pair: Kernels) -> None:
    _, wasm = pair
    (u,) = [p for p in wasm.abi.function("laplace").params if p.name == "u"]
    assert not u.writes  # stores go to the copy
    grid = np.ones((64, 64))
    wasm.laplace(grid, 3), wasm.smooth(grid.reshape(-1), 3)
    before = wasm.instance.memory.size
    for _ in range(100):
        wasm.laplace(grid, 3)
        wasm.smooth(grid.reshape(-1), 3)
    assert wasm.instance.memory.size == before


HEADER = "import numpy as np\nfrom portalis.lang import Array, f64\n\n\n"
ERRORS = [
    ("def f(a: Array[f64], n: int) -> float:\n    b = np.zeros(n)\n    c = np.zeros(n)\n"
     "    b, c = c, b\n    return b[0]\n", "of one shape"),
    ("def f(a: Array[f64], b: Array[f64]) -> float:\n    a, b = b, a\n    return a[0]\n",
     "both must be arrays this function made"),
    ("def f(a: Array[f64], k: int) -> float:\n    if k:\n        a = a.copy()\n    return a[0]\n",
     "rebinds the parameter once, at the top level"),
    ("def f(m: Array[f64, 2]) -> float:\n    u = m.copy()\n    v = np.empty_like(u)\n"
     "    row = u[0]\n    u, v = v, u\n    return row[0]\n", "while `row` is a view of one"),
    ("def f(m: Array[f64]) -> float:\n    u = m.copy()\n    v = np.empty_like(u)\n"
     "    for x in u:\n        u, v = v, u\n    return 0.0\n", "inside a `for` loop over one"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "words"), ERRORS)
def test_unprovable_swaps_are_located_errors(body: str, words: str) -> None:
    with pytest.raises(CompileError) as info:
        compile_source(HEADER + body, "k.py")
    assert words in str(info.value), str(info.value)
    assert info.value.line > 4


def test_rust_backend_says_it_does_not_swap_yet() -> None:
    with pytest.raises(CompileError, match="not supported by the Rust backend yet"):
        compile_source(SOURCE, "rebind.py", backend="rust")


DIGIT_NAME = """\
from portalis.lang import Array, f64


def f(t1: Array[f64], x: float) -> float:
    t1 = t1.copy()
    s = 0.0
    for i in range(len(t1)):
        t1[i] += x
        s += t1[i] * t1[i] - t1[i] / (x + 1.0)
    for i in range(len(t1)):
        s += t1[i] ** 2 + min(t1[i], x) + max(s, x)
    for i in range(len(t1)):
        s -= t1[i] % 3.0 + abs(t1[i]) + (t1[i] if x > 0.0 else -t1[i])
    return s
"""


def test_a_parameter_named_with_a_digit_is_copied() -> None:
    """`t1 = t1.copy()`: the copy's hidden name (`t1` and a counter) stays apart from the
    compiler's temporaries (`t` and a counter): once `~t11` named both, invalid WebAssembly."""
    namespace, wasm = python_and_compiled(DIGIT_NAME, "digits.py")
    a = np.linspace(-2.0, 3.0, 7)
    assert outcome(wasm.f, a.copy(), 0.5) == outcome(namespace["f"], a.copy(), 0.5)
