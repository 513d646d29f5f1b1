"""The compiler, pass by pass. Reading :func:`_compile` top to bottom reads the whole
compiler; every pass is listed here in the order it runs:

1. ``parse``     Python source → AST → module-level declarations (frontend/unit.py;
                 frontend/limits.py bounds nesting)
2. ``lower``     each reachable function → typed IR, math library pulled in on demand
                 (frontend/program.py, frontend/stmts.py, frontend/exprs.py; index ranges
                 proven in range by frontend/bounds.py, missing returns by
                 frontend/returns.py)
3. ``inline``    small functions substituted at their calls, unused library functions
                 dropped (passes/inline.py)
4. ``layout``    constant tables and persistent arrays at fixed linear-memory offsets
5. ``vectorise`` innermost loops whose iterations are proven independent marked to run two
                 at a time in f64x2 (backend/simd.py; emitted in step 6)
6. ``emit``      typed IR → WebAssembly text (backend/wat.py, backend/emit.py). First, per
                 function, the value ranges of integer indices (backend/ranges.py: which
                 indices need no bounds check). Loop passes
                 run here, per loop, because what they may do depends on the version of the
                 enclosing loop being emitted (backend/loops.py), in this order:
                 a. unroll factor          (backend/unroll.py)
                 b. loop versioning guards (backend/versioning.py)
                 c. row addresses          (backend/rows.py)
                 then bounds checks (backend/bounds.py), integer semantics
                 (backend/integers.py), builtin lowerings (backend/lowerings.py), sign facts
                 (backend/signs.py), each instruction checked as it is made
                 (backend/instructions.py)
7. ``assemble``  WebAssembly text → validated binary (wasmtime's wat2wasm, no external
                 toolchain)
8. ``abi``       the ``portalis.abi`` custom section (abi_gen.py with passes/writes.py,
                 portalis/abi.py)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from portalis.abi import SECTION_NAME, ModuleAbi, encode_custom_section
from portalis.errors import CompileError
from portalis.lang.abi_gen import module_abi
from portalis.lang.backend.simd import vectorise
from portalis.lang.backend.wat import emit_module
from portalis.lang.frontend.limits import run_deep
from portalis.lang.frontend.program import Library, Program, default_library
from portalis.lang.frontend.unit import parse_unit
from portalis.lang.ir import Module
from portalis.lang.passes.inline import inline_small_functions


@dataclass(frozen=True)
class CompiledKernel:
    """A compiled kernel: the module's bytes, its text, and its self-description."""

    wasm: bytes
    wat: str
    abi: ModuleAbi
    #: The Rust the module was built from (``backend="rust"``; docs/rust.md), else "".
    rust: str = ""


def compile_source(
    source: str,
    filename: str = "<kernel>",
    *,
    library: Library | None = None,
    backend: str = "direct",
    timings: dict[str, float] | None = None,
) -> CompiledKernel:
    """Compile kernel source. ``library`` replaces the math library (tests use a stand-in);
    by default it is ``portalis.lang.libm``. ``backend``: ``direct`` (IR → WebAssembly
    text), ``rust`` (IR → Rust → rustc, lang/rust/) or ``rust-source`` (the Rust only, no
    rustc: ``wasm`` is empty). ``timings``, when given, receives the seconds each step took
    (``portalis build --timings``). Runs on a thread with room for deeply nested expressions
    (frontend/limits.py)."""
    if backend not in BACKENDS:
        raise CompileError(f"unknown backend {backend!r}", file=filename, hint=", ".join(BACKENDS))
    clock = _Clock(timings)
    return run_deep(lambda: _compile(source, filename, library, clock, backend))


BACKENDS = ("direct", "rust", "rust-source")


def _compile(
    source: str, filename: str, library: Library | None, clock: _Clock, backend: str = "direct"
) -> CompiledKernel:
    unit = clock("parse", lambda: parse_unit(source, filename, prefix="", exported=True))  # 1
    program = Program(unit, library if library is not None else default_library())
    functions = clock("lower", program.lower_all)  # 2
    roots = set(program.links.values())
    functions = clock("inline", lambda: inline_small_functions(functions, roots))  # 3
    module = clock("layout", lambda: program.layout(functions))  # 4
    if backend != "direct":  # 5-8 through Rust instead (lang/rust/)
        return clock("rust", lambda: _compile_rust(module, source, filename, backend == "rust"))
    module = clock("vectorise", lambda: vectorise(module))  # 5
    wat = clock("emit", lambda: emit_module(module))  # 6
    wasm = clock("assemble", lambda: assemble(wat, filename))  # 7
    description = clock("abi", lambda: module_abi(module, Path(filename).name))
    return CompiledKernel(attach_abi(wasm, description), wat, description)  # 8


def _compile_rust(module: Module, source: str, filename: str, build: bool) -> CompiledKernel:
    from portalis.lang import rust

    crate = rust.emit_crate(module, Path(filename).name, source)
    wasm = rust.build_wasm(crate, filename) if build else b""
    if wasm:
        validate(wasm, filename)
    return CompiledKernel(wasm, "", crate.description, crate.source)


T = TypeVar("T")


class _Clock:
    """Times each step of a build into a dict (when one is given), in wall-clock seconds;
    a step that runs twice adds up."""

    def __init__(self, into: dict[str, float] | None) -> None:
        self.into = into

    def __call__(self, step: str, fn: Callable[[], T]) -> T:
        if self.into is None:
            return fn()
        start = time.perf_counter()
        try:
            return fn()
        finally:
            self.into[step] = self.into.get(step, 0.0) + time.perf_counter() - start


_ENGINE: list[object] = []


def validate(wasm: bytes, filename: str) -> None:
    """A module that fails validation is a compiler bug, reported as such."""
    import wasmtime

    if not _ENGINE:
        _ENGINE.append(wasmtime.Engine())
    try:
        wasmtime.Module.validate(_ENGINE[0], wasm)  # type: ignore[arg-type]
    except Exception as e:  # wasmtime raises its own error types; any failure is ours
        raise CompileError(
            f"internal compiler error: the generated module is invalid: {e}",
            file=filename,
            line=0,
            col=0,
            hint="please report this with the kernel source",
        ) from None


def assemble(wat: str, filename: str) -> bytes:
    """WebAssembly text → binary, validated (a module that fails validation is a compiler
    bug, reported as such rather than handed to the runtime)."""
    import wasmtime

    if not _ENGINE:
        _ENGINE.append(wasmtime.Engine())
    try:
        wasm = bytes(wasmtime.wat2wasm(wat))
        wasmtime.Module.validate(_ENGINE[0], wasm)  # type: ignore[arg-type]
        return wasm
    except Exception as e:  # wasmtime raises its own error types; any failure is ours
        raise CompileError(
            f"internal compiler error: generated WebAssembly is invalid: {e}",
            file=filename,
            line=0,
            col=0,
            hint="please report this with the kernel source",
        ) from None


def attach_abi(wasm: bytes, description: ModuleAbi) -> bytes:
    return wasm + encode_custom_section(SECTION_NAME, description.to_bytes())


def build(
    path: str | Path,
    output: str | Path | None = None,
    emit: str = "wasm",
    timings: dict[str, float] | None = None,
    via: str = "direct",
) -> Path:
    """Compile the kernel file ``path`` and write ``output`` (default: next to the source,
    ``.wasm``, ``.wat`` or ``.rs``). ``via="rust"`` builds the module through the Rust
    backend and rustc. The file is written atomically."""
    src = Path(path)
    if emit not in ("wasm", "wat", "rust"):
        raise CompileError(f"unknown output kind {emit!r}", file=str(src), hint="wasm, wat or rust")
    if via not in ("direct", "rust"):
        raise CompileError(f"unknown backend {via!r}", file=str(src), hint="direct or rust")
    if emit == "wat" and via == "rust":
        raise CompileError(
            "--emit wat is the direct backend's text",
            file=str(src),
            hint="use --emit rust to see the Rust, or drop --via rust",
        )
    try:
        source = src.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise CompileError(
            f"cannot read the kernel: {e}",
            file=str(src),
            hint="give the path of a UTF-8 Python file",
        ) from None
    backend = {"rust": "rust-source", "wat": "direct"}.get(emit, via)
    kernel = compile_source(source, str(src), backend=backend, timings=timings)
    suffix = {"rust": ".rs"}.get(emit, "." + emit)
    out = Path(output) if output is not None else src.with_suffix(suffix)
    if emit == "rust":
        data = kernel.rust.encode("utf-8")
    else:
        data = kernel.wat.encode("utf-8") if emit == "wat" else kernel.wasm
    tmp = out.with_name(out.name + ".tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(out)
    except OSError as e:
        raise CompileError(f"cannot write {out}: {e}", file=str(src)) from None
    return out
