"""pytest only (Kit does not read this file): runs the extension's Kit tests without Kit,
through the Kit double in tests/kit_double/. Each test gets a fresh double (no stage, timeline
stopped, default settings) whose extension manager knows this folder, as Kit's does when
``exts/`` is on its extension search path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

EXTS = Path(__file__).resolve().parent
sys.path.insert(0, str(EXTS.parent / "tests"))

import kit_double  # noqa: E402

kit_double.install()


@pytest.fixture(autouse=True)
def fresh_kit(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PORTALIS_CACHE_DIR", str(tmp_path_factory.mktemp("portalis-cache")))
    kit_double.reset()
    import omni.kit.app

    omni.kit.app.get_app().get_extension_manager().add_path(str(EXTS))
    yield
    manager = omni.kit.app.get_app().get_extension_manager()
    manager.set_extension_enabled_immediate("portalis.wasm.runtime", False)
