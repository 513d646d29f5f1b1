"""The library's snapshot on disk (lang/library_cache.py, sealed by portalis/cachefiles.py):
a process's first build that reads it makes the same bytes as one that compiles the
library and as a warm build; and an entry that does not prove itself — tampered with,
sealed under another key, made for other sources, a symlink, too big, in a directory others
can write — is a miss, its bytes never unpickled."""

from __future__ import annotations

import _pickle
import dataclasses
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portalis import cachefiles
from portalis.lang import compile_source, ir, library_cache
from portalis.lang.frontend import program
from portalis.lang.frontend.program import PRELUDE_DIR, default_library

from .test_library_cache import SOURCES

ARM = SOURCES["robot_arm"]
#: What the snapshot and its index are sealed with
MAC = cachefiles.keyed_blake2b


def _fresh_process_state() -> None:
    """This process as if it had just started: nothing kept, nothing parsed, the snapshot
    not read yet."""
    library_cache.clear(reread_disk=True)
    program._LIBRARY_CACHE.clear()


def _build(source: str, timings: dict[str, float] | None = None) -> bytes:
    return compile_source(source, "kernel.py", timings=timings).wasm


def _cold(source: str, monkeypatch: pytest.MonkeyPatch) -> bytes:
    with monkeypatch.context() as m:
        m.setenv("PORTALIS_LIBRARY_CACHE", "off")
        _fresh_process_state()
        return _build(source)


def _snapshot_path() -> Path:
    library = default_library()
    digest = library_cache.sources_digest(library, PRELUDE_DIR)
    return cachefiles.default_cache_dir() / library_cache._snapshot_name(digest)


def _written(source: str) -> Path:
    """Build ``source`` in a 'fresh process' that writes the snapshot; its path."""
    _fresh_process_state()
    timings: dict[str, float] = {}
    _build(source, timings)
    assert "snapshot" in timings, "the first build did not write the snapshot"
    path = _snapshot_path()
    assert path.is_file()
    return path


def _never_unpickle(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Record what reaches ``pickle.loads`` (and refuse it); the test asserts nothing did.
    (An exception alone would not show: a snapshot that fails to unpickle is a miss.)"""
    reached: list[bytes] = []

    def refuse(data: bytes, *args: object, **kwargs: object) -> object:
        reached.append(bytes(data))
        raise AssertionError("unauthenticated bytes reached pickle.loads")

    monkeypatch.setattr(pickle, "loads", refuse)
    return reached


def _read_back(source: str) -> tuple[bytes, dict[str, float]]:
    """Build ``source`` in a 'fresh process' with the snapshot on disk."""
    _fresh_process_state()
    library_cache.last_snapshot.clear()
    timings: dict[str, float] = {}
    return _build(source, timings), timings


@pytest.mark.parametrize("name", ["robot_arm", "lidar", "kde", "messages"])
def test_cold_warm_and_from_disk_builds_make_the_same_bytes(name, monkeypatch):
    source = SOURCES[name]
    cold = _cold(source, monkeypatch)
    _fresh_process_state()
    first = _build(source)  # compiles the library, writes the snapshot (if it keeps any)
    warm = _build(source)
    from_disk, timings = _read_back(source)
    assert first == cold and warm == cold and from_disk == cold
    if name != "messages":  # its functions number messages: kept nowhere
        assert library_cache.last_snapshot["lowered"] > 0, "the snapshot was not read"
        assert "snapshot" not in timings, "a build from the snapshot compiled library code"


def test_a_snapshot_made_for_other_kernels_builds_the_same_bytes(monkeypatch):
    cold = {name: _cold(SOURCES[name], monkeypatch) for name in ("robot_arm", "kde", "nbody")}
    _fresh_process_state()
    for name in ("nbody", "kde"):  # the snapshot: their functions, inlining and text
        _build(SOURCES[name])
    for name in ("robot_arm", "kde", "nbody"):
        assert _read_back(SOURCES[name])[0] == cold[name], name


def test_a_fresh_interpreter_reads_the_snapshot_and_makes_the_same_bytes(monkeypatch):
    script = (
        "import hashlib, json, sys; from pathlib import Path\n"
        "from portalis.lang import compile_source, library_cache\n"
        "t = {}\n"
        "w = compile_source(Path(sys.argv[1]).read_text(), 'kernel.py', timings=t).wasm\n"
        "print(json.dumps([hashlib.sha256(w).hexdigest(), sorted(t),"
        " library_cache.last_snapshot]))\n"
    )
    arm = Path(program.__file__).parents[2] / "demos" / "robot_arm" / "kernel.py"

    def run() -> list:
        out = subprocess.run(
            [sys.executable, "-c", script, str(arm)], capture_output=True, text=True, check=True
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    first, second = run(), run()
    import hashlib

    cold = hashlib.sha256(_cold(ARM, monkeypatch)).hexdigest()
    assert first[0] == second[0] == cold
    assert "snapshot" in first[1] and "snapshot" not in second[1]
    assert second[2]["lowered"] > 0


def test_a_tampered_snapshot_is_ignored_never_unpickled(monkeypatch):
    cold = _cold(ARM, monkeypatch)
    path = _written(ARM)
    written = dict(library_cache.last_snapshot)  # what a clean first build wrote
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 1
    path.write_bytes(bytes(blob))
    with monkeypatch.context() as m:
        reached = _never_unpickle(m)
        wasm, timings = _read_back(ARM)
    assert wasm == cold
    assert reached == []
    # Compiled again and written afresh: the same pieces as the clean first build's.
    assert written["lowered"] > 0 and library_cache.last_snapshot == written
    assert "snapshot" in timings


def test_a_snapshot_sealed_with_another_key_is_ignored(monkeypatch, tmp_path):
    cold = _cold(ARM, monkeypatch)
    path = _written(ARM)
    blob = path.read_bytes()
    head = library_cache.SNAPSHOT_MAGIC + blob[len(library_cache.SNAPSHOT_MAGIC) :][:32]
    payload = blob[len(head) : -cachefiles.HASH]
    path.write_bytes(cachefiles.seal(os.urandom(32), head, payload, MAC))  # a forger's own key
    with monkeypatch.context() as m:
        reached = _never_unpickle(m)
        assert _read_back(ARM)[0] == cold
    assert reached == []


def test_a_snapshot_for_other_sources_is_ignored(monkeypatch):
    """An authentic snapshot made for another compiler or library (another digest),
    renamed to this one's name: its sealed header names the other digest."""
    cold = _cold(ARM, monkeypatch)
    path = _written(ARM)
    key = cachefiles.load_key(cachefiles.default_key_file(), create=False)
    assert key is not None
    blob = path.read_bytes()
    payload = blob[len(library_cache.SNAPSHOT_MAGIC) + 32 : -cachefiles.HASH]
    other = library_cache.SNAPSHOT_MAGIC + bytes(32)
    path.write_bytes(cachefiles.seal(key, other, payload, MAC))
    with monkeypatch.context() as m:
        reached = _never_unpickle(m)
        assert _read_back(ARM)[0] == cold
    assert reached == []


def test_a_symlinked_snapshot_is_not_followed(monkeypatch, tmp_path):
    cold = _cold(ARM, monkeypatch)
    path = _written(ARM)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(elsewhere)
    with monkeypatch.context() as m:
        reached = _never_unpickle(m)
        with pytest.warns(cachefiles.CacheWarning, match="symbolic link"):
            assert _read_back(ARM)[0] == cold
    assert reached == []


def test_an_oversized_snapshot_is_not_read(monkeypatch):
    cold = _cold(ARM, monkeypatch)
    path = _written(ARM)
    monkeypatch.setattr(library_cache, "MAX_SNAPSHOT_BYTES", path.stat().st_size - 1)
    with monkeypatch.context() as m:
        reached = _never_unpickle(m)
        with pytest.warns(cachefiles.CacheWarning, match="larger than"):
            assert _read_back(ARM)[0] == cold
    assert reached == []


def test_a_directory_others_can_write_is_not_trusted(monkeypatch):
    cold = _cold(ARM, monkeypatch)
    path = _written(ARM)
    os.chmod(path.parent, 0o777)
    try:
        with monkeypatch.context() as m:
            reached = _never_unpickle(m)
            with pytest.warns(cachefiles.CacheWarning, match="writable by group or others"):
                assert _read_back(ARM)[0] == cold
        assert reached == []
    finally:
        os.chmod(path.parent, 0o700)


def test_without_a_key_nothing_is_read(monkeypatch):
    cold = _cold(ARM, monkeypatch)
    _written(ARM)
    monkeypatch.setenv("PORTALIS_CACHE_KEY", str(Path(os.environ["PORTALIS_CACHE_DIR"]) / "x"))
    with monkeypatch.context() as m:
        reached = _never_unpickle(m)
        assert _read_back(ARM)[0] == cold
    assert reached == []


def test_the_digest_covers_library_and_compiler_sources(tmp_path):
    library = default_library()
    assert library is not None
    before = library_cache.sources_digest(library, PRELUDE_DIR)
    assert library_cache.sources_digest(library, PRELUDE_DIR) == before
    copy = tmp_path / "libm"
    copy.mkdir()
    for path in library.directory.glob("*.py"):
        (copy / path.name).write_bytes(path.read_bytes())
    moved = program.Library(copy, dict(library.registry))
    other = library_cache.sources_digest(moved, PRELUDE_DIR)
    assert other != before  # another directory
    trig = copy / "trig.py"
    trig.write_text(trig.read_text() + "\n# one more line\n")
    assert library_cache.sources_digest(moved, PRELUDE_DIR) != other
    compiler = library_cache._sources(str(library_cache.PORTALIS_DIR / "lang"), recurse=True)
    assert str(Path(library_cache.__file__).resolve()) in compiler
    assert str(Path(program.__file__).resolve()) in compiler


def test_off_means_nothing_written(monkeypatch):
    monkeypatch.setenv("PORTALIS_LIBRARY_CACHE", "off")
    _fresh_process_state()
    timings: dict[str, float] = {}
    _build(ARM, timings)
    assert "snapshot" not in timings
    assert not any(Path(os.environ["PORTALIS_CACHE_DIR"]).glob("*.library"))


def test_snapshot_payload_is_only_unpickled_after_verification(monkeypatch):
    """The order of the checks: the MAC first; pickle sees only the verified payload."""
    _written(ARM)
    seen: list[bytes] = []
    real = pickle.loads

    def spy(data: bytes, *args: object, **kwargs: object) -> object:
        seen.append(bytes(data))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(pickle, "loads", spy)
    monkeypatch.setattr(_pickle, "loads", spy)  # what library_cache calls, without pickle.py
    _read_back(ARM)
    blob = _snapshot_path().read_bytes()
    assert seen == [blob[len(library_cache.SNAPSHOT_MAGIC) + 32 : -cachefiles.HASH]]


def test_functions_the_snapshot_holds_unlowered_are_parsed_again_when_needed(monkeypatch):
    """A snapshot keeps library files without their functions' trees (``LibrarySig``): a
    kernel needing a function of such a file that no build lowered yet gets the tree
    parsed again, equal to the original, and the same bytes as a cold build."""
    import ast

    from portalis.lang.frontend.unit import LibrarySig

    sin_only = "import math\ndef f(x: float) -> float:\n    return math.sin(x)\n"
    more = "import math\ndef g(x: float) -> float:\n    return math.cos(x) + math.tan(x)\n"
    cold = _cold(more, monkeypatch)
    _written(sin_only)
    assert _read_back(more)[0] == cold
    trig = next(
        u for (path, _, _, _), u in program._LIBRARY_CACHE.items() if path.endswith("trig.py")
    )
    assert trig.tree is None  # the module's tree stays out of the snapshot
    sigs = [s for s in trig.functions.values() if isinstance(s, LibrarySig)]
    assert sigs, "the snapshot's functions came back as plain signatures"
    parsed = [s for s in sigs if "_node" in s.__dict__]
    assert parsed, "no function's tree was parsed again"
    original = ast.parse(Path(trig.filename).read_text())
    for sig in parsed:
        (def_,) = (
            n for n in original.body if isinstance(n, ast.FunctionDef) and n.name == sig.name
        )
        assert ast.dump(sig.node, include_attributes=True) == ast.dump(
            def_, include_attributes=True
        )


def test_a_function_moved_in_its_file_is_an_internal_error_not_a_wrong_tree(tmp_path):
    from portalis.errors import CompileError
    from portalis.lang.frontend.unit import LibrarySig, parse_unit, restore_library_sig

    path = tmp_path / "lib.py"
    path.write_text("def h(x: float) -> float:\n    return x\n")
    unit = parse_unit(path.read_text(), str(path), "libm.lib.", exported=False)
    sig = restore_library_sig(LibrarySig.without_tree(unit.functions["h"]))
    assert sig.node.name == "h" and sig.node.lineno == 1
    moved = restore_library_sig(LibrarySig.without_tree(unit.functions["h"]))
    path.write_text("\n\ndef h(x: float) -> float:\n    return x\n")
    with pytest.raises(CompileError, match="internal compiler error"):
        _ = moved.node


def test_the_snapshot_holds_only_the_most_recent_modules_functions(monkeypatch):
    """A process that built many kernels writes the functions of its last SNAPSHOT_MODULES
    modules only (a later first build reads the snapshot whole); a function left out is
    lowered again, and the bytes stay the same."""
    cold = {name: _cold(SOURCES[name], monkeypatch) for name in ("nbody", "kde")}
    monkeypatch.setattr(library_cache, "SNAPSHOT_MODULES", 1)
    _fresh_process_state()
    _build(SOURCES["nbody"])
    _build(SOURCES["kde"])  # the snapshot now holds kde's functions, not nbody's pow
    kde, kde_timings = _read_back(SOURCES["kde"])
    assert kde == cold["kde"] and "snapshot" not in kde_timings  # all it needs was there
    nbody, nbody_timings = _read_back(SOURCES["nbody"])
    assert nbody == cold["nbody"] and "snapshot" in nbody_timings  # lowered again, written


# -- the index from the source files' states to their digest ----------------------------------


def _library_copy(tmp_path: Path) -> program.Library:
    library = default_library()
    assert library is not None
    copy = tmp_path / "libm"
    copy.mkdir()
    for path in library.directory.glob("*.py"):
        (copy / path.name).write_bytes(path.read_bytes())
    return program.Library(copy, dict(library.registry))


def _index_digest(library: program.Library) -> bytes:
    """The digest of ``library``'s and the compiler's sources as a first build finds it
    (through the index when it holds their present states)."""
    directory, key_file = library_cache._store()
    setting = library_cache._setting(library, PRELUDE_DIR)
    files = library_cache._source_files(library, PRELUDE_DIR)
    return library_cache._digest_of_sources(setting, files, directory, key_file)


def _indexes() -> list[Path]:
    return sorted(Path(os.environ["PORTALIS_CACHE_DIR"]).glob("*.sources"))


def _hashing_refused(m: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> bytes:
        raise AssertionError("the sources were hashed")

    m.setattr(library_cache, "_content_digest", refuse)


def test_the_index_gives_the_sources_digest_without_hashing_them(monkeypatch, tmp_path):
    monkeypatch.setattr(library_cache, "SETTLED_NS", 0)  # the copy's files count as settled
    library = _library_copy(tmp_path)
    digest = _index_digest(library)  # hashed, and indexed
    assert digest == library_cache.sources_digest(library, PRELUDE_DIR)
    assert len(_indexes()) == 1
    with monkeypatch.context() as m:
        _hashing_refused(m)
        assert _index_digest(library) == digest


def test_an_edited_source_is_hashed_again_even_with_its_size_and_mtime_kept(monkeypatch, tmp_path):
    """A stale index entry is never used: the edit changes the file's status-change time,
    which no program can set back."""
    monkeypatch.setattr(library_cache, "SETTLED_NS", 0)
    library = _library_copy(tmp_path)
    before = _index_digest(library)
    # SETTLED_NS is 0 here: let the file system's clock move on, as the real setting makes
    # sure it has before it indexes anything (a write in the same tick keeps the old time).
    time.sleep(0.05)
    trig = library.directory / "trig.py"
    st = trig.stat()
    text = trig.read_bytes()
    at = text.index(b"#")
    trig.write_bytes(
        text[: at + 1] + (b"X" if text[at + 1 : at + 2] != b"X" else b"Y") + text[at + 2 :]
    )
    os.utime(trig, ns=(st.st_atime_ns, st.st_mtime_ns))  # the old time, the same size
    assert trig.stat().st_size == st.st_size and trig.stat().st_mtime_ns == st.st_mtime_ns
    after = _index_digest(library)
    assert after != before
    assert after == library_cache.sources_digest(library, PRELUDE_DIR)


def test_sources_changed_just_now_are_not_indexed(monkeypatch, tmp_path):
    """Files written less than SETTLED_NS ago might change again within one tick of the
    file system's clock: their digest is not indexed, so it is taken again next time."""
    monkeypatch.setattr(library_cache, "SETTLED_NS", 600 * 10**9)  # "just now" on any machine
    library = _library_copy(tmp_path)  # just written
    assert _index_digest(library) == library_cache.sources_digest(library, PRELUDE_DIR)
    assert _indexes() == []


@pytest.mark.parametrize("forgery", ["tampered", "another key"])
def test_an_index_entry_that_does_not_prove_itself_is_ignored(monkeypatch, tmp_path, forgery):
    monkeypatch.setattr(library_cache, "SETTLED_NS", 0)
    library = _library_copy(tmp_path)
    digest = _index_digest(library)
    (path,) = _indexes()
    blob = bytearray(path.read_bytes())
    head = blob[: len(library_cache.INDEX_MAGIC) + 32]
    if forgery == "tampered":
        blob[len(head)] ^= 1  # the digest it gives
        path.write_bytes(bytes(blob))
    else:  # a forger's own key, pointing the states at another digest
        path.write_bytes(cachefiles.seal(os.urandom(32), bytes(head), bytes(32), MAC))
    assert _index_digest(library) == digest  # hashed again


# -- bodies unpickled only when a build reads them ----------------------------------------------


def test_a_build_from_the_snapshot_unpickles_no_library_body(monkeypatch):
    """The robot arm's build from the snapshot replays the inliner and takes the kept text:
    it reads no library function's body, so only the snapshot's index of entries is
    unpickled (the bodies stay pickled: library_cache.StoredBody)."""
    cold = _cold(ARM, monkeypatch)
    _written(ARM)
    calls: list[int] = []
    real = _pickle.loads

    def count(data: bytes, *args: object, **kwargs: object) -> object:
        calls.append(len(data))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(_pickle, "loads", count)
    wasm, timings = _read_back(ARM)
    assert wasm == cold and "snapshot" not in timings
    assert len(calls) == 1, "a library body was unpickled"


def test_stored_bodies_unpickle_to_the_bodies_written(monkeypatch):
    _written(ARM)
    kept = library_cache.everything()
    lowered = {symbol: v.function for (_, symbol), v in kept["lowered"].items()}
    rounds = {key[1]: v.rounds for key, v in kept["inlined"].items()}
    assert all(type(f) is ir.Function for f in lowered.values())
    _read_back(ARM)
    read = library_cache.everything()
    assert {symbol for _, symbol in read["lowered"]} == set(lowered)
    for (_, symbol), v in read["lowered"].items():
        stored = v.function
        assert type(stored) is library_cache.StoredFunction
        copy = library_cache.fresh_copy(stored)
        assert repr(copy.body) == repr(lowered[symbol].body)  # repr: nan == nan
        assert copy.body is not stored.body
        fields = [f.name for f in dataclasses.fields(ir.Function)]
        assert repr([getattr(stored, f) for f in fields]) == repr(
            [getattr(lowered[symbol], f) for f in fields]
        )
    for key, v in read["inlined"].items():
        for mine, theirs in zip(v.rounds, rounds[key[1]], strict=True):
            assert mine.keys() == theirs.keys()
            for symbol, done in mine.items():
                assert isinstance(done.body, library_cache.StoredBody)
                assert repr(done.body.statements()) == repr(theirs[symbol].body)


def test_a_tampered_body_is_never_unpickled(monkeypatch):
    """A body's bytes lie inside the sealed payload: one flipped bit there fails the MAC
    before anything is unpickled, the body included."""
    cold = _cold(ARM, monkeypatch)
    path = _written(ARM)
    blob = bytearray(path.read_bytes())
    _read_back(ARM)
    inlining = next(iter(library_cache.everything()["inlined"].values()))
    body = next(iter(inlining.rounds[0].values())).body
    assert isinstance(body, library_cache.StoredBody)
    at = bytes(blob).index(body.blob) + len(body.blob) // 2
    blob[at] ^= 1
    path.write_bytes(bytes(blob))
    with monkeypatch.context() as m:
        reached = _never_unpickle(m)
        m.setattr(_pickle, "loads", pickle.loads)  # the refusing one
        wasm, timings = _read_back(ARM)
    assert wasm == cold and reached == []
    assert "snapshot" in timings  # compiled, and written afresh
