"""Records (``@dataclass`` and plain classes, by value) and complex numbers: the compiled
kernel gives CPython's results bit for bit (differential, Hypothesis), the class-based ray
tracer compiles unchanged and renders CPython's image, an FFT written with complex
arithmetic compiles, and what stays unsupported is refused at its file:line."""

from __future__ import annotations

import cmath
import math
import sys
import textwrap
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.bench.cpython import import_source
from portalis.bench.kernels import raytrace
from portalis.errors import CompileError
from portalis.lang import compile_source
from portalis.lang.frontend import record_complex, records
from portalis.lang.prelude import complex_numbers
from portalis.lang.prelude.complex_numbers import Complex, _cmath_exp

from .conftest import (
    KERNELS,
    Kernels,
    check,
    compile_kernel,
    import_kernel,
    kernel_pair,
    kernels_fixture,
    python_and_compiled,
    same,
)

finite = st.floats(-1e6, 1e6, allow_nan=False)
small = st.integers(0, 12)
any_float = st.floats(allow_nan=True, allow_infinity=True)


def agree(stem: str, name: str, *args: object) -> None:
    check(kernel_pair(stem), name, *args)


# -- records -----------------------------------------------------------------------------------


@settings(max_examples=40)
@given(finite, finite, finite, finite, finite)
def test_operators_and_methods(ax: float, ay: float, bx: float, by: float, s: float) -> None:
    agree("records", "arithmetic", ax, ay, bx, by, s)
    agree("records", "decorated", ax, s)
    agree("records", "unions", ax, ay, bx, s)
    agree("records", "methods", ax, ay, s)
    agree("records", "nested", ax, ay, bx, by)
    agree("records", "tuples", ax, ay, bx, by)


@settings(max_examples=30)
@given(finite, finite, finite, small)
def test_plain_classes_writes_branches_and_tables(x: float, y: float, z: float, n: int) -> None:
    agree("records", "tables", x, y)
    agree("records", "particles", x, y, z, n)
    agree("records", "writes", x, y, n)
    agree("records", "branches", x, y, n % 2 == 0)
    agree("records", "wrong_types", x, n)


@settings(max_examples=40)
@given(st.floats(-3.0, 3.0), st.floats(-3.0, 3.0))
def test_hit_records_filled_in_by_functions_and_methods(x: float, y: float) -> None:
    """Ray Tracing in One Weekend's style: `hit(r, t_min, t_max, rec)` fills in a hit record
    the caller made, `rec.set_face_normal(...)` changes `self`: the changes are copied back
    into the caller's record, so it sees what CPython shows it."""
    agree("hit_record", "shade", x, y)


def test_record_functions_are_not_exported() -> None:
    """Methods and functions taking records are compiled only when called, never exported
    (a host has no record to pass)."""
    _, wasm = kernel_pair("records")
    abi = compile_source((KERNELS / "records.py").read_text(), "records.py").abi
    names = {f.name for f in abi.functions}
    assert "arithmetic" in names and "writes" in names
    assert not any("." in n or n.startswith("_") for n in names), names
    assert callable(wasm.arithmetic)


def test_ray_tracer_compiles_unchanged_and_renders_cpythons_image() -> None:
    # The corpus's ray tracer (bench/kernels/raytrace.py), the one source both here and there.
    source = raytrace.NATURAL
    py, wasm = import_source(source, "raytrace"), compile_kernel(source, "raytrace.py")
    expected, got = np.zeros((12, 16, 3)), np.zeros((12, 16, 3))
    mean_py = py.render(expected, 2)
    mean_wasm = wasm.render(got, 2)
    assert mean_py == mean_wasm
    assert expected.tobytes() == got.tobytes()  # bit for bit
    assert 0.2 < mean_py < 0.9 and expected.std() > 0.05  # a picture, not a constant
    assert "class Vec3" in source


# -- complex numbers ---------------------------------------------------------------------------

COMPLEX = """\
import cmath


def ops(ar: float, ai: float, br: float, bi: float) -> tuple[float, float, float, float]:
    a = complex(ar, ai)
    b = complex(br, bi)
    s = a + b - b * a
    q = a / b
    return s.real, s.imag, q.real, q.imag


def mixed(ar: float, ai: float, x: float, n: int) -> tuple[float, float, float]:
    z = complex(ar, ai)
    w = (x * z + n) - 2.5j * z.conjugate() + 1j / (z + 3)
    return w.real, w.imag, abs(w)


def magnitude(ar: float, ai: float) -> float:
    return abs(complex(ar, ai))


def expo(ar: float, ai: float) -> tuple[float, float]:
    z = cmath.exp(complex(ar, ai))
    return z.real, z.imag


def compare(ar: float, ai: float, x: float) -> tuple[bool, bool, bool]:
    z = complex(ar, ai)
    return -z == complex(-ar, -ai), z != 1j, z == x
"""


complex_pair = kernels_fixture(COMPLEX, "complex_kernel.py")


SPECIAL = [0.0, -0.0, 1.0, -2.5, 1e-310, 1e308, -1e308, math.inf, -math.inf, math.nan]


@settings(max_examples=60)
@given(any_float, any_float, any_float, any_float)
def test_complex_arithmetic_is_cpythons(
    complex_pair: Kernels, ar: float, ai: float, br: float, bi: float
) -> None:
    check(complex_pair, "ops", ar, ai, br, bi)
    check(complex_pair, "compare", ar, ai, br)


def test_complex_special_values(complex_pair: Kernels) -> None:
    for a in SPECIAL:
        for b in SPECIAL:
            check(complex_pair, "ops", a, b, b, a)
            check(complex_pair, "ops", 1.0, a, b, 0.0)  # 0 divisor → ZeroDivisionError
            check(complex_pair, "magnitude", a, b)
            check(complex_pair, "expo", a, b)
            check(complex_pair, "mixed", a, b, 0.5, 3)


@settings(max_examples=60)
@given(finite, finite, finite, st.integers(-100, 100))
def test_complex_mixed_abs_and_exp(
    complex_pair: Kernels, ar: float, ai: float, x: float, n: int
) -> None:
    check(complex_pair, "mixed", ar, ai, x, n)
    check(complex_pair, "magnitude", ar, ai)
    check(complex_pair, "expo", ar / 1e4, ai)


@pytest.fixture(scope="module")
def exp_tables() -> Iterator[None]:
    """The special-value tables the compiler fills in from this CPython (record_complex.py)."""
    saved = complex_numbers.EXP_SPECIAL_REAL, complex_numbers.EXP_SPECIAL_IMAG
    raises = complex_numbers.EXP_RAISES
    real, imag, flags = record_complex.exp_special_values()
    complex_numbers.EXP_SPECIAL_REAL, complex_numbers.EXP_SPECIAL_IMAG = real, imag
    complex_numbers.EXP_RAISES = flags
    yield
    complex_numbers.EXP_SPECIAL_REAL, complex_numbers.EXP_SPECIAL_IMAG = saved
    complex_numbers.EXP_RAISES = raises


@settings(max_examples=200)
@given(any_float, any_float, any_float, any_float)
def test_the_complex_record_is_cpythons_complex_under_cpython(
    exp_tables: None, ar: float, ai: float, br: float, bi: float
) -> None:
    """The prelude class itself (the source the compiler takes) against the builtin."""
    a, b = Complex(ar, ai), Complex(br, bi)
    x, y = complex(ar, ai), complex(br, bi)

    def parts(f: Callable[..., object], *args: object) -> tuple[object, ...]:
        try:
            got = f(*args)
        except (ArithmeticError, ValueError) as e:
            return ("raise", type(e).__name__)
        if isinstance(got, float):
            return ("ok", got)
        return ("ok", got.real, got.imag)  # type: ignore[attr-defined]

    for op in (
        lambda u, v: u + v,
        lambda u, v: u - v,
        lambda u, v: u * v,
        lambda u, v: u / v,
        lambda u, v: -u,
    ):
        assert same(parts(op, a, b), parts(op, x, y))
    assert same(parts(abs, a), parts(abs, x))
    assert same(parts(_cmath_exp, a), parts(cmath.exp, x), ulps=2)


FFT = '''\
import cmath
import math

from portalis.lang import Array, f64


def fft(re: Array[f64], im: Array[f64]) -> None:
    """In-place iterative radix-2 FFT of re + i*im (length a power of two)."""
    n = len(re)
    j = 0
    for i in range(1, n):
        bit = n >> 1
        while j & bit:
            j ^= bit
            bit >>= 1
        j ^= bit
        if i < j:
            re[i], re[j] = re[j], re[i]
            im[i], im[j] = im[j], im[i]
    size = 2
    while size <= n:
        step = cmath.exp(-2j * math.pi / size)
        for start in range(0, n, size):
            w = 1 + 0j
            for k in range(size // 2):
                a = complex(re[start + k], im[start + k])
                b = complex(re[start + k + size // 2], im[start + k + size // 2]) * w
                top = a + b
                bottom = a - b
                re[start + k] = top.real
                im[start + k] = top.imag
                re[start + k + size // 2] = bottom.real
                im[start + k + size // 2] = bottom.imag
                w = w * step
        size *= 2
'''


def test_fft_with_complex_arithmetic_compiles_and_is_cpythons() -> None:
    namespace, wasm = python_and_compiled(FFT, "fft.py")
    rng = np.random.default_rng(15)
    re, im = rng.standard_normal(256), rng.standard_normal(256)
    re2, im2 = re.copy(), im.copy()
    namespace["fft"](re, im)  # type: ignore[operator]
    wasm.fft(re2, im2)
    assert re.tobytes() == re2.tobytes() and im.tobytes() == im2.tobytes()
    x = rng.standard_normal(64)
    r, i = x.copy(), np.zeros(64)
    wasm.fft(r, i)
    assert np.allclose(r + 1j * i, np.fft.fft(x))  # it is a Fourier transform


# -- what is refused, and where ------------------------------------------------------------------

HEADER = """\
from __future__ import annotations
from dataclasses import dataclass


@dataclass
class V:
    x: float
    y: float

    def __add__(self, o: V) -> V:
        return V(self.x + o.x, self.y + o.y)

    def scaled(self, s: float) -> V:
        return V(self.x * s, self.y * s)

"""
BASE_LINES = HEADER.count("\n")

REFUSED = [
    ("class W(V):\n    z: float\n", 1, "inheritance is not supported"),
    (
        "def f(a: float) -> float:\n    v = V(a, a)\n    v.w = 1.0\n    return v.x\n",
        3,
        "has no field `w`",
    ),
    ("def f(a: float) -> float:\n    v = V(a, a)\n    return v.w\n", 3, "has no field `w`"),
    ("@dataclass\nclass Node:\n    value: float\n    next: Node\n", 2, "recursion through records"),
    (
        "def f(v: V) -> float:\n    v.x = 1.0\n    v = V(2.0, 2.0)\n    return v.y\n",
        2,
        "cannot be rebound",
    ),
    (
        "def f(v: V, w: V) -> float:\n    v.x = w.y\n    return v.x\n\n\n"
        "def g(a: float) -> float:\n    u = V(a, a)\n    return f(u, u)\n",
        8,
        "passed twice",
    ),
    (
        "@dataclass\nclass H:\n    n: V\n\n\ndef keep(h: H, n: V) -> None:\n    h.n = n\n\n\n"
        "def g(a: float) -> float:\n    h = H(V(a, a))\n    m = V(a, a)\n    keep(h, m)\n"
        "    m.x = 3.0\n    return h.n.x\n",
        13,
        "cannot also be shared",
    ),
    (
        "def f(v: V) -> V:\n    v.x = 1.0\n    return v\n",
        3,
        "cannot also be shared",
    ),
    (
        "def f(a: float) -> float:\n    v = V(a, a)\n    w = v\n    v.x = 2.0\n    return w.x\n",
        3,
        "cannot also be shared",
    ),
    (
        "def f(a: float) -> float:\n    v = V(a, a)\n    w = v\n    w.x = 2.0\n    return v.x\n",
        4,
        "may share its object",
    ),
    (
        "@dataclass(frozen=True)\nclass F:\n    x: float\n\n\ndef f(a: float) -> float:\n"
        "    p = F(a)\n    p.x = 2.0\n    return p.x\n",
        8,
        "frozen",
    ),
    (
        "@dataclass\nclass S:\n    x: float\n\n    @classmethod\n    def make(cls) -> S:\n"
        "        return cls(1.0)\n\n\ndef f(a: float) -> float:\n    return S.make().x\n",
        11,
        "has decorator `@classmethod`",
    ),
    (
        "def f(a: float) -> float:\n    v = V(a, a)\n    return v.norm()\n",
        3,
        "has no method `norm`",
    ),
    (
        "def f(a: float) -> float:\n    v = V(a, a)\n    return (v * 2.0).x\n",
        3,
        "unsupported operand types for *",
    ),
    ("def f(a: float) -> float:\n    v = V(a, a)\n    return v + 1.0\n", 3, "unsupported operand"),
    (
        "def f(a: float) -> float:\n    v = V(a, a)\n    return v == V(a, a)\n",
        3,
        "compares records",
    ),
    ("def g(a: float) -> V | None:\n    return None\n", 1, "may be None"),
    (
        "class P:\n    def __init__(self, x: float) -> None:\n"
        "        self.x = x\n        self.y = 0.0\n",
        4,
        "has no type",
    ),
    (
        "def f(a: float) -> float:\n    z = complex(a, a)\n    z.real = 1.0\n    return z.imag\n",
        3,
        "immutable",
    ),
    ("class K:\n    n = 3\n", 2, "only annotated fields"),
]


@pytest.mark.parametrize(("body", "line", "words"), REFUSED)
def test_unsupported_class_features_name_file_and_line(body: str, line: int, words: str) -> None:
    source = HEADER + body + "\n\ndef main(a: float) -> float:\n    return a\n"
    with pytest.raises(CompileError) as info:
        compile_source(source, "shapes.py")
    e = info.value
    assert words in str(e), str(e)
    assert e.file == "shapes.py" and e.line == BASE_LINES + line, (e.line, str(e))


def test_a_record_copy_may_be_changed() -> None:
    """The fix the aliasing diagnostic suggests compiles and agrees with CPython."""
    source = HEADER + textwrap.dedent(
        """\
        def f(a: float) -> tuple[float, float]:
            v = V(a, a)
            w = V(v.x, v.y)
            w.x = 2.0
            u = v + w
            u.y += 1.0
            return v.x + u.y, w.x
        """
    )
    module = types.ModuleType("copy_kernel")
    sys.modules["copy_kernel"] = module  # dataclasses look their module up
    exec(compile(source, "copy_kernel.py", "exec"), module.__dict__)
    wasm = compile_kernel(source, "copy_kernel.py")
    assert wasm.f(1.5) == module.f(1.5)


def test_rust_backend_translates_records() -> None:
    """Records are numbers by the time the Rust backend sees them."""
    from portalis.lang.rust import toolchain

    if toolchain.find_rustc() is None:  # pragma: no cover - CI installs rustc
        pytest.skip("rustc with the wasm32 target is not installed")
    path = KERNELS / "records.py"
    from portalis.runtime import load

    wasm = load(compile_source(path.read_text(), str(path), backend="rust").wasm, cache=False)
    py = import_kernel(path)
    for args in ((1.0, 2.0, -3.0, 0.5, 1.5), (0.0, -0.0, 1e300, 2.0, -7.0)):
        assert same(wasm.arithmetic(*args), py.arithmetic(*args))
    assert same(wasm.writes(1.0, 2.0, 7), py.writes(1.0, 2.0, 7))
    assert same(wasm.unions(1.0, 2.0, 3.0, 0.5), py.unions(1.0, 2.0, 3.0, 0.5))
    assert same(wasm.decorated(2.0, 0.3), py.decorated(2.0, 0.3))
    hits = KERNELS / "hit_record.py"
    wasm = load(compile_source(hits.read_text(), str(hits), backend="rust").wasm, cache=False)
    py = import_kernel(hits)
    for x, y in ((0.0, 0.0), (0.3, -0.2), (0.0, -0.9), (2.0, 2.0)):
        assert same(wasm.shade(x, y), py.shade(x, y))


def test_kernels_without_classes_are_untouched() -> None:
    import ast

    tree = ast.parse((Path(__file__).parent / "kernels" / "arith.py").read_text())
    assert not records.uses_records(tree)


def test_errors_report_the_kernel_line() -> None:
    """Complex arithmetic raises at the caller's line (as the math library does); an error
    inside a record's own method at the method's line (where CPython's traceback ends)."""
    from portalis.errors import WasmTrap

    source = HEADER + textwrap.dedent(
        """\
        def divide(a: float, b: float) -> float:
            z = complex(a, 1.0) / complex(b, 0.0)
            return z.real


        def scale(a: float, b: float) -> float:
            return V(a, a).shrunk(b).x
        """
    )
    source = source.replace(
        "    def scaled(self, s: float) -> V:",
        "    def shrunk(self, s: float) -> V:\n        return V(self.x / s, self.y / s)\n\n"
        "    def scaled(self, s: float) -> V:",
    )
    wasm = compile_kernel(source, "lines.py")
    with pytest.raises(WasmTrap) as info:
        wasm.divide(1.0, 0.0)
    assert info.value.python_exception == "ZeroDivisionError"
    assert (
        info.value.line
        == source.splitlines().index("    z = complex(a, 1.0) / complex(b, 0.0)") + 1
    )
    with pytest.raises(WasmTrap) as info:
        wasm.scale(1.0, 0.0)
    assert (
        info.value.line == source.splitlines().index("        return V(self.x / s, self.y / s)") + 1
    )


@settings(max_examples=30)
@given(st.integers(-5, 5), finite)
def test_operands_keep_pythons_order(i: int, x: float) -> None:
    """A record operation needing a statement of its own does not move ahead of what the
    same statement evaluates before it (side effects and errors in CPython's order)."""
    check(kernel_pair("records"), "order", np.array([1.0, 2.0, 3.0]), i, x, bits=True)
