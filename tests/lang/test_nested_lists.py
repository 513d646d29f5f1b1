"""Lists of lists (frontend/nested_lists.py): adjacency lists and ragged rows made by a
comprehension, a literal or ``append([...])``; an inner list's methods, items read and
assigned, ``len``/``sum``/``min``/``max`` and loops over it — CPython's results on the same
source (differential, Hypothesis); every inner block given back (memory steady over many
calls and re-made lists); what stays unsupported refused with a located error."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.errors import CompileError
from portalis.lang import compile_source

from .conftest import outcome, python_and_compiled

SOURCE = """\
from portalis.lang import Array, f64, i64


def graph(src: Array[i64], dst: Array[i64], n: int) -> int:
    adj: list[list[int]] = [[] for _ in range(n)]
    for e in range(len(src)):
        adj[src[e]].append(dst[e])
    t = 0
    for u in range(n):
        adj[u].sort(reverse=True)
        for v in adj[u]:
            t = (t * 31 + v) % 1000003
        if adj[u]:
            t += adj[u][0] * 7 + len(adj[u]) + adj[u][-1]
            adj[u][0] += 5
            adj[u][-1] = adj[u][0] * 2
            t += sum(adj[u]) + max(adj[u]) - min(adj[u]) + adj[u].pop()
        if len(adj[u]) > 0:
            adj[u].append(adj[u].pop())
        else:
            adj[u].append(-1)
        t += adj[u][-1] + adj[u].index(adj[u][0])
        if 3 in adj[u] or u - 1 not in adj[u]:
            t += 11
    return t + len(adj)


def rows(k: int, x: float) -> float:
    grid = [[1.0, 2.5], [], [3.0]]
    grid.append([0.5 * k, x])
    grid[1].append(x)
    s = 0.0
    for i in range(len(grid)):
        for v in grid[i]:
            s = s * 0.5 + v
    return s + grid[k][0]


def remade(rounds: int, n: int) -> int:
    t = 0
    for r in range(rounds):
        buckets: list[list[int]] = [[] for _ in range(n)]
        for i in range(n * 4):
            buckets[(i * 7 + r) % n].append(i)
        t += len(buckets[r % n]) + buckets[0][-1]
    return t
"""


@pytest.fixture(scope="module")
def pair() -> tuple[dict[str, Any], Any]:
    return python_and_compiled(SOURCE, "nested.py")


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 12), st.lists(st.tuples(st.integers(0, 40), st.integers(-9, 9))))
def test_adjacency_lists_match_cpython(
    pair: tuple[dict[str, Any], Any], n: int, edges: list[tuple[int, int]]
) -> None:
    py, wasm = pair
    src = np.array([e[0] for e in edges], dtype=np.int64)  # ≥ n: IndexError, as in CPython
    dst = np.array([e[1] for e in edges], dtype=np.int64)
    assert outcome(py["graph"], src, dst, n) == outcome(wasm.graph, src, dst, n)


@settings(max_examples=30, deadline=None)
@given(st.integers(-6, 6), st.floats(-10, 10))
def test_ragged_rows_match_cpython(pair: tuple[dict[str, Any], Any], k: int, x: float) -> None:
    py, wasm = pair
    assert outcome(py["rows"], k, x) == outcome(wasm.rows, k, x)


def test_inner_blocks_are_given_back(pair: tuple[dict[str, Any], Any]) -> None:
    """Inner lists are freed when the function returns and when the outer list is made
    again (in a loop): memory stays as after the first calls."""
    py, wasm = pair
    assert wasm.remade(5, 30) == py["remade"](5, 30)
    src = np.arange(2000, dtype=np.int64) % 50
    wasm.graph(src, src, 50)
    wasm.remade(20, 200)
    before = wasm.instance.memory.size
    for _ in range(30):
        wasm.graph(src, src, 50)
    wasm.remade(400, 200)
    assert wasm.instance.memory.size == before


HEAD = "from portalis.lang import Array, f64, i64\n\n\n"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("    adj = [[1], [2]]\n    row = adj[0]\n", "`adj[0]` as a value"),
        ("    adj = [[1], [2]]\n    for row in adj:\n        n += 1\n", "for row in adj"),
        ("    adj = [[1], [2]]\n    adj.pop()\n", "`adj.pop(...)`"),
        ("    adj = [[1], [2]]\n    adj[0] = [3]\n", "replacing an inner list"),
        ("    adj = [[1], [2]]\n    n = sum(adj)\n", "`sum(...)` of a list of lists"),
        ("    adj = [[] for i in range(n)]\n", "annotate a comprehension's item type"),
        ("    adj = [[1], [2]]\n    adj.append(adj[0])\n", "appending anything but a list"),
    ],
)
def test_unsupported_is_a_located_error(body: str, words: str) -> None:
    source = HEAD + "def f(n: int) -> int:\n" + body + "    return n\n"
    with pytest.raises(CompileError) as info:
        compile_source(source, "k.py")
    assert "k.py:" in str(info.value) and words in str(info.value), str(info.value)


def test_rust_backend_refuses_a_list_of_lists() -> None:
    with pytest.raises(CompileError, match="not supported by the Rust backend yet"):
        compile_source(SOURCE, "nested.py", backend="rust")
