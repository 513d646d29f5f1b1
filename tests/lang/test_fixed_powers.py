"""``x ** 3`` and ``x ** -1.5`` have fast paths written out for their one exponent
(prelude/cube.py, prelude/inverse_three_halves.py): under CPython each is ``x ** y`` bit for
bit (it is plain Python), and ``np.float64(x) ** y`` with NumPy's semantics; compiled they
give CPython's (or NumPy's) bits and exceptions, and in a loop they are inlined rather than
calling the general power's loop."""

from __future__ import annotations

import math
import operator
import random
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import compile_source
from portalis.lang.prelude.cube import cube
from portalis.lang.prelude.inverse_three_halves import inverse_three_halves

from .conftest import compile_kernel, outcome, same
from .test_powers import SPECIAL, _inputs

FAST_PATHS = [(cube, 3.0), (inverse_three_halves, -1.5)]
anything = st.floats(allow_nan=True, allow_infinity=True)
near_one = st.floats(1e-3, 1e3)


@pytest.mark.parametrize(("fast", "y"), FAST_PATHS)
def test_fast_path_under_cpython_is_pow_on_sampled_inputs(
    fast: Callable[[float, bool], float], y: float
) -> None:
    for x in _inputs(6000, seed=3):
        assert same(outcome(operator.pow, x, y), outcome(fast, x, False)), (x, y)
        with np.errstate(all="ignore"):
            want = outcome(operator.pow, np.float64(x), y)
        assert same(want, outcome(fast, x, True)), (x, y, "numpy")


@settings(max_examples=400, deadline=None)
@given(st.one_of(anything, near_one, st.floats(-1e3, -1e-3)))
def test_fast_paths_under_cpython_are_pow(x: float) -> None:
    assert same(outcome(lambda: x**3), outcome(cube, x, False))
    assert same(outcome(lambda: x**-1.5), outcome(inverse_three_halves, x, False))


def test_fast_paths_reach_their_fallback() -> None:
    """Inputs where a product of doubles is not CPython's cube: the exact value is near a
    midpoint, the case the fast path must notice (and hand to pow, or round right)."""
    rng = random.Random(8)
    xs = [rng.uniform(0.5, 4.0) for _ in range(20000)]
    near = [x for x in xs if x**3 != (x * x) * x]
    assert len(near) > 100
    assert all(cube(x, False) == x**3 for x in near)


LOOP = """
from portalis.lang import Array, f64


def cubes(xs: Array[f64], out: Array[f64]) -> None:
    for i in range(len(xs)):
        out[i] = xs[i] ** 3


def gravity(xs: Array[f64], out: Array[f64]) -> None:
    for i in range(len(xs)):
        out[i] = xs[i] ** -1.5


def one_cube(x: float) -> float:
    return x ** 3


def one_gravity(x: float) -> float:
    return x ** -1.5
"""


@pytest.fixture(scope="module")
def loops() -> object:
    return compile_kernel(LOOP)


def test_compiled_loops_match_cpython(loops: object) -> None:
    rng = np.random.default_rng(4)
    xs = np.concatenate([rng.uniform(1e-3, 10.0, 4000), np.ldexp(rng.random(4000) + 1, -60)])
    for name, y in (("cubes", 3.0), ("gravity", -1.5)):
        out = np.zeros_like(xs)
        getattr(loops, name)(xs, out)
        want = np.array([float(x) ** y for x in xs])
        differ = int(np.count_nonzero(out.view(np.int64) != want.view(np.int64)))
        # the module's pow decides near-midpoint cases (~4%); it is glibc's algorithm without
        # FMA and may, rarely, round one of those the other way (test_powers.py)
        assert differ <= 0.002 * len(xs), (name, differ)
        assert np.all(np.abs(out.view(np.int64) - want.view(np.int64)) <= 1), name


@pytest.mark.parametrize("x", [*SPECIAL, -2.5, 1e91, -1e91, 1e-91, 1e151, 1e-151, -1e-3])
def test_compiled_special_values_and_errors_match_cpython(loops: object, x: float) -> None:
    assert same(outcome(lambda: x**3), outcome(loops.one_cube, x), ulps=1)  # type: ignore[attr-defined]
    if not x < 0.0:  # CPython's result is complex; a kernel raises ValueError (test_powers.py)
        assert same(outcome(lambda: x**-1.5), outcome(loops.one_gravity, x), ulps=1)  # type: ignore[attr-defined]


def test_loops_inline_the_fast_path_instead_of_the_general_power() -> None:
    wat = compile_source(LOOP, "loops.py").wat
    assert "$libm.powers.power" not in wat
    body = wat.split("(func $cubes", 1)[1].split("(func ", 1)[0]
    assert "call $prelude.cube" not in body
    body = wat.split("(func $gravity", 1)[1].split("(func ", 1)[0]
    assert "call $prelude.inverse_three_halves" not in body


def test_compiled_numpy_values_follow_numpy_at_special_values(loops: object) -> None:
    """Array elements are NumPy values: no exceptions, NumPy's inf and nan instead."""
    xs = np.array([*SPECIAL, -2.5, 1e91, -1e91, 1e-91, 1e151, 1e-151, -1e-3, 1e200, -1e200])
    for name, y in (("cubes", 3.0), ("gravity", -1.5)):
        out = np.zeros_like(xs)
        getattr(loops, name)(xs, out)
        with np.errstate(all="ignore"):
            want = xs**y
        assert np.array_equal(np.isnan(out), np.isnan(want)), name
        ok = ~np.isnan(want)
        assert np.all(np.abs(out[ok].view(np.int64) - want[ok].view(np.int64)) <= 1), name


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.floats(1e-150, 1e150), st.floats(0.5, 200.0)))
def test_inverse_three_halves_double_double_is_exact_to_2_to_minus_100(x: float) -> None:
    """The value the acceptance test rounds (h + lo, from √x, one division and exact
    remainders, as prelude/inverse_three_halves.py computes it) is x ** -1.5 to ~2**-100:
    checked exactly, (h + lo)² · x³ against 1; where it is accepted, h is the prelude's
    answer and CPython's."""
    from fractions import Fraction

    from portalis.lang.libm._dd import product_error, square_error
    from portalis.lang.libm.fixed_powers import decided

    if not 1e-150 < x < 1e150:
        return
    sh = math.sqrt(x)
    s2 = sh * sh
    p = sh * x
    q = 1.0 / p
    sl = ((x - s2) - square_error(sh, s2)) * (0.5 * q * x)
    t = product_error(sh, x, p) + sl * x
    ph = p + t
    pl = t - (ph - p)
    p = q * ph
    r = ((1.0 - p) - product_error(q, ph, p)) - q * pl
    rl = r * q
    h = q + rl
    lo = rl - (h - q)
    assert abs(lo) <= math.ulp(h)
    error = (Fraction(h) + Fraction(lo)) ** 2 * Fraction(x) ** 3 - 1
    assert abs(error) < Fraction(1, 2**99), (x, float(error))
    if decided(h, lo):
        assert h == inverse_three_halves(x, False) == x**-1.5
