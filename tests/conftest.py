"""Shared fixtures: every test gets its own compiled-module cache directory, so no test
reads another's cache or the user's."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from hypothesis import settings

# Examples are not timed: CI machines are shared and noisy, and speed is measured by the
# benchmarks, never by tests.
# The suite is deterministic by default (CI, `.ci/run`, the README's test command): the same
# examples every run and no saved database, so a failure is reproducible and a clean clone
# behaves like any other. A developer opts into random exploration with
# PORTALIS_HYPOTHESIS=explore; a property that then fails is a bug to fix (add the input as an
# explicit example), not a flaky test.
settings.register_profile("portalis", deadline=None, derandomize=True, database=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(
    "explore" if os.environ.get("PORTALIS_HYPOTHESIS") == "explore" else "portalis"
)


_SESSION_DIR = ""


def pytest_configure(config: pytest.Config) -> None:
    """Builds made by module-scoped fixtures (before any test's own cache is set) and child
    processes use a cache directory and MAC key of the session's, never the user's."""
    global _SESSION_DIR
    _SESSION_DIR = tempfile.mkdtemp(prefix="portalis-tests-")
    os.environ["PORTALIS_CACHE_DIR"] = os.path.join(_SESSION_DIR, "cache")
    os.environ["PORTALIS_CACHE_KEY"] = os.path.join(_SESSION_DIR, "key", "cache.key")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _SESSION_DIR:
        shutil.rmtree(_SESSION_DIR, ignore_errors=True)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PORTALIS_CACHE_DIR", str(tmp_path_factory.mktemp("portalis-cache")))
    # The cache's MAC key too: tests never read or create the user's own.
    monkeypatch.setenv("PORTALIS_CACHE_KEY", str(tmp_path_factory.mktemp("key") / "cache.key"))
