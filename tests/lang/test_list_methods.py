"""List methods beyond append/pop() (frontend/list_methods.py): insert, index, count,
remove, pop(i), reverse, clear, extend, sort/sorted (stable, reverse=True), ``x in xs``,
``list(...)``, and lists made again in loops and branches. Same results and errors as
CPython on the same source (differential, Hypothesis), NaN refused by sort by a stated
rule, and memory given back when a list is made again."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.errors import CompileError
from portalis.lang import compile_source

from .conftest import Kernels, check, kernels_fixture

SOURCE = """\
from portalis.lang import Array, f64, i64


def edit(a: Array[f64], k: int, v: float, w: float) -> float:
    xs: list[float] = [float(a[i]) for i in range(len(a))]
    xs.insert(k, v)
    xs.insert(-k, w)
    t = 0.0
    for x in xs:
        t = t * 0.5 + x
    t += xs.count(v) * 1000.0 + xs.count(w) * 100.0
    if w in xs:
        t += 7.0
    if v not in xs:
        t += 11.0
    return t + len(xs)


def find(a: Array[i64], v: int, lo: int, hi: int) -> int:
    xs: list[int] = [int(a[i]) for i in range(len(a))]
    return xs.index(v, lo, hi) * 10 + xs.index(v, lo)


def drop(a: Array[i64], v: int, k: int) -> int:
    xs: list[int] = [int(a[i]) for i in range(len(a))]
    xs.remove(v)
    q = xs.pop(k)
    xs.reverse()
    t = 0
    for x in xs:
        t = (t * 31 + x) % 1000003
    return t * 7 + q


def ordered(a: Array[f64]) -> float:
    xs = sorted(a)
    t = 0.0
    for x in xs:
        t = t * 0.75 + x
    return t


def ordered_down(a: Array[f64]) -> float:
    xs: list[float] = [float(a[i]) for i in range(len(a))]
    xs.sort(reverse=True)
    t = 0.0
    for x in xs:
        t = t * 0.75 + x
    return t


def ranks(a: Array[i64], down: bool) -> int:
    xs: list[int] = [int(a[i]) * 4 + i % 4 for i in range(len(a))]
    keys: list[int] = [x // 4 for x in xs]
    if down:
        ys = sorted(keys, reverse=True)
    else:
        ys = sorted(keys)
    t = 0
    for y in ys:
        t = (t * 131 + y) % 1000000007
    xs.sort()
    for x in xs:
        t = (t * 131 + x) % 1000000007
    return t


def signed_zeros(n: int) -> float:
    xs: list[float] = []
    for i in range(n):
        xs.append(0.0 if i % 3 else -0.0)
        xs.append(float(n - i))
    xs.sort()
    t = 0.0
    for x in xs:
        t = t * 2.0 + math.copysign(1.0, x)
    return t


def batches(n: int, m: int) -> float:
    t = 0.0
    for i in range(n):
        xs = [float(i)]
        for j in range(m):
            xs.append(float(j * i))
        if i % 2:
            ys = list(xs)
            ys.append(0.5)
            t += sum(ys)
        t += sum(xs) + len(xs)
    return t


def grow(n: int) -> int:
    xs = [1, 2, 3]
    ys: list[int] = []
    ys.extend(xs)
    ys.extend(ys)
    ys.extend(range(n))
    xs.clear()
    xs.append(n)
    return sum(ys) * 100 + len(ys) * 10 + xs[0]


def sliced(n: int, a: int, b: int, c: int) -> int:
    xs: list[int] = [i * 7 % 11 for i in range(n)]
    ys = xs[a:b:c]
    zs = xs[a:]
    ws = xs[:b]
    vs = xs[::c]
    us = xs[:]
    t = 0
    for y in ys:
        t = t * 13 + y
    return t * 1000 + len(zs) * 100 + len(ws) * 10 + len(vs) + sum(us) * 7
""".replace("from portalis", "import math\nfrom portalis", 1)


pair = kernels_fixture(SOURCE, "list_methods.py")


no_nan = st.floats(allow_nan=False) | st.sampled_from([0.0, -0.0, 1.0, -1.0, math.inf])
small = st.integers(-6, 6)


@settings(max_examples=60, deadline=None)
@given(st.lists(no_nan, max_size=70), st.integers(-80, 80), no_nan, no_nan)
def test_float_methods_match_cpython(
    pair: Kernels, values: list[float], k: int, v: float, w: float
) -> None:
    a = np.array(values, dtype=np.float64)
    check(pair, "edit", a, k, v, w, cast=True)
    check(pair, "ordered", a, cast=True)
    check(pair, "ordered_down", a, cast=True)


@settings(max_examples=60, deadline=None)
@given(st.lists(small, max_size=70), small, st.integers(-80, 80), st.integers(-80, 80))
def test_int_methods_match_cpython(
    pair: Kernels, values: list[int], v: int, lo: int, hi: int
) -> None:
    a = np.array(values, dtype=np.int64)
    check(pair, "find", a, v, lo, hi, cast=True)  # ValueError when absent in both
    check(pair, "drop", a, v, lo, cast=True)  # ValueError / IndexError in both
    check(pair, "ranks", a, True, cast=True)
    check(pair, "ranks", a, False, cast=True)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 12), st.integers(-15, 15), st.integers(-15, 15), st.integers(-4, 4))
def test_slices_match_cpython(pair: Kernels, n: int, a: int, b: int, c: int) -> None:
    check(pair, "sliced", n, a, b, c, cast=True)  # step 0: ValueError in both


@pytest.mark.parametrize("n", [0, 1, 5, 16, 17, 40, 300])
def test_sorts_keep_equal_items_in_order(pair: Kernels, n: int) -> None:
    check(pair, "signed_zeros", n, cast=True)  # 0.0 and -0.0 are equal: their order is kept
    rng = np.random.default_rng(n)
    for down in (True, False):
        check(pair, "ranks", rng.integers(-3, 3, n), down, cast=True)


@pytest.mark.parametrize(("n", "m"), [(0, 0), (3, 0), (7, 9), (40, 100)])
def test_lists_made_again(pair: Kernels, n: int, m: int) -> None:
    check(pair, "batches", n, m, cast=True)
    check(pair, "grow", n + m, cast=True)


def test_a_list_made_in_a_loop_gives_its_block_back(pair: Kernels) -> None:
    """Made 2,000 times with 500 items each: the memory stays as after a first call, so each
    new list frees the previous one (and the last is freed on return)."""
    _, wasm = pair
    descending = np.arange(3000.0)[::-1].copy()
    wasm.batches(20, 500)
    wasm.ordered(descending)
    before = wasm.instance.memory.size
    wasm.batches(2000, 500)
    for _ in range(20):
        wasm.ordered(descending)  # the sort's scratch list, freed too
    assert wasm.instance.memory.size == before


def test_sort_refuses_nan_with_its_rule(pair: Kernels) -> None:
    """CPython's order for a list holding NaN depends on timsort's comparisons; the compiled
    sort raises ValueError (with the reason) instead of returning another order."""
    _, wasm = pair
    for values in ([1.0, math.nan], [math.nan], [3.0, math.nan, 1.0] * 10):
        with pytest.raises(ValueError, match="NaN"):
            wasm.ordered(np.array(values))
        with pytest.raises(ValueError, match="NaN"):
            wasm.ordered_down(np.array(values))


def test_messages_are_cpythons(pair: Kernels) -> None:
    py, wasm = pair
    a = np.array([1, 2, 3], dtype=np.int64)
    for name, args in [("find", (a, 9, 0, 3)), ("drop", (a, 9, 0)), ("drop", (a, 1, 5))]:
        with pytest.raises(Exception) as cpython:
            py[name](*args)
        with pytest.raises(type(cpython.value)) as compiled:
            getattr(wasm, name)(*args)
        assert str(cpython.value) in str(compiled.value)


ERRORS = [
    ("def f() -> float:\n    xs = [1.0]\n    xs.sort(cmp=abs)\n    return 0.0\n",
     "with `cmp` is not supported"),
    ("def f() -> float:\n    xs = [1.0]\n    y = xs.sort()\n    return 0.0\n",
     "returns None"),
    ("def f(r: bool) -> float:\n    xs = [1.0]\n    xs.sort(reverse=r)\n    return 0.0\n",
     "reverse= must be True or False"),
    ("def f() -> float:\n    xs = [1.0]\n    xs.insert(0.5, 1.0)\n    return 0.0\n",
     "must be an int"),
    ("def f() -> float:\n    xs = [1.0]\n    xs = [1]\n    xs: list[int] = []\n    return 0.0\n",
     "cannot become a list[int]"),
    ("def f() -> float:\n    x = 1.0\n    x = [1.0]\n    return 0.0\n",
     "already names something else"),
    ("def f() -> float:\n    xs = [1.0]\n    xs = sorted(xs)\n    return 0.0\n",
     "anew from itself"),
    ("def f() -> float:\n    xs = [1.0]\n    xs.index(1.0, 0.5)\n    return 0.0\n",
     "must be an int"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "words"), ERRORS)
def test_unsupported_forms_are_located_errors(body: str, words: str) -> None:
    with pytest.raises(CompileError) as info:
        compile_source(body, "k.py")
    text = f"{info.value} {info.value.hint}"
    assert words in text, text
    assert info.value.line > 1
