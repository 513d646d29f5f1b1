"""Loading: bytes or a path → a validated, compiled :class:`CompiledModule`.

Everything about a module that can be checked without compiling it is checked first, so the
errors users get read as answers ("empty file", "not a WebAssembly module", "is a FIFO, not
a regular file", "export 'f' has v128 in its signature") rather than a parser's complaint,
and so an untrusted module cannot make the host read forever, compile for minutes or abort:

1. the file: stat first, regular files only, at most ``Sandbox.max_module_bytes``;
2. the header and section framing, then the compile-cost figures the section headers give
   (``max_functions``, ``max_code_bytes``);
3. the interface, read from the module's own sections (:mod:`portalis.runtime.reader`):
   an import or export whose types cannot cross into Python is refused, naming it, before
   wasmtime is ever asked about a type (which aborts the process for some of them);
4. then wasmtime compiles (or the authenticated cache supplies the machine code).

Every error names the file (or the name the caller gave), keeps wasmtime's cause, and never
echoes the raw bytes of a file that is not WebAssembly.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import wasmtime

from portalis.abi import SECTION_NAME, AbiError, ModuleAbi
from portalis.errors import ImportDeniedError, ModuleLoadError
from portalis.runtime import hostlog, reader
from portalis.runtime.cache import ModuleCache
from portalis.runtime.engine import EngineSettings, shared_engine
from portalis.runtime.reader import WASM_MAGIC, WASM_VERSION_1, ExportInfo, ImportInfo
from portalis.runtime.sandbox import DEFAULT_SANDBOX, WASI_MODULES, Sandbox

if TYPE_CHECKING:
    from portalis.runtime.instance import Instance

Source = str | os.PathLike[str] | bytes | bytearray

__all__ = [
    "CompiledModule",
    "ExportInfo",
    "ImportInfo",
    "Source",
    "load_module",
    "read_module_file",
    "to_binary",
]


@dataclass
class CompiledModule:
    """A validated, compiled module, ready to instantiate any number of times."""

    name: str
    sha256: str
    size: int
    wasm_module: wasmtime.Module
    engine: wasmtime.Engine
    settings: EngineSettings
    source_path: Path | None
    custom_sections: dict[str, list[bytes]]
    sections: tuple[tuple[str, int], ...]
    binary: bytes = field(repr=False)
    abi: ModuleAbi | None
    load_seconds: float
    compile_seconds: float
    cache_hit: bool
    _interface: reader.Interface | None = field(default=None, repr=False)

    @property
    def interface(self) -> reader.Interface:
        """Imports and exports with their types, read from the binary (never from wasmtime).

        Read at load when the module is compiled; a module taken from the authenticated
        cache (or this process's memo) passed that check when it was compiled, so its
        interface is read only when asked for — a warm load skips it."""
        if self._interface is None:
            self._interface = reader.read_interface(self.binary)
        return self._interface

    @property
    def imports(self) -> tuple[ImportInfo, ...]:
        if not any(name == "import" for name, _ in self.sections):
            return ()
        return self.interface.imports

    @property
    def exports(self) -> tuple[ExportInfo, ...]:
        return self.interface.exports

    @cached_property
    def export_kinds(self) -> dict[str, str]:
        """Export name → kind."""
        return {e.name: e.kind for e in self.interface.exports}

    def export(self, name: str) -> ExportInfo | None:
        return self.interface.export(name)

    def check_imports(self, sandbox: Sandbox) -> None:
        """Refuse at load time a module that imports anything the sandbox does not give."""
        for imp in self.imports:
            if hostlog.is_message_import(imp.module, imp.name, imp.kind, imp.params):
                continue  # print/raise messages: always given (runtime/hostlog.py)
            if not sandbox.provides(imp.module, imp.name):
                if imp.module in WASI_MODULES:
                    hint = "WASI is off by default; enable it in the sandbox (Sandbox(wasi=...))"
                else:
                    hint = "only functions given in Sandbox(host_functions=...) can be imported"
                raise ImportDeniedError(imp.module, imp.name, imp.kind, source=self.name, hint=hint)

    def instantiate(
        self, sandbox: Sandbox = DEFAULT_SANDBOX, *, monitoring: bool = True
    ) -> Instance:
        from portalis.runtime.instance import Instance

        return Instance(self, sandbox, monitoring=monitoring)


def read_module_file(path: str | os.PathLike[str], max_bytes: int | None = None) -> bytes:
    """The bytes of the module file at ``path``, read safely from untrusted places.

    Stat first: only a regular file of at most ``max_bytes`` (default
    ``Sandbox().max_module_bytes``) is read, so ``/dev/zero``, a FIFO (opened non-blocking,
    so it cannot hang), a device or a huge sparse file is refused at once, naming it.
    """
    limit = max_bytes if max_bytes is not None else DEFAULT_SANDBOX.max_module_bytes
    where = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise ModuleLoadError("no such file", source=where) from None
    except OSError as e:
        raise ModuleLoadError(f"cannot read: {e.strerror}", source=where) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise ModuleLoadError("is a directory, not a WebAssembly module", source=where)
        if not stat.S_ISREG(st.st_mode):
            raise ModuleLoadError(
                f"is {_file_kind(st.st_mode)}, not a regular file", source=where,
                hint="a module must be a .wasm (or .wat) file",
            )  # fmt: skip
        if st.st_size > limit:
            raise ModuleLoadError(
                f"is {_mib(st.st_size)}, over the {_mib(limit)} module size limit",
                source=where, hint="raise it with Sandbox(max_module_bytes=...) if you trust it",
            )  # fmt: skip
        chunks: list[bytes] = []
        total = 0
        while True:  # the file may grow after the stat: read at most one byte past the limit
            chunk = os.read(fd, min(1 << 24, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise ModuleLoadError(
                    f"grew past the {_mib(limit)} module size limit while being read",
                    source=where,
                )
        return b"".join(chunks)
    except OSError as e:
        raise ModuleLoadError(f"cannot read: {e.strerror}", source=where) from None
    finally:
        os.close(fd)


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.4g} MiB" if n >= 1 << 20 else f"{n} bytes"


# Formats a wrong file often is, recognised so the error can say what it is instead of
# echoing its bytes (which may hold terminal escapes, or be someone's secrets).
_KNOWN_FORMATS = (
    (b"\x7fELF", "an ELF executable or library"),
    (b"MZ", "a Windows executable"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"PK\x03\x04", "a zip archive"),
    (b"PXR-USDC", "a binary USD layer (.usdc)"),
    (b"#usda", "a text USD layer (.usda)"),
    (b"#!", "a script"),
    (b"\x89PNG", "a PNG image"),
)


def _describe_content(data: bytes) -> str:
    for magic, what in _KNOWN_FORMATS:
        if data.startswith(magic):
            return f"it looks like {what}"
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        return "it looks like JSON"
    if _looks_like_text(data[:256], whole=len(data) <= 256):
        return "it looks like text"
    shown = data[:8].hex(" ")
    if len(data) < 8:
        count = f"{len(data)} byte{'s' if len(data) > 1 else ''}"
        return f"only {count}, {shown}: too short for the 8-byte header"
    return f"its first bytes are {shown}"


def _looks_like_text(head: bytes, *, whole: bool) -> bool:
    """UTF-8 with no NUL or other control byte but tab, newline, carriage return, form feed
    (a character cut at the end of a partial ``head`` is allowed)."""
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
    except UnicodeDecodeError:
        return False
    return not any((ch < " " and ch not in "\t\n\r\f") or ch == "\x7f" for ch in text)


def to_binary(data: bytes, where: str) -> bytes:
    """Binary WebAssembly from ``data``: checks the header, or assembles WAT text."""
    if not data:
        raise ModuleLoadError("empty file, not a WebAssembly module", source=where)
    if data.startswith(WASM_MAGIC):
        if len(data) < 8:
            raise ModuleLoadError("truncated WebAssembly header", source=where)
        if data[4:8] != WASM_VERSION_1:
            # bytes 4-5: the version, 6-7: the layer (0 a core module, 1 a component)
            what = (
                "a WebAssembly component (not supported)"
                if data[6:8] == b"\x01\x00"
                else f"WebAssembly version {int.from_bytes(data[4:6], 'little')}"
            )
            raise ModuleLoadError(
                f"{what}, header {data[4:8].hex(' ')}; expected a core module, version 1",
                source=where,
            )
        return data
    head = data.lstrip()[:7]
    if head.startswith(b"(module") or head.startswith(b";;") or head.startswith(b"(;"):
        try:
            return bytes(wasmtime.wat2wasm(data.decode("utf-8")))
        except UnicodeDecodeError as e:
            raise ModuleLoadError(
                f"invalid WebAssembly text: not UTF-8 (byte {e.start})", source=where
            ) from None
        except wasmtime.WasmtimeError as e:
            raise ModuleLoadError(
                f"invalid WebAssembly text{_wat_location(e)}: {_first_line(e)}", source=where
            ) from None
    raise ModuleLoadError(
        f"not a WebAssembly module ({_describe_content(data)}; a module starts with 00 61 73 6d)",
        source=where,
        hint="build kernels with `portalis build kernel.py`",
    )


_WAT_LOCATION = re.compile(r"--> [^\n]*:(\d+):(\d+)")


def _wat_location(e: Exception) -> str:
    match = _WAT_LOCATION.search(str(e))
    return f" at line {match[1]}, column {match[2]}" if match else ""


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def explain_wasmtime_error(e: Exception) -> str:
    """wasmtime's headline and its innermost cause, on one line: "failed to parse
    WebAssembly module: multiple memories (at offset 0xa)"."""
    lines = [line.strip() for line in str(e).strip().splitlines() if line.strip()]
    if not lines:
        return type(e).__name__
    headline = lines[0]
    causes = lines[lines.index("Caused by:") + 1 :] if "Caused by:" in lines else []
    if not causes:
        return headline
    cause = re.sub(r"^\d+:\s*", "", causes[-1])
    return f"{headline}: {cause}"


def load_module(
    source: Source,
    *,
    name: str | None = None,
    cache: ModuleCache | bool | None = True,
    settings: EngineSettings | None = None,
    sandbox: Sandbox | None = DEFAULT_SANDBOX,
    path: str | os.PathLike[str] | None = None,
) -> CompiledModule:
    """Validate and compile a module from a path, binary bytes or WAT text.

    ``cache``: True for the default on-disk cache, a :class:`ModuleCache`, or False/None for
    none. ``sandbox``: its size and complexity limits apply, and imports are checked against
    it now, so a module that needs anything the sandbox does not provide fails at load,
    naming the import (pass None to defer the import check to instantiation; the default
    sandbox's limits then apply). ``path``: where bytes came from, for messages and
    ``source_path`` (the stage runner reads and pins the file itself).
    """
    t0 = time.perf_counter()
    limits = sandbox if sandbox is not None else DEFAULT_SANDBOX
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
        origin = Path(path) if path is not None else None
        if len(data) > limits.max_module_bytes:
            raise ModuleLoadError(
                f"is {_mib(len(data))}, over the {_mib(limits.max_module_bytes)} module size "
                "limit", source=str(origin or name or "module"),
            )  # fmt: skip
    else:
        origin = Path(source)
        data = read_module_file(origin, limits.max_module_bytes)
    where = str(origin) if origin is not None else (name or "module given as bytes")
    binary = to_binary(data, where)
    try:
        layout = reader.scan(binary)
    except reader.Unreadable as e:
        raise ModuleLoadError(str(e), source=where) from None
    _check_complexity(layout, limits, where)

    settings = settings or EngineSettings()
    engine = shared_engine(settings)
    sha256 = hashlib.sha256(binary).hexdigest()
    module_name = name or (origin.stem if origin is not None else f"module-{sha256[:12]}")

    if cache is True:
        cache = ModuleCache()
    wasm_module = _compiled(engine, sha256, settings)
    cache_hit = wasm_module is not None
    t1 = time.perf_counter()
    if wasm_module is None and cache:
        wasm_module = cache.load(engine, sha256, settings)
        cache_hit = wasm_module is not None
    interface = None
    if wasm_module is None:
        # Only a module that passes this check is ever compiled, cached or remembered, so
        # an authentic cache entry (or the memo) vouches for it.
        interface = _checked_interface(binary, engine, where)
        wasm_module = _compile(engine, binary, where)
        if cache:
            cache.store(wasm_module, sha256, settings)
    _remember(engine, sha256, settings, wasm_module)
    compile_seconds = time.perf_counter() - t1

    abi = None
    if SECTION_NAME in layout.custom:
        try:
            abi = ModuleAbi.from_bytes(layout.custom[SECTION_NAME][0])
        except AbiError as e:
            raise ModuleLoadError(str(e), source=where) from None

    module = CompiledModule(
        name=module_name,
        sha256=sha256,
        size=len(binary),
        wasm_module=wasm_module,
        engine=engine,
        settings=settings,
        source_path=origin,
        custom_sections=layout.custom,
        sections=layout.sections,
        binary=binary,
        abi=abi,
        load_seconds=time.perf_counter() - t0,
        compile_seconds=compile_seconds,
        cache_hit=cache_hit,
        _interface=interface,
    )
    if sandbox is not None:
        module.check_imports(sandbox)
    return module


def _check_complexity(layout: reader.Layout, limits: Sandbox, where: str) -> None:
    """Refuse, from the section headers alone, a module that would take too long or too much
    memory to compile (compile time and memory grow with functions and code size), or that
    wants several memories (each would get the whole cap)."""
    if layout.memories > 1:
        raise ModuleLoadError(
            f"defines {layout.memories} memories; a module gets one, so that the sandbox's "
            "memory cap bounds everything it holds", source=where,
        )  # fmt: skip
    if layout.functions > limits.max_functions:
        raise ModuleLoadError(
            f"defines {layout.functions:,} functions, over the limit of "
            f"{limits.max_functions:,}", source=where,
            hint="raise it with Sandbox(max_functions=...) if you trust the module",
        )  # fmt: skip
    if layout.code_bytes > limits.max_code_bytes:
        raise ModuleLoadError(
            f"has {_mib(layout.code_bytes)} of code, over the limit of "
            f"{_mib(limits.max_code_bytes)}", source=where,
            hint="raise it with Sandbox(max_code_bytes=...) if you trust the module",
        )  # fmt: skip


def _checked_interface(binary: bytes, engine: wasmtime.Engine, where: str) -> reader.Interface:
    """The module's interface, refused if anything in it cannot cross into Python."""
    try:
        interface = reader.read_interface(binary)
    except reader.Unreadable as e:
        _compile(engine, binary, where)  # if wasmtime finds it invalid, its reason is better
        # valid for wasmtime, yet not readable here: refuse, to be safe
        raise ModuleLoadError(f"cannot read its imports and exports: {e}", source=where) from None
    if interface.problems:
        raise ModuleLoadError(
            "cannot be used from Portalis: " + "; ".join(interface.problems),
            source=where,
            hint="only numbers (i32, i64, f32, f64) pass between Python and WebAssembly",
        )
    return interface


def _compile(engine: wasmtime.Engine, binary: bytes, where: str) -> wasmtime.Module:
    try:
        return wasmtime.Module(engine, binary)
    except wasmtime.WasmtimeError as e:
        raise ModuleLoadError(
            f"invalid WebAssembly: {explain_wasmtime_error(e)}", source=where
        ) from None


# Compiled modules already in this process, so loading the same bytes twice is free.
_in_memory: dict[tuple[int, str, EngineSettings], wasmtime.Module] = {}


def _compiled(
    engine: wasmtime.Engine, sha256: str, settings: EngineSettings
) -> wasmtime.Module | None:
    return _in_memory.get((id(engine), sha256, settings))


def _remember(
    engine: wasmtime.Engine, sha256: str, settings: EngineSettings, module: wasmtime.Module
) -> None:
    if len(_in_memory) > 256:
        _in_memory.clear()
    _in_memory[(id(engine), sha256, settings)] = module


def forget_compiled() -> None:
    """Drop the in-process compiled-module memo (the disk cache is untouched)."""
    _in_memory.clear()
