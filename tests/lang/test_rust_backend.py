"""The Rust backend (docs/rust.md) under the direct backend's tests: every differential,
trap and branch test below is the direct backend's own test function, collected again here
while ``conftest.BACKEND`` makes compile_kernel/kernel_pair build through Rust and rustc.
They compare with CPython exactly (ulps=0 unless the original says otherwise), so passing
here means the Rust-built module gives the same bits as the direct one. Needs rustc with
the wasm32 target (the README's test command installs it); without one these fail, with
the install hint, rather than skip."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from portalis.lang import compile_source
from portalis.lang.libm import FUNCTIONS

from . import conftest

# The direct backend's tests, re-collected in this module (their fixtures come along).
from .test_branches import (  # noqa: F401
    kernels,
    test_if_chains,
    test_nested_and_or_not,
    test_while_conditions_short_circuit,
)
from .test_differential import (  # noqa: F401
    arith,
    arrays,
    test_array_reads_and_writes,
    test_bits,
    test_bounds_check_elimination_is_sound,
    test_builtins,
    test_collatz,
    test_comparisons,
    test_defaults_and_keywords,
    test_edge_cases,
    test_element_types,
    test_float_ops,
    test_indexing_and_bounds,
    test_int_ops,
    test_loops,
    test_matvec,
    test_mixed,
    test_pow_half_is_pow_not_sqrt,
    test_pow_two_is_pow_not_a_product,
    test_powers,
    test_recursion,
    test_state_is_writable_from_the_host,
    test_state_persists,
    test_tables_and_raises,
    test_three_dimensional,
)
from .test_traps import (  # noqa: F401
    kernel,
    test_index_error_both_ends,
    test_inlined_helper_still_returns,
    test_module_keeps_working_after_a_trap,
    test_runaway_recursion_is_a_clean_trap,
    test_trap_names_exception_and_line,
)


@pytest.fixture(scope="module", autouse=True)
def rust_backend() -> Iterator[None]:
    saved = conftest.BACKEND["name"]
    conftest.BACKEND["name"] = "rust"
    yield
    conftest.BACKEND["name"] = saved


def test_these_tests_really_run_rust_built_modules() -> None:
    for stem in ("arith", "arrays", "state"):
        _, module = conftest.kernel_pair(stem)
        assert module.abi.extra["backend"] == "rust"


def test_the_module_says_it_was_built_through_rust() -> None:
    built = compile_source("def f(x: float) -> float:\n    return x\n", "k.py", backend="rust")
    assert built.abi.extra["backend"] == "rust"
    assert "Rust backend" in built.abi.compiler
    direct = compile_source("def f(x: float) -> float:\n    return x\n", "k.py")
    assert "backend" not in direct.abi.extra
    # the rest of the description is the direct backend's
    assert built.abi.functions == direct.abi.functions


def test_rust_source_has_python_names_and_lines() -> None:
    source = "def update(time: float, n: int) -> float:\n    return time * n\n"
    rust = compile_source(source, "kernel.py", backend="rust-source").rust
    assert '#[no_mangle]\npub extern "C" fn update(mut time: f64, mut n: i64) -> f64' in rust
    assert "// kernel.py:2  return time * n" in rust
    assert '#[link_section = "portalis.abi"]' in rust


@pytest.fixture(scope="module")
def libm_pair() -> tuple[Any, Any]:
    """The math library compiled by both backends (the functions called directly, so NaNs,
    infinities and out-of-domain inputs are included)."""
    from portalis.lang.libm.accuracy import map_kernel_source
    from portalis.runtime import load

    source = map_kernel_source(direct=True)
    return (
        load(compile_source(source, "libm_direct.py").wasm, cache=False),
        load(compile_source(source, "libm_direct.py", backend="rust").wasm, cache=False),
    )


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_math_library_is_bit_identical(libm_pair: tuple[Any, Any], name: str) -> None:
    import numpy as np

    from portalis.lang.libm import ARITY
    from portalis.lang.libm.accuracy import sample, special_inputs

    inputs = sample(name, 100_000, seed=5) + special_inputs(name)
    columns = [np.array([a[j] for a in inputs], dtype=np.float64) for j in range(ARITY[name])]
    outs = []
    for module in libm_pair:
        out = np.zeros(len(inputs))
        getattr(module, f"map_{name}")(*columns, out)
        outs.append(out.view(np.uint64))
    differ = np.nonzero(outs[0] != outs[1])[0]
    assert not len(differ), f"{name}: first differing input {inputs[int(differ[0])]}"
