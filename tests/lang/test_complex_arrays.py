"""Complex arrays (frontend/complex_arrays.py, ABI element ``c128``): the same source run
under CPython with NumPy complex128 arrays and compiled, compared bit for bit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.bench.kernels import fft as fft_kernel
from portalis.errors import CompileError, SignatureError
from portalis.lang import compile_source
from portalis.runtime import load

from .conftest import (
    KERNELS,
    Kernels,
    compile_kernel,
    kernel_pair,
    kernels_fixture,
    outcome,
    python_and_compiled,
    same,
)

#: The corpus FFT's natural form, unchanged: the very source the benchmark times.
FFT_NATURAL = fft_kernel.NATURAL

parts = st.floats(allow_nan=True, allow_infinity=True, width=64)
finite = st.floats(-1e6, 1e6, allow_nan=False, width=64)


def complex_arrays(elements: st.SearchStrategy[float], max_size: int = 12) -> Any:
    return st.lists(st.tuples(elements, elements), max_size=max_size).map(
        lambda pairs: np.array([complex(r, i) for r, i in pairs], dtype=np.complex128)
    )


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal complex arrays, NaN equal to NaN, the sign of zero significant."""
    fa, fb = a.view(np.float64).ravel(), b.view(np.float64).ravel()
    return a.shape == b.shape and all(same(float(x), float(y)) for x, y in zip(fa, fb, strict=True))


def agree(name: str, *args: Any) -> None:
    """Run ``name`` on copies of ``args`` under CPython and compiled: same outcome, same
    arrays afterwards."""
    ref, compiled = kernel_pair("complex_arrays")
    mine = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    theirs = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    with np.errstate(all="ignore"):
        expected = outcome(getattr(ref, name), *mine)
    got = outcome(getattr(compiled, name), *theirs)
    assert expected[0] == got[0] and same(expected[1], got[1]), (expected, got)
    for a, b in zip(mine, theirs, strict=True):
        if isinstance(a, np.ndarray):
            assert same_bits(a, b), (a, b)


def test_fft_natural_form_compiles_and_equals_cpython_bit_for_bit() -> None:
    namespace, compiled = python_and_compiled(FFT_NATURAL, "fft.py")
    rng = np.random.default_rng(3)
    for n in (1, 2, 4, 64, 1024):
        x = rng.standard_normal(n) + 1j * rng.standard_normal(n)
        expected, got = x.copy(), x.copy()
        namespace["fft"](expected)
        compiled.fft(got)
        assert np.array_equal(expected.view(np.float64), got.view(np.float64))
        assert np.allclose(got, np.fft.fft(x))  # and it is an FFT


def test_pair_axis_extent_is_the_constant_two() -> None:
    """The (real, imaginary) axis has extent 2 by the ABI: element addresses multiply by
    the constant, never by the extent the host passed."""
    wat = compile_source(FFT_NATURAL, "fft.py").wat
    fft = wat.split("(func $fft ", 1)[1].split("\n  (func ", 1)[0]
    assert "local.get $x.d0" in fft
    assert "local.get $x.d1" not in fft


@settings(max_examples=25, deadline=None)
@given(complex_arrays(parts, 16), st.sampled_from([1, 2, 4, 8, 16]))
def test_fft_with_any_values(values: np.ndarray, n: int) -> None:
    x = np.resize(values, n) if len(values) else np.zeros(n, dtype=np.complex128)
    agree("fft", x)


@settings(max_examples=40, deadline=None)
@given(complex_arrays(parts), parts, parts)
def test_in_place_updates_and_parts(a: np.ndarray, w_re: float, w_im: float) -> None:
    agree("scale_rotate", a, w_re, w_im)


@settings(max_examples=40, deadline=None)
@given(complex_arrays(parts, 8), parts, st.integers(0, 3))
def test_reads_writes_swaps_and_numbers(a: np.ndarray, s: float, extra: int) -> None:
    b = np.resize(a, len(a)) * (1 + 1j) if len(a) else a.copy()
    agree("mix", a, b, s)
    agree("store_numbers", a, s)
    agree("local_arrays", a, s)  # IndexError on an empty array, in both
    agree("twiddle", np.resize(a, (3, 2)) if len(a) else a.reshape(0, 2), s)


def test_abi_and_runtime_checks() -> None:

    module = compile_source((KERNELS / "complex_arrays.py").read_text(), "complex_arrays.py")
    fn = next(f for f in module.abi.functions if f.name == "fft")
    assert (fn.params[0].dtype, fn.params[0].ndim) == ("c128", 1)
    assert fn.wasm_param_count() == 3  # offset, n, 2
    _, compiled = kernel_pair("complex_arrays")
    with pytest.raises(SignatureError, match="expected dtype complex128, got float64"):
        compiled.fft(np.zeros(4))
    with pytest.raises(SignatureError, match="C-contiguous"):
        compiled.fft(np.zeros(8, dtype=np.complex128)[::2])


@pytest.mark.parametrize(
    ("body", "message", "line"),
    [
        ("return abs(a[0])", "NumPy's complex128 operation", 10),
        ("z = a[0]\n    return (z / 2.0).real", "NumPy's complex128 operation", 11),
        ("a[f(0)] = 1j\n    return 0.0", "may not call anything", 10),
        ("return a[0:2][0].real", "slices of complex arrays", 10),
        ("for z in a:\n        return z.real\n    return 0.0", "may only be indexed", 10),
        ("return float(a.shape[0])", "may only be indexed", 10),
        ("return float(np.sum(a))", "may only be indexed", 10),
    ],
)
def test_refused_with_a_located_error(body: str, message: str, line: int) -> None:
    source = (
        "import numpy as np\nfrom portalis.lang import Array\n\n\n"
        "def f(i: int) -> int:\n    return i\n\n\n"
        f"def g(a: Array[np.complex128]) -> float:\n    {body}\n"
    )
    with pytest.raises(CompileError, match=message) as info:
        compile_source(source, "k.py")
    assert f"k.py:{line}:" in str(info.value)


RESULTS = """\
import cmath
import numpy as np
from portalis.lang import Array


def twiddles(n: int) -> Array[np.complex128]:
    w = np.zeros(n, dtype=np.complex128)
    for k in range(n):
        w[k] = cmath.exp(-2j * cmath.pi * k / n)
    return w


def scaled(x: Array[np.complex128], s: float) -> Array[np.complex128]:
    out = np.empty_like(x)
    for k in range(len(x)):
        out[k] = x[k] * s + 1j
    return out


def grid(n: int, m: int) -> Array[np.complex128, 2]:
    g = np.zeros((n, m), dtype=np.complex128)
    for i in range(n):
        for j in range(m):
            g[i, j] = complex(i, -j * 0.5)
    return g


def empty(n: int) -> Array[np.complex128]:
    return np.zeros(n, dtype=np.complex128)
"""

results = kernels_fixture(RESULTS, "results.py")


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 9), st.integers(0, 4), st.floats(-1e3, 1e3))
def test_complex_array_results_are_cpythons(results: Kernels, n: int, m: int, s: float) -> None:
    py, wasm = results
    x = np.linspace(-1.0, 2.0, n) * (0.5 - 1.5j)
    for name, args in (
        ("twiddles", (n,)), ("scaled", (x, s)), ("grid", (n, m)), ("empty", (n,)),
    ):  # fmt: skip
        expected, got = py[name](*args), getattr(wasm, name)(*args)
        assert got.dtype == np.complex128 and got.shape == expected.shape
        assert got.tobytes() == expected.tobytes(), name
    assert wasm.abi.function("grid").results[0].ndim == 2  # the caller's rank, not the pairs'


def test_complex_arrays_in_a_tuple_of_results_are_refused() -> None:
    source = (
        "import numpy as np\nfrom portalis.lang import Array\n\n\n"
        "def g(n: int) -> tuple[Array[np.complex128], float]:\n"
        "    w = np.zeros(n, dtype=np.complex128)\n    return w, 1.0\n"
    )
    with pytest.raises(CompileError, match="a complex array may only be") as info:
        compile_source(source, "k.py")
    assert "k.py:7:" in str(info.value)


def test_rust_backend_builds_the_fft_too() -> None:
    direct = compile_kernel(FFT_NATURAL, "fft.py")
    rust = load(compile_source(FFT_NATURAL, "fft.py", backend="rust").wasm, cache=False)
    x = np.random.default_rng(5).standard_normal(128) * (1 - 2j)
    a, b = x.copy(), x.copy()
    direct.fft(a)
    rust.fft(b)
    assert np.array_equal(a.view(np.float64), b.view(np.float64))
