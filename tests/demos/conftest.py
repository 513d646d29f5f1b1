"""Fixtures for the demo kernels: a fresh copy of a kernel per test, since a kernel's
module-level variables are its persistent state and must not leak between tests."""

from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

import portalis.demos

_counter = itertools.count()


def load_fresh(demo_folder: str) -> ModuleType:
    """Import ``src/portalis/demos/<demo_folder>/kernel.py`` as a new module object."""
    path = Path(portalis.demos.__file__).parent / demo_folder / "kernel.py"
    spec = importlib.util.spec_from_file_location(f"_demo_kernel_{next(_counter)}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fresh_kernel() -> Callable[[str], ModuleType]:
    return load_fresh
