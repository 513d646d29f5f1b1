"""Accuracy of the kernel math library under CPython, against CPython's own ``math``.

For every function: ``PORTALIS_LIBM_SAMPLES`` random inputs (default 20,000) spread over its
domain by ``portalis.lang.libm.accuracy.sample`` must land within 1 ulp of ``math``, and the
special values (±0, ±inf, nan, subnormals, thresholds) must follow C99 Annex F as CPython
does: nan/inf/signed-zero results exact, where CPython raises a nan or ±inf. The worst case of
each function is printed (``pytest -s``) and named in any failure.

Run ``PORTALIS_LIBM_SAMPLES=100000 pytest tests/lang/test_libm.py -s`` for the full 100,000
inputs per function the language promises (or ``benchmarks/bench_libm.py``).
"""

from __future__ import annotations

import importlib
import math
import os
import platform
import random
import struct
import sys
from collections.abc import Callable

import pytest

from portalis.lang.libm import ARITY, FUNCTIONS, INTRINSICS, MODULES
from portalis.lang.libm.accuracy import (
    error_of,
    measure,
    ordinal,
    reference,
    sample,
    special_inputs,
    ulp_distance,
)

SAMPLES = int(os.environ.get("PORTALIS_LIBM_SAMPLES", "20000"))
NAMES = sorted(FUNCTIONS)


def implementation(name: str) -> Callable[..., float]:
    stem, function = FUNCTIONS[name]
    return getattr(importlib.import_module(f"portalis.lang.libm.{stem}"), function)


# Share of results bit-identical to CPython's ``math`` (glibc on Linux) the library reaches;
# 99.9% is the goal (issue 15) and the default. Below it: tan rounds glibc's last step like
# glibc but glibc's correction term is itself a few of its ulps off, which no model short of
# its exact arithmetic reproduces.
IDENTICAL_AT_LEAST: dict[str, float] = {"tan": 0.998}
GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


@pytest.mark.parametrize("name", NAMES)
def test_random_inputs_within_one_ulp(name: str) -> None:
    fn = implementation(name)
    inputs = sample(name, SAMPLES, seed=1)
    worst = measure(name, fn, inputs)
    print(f"\n{worst}")
    assert len(inputs) >= 20000 or SAMPLES < 20000
    assert worst.ulps <= 1, str(worst)
    if GLIBC:  # bit-identity is measured against glibc, the CPython math of Linux
        assert worst.share >= IDENTICAL_AT_LEAST.get(name, 0.999), str(worst)


def _integers_and_simulation_range(name: str) -> list[tuple[float, ...]]:
    """Integer-valued inputs, and uniform ones in [-10, 10] (typical simulation angles)."""
    rng = random.Random(f"{name}:plain")
    arity = ARITY[name]
    ints = [tuple(float(rng.randint(-100000, 100000)) for _ in range(arity)) for _ in range(6000)]
    plain = [tuple(rng.uniform(-10.0, 10.0) for _ in range(arity)) for _ in range(6000)]
    return ints + plain


@pytest.mark.skipif(not GLIBC, reason="bit-identity is measured against glibc's libm")
@pytest.mark.parametrize("name", ["sin", "cos", "tan", "atan", "exp", "log", "pow"])
def test_plain_inputs_bit_identical_to_math(name: str) -> None:
    """sin and cos used to misround ~1.5% of inputs (atan ~2%) where glibc rounds correctly,
    so iterating them drifted from CPython; integers and [-10, 10] now round as glibc does."""
    inputs = _integers_and_simulation_range(name)
    worst = measure(name, implementation(name), inputs)
    print(f"\n{worst}")
    assert worst.ulps <= 1, str(worst)
    assert worst.share >= (0.997 if name == "tan" else 0.999), str(worst)


@pytest.mark.parametrize("name", NAMES)
def test_special_values(name: str) -> None:
    fn = implementation(name)
    bad = []
    for args in special_inputs(name):
        want = reference(name, args)
        got = fn(*args)
        if isinstance(want, float) and (want == 0.0 or math.isinf(want) or want != want):
            ok = (got != got) if want != want else (got == want and ordinal(got) == ordinal(want))
            ok = (ok and math.copysign(1.0, got) == math.copysign(1.0, want)) or want != want
        else:
            ok = error_of(got, want) <= 1
        if not ok:
            bad.append(f"{name}{args}: got {got!r}, math gives {want!r}")
    assert not bad, "\n".join(bad)


# Hand-picked cases whose answers are known exactly; several defeat naive implementations.
EXACT_CASES: list[tuple[str, tuple[float, ...], float]] = [
    ("sin", (-0.0,), -0.0),
    ("tan", (-0.0,), -0.0),
    ("cos", (0.0,), 1.0),
    ("atan2", (0.0, -0.0), math.pi),
    ("atan2", (-0.0, -0.0), -math.pi),
    ("atan2", (-0.0, 1.0), -0.0),
    ("pow", (math.nan, 0.0), 1.0),
    ("pow", (1.0, math.nan), 1.0),
    ("pow", (-1.0, math.inf), 1.0),
    ("pow", (-2.0, 3.0), -8.0),
    ("pow", (3.0, 40.0), 1.2157665459056929e19),
    ("pow", (-0.0, 3.0), -0.0),
    ("pow", (0.5, math.inf), 0.0),
    ("pow", (1.0000000000000002, 2.0**52), 2.718281828459045),  # |x - 1| < 2**-20, |y| > 2**31
    ("fmod", (-0.0, 1.0), -0.0),
    ("fmod", (-7.5, 2.0), -1.5),
    ("fmod", (1e308, 1e-308), 3.498445546245627e-309),  # exact, by rational arithmetic
    ("fmod", (5e-324, 1e-310), 5e-324),
    ("hypot", (math.inf, math.nan), math.inf),
    ("hypot", (3.0, 4.0), 5.0),
    ("hypot", (1e308, 1e308), 1.4142135623730951e308),
    ("hypot", (5e-324, 5e-324), 5e-324),
    ("exp", (-745.1332191019411,), 5e-324),
    ("exp", (709.782712893384,), 1.7976931348622732e308),
    ("expm1", (-math.inf,), -1.0),
    ("log", (1.0,), 0.0),
    ("log2", (2.0**-1074,), -1074.0),
    ("log10", (1e22,), 22.0),
    ("log1p", (-0.0,), -0.0),
    ("sinh", (-0.0,), -0.0),
    ("tanh", (-math.inf,), -1.0),
    ("asin", (-1.0,), -math.pi / 2),
    ("acos", (-1.0,), math.pi),
    # The double closest to a multiple of π/2 (Kahan–McDonald): x - n·π/2 ≈ 4.687e-19 needs
    # ~120 bits of 2/π. The expected values are correctly rounded (computed with 1500-bit
    # arithmetic); glibc 2.36's cos and tan miss them by 8 and 14 ulps, so they are not taken
    # from ``math`` here.
    ("sin", (6381956970095103 * 2.0**797,), 1.0),
    ("tan", (6381956970095103 * 2.0**797,), -2.133485385753704e18),
    ("cos", (6381956970095103 * 2.0**797,), -4.687165924254628e-19),
]


@pytest.mark.parametrize(("name", "args", "want"), EXACT_CASES)
def test_known_values(name: str, args: tuple[float, ...], want: float) -> None:
    got = implementation(name)(*args)
    assert ulp_distance(got, want) <= 1, f"{name}{args} = {got!r}, expected {want!r}"
    if want == 0.0 or math.isinf(want):
        assert math.copysign(1.0, got) == math.copysign(1.0, want)


def test_registry_matches_the_modules() -> None:
    for name, (stem, function) in FUNCTIONS.items():
        assert stem in MODULES, stem
        fn = implementation(name)
        assert fn.__code__.co_argcount == ARITY[name], name
        assert fn.__name__ == function
        assert name in dir(math) or name in ("cbrt", "exp2")  # both arrived in Python 3.11
    for stem, function in INTRINSICS:
        assert callable(getattr(importlib.import_module(f"portalis.lang.libm.{stem}"), function))


def test_helpers_report_int64_overflow() -> None:
    """The bit-cast shim refuses what would silently wrap in the compiled module."""
    from portalis.lang.libm._bits import bits_to_float, float_to_bits

    assert float_to_bits(-0.0) == -(2**63)
    assert bits_to_float(float_to_bits(-2.5)) == -2.5
    with pytest.raises(struct.error):
        bits_to_float(2**63)
