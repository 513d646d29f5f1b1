"""More of the direct backend's tests re-run through the Rust backend (see
test_rust_backend.py): the loop tests (whose kernels the direct backend unrolls and
versions; the Rust backend leaves that to LLVM, with the same results), deep expressions,
non-ASCII names, and random expressions (fewer examples: each one is a rustc run)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from .test_fuzz import (  # noqa: F401
    test_deep_expressions_build_and_match_cpython,
    test_non_ascii_identifiers_build_and_match_cpython,
)
from .test_local_arrays import *  # noqa: F403
from .test_loop_speedups import *  # noqa: F403
from .test_random_programs import bools, floats, ints, run_both

FEW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


pytestmark = pytest.mark.usefixtures("rust_backend")


@FEW
@given(ints(3))
def test_random_int_expressions_through_rust(expr: str) -> None:
    run_both(expr, "int")


@FEW
@given(floats(3))
def test_random_float_expressions_through_rust(expr: str) -> None:
    run_both(expr, "float")


@FEW
@given(bools(3))
def test_random_bool_expressions_through_rust(expr: str) -> None:
    run_both(expr, "bool")
