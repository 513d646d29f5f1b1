"""Measuring the library against CPython's ``math`` (CPython-only tooling, never compiled).

``sample(name, n, seed)`` draws ``n`` inputs for a function, spread over strata chosen for it:
uniform over the interesting range, log-uniform over every binade (subnormals to the largest
doubles, both signs), and clusters near the hard points (multiples of π/2, ±1, overflow and
underflow thresholds). ``measure`` compares any implementation with ``math`` on them and
returns the worst case, in ulps (distance between the two doubles' positions in the ordered
list of all doubles). Where CPython raises, C semantics require nan or ±inf instead
(ValueError: nan or a pole's ±inf; OverflowError: ±inf).

The tests, ``benchmarks/bench_libm.py`` and the compiled-module test share it, so the three
measure the same thing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import random
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from portalis.lang.libm import ARITY, FUNCTIONS

_PACK = struct.Struct("<d")
_UNPACK = struct.Struct("<q")

Inputs = list[tuple[float, ...]]


def ordinal(x: float) -> int:
    """Position of x among all doubles in increasing order (+0 and -0 share position 0)."""
    i: int = _UNPACK.unpack(_PACK.pack(x))[0]
    return i if i >= 0 else -(i & 0x7FFFFFFFFFFFFFFF)


def ulp_distance(got: float, want: float) -> float:
    """How many doubles apart got and want are; 0 for two nans, inf for nan against a number."""
    if got != got or want != want:
        return 0.0 if (got != got and want != want) else math.inf
    return float(abs(ordinal(got) - ordinal(want)))


@dataclass
class Worst:
    """The largest error seen for one function, and where."""

    name: str
    count: int = 0
    identical: int = 0  # results bit-identical to CPython's (or, where it raises, C's nan/inf)
    ulps: float = 0.0
    args: tuple[float, ...] = ()
    got: float = 0.0
    want: float | str = 0.0

    def __str__(self) -> str:
        call = f"{self.name}({', '.join(repr(a) for a in self.args)})"
        share = f"{100.0 * self.share:.3f}%"
        return f"{self.name:6s} n={self.count:7d} identical={share} worst={self.ulps:g} ulp" + (
            f" at {call}: got {self.got!r}, math gives {self.want!r}" if self.args else ""
        )

    @property
    def share(self) -> float:
        """The fraction of inputs whose result is bit-identical to CPython's."""
        return self.identical / self.count if self.count else 1.0


def _c_library(name: str, fallback: Callable[[float], float]) -> Callable[[float], float]:
    """The C library's one-argument ``name`` through ctypes (what CPython 3.11+ calls as
    ``math.name``), or ``fallback`` where no C math library is found."""
    path = ctypes.util.find_library("m")
    if path is None:
        return fallback
    fn = getattr(ctypes.CDLL(path), name)
    fn.restype, fn.argtypes = ctypes.c_double, [ctypes.c_double]
    return fn  # type: ignore[no-any-return]


# math.cbrt and math.exp2 arrived in Python 3.11; on 3.10 the C library's own stand in (2.0 ** x
# without one: CPython's pow, exact for exp2 wherever pow is).
_BEFORE_311: dict[str, Callable[..., float]] = {
    "cbrt": _c_library("cbrt", lambda x: math.copysign(abs(x) ** (1.0 / 3.0), x)),
    "exp2": _c_library("exp2", lambda x: 2.0**x),
}


def reference(name: str, args: tuple[float, ...]) -> float | str:
    """CPython's ``math`` result, or the name of the exception it raises."""
    fn = getattr(math, name, None) or _BEFORE_311[name]
    try:
        return float(fn(*args))
    except (ValueError, OverflowError) as exc:
        return type(exc).__name__


def error_of(got: float, want: float | str) -> float:
    """ulps between got and CPython's answer, with C semantics where CPython raises."""
    if want == "ValueError":
        return 0.0 if (got != got or math.isinf(got)) else math.inf
    if want == "OverflowError":
        return 0.0 if math.isinf(got) else math.inf
    assert isinstance(want, float)
    return ulp_distance(got, want)


def measure(
    name: str,
    fn: Callable[..., float],
    inputs: Sequence[tuple[float, ...]],
    results: Sequence[float] | None = None,
) -> Worst:
    """Worst error of ``fn`` (or of precomputed ``results``) against ``math`` over inputs."""
    worst = Worst(name, count=len(inputs))
    for i, args in enumerate(inputs):
        got = fn(*args) if results is None else float(results[i])
        want = reference(name, args)
        err = error_of(got, want)
        if err == 0.0 and (
            not isinstance(want, float) or math.copysign(1.0, got) == math.copysign(1.0, want)
        ):  # +0 and -0 are 0 ulps apart but not identical
            worst.identical += 1
        elif err > worst.ulps:
            worst.ulps, worst.args, worst.got, worst.want = err, args, got, want
    return worst


# --- samplers ---------------------------------------------------------------------------------


def _log_uniform(rng: random.Random, lo_exp: int, hi_exp: int, signed: bool = True) -> float:
    """A double with exponent uniform in [lo_exp, hi_exp] (2**-1074 is the smallest subnormal)."""
    e = rng.randint(lo_exp, hi_exp)
    if e < -1022:  # subnormal binades: the mantissa has e + 1074 bits
        x = math.ldexp(rng.randint(1 << (e + 1074), (2 << (e + 1074)) - 1), -1074)
    else:
        x = math.ldexp(1.0 + rng.random(), e)
    if signed and rng.random() < 0.5:
        return -x
    return x


def _near(rng: random.Random, centre: float, rel: float) -> float:
    return centre * (1.0 + rng.uniform(-rel, rel)) + rng.uniform(-rel, rel) * 1e-3


_PI2 = math.pi / 2


def _unary_strata(name: str) -> list[Callable[[random.Random], float]]:
    full: Callable[[random.Random], float] = lambda r: _log_uniform(r, -1074, 1023)  # noqa: E731
    if name in ("sin", "cos", "tan"):
        return [
            lambda r: r.uniform(-10.0, 10.0),
            full,
            lambda r: r.uniform(-1e6, 1e6),
            lambda r: _near(r, r.randint(-100000, 100000) * _PI2, 1e-12),
            lambda r: r.randint(-1000, 1000) * _PI2 + _log_uniform(r, -60, -1),
        ]
    if name in ("asin", "acos"):
        return [
            lambda r: r.uniform(-1.0, 1.0),
            lambda r: _log_uniform(r, -1074, -1),
            lambda r: math.copysign(1.0 - _log_uniform(r, -53, -2, False), r.uniform(-1, 1)),
            lambda r: math.copysign(r.uniform(0.45, 0.55), r.uniform(-1, 1)),
            full,
        ]
    if name == "atan":
        return [lambda r: r.uniform(-10.0, 10.0), full, lambda r: _log_uniform(r, -30, 70)]
    if name == "exp":
        return [
            lambda r: r.uniform(-745.2, 709.8),
            lambda r: _log_uniform(r, -1074, 10),
            lambda r: r.uniform(709.0, 709.79),
            lambda r: r.uniform(-745.2, -700.0),
            lambda r: r.uniform(-2.0, 2.0),
        ]
    if name == "expm1":
        return [
            lambda r: r.uniform(-40.0, 709.8),
            lambda r: _log_uniform(r, -1074, 10),
            lambda r: r.uniform(-1.0, 1.0),
            lambda r: r.uniform(709.0, 709.79),
        ]
    if name in ("log", "log2", "log10"):
        return [
            lambda r: _log_uniform(r, -1074, 1023, False),
            lambda r: r.uniform(0.0, 10.0),
            lambda r: 1.0 + _log_uniform(r, -53, -1),
            lambda r: r.uniform(0.5, 2.0),
            full,
        ]
    if name == "log1p":
        return [
            lambda r: r.uniform(-1.0, 10.0),
            lambda r: _log_uniform(r, -1074, 1023, False),
            lambda r: -_log_uniform(r, -1074, -1, False),
            lambda r: -1.0 + _log_uniform(r, -53, -2, False),
            lambda r: r.uniform(-0.5, 0.5),
        ]
    if name in ("sinh", "cosh"):
        return [
            lambda r: r.uniform(-711.0, 711.0),
            lambda r: _log_uniform(r, -1074, 10),
            lambda r: r.uniform(-3.0, 3.0),
            lambda r: math.copysign(r.uniform(709.0, 710.6), r.uniform(-1, 1)),
        ]
    if name in ("asinh", "atanh"):
        return [
            lambda r: r.uniform(-1.0, 1.0),
            full,
            lambda r: math.copysign(1.0 - _log_uniform(r, -53, -2, False), r.uniform(-1, 1)),
            lambda r: _log_uniform(r, -30, 30),
        ]
    if name == "acosh":
        return [
            lambda r: r.uniform(1.0, 10.0),
            lambda r: _log_uniform(r, 0, 1023, False),
            lambda r: 1.0 + _log_uniform(r, -53, -1, False),
            full,
        ]
    if name == "cbrt":
        return [
            lambda r: r.uniform(-10.0, 10.0),
            full,
            lambda r: float(r.randint(-5000, 5000)) ** 3,  # perfect cubes
        ]
    if name == "exp2":
        return [
            lambda r: r.uniform(-1080.0, 1024.5),
            lambda r: _log_uniform(r, -1074, 10),
            lambda r: r.uniform(-2.0, 2.0),
            lambda r: r.uniform(-1075.5, -1020.0),
            lambda r: float(r.randint(-1100, 1100)),
        ]
    if name in ("erf", "erfc"):
        return [
            lambda r: r.uniform(-6.0, 6.0),
            full,
            lambda r: r.uniform(-1.5, 1.5),
            lambda r: r.uniform(-30.0, 30.0),
            lambda r: _log_uniform(r, -60, 5),
        ]
    if name == "tanh":
        return [
            lambda r: r.uniform(-20.0, 20.0),
            full,
            lambda r: r.uniform(-1.0, 1.0),
            lambda r: _log_uniform(r, -30, 5),
        ]
    raise KeyError(name)


def _binary_strata(name: str) -> list[Callable[[random.Random], tuple[float, float]]]:
    def full2(r: random.Random) -> tuple[float, float]:
        return (_log_uniform(r, -1074, 1023), _log_uniform(r, -1074, 1023))

    def box(r: random.Random) -> tuple[float, float]:
        return (r.uniform(-5.0, 5.0), r.uniform(-5.0, 5.0))

    if name == "atan2":
        return [full2, box, lambda r: (_log_uniform(r, -40, 40), _log_uniform(r, -40, 40))]
    if name == "hypot":
        return [full2, box, lambda r: (_log_uniform(r, -600, 600), _log_uniform(r, -600, 600))]
    if name == "fmod":

        def ratio(r: random.Random) -> tuple[float, float]:
            y = _log_uniform(r, -1000, 900)
            return (math.ldexp(r.uniform(-2.0, 2.0), r.randint(-5, 120)) * abs(y), y)

        def tiny(r: random.Random) -> tuple[float, float]:
            return (_log_uniform(r, -1074, -1000), _log_uniform(r, -1074, -1040))

        return [ratio, box, tiny]
    if name == "pow":

        def general(r: random.Random) -> tuple[float, float]:
            x = _log_uniform(r, -1074, 1023, False)
            lx = math.log2(x)
            z = r.uniform(-1080.0, 1030.0)
            return (x, z / lx if lx != 0.0 else z)

        def near_one(r: random.Random) -> tuple[float, float]:
            x = 1.0 + _log_uniform(r, -53, -10)
            return (x, r.uniform(-700.0, 700.0) / math.log(x))

        def int_power(r: random.Random) -> tuple[float, float]:
            return (float(r.randint(-1000, 1000)), float(r.randint(-110, 110)))

        return [
            general,
            near_one,
            int_power,
            lambda r: (r.uniform(0.0, 10.0), r.uniform(-10.0, 10.0)),
            lambda r: (-r.uniform(0.0, 10.0), float(r.randint(-60, 60))),
        ]
    raise KeyError(name)


def sample(name: str, n: int, seed: int = 0) -> Inputs:
    """``n`` inputs for the math function ``name``, cycling through its strata."""
    rng = random.Random(f"{name}:{seed}")
    out: Inputs = []
    if ARITY[name] == 1:
        strata1 = _unary_strata(name)
        for i in range(n):
            out.append((strata1[i % len(strata1)](rng),))
    else:
        strata2 = _binary_strata(name)
        for i in range(n):
            out.append(strata2[i % len(strata2)](rng))
    return out


_SPECIALS: tuple[float, ...] = (
    0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 3.0, -3.0, math.pi, -math.pi, _PI2, -_PI2,
    math.inf, -math.inf, math.nan, 5e-324, -5e-324, 2.2250738585072014e-308,
    1.7976931348623157e308, -1.7976931348623157e308, 709.782712893384, -745.1332191019411,
    1e-300, 1e300, 0.1, 22.0, 1e22, 2.0**52, 2.0**53 + 2.0, -(2.0**63),
)  # fmt: skip


def special_inputs(name: str) -> Inputs:
    """Every special value (and, for two-argument functions, every pair of them)."""
    if ARITY[name] == 1:
        return [(x,) for x in _SPECIALS]
    return [(x, y) for x in _SPECIALS for y in _SPECIALS]


def map_kernel_source(direct: bool) -> str:
    """A kernel with one ``map_<name>(xs[, ys], out)`` per function: out[i] = f(xs[i][, ys[i]]).

    ``direct`` calls the library's functions themselves (C semantics: nan/inf, no exceptions);
    otherwise the kernel writes ``math.<name>(…)`` as users do, and CPython's exceptions apply.
    """
    lines = ["import math", "", "from portalis.lang import Array, f64"]
    if direct:
        lines += [
            f"from portalis.lang.libm.{stem} import {fn} as libm_{name}"
            for name, (stem, fn) in sorted(FUNCTIONS.items())
        ]
    for name in sorted(ARITY):
        call = f"libm_{name}" if direct else f"math.{name}"
        params = ["xs: Array[f64]", "ys: Array[f64]"][: ARITY[name]]
        args = ["xs[i]", "ys[i]"][: ARITY[name]]
        lines += [
            "",
            "",
            f"def map_{name}({', '.join(params)}, out: Array[f64]) -> None:",
            "    for i in range(len(xs)):",
            f"        out[i] = {call}({', '.join(args)})",
        ]
    return "\n".join(lines) + "\n"
