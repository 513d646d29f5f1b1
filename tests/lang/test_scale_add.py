"""exp's last step ``scale·(1 + tmp)`` (libm/_scale_add.py, now one fused multiply-add) must
give ``mul_add``'s bits on every input it is used on, so exp keeps rounding like glibc's
(CPython's) ``math.exp``."""

from __future__ import annotations

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang.libm._dd import mul_add
from portalis.lang.libm._exp_log_data import _EXP_SBITS
from portalis.lang.libm._scale_add import scale_add
from portalis.lang.libm.exp import exp

from .conftest import compile_kernel

#: exp's scales: about 2**(j/128) times a power of two as |x| < 512 makes it (and the
#: software FMA's splitting needs: below 2**996)
scales = st.builds(
    lambda j, e: math.ldexp(2.0 ** (j / 128.0), e), st.integers(0, 127), st.integers(-760, 760)
)
tails = st.floats(-(2.0**-8), 2.0**-8, allow_subnormal=False)


@settings(max_examples=500, deadline=None)
@given(scales, tails)
def test_scale_add_is_mul_add(scale: float, tmp: float) -> None:
    assert scale_add(scale, tmp) == mul_add(scale, tmp, scale)


def test_scale_add_on_exps_own_operands_and_near_midpoints() -> None:
    """The table's own scales (powers of two among them), and tails that put the sum next to
    a midpoint, where only the fallback is right."""
    from portalis.lang.libm._bits import bits_to_float

    rng = random.Random(3)
    checked = fallbacks = 0
    for sbits in _EXP_SBITS:
        scale = bits_to_float(sbits + (rng.randint(-740, 740) << 52))
        for _ in range(200):
            # a tail whose product lands 0.5 ulp of the scale away, give or take 2**-10 ulp
            half_ulp = math.ulp(scale) / 2
            tmp = half_ulp * rng.choice([-1, 1, 3, -3]) + rng.uniform(-1, 1) * half_ulp / 512
            tmp /= scale
            for t in (tmp, rng.uniform(-(2.0**-8), 2.0**-8)):
                want = mul_add(scale, t, scale)
                p = scale * t
                s = scale + p
                fallbacks += s != want
                assert scale_add(scale, t) == want, (scale, t)
                checked += 1
    assert checked > 50000 and fallbacks > 0


def test_exp_under_cpython_is_maths_exp() -> None:
    rng = random.Random(5)
    xs = [rng.uniform(-700.0, 700.0) for _ in range(20000)]
    xs += [rng.uniform(-1.0, 1.0) for _ in range(20000)]
    assert sum(exp(x) != math.exp(x) for x in xs) <= 2


def test_compiled_exp_matches_the_cpython_run_of_the_library() -> None:
    import numpy as np

    kernel = compile_kernel(
        "import math\n\nfrom portalis.lang import Array, f64\n\n\n"
        "def exps(xs: Array[f64], out: Array[f64]) -> None:\n"
        "    for i in range(len(xs)):\n"
        "        out[i] = math.exp(xs[i])\n"
    )
    rng = np.random.default_rng(6)
    xs = np.concatenate([rng.uniform(-700.0, 700.0, 5000), rng.uniform(-2.0, 2.0, 5000)])
    out = np.zeros_like(xs)
    kernel.exps(xs, out)
    assert [exp(float(x)) for x in xs] == out.tolist()
