"""``portalis.lang``: the kernel language and its compiler.

Kernel code imports its type names from here (``from portalis.lang import f32, Array``);
they are ordinary Python objects, so a kernel also runs unmodified under CPython. Tooling
calls :func:`compile_source` or :func:`build`. The compiler's passes are listed, in order, in
``portalis/lang/pipeline.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from portalis.lang.kernel import (
    Array,
    bits_to_float,
    f32,
    f64,
    float_to_bits,
    i32,
    i64,
    u8,
    zeros,
)

if TYPE_CHECKING:
    from portalis.lang.pipeline import CompiledKernel


def compile_source(
    source: str,
    filename: str = "<kernel>",
    *,
    timings: dict[str, float] | None = None,
    backend: str = "direct",
) -> CompiledKernel:
    """Compile kernel source text to a self-describing WebAssembly module. ``timings``, when
    given, receives the seconds each compiler step took; ``backend="rust"`` builds through
    Rust and rustc (docs/rust.md)."""
    from portalis.lang.pipeline import compile_source as _compile

    return _compile(source, filename, timings=timings, backend=backend)


def build(
    path: str | Path,
    output: str | Path | None = None,
    emit: str = "wasm",
    *,
    timings: dict[str, float] | None = None,
    via: str = "direct",
) -> Path:
    """Compile the kernel file ``path``; write ``.wasm`` (``.wat`` with ``emit="wat"``, ``.rs``
    with ``emit="rust"``) next to it or to ``output``; ``via="rust"`` builds through rustc.
    Returns the written path."""
    from portalis.lang.pipeline import build as _build

    return _build(path, output, emit, timings, via)


__all__ = [
    "Array",
    "CompiledKernel",
    "bits_to_float",
    "build",
    "compile_source",
    "f32",
    "f64",
    "float_to_bits",
    "i32",
    "i64",
    "u8",
    "zeros",
]


def __getattr__(name: str) -> object:
    if name == "CompiledKernel":
        from portalis.lang.pipeline import CompiledKernel

        return CompiledKernel
    raise AttributeError(f"module 'portalis.lang' has no attribute {name!r}")
