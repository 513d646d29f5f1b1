"""Whole-view arithmetic, row swaps and stepped slices through the Rust backend: each function
of the direct backend's tests (test_slice_exprs.py, test_strided.py) either builds through
Rust and gives the direct build's results and arrays, bit for bit, on inputs that reach its
edges (empty, negative, out of range, zero step), or is refused with the backend's located
"not supported by the Rust backend yet" (views it does not translate)."""

from __future__ import annotations

import itertools
import re
from typing import Any

import numpy as np
import pytest

from portalis.errors import CompileError
from portalis.lang import compile_source
from portalis.runtime import load

from . import test_slice_exprs, test_strided
from .conftest import outcome


def _functions(source: str) -> dict[str, str]:
    """Each function of ``source`` alone, with the source's imports."""
    header, *parts = re.split(r"^(?=def )", source, flags=re.M)
    return {p.split("(", 1)[0][4:]: header + p for p in parts}


def _arrays(n: int) -> dict[str, Any]:
    rng = np.random.default_rng(n)
    return {
        "v": rng.standard_normal(n),
        "w": rng.standard_normal(n),
        "m": rng.standard_normal((max(n, 1), n)),
        "b2": rng.standard_normal((2, n)),
        "iv": np.arange(n, dtype=np.int64) - 2,
    }


#: Arguments per function, from the arrays of _arrays and small ints i, k.
CALLS = {
    "eliminate": lambda x, i, k: (x["m"], i, k),
    "shifted": lambda x, i, k: (x["v"], i, k, k, i),
    "mixed": lambda x, i, k: (x["v"], x["w"], i, k, 0.5),
    "named": lambda x, i, k: (x["v"], i, k, -1.5),
    "rows": lambda x, i, k: (x["m"], i, k),
    "ints": lambda x, i, k: (x["iv"], i, k, 3),
    "columns": lambda x, i, k: (x["m"], x["m"] * 2.0, k, 0.25),
    "stencil": lambda x, i, k: (x["v"], 2),
    "crossed": lambda x, i, k: (x["m"], x["v"], k),
    "swap": lambda x, i, k: (x["m"], i, k),
    "rows2": lambda x, i, k: (x["m"], x["w"], x["m"] * 0.5, i, 1.5),
    "product": lambda x, i, k: (x["m"], x["m"] + 1.0, x["b2"][:1]),
    "rotate": lambda x, i, k: (np.arange(len(x["v"]), dtype=np.int64), i, k, i + k),
    "take": lambda x, i, k: (x["b2"], x["m"], i, k),
    "weighted": lambda x, i, k: (x["v"], i, k, k - i or 1),
    "nested": lambda x, i, k: (x["v"], i, k or -1, k, -1, i),
    "reversed_sum": lambda x, i, k: (x["v"],),
    "every": lambda x, i, k: (x["m"], k, i),
    "fill": lambda x, i, k: (x["v"], i, k, 7.5),
    "scaled": lambda x, i, k: (x["v"], x["w"], k),
}
SOURCES = {
    **_functions(test_slice_exprs.SOURCE),
    **_functions(test_strided.SOURCE),
}


def test_every_function_has_calls() -> None:
    assert set(SOURCES) <= set(CALLS)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_rust_build_equals_the_direct_one_or_is_refused(name: str) -> None:
    source = SOURCES[name]
    try:
        rust = load(compile_source(source, "k.py", backend="rust").wasm, cache=False)
    except CompileError as error:
        assert "not supported by the Rust backend yet" in str(error), str(error)
        return
    direct = load(compile_source(source, "k.py").wasm, cache=False)
    for n, i, k in itertools.product((0, 1, 4), (-2, 0, 1, 5), (-1, 0, 2)):
        args = CALLS[name](_arrays(n), i, k)
        mine = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        expected = outcome(getattr(direct, name), *args)
        got = outcome(getattr(rust, name), *mine)
        assert expected == got, f"{name}{args}"
        for a, b in zip(args, mine, strict=True):
            if isinstance(a, np.ndarray):
                assert a.tobytes() == b.tobytes(), f"{name}{args}"
