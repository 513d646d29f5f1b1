"""NumPy array parameters: reads, writes visible to the caller, N-D, negative indices."""

from portalis.lang import Array, f32, f64, i32, i64, u8


def total(xs: Array[f64]) -> float:
    s = 0.0
    for i in range(len(xs)):
        s += xs[i]
    return s


def scale(xs: Array[f64], k: float) -> None:
    for i in range(xs.shape[0]):
        xs[i] *= k


def matvec(m: Array[f64, 2], v: Array[f64], out: Array[f64]) -> None:
    for i in range(m.shape[0]):
        acc = 0.0
        for j in range(m.shape[1]):
            acc += m[i, j] * v[j]
        out[i] = acc


def trace3(t: Array[i64, 3]) -> int:
    s = 0
    for i in range(min(t.shape[0], t.shape[1], t.shape[2])):
        s += t[i][i][i]
    return s + t.size


def ends(xs: Array[i64]) -> int:
    return xs[-1] * 1000 + xs[0]


def at(xs: Array[f64], i: int) -> float:
    return xs[i]


def put(xs: Array[i32], i: int, v: int) -> None:
    xs[i] = i32(v)


def count_true(mask: Array[bool]) -> int:
    n = 0
    for i in range(len(mask)):
        if mask[i]:
            n += 1
    return n


def bytes_sum(b: Array[u8]) -> int:
    s = 0
    for i in range(len(b)):
        s += int(b[i])  # numpy would add in uint8 otherwise
    return s


def f32_sum(xs: Array[f32]) -> float:
    s = 0.0
    for i in range(len(xs)):
        s += float(xs[i])  # numpy would add in float32 otherwise
    return s


def _sum_into(xs: Array[f64], out: Array[f64]) -> None:
    out[0] = total(xs)


def via_helper(xs: Array[f64], out: Array[f64]) -> float:
    _sum_into(xs, out)
    return out[0]


def cumulative(xs: Array[i64]) -> None:
    for i in range(1, len(xs)):
        xs[i] += xs[i - 1]


def stencil(xs: Array[f64], out: Array[f64]) -> None:
    """In bounds by construction: the compiler drops these checks (frontend/bounds.py)."""
    n = len(xs)
    for i in range(1, n - 1):
        out[i] = xs[i - 1] - 2.0 * xs[i] + xs[i + 1]


def overrun(xs: Array[f64], k: int) -> float:
    """Reads one past the end when k > 0: the check must stay."""
    s = 0.0
    for i in range(len(xs)):
        s += xs[i + 1] if k > 0 else xs[i]
    return s


def reassigned(xs: Array[f64]) -> float:
    """The loop variable is changed in the body: its index keeps its check."""
    s = 0.0
    for i in range(len(xs)):
        i = i * 2
        s += xs[i]
    return s


def pairs(m: Array[f64, 2]) -> float:
    s = 0.0
    rows = m.shape[0]
    for i in range(rows):
        for j in range(i + 1, rows):
            s += m[i, j] - m[j, i]
    return s


def smooth(xs: Array[f64], out: Array[f64]) -> None:
    """The assert makes out's extent equal to xs's: out[i] needs no check either."""
    assert len(out) == len(xs)
    for i in range(1, len(xs) - 1):
        out[i] = (xs[i - 1] + xs[i] + xs[i + 1]) / 3.0
