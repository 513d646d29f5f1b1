from portalis.lang import Array, f64


def laplacian(xs: Array[f64], out: Array[f64]) -> None:
    n = len(xs)
    for i in range(1, n - 1):
        out[i] = xs[i - 1] - 2.0 * xs[i] + xs[i + 1]


def smooth(xs: Array[f64], out: Array[f64]) -> None:
    assert len(out) == len(xs)
    for i in range(1, len(xs) - 1):
        out[i] = (xs[i - 1] + xs[i] + xs[i + 1]) / 3.0
