"""Tests of the Kit extension that only make sense outside Kit: the double itself, processes
started in a chosen order, the manifest, ``portalis package``. They use the same double as
the extension's own Kit tests (exts/conftest.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTS = ROOT / "exts"
EXT = EXTS / "portalis.wasm.runtime"
DOUBLE = ROOT / "tests" / "kit_double"

if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

import kit_double  # noqa: E402


@pytest.fixture
def kit():
    """A fresh double whose extension manager knows exts/; the extension disabled after."""
    kit_double.reset()
    import omni.kit.app

    manager = omni.kit.app.get_app().get_extension_manager()
    manager.add_path(str(EXTS))
    yield manager
    manager.set_extension_enabled_immediate("portalis.wasm.runtime", False)
