"""Value ranges for hash tables and counters (backend/ranges.py): a slot masked to the table,
``h & mask``, is in ``[0, mask]``; a guard that raises, ``if len(table) < 1024: raise``,
tells the table's size from there on; a counter ``c += 1`` never drops below its start
across the loop; ``if v < 0: continue`` leaves ``v >= 0`` after it; ``3 * v`` of a
non-negative ``v`` is non-negative; the load in ``a[i] += x`` needs no check of its own
(the store's, made first, covers it). Where these do not apply the checks stay, and the
answer — wrap-around, IndexError, the writes before it — is CPython's."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from portalis.lang import compile_source

from . import wat_shape
from .conftest import check, python_and_compiled

SOURCE = """\
from portalis.lang import Array, f64, i64

EMPTY = -1


def probe(table: Array[i64], keys: Array[i64], out: Array[i64]) -> int:
    n = len(keys)
    if len(table) < 1024 or len(out) < n:
        raise ValueError("table or out too small")
    mask = 1023
    found = 0
    for i in range(n):
        key = keys[i]
        slot = (key * 40503) & mask
        entry = table[slot]
        while entry != EMPTY:
            if entry == key:
                break
            slot = (slot + 1) & mask
            entry = table[slot]
        if entry == EMPTY:
            table[slot] = key
            found += 1
        out[i] = slot
    return found


def counted(sums: Array[f64], keys: Array[i64]) -> int:
    v = -1
    count = 0
    for i in range(len(keys)):
        if keys[i] > 0:
            v = count
            count += 1
        if v < 0:
            continue
        sums[3 * v] += 1.0
        sums[3 * v + 2] += 0.5
    return count


def sift_up(heap: Array[i64], i: int, key: int) -> int:
    while i > 0:
        parent = (i - 1) >> 1
        if heap[parent] <= key:
            break
        heap[i] = heap[parent]
        i = parent
    heap[i] = key
    return i


def unguarded(table: Array[i64], keys: Array[i64], mask: int) -> int:
    total = 0
    for i in range(len(keys)):
        total += table[keys[i] & mask]
    return total


def too_short(table: Array[i64], key: int) -> int:
    if len(table) < 512:
        raise ValueError("table too small")
    return table[key & 1023]


def other_element(a: Array[f64], i: int, j: int) -> float:
    a[i] += a[j]
    return a[i]


def maybe_negative(a: Array[f64], keys: Array[i64]) -> float:
    v = 0
    for i in range(len(keys)):
        v = keys[i] - 3
        a[v] += 1.0
    return a[0]
"""


@pytest.fixture(scope="module")
def kernels():  # type: ignore[no-untyped-def]
    return python_and_compiled(SOURCE, "probes.py")


def test_masked_probes_need_no_checks() -> None:
    wat = compile_source(SOURCE, "probes.py").wat
    assert not wat_shape.function(wat, "probe").raises("IndexError")
    counted = wat_shape.function(wat, "counted")
    assert wat_shape.fix_ups(counted) == 0  # v >= 0: only the upper bound is checked
    sift_up = wat_shape.function(wat, "sift_up")
    assert wat_shape.fix_ups(sift_up) == 1  # i >= 1 in the loop, parent >= 0; i may be < 0 after it
    ins = counted.instructions()
    # each += checks its index once (the store), not twice; 2 statements × the loop's copies
    assert ins.count("i64.ge_u") % 2 == 0 and ins.count("i64.ge_u") <= 2 * 5


def test_unproven_probes_keep_their_checks() -> None:
    """A mask that may be negative, a guard too weak for the mask, another element, an
    index that may be negative: checked as before."""
    wat = compile_source(SOURCE, "probes.py").wat
    for name in ("unguarded", "too_short", "other_element", "maybe_negative"):
        assert wat_shape.function(wat, name).raises("IndexError"), name
    assert wat_shape.fix_ups(wat_shape.function(wat, "unguarded")) > 0
    assert wat_shape.fix_ups(wat_shape.function(wat, "maybe_negative")) > 0


@pytest.mark.parametrize("seed", range(4))
def test_probe_matches_cpython(kernels, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    keys = rng.integers(-(2**40), 2**40, size=300 * (seed + 1))
    keys[1::3] = keys[0::3][: len(keys[1::3])]  # repeated keys: found on a later probe
    check(kernels, "probe", np.full(1024, -1, np.int64), keys, np.zeros(len(keys), np.int64))
    check(kernels, "probe", np.full(2048, -1, np.int64), keys, np.zeros(len(keys), np.int64))
    check(kernels, "probe", np.full(1023, -1, np.int64), keys, np.zeros(len(keys), np.int64))
    check(kernels, "probe", np.full(1024, -1, np.int64), keys, np.zeros(len(keys) - 1, np.int64))


@pytest.mark.parametrize("n", [0, 1, 5, 40])
def test_counted_matches_cpython(kernels, n: int) -> None:  # type: ignore[no-untyped-def]
    keys = np.random.default_rng(n).integers(-3, 4, size=n)
    for size in (0, 3 * n, 3 * int((keys > 0).sum()), 3 * int((keys > 0).sum()) - 1):
        check(kernels, "counted", np.zeros(max(size, 0)), keys)


def test_sift_up_matches_cpython(kernels) -> None:  # type: ignore[no-untyped-def]
    heap = np.array([1, 3, 5, 7, 9, 11, 13], np.int64)
    for i in (-8, -1, 0, 3, 6, 7, 20):
        for key in (0, 4, 14):
            check(kernels, "sift_up", heap, i, key)


def test_unproven_match_cpython(kernels) -> None:  # type: ignore[no-untyped-def]
    table = np.arange(1024, dtype=np.int64) * 3
    keys = np.array([5, -1, 2**40 + 7, -(2**50)], np.int64)
    for mask in (0, 7, 1023, 1024, 4095, -1, -8):
        check(kernels, "unguarded", table, keys, mask)
    for size in (100, 512, 1024, 1025):
        for key in (0, 511, 512, 1023, -1, 2**45 + 600):
            check(kernels, "too_short", np.arange(size, dtype=np.int64), key)
    for i, j in itertools.product((-5, -1, 0, 3, 4), repeat=2):
        check(kernels, "other_element", np.arange(5.0), i, j)
    for keys in ([3, 4, 7], [0, 1, 2], [9], [3, 12]):
        check(kernels, "maybe_negative", np.zeros(9), np.array(keys, np.int64))
