"""The allocator every module carries (lang/backend/support.py, and its Rust twin in
lang/rust/support.py), driven through its exports by random sequences of allocations and
frees: blocks are aligned, inside memory, never overlap, keep their contents while others
come and go, and memory given back is used again (a free at the top lowers the heap, free
neighbours merge, a fit leaves its tail free)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.abi import ALLOC_EXPORT, FREE_EXPORT
from portalis.lang import compile_source
from portalis.runtime import load

SOURCE = """
import numpy as np
from portalis.lang import Array, f64


def ramp(n: int) -> Array[f64]:
    out = np.zeros(n)
    for i in range(n):
        out[i] = i * 0.5
    return out
"""

# The Rust backend does not return arrays yet (docs/rust.md); its modules export the same
# allocator for the host to place arguments with.
SCALAR = "def f(x: float) -> float:\n    return x\n"

_built: dict[str, bytes] = {}


def _module(backend: str) -> Any:
    if backend not in _built:
        source = SOURCE if backend == "direct" else SCALAR
        _built[backend] = compile_source(source, "ramp.py", backend=backend).wasm
    return load(_built[backend], cache=False)


BACKENDS = ["direct", "rust"]

# (allocate size bytes with this alignment) or (free the k-th live block, modulo their count)
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("alloc"), st.integers(0, 3000), st.sampled_from([1, 8, 16, 64])),
        st.tuples(st.just("free"), st.integers(0, 1 << 16), st.just(0)),
    ),
    max_size=60,
)


def _run(kernel: Any, ops: list[tuple[str, int, int]]) -> None:
    memory = kernel.instance.memory
    alloc = kernel.instance.function(ALLOC_EXPORT)
    free = kernel.instance.function(FREE_EXPORT)
    first = int(alloc(8, 8))
    free(first)
    live: dict[int, tuple[int, int]] = {}  # address → (size, fill byte)
    for step, (op, arg, align) in enumerate(ops):
        if op == "alloc":
            ptr = int(alloc(arg, align))
            assert ptr % max(align, 8) == 0
            assert ptr + arg <= memory.size
            for other, (size, _) in live.items():
                assert ptr + arg <= other or other + size <= ptr, "blocks overlap"
            fill = step % 251 + 1
            memory.write_at(ptr, np.full(arg, fill, np.uint8))
            live[ptr] = (arg, fill)
        elif live:
            ptr = sorted(live)[arg % len(live)]
            free(ptr)
            del live[ptr]
        for ptr, (size, fill) in live.items():
            assert (memory.read(ptr, np.uint8, size) == fill).all(), "a live block changed"
    for ptr in list(live):
        free(ptr)
    # everything given back merges down to the heap's start: the first block comes back
    assert int(alloc(8, 8)) == first


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=60, deadline=None)
@given(ops=OPS)
def test_random_allocations_and_frees_keep_blocks_apart_and_reuse_memory(
    backend: str, ops: list[tuple[str, int, int]]
) -> None:
    _run(_module(backend), ops)


def test_results_of_growing_size_reuse_memory() -> None:
    # Each call's result is freed by the host after copying; a result one element larger
    # each call must fit where the last one was, or a long run would end in MemoryError.
    kernel = _module("direct")
    kernel.ramp(1)
    start = kernel.instance.memory.size
    for n in range(1, 3000):
        out = kernel.ramp(n)
    assert out[-1] == (n - 1) * 0.5
    assert kernel.instance.memory.size <= start + 65536
