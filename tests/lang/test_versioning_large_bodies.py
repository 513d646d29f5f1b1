"""Loop versioning for innermost loops too large to unroll (nbody's pair loop, its body
holding the inlined ``** -1.5``): one guard before the loop stands in for the bounds checks
of its accesses (``pos[j, 0]``, ``vel[i, 2]``), the loop itself still runs one body per
back-edge, and whichever version runs, the result, the exception (IndexError at its line)
and the writes made before it are CPython's."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import compile_source

from . import wat_shape
from .conftest import outcome, python_and_compiled, same

SOURCE = """\
from portalis.lang import Array, f64


def pairs(pos: Array[f64, 2], vel: Array[f64, 2], mass: Array[f64], lo: int, dt: float) -> float:
    n = len(mass)
    e = 0.0
    for i in range(n):
        for j in range(i + lo, n):
            dx = pos[i, 0] - pos[j, 0]
            dy = pos[i, 1] - pos[j, 1]
            dz = pos[i, 2] - pos[j, 2]
            mag = dt * (dx * dx + dy * dy + dz * dz + 0.5) ** -1.5
            vel[i, 0] -= dx * mass[j] * mag
            vel[i, 1] -= dy * mass[j] * mag
            vel[i, 2] -= dz * mass[j] * mag
            vel[j, 0] += dx * mass[i] * mag
            vel[j, 1] += dy * mass[i] * mag
            vel[j, 2] += dz * mass[i] * mag
            e += mag
    return e
"""


@pytest.fixture(scope="module")
def kernels():  # type: ignore[no-untyped-def]
    return python_and_compiled(SOURCE, "pairs.py")


coords = st.floats(-4.0, 4.0, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(-2, 1),
    st.integers(-2, 1),
    st.integers(1, 4),
    st.integers(0, 6),
    st.integers(-2, 2),
    st.lists(coords, min_size=56, max_size=56),
)
def test_pair_loop_matches_cpython(  # type: ignore[no-untyped-def]
    kernels, pos_short: int, vel_short: int, cols: int, n: int, lo: int, values: list[float]
) -> None:
    """Arrays with fewer rows (``n`` plus a draw below 1) or columns than the loops reach
    (IndexError part-way, after some writes), negative starts (indices counting from the
    end): CPython's outcome."""
    n_pos, n_vel = max(0, n + pos_short), max(0, n + vel_short)
    py, wasm = kernels
    pos = np.array(values[: n_pos * cols]).reshape(n_pos, cols)
    vel = np.array(values[28 : 28 + n_vel * cols]).reshape(n_vel, cols)
    mass = np.arange(1.0, n + 1.0)
    mine = [pos.copy(), vel.copy(), mass.copy()]
    expected = outcome(py["pairs"], pos, vel, mass, lo, 0.01)
    got = outcome(wasm.pairs, *mine, lo, 0.01)
    assert expected[0] == got[0] and same(expected[1], got[1]), (expected, got)
    for a, b in zip((pos, vel, mass), mine, strict=True):
        np.testing.assert_array_equal(a, b)


def _guarded_copies(
    fn: wat_shape.Structure,
) -> tuple[list, wat_shape.Structure, wat_shape.Structure]:
    """The innermost loops of ``fn`` and the two arms of the guard before them."""
    inner = [loop for loop in fn.loops() if not any(s.kind == "loop" for s in loop.all()[1:])]
    guards = [
        s
        for s in fn.all()
        if s.kind == "if" and any(loop in s.all() for loop in inner) and s.orelse
    ]
    guard = min(guards, key=lambda s: len(s.all()))
    return (
        inner,
        wat_shape.Structure("then", body=guard.body),
        wat_shape.Structure("else", body=guard.orelse),
    )


def test_large_pair_loop_is_versioned_not_unrolled(monkeypatch: pytest.MonkeyPatch) -> None:
    """A body over the unroller's largest size keeps one body per back-edge; a guard before
    it picks a copy without IndexError checks, the other copy keeps them."""
    from portalis.lang.backend import unroll

    monkeypatch.setattr(unroll, "LARGE_BODY", unroll.MEDIUM_BODY)  # this body: too large
    fn = wat_shape.function(compile_source(SOURCE, "pairs.py").wat, "pairs")
    inner, fast, slow = _guarded_copies(fn)
    assert len(inner) == 2  # the guarded copy and the checked one
    assert all(loop.bodies_per_back_edge() == 1 for loop in inner)
    assert fast.loops() and not fast.raises("IndexError")
    assert slow.loops() and slow.raises("IndexError")


def test_unrolled_pair_loop_is_versioned_too() -> None:
    """At its size the pair loop takes two bodies per back-edge (docs/language.md,
    "Unrolling"); the guard still picks copies without IndexError checks."""
    fn = wat_shape.function(compile_source(SOURCE, "pairs.py").wat, "pairs")
    inner, fast, slow = _guarded_copies(fn)
    assert any(loop.bodies_per_back_edge() == 2 for loop in inner)
    assert fast.loops() and not fast.raises("IndexError")
    assert slow.loops() and slow.raises("IndexError")
