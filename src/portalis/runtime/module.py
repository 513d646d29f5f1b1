"""Loading: bytes or a path → a validated, compiled :class:`CompiledModule`.

Validation happens before wasmtime sees the bytes, so the errors users get read as answers
("empty file", "not a WebAssembly module") rather than a parser's complaint about UTF-8.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import wasmtime

from portalis.abi import SECTION_NAME, AbiError, ModuleAbi
from portalis.errors import ImportDeniedError, ModuleLoadError
from portalis.runtime.cache import ModuleCache
from portalis.runtime.engine import EngineSettings, shared_engine
from portalis.runtime.sandbox import DEFAULT_SANDBOX, WASI_MODULES, Sandbox

WASM_MAGIC = b"\0asm"
WASM_VERSION_1 = b"\x01\0\0\0"

_SECTION_NAMES = {
    0: "custom", 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory",
    6: "global", 7: "export", 8: "start", 9: "element", 10: "code", 11: "data",
    12: "datacount", 13: "tag",
}  # fmt: skip

Source = str | os.PathLike[str] | bytes | bytearray


@dataclass(frozen=True)
class ImportInfo:
    module: str
    name: str
    kind: str
    type: str


@dataclass(frozen=True)
class ExportInfo:
    name: str
    kind: str
    type: str
    params: tuple[str, ...] = ()
    results: tuple[str, ...] = ()


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

    # Described lazily: wrapping every import/export type through wasmtime-py costs
    # milliseconds on large modules, and a warm load must stay well under one.
    @cached_property
    def imports(self) -> tuple[ImportInfo, ...]:
        if not any(name == "import" for name, _ in self.sections):
            return ()
        out = []
        for imp in self.wasm_module.imports:
            kind, text, _, _ = _describe_type(imp.type)
            out.append(ImportInfo(imp.module, imp.name or "", kind, text))
        return tuple(out)

    @cached_property
    def exports(self) -> tuple[ExportInfo, ...]:
        out = []
        for exp in self.wasm_module.exports:
            kind, text, params, results = _describe_type(exp.type)
            out.append(ExportInfo(exp.name, kind, text, params, results))
        return tuple(out)

    @cached_property
    def export_kinds(self) -> dict[str, str]:
        """Export name → kind, read from the binary (cheaper than wasmtime-py's types)."""
        return scan_exports(self.binary, self.name)

    def check_imports(self, sandbox: Sandbox) -> None:
        """Refuse at load time a module that imports anything the sandbox does not give."""
        for imp in self.imports:
            if not sandbox.provides(imp.module, imp.name):
                if imp.module in WASI_MODULES:
                    hint = "WASI is off by default; enable it in the sandbox (Sandbox(wasi=...))"
                else:
                    hint = "only functions given in Sandbox(host_functions=...) can be imported"
                raise ImportDeniedError(imp.module, imp.name, imp.kind, source=self.name, hint=hint)

    def instantiate(self, sandbox: Sandbox = DEFAULT_SANDBOX, *, monitoring: bool = True):
        from portalis.runtime.instance import Instance

        return Instance(self, sandbox, monitoring=monitoring)


def read_source(source: Source) -> tuple[bytes, str, Path | None]:
    """The module's bytes, a display name, and its path when it came from a file."""
    if isinstance(source, bytes | bytearray):
        return bytes(source), "<bytes>", None
    path = Path(source)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModuleLoadError("no such file", source=str(path)) from None
    except IsADirectoryError:
        raise ModuleLoadError(
            "is a directory, not a WebAssembly module", source=str(path)
        ) from None
    except OSError as e:
        raise ModuleLoadError(f"cannot read: {e.strerror}", source=str(path)) from None
    return data, str(path), path


def to_binary(data: bytes, where: str) -> bytes:
    """Binary WebAssembly from ``data``: checks the header, or assembles WAT text."""
    if not data:
        raise ModuleLoadError("empty file, not a WebAssembly module", source=where)
    if data.startswith(WASM_MAGIC):
        if len(data) < 8:
            raise ModuleLoadError("truncated WebAssembly header", source=where)
        if data[4:8] != WASM_VERSION_1:
            raise ModuleLoadError(
                f"unsupported WebAssembly version/layer {data[4:8].hex()} "
                "(components are not supported; expected a core module, version 1)",
                source=where,
            )
        return data
    head = data.lstrip()[:7]
    if head.startswith(b"(module") or head.startswith(b";;") or head.startswith(b"(;"):
        try:
            return bytes(wasmtime.wat2wasm(data.decode("utf-8")))
        except (UnicodeDecodeError, wasmtime.WasmtimeError) as e:
            raise ModuleLoadError(
                f"invalid WebAssembly text: {_first_line(e)}", source=where
            ) from None
    raise ModuleLoadError(
        f"not a WebAssembly module (starts with {data[:4]!r}, expected b'\\x00asm')",
        source=where,
        hint="build kernels with `portalis build kernel.py`",
    )


_EXPORT_KINDS = {0: "func", 1: "table", 2: "memory", 3: "global", 4: "tag"}


@dataclass(frozen=True)
class SectionScan:
    """What the binary's framing says, read without wasmtime: section sizes and custom
    sections."""

    sections: tuple[tuple[str, int], ...]
    custom: dict[str, list[bytes]]


def scan_sections(data: bytes, where: str) -> SectionScan:
    sections: list[tuple[str, int]] = []
    custom: dict[str, list[bytes]] = {}
    pos = 8
    while pos < len(data):
        section_id = data[pos]
        size, pos = _read_uleb(data, pos + 1, where)
        end = pos + size
        if end > len(data):
            raise ModuleLoadError(
                f"section at byte {pos} runs past the end of the file", source=where
            )
        if section_id == 0:
            name_len, p = _read_uleb(data, pos, where)
            name = data[p : p + name_len].decode("utf-8", "replace")
            custom.setdefault(name, []).append(data[p + name_len : end])
            sections.append((f"custom:{name}", size))
        else:
            sections.append((_SECTION_NAMES.get(section_id, f"unknown({section_id})"), size))
        pos = end
    return SectionScan(tuple(sections), custom)


def scan_exports(data: bytes, where: str) -> dict[str, str]:
    """Export name → kind from the export section (id 7)."""
    pos = 8
    while pos < len(data):
        section_id = data[pos]
        size, pos = _read_uleb(data, pos + 1, where)
        if section_id == 7:
            return _export_entries(data, pos, pos + size, where)
        pos += size
    return {}


def _export_entries(data: bytes, pos: int, end: int, where: str) -> dict[str, str]:
    count, pos = _read_uleb(data, pos, where)
    kinds: dict[str, str] = {}
    for _ in range(count):
        name_len, pos = _read_uleb(data, pos, where)
        name = data[pos : pos + name_len].decode("utf-8", "replace")
        pos += name_len
        if pos >= end:
            break  # malformed: wasmtime's validation reports it properly
        kinds[name] = _EXPORT_KINDS.get(data[pos], "unknown")
        _, pos = _read_uleb(data, pos + 1, where)
    return kinds


def _read_uleb(data: bytes, pos: int, where: str) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data) or shift > 35:
            raise ModuleLoadError("malformed section header (truncated file?)", source=where)
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def _describe_type(ty: object) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    if isinstance(ty, wasmtime.FuncType):
        params = tuple(str(p) for p in ty.params)
        results = tuple(str(r) for r in ty.results)
        return "func", f"({', '.join(params)}) -> ({', '.join(results)})", params, results
    if isinstance(ty, wasmtime.MemoryType):
        lim = ty.limits
        top = f"{lim.max}" if lim.max is not None else "unbounded"
        return "memory", f"pages {lim.min}..{top}", (), ()
    if isinstance(ty, wasmtime.GlobalType):
        mut = "mut " if ty.mutable else ""
        return "global", f"{mut}{ty.content}", (), ()
    if isinstance(ty, wasmtime.TableType):
        return "table", f"{ty.element} {ty.limits.min}..{ty.limits.max}", (), ()
    return type(ty).__name__.lower(), str(ty), (), ()


def load_module(
    source: Source,
    *,
    name: str | None = None,
    cache: ModuleCache | bool | None = True,
    settings: EngineSettings | None = None,
    sandbox: Sandbox | None = DEFAULT_SANDBOX,
) -> CompiledModule:
    """Validate and compile a module from a path, binary bytes or WAT text.

    ``cache``: True for the default on-disk cache, a :class:`ModuleCache`, or False/None for
    none. ``sandbox``: imports are checked against it now, so a module that needs anything
    the sandbox does not provide fails at load, naming the import (pass None to defer the
    check to instantiation).
    """
    t0 = time.perf_counter()
    data, where, path = read_source(source)
    binary = to_binary(data, where)
    scan = scan_sections(binary, where)
    custom = scan.custom
    settings = settings or EngineSettings()
    engine = shared_engine(settings)
    sha256 = hashlib.sha256(binary).hexdigest()
    module_name = name or (path.stem if path is not None else f"module-{sha256[:12]}")

    if cache is True:
        cache = ModuleCache()
    wasm_module = _compiled(engine, sha256, settings)
    cache_hit = wasm_module is not None
    t1 = time.perf_counter()
    if wasm_module is None and cache:
        wasm_module = cache.load(engine, sha256, settings)
        cache_hit = wasm_module is not None
    if wasm_module is None:
        try:
            wasm_module = wasmtime.Module(engine, binary)
        except wasmtime.WasmtimeError as e:
            raise ModuleLoadError(f"invalid WebAssembly: {_first_line(e)}", source=where) from None
        if cache:
            cache.store(wasm_module, sha256, settings)
    _remember(engine, sha256, settings, wasm_module)
    compile_seconds = time.perf_counter() - t1

    abi = None
    if SECTION_NAME in custom:
        try:
            abi = ModuleAbi.from_bytes(custom[SECTION_NAME][0])
        except AbiError as e:
            raise ModuleLoadError(str(e), source=where) from None

    module = CompiledModule(
        name=module_name,
        sha256=sha256,
        size=len(binary),
        wasm_module=wasm_module,
        engine=engine,
        settings=settings,
        source_path=path,
        custom_sections=custom,
        sections=scan.sections,
        binary=binary,
        abi=abi,
        load_seconds=time.perf_counter() - t0,
        compile_seconds=compile_seconds,
        cache_hit=cache_hit,
    )
    if sandbox is not None:
        module.check_imports(sandbox)
    return module


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
