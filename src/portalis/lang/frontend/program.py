"""The whole program: the kernel unit plus the math-library and prelude units it pulls in.

Function bodies are lowered on demand from a work list, so a module contains exactly the
kernel's functions and the library functions they (transitively) call, never a host import.
"""

from __future__ import annotations

import ast
import importlib
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

from portalis.errors import CompileError
from portalis.lang import ir, library_cache
from portalis.lang.frontend.diagnostics import Diagnostics
from portalis.lang.frontend.unit import FunctionSig, Table, Unit, parse_unit
from portalis.lang.library_cache import Journal, journaled
from portalis.lang.types import F64
from portalis.messages import Message

PRELUDE_DIR = Path(__file__).resolve().parent.parent / "prelude"
DATA_START = 16  # keep address 0 unused so a stray null pointer is visible


@dataclass(frozen=True)
class Library:
    """Where math functions come from: ``registry`` maps a math name (``sin``) to a file
    stem in ``directory`` and a function name in it."""

    directory: Path
    registry: dict[str, tuple[str, str]]


def default_library() -> Library | None:
    """The colleague-maintained ``portalis.lang.libm`` package, if present."""
    try:
        mod = importlib.import_module("portalis.lang.libm")
    except ImportError:
        return None
    for attr in ("REGISTRY", "FUNCTIONS", "LIBM", "registry"):
        reg = getattr(mod, attr, None)
        if isinstance(reg, dict):
            directory = Path(mod.__file__ or ".").resolve().parent
            return Library(directory, {k: _entry(v) for k, v in reg.items()})
    return None


class _Named(Protocol):
    """A registry entry naming its module and function by attribute."""

    @property
    def module(self) -> object: ...

    @property
    def function(self) -> object: ...


def _entry(value: object) -> tuple[str, str]:
    if isinstance(value, tuple | list) and len(value) == 2:
        module, func = str(value[0]), str(value[1])
    else:
        named = cast(_Named, value)  # else an entry object; AttributeError where it is not
        module, func = str(named.module), str(named.function)
    stem = module.rsplit("/", 1)[-1]
    stem = stem[:-3] if stem.endswith(".py") else stem.rsplit(".", 1)[-1]
    return stem, func


class Program:
    def __init__(self, main: Unit, library: Library | None) -> None:
        self.main = main
        self.library = library
        self.units: dict[tuple[str, str], Unit] = {}
        self.lowered: dict[str, ir.Function] = {}
        self.queue: list[FunctionSig] = []
        self.queued: set[str] = set()
        self.links: dict[str, str] = {}
        self.tables_used: dict[str, Table] = {}
        #: print/raise/assert texts (frontend/messages.py), numbered in order of lowering
        self.messages: list[Message] = []
        #: while a library function is lowered: the calls it makes here
        #: (lang/library_cache.py)
        self.journal: Journal | None = None
        self._stamp: object = None
        #: the library functions lowered, in order, and whether each came from or went
        #: into the per-process cache
        self._library_symbols: list[str] = []
        self._all_kept = True

    # -- units --------------------------------------------------------------------------

    def _unit(self, kind: str, stem: str, diag: Diagnostics, node: ast.AST | None) -> Unit:
        key = (kind, stem)
        if key in self.units:
            return self.units[key]
        directory = (
            PRELUDE_DIR if kind == "prelude" else (self.library.directory if self.library else None)
        )
        path = directory / f"{stem}.py" if directory else None
        if path is None or not path.is_file():
            raise diag.error(
                node,
                f"the math library has no module `{stem}`",
                "portalis.lang.libm is incomplete in this installation",
            )
        self._library_ready()
        unit = _parse_library_file(path, f"{kind}.{stem}.")
        self.units[key] = unit
        return unit

    @journaled
    def function(self, unit: Unit, name: str, node: ast.AST) -> FunctionSig | None:
        """The function ``name`` called from ``unit``: its own or one it imported."""
        if name in unit.functions:
            return unit.functions[name]
        if name in unit.foreign:
            stem, fname = unit.foreign[name]
            other = self._unit(self._foreign_kind(unit, stem), stem, unit.diag, node)
            if fname not in other.functions:
                raise unit.diag.error(node, f"`{stem}` has no function `{fname}`")
            return other.functions[fname]
        return None

    @staticmethod
    def _foreign_kind(unit: Unit, stem: str) -> str:
        """Where ``unit``'s import of module ``stem`` comes from: its own kind's directory,
        except that a prelude helper may import from the math library (``prelude/power.py``)."""
        kind = unit.prefix.split(".", 1)[0] if unit.prefix else "libm"
        if kind == "prelude" and not (PRELUDE_DIR / f"{stem}.py").is_file():
            return "libm"
        return kind

    @journaled
    def foreign_value(
        self, unit: Unit, name: str, node: ast.AST
    ) -> Table | int | float | bool | None:
        """A constant or constant table ``unit`` imported from another library file."""
        if name not in unit.foreign:
            return None
        stem, vname = unit.foreign[name]
        other = self._unit(self._foreign_kind(unit, stem), stem, unit.diag, node)
        if vname in other.tables:
            return other.tables[vname]
        return other.constants.get(vname)

    @journaled
    def use_libm(self, name: str, node: ast.AST, diag: Diagnostics) -> str:
        key = f"libm:{name}"
        if key in self.links:
            return self.links[key]
        if self.library is not None and name in self.library.registry:
            stem, fname = self.library.registry[name]
            unit = self._unit("libm", stem, diag, node)
        elif (PRELUDE_DIR / f"{name}.py").is_file():
            unit, fname = self._unit("prelude", name, diag, node), name
        else:
            raise diag.error(
                node,
                f"math.{name} is not available: the math library "
                "(portalis.lang.libm) does not provide it yet",
                "see docs/language.md for the math functions",
            )
        sig = unit.functions.get(fname)
        if sig is None:
            raise diag.error(node, f"the math library does not define `{fname}`")
        self._check_math_sig(sig, diag, node)
        self.request(sig)
        self.links[key] = sig.symbol
        return sig.symbol

    @journaled
    def use_prelude(self, name: str, diag: Diagnostics, node: ast.AST) -> str:
        """The symbol of prelude function ``name`` (prelude/``name``.py), compiled in on
        first use."""
        key = f"prelude:{name}"
        if key not in self.links:
            sig = self._unit("prelude", name, diag, node).functions[name]
            self.request(sig)
            self.links[key] = sig.symbol
        return self.links[key]

    @staticmethod
    def _check_math_sig(sig: FunctionSig, diag: Diagnostics, node: ast.AST) -> None:
        if sig.result != F64 or any(p.type != F64 for p in sig.params):
            raise diag.error(
                node, f"math library function `{sig.name}` must take and return floats"
            )

    @journaled
    def use_table(self, table: Table) -> None:
        self.tables_used[table.symbol] = table

    @journaled
    def request(self, sig: FunctionSig) -> None:
        if sig.symbol not in self.queued:
            self.queued.add(sig.symbol)
            self.queue.append(sig)

    # -- driving ------------------------------------------------------------------------

    def lower_all(self) -> list[ir.Function]:
        from portalis.lang.frontend.stmts import lower_function

        for sig in self.main.functions.values():
            if sig.exported:  # a private helper (``_name``) is compiled only when called
                self.request(sig)
        if not any(s.exported for s in self.main.functions.values()):
            raise CompileError(
                "the kernel defines no public function",
                file=self.main.filename,
                line=1,
                col=1,
                hint="define at least one `def name(...)` not starting with _",
            )
        while self.queue:
            sig = self.queue.pop(0)
            if sig.unit is self.main:
                self.lowered[sig.symbol] = lower_function(self, sig)
            else:
                self.lowered[sig.symbol] = self._lower_library(sig)
        return list(self.lowered.values())

    def _lower_library(self, sig: FunctionSig) -> ir.Function:
        """A math-library or prelude function, lowered once per process
        (lang/library_cache.py explains why that is safe)."""
        from portalis.lang.frontend.stmts import lower_function

        self._library_ready()
        self._library_symbols.append(sig.symbol)
        kept = library_cache.lookup(self._stamp, sig.symbol)
        if kept is not None:
            library_cache.replay(self, kept.effects)
            return library_cache.fresh_copy(kept.function)
        self.journal = Journal()
        try:
            fn = lower_function(self, sig)
            effects = self.journal.effects
        finally:
            self.journal = None
        self._all_kept &= library_cache.keep(self._stamp, fn, effects)
        return fn

    def _library_ready(self) -> None:
        """Stamp the library on its first use in this build; the first use in a process
        also reads the library's snapshot from disk, if one proves itself
        (lang/library_cache.py)."""
        if self._stamp is not None:
            return
        self._stamp = library_cache.library_stamp(self.library, PRELUDE_DIR)
        units = library_cache.load_snapshot(self._stamp, self.library, PRELUDE_DIR)
        if units:
            # Keyed by the file states the stamp saw, which the snapshot was proven against
            # (a file changed since gets a new key, so is parsed again).
            files = {path: (mtime, size) for path, mtime, size in self._stamp[2]}  # type: ignore[index]
            for (path, prefix), unit in units.items():
                if path in files:
                    _LIBRARY_CACHE[(path, prefix, *files[path])] = unit

    @property
    def library_stamp(self) -> object:
        """The library's stamp, once a library function or file was used (else None)."""
        return self._stamp

    def save_library(self) -> bool:
        """Write the library's snapshot with what this process made (lang/library_cache.py):
        the kept entries and the library files they came from, as parsed."""
        files = {(path, mtime, size) for path, mtime, size in self._stamp[2]}  # type: ignore[index]
        units = {
            (path, prefix): unit
            for (path, prefix, mtime, size), unit in _LIBRARY_CACHE.items()
            if (path, mtime, size) in files
        }
        return library_cache.save_snapshot(self._stamp, units)

    def library_key(self) -> library_cache.LibraryKey | None:
        """What the later passes' work on the library functions depends on, when every one
        of them is kept per process (lang/library_cache.py); else None."""
        if not self._all_kept or not self._library_symbols:
            return None
        return (self._stamp, tuple(self._library_symbols))

    @journaled
    def add_message(self, message: Message) -> int:
        self.messages.append(message)
        return len(self.messages) - 1

    def layout(self, functions: list[ir.Function]) -> ir.Module:
        """Place constant tables and persistent arrays at fixed offsets after address 16."""
        offset = DATA_START
        data: list[ir.DataBlock] = []
        table_offsets: dict[str, int] = {}
        for t in self.tables_used.values():
            offset = _align(offset, 8)
            fmt = f"<{len(t.values)}{'d' if t.element == F64 else 'q'}"
            blob = struct.pack(fmt, *t.values)
            data.append(ir.DataBlock(t.symbol, offset, blob))
            table_offsets[t.symbol] = offset
            offset += len(blob)
        arrays: list[ir.ArrayRef] = []
        for unit in [self.main, *self.units.values()]:
            for arr in unit.state_arrays.values():
                offset = _align(offset, 16)
                arr.offset = offset
                assert arr.shape is not None
                n = arr.element.size
                for s in arr.shape:
                    n *= s
                offset += n
                arrays.append(arr)
        scalars = [
            s for unit in [self.main, *self.units.values()] for s in unit.state_scalars.values()
        ]
        return ir.Module(
            functions=functions,
            state_scalars=scalars,
            state_arrays=arrays,
            data=data,
            heap_base=_align(offset, 16),
            links=dict(self.links),
            table_offsets=table_offsets,
            source_name=self.main.filename,
            messages=list(self.messages),
        )


_LIBRARY_CACHE: dict[tuple[str, str, int, int], Unit] = {}


def _parse_library_file(path: Path, prefix: str) -> Unit:
    """Parse a library file once per process (per modification time and size): library
    units are never mutated after collection, and re-parsing the math library dominated
    build time."""
    st = path.stat()
    key = (str(path), prefix, st.st_mtime_ns, st.st_size)
    unit = _LIBRARY_CACHE.get(key)
    if unit is None:
        unit = parse_unit(path.read_text(encoding="utf-8"), str(path), prefix, exported=False)
        _LIBRARY_CACHE[key] = unit
    return unit


def _align(n: int, a: int) -> int:
    return (n + a - 1) // a * a
