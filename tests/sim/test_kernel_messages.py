"""What a kernel prints reaches the terminal of ``portalis run`` (bounded: runtime/hostlog.py),
and the message of an exception it raises reaches the failure report, naming module,
function and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from pxr import Sdf, Usd, UsdGeom

from portalis.cli.main import main
from portalis.lang import compile_source
from portalis.usd import add_input, add_output, create_wasm_module_prim

KERNEL = """\
def update(y: float, vy: float, dt: float) -> tuple[float, float]:
    vy = vy - 10.0 * dt
    y = y + vy * dt
    print(f"y={y:.2f}", "vy =", vy)
    if y < 90.0:
        raise ValueError(f"fell below 90: y={y!r}")
    return y, vy
"""


def test_prints_and_raised_messages_reach_portalis_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kernels = tmp_path / "kernels"
    kernels.mkdir()
    (kernels / "fall.wasm").write_bytes(compile_source(KERNEL, "fall.py").wasm)
    path = tmp_path / "scene.usda"
    stage = Usd.Stage.CreateNew(str(path))
    stage.SetStartTimeCode(0)
    stage.SetEndTimeCode(48)
    stage.SetTimeCodesPerSecond(24)
    stage.SetDefaultPrim(stage.DefinePrim("/World"))
    ball = UsdGeom.Xform.Define(stage, "/World/Ball")
    height = ball.GetPrim().CreateAttribute("height", Sdf.ValueTypeNames.Double)
    sim = create_wasm_module_prim(stage, "/World/Sim", "./kernels/fall.wasm", "fall", "update")
    sim.GetAttribute("updateRate").Set(24.0)
    add_input(sim, "y", "double", 100.0, connect="/World/Sim.outputs:y")
    add_input(sim, "vy", "double", 0.0, connect="/World/Sim.outputs:vy")
    add_input(sim, "dt", "double")
    add_output(sim, "y", "double", targets=[height])
    add_output(sim, "vy", "double")
    stage.Save()
    assert main(["run", str(path), "-o", str(tmp_path / "out.usda"), "--quiet"]) == 2
    captured = capsys.readouterr()
    vy = 0.0 - 10.0 * (1.0 / 24.0)  # the first call, as CPython computes it
    assert f"print fall::update: y=99.98 vy = {vy}\n" in captured.err
    assert "FAILED /World/Sim: fall::update: " in captured.out
    assert "ValueError: fell below 90: y=89.67013888888889 (fall.py:6)" in captured.out
