"""Unroll-and-jam (backend/jam.py) gives CPython's results bit for bit: products over every
shape up to the jam factor's remainders and beyond, special values (NaN, infinities, -0.0),
errors raised part-way (a row too short for the preamble, an inner loop past its row), and
the shapes it must refuse: a result array passed in (it may be one of the inputs), a row
read from the written array, a local read after the loop."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import pipeline
from portalis.lang.backend import jam

from .conftest import Built, Kernels, check, outcome, python_and_built, same

SOURCE = """\
import numpy as np
from portalis.lang import Array, f64


def matmul(a: Array[f64, 2], b: Array[f64, 2]) -> Array[f64, 2]:
    n, m = a.shape
    p = b.shape[1]
    c = np.zeros((n, p))
    for i in range(n):
        ci = c[i]
        for k in range(m):
            aik = a[i, k]
            bk = b[k]
            for j in range(p):
                ci[j] += aik * bk[j]
    return c


def blend(x: Array[f64, 2], w: Array[f64], lo: int, hi: int, q: int, z: int) -> Array[f64, 2]:
    n = x.shape[0]
    out = np.full((n, q), 0.5)
    for i in range(n):
        oi = out[i]
        xi = x[i]
        for k in range(lo, hi):
            wk = float(w[k]) * 0.25
            s = -wk / float(k - z)
            for j in range(q):
                t = wk * xi[j + 1]
                oi[j] = oi[j] * 0.5 + t - s * xi[j]
    return out


def matmul_2d(a: Array[f64, 2], s: Array[f64], b: Array[f64, 2], i0: int) -> Array[f64, 2]:
    n, m = a.shape
    p = b.shape[1]
    c = np.zeros((n + i0, p))
    for i in range(n):
        for k in range(m):
            for j in range(p):
                c[i + i0, j] += a[i, k] * s[k] * b[k, j]
    return c


def matmul_into(a: Array[f64, 2], b: Array[f64, 2], c: Array[f64, 2]) -> None:
    n, m = a.shape
    p = b.shape[1]
    for i in range(n):
        ci = c[i]
        for k in range(m):
            aik = a[i, k]
            bk = b[k]
            for j in range(p):
                ci[j] += aik * bk[j]


def own_rows(a: Array[f64, 2]) -> Array[f64, 2]:
    n = a.shape[0]
    c = np.ones((n, n))
    for i in range(n):
        ci = c[i]
        for k in range(n):
            aik = a[i, k]
            ck = c[k]
            for j in range(n):
                ci[j] += aik * ck[j]
    return c


def last_k(a: Array[f64, 2], b: Array[f64, 2]) -> float:
    n, m = a.shape
    p = b.shape[1]
    c = np.zeros((n, p))
    aik = 0.0
    for i in range(n):
        ci = c[i]
        for k in range(m):
            aik = a[i, k]
            bk = b[k]
            for j in range(p):
                ci[j] += aik * bk[j]
    return aik + c[n - 1, p - 1]
"""

JAMMED = {"matmul", "blend", "matmul_2d"}
REFUSED = {"matmul_into", "own_rows", "last_k"}

SPECIAL = st.sampled_from([0.0, -0.0, 1.0, -1.5, float("inf"), float("-inf"), float("nan")])
FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64) | SPECIAL


@pytest.fixture(scope="module")
def built() -> Built:
    return python_and_built(SOURCE, "jam_kernels.py")


@pytest.fixture(scope="module")
def kernels(built: Built) -> Kernels:
    return built[0], built[1]


def function_text(wat: str, name: str) -> str:
    start = wat.index(f"(func ${name} ")
    end = wat.find("\n  (func ", start + 1)
    return wat[start : end if end >= 0 else len(wat)]


@pytest.mark.parametrize("name", sorted(JAMMED | REFUSED))
def test_the_pass_jams_exactly_the_safe_nests(built, name):
    text = function_text(built[2].wat, name)
    assert ("$~jam" in text) == (name in JAMMED)


def test_the_pass_counts_what_it_jams():
    build = pipeline.Build(SOURCE, "k.py", None, "direct")
    for name, run, _ in pipeline.PASSES:
        if name == "jam":
            break
        run(build)
    assert jam.jam_loops(build.module) == len(JAMMED)


def test_the_jammed_inner_loop_is_vectorised(built):
    """The fallback and remainder loops and the jammed loop: three vector loops."""
    assert function_text(built[2].wat, "matmul").count("block $vectors") == 3


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 17, 33])
def test_square_products_over_every_remainder(kernels, n):
    rng = np.random.default_rng(n)
    check(kernels, "matmul", rng.standard_normal((n, n)), rng.standard_normal((n, n)), bits=True)


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(0, 6),
    m=st.integers(0, 19),
    p=st.integers(0, 19),
    short=st.integers(0, 3),
    seed=st.integers(0, 2**32 - 1),
    specials=st.lists(st.tuples(st.integers(0, 400), FLOATS), max_size=6),
)
def test_products_equal_cpython(kernels, n, m, p, short, seed, specials):
    """Any shapes, special values anywhere; ``b`` with fewer than ``m`` rows raises
    IndexError in the preamble part-way through, as CPython does."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, m))
    b = rng.standard_normal((max(m - short, 0), p))
    for at, value in specials:
        target = a if at % 2 or b.size == 0 else b
        if target.size:
            target.flat[at % target.size] = value
    check(kernels, "matmul", a, b, bits=True)


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(0, 5),
    m=st.integers(0, 19),
    p=st.integers(0, 7),
    short_s=st.integers(0, 2),
    short_b=st.integers(0, 2),
    i0=st.integers(-1, 1),
    seed=st.integers(0, 2**32 - 1),
)
def test_two_index_products_equal_cpython(kernels, n, m, p, short_s, short_b, i0, seed):
    """``c[i + i0, j] += a[i, k] * s[k] * b[k, j]``: ``a[i, k]`` and ``s[k]`` read once per
    ``k``, ``b[k, j]``'s row and ``s[k]`` tested for every ``k``, ``c``'s row too. Too short
    an ``s`` or ``b`` raises IndexError inside the inner loop (none when it does not run,
    ``p == 0``); a negative ``i0`` indexes from the end on the first row."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, m))
    s = rng.standard_normal(max(m - short_s, 0))
    b = rng.standard_normal((max(m - short_b, 0), p))
    check(kernels, "matmul_2d", a, s, b, i0, bits=True)


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(0, 4),
    width=st.integers(0, 14),
    taps=st.integers(0, 20),
    lo=st.integers(-3, 4),
    hi=st.integers(-1, 24),
    q=st.integers(-1, 15),
    z=st.integers(-1, 24),
    seed=st.integers(0, 2**32 - 1),
)
def test_blend_equals_cpython_with_offsets_and_errors(kernels, n, width, taps, lo, hi, q, z, seed):
    """A column offset, locals in both loops, an outer range that starts below zero or runs
    past ``w`` (IndexError in the preamble), a ZeroDivisionError in the preamble at ``k ==
    z``, and an inner range past the row (IndexError in the inner loop, which comes first
    in CPython even when a later preamble would raise: the nest runs as it always was)."""
    python, compiled = kernels
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, width))
    w = rng.standard_normal(taps)
    results = []
    for fn in (python["blend"], compiled.blend):
        r = outcome(fn, x.copy(), w.copy(), lo, hi, max(q, 0), z)
        results.append(r[1].tobytes() if r[0] == "ok" and not isinstance(r[1], str) else r)
    if q < 0:
        return
    assert results[0] == results[1] if isinstance(results[0], bytes) else same(*results)


@pytest.mark.parametrize("n", [0, 1, 4, 5, 9])
def test_the_result_passed_in_may_be_an_input(kernels, n):
    """``c`` is ``a`` (one buffer in linear memory): every update of a row changes what
    later ``k`` read, so the nest must not be jammed; it runs in CPython's order."""
    python, compiled = kernels
    rng = np.random.default_rng(n)
    base = rng.standard_normal((n, n))
    b = rng.standard_normal((n, n))
    want = base.copy()
    python["matmul_into"](want, b, want)
    memory = compiled.instance.memory
    compiled.matmul_into(np.zeros((n, n)), np.zeros((n, n)), np.zeros((n, n)))
    view = memory.write(base)
    compiled.matmul_into(view, b, view)
    assert view.numpy().tobytes() == want.tobytes()
    # and b as the result
    want_b, base_b = b.copy(), b.copy()
    python["matmul_into"](base, want_b, want_b)
    view_b = memory.write(base_b)
    compiled.matmul_into(base, view_b, view_b)
    assert view_b.numpy().tobytes() == want_b.tobytes()


@pytest.mark.parametrize("n", [0, 1, 3, 4, 6])
def test_refused_nests_equal_cpython(kernels, n):
    rng = np.random.default_rng(n + 100)
    a = rng.standard_normal((n, n)) * 0.5
    check(kernels, "own_rows", a.copy(), bits=True, returns=True)
    check(kernels, "last_k", a.copy(), rng.standard_normal((n, n + 1)))
