"""What the compiler keeps of the math library and prelude for the life of the process.

Every build of a kernel calling ``math.sin`` used to lower, inline and emit ``sin``,
``kernel_sin``, ``rem_pio2``, … again: on the robot arm about half of ``lower`` and ``emit``
and a third of ``inline``. A library function compiles to the same thing in every kernel,
so the first build in a process keeps three things and later ones reuse them:

* its lowered IR (``lower``: :func:`lookup`, :func:`keep`), with the program calls its
  lowering made (:class:`Journal`), replayed in order when the entry is used, so the
  program ends up exactly as if the function had been lowered: same functions in the same
  order, same tables, same links;
* what the inliner's rounds did to the module's library functions (``inline``:
  :class:`Inlining`, passes/inline.py), keyed by the library functions in module order;
* their text (``emit``: :class:`EmittedLibrary`, backend/wat.py), keyed by the same and
  the module's layout.

What makes that safe:

* **Keyed by everything that affects it**: the library's stamp — its directory, its
  registry, and every ``.py`` file of the library and prelude directories with its
  modification time and size (a file edited in a long-lived process makes a new key; the
  old entry is never used again) — and the symbols above.
* **In-process only**: nothing is read back from disk; an entry is what this process made.
* **Copied on use**: each build gets a new :class:`ir.Function` with its own body list and
  locals dict, the two things later passes replace or extend. Statement and expression
  nodes are shared: no pass changes a library function's nodes in place (the inliner
  copies what it rewrites; the loop passes and the vectoriser skip library functions), and
  ``tests/lang/test_library_cache.py`` checks that building kernels leaves every entry
  exactly as it was.
* **Nothing numbered per build**: a function whose lowering numbered a message
  (``print``/``raise`` text) is not kept, and a module holding one keeps nothing of its
  inlining or text; block labels are numbered per function (passes/inline.py).

Same source, same bytes: a build taking library functions from here makes the same module
as the first build in a fresh interpreter (the tests build both and compare).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from portalis.lang import ir
from portalis.lang.types import Scalar

if TYPE_CHECKING:
    from portalis.lang.frontend.program import Library, Program

#: A program call made while lowering a function: (method name, its arguments).
Effect = tuple[str, tuple[Any, ...]]

#: How many sets of library functions (kernels, roughly) the inlining and text caches
#: hold before the oldest goes: a process compiling many kernels (a sweep, the test suite)
#: stays bounded, while the ones it rebuilds stay warm. The lowered functions are bounded
#: by the library itself.
MAX_MODULES = 64

#: The methods whose calls are journaled; ``add_message`` numbers a message per build.
NOT_REPLAYABLE = "add_message"


@dataclass(frozen=True)
class Lowered:
    """One kept function: its IR (never handed out, see :func:`fresh_copy`) and the program
    calls its lowering made, in order."""

    function: ir.Function
    effects: tuple[Effect, ...]


#: (library stamp, function symbol) → the lowered function
_LOWERED: dict[tuple[object, str], Lowered] = {}


def library_stamp(library: Library | None, prelude: Path) -> object:
    """Everything a library function's IR depends on besides its symbol."""
    directories = [prelude] if library is None else [library.directory, prelude]
    files = []
    for directory in directories:
        for path in sorted(directory.glob("*.py")):
            st = path.stat()
            files.append((str(path), st.st_mtime_ns, st.st_size))
    registry = () if library is None else tuple(sorted(library.registry.items()))
    return (str(library.directory) if library else None, registry, tuple(files))


def lookup(stamp: object, symbol: str) -> Lowered | None:
    return _LOWERED.get((stamp, symbol))


def keep(stamp: object, fn: ir.Function, effects: list[Effect]) -> bool:
    """Keep ``fn`` (just lowered, with ``effects``) unless its lowering numbered a message;
    whether it was kept. The entry holds its own copy: the build goes on with ``fn``."""
    if any(name == NOT_REPLAYABLE for name, _ in effects):
        return False
    _LOWERED[(stamp, fn.symbol)] = Lowered(fresh_copy(fn), tuple(effects))
    return True


def fresh_copy(fn: ir.Function) -> ir.Function:
    """A new ``Function`` with its own body list, locals and parameter list (what later
    passes may replace or extend), sharing the nodes (which none changes in place)."""
    return dataclasses.replace(
        fn, body=list(fn.body), locals=dict(fn.locals), params=list(fn.params)
    )


def entries() -> dict[tuple[object, str], Lowered]:
    """The kept lowered functions."""
    return dict(_LOWERED)


def everything() -> dict[str, dict[Any, Any]]:
    """All that is kept, by kind (for tests that check no build changes an entry)."""
    return {"lowered": dict(_LOWERED), "inlined": dict(_INLINED), "emitted": dict(_EMITTED)}


K = TypeVar("K")
V = TypeVar("V")


def _bounded_insert(cache: dict[K, V], key: K, value: V, limit: int) -> None:
    """Insert, dropping the oldest entries beyond ``limit`` (dicts keep insertion order)."""
    cache[key] = value
    while len(cache) > limit:
        del cache[next(iter(cache))]


def clear() -> None:
    _LOWERED.clear()
    _INLINED.clear()
    _EMITTED.clear()


class Journal:
    """The program calls one function's lowering makes (only the outermost: a call the
    method itself makes is part of it, and made again when it is)."""

    def __init__(self) -> None:
        self.effects: list[Effect] = []
        self.open = True


M = TypeVar("M", bound=Callable[..., Any])


def journaled(method: M) -> M:
    """Record calls of a :class:`Program` method in the program's open journal."""
    name = method.__name__

    @wraps(method)
    def call(self: Program, *args: Any) -> Any:
        journal = self.journal
        if journal is None or not journal.open:
            return method(self, *args)
        journal.effects.append((name, args))
        journal.open = False  # the calls it makes itself are part of this one
        try:
            return method(self, *args)
        finally:
            journal.open = True

    return call  # type: ignore[return-value]


def replay(program: Program, effects: tuple[Effect, ...]) -> None:
    for name, args in effects:
        getattr(program, name)(*args)


# -- inlining -----------------------------------------------------------------------------

#: The library stamp and the module's library functions' symbols, in module order: what
#: the inliner's work on those functions depends on (passes/inline.py).
LibraryKey = tuple[object, tuple[str, ...]]


@dataclass(frozen=True)
class Inlined:
    """A library function's body, locals and calls after an inlining round changed it, and
    the inliner's summary of that body (passes/inline.py's ``_Shape``, kept so that a
    replaying build need not walk the body again)."""

    body: tuple[ir.Stmt, ...]
    locals: dict[str, Scalar]
    calls: frozenset[str]
    shape: Any


#: What one inlining round did to the library functions: the ones it changed.
RoundWork = dict[str, Inlined]


@dataclass(frozen=True)
class Inlining:
    """What the inliner did to a module's library functions: their summaries as lowered
    (by symbol), then each round's work."""

    shapes: dict[str, Any]
    rounds: tuple[RoundWork, ...]


_INLINED: dict[LibraryKey, Inlining] = {}


def inlined(key: LibraryKey) -> Inlining | None:
    return _INLINED.get(key)


def keep_inlined(key: LibraryKey, inlining: Inlining) -> None:
    _bounded_insert(_INLINED, key, inlining, MAX_MODULES)


# -- emission -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Emitted:
    """A library function's text, and the shared helpers it calls (backend/support.py)."""

    lines: tuple[str, ...]
    helpers: frozenset[str]


#: (library key, function symbol, the module's layout) → the function's text
_EMITTED: dict[tuple[LibraryKey, str, object], Emitted] = {}


class EmittedLibrary:
    """The text of a module's library functions, made once per process (backend/wat.py).

    A library function's text depends on its IR after inlining (fixed by the library key),
    its loop plan (made from that IR alone), the module's math links (fixed by the
    library) and where the module's layout put constant tables and persistent arrays
    (part of the key here). Trap lines are 0 in library code, messages are excluded by the
    key (a function with one is never kept)."""

    def __init__(self, key: LibraryKey, module: ir.Module) -> None:
        self.key = key
        self.symbols = frozenset(key[1])
        self.layout = (
            tuple(module.table_offsets.items()),
            tuple((a.name, a.offset) for a in module.state_arrays),
        )

    def holds(self, fn: ir.Function) -> bool:
        return fn.symbol in self.symbols

    def text(
        self, fn: ir.Function, emit: Callable[[set[str]], list[str]], helpers: set[str]
    ) -> tuple[str, ...]:
        """``fn``'s lines, made by ``emit`` the first time (given the set to collect the
        helpers it calls in); those helpers are added to ``helpers`` either way."""
        key = (self.key, fn.symbol, self.layout)
        kept = _EMITTED.get(key)
        if kept is None:
            own: set[str] = set()
            kept = Emitted(tuple(emit(own)), frozenset(own))
            _bounded_insert(_EMITTED, key, kept, MAX_MODULES * 16)
        helpers |= kept.helpers
        return kept.lines
