"""What a module says about itself, read from its bytes without wasmtime.

wasmtime-py aborts the interpreter (SIGABRT inside its type query) when asked for the type of
an export or import whose signature holds ``v128`` or a GC reference. A module from a scene
is untrusted, so Portalis never asks wasmtime for a type: this small reader of the binary
format takes signatures from the module's own type, import, function, table, memory, tag,
global and export sections, and :attr:`Interface.problems` names every import or export whose
types cannot cross into Python, so the module is refused before it is compiled.

The reader only needs the sections that describe the module's interface; the code and data
sections are skipped by their sizes. Anything it cannot make sense of raises
:class:`Unreadable`; the loader then lets wasmtime's validation explain what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

WASM_MAGIC = b"\0asm"
WASM_VERSION_1 = b"\x01\0\0\0"

SECTION_NAMES = {
    0: "custom", 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory",
    6: "global", 7: "export", 8: "start", 9: "element", 10: "code", 11: "data",
    12: "datacount", 13: "tag",
}  # fmt: skip

#: The value types Portalis passes between Python and WebAssembly: numbers only.
NUMBER_TYPES = frozenset({"i32", "i64", "f32", "f64"})
#: Table element types wasmtime-py handles (tables are never read by Portalis, only exported
#: by toolchains, e.g. ``__indirect_function_table``).
TABLE_TYPES = frozenset({"funcref", "externref"})

_NUMBERS = {0x7F: "i32", 0x7E: "i64", 0x7D: "f32", 0x7C: "f64", 0x7B: "v128"}
_PACKED = {0x78: "i8", 0x77: "i16"}
# Abstract heap types (the shorthand reference types are the nullable ones).
_HEAP = {
    0x70: "func", 0x6F: "extern", 0x6E: "any", 0x6D: "eq", 0x6C: "i31", 0x6B: "struct",
    0x6A: "array", 0x69: "exn", 0x74: "noexn", 0x73: "nofunc", 0x72: "noextern", 0x71: "none",
    0x68: "cont", 0x75: "nocont",
}  # fmt: skip
_KINDS = {0: "func", 1: "table", 2: "memory", 3: "global", 4: "tag"}


class Unreadable(Exception):
    """The bytes are not a module this reader understands (wasmtime says why)."""


# Named tuples rather than dataclasses: a module may export thousands of functions and a
# warm load reads them all, so creating one must cost next to nothing.
class ImportInfo(NamedTuple):
    module: str
    name: str
    kind: str
    type: str
    params: tuple[str, ...] = ()
    results: tuple[str, ...] = ()


class ExportInfo(NamedTuple):
    name: str
    kind: str
    type: str
    params: tuple[str, ...] = ()
    results: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layout:
    """The framing of a module: its sections (name, size) and custom sections' payloads,
    plus the two figures that predict compile cost."""

    sections: tuple[tuple[str, int], ...]
    custom: dict[str, list[bytes]]
    #: Functions defined by the module (the function section's count).
    functions: int
    #: Size of the code section, in bytes.
    code_bytes: int
    #: Memories the module defines (the memory section's count; imports not included).
    memories: int = 0


class Interface:
    """Every import and export with its type, as text and (for functions) value types, and
    :attr:`problems`: why each one that cannot cross into Python cannot.

    A warm load must stay well under a millisecond, and modules export hundreds of
    functions: exports are checked while they are read, but decoded into
    :class:`ExportInfo` only when someone asks (:attr:`exports`, :meth:`export`).
    """

    def __init__(
        self,
        imports: tuple[ImportInfo, ...],
        raw_exports: list[tuple[bytes, int, int]],
        describe: _Describe,
    ) -> None:
        self.imports = imports
        self._raw_exports = raw_exports
        self._describe = describe
        self._by_name: dict[str, ExportInfo] | None = None
        self.problems: list[str] = _import_problems(imports) + describe.export_problems(raw_exports)

    @property
    def exports(self) -> tuple[ExportInfo, ...]:
        return tuple(self._exports_by_name().values())

    def export(self, name: str) -> ExportInfo | None:
        return self._exports_by_name().get(name)

    def _exports_by_name(self) -> dict[str, ExportInfo]:
        if self._by_name is None:
            describe = self._describe.export
            self._by_name = {}
            for raw, kind, index in self._raw_exports:
                info = describe(raw.decode("utf-8", "replace"), kind, index)
                self._by_name[info.name] = info
        return self._by_name


class _Bytes:
    """A cursor over the module's bytes; every read is bounds-checked."""

    __slots__ = ("data", "end", "pos")

    def __init__(self, data: bytes, pos: int, end: int) -> None:
        self.data = data
        self.pos = pos
        self.end = end

    def byte(self) -> int:
        if self.pos >= self.end:
            raise Unreadable("unexpected end of section")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > self.end:
            raise Unreadable("unexpected end of section")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def uleb(self, bits: int = 32) -> int:
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result
            if shift >= bits + 7:
                raise Unreadable("integer too long")

    def sleb(self, bits: int) -> int:
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                if b & 0x40:
                    result -= 1 << shift
                return result
            if shift >= bits + 7:
                raise Unreadable("integer too long")

    def name(self) -> str:
        return self.take(self.uleb()).decode("utf-8", "replace")

    def count(self) -> int:
        # Each entry takes at least one byte: a larger count is a lie (and must not make us
        # loop or allocate for it).
        n = self.uleb()
        if n > self.end - self.pos:
            raise Unreadable("vector longer than its section")
        return n


def scan(data: bytes) -> Layout:
    """Section framing: names, sizes, custom payloads, function count and code size.

    Raises :class:`Unreadable` with the byte offset when a section header is truncated or a
    section runs past the end of the file.
    """
    sections: list[tuple[str, int]] = []
    custom: dict[str, list[bytes]] = {}
    functions = code_bytes = memories = 0
    cur = _Bytes(data, 8, len(data))
    while cur.pos < len(data):
        section_id = cur.byte()
        try:
            size = cur.uleb()
        except Unreadable:
            raise Unreadable("malformed section header (truncated file?)") from None
        start, end = cur.pos, cur.pos + size
        if end > len(data):
            raise Unreadable(f"section at byte {start} runs past the end of the file")
        body = _Bytes(data, start, end)
        if section_id == 0:
            name = body.name()
            custom.setdefault(name, []).append(data[body.pos : end])
            sections.append((f"custom:{name}", size))
        else:
            sections.append((SECTION_NAMES.get(section_id, f"unknown({section_id})"), size))
            if section_id == 3:
                functions = body.uleb()
            elif section_id == 5:
                memories = body.uleb()
            elif section_id == 10:
                code_bytes = size
        cur.pos = end
    return Layout(tuple(sections), custom, functions, code_bytes, memories)


def read_interface(data: bytes) -> Interface:
    """Imports and exports with their types, from the module's own sections."""
    types: list[tuple[tuple[str, ...], tuple[str, ...]] | None] = []  # None: not a func type
    func_types: list[int] = []  # function index → type index (imports first)
    tables: list[str] = []
    memories: list[str] = []
    globals_: list[str] = []
    tags: list[int] = []
    imports: list[ImportInfo] = []
    raw_exports: list[tuple[bytes, int, int]] = []

    cur = _Bytes(data, 8, len(data))
    while cur.pos < len(data):
        section_id = cur.byte()
        size = cur.uleb()
        body = _Bytes(data, cur.pos, cur.pos + size)
        if body.end > len(data):
            raise Unreadable("section runs past the end of the file")
        cur.pos = body.end
        if section_id == 1:
            for _ in range(body.count()):
                _read_rec_group(body, types)
        elif section_id == 2:
            for _ in range(body.count()):
                module, name = body.name(), body.name()
                kind = body.byte()
                if kind == 0:
                    index = body.uleb()
                    func_types.append(index)
                    params, results = _func_type(types, index)
                    text = _signature(params, results)
                    imports.append(ImportInfo(module, name, "func", text, params, results))
                elif kind == 1:
                    tables.append(_table_type(body))
                    imports.append(ImportInfo(module, name, "table", tables[-1]))
                elif kind == 2:
                    memories.append(_limits(body, memory=True))
                    imports.append(ImportInfo(module, name, "memory", memories[-1]))
                elif kind == 3:
                    globals_.append(_global_type(body))
                    imports.append(ImportInfo(module, name, "global", globals_[-1]))
                elif kind == 4:
                    tags.append(_tag_type(body))
                    imports.append(ImportInfo(module, name, "tag", _tag_text(types, tags[-1])))
                else:
                    raise Unreadable(f"unknown import kind {kind}")
        elif section_id == 3:
            count = body.count()
            if body.end - body.pos == count:  # every index is one byte: the common case
                func_types.extend(data[body.pos : body.end])
            else:
                func_types.extend(body.uleb() for _ in range(count))
        elif section_id == 4:
            for _ in range(body.count()):
                if body.data[body.pos : body.pos + 2] == b"\x40\x00":  # table with initialiser
                    body.pos += 2
                    tables.append(_table_type(body))
                    _skip_const_expr(body)
                else:
                    tables.append(_table_type(body))
        elif section_id == 5:
            memories.extend(_limits(body, memory=True) for _ in range(body.count()))
        elif section_id == 13:
            tags.extend(_tag_type(body) for _ in range(body.count()))
        elif section_id == 6:
            for _ in range(body.count()):
                globals_.append(_global_type(body))
                _skip_const_expr(body)
        elif section_id == 7:
            raw_exports = _export_entries(body)

    return Interface(
        tuple(imports), raw_exports, _Describe(types, func_types, tables, memories, globals_, tags)
    )


class _Describe:
    """The module's index spaces, to describe and check exports by (kind, index)."""

    def __init__(
        self,
        types: list[tuple[tuple[str, ...], tuple[str, ...]] | None],
        func_types: list[int],
        tables: list[str],
        memories: list[str],
        globals_: list[str],
        tags: list[int],
    ) -> None:
        self.types = types
        self.func_types = func_types
        self.spaces = (tables, memories, globals_, tags)
        self._signatures: dict[int, tuple[str, tuple[str, ...], tuple[str, ...]]] = {}

    def signature(self, type_index: int) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        found = self._signatures.get(type_index)
        if found is None:
            params, results = _func_type(self.types, type_index)
            found = self._signatures[type_index] = (_signature(params, results), params, results)
        return found

    def export(self, name: str, kind: int, index: int) -> ExportInfo:
        if kind == 0:
            text, params, results = self.signature(self.func_types[index])
            return tuple.__new__(ExportInfo, (name, "func", text, params, results))
        if kind == 4:
            return ExportInfo(name, "tag", _tag_text(self.types, self.spaces[3][index]))
        return ExportInfo(name, _KINDS[kind], str(self.spaces[kind - 1][index]))

    def export_problems(self, raw_exports: list[tuple[bytes, int, int]]) -> list[str]:
        """Checked per export as read, cheaply: a function export costs one look-up of its
        type's verdict; messages are made only for the offenders."""
        func_types = self.func_types
        verdicts: dict[int, bool] = {}
        problems = []
        for raw, kind, index in raw_exports:
            if kind == 0:
                if index >= len(func_types):
                    raise Unreadable(f"export names function {index}, which does not exist")
                type_index = func_types[index]
                ok = verdicts.get(type_index)
                if ok is None:
                    _, params, results = self.signature(type_index)
                    ok = verdicts[type_index] = _numbers(params) and _numbers(results)
                if ok:
                    continue
            elif kind not in _KINDS:
                raise Unreadable(f"export has unknown kind {kind}")
            elif index >= len(self.spaces[kind - 1]):
                raise Unreadable(f"export names a missing {_KINDS[kind]} {index}")
            problem = _problem("export", self.export(raw.decode("utf-8", "replace"), kind, index))
            if problem:
                problems.append(problem)
        return problems


_numbers = NUMBER_TYPES.issuperset


def _import_problems(imports: tuple[ImportInfo, ...]) -> list[str]:
    found = (_problem("import", i, f"{i.module}.{i.name}") for i in imports)
    return [p for p in found if p]


def _problem(side: str, entry: ImportInfo | ExportInfo, name: str = "") -> str:
    """Why ``entry`` cannot cross between Python and WebAssembly ("" if it can).

    Numbers cross; references (``funcref``, ``externref``, GC references) and ``v128`` do
    not — wasmtime-py aborts the process on some of them, and a USD attribute or a NumPy
    array has no such value anyway. Tables of ``funcref``/``externref`` may be exported
    (toolchains export their indirect-call table); Portalis never reads them. Exception tags
    cannot cross either.
    """
    name = name or entry.name
    if entry.kind == "func":
        bad = sorted({v for v in (*entry.params, *entry.results) if v not in NUMBER_TYPES})
        if bad:
            return f"{side} '{name}' has {', '.join(bad)} in its signature {entry.type}"
    elif entry.kind == "global":
        content = entry.type.removeprefix("mut ")
        if content not in NUMBER_TYPES:
            return f"{side} global '{name}' holds {content}"
    elif entry.kind == "table":
        element = entry.type.rsplit(" ", 1)[0]
        if element not in TABLE_TYPES:
            return f"{side} table '{name}' holds {element}"
    elif entry.kind == "tag":
        return f"{side} '{name}' is an exception tag"
    return ""


def _export_entries(body: _Bytes) -> list[tuple[bytes, int, int]]:
    """(name as bytes, kind, index) of each export: the one loop a warm load runs per export, so it
    reads the bytes directly (one-byte LEB128 values being the common case)."""
    data, pos, end = body.data, body.pos, body.end
    count, pos = _uleb_at(data, pos, end)
    if count > end - pos:
        raise Unreadable("vector longer than its section")
    entries = []
    try:
        for _ in range(count):
            length = data[pos]
            if length < 0x80:
                pos += 1
            else:
                length, pos = _uleb_at(data, pos, end)
            name = data[pos : pos + length]
            pos += length
            kind, index = data[pos], data[pos + 1]
            if index < 0x80:
                pos += 2
            elif data[pos + 2] < 0x80:  # indices 128..16383
                index = (index & 0x7F) | (data[pos + 2] << 7)
                pos += 3
            else:
                index, pos = _uleb_at(data, pos + 1, end)
            entries.append((name, kind, index))
    except IndexError:
        raise Unreadable("unexpected end of the export section") from None
    if pos > end:
        raise Unreadable("unexpected end of the export section")
    return entries


def _uleb_at(data: bytes, pos: int, end: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= end or shift > 35:
            raise Unreadable("malformed integer in the export section")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _signature(params: tuple[str, ...], results: tuple[str, ...]) -> str:
    return f"({', '.join(params)}) -> ({', '.join(results)})"


def _func_type(
    types: list[tuple[tuple[str, ...], tuple[str, ...]] | None], index: int
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if index >= len(types) or types[index] is None:
        raise Unreadable(f"type {index} is not a function type")
    entry = types[index]
    assert entry is not None
    return entry


def _read_rec_group(
    cur: _Bytes, types: list[tuple[tuple[str, ...], tuple[str, ...]] | None]
) -> None:
    if cur.data[cur.pos : cur.pos + 1] == b"\x4e":  # rec group: several subtypes
        cur.pos += 1
        for _ in range(cur.count()):
            types.append(_read_subtype(cur))
    else:
        types.append(_read_subtype(cur))


def _read_subtype(cur: _Bytes) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    form = cur.byte()
    if form in (0x50, 0x4F):  # sub / sub final: supertypes, then the composite type
        for _ in range(cur.count()):
            cur.uleb()
        form = cur.byte()
    if form == 0x60:
        params = tuple(_value_type(cur) for _ in range(cur.count()))
        results = tuple(_value_type(cur) for _ in range(cur.count()))
        return params, results
    if form == 0x5F:  # struct
        for _ in range(cur.count()):
            _storage_type(cur)
            cur.byte()
        return None
    if form == 0x5E:  # array
        _storage_type(cur)
        cur.byte()
        return None
    if form == 0x5D:  # continuation type (stack switching)
        cur.sleb(33)
        return None
    raise Unreadable(f"unknown type form 0x{form:02x}")


def _storage_type(cur: _Bytes) -> str:
    packed = _PACKED.get(cur.data[cur.pos] if cur.pos < cur.end else -1)
    if packed is not None:
        cur.pos += 1
        return packed
    return _value_type(cur)


def _value_type(cur: _Bytes) -> str:
    code = cur.byte()
    if code in _NUMBERS:
        return _NUMBERS[code]
    if code in _HEAP:
        return "externref" if code == 0x6F else f"{_HEAP[code]}ref"
    if code in (0x63, 0x64):  # (ref null ht) / (ref ht)
        heap = _heap_type(cur)
        nullable = code == 0x63
        if nullable and heap in ("func", "extern"):
            return f"{heap}ref"
        return f"(ref {'null ' if nullable else ''}{heap})"
    raise Unreadable(f"unknown value type 0x{code:02x}")


def _heap_type(cur: _Bytes) -> str:
    first = cur.data[cur.pos] if cur.pos < cur.end else -1
    if first in _HEAP:
        cur.pos += 1
        return _HEAP[first]
    if first == 0x65:  # shared
        cur.pos += 1
        return "shared " + _heap_type(cur)
    index = cur.sleb(33)
    if index < 0:
        raise Unreadable("unknown heap type")
    return f"${index}"


def _limits(cur: _Bytes, *, memory: bool) -> str:
    flags = cur.byte()
    if flags & ~0x0F:
        raise Unreadable(f"unknown limits flags 0x{flags:02x}")
    wide = bool(flags & 0x04)
    low = cur.uleb(64 if wide else 32)
    high = cur.uleb(64 if wide else 32) if flags & 0x01 else None
    if flags & 0x08:
        cur.uleb()  # custom page size (log2)
    top = f"{high}" if high is not None else "unbounded"
    if not memory:
        return f"{low}..{top}"
    extra = (" shared" if flags & 0x02 else "") + (" 64-bit" if wide else "")
    return f"pages {low}..{top}{extra}"


def _table_type(cur: _Bytes) -> str:
    element = _value_type(cur)
    return f"{element} {_limits(cur, memory=False)}"


def _global_type(cur: _Bytes) -> str:
    content = _value_type(cur)
    mutable = cur.byte()
    if mutable not in (0, 1):
        raise Unreadable("bad global mutability")
    return f"mut {content}" if mutable else content


def _tag_type(cur: _Bytes) -> int:
    if cur.byte() != 0:
        raise Unreadable("unknown tag attribute")
    return cur.uleb()


def _tag_text(types: list[tuple[tuple[str, ...], tuple[str, ...]] | None], index: int) -> str:
    params, results = _func_type(types, index)
    return f"tag {_signature(params, results)}"


# Constant-expression opcodes and the immediates after them (globals' and tables'
# initialisers are the only code the reader has to step over).
_CONST_FIXED = {0x43: 4, 0x44: 8}
_CONST_NO_IMMEDIATE = {0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E, 0xD1}


def _skip_const_expr(cur: _Bytes) -> None:
    while True:
        op = cur.byte()
        if op == 0x0B:
            return
        if op == 0x41:
            cur.sleb(32)
        elif op == 0x42:
            cur.sleb(64)
        elif op in _CONST_FIXED:
            cur.take(_CONST_FIXED[op])
        elif op in (0x23, 0xD2):  # global.get, ref.func
            cur.uleb()
        elif op == 0xD0:  # ref.null
            _heap_type(cur)
        elif op in _CONST_NO_IMMEDIATE:
            pass
        elif op == 0xFB:  # GC: struct.new, array.new, ref.i31 and conversions
            sub = cur.uleb()
            if sub in (0, 1, 6, 7):
                cur.uleb()
            elif sub == 8:
                cur.uleb()
                cur.uleb()
            elif sub not in (0x1A, 0x1B, 0x1C):
                raise Unreadable(f"unexpected instruction 0xfb {sub} in a constant expression")
        elif op == 0xFD:  # v128.const
            if cur.uleb() != 12:
                raise Unreadable("unexpected SIMD instruction in a constant expression")
            cur.take(16)
        else:
            raise Unreadable(f"unexpected instruction 0x{op:02x} in a constant expression")
