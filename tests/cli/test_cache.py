"""``portalis cache``: shows the real cache a load filled; ``--clear`` removes its entries and
nothing else (not a link's target, not a stranger's file, not the key)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from portalis.cachefiles import CacheWarning
from portalis.cli.main import main
from portalis.runtime import load_module
from portalis.runtime.module import forget_compiled
from tests.runtime import wat


def test_shows_and_clears_what_a_load_cached(tmp_path, capsys):
    cache = Path(os.environ["PORTALIS_CACHE_DIR"])
    key = Path(os.environ["PORTALIS_CACHE_KEY"])
    module = tmp_path / "kernel.wasm"
    module.write_bytes(wat.abi_kernel())
    forget_compiled()  # an earlier test in this process may have compiled the same bytes
    load_module(module)  # compiles and writes one sealed entry
    outside = tmp_path / "precious.txt"
    outside.write_text("not the cache's")
    (cache / "evil.cwasm").symlink_to(outside)
    (cache / "notes.txt").write_text("a user's file")
    (cache / ".tmp-killed-writer").write_bytes(b"half")

    assert main(["cache"]) == 0
    out = capsys.readouterr().out
    assert f"directory: {cache}" in out
    assert "compiled modules:      1" in out  # the entry, not the link
    assert "temporary files:       1" in out

    assert main(["cache", "--clear"]) == 0
    assert "removed:   1 compiled modules, 0 library snapshots, 1 temporary files" in (
        capsys.readouterr().out
    )
    assert sorted(p.name for p in cache.iterdir()) == ["evil.cwasm", "notes.txt"]
    assert outside.read_text() == "not the cache's"
    assert key.is_file()
    assert main(["cache"]) == 0
    assert "compiled modules:      0" in capsys.readouterr().out


def test_an_untrusted_directory_is_named_and_left_alone(tmp_path, monkeypatch, capsys):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "entry.cwasm").write_bytes(b"x")
    shared.chmod(0o777)  # writable by anyone: not a cache Portalis trusts
    monkeypatch.setenv("PORTALIS_CACHE_DIR", str(shared))
    with pytest.warns(CacheWarning, match="writable by group or others"):
        assert main(["cache", "--clear"]) == 1
    err = capsys.readouterr().err
    assert f"error: {shared} is not a cache directory Portalis trusts" in err
    assert "hint: set PORTALIS_CACHE_DIR" in err
    assert (shared / "entry.cwasm").exists()


def test_no_cache_yet(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PORTALIS_CACHE_DIR", str(tmp_path / "none"))
    assert main(["cache", "--clear"]) == 0
    assert "empty: nothing compiled yet" in capsys.readouterr().out
