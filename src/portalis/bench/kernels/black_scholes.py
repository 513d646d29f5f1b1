"""Black–Scholes European call and put prices for a batch of options."""

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

ADAPTED = """
import math

from portalis.lang import Array, f64

A1 = 0.31938153
A2 = -0.356563782
A3 = 1.781477937
A4 = -1.821255978
A5 = 1.330274429
RSQRT2PI = 0.39894228040143267794


def cnd(x: float) -> float:
    k = 1.0 / (1.0 + 0.2316419 * abs(x))
    poly = k * (A1 + k * (A2 + k * (A3 + k * (A4 + k * A5))))
    tail = RSQRT2PI * math.exp(-0.5 * x * x) * poly
    if x > 0:
        return 1.0 - tail
    return tail


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

WHY = (
    "math.erfc (and math.erf) are not in the math library: the normal CDF by the "
    "Abramowitz–Stegun polynomial, as the classic Numba/CUDA example does"
)
ENTRY = "black_scholes"
SIZES = {"test": 50, "quick": 5000, "full": 50000}


def inputs(n: int) -> tuple[object, ...]:
    rng = np.random.default_rng(12)
    price = rng.uniform(5.0, 30.0, n)
    strike = rng.uniform(1.0, 100.0, n)
    years = rng.uniform(0.25, 10.0, n)
    return price, strike, years, 0.02, 0.30, np.zeros(n), np.zeros(n)
