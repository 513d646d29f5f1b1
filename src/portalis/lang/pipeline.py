"""The compiler, pass by pass. Reading :func:`compile_source` top to bottom reads the whole
compiler:

1. ``parse_unit``     Python source → AST → module-level declarations (frontend/unit.py)
2. ``lower_all``      each reachable function → typed IR, math library pulled in on demand
                      (frontend/program.py, frontend/stmts.py, frontend/exprs.py)
3. ``inline``         small single-expression functions substituted at their calls, unused
                      library functions dropped (passes/inline.py)
4. ``layout``         constant tables and persistent arrays at fixed linear-memory offsets
5. ``emit_module``    typed IR → WebAssembly text (backend/)
6. ``assemble``       WebAssembly text → validated binary (wasmtime's wat2wasm, no external
                      toolchain)
7. ``attach_abi``     the ``portalis.abi`` custom section (abi_gen.py, portalis/abi.py)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from portalis.abi import SECTION_NAME, ModuleAbi, encode_custom_section
from portalis.errors import CompileError
from portalis.lang.abi_gen import module_abi
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
) -> CompiledKernel:
    """Compile kernel source. ``library`` replaces the math library (tests use a stand-in);
    by default it is ``portalis.lang.libm``. ``backend``: ``direct`` (IR → WebAssembly
    text), ``rust`` (IR → Rust → rustc, lang/rust/) or ``rust-source`` (the Rust only, no
    rustc: ``wasm`` is empty). Runs on a thread with room for deeply nested expressions
    (frontend/limits.py)."""
    if backend not in BACKENDS:
        raise CompileError(f"unknown backend {backend!r}", file=filename, hint=", ".join(BACKENDS))
    return run_deep(lambda: _compile(source, filename, library, backend))


BACKENDS = ("direct", "rust", "rust-source")


def _compile(
    source: str, filename: str, library: Library | None, backend: str = "direct"
) -> CompiledKernel:
    unit = parse_unit(source, filename, prefix="", exported=True)  # 1
    program = Program(unit, library if library is not None else default_library())
    functions = program.lower_all()  # 2
    functions = inline_small_functions(functions, set(program.links.values()))  # 3
    module = program.layout(functions)  # 4
    if backend != "direct":  # 5-7 through Rust instead (lang/rust/)
        return _compile_rust(module, source, filename, build=backend == "rust")
    wat = emit_module(module)  # 5
    wasm = assemble(wat, filename)  # 6
    description = module_abi(module, Path(filename).name)
    return CompiledKernel(attach_abi(wasm, description), wat, description)  # 7


def _compile_rust(module: Module, source: str, filename: str, build: bool) -> CompiledKernel:
    from portalis.lang import rust

    crate = rust.emit_crate(module, Path(filename).name, source)
    wasm = rust.build_wasm(crate, filename) if build else b""
    if wasm:
        validate(wasm, filename)
    return CompiledKernel(wasm, "", crate.description, crate.source)


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
    path: str | Path, output: str | Path | None = None, emit: str = "wasm", via: str = "direct"
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
    kernel = compile_source(source, str(src), backend=backend)
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
