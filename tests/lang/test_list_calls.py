"""Lists passed to and returned by a module's helpers (frontend/list_calls.py): a helper's
appends, pops, sorts and stores are seen by the caller (copy in, copy out), a returned list
is the caller's from then on, memory is given back, and what cannot work is a located error.
Same results and errors as CPython on the same source."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.errors import CompileError
from portalis.lang import compile_source

from .conftest import Kernels, check, kernels_fixture

SOURCE = """\
def _fill(xs: list[float], n: int) -> None:
    for i in range(n):
        xs.append(i * 0.5)


def _total(xs: list[float]) -> float:
    t = 0.0
    for x in xs:
        t = t * 0.5 + x
    xs.pop()
    return t


def _primes(n: int) -> list[int]:
    ps: list[int] = []
    for k in range(2, n):
        ok = True
        for p in ps:
            if k % p == 0:
                ok = False
                break
        if ok:
            ps.append(k)
    if n == 7:
        raise ValueError(f"unlucky {n}")
    return ps


def _pair(xs: list[float], ys: list[int]) -> tuple[float, int]:
    xs.sort(reverse=True)
    ys.append(len(xs))
    return xs[0] if len(xs) else -1.0, sum(ys)


def _early(xs: list[int], k: int) -> None:
    xs.append(k)
    if k > 3:
        return
    xs.insert(0, -k)


def _forward(xs: list[int], k: int) -> int:
    _early(xs, k)
    return len(xs)


def run(n: int) -> float:
    xs: list[float] = []
    _fill(xs, n)
    t = _total(xs)
    ps = _primes(n)
    a, b = _pair(xs, ps)
    for k in range(3):
        qs = _primes(n + k + 8)
        t += len(qs)
    c = _forward(ps, n)
    return t + len(xs) * 1000.0 + sum(ps) + a * 7.0 + b + c * 100000.0
"""


pair = kernels_fixture(SOURCE, "list_calls.py")


@settings(max_examples=40, deadline=None)
@given(st.integers(-2, 120))
def test_helpers_share_lists_as_cpython(pair: Kernels, n: int) -> None:
    check(pair, "run", n)


def test_a_helpers_error_keeps_its_message(pair: Kernels) -> None:
    _, wasm = pair
    with pytest.raises(ValueError, match=r"unlucky 7 \(list_calls.py:25\)"):
        wasm.run(7)


def test_lists_returned_in_a_loop_are_freed(pair: Kernels) -> None:
    """After a few calls have shaped the free list (the allocator does not merge free
    blocks, so the first calls may grow memory once), further calls need no more."""
    _, wasm = pair
    for _ in range(5):
        wasm.run(3000)
    before = wasm.instance.memory.size
    for _ in range(20):
        wasm.run(3000)
    assert wasm.instance.memory.size == before


ERRORS = [
    ("def f(xs: list[float]) -> float:\n    return 0.0\n", "the host passes arrays"),
    ("def f(n: int) -> list[float]:\n    xs = [1.0]\n    return xs\n", "not lists"),
    ("def _g(xs: list[float]) -> list[float]:\n    return xs\n\n\n"
     "def f() -> float:\n    xs = [1.0]\n    ys = _g(xs)\n    return 0.0\n",
     "returns its parameter"),
    ("def _g(xs: list[float], ys: list[float]) -> None:\n    pass\n\n\n"
     "def f() -> float:\n    xs = [1.0]\n    _g(xs, xs)\n    return 0.0\n", "passed twice"),
    ("def _g(n: int) -> list[float]:\n    xs = [1.0]\n    return xs\n\n\n"
     "def f() -> float:\n    _g(2)\n    return 1.0\n", "assign it to a name"),
    ("def _g(xs: list[float]) -> None:\n    pass\n\n\n"
     "def f() -> float:\n    xs = [1]\n    _g(xs)\n    return 0.0\n", "must be a list[float]"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "words"), ERRORS)
def test_what_cannot_work_is_a_located_error(body: str, words: str) -> None:
    with pytest.raises(CompileError) as info:
        compile_source(body, "k.py")
    text = f"{info.value} {info.value.hint}"
    assert words in text, text
    assert info.value.line >= 1


def test_rust_backend_says_list_parameters_are_not_supported_yet() -> None:
    source = (
        "def _g(xs: list[float]) -> float:\n    return 1.0\n\n\n"
        "def f(n: int) -> float:\n    return n * 2.0\n"
    )
    source += "\n\ndef h() -> float:\n    return 0.0\n"
    with pytest.raises(CompileError, match="not supported by the Rust backend yet"):
        compile_source(
            source.replace("return n * 2.0", "return _k(n)") + _K, "k.py", backend="rust-source"
        )


_K = "\n\ndef _k(n: int) -> float:\n    xs: list[float] = []\n    return _g(xs)\n"
