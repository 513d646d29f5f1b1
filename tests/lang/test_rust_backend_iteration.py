"""The iteration tests (issue 15) re-run through the Rust backend (see test_rust_backend.py);
a module of their own because their fixture shares its name with the local-array tests'."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from . import conftest
from .test_iteration import *  # noqa: F403


@pytest.fixture(scope="module", autouse=True)
def rust_backend() -> Iterator[None]:
    saved = conftest.BACKEND["name"]
    conftest.BACKEND["name"] = "rust"
    yield
    conftest.BACKEND["name"] = saved
