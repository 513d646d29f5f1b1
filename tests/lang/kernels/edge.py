"""Edge cases: element swaps, forwarded and recursive tuple results, defaults from constants."""

from portalis.lang import Array, f64, i64

SCALE = 2.5


def swap_elems(a: Array[i64], i: int, j: int) -> None:
    a[i], a[j] = a[j], a[i]


def pair(x: float) -> tuple[float, float]:
    return x, -x


def forward(x: float) -> tuple[float, float]:
    return pair(x * SCALE)


def rec(n: int) -> tuple[int, int]:
    if n == 0:
        return 0, 1
    a, b = rec(n - 1)
    return b, a + b


def scaled(x: float = SCALE) -> float:
    return x


def chained() -> int:
    a = b = 3
    return a + b


def underscore(n: int) -> int:
    c = 0
    for _ in range(n):
        c += 1
    return c


def sort3(a: Array[f64]) -> None:
    n = len(a)
    for i in range(n):
        for j in range(n - 1 - i):
            if a[j] > a[j + 1]:
                a[j], a[j + 1] = a[j + 1], a[j]
