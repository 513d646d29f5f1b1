"""The iteration tests (issue 15) re-run through the Rust backend (see test_rust_backend.py);
a module of their own because their fixture shares its name with the local-array tests'."""

from __future__ import annotations

import pytest

from .test_iteration import *  # noqa: F403

pytestmark = pytest.mark.usefixtures("rust_backend")
