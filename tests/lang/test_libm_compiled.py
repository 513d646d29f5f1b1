"""The math library compiled into a module: ≥ 100,000 random inputs per function, one call per
function, compared with CPython's ``math`` (within 1 ulp) and with the same library run by
CPython (bit for bit: the compiler must not change a single rounding).

Two kernels: one calls the library's functions directly (C semantics, so special values and
out-of-domain inputs can be included), the other writes ``math.sin(x)`` etc. the way users do,
over the inputs where CPython does not raise.
"""

from __future__ import annotations

import importlib
import math
import struct
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from portalis.lang import compile_source
from portalis.lang.libm import ARITY, FUNCTIONS
from portalis.lang.libm.accuracy import (
    map_kernel_source,
    measure,
    reference,
    sample,
    special_inputs,
)
from portalis.runtime import load

N = 100_000
NAMES = sorted(FUNCTIONS)


@pytest.fixture(scope="module")
def direct() -> Any:
    source = map_kernel_source(direct=True)
    return load(compile_source(source, "libm_direct.py").wasm, cache=False)


@pytest.fixture(scope="module")
def via_math() -> Any:
    source = map_kernel_source(direct=False)
    return load(compile_source(source, "libm_via_math.py").wasm, cache=False)


def _run(kernel: Any, name: str, inputs: list[tuple[float, ...]]) -> np.ndarray:
    columns = [np.array([args[j] for args in inputs], dtype=np.float64) for j in range(ARITY[name])]
    out = np.zeros(len(inputs))
    getattr(kernel, f"map_{name}")(*columns, out)
    return out


def _bits(x: float) -> int:
    return struct.unpack("<q", struct.pack("<d", x))[0]


def _cpython_library(name: str) -> Callable[..., float]:
    stem, function = FUNCTIONS[name]
    return getattr(importlib.import_module(f"portalis.lang.libm.{stem}"), function)


@pytest.mark.parametrize("name", NAMES)
def test_compiled_within_one_ulp_of_math(direct: Any, name: str) -> None:
    inputs = sample(name, N, seed=2) + special_inputs(name)
    out = _run(direct, name, inputs)
    worst = measure(name, lambda *a: 0.0, inputs, out)
    print(f"\ncompiled {worst}")
    assert worst.ulps <= 1, str(worst)


@pytest.mark.parametrize("name", NAMES)
def test_compiled_rounds_exactly_like_the_cpython_run(direct: Any, name: str) -> None:
    inputs = sample(name, 5000, seed=3) + special_inputs(name)
    out = _run(direct, name, inputs)
    fn = _cpython_library(name)
    differ = [
        f"{name}{args}: compiled {float(got)!r}, CPython-run {fn(*args)!r}"
        for args, got in zip(inputs, out, strict=True)
        if _bits(float(got)) != _bits(fn(*args)) and not (got != got and fn(*args) != fn(*args))
    ]
    assert not differ, "\n".join(differ[:10])


@pytest.mark.parametrize("name", NAMES)
def test_math_calls_in_kernels(via_math: Any, name: str) -> None:
    inputs = [a for a in sample(name, 20000, seed=4) if isinstance(reference(name, a), float)]
    out = _run(via_math, name, inputs)
    worst = measure(name, lambda *a: 0.0, inputs, out)
    assert worst.ulps <= 1, str(worst)
    assert all(
        math.isnan(float(o)) == math.isnan(reference(name, a))
        for a, o in zip(inputs, out, strict=True)
    )
