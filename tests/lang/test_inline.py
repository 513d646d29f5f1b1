"""Inlining must not change behaviour: helpers with and without results, with early returns
and with control flow, inlined into their callers, agree with CPython."""

from __future__ import annotations

from .conftest import compile_kernel

SOURCE = """
total: float = 0.0
calls: int = 0


def bump(x: float) -> None:
    global total, calls
    if x < 0.0:
        return
    total += x
    calls += 1


def clamp(x: float, lo: float, hi: float) -> float:
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


def step(a: float, b: float) -> tuple[float, int]:
    bump(a)
    bump(clamp(b, -1.0, 1.0))
    return total, calls
"""


def test_void_and_valued_helpers_inline_like_cpython():
    namespace: dict[str, object] = {}
    exec(compile(SOURCE, "inline_kernel.py", "exec"), namespace)
    compiled = compile_kernel(SOURCE, "inline_kernel.py")
    for a, b in [(1.0, 5.0), (-2.0, 0.5), (3.0, -4.0), (0.0, 0.0)]:
        expected = namespace["step"](a, b)  # type: ignore[operator]
        assert compiled.step(a, b) == expected
