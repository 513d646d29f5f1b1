from portalis.lang import Array, f64


def saxpy(a: float, xs: Array[f64], ys: Array[f64]) -> None:
    for i in range(len(xs)):
        ys[i] += a * xs[i]


def countdown(n: int) -> int:
    total = 0
    while n > 0:
        if n % 7 == 0:
            n -= 1
            continue
        total += n
        n -= 1
    return total
