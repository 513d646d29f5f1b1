"""Result names in the ABI come from the kernel's own `return` statements, so hosts can bind
results to outputs by name."""

from __future__ import annotations


def test_results_are_named_after_what_every_return_names():
    from portalis.lang import compile_source

    source = """
def both(a: float) -> tuple[float, float]:
    x = a + 1.0
    y = a - 1.0
    if a > 0.0:
        return x, y
    return x, y


def mixed(a: float) -> tuple[float, float]:
    if a > 0.0:
        return a, a + 1.0
    return a, a


def single(a: float) -> float:
    return a
"""
    abi = compile_source(source, "names.py").abi
    names = {f.name: [r.name for r in f.results] for f in abi.functions}
    assert names == {"both": ["x", "y"], "mixed": ["result0", "result1"], "single": ["a"]}
