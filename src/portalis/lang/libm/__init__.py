"""The math library compiled into every kernel: ``math.sin(x)`` in a kernel becomes a call to
a function of this package, compiled into the same WebAssembly module (never a host import).

Contract, for the compiler and for anyone adding a function:

* **C semantics.** Functions return nan or ±inf where C99 Annex F does and never raise; the
  compiler applies CPython's ValueError/OverflowError rule to the result.
* **Pure and subset-only.** Every file is plain typed Python in the kernel subset (float/int
  annotations, if/while/for-range, tuples of float returns, module-level int/float constants
  and constant tuples), so it runs unmodified under CPython, where the tests compare it with
  ``math``, and compiles into modules. ``float_to_bits``/``bits_to_float`` (imported from
  ``portalis.lang.libm._bits`` as a CPython shim) are intrinsics: i64/f64 reinterpretation.
* **Accurate.** Within 1 ulp of CPython's ``math`` over 10**6 random inputs per function, and
  bit-identical to it (glibc on Linux) on ≥ 99.9% of them for most functions (``portalis bench
  libm --samples 1000000`` prints the share per function; tests/lang/test_libm*.py hold it).
  exp/log/pow are Arm optimized-routines, as in glibc; erf/erfc are fdlibm's as glibc
  evaluates them; cbrt is glibc's own algorithm (up to 3 ulps from the exact cube root, as
  CPython's is); sin/cos/tan are table-driven double-double kernels that round glibc's way
  (``_trig_kernels``); asin/acos/atan/atan2 are one double-double arc tangent of a ratio
  (``_atan_dd``), correctly rounded but for ~1 input in 10**5, as glibc's nearly are.
  ``powers`` is not a ``math`` function: the compiler's fast path for ``x ** 3``,
  ``x ** -1.5`` and other constant (half-)integer powers.

``FUNCTIONS`` maps each Python ``math`` name to (module file stem in this package, function
name); ``ARITY`` gives its number of float parameters. Both are plain data: importing this
package imports nothing else.
"""

from __future__ import annotations

FUNCTIONS: dict[str, tuple[str, str]] = {
    "sin": ("trig", "sin"),
    "cos": ("trig", "cos"),
    "tan": ("trig", "tan"),
    "asin": ("inverse_trig", "asin"),
    "acos": ("inverse_trig", "acos"),
    "atan": ("inverse_trig", "atan"),
    "atan2": ("inverse_trig", "atan2"),
    "exp": ("exp", "exp"),
    "expm1": ("exp", "expm1"),
    "log": ("log", "log"),
    "log1p": ("log", "log1p"),
    "log2": ("log", "log2"),
    "log10": ("log", "log10"),
    "pow": ("pow", "pow"),
    "hypot": ("hypot", "hypot"),
    "sinh": ("hyperbolic", "sinh"),
    "cosh": ("hyperbolic", "cosh"),
    "tanh": ("hyperbolic", "tanh"),
    "fmod": ("fmod", "fmod"),
    "asinh": ("inverse_hyperbolic", "asinh"),
    "acosh": ("inverse_hyperbolic", "acosh"),
    "atanh": ("inverse_hyperbolic", "atanh"),
    "cbrt": ("cbrt", "cbrt"),
    "exp2": ("exp", "exp2"),
    "erf": ("erf", "erf"),
    "erfc": ("erf", "erfc"),
}

ARITY: dict[str, int] = {name: 1 for name in FUNCTIONS}
ARITY.update({"atan2": 2, "pow": 2, "hypot": 2, "fmod": 2})

# Modules the library's functions are spread over, in dependency order (helpers first).
MODULES: tuple[str, ...] = (
    "_bits",
    "_ieee",
    "_dd",
    "_exp_log_data",
    "_pow_log_data",
    "_rem_pio2",
    "_sincos_data",
    "_trig_kernels",
    "_atan_data",
    "_atan_dd",
    "trig",
    "inverse_trig",
    "exp",
    "erf",
    "log",
    "pow",
    "hypot",
    "hyperbolic",
    "inverse_hyperbolic",
    "cbrt",
    "fmod",
)

# Names the compiler must treat as intrinsics rather than compile (module stem, function).
INTRINSICS: dict[tuple[str, str], str] = {
    ("_bits", "float_to_bits"): "i64.reinterpret_f64",
    ("_bits", "bits_to_float"): "f64.reinterpret_i64",
}

__all__ = ["ARITY", "FUNCTIONS", "INTRINSICS", "MODULES"]
