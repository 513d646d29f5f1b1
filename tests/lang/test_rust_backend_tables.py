"""The constant-table and value-range tests re-run through the Rust backend (see
test_rust_backend.py); a module of their own because their fixtures share names with the
other re-collected modules'."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from . import conftest
from .test_tables import *  # noqa: F403
from .test_value_ranges import *  # noqa: F403


@pytest.fixture(scope="module", autouse=True)
def rust_backend() -> Iterator[None]:
    saved = conftest.BACKEND["name"]
    conftest.BACKEND["name"] = "rust"
    yield
    conftest.BACKEND["name"] = saved
