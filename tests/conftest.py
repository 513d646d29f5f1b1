"""Shared fixtures: every test gets its own compiled-module cache directory, so no test
reads another's cache or the user's."""

from __future__ import annotations

import pytest
from hypothesis import settings

# Examples are not timed: CI machines are shared and noisy, and speed is measured by the
# benchmarks, never by tests.
settings.register_profile("portalis", deadline=None)
settings.load_profile("portalis")


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PORTALIS_CACHE_DIR", str(tmp_path_factory.mktemp("portalis-cache")))
    # The cache's MAC key too: tests never read or create the user's own.
    monkeypatch.setenv("PORTALIS_CACHE_KEY", str(tmp_path_factory.mktemp("key") / "cache.key"))
