"""Augmented stores at a neighbouring element (``share[a + 1, b, c] += w``) index with their
expressions, not compiler temporaries (passes/store_offsets.py): CPython's results (a
trilinear scatter proven in range, and stores whose indices are checked: IndexError,
negative indices), the temporaries gone where the pass applies, and nothing else changed."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import compile_source, pipeline
from portalis.lang.backend import unroll
from portalis.lang.passes.store_offsets import forward_store_offsets
from portalis.runtime import load

from .conftest import check, python_namespace

SOURCE = """\
from portalis.lang import Array, f64


def scatter(pos: Array[f64, 2], share: Array[f64, 3]) -> float:
    nx = share.shape[0]
    ny = share.shape[1]
    nz = share.shape[2]
    total = 0.0
    for p in range(pos.shape[0]):
        x = min(max(pos[p, 0], 0.0), nx - 1.0)
        y = min(max(pos[p, 1], 0.0), ny - 1.0)
        z = min(max(pos[p, 2], 0.0), nz - 1.0)
        a = min(int(x), nx - 2)
        b = min(int(y), ny - 2)
        c = min(int(z), nz - 2)
        tx = x - a
        ty = y - b
        tz = z - c
        sx = 1.0 - tx
        sy = 1.0 - ty
        sz = 1.0 - tz
        share[a, b, c] += sx * sy * sz
        share[a + 1, b, c] += tx * sy * sz
        share[a, b + 1, c] += sx * ty * sz
        share[a + 1, b + 1, c] += tx * ty * sz
        share[a, b, c + 1] += sx * sy * tz
        share[a + 1, b, c + 1] += tx * sy * tz
        share[a, b + 1, c + 1] += sx * ty * tz
        share[a + 1, b + 1, c + 1] += tx * ty * tz
        total += share[a + 1, b + 1, c + 1]
    return total


def around(out: Array[f64, 2], i: int, j: int, v: float) -> float:
    out[i + 1, j] += v
    out[i - 1, j] *= v
    out[i + 2, j - 1] -= v
    return out[i, j]
"""


def _build(source: str, offsets: bool = True) -> pipeline.Build:
    """A direct build of ``source``, with the pass right after ``vectorise`` or without it."""
    build = pipeline.Build(source, "k.py", None, "direct")
    for name, run, backends in pipeline.PASSES:
        if "direct" in backends and name != "offsets":
            run(build)
        if name == "vectorise" and offsets:
            forward_store_offsets(build.module)
    return build


KERNELS = python_namespace(SOURCE, "scatter.py"), load(_build(SOURCE).wasm, cache=False)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 5),
    st.integers(2, 5),
    st.integers(2, 5),
    st.lists(st.floats(-2.0, 7.0, allow_nan=False), min_size=0, max_size=30),
)
def test_a_trilinear_scatter_matches_cpython(nx: int, ny: int, nz: int, xs: list[float]) -> None:
    pos = np.array(xs[: len(xs) // 3 * 3], dtype=np.float64).reshape(-1, 3)
    check(KERNELS, "scatter", pos, np.zeros((nx, ny, nz)))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.integers(1, 4), st.integers(-7, 7), st.integers(-5, 5))
def test_checked_neighbouring_stores_match_cpython(n: int, m: int, i: int, j: int) -> None:
    """Rows and columns past either end (IndexError) and negative ones (from the end)."""
    check(KERNELS, "around", np.arange(n * m, dtype=np.float64).reshape(n, m) + 0.5, i, j, 1.25)


def _function_text(wat: str, name: str) -> str:
    return wat.split(f"(func ${name} ")[1].split("(func ")[0]


def test_the_scatter_indexes_with_its_locals(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before the pass every corner stored through three temporaries; after it none do.
    (Counted in the text of one copy of the loop body: large bodies are not unrolled here.)"""
    monkeypatch.setattr(unroll, "LARGE_COPIES", 1)
    before = _function_text(_build(SOURCE, offsets=False).wat, "scatter")
    after = _function_text(_build(SOURCE).wat, "scatter")
    # the six corners with an offset on a leading axis lose their 3 temporaries each;
    # [a, b, c] and [a, b, c + 1] (nothing to share) keep theirs; in each version of the
    # loop (backend/versioning.py: the copy without pos's checks and the checked one)
    versions = after.count("loop $")
    assert versions == before.count("loop $") == 2
    assert before.count("local.set $~t") - after.count("local.set $~t") == 6 * 3 * versions


def test_other_modules_are_built_as_before() -> None:
    """No store with an offset on a leading axis: the same text with and without the pass;
    and a build is reproducible."""
    plain = SOURCE.replace("a + 1", "a").replace("b + 1", "b").replace("i + 1", "i")
    plain = plain.replace("i - 1", "i").replace("i + 2", "i")
    assert _build(plain, offsets=False).wasm == _build(plain).wasm
    assert _build(SOURCE).wasm == _build(SOURCE).wasm


def test_the_build_runs_the_pass_after_vectorise() -> None:
    assert compile_source(SOURCE, "k.py").wat == _build(SOURCE).wat
