"""The compiled-module cache: warm loads skip compilation; bad entries are misses."""

from __future__ import annotations

from portalis.runtime import EngineSettings, ModuleCache, load_module
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
