"""Helpers for the compiler's tests: each kernel source under ``kernels/`` is imported as an
ordinary Python module (the reference) and compiled to WebAssembly (loaded through the
runtime's ABI-driven ``portalis.load``)."""

from __future__ import annotations

import importlib.util
import math
import struct
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from portalis.errors import WasmTrap
from portalis.lang import CompiledKernel, compile_source
from portalis.runtime import load

KERNELS = Path(__file__).parent / "kernels"

#: The backend compile_kernel and kernel_pair build with; the test_rust_backend*.py modules
#: switch it to "rust" (the fixture below) while they re-run these tests (docs/rust.md).
BACKEND = {"name": "direct"}


@pytest.fixture(scope="module")
def rust_backend() -> Iterator[None]:
    """For a module that re-collects the direct backend's tests: build through Rust."""
    saved = BACKEND["name"]
    BACKEND["name"] = "rust"
    yield
    BACKEND["name"] = saved


def import_kernel(path: Path) -> ModuleType:
    """The kernel as CPython runs it: a fresh module object each time."""
    name = f"_portalis_test_kernel_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def compile_kernel(source: str, filename: str = "kernel.py", backend: str | None = None) -> Any:
    """Compile ``source`` and load it through the runtime (a fresh instance); ``backend``:
    the one named, else :data:`BACKEND`'s."""
    built = compile_source(source, filename, backend=backend or BACKEND["name"])
    return load(built.wasm, cache=False)


_compiled: dict[tuple[str, str], bytes] = {}


def kernel_pair(stem: str) -> tuple[ModuleType, Any]:
    """(CPython module, compiled kernel) for ``kernels/<stem>.py``; compiled once per run."""
    path = KERNELS / f"{stem}.py"
    key = (stem, BACKEND["name"])
    if key not in _compiled:
        _compiled[key] = compile_source(path.read_text(), str(path), backend=key[1]).wasm
    return import_kernel(path), load(_compiled[key], cache=False)


def outcome(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A call's result, or the name of the Python exception it raised (compiled traps report
    the same name). NumPy's warnings for overflow and nan in the CPython oracle are
    silenced: they do not change its results, and the compiled side has none to compare."""
    try:
        with np.errstate(all="ignore"):
            result = fn(*args, **kwargs)
    except WasmTrap as e:
        return ("raise", e.python_exception or e.trap_code)
    except (ArithmeticError, ValueError, IndexError, AssertionError) as e:
        return ("raise", type(e).__name__)
    if isinstance(result, complex) or (
        isinstance(result, tuple) and any(isinstance(v, complex) for v in result)
    ):
        # CPython's negative ** fractional is complex; kernels have no complex numbers and
        # raise ValueError instead (docs/language.md, "differences from CPython").
        return ("raise", "ValueError")
    return ("ok", result)


def ulp_distance(a: float, b: float) -> int:
    """How many doubles lie between ``a`` and ``b`` (0 when equal)."""
    ia, ib = (struct.unpack("<q", struct.pack("<d", v))[0] for v in (a, b))
    ia = ia if ia >= 0 else -(1 << 63) - ia
    ib = ib if ib >= 0 else -(1 << 63) - ib
    return abs(ia - ib)


def same(a: Any, b: Any, ulps: int = 0, bits: bool = False) -> bool:
    """Equal results, with NaN equal to NaN and the sign of zero significant; floats may
    differ by ``ulps`` units in the last place. Arrays: the same dtype, shape and elements
    (as ``np.testing.assert_array_equal`` compares them: NaN equal to NaN, ``-0.0 == 0.0``),
    or with ``bits`` the same bytes."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and (a.dtype, a.shape) == (b.dtype, b.shape)
            and (a.tobytes() == b.tobytes() if bits else bool(np.array_equal(a, b, equal_nan=True)))
        )
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same(x, y, ulps, bits) for x, y in zip(a, b, strict=False))
    if isinstance(a, float) or isinstance(b, float):
        fa, fb = float(a), float(b)
        if math.isnan(fa) or math.isnan(fb):
            return math.isnan(fa) and math.isnan(fb)
        if ulps and math.isfinite(fa) and math.isfinite(fb):
            return ulp_distance(fa, fb) <= ulps
        return fa == fb and math.copysign(1, fa) == math.copysign(1, fb)
    return bool(a == b)


@pytest.fixture
def pair() -> Callable[[str], tuple[ModuleType, Any]]:
    return kernel_pair


#: What :func:`python_and_compiled` returns: CPython's namespace and the compiled kernel.
Kernels = tuple[dict[str, Any], Any]


def python_and_compiled(source: str, filename: str, backend: str | None = None) -> Kernels:
    """``source`` run by CPython (its namespace: the reference) and compiled and loaded
    (:func:`compile_kernel`)."""
    namespace, kernel, _ = python_and_built(source, filename, backend)
    return namespace, kernel


#: What :func:`python_and_built` returns: :data:`Kernels` and the compiler's build.
Built = tuple[dict[str, Any], Any, CompiledKernel]


def python_namespace(source: str, filename: str) -> dict[str, Any]:
    """``source`` run by CPython: its namespace, the reference for a compiled kernel."""
    namespace: dict[str, Any] = {}
    exec(compile(source, filename, "exec"), namespace)
    return namespace


def python_and_built(source: str, filename: str, backend: str | None = None) -> Built:
    """:func:`python_and_compiled`, and the compiler's build (its ``.wat``) too."""
    namespace = python_namespace(source, filename)
    built = compile_source(source, filename, backend=backend or BACKEND["name"])
    return namespace, load(built.wasm, cache=False), built


def kernels_fixture(source: str, filename: str) -> Any:
    """A module-scoped fixture giving :func:`python_and_compiled` of ``source``; a module
    binds it to the fixture's name (``pair = kernels_fixture(SOURCE, "k.py")``). Built once
    per module that uses it, so a test_rust_backend*.py module re-collecting the tests
    builds its own through Rust."""

    @pytest.fixture(scope="module")
    def kernels() -> Kernels:
        return python_and_compiled(source, filename)

    return kernels


def check(
    kernels: Kernels | tuple[ModuleType, Any],
    name: str,
    *args: object,
    ulps: int = 0,
    cast: bool = False,
    returns: bool = False,
    bits: bool = False,
    **kwargs: Any,
) -> Any:
    """Function ``name`` of ``kernels`` (:func:`python_and_compiled`, or :func:`kernel_pair`'s
    module and kernel) called on ``args`` and ``kwargs`` both ways: the same result or
    exception (:func:`same`, floats within ``ulps``), and the same writes to every array
    argument (the compiled call gets copies). ``cast``: CPython's
    result is first converted to the type of the compiled one (a list to a tuple, say).
    ``returns``: the call must return, not raise (even the same exception both ways).
    ``bits``: arrays, returned and written, compared bit for bit (the same bytes).
    Returns the compiled call's result, for a module's further assertions."""
    py, wasm = kernels
    reference = getattr(py, name) if isinstance(py, ModuleType) else py[name]
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    expected = outcome(reference, *args, **kwargs)
    got = outcome(getattr(wasm, name), *copies, **kwargs)
    assert not returns or expected[0] == "ok", (name, args, expected, got)
    if cast and expected[0] == got[0] == "ok":
        expected = ("ok", type(got[1])(expected[1]))
    assert expected[0] == got[0] and same(expected[1], got[1], ulps, bits), (
        name,
        args,
        expected,
        got,
    )
    for a, b in zip(args, copies, strict=True):
        if isinstance(a, np.ndarray) and bits:
            assert same(a, b, bits=True), (name, args, a, b)
        elif isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
    return got[1]
