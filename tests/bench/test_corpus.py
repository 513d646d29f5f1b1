"""Issue 15's corpus kernels: every one builds, and the compiled module gives CPython's answer
bit for bit (result and every array argument after the call) on its small test input. Where the
compiler takes a kernel's natural form, that form is held to the same check, so the test grows
with the language."""

from __future__ import annotations

import numpy as np
import pytest

from portalis.bench.corpus import fresh_copies, identical, outcome, ulps
from portalis.bench.cpython import import_source
from portalis.bench.kernels import NAMES, Kernel, load
from portalis.errors import CompileError
from portalis.lang import compile_source
from portalis.runtime import load as load_module


def check_form(kernel: Kernel, source: str, args: tuple[object, ...], label: str) -> None:
    built = compile_source(source, f"{kernel.name}.py")
    py = import_source(source, f"corpus_{kernel.name}_{label}")
    with load_module(built.wasm, cache=False) as wasm:
        expected = outcome(getattr(py, kernel.entry), args)
        got = outcome(getattr(wasm, kernel.entry), args)
    assert identical(expected, got), f"{kernel.name} ({label}): {ulps(expected, got)} ulp apart"


@pytest.mark.parametrize("name", NAMES)
def test_corpus_kernel_equals_cpython(name: str) -> None:
    kernel = load(name)
    check_form(kernel, kernel.source, kernel.inputs("test"), "timed")
    if kernel.adapted is None:
        return
    assert kernel.why, f"{name}: an adapted form says why it differs"
    try:
        compile_source(kernel.natural, f"{name}.py")
    except CompileError as error:
        # Refused with a located diagnostic (file:line:col), never a crash.
        assert f"{name}.py:" in str(error)
        return
    check_form(kernel, kernel.natural, kernel.natural_inputs("test"), "natural")


@pytest.mark.parametrize("name", [n for n in NAMES if load(n).numba is not None])
def test_numba_form_is_the_same_algorithm(name: str) -> None:
    """A kernel timed under Numba on its NUMBA form (Numba refuses the natural one) computes,
    under CPython, exactly what the natural form computes."""
    kernel = load(name)
    assert kernel.numba is not None and kernel.adapted is None
    natural = import_source(kernel.natural, f"corpus_{name}_natural_py")
    numba_form = import_source(kernel.numba, f"corpus_{name}_numba_py")
    args = kernel.inputs("test")
    expected = outcome(getattr(natural, kernel.entry), fresh_copies(args))
    got = outcome(getattr(numba_form, kernel.entry), fresh_copies(args))
    assert identical(expected, got)


def test_identical_is_bitwise() -> None:
    assert identical((1.0, np.zeros(2)), (1.0, np.zeros(2)))
    assert not identical(0.0, -0.0)
    assert not identical(np.zeros(2), np.zeros(2, dtype=np.float32))
    assert ulps(1.0, np.nextafter(1.0, 2.0)) == 1
    assert ulps((np.array([-0.0]),), (np.array([0.0]),)) == 0  # equal numbers, other bits


def test_difference_counts_values() -> None:
    from portalis.bench.corpus import difference

    assert difference((2, np.ones(3)), (2, np.ones(3))) == "identical"
    near = np.array([1.0, np.nextafter(1.0, 2.0), 1.0])
    assert difference((2, np.ones(3)), (2, near)) == "1 value(s) differ, ≤ 1 ulp"
    assert difference((None, np.ones(3)), (None, near)) == "1 value(s) differ, ≤ 1 ulp"


def test_import_source_runs_dataclasses_and_leaves_sys_modules_alone() -> None:
    """``@dataclass`` with string annotations looks its module up in ``sys.modules`` while the
    class is made; the import puts the module there only for that long."""
    import sys

    source = "from __future__ import annotations\nfrom dataclasses import dataclass\n\n\n"
    source += "@dataclass\nclass P:\n    x: float\n"
    before = set(sys.modules)
    module = import_source(source, "corpus_dataclass_probe")
    assert module.P(2.0).x == 2.0
    assert set(sys.modules) == before


def test_cpu_option_times_by_cpu_and_tags_the_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """``bench compiler --corpus NAME --cpu`` reads the process's CPU clock, not the wall
    clock, and says so in every row."""
    import time

    from portalis.bench import compiler

    calls = {"cpu": 0}
    real = time.process_time

    def counting() -> float:
        calls["cpu"] += 1
        return real()

    monkeypatch.setattr(time, "process_time", counting)
    rows = list(compiler.rows(["--corpus", "floyd_warshall", "--quick", "--cpu"]))
    assert rows and all(row.params.get("clock") == "cpu" for row in rows)
    assert calls["cpu"] > 2 * len(rows)  # each batch starts and stops the CPU clock
