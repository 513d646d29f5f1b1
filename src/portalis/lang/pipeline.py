"""The compiler, pass by pass. :data:`PASSES` lists every pass in the order it runs, and
``portalis build --timings`` reports each on its own line:

``parse``       Python source → AST → module-level declarations (frontend/unit.py;
                frontend/limits.py bounds nesting)
``lower``       each reachable function → typed IR, math library pulled in on demand
                (frontend/program.py, frontend/stmts.py, frontend/exprs.py; index ranges
                proven in range by frontend/bounds.py, missing returns by
                frontend/returns.py)
``inline``      small functions substituted at their calls, unused library functions
                dropped (passes/inline.py)
``layout``      constant tables and persistent arrays at fixed linear-memory offsets

The direct backend (the default) then runs one rewriting pass and six analysis passes,
which decide how each function and loop will be emitted (backend/simd.py, backend/plan.py),
and three that make the module:

``jam``         unroll-and-jam: a loop whose body ends in an innermost loop accumulating
                into one row of an array made in the function (``ci[j] += aik * bk[j]``)
                runs 8 (or 4) of its iterations per pass over that row, each element
                loaded and stored once per 8 updates in the same order (backend/jam.py)
``vectorise``   innermost loops whose iterations are proven independent marked to run two
                at a time in f64x2 (backend/simd.py; it rewrites index temporaries the
                later passes then see through)
``offsets``     augmented stores at a neighbouring element (``f[a + 1, b, c] += w``) index
                with their expressions, not temporaries, so they share the base the back
                end gives neighbouring reads (passes/store_offsets.py)
``ranges``      value ranges of integer indices: accesses that need no bounds check
                (backend/ranges.py)
``unroll``      copies of each innermost loop's body per back-edge (backend/unroll.py)
``versioning``  one test before an unrolled or innermost counted loop standing in for its
                accesses' checks (backend/versioning.py); the constant-index checks of a
                counted loop's leading reads (``x = scan[i, 0]``) made once before it
                (backend/hoist.py); whether two arrays whose rows a vectorised loop
                must keep apart lie apart as wholes, tested once before the loop nest
                (backend/simd.py, ``hoist_apart``)
``rows``        row pointers for the unrolled loops' accesses (backend/rows.py)
``emit``        typed IR → WebAssembly text, following those plans (backend/wat.py,
                backend/emit.py; loops.py, simd_emit.py, bounds.py, integers.py,
                lowerings.py, lists.py each lower one part; signs.py drops checks that
                cannot fire), every instruction made by a typed constructor that checks its
                operands (backend/instructions.py)
``assemble``    WebAssembly text → validated binary (wasmtime's wat2wasm through its C
                API, lang/wasm_capi.py; no external toolchain)
``abi``         the ``portalis.abi`` custom section (abi_gen.py with passes/writes.py,
                portalis/abi.py), appended to the binary

The Rust backends (``--via rust``, ``--emit rust``) run one pass after ``layout``
instead: ``rust`` (IR → Rust → rustc, lang/rust/).

After the first build in a process, ``lower``, ``inline`` and ``emit`` take the math
library's functions from lang/library_cache.py (the same bytes either way); so does a
process's first build, from the library's snapshot on disk, once a build has written it:

``snapshot``    (only in a build that compiled library functions its snapshot lacks) the
                kept library functions, sealed and written to the compile cache's
                directory (lang/library_cache.py)
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

from portalis.abi import SECTION_NAME, ModuleAbi, encode_custom_section
from portalis.errors import CompileError
from portalis.lang import ir, library_cache, wasm_capi
from portalis.lang.abi_gen import module_abi
from portalis.lang.backend import plan
from portalis.lang.backend.jam import jam_loops
from portalis.lang.backend.simd import hoist_apart, vectorise
from portalis.lang.backend.wat import emit_module
from portalis.lang.frontend.limits import run_deep
from portalis.lang.frontend.program import Library, Program, default_library
from portalis.lang.frontend.unit import Unit, parse_unit
from portalis.lang.ir import Module
from portalis.lang.library_cache import LibraryKey
from portalis.lang.passes.inline import inline_small_functions
from portalis.lang.passes.store_offsets import forward_store_offsets


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
    rustc: ``wasm`` is empty). ``timings``, when given, receives the CPU seconds each pass
    took (``portalis build --timings``). Runs on a thread with room for deeply nested expressions
    (frontend/limits.py)."""
    if backend not in BACKENDS:
        raise CompileError(f"unknown backend {backend!r}", file=filename, hint=", ".join(BACKENDS))
    clock = _Clock(timings)
    with _collector_paused():
        return run_deep(lambda: _compile(source, filename, library, clock, backend))


_PAUSE_LOCK = threading.Lock()
#: [builds running, whether the collector ran before the first of them started]
_PAUSED: list[int] = [0, 0]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while builds run (resumed when the last
    one ends, if it ran before the first began). A build allocates hundreds of thousands
    of objects that nearly all live until it ends — trees, IR, the library's entries — so
    each collection the allocations trigger walks them all and frees next to nothing: 10
    of a cold robot-arm build's ~80 ms of CPU, measured. The cycles a build leaves behind
    are collected by the first collection after it."""
    with _PAUSE_LOCK:
        if _PAUSED[0] == 0:
            _PAUSED[1] = gc.isenabled()
            gc.disable()
        _PAUSED[0] += 1
    try:
        yield
    finally:
        with _PAUSE_LOCK:
            _PAUSED[0] -= 1
            if _PAUSED[0] == 0 and _PAUSED[1]:
                gc.enable()


BACKENDS = ("direct", "rust", "rust-source")


@dataclass
class Build:
    """One build as it goes: the input, and what each pass has made so far (a pass reads
    the fields earlier passes set, and sets its own)."""

    source: str
    filename: str
    library: Library | None
    backend: str
    unit: Unit = field(init=False)
    program: Program = field(init=False)
    functions: list[ir.Function] = field(init=False)
    #: the library functions' cache key (lang/library_cache.py), None when not all kept
    library_key: LibraryKey | None = None
    module: Module = field(init=False)
    loops: plan.Plan = field(init=False)
    wat: str = ""
    wasm: bytes = b""
    abi: ModuleAbi = field(init=False)
    rust: str = ""


def _parse(b: Build) -> None:
    b.unit = parse_unit(b.source, b.filename, prefix="", exported=True)


def _lower(b: Build) -> None:
    b.program = Program(b.unit, b.library if b.library is not None else default_library())
    b.functions = b.program.lower_all()


def _inline(b: Build) -> None:
    # Library functions the math wrappers call stay even when nothing else calls them.
    b.library_key = b.program.library_key()
    # A kernel's math.NAME calls take the library body only in the direct back end (rustc
    # inlines on its own, and the Rust emitter knows only the call).
    math = b.program.links if b.backend == "direct" else None
    b.functions = inline_small_functions(
        b.functions, set(b.program.links.values()), b.library_key, math
    )


def _layout(b: Build) -> None:
    b.module = b.program.layout(b.functions)


def _jam(b: Build) -> None:
    jam_loops(b.module)


def _vectorise(b: Build) -> None:
    vectorise(b.module)


def _offsets(b: Build) -> None:
    forward_store_offsets(b.module)


def _ranges(b: Build) -> None:
    library = frozenset(b.library_key[1]) if b.library_key is not None else frozenset()
    b.loops = plan.value_ranges(b.module, library)


def _unroll(b: Build) -> None:
    plan.unroll_loops(b.module, b.loops)


def _versioning(b: Build) -> None:
    plan.version_loops(b.module, b.loops)
    hoist_apart(b.module, b.loops)


def _rows(b: Build) -> None:
    plan.plan_rows(b.module, b.loops)


def _emit(b: Build) -> None:
    b.wat = emit_module(b.module, b.loops, b.library_key)


def _assemble(b: Build) -> None:
    b.wasm = assemble(b.wat, b.filename)


def _abi(b: Build) -> None:
    b.abi = module_abi(b.module, Path(b.filename).name)
    b.wasm = attach_abi(b.wasm, b.abi)


def _rust(b: Build) -> None:
    from portalis.lang import rust

    crate = rust.emit_crate(b.module, Path(b.filename).name, b.source)
    b.wasm = rust.build_wasm(crate, b.filename) if b.backend == "rust" else b""
    if b.wasm:
        validate(b.wasm, b.filename)
    b.abi, b.rust = crate.description, crate.source


_ALL = BACKENDS
_DIRECT = ("direct",)
_RUST = ("rust", "rust-source")

#: Every pass, in the order it runs: (name, pass, the backends that run it).
PASSES: list[tuple[str, Callable[[Build], None], tuple[str, ...]]] = [
    ("parse", _parse, _ALL),
    ("lower", _lower, _ALL),
    ("inline", _inline, _ALL),
    ("layout", _layout, _ALL),
    ("jam", _jam, _DIRECT),
    ("vectorise", _vectorise, _DIRECT),
    ("offsets", _offsets, _DIRECT),
    ("ranges", _ranges, _DIRECT),
    ("unroll", _unroll, _DIRECT),
    ("versioning", _versioning, _DIRECT),
    ("rows", _rows, _DIRECT),
    ("emit", _emit, _DIRECT),
    ("assemble", _assemble, _DIRECT),
    ("abi", _abi, _DIRECT),
    ("rust", _rust, _RUST),
]


def _compile(
    source: str, filename: str, library: Library | None, clock: _Clock, backend: str = "direct"
) -> CompiledKernel:
    b = Build(source, filename, library, backend)
    for name, run, backends in PASSES:
        if backend in backends:
            clock(name, partial(run, b))
    if library_cache.snapshot_due(b.program.library_stamp):
        clock("snapshot", b.program.save_library)
    return CompiledKernel(b.wasm, b.wat, b.abi, b.rust)


T = TypeVar("T")


class _Clock:
    """Times each pass of a build into a dict (when one is given), in seconds of CPU time
    of the thread the build runs on: wall-clock time on a shared machine counts the other
    jobs' time too. A pass that runs twice adds up."""

    def __init__(self, into: dict[str, float] | None) -> None:
        self.into = into

    def __call__(self, step: str, fn: Callable[[], T]) -> T:
        if self.into is None:
            return fn()
        start = time.thread_time()
        try:
            return fn()
        finally:
            self.into[step] = self.into.get(step, 0.0) + time.thread_time() - start


def validate(wasm: bytes, filename: str) -> None:
    """A module that fails validation is a compiler bug, reported as such."""
    try:
        wasm_capi.validate(wasm)
    except wasm_capi.WasmError as e:
        raise CompileError(
            f"internal compiler error: the generated module is invalid: {e}",
            file=filename,
            line=0,
            col=0,
            hint="please report this with the kernel source",
        ) from None


def assemble(wat: str, filename: str) -> bytes:
    """WebAssembly text → binary, validated (a module that fails validation is a compiler
    bug, reported as such rather than handed to the runtime). wasmtime's assembler and
    validator, called through its C API (lang/wasm_capi.py: the ``wasmtime`` package's
    import would cost a fresh process more than the rest of this pass)."""
    try:
        wasm = wasm_capi.wat2wasm(wat)
        wasm_capi.validate(wasm)
        return wasm
    except wasm_capi.WasmError as e:
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
