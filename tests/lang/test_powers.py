"""``x ** y`` for constant integer and half-integer y (``x ** 3``, ``x ** -1.5``): the
double-double fast path (prelude/power.py, libm/powers.py) gives CPython's ``pow`` bits and
exceptions, on special values and on sampled inputs, run by CPython and compiled. The share
over 10**6 inputs is measured by ``portalis bench libm --only powers``."""

from __future__ import annotations

import math
import random

import pytest

from portalis.lang.prelude.power import power

from .conftest import compile_kernel, outcome, same

EXPONENTS = ["3", "4", "5", "6", "7", "12", "-1", "-2", "-3", "-6", "0.5", "-0.5", "1.5"]
EXPONENTS += ["-1.5", "2.5", "-2.5", "3.0", "17", "-13", "64", "-64.5"]
SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -3.0, math.inf, -math.inf, math.nan, 5e-324]
SPECIAL += [-5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1e-300, 1e300, 1e-150]
SPECIAL += [1e150, 3.3e77, -7.1e-60, 1.0000000000000002, 0.9999999999999999]


def _inputs(n: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    xs = list(SPECIAL)
    for i in range(n):
        if i % 3 == 0:
            xs.append(rng.uniform(-10.0, 10.0))
        elif i % 3 == 1:
            xs.append(math.ldexp(rng.uniform(-2.0, 2.0), rng.randint(-80, 80)))
        else:
            xs.append(math.ldexp(1.0 + rng.random(), rng.randint(-1074, 1023)))
    return xs


def _cpython(x: float, exponent: str) -> object:
    return outcome(lambda: x ** float(exponent))


@pytest.mark.parametrize("exponent", EXPONENTS)
def test_prelude_under_cpython_is_pow(exponent: str) -> None:
    twice = int(2 * float(exponent))
    for x in _inputs(3000, seed=1):
        assert same(_cpython(x, exponent), outcome(power, x, twice)), (x, exponent)


@pytest.fixture(scope="module")
def kernel() -> object:
    source = "\n\n".join(
        f"def p{i}(x: float) -> float:\n    return x ** {e}\n" for i, e in enumerate(EXPONENTS)
    )
    return compile_kernel(source)


@pytest.mark.parametrize("i", range(len(EXPONENTS)))
def test_compiled_powers_are_cpythons(kernel: object, i: int) -> None:
    """Bit-identical where the fast path decides; where it hands over to the module's pow,
    that pow is glibc's algorithm without FMA and may round a near-midpoint case the other
    way (within 1 ulp). A negative base to a half-integer power raises ValueError (CPython's
    result is complex)."""
    exponent = EXPONENTS[i]
    fn = getattr(kernel, f"p{i}")
    inputs = _inputs(1000, seed=2)
    if float(exponent) != math.floor(float(exponent)):
        inputs = [x for x in inputs if not x < 0.0]
    results = [(x, _cpython(x, exponent), outcome(fn, x)) for x in inputs]
    assert all(same(want, got, ulps=1) for _, want, got in results), exponent
    identical = sum(same(want, got) for _, want, got in results)
    assert identical >= 0.995 * len(results), f"x ** {exponent}: {identical}/{len(results)}"


def test_negative_base_to_a_half_integer_raises_as_cpython() -> None:
    kernel = compile_kernel("def f(x: float) -> float:\n    return x ** 1.5\n")
    assert outcome(kernel.f, -2.0) == ("raise", "ValueError")
    assert outcome(kernel.f, 0.0) == ("ok", 0.0)
    kernel = compile_kernel("def f(x: float) -> float:\n    return x ** -3\n")
    assert outcome(kernel.f, 0.0) == ("raise", "ZeroDivisionError")
    assert outcome(kernel.f, 1e-300) == ("raise", "OverflowError")


def test_bench_libm_measures_the_powers(capsys: pytest.CaptureFixture[str]) -> None:
    from portalis.cli.main import main

    assert main(["bench", "libm", "--only", "powers", "--samples", "300", "--no-speed"]) == 0
    out = capsys.readouterr().out
    assert "x ** 3 " in out and "x ** -1.5" in out and "identical=" in out
