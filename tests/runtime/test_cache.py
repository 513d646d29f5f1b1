"""The compiled-module cache: warm loads skip compilation; bad entries are misses."""

from __future__ import annotations

import os
import stat

import pytest

from portalis.runtime import CacheWarning, EngineSettings, ModuleCache, load_module
from portalis.runtime.module import forget_compiled

from . import wat


def test_second_load_is_a_cache_hit(tmp_path):
    cache = ModuleCache(tmp_path)
    data = wat.binary(wat.ARITH)
    forget_compiled()
    first = load_module(data, cache=cache)
    forget_compiled()
    second = load_module(data, cache=cache)
    assert not first.cache_hit and second.cache_hit
    assert (cache.hits, cache.misses) == (1, 1)
    assert second.instantiate().function("fma")(1.0, 2.0, 3.0) == 5.0


def test_corrupt_entry_is_recompiled_and_rewritten(tmp_path):
    cache = ModuleCache(tmp_path)
    data = wat.binary(wat.ARITH)
    forget_compiled()
    module = load_module(data, cache=cache)
    entry = cache.entry_path(module.sha256, EngineSettings())
    blob = bytearray(entry.read_bytes())
    blob[-100] ^= 0xFF
    entry.write_bytes(bytes(blob))
    forget_compiled()
    again = load_module(data, cache=cache)
    assert not again.cache_hit
    assert again.instantiate().function("fma")(2.0, 2.0, 0.0) == 4.0
    forget_compiled()
    assert load_module(data, cache=cache).cache_hit  # the entry was rewritten whole


def test_foreign_and_truncated_files_are_misses(tmp_path):
    cache = ModuleCache(tmp_path)
    data = wat.binary(wat.ARITH)
    forget_compiled()
    module = load_module(data, cache=cache)
    entry = cache.entry_path(module.sha256, EngineSettings())
    for junk in (b"", b"not a cache entry", entry.read_bytes()[:40]):
        entry.write_bytes(junk)
        forget_compiled()
        assert not load_module(data, cache=cache).cache_hit


def test_key_depends_on_engine_settings(tmp_path):
    cache = ModuleCache(tmp_path)
    a = cache.entry_path("0" * 64, EngineSettings())
    b = cache.entry_path("0" * 64, EngineSettings(max_wasm_stack=1 << 19))
    assert a != b


def test_location_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTALIS_CACHE_DIR", str(tmp_path / "here"))
    forget_compiled()
    load_module(wat.binary(wat.ARITH), cache=True)
    assert list((tmp_path / "here").glob("*.cwasm"))


def test_unwritable_cache_still_loads(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    forget_compiled()
    module = load_module(wat.binary(wat.ARITH), cache=ModuleCache(blocker / "cache"))
    assert module.instantiate().function("add_i32")(1, 2) == 3


# -- attacks: each ends as a cache miss and the module's own, correct result ----------------

OTHER = '(module (func (export "fma") (param f64 f64 f64) (result f64) f64.const -1))'


def _warm(cache: ModuleCache, text: str = wat.ARITH):
    """Load ``text`` once so the cache holds its entry; return (bytes, entry path)."""
    data = wat.binary(text)
    forget_compiled()
    module = load_module(data, cache=cache)
    return data, cache.entry_path(module.sha256, EngineSettings())


def _reload(data: bytes, cache: ModuleCache):
    forget_compiled()
    return load_module(data, cache=cache)


def _never_deserialize(monkeypatch):
    """Fail the test if wasmtime is handed any cache bytes at all (the cache's one way of
    handing them over is ``_capi.deserialize``)."""
    from portalis.runtime import _capi

    def refuse(*_args):
        raise AssertionError("deserialize saw an entry that should have been refused")

    monkeypatch.setattr(_capi, "deserialize", refuse)


def test_entry_swapped_in_from_another_module_is_a_miss(tmp_path, monkeypatch):
    cache = ModuleCache(tmp_path)
    data, entry = _warm(cache)
    _, other_entry = _warm(cache, OTHER)
    entry.write_bytes(other_entry.read_bytes())  # a valid, authentic entry, wrong module
    _never_deserialize(monkeypatch)
    module = _reload(data, cache)
    assert not module.cache_hit and cache.rejected == 1
    monkeypatch.undo()
    assert module.instantiate().function("fma")(2.0, 3.0, 1.0) == 7.0


def test_bit_flip_anywhere_is_a_miss(tmp_path, monkeypatch):
    cache = ModuleCache(tmp_path)
    data, entry = _warm(cache)
    original = entry.read_bytes()
    for position in (20, len(original) // 2, len(original) - 40, len(original) - 1):
        blob = bytearray(original)
        blob[position] ^= 0x10
        entry.write_bytes(bytes(blob))
        with monkeypatch.context() as m:
            _never_deserialize(m)
            assert not _reload(data, cache).cache_hit
        entry.write_bytes(original)
    assert cache.rejected == 4


def test_entry_forged_without_the_key_is_a_miss(tmp_path, monkeypatch):
    """A planted entry in the right format, for the right module, MACed with a key that is
    not the user's (as anyone without the key file must), never reaches wasmtime."""
    cache = ModuleCache(tmp_path, key_file=tmp_path / "mine.key")
    data, entry = _warm(cache)
    forger = ModuleCache(tmp_path / "forger", key_file=tmp_path / "forger.key")
    _, forged = _warm(forger, OTHER)
    blob = forged.read_bytes()
    # Re-label the forger's entry as ours: right module hash, right settings, wrong key.
    from portalis.runtime import cache as cache_module

    head = cache_module._MAGIC + bytes.fromhex(load_module(data, cache=False).sha256)
    forged_blob = head + blob[len(head) :]
    entry.write_bytes(forged_blob)
    _never_deserialize(monkeypatch)
    assert not _reload(data, cache).cache_hit
    assert cache.rejected == 1


def test_symlinked_entry_is_not_followed(tmp_path, monkeypatch):
    cache = ModuleCache(tmp_path / "cache")
    data, entry = _warm(cache)
    elsewhere = tmp_path / "elsewhere.cwasm"
    elsewhere.write_bytes(entry.read_bytes())
    entry.unlink()
    entry.symlink_to(elsewhere)
    _never_deserialize(monkeypatch)
    with pytest.warns(CacheWarning, match="symbolic link"):
        assert not _reload(data, cache).cache_hit


@pytest.mark.parametrize("target", ["entry", "directory"])
def test_group_or_world_writable_is_ignored(tmp_path, monkeypatch, target):
    cache = ModuleCache(tmp_path / "cache")
    data, entry = _warm(cache)
    (entry if target == "entry" else cache.directory).chmod(0o666 if target == "entry" else 0o777)
    _never_deserialize(monkeypatch)
    with pytest.warns(CacheWarning, match="writable by group or others"):
        assert not _reload(data, cache).cache_hit


@pytest.mark.parametrize("target", ["entry", "directory"])
def test_not_owned_by_the_user_is_ignored(tmp_path, monkeypatch, target):
    cache = ModuleCache(tmp_path / "cache")
    data, entry = _warm(cache)
    path = entry if target == "entry" else cache.directory
    if os.geteuid() == 0:
        os.chown(path, 65534, -1)  # root can give the file to `nobody`
    else:  # an unprivileged user cannot; then the whole directory is someone else's
        real = os.geteuid()
        monkeypatch.setattr(os, "geteuid", lambda: real + 1)
    with pytest.warns(CacheWarning, match="owned by uid"):
        assert not _reload(data, cache).cache_hit


def test_oversized_entry_is_refused_unread(tmp_path, monkeypatch):
    cache = ModuleCache(tmp_path)
    data, entry = _warm(cache)
    small = ModuleCache(tmp_path, max_entry_bytes=entry.stat().st_size - 1)
    _never_deserialize(monkeypatch)
    with pytest.warns(CacheWarning, match="entry cap"):
        assert not _reload(data, small).cache_hit


def test_oversized_module_is_not_stored(tmp_path):
    cache = ModuleCache(tmp_path, max_entry_bytes=1000)
    _warm(cache)
    assert not list(tmp_path.glob("*.cwasm"))


def test_directories_key_and_entries_are_private_under_umask_000(tmp_path):
    old = os.umask(0)
    try:
        cache = ModuleCache(tmp_path / "a" / "b" / "cache", key_file=tmp_path / "k" / "s" / "key")
        _, entry = _warm(cache)
    finally:
        os.umask(old)
    for d in (tmp_path / "a", tmp_path / "a" / "b", cache.directory, tmp_path / "k"):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.key_file.stat().st_mode) == 0o600
    assert cache.key_file.stat().st_size == 32


def test_key_readable_by_others_turns_caching_off(tmp_path):
    cache = ModuleCache(tmp_path / "cache", key_file=tmp_path / "loose.key")
    cache.key_file.write_bytes(os.urandom(32))
    cache.key_file.chmod(0o644)
    with pytest.warns(CacheWarning, match="readable by group or others"):
        _warm(cache)
    assert not cache.directory.exists() or not list(cache.directory.glob("*.cwasm"))


def test_key_lives_outside_the_cache_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTALIS_CACHE_KEY")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    cache = ModuleCache(tmp_path / "cache")
    assert cache.key_file == tmp_path / "state" / "portalis" / "cache.key"
    _warm(cache)
    assert [p.name for p in cache.directory.iterdir()] == [
        p.name for p in cache.directory.glob("*.cwasm")
    ]


def test_size_cap_evicts_least_recently_used(tmp_path):
    cache = ModuleCache(tmp_path)
    texts = [f'(module (func (export "f{i}") (result i32) i32.const {i}))' for i in range(4)]
    _, first = _warm(cache, texts[0])
    cache.max_bytes = first.stat().st_size * 2 + 10  # room for two entries
    entries = [first] + [_warm(cache, t)[1] for t in texts[1:]]
    on_disk = set(tmp_path.glob("*.cwasm"))
    assert sum(p.stat().st_size for p in on_disk) <= cache.max_bytes
    assert entries[-1] in on_disk and entries[0] not in on_disk
