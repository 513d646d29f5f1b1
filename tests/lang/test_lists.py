"""Typed lists made in a function (``xs: list[float] = []``, literals, comprehensions):
``append``/``pop()``, ``len``, indexing and assignment with Python's bounds rules, ``for x
in xs`` (which sees the list change as CPython's iterator does), ``sum``/``min``/``max``.
Same results and errors as CPython (differential, Hypothesis), memory given back on every
return, and located "not supported yet" errors for everything else done with a list."""

from __future__ import annotations

import glob
import json
import math
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.errors import CompileError, WasmTrap
from portalis.lang import compile_source
from portalis.lang.frontend import lists

from .conftest import Kernels, check, compile_kernel, kernels_fixture, outcome, same

SOURCE = """\
from portalis.lang import Array, f64


def total(a: Array[f64]) -> float:
    xs: list[float] = []
    for i in range(len(a)):
        xs.append(float(a[i]))
    return sum(xs)


def smallest(a: Array[f64]) -> float:
    xs: list[float] = [float(a[i]) for i in range(len(a))]
    return min(xs)


def largest(a: Array[f64]) -> float:
    xs: list[float] = [float(a[i]) for i in range(len(a))]
    return max(xs)


def item(a: Array[f64], k: int) -> float:
    xs: list[float] = [float(a[i]) for i in range(len(a))]
    return xs[k]


def assign(a: Array[f64], k: int, v: float) -> float:
    xs: list[float] = [float(a[i]) for i in range(len(a))]
    xs[k] = v
    xs[-1] += 1.5
    t = 0.0
    for x in xs:
        t = t * 0.5 + x
    return t


def pops(a: Array[f64], n: int) -> float:
    xs: list[float] = [float(a[i]) for i in range(len(a))]
    t = 0.0
    for _ in range(n):
        t = t * 3.0 + xs.pop()
    return t + len(xs)


def ints(n: int, m: int) -> int:
    zs: list[int] = [i * i - m for i in range(n) if i % 3 != 1]
    zs.append(m)
    q = 0
    for z in zs:
        if z > 5:
            zs.pop()
        q = (q * 7 + z) % 1000003
    return q + sum(zs) + min(zs) * 11 + max(zs) + len(zs)


def growing(n: int) -> int:
    xs = [1, 2]
    for x in xs:
        if len(xs) < n:
            xs.append(x + len(xs))
    ys: list[int] = []
    for x in xs:
        if x % 2 == 0:
            continue
        ys.append(x)
        if len(ys) > 40:
            break
    return sum(xs) * 3 + sum(ys) + len(ys)


def doubled(a: Array[f64]) -> float:
    ys: list[float] = [float(x) for x in a]
    zs: list[float] = [y * 2.0 for y in ys if y == y if y > -100.0]
    zs.append(len(ys))
    return sum(zs) + len(zs) * 1000.0 + max(zs)


def literal(k: int) -> float:
    xs = [1, 2.5, -3]
    xs.append(k)
    xs[k] = xs[k] * 2
    return xs[0] + xs[1] * 10.0 + xs[2] * 100.0 + xs[-1] * 1000.0
"""


pair = kernels_fixture(SOURCE, "lists.py")


floats = st.floats(allow_nan=True, allow_infinity=True) | st.floats(-1e3, 1e3)


@settings(max_examples=60, deadline=None)
@given(st.lists(floats, max_size=40), st.integers(-45, 45), floats)
def test_float_lists_match_cpython(pair: Kernels, values: list[float], k: int, v: float) -> None:
    a = np.array(values, dtype=np.float64)
    check(pair, "total", a, cast=True)
    check(pair, "smallest", a, cast=True)  # empty: ValueError in both
    check(pair, "largest", a, cast=True)
    check(pair, "item", a, k, cast=True)  # out of range either way: IndexError
    check(pair, "assign", a, k, v, cast=True)
    check(pair, "pops", a, abs(k), cast=True)  # popping an empty list: IndexError
    check(pair, "doubled", a, cast=True)


@settings(max_examples=60, deadline=None)
@given(st.integers(-3, 60), st.integers(-50, 50), st.integers(-5, 5))
def test_int_lists_match_cpython(pair: Kernels, n: int, m: int, k: int) -> None:
    check(pair, "ints", n, m, cast=True)
    check(pair, "growing", n, cast=True)
    check(pair, "literal", k, cast=True)


def test_memory_is_given_back_on_return(pair: Kernels) -> None:
    """Calls that each grow lists to thousands of items leave the memory as after the first:
    every block (the grown ones and the last) is freed and reused."""
    _, wasm = pair
    wasm.growing(5000)
    wasm.ints(3000, 1)
    before = wasm.instance.memory.size
    for _ in range(30):
        wasm.growing(5000)
        wasm.ints(3000, 1)
    assert wasm.instance.memory.size == before


ERRORS = [
    ("def f(n: int) -> float:\n    xs = []\n    return 0.0\n", "write xs: list[float] = []"),
    ("def f(n: int) -> float:\n    xs = [1.0]\n    ys = xs.copy()\n    return 0.0\n",
     "`xs.copy(...)` on a list is not supported yet"),
    ("def f(n: int) -> float:\n    xs = [1.0]\n    xs.sort(cmp=abs)\n    return 0.0\n",
     "with `cmp` is not supported"),
    ("def f(n: int) -> float:\n    xs = [1.0]\n    return abs(xs)\n",
     "using list `xs` as a value"),
    ("def f(n: int) -> float:\n    xs = [1.0]\n    return xs\n", "using list `xs` as a value"),
    ("def f(n: int) -> float:\n    xs = [1.0]\n    return xs[0:1]\n", "list slice"),
    ("def f(n: int) -> float:\n    xs: list[bool] = []\n    return 0.0\n", "lists of float or int"),
    ("def f(n: int) -> float:\n    xs: list[int] = [i for i in range(n) for j in range(n)]\n"
     "    return 0.0\n", "more than one `for`"),
    ("def f(n: int) -> float:\n    xs = [i for i in range(n)]\n    return 0.0\n",
     "annotate a comprehension's item type"),
    ("def f(n: int) -> float:\n    xs = [1.0]\n    y = xs.append(2.0)\n    return 0.0\n",
     "call it as a statement"),
    ("def f(n: int) -> float:\n    xs: list[int] = [len(xs) for i in range(n)]\n"
     "    return 0.0\n", "used before it is assigned"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "words"), ERRORS)
def test_unsupported_forms_are_located_errors(body: str, words: str) -> None:
    with pytest.raises(CompileError) as info:
        compile_source(body, "k.py")
    text = f"{info.value} {info.value.hint}"
    assert words in text, text
    assert info.value.line > 1


def test_rust_backend_says_lists_are_not_supported_yet() -> None:
    with pytest.raises(CompileError) as info:
        compile_source(
            "def f() -> float:\n    xs = [1.0]\n    return xs[0]\n", "k.py", backend="rust-source"
        )
    assert "not supported by the Rust backend yet" in str(info.value)
    assert info.value.line == 2


def _cpython_312_or_later() -> str | None:
    """An interpreter with CPython 3.12's compensated float ``sum``, if this machine has one."""
    candidates = [sys.executable] if sys.version_info >= (3, 12) else []
    candidates += [shutil.which(n) or "" for n in ("python3.13", "python3.12")]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.1[2-9]*/bin/python3")))
    for exe in filter(None, candidates):
        probe = subprocess.run(
            [exe, "-c", "import sys; print(sys.version_info >= (3, 12))"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == "True":
            return exe
    return None


def test_compensated_sum_matches_cpython_312(monkeypatch: pytest.MonkeyPatch) -> None:
    """The lowering of CPython 3.12's Neumaier ``sum``, built whatever Python compiles the
    kernel, against a real CPython 3.12+ summing the same lists (cancellation, huge and tiny
    magnitudes, infinities, NaN)."""
    exe = _cpython_312_or_later()
    if exe is None:
        pytest.skip("no CPython 3.12+ on this machine to compare with")
    monkeypatch.setattr(lists, "COMPENSATED_SUM", True)
    source = SOURCE.split("\n\n\ndef smallest")[0].replace("def total", "def neumaier")
    wasm = compile_kernel(source, "compensated_sum.py")
    rng = np.random.default_rng(15)
    cases: list[list[float]] = [[1e100, 1.0, -1e100], [0.1] * 10, [-0.0], [], [math.inf, 1.0]]
    cases += [[math.inf, -math.inf], [math.nan, 1.0], [1e308, 1e308, -1e308]]
    for _ in range(200):
        n = int(rng.integers(1, 30))
        scale = 10.0 ** rng.integers(-300, 300, n)
        cases.append([float(v) for v in rng.standard_normal(n) * scale])
    run = subprocess.run(
        [exe, "-c", "import json, sys\nfor xs in json.load(sys.stdin): print(repr(sum(xs)))"],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
    )
    for xs, line in zip(cases, run.stdout.split(), strict=True):
        got = outcome(wasm.neumaier, np.array(xs, dtype=np.float64))
        assert same(("ok", float(line)), got), f"sum({xs}): CPython {line}, compiled {got}"


def test_list_errors_name_the_line() -> None:
    source = (
        "def f(k: int) -> float:\n"
        "    xs = [1.0, 2.0]\n"
        "    ys: list[float] = []\n"
        "    if k == 0:\n"
        "        return xs[k + 5]\n"
        "    if k == 1:\n"
        "        return min(ys)\n"
        "    return ys.pop()\n"
    )
    wasm = compile_kernel(source, "lines.py")
    for k, (name, line) in enumerate([("IndexError", 5), ("ValueError", 7), ("IndexError", 8)]):
        with pytest.raises(WasmTrap) as info:
            wasm.f(k)
        assert f"{name} (lines.py:{line})" in str(info.value), str(info.value)
