"""The ABI's ``writes`` flag: an array parameter is read-only only when no store can reach it,
in the function itself or in anything it passes the array to."""

from __future__ import annotations

import numpy as np

from portalis.lang import compile_source

SOURCE = """
from portalis.lang import Array, f64, i64


def total(xs: Array[f64]) -> float:
    s = 0.0
    for i in range(len(xs)):
        s += xs[i]
    return s


def scale(xs: Array[f64], k: float) -> None:
    for i in range(len(xs)):
        xs[i] *= k


def zero_at(xs: Array[f64], i: int) -> None:
    xs[i] = 0.0


def through_helper(xs: Array[f64]) -> None:
    zero_at(xs, 0)


def read_through_helper(xs: Array[f64]) -> float:
    return total(xs) + xs[0]


def one_branch(xs: Array[f64], flag: bool) -> float:
    if flag:
        if xs[0] > 1e300:
            pass
        else:
            xs[0] = 1.0
    return xs[0]


def copy_into(src: Array[f64], dst: Array[f64]) -> None:
    for i in range(len(src)):
        dst[i] = src[i]


def recursive_read(xs: Array[f64], n: int) -> float:
    if n <= 0:
        return 0.0
    return xs[n - 1] + recursive_read(xs, n - 1)


def recursive_write(xs: Array[f64], n: int) -> None:
    if n <= 0:
        xs[0] = -1.0
        return
    recursive_write(xs, n - 1)


def ping(xs: Array[f64], n: int) -> float:
    if n <= 0:
        return xs[0]
    return pong(xs, n - 1)


def pong(xs: Array[f64], n: int) -> float:
    return ping(xs, n)


def even(xs: Array[f64], n: int) -> None:
    if n > 0:
        odd(xs, n - 1)


def odd(xs: Array[f64], n: int) -> None:
    if n == 0:
        xs[0] = 7.0
    else:
        even(xs, n - 1)


def swapped(a: Array[f64], b: Array[f64]) -> None:
    copy_into(b, a)
"""


def _writes() -> dict[str, dict[str, bool]]:
    abi = compile_source(SOURCE, "writes.py").abi
    return {
        f.name: {p.name: p.writes for p in f.params if hasattr(p, "writes")} for f in abi.functions
    }


def test_read_only_and_written_parameters():
    writes = _writes()
    assert writes["total"] == {"xs": False}
    assert writes["scale"] == {"xs": True}  # augmented assignment
    assert writes["zero_at"] == {"xs": True}
    assert writes["copy_into"] == {"src": False, "dst": True}


def test_written_through_a_helper_or_only_in_one_branch():
    writes = _writes()
    assert writes["through_helper"] == {"xs": True}
    assert writes["one_branch"] == {"xs": True}


def test_passed_to_helpers_that_only_read():
    writes = _writes()
    assert writes["read_through_helper"] == {"xs": False}
    # The argument position decides, not the name: `a` goes to copy_into's `dst`.
    assert writes["swapped"] == {"a": True, "b": False}


def test_recursion():
    writes = _writes()
    assert writes["recursive_read"] == {"xs": False}
    assert writes["recursive_write"] == {"xs": True}
    assert writes["ping"] == {"xs": False}
    assert writes["pong"] == {"xs": False}
    assert writes["even"] == {"xs": True}
    assert writes["odd"] == {"xs": True}


def test_read_only_flag_survives_the_binary_and_kernels_still_work():
    from portalis.runtime import load

    kernel = load(compile_source(SOURCE, "writes.py").wasm, cache=False)
    fn = {f.name: f for f in kernel.abi.functions}
    assert fn["total"].params[0].writes is False
    xs = np.array([1.0, 2.0, 3.0])
    assert kernel.total(xs) == 6.0
    kernel.scale(xs, 2.0)
    assert xs.tolist() == [2.0, 4.0, 6.0]
    kernel.through_helper(xs)
    assert xs.tolist() == [0.0, 4.0, 6.0]
    kernel.odd(xs, 2)
    assert xs.tolist() == [7.0, 4.0, 6.0]
