"""Scalar arithmetic, control flow and calls: compiled results must equal CPython's."""

import math

from portalis.lang import bits_to_float, float_to_bits

TABLE = (1.5, -2.25, 3.0, 0.125, 1e300)
PRIMES = (2, 3, 5, 7, 11, 13)
LIMIT = 1 << 20
HALF = LIMIT // 2


def int_ops(a: int, b: int) -> tuple[int, int, int, int, int]:
    """The five integer operators with Python's floor semantics."""
    return a + b, a - b, a * b, a // b, a % b


def float_ops(x: float, y: float) -> tuple[float, float, float, float]:
    return x + y, x - y, x * y, x / y


def float_mod(x: float, y: float) -> float:
    return x % y


def float_floordiv(x: float, y: float) -> float:
    return x // y


def mixed(a: int, x: float) -> float:
    return a * x + a / 3 - x + (a // 2) * 0.5


def int_div(a: int, b: int) -> float:
    return a / b


def powers(x: float, n: int) -> tuple[float, int, float, float]:
    return x**2, n**3, abs(x) ** 0.5, 2.0**n


def float_pow(x: float, y: float) -> float:
    return x**y


def int_pow(a: int, b: int) -> int:
    return a**b


def bits(a: int, b: int) -> tuple[int, int, int, int, int, int]:
    return a & b, a | b, a ^ b, ~a, a << (b & 15), a >> (b & 127)


def chain(a: float, b: float, c: float) -> bool:
    return a < b <= c != a


def logic(a: int, b: int) -> int:
    return (a and b) or (a - b)


def logic_mixed(a: int, x: float) -> float:
    return (a > 0 and x) or -1.5


def truthiness(x: float, n: int, flag: bool) -> int:
    k = 0
    if x:
        k += 1
    if not n:
        k += 10
    if flag and not (x or n):
        k += 100
    return k


def ternary(x: float) -> float:
    return x if x > 0 else -x * 2.0


def builtin_fns(x: float, a: int, b: int) -> tuple[float, int, int, float, int, int]:
    return abs(x), abs(a), min(a, b, 3), max(x, 1.5, -x), round(x), int(x)


def minmax_float(x: float, y: float) -> tuple[float, float]:
    return min(x, y), max(x, y)


def conversions(a: int, x: float, flag: bool) -> tuple[float, int, bool, bool, int]:
    return float(a), int(flag) + a, bool(x), bool(a), flag + flag


def rounding(x: float) -> tuple[int, int, int, int]:
    return round(x), math.floor(x), math.ceil(x), math.trunc(x)


def collatz(n: int) -> int:
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n //= 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


def fib(n: int) -> int:
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return abs(a)


def range_sum(start: int, stop: int, step: int) -> int:
    total = 0
    for i in range(start, stop, step):
        total += i * i
    return total


def loop_var_after(n: int) -> int:
    i = -1
    for i in range(n):  # noqa: B007 - the loop variable outlives the loop
        pass
    return i


def breaks(n: int) -> int:
    acc = 0
    for i in range(n):
        if i % 3 == 0:
            continue
        if acc > 50:
            break
        j = 0
        while True:
            j += 1
            if j >= i:
                break
        acc += j
    return acc


def scaled(x: float, scale: float = 2.0, offset: int = 1) -> float:
    return x * scale + offset


def call_defaults(x: float) -> float:
    return scaled(x) + scaled(x, 3.0) + scaled(x, offset=5) + scaled(offset=2, x=x)


def swap(a: int, b: int) -> tuple[int, int]:
    a, b = b, a
    return a, b


def _divmod(a: int, b: int) -> tuple[int, int]:
    return a // b, a % b


def use_divmod(a: int, b: int) -> int:
    q, r = _divmod(a, b)
    return q * 1000 + r


def table(i: int) -> float:
    return TABLE[i % 5] * PRIMES[i % 6] + TABLE[-1] * 0.0 + len(PRIMES)


def table_raw(i: int) -> int:
    return PRIMES[i]


def bitcast(x: float) -> tuple[int, float]:
    b = float_to_bits(x)
    return b, bits_to_float(b ^ (1 << 63))


def asserting(x: int) -> int:
    assert x >= 0, "x must be non-negative"
    return x + HALF


def raising(x: int) -> int:
    if x > 100:
        raise ValueError("too big")
    return x


def augmented(a: int, x: float) -> tuple[int, float]:
    a += 3
    a -= 1
    a *= 2
    a //= 3
    a %= 1000
    a **= 2
    a <<= 1
    a >>= 2
    a |= 1
    a &= 0xFFFF
    a ^= 5
    x += a
    x -= 0.5
    x *= 1.5
    x /= 2.0
    x **= 2
    return a, x


def annotated(n: int) -> float:
    acc: float = 0
    k: int = 1
    for i in range(n):
        acc += i / k
        k = k + 1
    return acc


def divisible(a: int, b: int) -> tuple[bool, bool, int]:
    return a % b == 0, a % b != 0, a % b


def math_exact(x: float, y: float) -> tuple[float, float, float, float, float, bool, bool, bool]:
    """The math functions that are single wasm instructions (or exact products)."""
    return (
        math.fabs(x),
        math.copysign(x, y),
        math.radians(x),
        math.degrees(y),
        math.pi * math.e - math.tau + (math.inf if x > 1e300 else 0.0),
        math.isnan(x),
        math.isinf(y),
        math.isfinite(x + y),
    )


def square_root(x: float) -> float:
    return math.sqrt(x)


def special_powers(x: float, n: int) -> tuple[float, int, int, int, int]:
    return x**0.5, n**0, n**1, n**5, n**8
