"""The math library's fast paths (Ziv's method: a cheap result, a test that its rounding is
certain, the exact path otherwise) return exactly what the exact paths return.

Each fast path is compared with its exact path on random reduced arguments and tails, both
run under CPython; the exact path is reached by replacing the fast one with one that always
declines (returns nan), as it does when its rounding is not certain.
"""

from __future__ import annotations

import math
import random
import struct
from collections.abc import Callable

import pytest

from portalis.lang.libm import _trig_kernels

N = 30000


def _bits(x: float) -> int:
    return struct.unpack("<q", struct.pack("<d", x))[0]


def _reduced_arguments(seed: str, lo: float, hi: float) -> list[tuple[float, float]]:
    """(yh, yl) with yh uniform in [lo, hi], a third with no tail (unreduced arguments), the
    rest with a tail below half an ulp of yh as a reduction leaves, both signs."""
    rng = random.Random(seed)
    out = []
    for i in range(N):
        yh = rng.uniform(lo, hi) * rng.choice((-1.0, 1.0))
        yl = 0.0 if i % 3 == 0 else rng.uniform(-0.5, 0.5) * math.ulp(yh)
        out.append((yh, yl))
    return out


def _taken(fast_path: Callable[[float, float, int], float], yh: float, yl: float, odd: int) -> bool:
    """Whether the fast path is certain of its rounding for this argument (taken as the
    kernels take it: with yh made positive and yl's sign following)."""
    if yh < 0.0:
        yh, yl = -yh, -yl
    return not math.isnan(fast_path(yh, yl, odd))


def _declined(*args: object) -> float:
    return math.nan


@pytest.mark.parametrize("odd", [0, 1])
def test_tan_fast_path_rounds_as_the_exact_path(odd: int, monkeypatch: pytest.MonkeyPatch) -> None:
    args = _reduced_arguments(f"tan{odd}", 0.0608, 0.787)
    fast = [_trig_kernels.kernel_tan(yh, yl, odd, 1) for yh, yl in args]
    taken = sum(1 for yh, yl in args if _taken(_trig_kernels._tan_fast, yh, yl, odd))
    monkeypatch.setattr(_trig_kernels, "_tan_fast", _declined)
    exact = [_trig_kernels.kernel_tan(yh, yl, odd, 1) for yh, yl in args]
    differ = [(a, f, e) for a, f, e in zip(args, fast, exact, strict=True) if _bits(f) != _bits(e)]
    assert not differ, f"{len(differ)} differ, first (yh, yl), fast, exact: {differ[0]}"
    assert taken > 0.8 * N  # the fast path is taken (~91% of arguments)


def test_sin_small_fast_path_rounds_as_the_exact_path(monkeypatch: pytest.MonkeyPatch) -> None:
    args = _reduced_arguments("sin", 0.0, 0.126)
    args += [(math.ldexp(yh, -40), yl * 2.0**-40) for yh, yl in args[:3000]]  # tiny ones
    fast = [_trig_kernels.kernel_sin(yh, yl) for yh, yl in args]
    taken = sum(1 for yh, yl in args if not math.isnan(_trig_kernels._sin_small(abs(yh), yl)))
    monkeypatch.setattr(_trig_kernels, "_sin_small", _declined)
    exact = [_trig_kernels.kernel_sin(yh, yl) for yh, yl in args]
    differ = [(a, f, e) for a, f, e in zip(args, fast, exact, strict=True) if _bits(f) != _bits(e)]
    assert not differ, f"{len(differ)} differ, first (yh, yl), fast, exact: {differ[0]}"
    assert taken > 0.9 * len(args)  # the fast path is taken (~97% of arguments)
