"""The kernel math library: accuracy over ≥ 100,000 random inputs per function, and speed.

    portalis bench libm [--samples 100000] [--seed 0] [--only sin,exp,powers] [--quick]

Accuracy: every function of ``portalis.lang.libm`` runs on ``--samples`` inputs per function
(drawn by ``portalis.lang.libm.accuracy.sample``: uniform, log-uniform over all binades incl.
subnormals, and clusters near hard points), compiled into a module (one call per function
over the whole array) and, on the first 100,000, as plain Python under CPython; both are
compared with CPython's ``math``. Printed per function: the share of results bit-identical to
CPython's and the worst case, in ulps, with its argument; the compiled library's figures are
also the metrics of its speed row (``identical_to_cpython``, ``worst_ulps_vs_cpython``).

``powers``: the share of ``x ** y`` results bit-identical to CPython for constant integer and
half-integer y (the compiler's double-double fast path), and its speed against the general
pow on the same exponent.

Speed: per element, the compiled library in a kernel loop against CPython calling ``math``
on the same inputs and against NumPy's ufunc where one exists — medians, ratios from this run.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import importlib.util
import math
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from portalis.bench.peers import peer_installed
from portalis.bench.report import run_main
from portalis.bench.rows import Row
from portalis.bench.timing import report, time_call

if TYPE_CHECKING:
    from portalis.lang.libm.accuracy import Worst

NUMPY: dict[str, Callable[..., Any]] = {
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "asin": np.arcsin,
    "acos": np.arccos,
    "atan": np.arctan,
    "atan2": np.arctan2,
    "exp": np.exp,
    "expm1": np.expm1,
    "log": np.log,
    "log1p": np.log1p,
    "log2": np.log2,
    "log10": np.log10,
    "pow": np.power,
    "hypot": np.hypot,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "tanh": np.tanh,
    "fmod": np.fmod,
    "asinh": np.arcsinh,
    "acosh": np.arccosh,
    "atanh": np.arctanh,
    "cbrt": np.cbrt,
    "exp2": np.exp2,
}  # fmt: skip (NumPy has no erf/erfc)


def _columns(name: str, inputs: list[tuple[float, ...]]) -> list[np.ndarray]:
    from portalis.lang.libm import ARITY

    return [np.array([a[j] for a in inputs], dtype=np.float64) for j in range(ARITY[name])]


#: The plain-Python run of the library is checked on at most this many inputs (it is slow);
#: the compiled library runs on all ``--samples``.
PYTHON_SAMPLES = 100_000


def accuracy(names: list[str], samples: int, seed: int, kernel: Any) -> dict[str, Worst]:
    """Print each function's share of results bit-identical to CPython and its worst case;
    return the compiled library's."""
    from portalis.lang.libm import FUNCTIONS
    from portalis.lang.libm.accuracy import measure, sample

    print(f"accuracy against CPython math ({samples} inputs per function, seed {seed})")
    worst: dict[str, Worst] = {}
    for name in names:
        stem, function = FUNCTIONS[name]
        fn = getattr(importlib.import_module(f"portalis.lang.libm.{stem}"), function)
        inputs = sample(name, samples, seed)
        start = time.perf_counter()
        python = measure(name, fn, inputs[:PYTHON_SAMPLES])
        elapsed = time.perf_counter() - start
        out = np.zeros(samples)
        getattr(kernel, f"map_{name}")(*_columns(name, inputs), out)
        compiled = measure(name, fn, inputs, out.tolist())
        worst[name] = compiled
        print(f"  CPython-run  {python}  [{elapsed:.1f} s]")
        print(f"  compiled     {compiled}")
    return worst


def speed(names: list[str], kernel: Any, quick: bool, worst: dict[str, Worst]) -> Iterator[Row]:
    for name in names:
        yield from speed_of(name, kernel, 10_000 if quick else 100_000, worst.get(name))


def speed_of(name: str, kernel: Any, n: int, worst: Worst | None = None) -> Iterator[Row]:
    """Time one function over n inputs (those where CPython does not raise); the Portalis
    row carries the compiled function's accuracy against CPython (``worst``) when known:
    its worst error in ulps and the share of results bit-identical to CPython's."""
    from portalis.lang.libm.accuracy import reference, sample

    inputs = [a for a in sample(name, n, 1) if isinstance(reference(name, a), float)]
    cols = _columns(name, inputs)
    out = np.zeros(len(inputs))
    compiled = getattr(kernel, f"map_{name}")
    python = getattr(math, name)
    rows = [
        time_call(f"CPython math.{name}", lambda: [python(*a) for a in inputs], repeat=3),
        time_call(f"compiled libm {name}", lambda: compiled(*cols, out), repeat=5),
    ]
    impls = ["cpython", "portalis"]
    ufunc = NUMPY.get(name)
    if ufunc is not None:
        rows.append(time_call(f"numpy {ufunc.__name__}", lambda: ufunc(*cols), repeat=5))
        impls.append("numpy")
    mapped = numba_map(name, len(cols))
    if mapped is not None:
        numba_out = np.zeros(len(inputs))
        rows.append(time_call(f"numba math.{name}", lambda: mapped(*cols, numba_out), repeat=5))
        impls.append("numba")
    report(f"{name}: {len(inputs)} elements per call", rows, baseline=rows[0])
    for impl, timing in zip(impls, rows, strict=True):
        row = Row.of(name, impl, timing.samples, per=len(inputs), elements=len(inputs))
        if impl == "portalis" and worst is not None:
            metrics = {
                "worst_ulps_vs_cpython": float(worst.ulps),
                "identical_to_cpython": worst.share,
                "accuracy_samples": float(worst.count),
            }
            row = dataclasses.replace(row, metrics=metrics)
        yield row


def numba_map(name: str, arity: int) -> Callable[..., None] | None:
    """``math.NAME`` over arrays, compiled by Numba (None when Numba is not installed or does
    not provide the function): the same loop the compiled kernel runs."""
    if not peer_installed("numba"):
        return None
    import numba

    fn = getattr(math, name)
    if arity == 1:

        def one(a: np.ndarray, out: np.ndarray) -> None:
            for i in range(len(a)):
                out[i] = fn(a[i])

        loop: Callable[..., None] = one
    else:

        def two(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
            for i in range(len(a)):
                out[i] = fn(a[i], b[i])

        loop = two
    try:
        compiled: Callable[..., None] = numba.njit(cache=False)(loop)
        compiled(*([np.ones(2)] * arity), np.zeros(2))  # compile now, not while timed
    except Exception:  # numba.core.errors.TypingError: a function Numba does not lower
        print(f"  numba: math.{name} is not supported: skipped")
        return None
    return compiled


#: Constant exponents whose ``x ** y`` takes the double-double fast path (prelude/power.py).
POWERS: tuple[str, ...] = ("3", "4", "5", "6", "-1", "-2", "-3", "0.5", "-0.5", "1.5", "-1.5")


def power_inputs(exponent: str, n: int, seed: int) -> np.ndarray:
    """``n`` bases for ``x ** exponent`` where CPython returns a float (no exception): uniform
    in [-10, 10], log-uniform over 2**±60 and over every binade, both signs (non-negative
    for half-integer exponents)."""
    import random

    from portalis.lang.libm.accuracy import _log_uniform

    rng = random.Random(f"pow{exponent}:{seed}")
    y = float(exponent)
    out: list[float] = []
    strata: list[Callable[[], float]] = [
        lambda: rng.uniform(-10.0, 10.0),
        lambda: _log_uniform(rng, -60, 60),
        lambda: _log_uniform(rng, -1074, 1023),
    ]
    while len(out) < n:
        x = strata[len(out) % len(strata)]()
        if y != math.floor(y):
            x = abs(x)
        try:
            x**y
        except (OverflowError, ZeroDivisionError):
            continue
        out.append(x)
    return np.array(out)


def powers(samples: int, seed: int, quick: bool, speed: bool) -> Iterator[Row]:
    """Share of ``x ** y`` results bit-identical to CPython for each constant exponent, and
    the fast path's speed against the general pow (the exponent a run-time value), CPython
    and Numba (same loop)."""
    from portalis.lang import compile_source
    from portalis.runtime import Sandbox, load

    lines = ["from portalis.lang import Array, f64", ""]
    for i, e in enumerate(POWERS):
        lines += [
            f"def fast_{i}(xs: Array[f64], out: Array[f64]) -> None:",
            "    for i in range(len(xs)):",
            f"        out[i] = xs[i] ** {e}",
            "",
        ]
    lines += [
        "def general(xs: Array[f64], y: float, out: Array[f64]) -> None:",
        "    for i in range(len(xs)):",
        "        out[i] = xs[i] ** y",
    ]
    sandbox = Sandbox(deadline_s=600.0, max_memory_bytes=1 << 30)
    kernel = load(compile_source("\n".join(lines) + "\n", "powers.py").wasm, sandbox=sandbox)
    print(f"\nx ** y for constant y against CPython ({samples} bases per exponent, seed {seed})")
    for i, e in enumerate(POWERS):
        xs = power_inputs(e, samples, seed)
        out = np.zeros(len(xs))
        getattr(kernel, f"fast_{i}")(xs, out)
        y = float(e)
        want = np.array([x**y for x in xs.tolist()])
        same = out.view(np.int64) == want.view(np.int64)
        worst = max(abs(ordinal_array(out) - ordinal_array(want)).max(), 0)
        print(f"  x ** {e:5s} identical={100.0 * same.mean():.4f}% worst={worst} ulp")
    if not speed:
        return
    n = 10_000 if quick else 100_000
    for i, e in enumerate(POWERS):
        if e in ("3", "-1.5", "0.5"):
            yield from power_speed(kernel, i, e, n)


def power_speed(kernel: Any, i: int, e: str, n: int) -> Iterator[Row]:
    """Time ``x ** e`` over n bases in [0.1, 10) (typical of distances and the like, where
    the fast path decides ~95% of the time): the fast path, the general pow, CPython and
    Numba (whose ``x ** 3`` is two multiplications, not CPython's pow)."""
    xs = np.random.default_rng(1).uniform(0.1, 10.0, n)
    out = np.zeros(n)
    fast = getattr(kernel, f"fast_{i}")
    y = float(e)
    timings = [
        time_call(f"CPython x ** {e}", lambda: [x**y for x in xs.tolist()], repeat=3),
        time_call(f"compiled x ** {e}", lambda: fast(xs, out), repeat=5),
        time_call("compiled x ** y, general pow", lambda: kernel.general(xs, y, out), repeat=5),
    ]
    impls = ["cpython", "portalis", "portalis-pow"]
    if peer_installed("numba"):
        import numba

        namespace: dict[str, Any] = {}
        loop = f"def loop(xs, out):\n    for i in range(len(xs)):\n        out[i] = xs[i] ** {e}\n"
        exec(loop, namespace)
        jitted = numba.njit(cache=False)(namespace["loop"])
        jitted(xs[:2], out[:2])
        timings.append(time_call(f"numba x ** {e}", lambda: jitted(xs, out), repeat=5))
        impls.append("numba")
    report(f"x ** {e}: {n} elements per call", timings, baseline=timings[0])
    for impl, timing in zip(impls, timings, strict=True):
        yield Row.of(f"pow{e}", impl, timing.samples, per=n, elements=n)


def ordinal_array(a: np.ndarray) -> np.ndarray:
    """Each double's position among all doubles in increasing order (as accuracy.ordinal)."""
    i = a.view(np.int64)
    return np.where(i >= 0, i, -(i & 0x7FFFFFFFFFFFFFFF))


def rows(argv: list[str]) -> Iterator[Row]:
    from portalis.lang import compile_source
    from portalis.lang.libm import FUNCTIONS
    from portalis.lang.libm.accuracy import map_kernel_source
    from portalis.runtime import Sandbox, load

    parser = argparse.ArgumentParser(
        prog="portalis bench libm", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="", help="comma-separated math names")
    parser.add_argument("--quick", action="store_true", help="10,000 inputs, fewer repeats")
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else [*sorted(FUNCTIONS), "powers"]
    with_powers = "powers" in names
    names = [name for name in names if name != "powers"]
    samples = 10_000 if args.quick else args.samples
    if with_powers:
        yield from powers(samples, args.seed, args.quick, not args.no_speed)
    if not names:
        return
    start = time.perf_counter()
    # One call maps a whole column (10**6 elements at --samples 1000000): past the default
    # 1 s deadline on a shared machine, so this trusted benchmark kernel gets a wide one.
    sandbox = Sandbox(deadline_s=600.0, max_memory_bytes=1 << 30)
    source = map_kernel_source(direct=True)
    kernel = load(compile_source(source, "libm_map.py").wasm, sandbox=sandbox, cache=False)
    print(f"built the {len(FUNCTIONS)}-function kernel in {time.perf_counter() - start:.2f} s")
    ulps = accuracy(names, samples, args.seed, kernel)
    if not args.no_speed:
        yield from speed(names, kernel, args.quick, ulps)


def main(argv: list[str] | None = None) -> int:
    return run_main("libm", rows, argv)
