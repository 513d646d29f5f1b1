"""The constant-table and value-range tests re-run through the Rust backend (see
test_rust_backend.py); a module of their own because their fixtures share names with the
other re-collected modules'."""

from __future__ import annotations

import pytest

from .test_tables import *  # noqa: F403
from .test_value_ranges import *  # noqa: F403

pytestmark = pytest.mark.usefixtures("rust_backend")
