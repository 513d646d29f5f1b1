"""``heapq`` on typed lists, lists of tuples and loops over tables of rows
(frontend/heaps.py, frontend/tuple_lists.py, frontend/table_loops.py): random sequences of
heap operations leave the very same list, item for item, as CPython's heapq (differential,
Hypothesis), tuples compare as CPython compares them, and what is not supported is refused
with a located error."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.bench.kernels import astar
from portalis.errors import CompileError
from portalis.lang import compile_source

from .conftest import compile_kernel, outcome, python_and_compiled, same

SOURCE = """\
import heapq
from heapq import heappop, heappush

from portalis.lang import Array, f64, i64

MOVES = ((1, 0), (-1, 0), (0, 1), (0, -1))
WEIGHTS = (0.5, 2.0, -1.0)
MIXED = (1, 2.5, -3)
LONG = ((1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16), (17, 18))


def pairs(ops: Array[i64], keys: Array[f64], out: Array[f64]) -> int:
    heap: list[tuple[float, int]] = []
    n = 0
    for i in range(len(ops)):
        op = ops[i]
        if op == 0:
            heappush(heap, (keys[i], i % 3))
        elif op == 1:
            if heap:
                k, j = heappop(heap)
                out[n] = k
                out[n + 1] = j
                n += 2
        elif op == 2:
            k, j = heapq.heappushpop(heap, (keys[i], i % 3))
            out[n] = k
            out[n + 1] = j
            n += 2
        elif heap:
            k, j = heapq.heapreplace(heap, (keys[i], i % 2))
            out[n] = k
            out[n + 1] = j
            n += 2
    for k, j in heap:
        out[n] = k
        out[n + 1] = j
        n += 2
    return len(heap)


def numbers(a: Array[f64], ops: Array[i64], out: Array[f64]) -> int:
    xs: list[float] = [float(a[i]) for i in range(len(a))]
    heapq.heapify(xs)
    n = 0
    for i in range(len(ops)):
        if ops[i] == 0:
            heapq.heappush(xs, a[i % len(a)] * 0.5)
        elif ops[i] == 1:
            out[n] = heapq.heappop(xs)
            n += 1
        else:
            out[n] = heapq.heapreplace(xs, -a[i % len(a)])
            n += 1
    for x in xs:
        out[n] = x
        n += 1
    return n


def ints(a: Array[i64], out: Array[i64]) -> int:
    xs: list[int] = [int(a[i]) for i in range(len(a))]
    heapq.heapify(xs)
    for i in range(len(xs)):
        out[i] = xs[i]
    t = 0
    while xs:
        t = (t * 31 + heapq.heappop(xs)) % 1000003
    return t


def triples(a: Array[i64]) -> int:
    items = [(3, 1, 2), (1, 2, 3)]
    items.append((a[0], a[1], a[2]))
    items[0] = (a[2], a[1], a[0])
    first, second, third = items[-1]
    t = first * 100 + second * 10 + third + len(items)
    x, y, z = items.pop()
    t = t * 7 + x - y + z + items[0][0] * 2 + items[-1][-1] * 3 + items[1][1]
    heapq.heapify(items)
    for p, q, r in items:
        t = t * 3 + p + 2 * q + 5 * r
    if not items or len(items) > 5:
        t = -t
    items.clear()
    if items:
        t += 1
    return t


def walk(r: int, c: int) -> int:
    t = 0
    for dr, dc in MOVES:
        if dr == 0 and dc == -1:
            continue
        t = t * 10 + (r + dr) * 3 + (c + dc)
    for w in WEIGHTS:
        t += int(w * 4)
    for m in MIXED:
        t += int(m * 2)
    for a, b in LONG:  # nine rows: a counted loop
        if a > r:
            t += b
            break
    else:
        t -= 1
    for dr, dc in MOVES:  # unrolled: the names keep the last row, as in Python
        t += dr - dc
    return t + int(m) + a + b + dr * 5 + dc


def empty_pop() -> int:
    heap: list[tuple[int, int]] = []
    a, b = heapq.heappop(heap)
    return a + b
"""


@pytest.fixture(scope="module")
def pair() -> tuple[dict[str, Any], Any]:
    return python_and_compiled(SOURCE, "heaps.py")


def _both(
    pair: tuple[dict[str, Any], Any], name: str, *args: Any
) -> tuple[Any, Any, list[np.ndarray], list[np.ndarray]]:
    """The outcomes under CPython and compiled, and the array arguments after each call."""
    py, wasm = pair
    mine = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    theirs = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    expected = outcome(py[name], *mine)
    got = outcome(getattr(wasm, name), *theirs)
    arrays = [a for a in mine if isinstance(a, np.ndarray)]
    return expected, got, arrays, [a for a in theirs if isinstance(a, np.ndarray)]


# Few distinct keys, both zeros: ties are decided by the second item, as CPython decides them.
KEYS = st.sampled_from([0.0, -0.0, 1.0, 2.5, -3.0, 7.0])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), KEYS), max_size=60))
def test_tuple_heap_matches_cpython(pair: tuple[dict[str, Any], Any], steps: list[Any]) -> None:
    ops = np.array([s[0] for s in steps], dtype=np.int64)
    keys = np.array([s[1] for s in steps], dtype=np.float64)
    out = np.full(2 * len(steps) + 2, 99.0)
    expected, got, mine, theirs = _both(pair, "pairs", ops, keys, out)
    assert same(expected, got)
    assert mine[-1].tobytes() == theirs[-1].tobytes()  # every item, in CPython's order


FLOATS = st.one_of(st.sampled_from([0.0, -0.0, np.nan, np.inf]), st.floats(-100, 100))


@settings(max_examples=60, deadline=None)
@given(st.lists(FLOATS, min_size=1, max_size=40), st.lists(st.integers(0, 2), max_size=40))
def test_number_heap_matches_cpython_nan_included(
    pair: tuple[dict[str, Any], Any], values: list[float], steps: list[int]
) -> None:
    a = np.array(values)
    ops = np.array(steps, dtype=np.int64)
    out = np.full(len(values) + len(steps) + 1, 99.0)
    expected, got, mine, theirs = _both(pair, "numbers", a, ops, out)
    assert same(expected, got)
    assert mine[-1].tobytes() == theirs[-1].tobytes()


@pytest.mark.parametrize("n", [0, 1, 2, 7, 3001])
def test_heapify_lays_out_the_list_as_cpython(pair: tuple[dict[str, Any], Any], n: int) -> None:
    """Past 2,500 items CPython heapifies in another order of siftups (cache-friendly);
    each node is still sifted after its children, so the layout is the same."""
    a = np.random.default_rng(n).integers(-50, 50, n)
    expected, got, mine, theirs = _both(pair, "ints", a, np.zeros(n, dtype=np.int64))
    assert expected == got
    assert np.array_equal(mine[-1], theirs[-1])


@given(st.integers(-9, 9), st.integers(-9, 9), st.integers(-9, 9))
@settings(max_examples=30, deadline=None)
def test_tuple_lists_and_table_loops_match_cpython(
    pair: tuple[dict[str, Any], Any], x: int, y: int, z: int
) -> None:
    py, wasm = pair
    a = np.array([x, y, z], dtype=np.int64)
    assert outcome(py["triples"], a) == outcome(wasm.triples, a)
    assert outcome(py["walk"], x, y) == outcome(wasm.walk, x, y)


def test_heappop_of_an_empty_heap_is_index_error(pair: tuple[dict[str, Any], Any]) -> None:
    py, wasm = pair
    assert outcome(py["empty_pop"]) == outcome(wasm.empty_pop) == ("raise", "IndexError")


@pytest.mark.parametrize("n", [12, 25, 40])
def test_astar_natural_form_equals_cpython(n: int) -> None:
    """The corpus's A* kernel as people write it (heapq over a list of 4-tuples, `while
    heap`, `for dr, dc in MOVES`, `rows, cols = grid.shape`), on grids with paths."""
    namespace, wasm = python_and_compiled(astar.NATURAL, "astar.py")
    for seed in range(4):
        grid = (np.random.default_rng(seed).random((n, n)) < 0.2).astype(np.uint8)
        grid[0, 0] = grid[n - 1, n - 1] = 0
        for goal in ((n - 1, n - 1), (n // 2, 1)):
            args = (grid, 0, 0, *goal)
            assert namespace["astar"](*args) == wasm.astar(*args)


PREFIX = "import heapq\nfrom portalis.lang import Array, f64, i64\n\n\n"


@pytest.mark.parametrize(
    ("body", "where", "words"),
    [
        (
            "def f(n: int) -> int:\n    xs: list[int] = []\n    return heapq.nsmallest(2, xs)\n",
            "k.py:7:",
            "heapq.nsmallest` is not supported yet",
        ),
        (
            "def f(n: int) -> int:\n    xs: list[int] = []\n    return heapq.heappush(xs, 1)\n",
            "k.py:7:",
            "returns None",
        ),
        (
            "def f(n: int) -> int:\n    xs = [(1, 2)]\n    heapq.heappush(xs, (1, 2, 3))\n"
            "    return 0\n",
            "k.py:7:",
            "holds 2-tuples",
        ),
        (
            "def f(n: int) -> int:\n    xs = [(1, 2)]\n    ys = xs\n    return 0\n",
            "k.py:7:",
            "using list `xs` as a value",
        ),
        (
            "def f(n: int) -> int:\n    xs = [(1, 2)]\n    return sum(xs)\n",
            "k.py:7:",
            "not supported yet on a list of tuples",
        ),
        (
            "def f(n: int) -> int:\n    xs: list[tuple[int, ...]] = []\n    return 0\n",
            "k.py:6:",
            "tuple items of float or int only",
        ),
        (
            "def f(n: int) -> int:\n    xs = [(1, 2), (1.5, 2, 3)]\n    return 0\n",
            "k.py:6:",
            "same length",
        ),
        (
            "def f(n: int) -> int:\n    xs = [(1, 2)]\n    for a in xs:\n        n += a\n"
            "    return n\n",
            "k.py:7:",
            "unpack it",
        ),
        (
            "M = ((1, 2), (3, 4))\n\n\ndef f(n: int) -> int:\n    for a, b, c in M:\n"
            "        n += a\n    return n\n",
            "k.py:9:",
            "holds 2 values",
        ),
        (
            "def f(n: int) -> int:\n    xs = [(i, 2) for i in range(n)]\n    return n\n",
            "k.py:6:",
            "annotate a comprehension's item type",
        ),
        (
            "def f(n: int) -> int:\n    xs = [(1, 2)]\n    return xs[0][n]\n",
            "k.py:7:",
            "index a tuple item with a constant from -2 to 1",
        ),
        (
            "def f(n: int) -> int:\n    xs = [(1, 2)]\n    xs = 5\n    return n\n",
            "k.py:7:",
            "`xs` names a list and cannot hold a number",
        ),
        (
            "def f(n: int) -> int:\n    xs = [1.0]\n    xs = 5\n    return n\n",
            "k.py:7:",
            "`xs` names a list and cannot hold a number",
        ),
        (
            "def f(n: int) -> int:\n    xs = [1, 2]\n    heapq.heappush(n, 1)\n    return 0\n",
            "k.py:7:",
            "needs a typed list",
        ),
    ],
)
def test_unsupported_is_a_located_error(body: str, where: str, words: str) -> None:
    with pytest.raises(CompileError) as info:
        compile_source(PREFIX + body, "k.py")
    assert where in str(info.value) and words in str(info.value), str(info.value)


def test_rust_backend_refuses_lists_of_tuples_with_a_message() -> None:
    with pytest.raises(CompileError) as info:
        compile_source(astar.NATURAL, "astar.py", backend="rust")
    assert "the list `best`" not in str(info.value)
    assert "the list `heap` (typed lists, heapq) is not supported by the Rust backend" in str(
        info.value
    )
    assert "astar.py:14:" in str(info.value)


def test_a_heap_of_tuples_gives_its_blocks_back() -> None:
    """Every column of the heap (and A*'s array) is freed on return: memory stays as after
    the first calls, however many searches run."""
    wasm = compile_kernel(astar.NATURAL, "astar.py")
    args = astar.inputs(60)
    first = wasm.astar(*args)
    wasm.astar(*args)
    before = wasm.instance.memory.size
    for _ in range(40):
        assert wasm.astar(*args) == first
    assert wasm.instance.memory.size == before


def test_template_names_never_meet_the_compilers_temporaries() -> None:
    """A* with its bounds test written out (four comparisons joined by `and`, each `and`
    taking a temporary): the heap templates' hidden names (`T1` + a counter) once met a
    temporary's (`~t` + the same digits), giving invalid WebAssembly."""
    source = astar.NATURAL.replace(
        "if 0 <= nr < rows and 0 <= nc < cols and grid[nr, nc] == 0:",
        "if 0 <= nr and nr < rows and 0 <= nc and nc < cols and grid[nr, nc] == 0:",
    )
    assert source != astar.NATURAL
    namespace, wasm = python_and_compiled(source, "astar.py")
    for n in (16, 30):
        assert wasm.astar(*astar.inputs(n)) == namespace["astar"](*astar.inputs(n))
