"""Black–Scholes European call and put prices for a batch of options.

The normal CDF is ``0.5 * math.erfc(-x / sqrt(2))``, the textbook form (the compiler's math
library has ``erfc``). At the full size, 1 of the 100,000 prices (50,000 calls and puts) differs
from CPython's by ≤ 4 ulp: the module's ``math.log`` rounds 2 of the 50,000 ratios ``s / k``
differently from glibc's (CPython's), and one of them carries through to a call price.
"""

from __future__ import annotations

import numpy as np

NATURAL = """
import math

from portalis.lang import Array, f64


def cnd(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def black_scholes(
    price: Array[f64],
    strike: Array[f64],
    years: Array[f64],
    rate: float,
    volatility: float,
    call: Array[f64],
    put: Array[f64],
) -> None:
    for i in range(len(price)):
        s = price[i]
        k = strike[i]
        t = years[i]
        sqrt_t = math.sqrt(t)
        d1 = (math.log(s / k) + (rate + 0.5 * volatility * volatility) * t) / (volatility * sqrt_t)
        d2 = d1 - volatility * sqrt_t
        discount = math.exp(-rate * t)
        call[i] = s * cnd(d1) - k * discount * cnd(d2)
        put[i] = k * discount * cnd(-d2) - s * cnd(-d1)
"""

ADAPTED = None
WHY = ""
ENTRY = "black_scholes"
SIZES = {"test": 50, "quick": 5000, "full": 50000}


def inputs(n: int) -> tuple[object, ...]:
    rng = np.random.default_rng(12)
    price = rng.uniform(5.0, 30.0, n)
    strike = rng.uniform(1.0, 100.0, n)
    years = rng.uniform(0.25, 10.0, n)
    return price, strike, years, 0.02, 0.30, np.zeros(n), np.zeros(n)
