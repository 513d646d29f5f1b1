"""Unrolling (backend/unroll.py): a medium-sized loop body that carries a float from one
iteration into the next (an FFT's twiddle factor ``w *= w_step``) gets as many copies per
back-edge as a small body; which copy runs is invisible (the FFT equals CPython)."""

from __future__ import annotations

import numpy as np

from portalis.bench.kernels import fft as fft_kernel
from portalis.lang import compile_source, ir
from portalis.lang.backend import unroll
from portalis.lang.frontend.program import Program, default_library
from portalis.lang.frontend.unit import parse_unit
from portalis.lang.walk import walk as nodes

from . import wat_shape
from .conftest import python_and_compiled

SOURCE = """\
from portalis.lang import Array, f64


def carried(x: Array[f64], out: Array[f64]) -> float:
    acc = 0.0
    for j in range(len(x)):
        acc = acc * 0.5 + x[j]
        out[j] = acc
    return acc


def private(x: Array[f64], out: Array[f64]) -> None:
    for j in range(len(x)):
        t = x[j] * 2.0
        out[j] = t * t
"""


def loop_body(name: str) -> list[ir.Stmt]:
    unit = parse_unit(SOURCE, "k.py", prefix="", exported=True)
    fn = next(f for f in Program(unit, default_library()).lower_all() if f.name == name)
    loop = next(n for s in fn.body for n in nodes(s) if isinstance(n, ir.ForRange))
    return loop.body


def test_a_float_read_before_it_is_assigned_is_carried() -> None:
    assert unroll.carries_float(loop_body("carried"))
    assert not unroll.carries_float(loop_body("private"))


def test_the_fft_butterfly_loop_runs_four_copies_per_back_edge() -> None:
    wat = compile_source(fft_kernel.NATURAL, "fft.py").wat
    loops = wat_shape.function(wat, "fft").loops()
    assert max(loop.bodies_per_back_edge() for loop in loops) == unroll.SMALL_COPIES


def test_fft_of_every_small_size_equals_cpython() -> None:
    """Sizes 1-64: the butterfly loop's trip counts cover the copies and the rest loop."""
    namespace, compiled = python_and_compiled(fft_kernel.NATURAL, "fft.py")
    rng = np.random.default_rng(15)
    for n in (1, 2, 4, 8, 16, 32, 64):
        x = rng.standard_normal(n) + 1j * rng.standard_normal(n)
        want, got = x.copy(), x.copy()
        namespace["fft"](want)  # type: ignore[operator]
        compiled.fft(got)
        assert want.view(np.float64).tobytes() == got.view(np.float64).tobytes()
