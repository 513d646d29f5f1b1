"""Inlining must not change behaviour: helpers with and without results, with early returns
and with control flow, inlined into their callers, agree with CPython."""

from __future__ import annotations

from .conftest import check, python_and_compiled

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
    kernels = python_and_compiled(SOURCE, "inline_kernel.py")
    for a, b in [(1.0, 5.0), (-2.0, 0.5), (3.0, -4.0), (0.0, 0.0)]:
        check(kernels, "step", a, b, returns=True)


def test_inlining_rebuilds_only_what_it_changes() -> None:
    """A function with nothing to inline keeps its very statement objects, and in one that
    inlines a call only the statements holding the call are new (the pass copies changed
    paths, not whole functions)."""
    from portalis.lang.frontend.program import Program, default_library
    from portalis.lang.frontend.unit import parse_unit
    from portalis.lang.passes.inline import inline_small_functions

    source = (
        "def sq(x: float) -> float:\n    return x * x\n\n\n"
        "def plain(a: float) -> float:\n    b = a + 1.0\n    return b * 2.0\n\n\n"
        "def caller(a: float) -> float:\n    b = a - 1.0\n    c = sq(b)\n    return c + b\n"
    )
    program = Program(parse_unit(source, "k.py", prefix="", exported=True), default_library())
    functions = program.lower_all()
    before = {f.name: list(f.body) for f in functions}
    after = {f.name: f.body for f in inline_small_functions(functions, set())}
    assert all(a is b for a, b in zip(after["plain"], before["plain"], strict=True))
    same = [a is b for a, b in zip(after["caller"], before["caller"], strict=True)]
    assert same == [True, False, True]  # only `c = sq(b)` was rebuilt
