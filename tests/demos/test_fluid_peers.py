"""The fluid benchmark's peers compute the kernel's step (same algorithm: the NumPy peer's
fields equal the compiled kernel's bit for bit), and the benchmark yields SPEC §7 rows."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from portalis.bench import fluid as bench
from portalis.bench import fluid_numpy
from portalis.bench.fluid_phases import PHASES, run_phases
from portalis.runtime.kernel import load


def test_numpy_peer_equals_the_compiled_kernel(built_kernels: dict[str, Path]) -> None:
    setup = bench.Setup(14)
    with load(built_kernels["fluid"]) as compiled:
        mine = setup.warmed(compiled, steps=2)
        theirs = {name: a.copy() for name, a in mine.items()}
        for _ in range(3):
            expected = compiled.step(**mine, solid=setup.solid(), **setup.arguments())
            got = fluid_numpy.step(theirs, setup.solid(), **setup.arguments())
            assert got[:2] == expected[:2] and got[3] == expected[3]
            assert got[2] == pytest.approx(expected[2], rel=1e-12)  # np.sum's own order
    for name in bench.FIELDS:
        assert np.array_equal(mine[name], theirs[name]), name
    assert np.any(mine["smoke"] > 0) and np.any(mine["v"] != 0)


def test_the_phases_are_the_step(built_kernels: dict[str, Path]) -> None:
    """Timing the step phase by phase runs exactly ``step``: the same fields, bit for bit."""
    setup = bench.Setup(12)
    with load(built_kernels["fluid"]) as compiled:
        stepped = setup.warmed(compiled, steps=2)
        phased = {name: a.copy() for name, a in stepped.items()}
        for sweeps in (1, 2):
            args = setup.arguments() | {"diffusion_iterations": sweeps}
            compiled.step(**stepped, solid=setup.solid(), **args)
            seconds = run_phases(compiled, phased, setup.solid(), args)
            assert tuple(seconds) == PHASES and all(t >= 0.0 for t in seconds.values())
    for name in bench.FIELDS:
        assert np.array_equal(stepped[name], phased[name]), name
    assert np.any(stepped["smoke"] > 0) and np.any(stepped["pressure"] != 0)


def test_rows_are_spec_rows(tmp_path: Path) -> None:
    rows = list(bench.measure_rows((12,), runs=2, peers=("numpy",), phases_at=12))
    phases = [r for r in rows if r.case == "phases"]
    assert [r.params["phase"] for r in phases] == list(PHASES)  # numba is not a peer here
    assert "advect smoke" in bench.phase_table(phases)
    rows = [r for r in rows if r.case != "phases"]
    assert [r.impl for r in rows] == ["portalis", "numpy"]
    for row in rows:
        assert row.case == "scaling" and row.runs == 2
        assert 0 < row.median_s <= row.p90_s
        assert row.params == {"grid": [12, 12, 12], "pressure_sweeps": 20}
    assert "numpy" in bench.table(rows)
    # the command: --json writes SPEC §7's document
    out = tmp_path / "fluid.json"
    assert bench.main(["--sizes", "10", "--runs", "1", "--no-peers", "--json", str(out)]) == 0
    document = json.loads(out.read_text())
    assert document["benchmark"] == "fluid"
    assert [r["impl"] for r in document["rows"]] == ["portalis"]
