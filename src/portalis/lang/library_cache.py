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
* **From disk only when authenticated** (:func:`load_snapshot`, :func:`save_snapshot`):
  a process's first build would otherwise parse, lower, inline and emit the library again
  (two thirds of a cold robot-arm build). So a build that made new entries also writes
  them, with the library files they came from, as one *snapshot* in the compile cache's
  directory, and a process's first use of the library reads it back. The snapshot is
  keyed by a BLAKE2b digest of everything its contents depend on — the bytes of every
  compiler and library source file (``portalis/*.py``, ``portalis/lang/**.py``, the
  library's directory), the Python version and the platform (found without hashing the
  sources when their states are indexed: :func:`_digest_of_sources`) — and sealed under
  the runtime cache's per-user key (a keyed BLAKE2b MAC), checked with its owner,
  permission, symlink and size rules (portalis/cachefiles.py): its bytes reach ``pickle``
  only once the MAC proves this user's process wrote them for exactly this compiler and
  library. Anything else — no key, a bad MAC, an entry for other sources, a file that
  changed meanwhile — is a miss.
  ``PORTALIS_LIBRARY_CACHE=off`` turns it off.
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

import contextlib
import copyreg
import dataclasses
import io
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, wraps
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
        found = []  # what sorted(directory.glob("*.py")) gives, at a third of its cost
        with os.scandir(directory) as it:
            for entry in it:
                name = entry.name
                if name.endswith(".py") and not name.startswith("."):
                    st = entry.stat()
                    found.append((entry.path, st.st_mtime_ns, st.st_size))
        found.sort()
        files += found
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
    _CHANGED.add(stamp)
    return True


def fresh_copy(fn: ir.Function) -> ir.Function:
    """A new ``Function`` with its own body list, locals and parameter list (what later
    passes may replace or extend), sharing the nodes (which none changes in place). A
    function read from the snapshot stays a :class:`StoredFunction`: its body is unpickled
    only if the build reads it."""
    if fn.__class__ is StoredFunction:
        copy = object.__new__(StoredFunction)
        copy.__dict__.update(fn.__dict__)
        copy.__dict__.pop("_list", None)
        held = copy.__dict__["_held"]
        if held.__class__ is not StoredBody:
            copy.__dict__["_held"] = list(held)
        copy.locals, copy.params = dict(fn.locals), list(fn.params)
        return copy
    return dataclasses.replace(
        fn, body=list(fn.body), locals=dict(fn.locals), params=list(fn.params)
    )


# -- bodies kept pickled until read ---------------------------------------------------------


class StoredBody:
    """A library function's statements as the snapshot holds them: pickled on their own,
    and unpickled the first time a build reads them. Most builds from a snapshot never
    do: the inliner replays its rounds (passes/inline.py: :func:`set_body`,
    :func:`body_token`), the text is kept, and the loop passes skip library functions; so
    a first build no longer unpickles every body the snapshot holds (~5 of its ~6 ms of
    unpickling on the robot arm). The bytes are part of the snapshot's payload, which its
    MAC proved before anything in it was unpickled; ``bytes`` cannot change since. They
    are compressed (zlib, fastest level): a first build that reads no body then reads,
    MACs and pages in ~60% of the snapshot instead of all of it (robot arm: 510 -> 284 KB).
    """

    __slots__ = ("_statements", "blob")

    def __init__(self, blob: bytes) -> None:
        self.blob = blob  # the statements pickled, then compressed
        self._statements: tuple[ir.Stmt, ...] | None = None

    def statements(self) -> tuple[ir.Stmt, ...]:
        statements = self._statements
        if statements is None:
            import zlib

            statements = self._statements = tuple(_loads(zlib.decompress(self.blob)))
        return statements

    def __reduce__(self) -> tuple[type[StoredBody], tuple[bytes]]:
        return StoredBody, (self.blob,)

    def __repr__(self) -> str:
        return f"StoredBody({self.statements()!r})"


class StoredFunction(ir.Function):
    """A library function read from the snapshot, whose body stays a :class:`StoredBody`
    until ``body`` is read (then it is a list of the function's own, like any body)."""

    @property
    def body(self) -> list[ir.Stmt]:
        d = self.__dict__
        held = d["_held"]
        if held.__class__ is not StoredBody:
            body: list[ir.Stmt] = held
            return body
        statements: list[ir.Stmt] | None = d.get("_list")
        if statements is None:
            statements = d["_list"] = list(held.statements())
        return statements

    @body.setter
    def body(self, value: list[ir.Stmt] | StoredBody) -> None:
        self.__dict__["_held"] = value
        self.__dict__.pop("_list", None)


def body_token(fn: ir.Function) -> object:
    """What stands for ``fn``'s present body, compared by identity (the inliner keeps its
    summary of a body until the body is replaced), without unpickling a stored one."""
    if fn.__class__ is StoredFunction:
        return fn.__dict__["_held"]
    return fn.body


def set_body(fn: ir.Function, body: tuple[ir.Stmt, ...] | StoredBody) -> None:
    """Give ``fn`` (a build's copy of a library function) ``body``, what an inlining round
    made of it (:class:`Inlined`), unpickling it only when ``fn`` cannot hold it stored."""
    if body.__class__ is StoredBody:
        if fn.__class__ is StoredFunction:
            fn.body = body
        else:
            fn.body = list(body.statements())
    else:
        fn.body = list(body)  # type: ignore[arg-type]


def _loads(data: bytes | memoryview) -> Any:
    try:  # the C unpickler pickle.loads is, without pickle.py's import (~0.7 ms)
        from _pickle import loads
    except ImportError:
        from pickle import loads
    return loads(data)


def entries() -> dict[tuple[object, str], Lowered]:
    """The kept lowered functions."""
    return dict(_LOWERED)


def everything() -> dict[str, dict[Any, Any]]:
    """All that is kept, by kind (for tests that check no build changes an entry)."""
    return {
        "lowered": dict(_LOWERED),
        "inlined": dict(_INLINED),
        "emitted": dict(_EMITTED),
    }


K = TypeVar("K")
V = TypeVar("V")


def _bounded_insert(cache: dict[K, V], key: K, value: V, limit: int) -> None:
    """Insert, dropping the oldest entries beyond ``limit`` (dicts keep insertion order)."""
    cache[key] = value
    while len(cache) > limit:
        del cache[next(iter(cache))]


def clear(*, reread_disk: bool = False) -> None:
    """Forget every entry kept in this process. The snapshot on disk is read at most once
    per library stamp and process; ``reread_disk`` lets the next build read it again."""
    _LOWERED.clear()
    _INLINED.clear()
    _EMITTED.clear()
    _CHANGED.clear()
    if reread_disk:
        _DIGESTS.clear()


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

    body: tuple[ir.Stmt, ...] | StoredBody  # stored: as read from the snapshot
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
    _CHANGED.add(key[0])


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
            _CHANGED.add(self.key[0])
        helpers |= kept.helpers
        return kept.lines


# -- on disk --------------------------------------------------------------------------------

#: Change whenever what a snapshot holds changes shape (the digest covers the code too).
SNAPSHOT_MAGIC = b"PORTALIS-LIBRARY\x03\n"
SNAPSHOT_SUFFIX = ".library"
#: A snapshot larger than this is refused unread (the robot arm's is about 280 KiB).
MAX_SNAPSHOT_BYTES = 64 << 20
#: How many modules' inlining and text a snapshot carries: the most recent ones.
SNAPSHOT_MODULES = 4
#: How many snapshots (compiler or library versions) the directory keeps.
SNAPSHOTS_KEPT = 4
#: The index from the source files' states to their digest (:func:`_digest_of_sources`):
#: one small entry per set of states, the most recent :data:`INDEXES_KEPT` kept.
INDEX_MAGIC = b"PORTALIS-SOURCES\x01\n"
INDEX_SUFFIX = ".sources"
MAX_INDEX_BYTES = 4096
INDEXES_KEPT = 16
#: Source files that changed less than this long before they were hashed are hashed again
#: next time (not indexed): a second write within one tick of the file system's clock
#: could leave their state as it was.
SETTLED_NS = 2_000_000_000
#: Library stamp → the digest its snapshot is named by (None: no snapshot for it), for every
#: stamp whose snapshot this process has read or tried to
_DIGESTS: dict[object, bytes | None] = {}
#: Library stamps with entries made (not read) since the snapshot was read or written
_CHANGED: set[object] = set()
#: What the last snapshot read or written held (kept for tests)
last_snapshot: dict[str, int] = {}


def _count_snapshot(held: dict[str, Any]) -> None:
    last_snapshot.clear()
    last_snapshot.update({kind: len(held[kind]) for kind in ("lowered", "inlined", "emitted")})


PORTALIS_DIR = Path(__file__).resolve().parent.parent


def _enabled() -> bool:
    """``PORTALIS_LIBRARY_CACHE=off`` (or ``0``, ``no``): no snapshot read or written."""
    return os.environ.get("PORTALIS_LIBRARY_CACHE", "on").lower() not in {"off", "0", "no"}


def sources_digest(library: Library | None, prelude: Path) -> bytes:
    """BLAKE2b-256 of everything a snapshot's contents depend on: the Python version and
    platform, the snapshot format, the library's directory and registry, and the bytes of
    every compiler and library source file."""
    return _content_digest(_setting(library, prelude), _source_files(library, prelude))


def _setting(library: Library | None, prelude: Path) -> bytes:
    """What a snapshot depends on besides the source files: the snapshot format, the Python
    version and platform, the library's directory and registry."""
    registry = () if library is None else tuple(sorted(library.registry.items()))
    return repr(
        (
            SNAPSHOT_MAGIC,
            (sys.version, sys.implementation.cache_tag, sys.platform),
            (os.uname().machine, sys.byteorder),
            (str(library.directory) if library else None, registry, str(prelude)),
        )
    ).encode()


def _source_files(library: Library | None, prelude: Path) -> list[str]:
    """The compiler's and the library's source files (``portalis/*.py``,
    ``portalis/lang/**.py``, the library's and the prelude's directories)."""
    lang = PORTALIS_DIR / "lang"
    files = _sources(str(PORTALIS_DIR), recurse=False) + _sources(str(lang), recurse=True)
    for directory in ([library.directory] if library else []) + [prelude]:
        if lang not in directory.parents:
            files += _sources(str(directory), recurse=False)
    return files


def _content_digest(setting: bytes, files: list[str]) -> bytes:
    from portalis.cachefiles import hasher

    h = hasher(setting)
    for path in files:  # strings: a path's text is what goes into the digest
        data = _read(path)
        h.update(f"\0{path}\0{len(data)}\0".encode())
        h.update(data)
    digest: bytes = h.digest()
    return digest


def _file_states(setting: bytes, files: list[str]) -> tuple[bytes, int]:
    """A digest of the source files' states — each one's path, size, inode, device and
    modification and status-change times in nanoseconds — with ``setting``; and the
    latest of those times (the snapshot's index is written only for files that have
    settled: :data:`SETTLED_NS`)."""
    from portalis.cachefiles import hasher

    states = []
    latest = 0
    for path in files:
        st = os.stat(path)
        states.append((path, st.st_size, st.st_ino, st.st_dev, st.st_mtime_ns, st.st_ctime_ns))
        latest = max(latest, st.st_mtime_ns, st.st_ctime_ns)
    return hasher(setting + repr(states).encode()).digest(), latest


def _digest_of_sources(setting: bytes, files: list[str], directory: Path, key_file: Path) -> bytes:
    """:func:`sources_digest`, taken from the index entry sealed for the files' present
    states when there is one (hashing ~1 MB of sources costs a first build ~2 ms; their
    states, ~0.3 ms); else hashed, and indexed under those states once they have settled.

    Why an index entry can be trusted: it is sealed like a snapshot (this user's key), and
    it maps states to the digest of the bytes read while the files had exactly those
    states, before and after the read, and had not changed for :data:`SETTLED_NS` before
    it. Every write to a file sets its status-change time (``st_ctime``, which no program
    can set back) to the time of the write, later than the read, and a file replaced by
    another has another inode or status-change time: a changed file has another state, so
    is never looked up under the old digest (not even with its modification time set back,
    its size kept, or every file given one timestamp by a build tool)."""
    from portalis import cachefiles

    states, latest = _file_states(setting, files)
    name = f"{states.hex()}{INDEX_SUFFIX}"
    head = INDEX_MAGIC + states
    payload, _ = cachefiles.read_sealed(
        directory, key_file, name, head, MAX_INDEX_BYTES, cachefiles.keyed_blake2b
    )
    if payload is not None and len(payload) == len(states):
        return bytes(payload)
    digest = _content_digest(setting, files)
    settled = time.time_ns() - latest > SETTLED_NS
    if settled and _file_states(setting, files)[0] == states:
        key = cachefiles.load_key(key_file, create=True)
        if key is not None:
            cachefiles.write_sealed(
                directory,
                name,
                key,
                head,
                digest,
                max_bytes=MAX_INDEX_BYTES,
                suffix=INDEX_SUFFIX,
                tidy=partial(_drop_old, INDEX_SUFFIX, INDEXES_KEPT),
                mac=cachefiles.keyed_blake2b,
            )
    return digest


def _read(path: str) -> bytes:
    """The bytes of the file at ``path``, read with bare system calls (``open`` would build
    a buffered file object per file: ~0.2 ms more over the ~150 sources)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        data = os.read(fd, os.fstat(fd).st_size + 1)
        while more := os.read(fd, 1 << 16):  # it grew meanwhile: to its end
            data += more
        return data
    finally:
        os.close(fd)


def _sources(directory: str, *, recurse: bool) -> list[str]:
    """The ``.py`` files in ``directory`` (and, with ``recurse``, below it), sorted."""
    found = []
    with os.scandir(directory) as it:
        for entry in it:
            if entry.name.endswith(".py"):
                found.append(entry.path)
            elif recurse and entry.name != "__pycache__" and entry.is_dir(follow_symlinks=False):
                found += _sources(entry.path, recurse=True)
    return sorted(found)


def _store() -> tuple[Path, Path]:
    from portalis.cachefiles import default_cache_dir, default_key_file

    return default_cache_dir(), default_key_file()


def load_snapshot(
    stamp: object, library: Library | None, prelude: Path
) -> dict[tuple[str, str], Any] | None:
    """Read the snapshot for the library stamped ``stamp`` (once per stamp and process):
    its entries join this process's, and the parsed library files it holds are returned
    (by path and symbol prefix) for the program to keep; None when there is none that
    proves itself. The library files must not change while they are hashed: ``stamp`` is
    taken again afterwards."""
    if stamp in _DIGESTS:
        return None
    _DIGESTS[stamp] = None
    if not _enabled():
        return None
    directory, key_file = _store()
    try:
        digest = _digest_of_sources(
            _setting(library, prelude), _source_files(library, prelude), directory, key_file
        )
    except OSError:
        return None
    if library_stamp(library, prelude) != stamp:
        return None  # a library file changed while it was read: no snapshot for this stamp
    _DIGESTS[stamp] = digest
    from portalis import cachefiles

    payload, _ = cachefiles.read_sealed(
        directory,
        key_file,
        _snapshot_name(digest),
        SNAPSHOT_MAGIC + digest,
        MAX_SNAPSHOT_BYTES,
        cachefiles.keyed_blake2b,
    )
    if payload is None:
        return None
    try:  # authentic: written by this user's process, for exactly these sources
        held = _loads(payload)
    except Exception:
        return None
    return _install(stamp, held)


def _install(stamp: object, held: dict[str, Any]) -> dict[tuple[str, str], Any]:
    for symbol, lowered in held["lowered"].items():
        _LOWERED.setdefault((stamp, symbol), lowered)
    for symbols, inlining in held["inlined"].items():
        if (stamp, symbols) not in _INLINED:
            _bounded_insert(_INLINED, (stamp, symbols), inlining, MAX_MODULES)
    for (symbols, symbol, layout), emitted in held["emitted"].items():
        key = ((stamp, symbols), symbol, layout)
        if key not in _EMITTED:
            _bounded_insert(_EMITTED, key, emitted, MAX_MODULES * 16)
    _count_snapshot(held)
    units: dict[tuple[str, str], Any] = held["units"]
    return units


def snapshot_due(stamp: object) -> bool:
    """Whether this process made entries for the library stamped ``stamp`` that its
    snapshot does not hold yet (and there is a snapshot to write)."""
    return stamp in _CHANGED and _DIGESTS.get(stamp) is not None and _enabled()


def save_snapshot(stamp: object, units: dict[tuple[str, str], Any]) -> bool:
    """Write what this process keeps for the library stamped ``stamp`` as its snapshot, if
    it made entries since the snapshot was read (best effort: a read-only disk, no key,
    or something that will not pickle means no snapshot); whether one was written.
    ``units``: the parsed library files the entries refer to, by path and prefix."""
    digest = _DIGESTS.get(stamp)
    if not snapshot_due(stamp) or digest is None:
        return False
    _CHANGED.discard(stamp)
    recent = [key for key in _INLINED if key[0] == stamp][-SNAPSHOT_MODULES:]
    # Only the functions of the most recent modules: a process that built many kernels (a
    # benchmark) would otherwise leave a snapshot every later first build reads whole (1.9
    # MB after `bench compiler --corpus all`: the robot arm's first build 76 -> 105 ms CPU).
    # A function left out is lowered again when a build needs it, and written back then.
    wanted = {symbol for key in recent for symbol in key[1]} if recent else None
    held: dict[str, Any] = {
        "lowered": {
            symbol: v
            for (s, symbol), v in _LOWERED.items()
            if s == stamp and (wanted is None or symbol in wanted)
        },
        "units": units,
    }
    held["inlined"] = {key[1]: _INLINED[key] for key in recent}
    held["emitted"] = {
        (key[1], symbol, layout): v
        for (key, symbol, layout), v in _EMITTED.items()
        if key in recent
    }
    try:
        payload = _pickled(held)
    except Exception:  # something in an entry will not pickle: no snapshot
        return False
    from portalis import cachefiles

    directory, key_file = _store()
    key = cachefiles.load_key(key_file, create=True)
    if key is None:
        return False
    if not cachefiles.write_sealed(
        directory,
        _snapshot_name(digest),
        key,
        SNAPSHOT_MAGIC + digest,
        payload,
        max_bytes=MAX_SNAPSHOT_BYTES,
        suffix=SNAPSHOT_SUFFIX,
        tidy=partial(_drop_old, SNAPSHOT_SUFFIX, SNAPSHOTS_KEPT),
        mac=cachefiles.keyed_blake2b,
    ):
        return False
    _count_snapshot(held)
    return True


def _pickled(held: dict[str, Any]) -> bytes:
    """``held`` pickled, with the library files' syntax trees left out: each module's, which
    only parsing reads (frontend/unit.py), and each function's, parsed again if a build
    ever asks for it (``LibrarySig``: a build from the snapshot takes the functions it
    needs lowered). Half of a snapshot less to read back."""
    import pickle
    import zlib

    from portalis.lang.frontend.unit import FunctionSig, LibrarySig, Unit, restore_library_sig

    class Pickler(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            cls = type(obj)
            if cls is Unit:
                state = {**obj.__dict__, "tree": None}
                return copyreg.__newobj__, (Unit,), state  # type: ignore[attr-defined]
            if (cls is FunctionSig or cls is LibrarySig) and obj.unit.prefix:
                return restore_library_sig, (LibrarySig.without_tree(obj),)
            if cls is ir.Function or cls is StoredFunction:  # a kept function's IR
                held = body_token(obj)
                state = {k: v for k, v in obj.__dict__.items() if k not in _BODY_KEYS}
                state["_held"] = held if held.__class__ is StoredBody else _stored(obj.body)
                return _stored_function, (state,)
            if cls is Inlined and obj.body.__class__ is not StoredBody:
                return Inlined, (_stored(obj.body), obj.locals, obj.calls, obj.shape)
            return NotImplemented

    def _stored(body: list[ir.Stmt] | tuple[ir.Stmt, ...]) -> StoredBody:
        """``body`` pickled on its own (:class:`StoredBody`)."""
        out = io.BytesIO()
        Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(tuple(body))
        return StoredBody(zlib.compress(out.getvalue(), 1))

    out = io.BytesIO()
    Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(held)
    return out.getvalue()


#: The attributes holding a function's body: a plain ``Function``'s, a StoredFunction's.
_BODY_KEYS = frozenset(["body", "_held", "_list"])


def _stored_function(state: dict[str, Any]) -> StoredFunction:
    """A kept function as the snapshot holds it (its body a :class:`StoredBody`)."""
    fn = object.__new__(StoredFunction)
    fn.__dict__.update(state)
    return fn


def _snapshot_name(digest: bytes) -> str:
    return f"{digest.hex()}{SNAPSHOT_SUFFIX}"


def _drop_old(suffix: str, kept: int, dir_fd: int) -> None:
    """Keep the ``kept`` most recently written entries named ``*suffix`` (snapshots or
    index entries)."""
    from portalis import cachefiles

    found = [
        (st.st_mtime_ns, name)
        for name, st in cachefiles.own_files(dir_fd)
        if name.endswith(suffix) and not name.startswith(".")
    ]
    for _, name in sorted(found)[:-kept]:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=dir_fd)
