"""``portalis run``: a new layer of time samples over an untouched scene, exit statuses, the
summary, and atomic output."""

from __future__ import annotations

from pathlib import Path

import pytest
from pxr import Sdf, Usd, UsdGeom

from portalis.cli.main import main
from portalis.usd import add_input, add_output, create_wasm_module_prim

from .conftest import WriteWasm

FALL = """(module (func (export "update") (param f64 f64 f64) (result f64 f64)
  (local $v f64)
  local.get 1 f64.const -10 local.get 2 f64.mul f64.add local.set $v
  local.get 0 local.get $v local.get 2 f64.mul f64.add
  local.get $v))"""
TRAP = """(module (func (export "update") (param f64) (result f64) unreachable))"""


def write_scene(folder: Path, write_wasm: WriteWasm, *, with_trap: bool = False) -> Path:
    write_wasm("fall", FALL, folder=folder / "kernels")
    path = folder / "scene.usda"
    stage = Usd.Stage.CreateNew(str(path))
    stage.SetStartTimeCode(0)
    stage.SetEndTimeCode(24)
    stage.SetTimeCodesPerSecond(24)
    stage.SetDefaultPrim(stage.DefinePrim("/World"))
    ball = UsdGeom.Xform.Define(stage, "/World/Ball")
    height = ball.GetPrim().CreateAttribute("height", Sdf.ValueTypeNames.Double)
    height.Set(100.0)
    sim = create_wasm_module_prim(stage, "/World/Sim", "./kernels/fall.wasm", "fall", "update")
    sim.GetAttribute("updateRate").Set(24.0)
    add_input(sim, "y", "double", 100.0, connect="/World/Sim.outputs:y")
    add_input(sim, "vy", "double", 0.0, connect="/World/Sim.outputs:vy")
    add_input(sim, "dt", "double")
    add_output(sim, "y", "double", targets=[height])
    add_output(sim, "vy", "double")
    if with_trap:
        write_wasm("trap", TRAP, folder=folder / "kernels")
        bad = create_wasm_module_prim(stage, "/World/Bad", "./kernels/trap.wasm", "trap", "update")
        add_input(bad, "x", "double", 1.0)
    stage.Save()
    return path


def test_run_writes_time_samples_over_an_untouched_scene(
    tmp_path: Path, write_wasm: WriteWasm, capsys: pytest.CaptureFixture[str]
) -> None:
    scene = write_scene(tmp_path / "shot", write_wasm)
    before = scene.read_bytes()
    out = tmp_path / "results" / "baked.usda"
    assert main(["run", str(scene), "-o", str(out)]) == 0
    assert scene.read_bytes() == before  # the input is byte-identical
    layer = Sdf.Layer.FindOrOpen(str(out))
    assert list(layer.subLayerPaths) == ["../shot/scene.usda"]  # relative, so it moves along
    assert layer.timeCodesPerSecond == 24 and layer.endTimeCode == 24
    assert layer.defaultPrim == "World"
    result = Usd.Stage.Open(str(out))
    height = result.GetAttributeAtPath("/World/Ball.height")
    assert height.Get(0) == 100.0  # the first frame shows the scene as authored
    assert height.Get(24) == pytest.approx(100.0 - 10.0 * (24 * 25 / 2) / 24**2)
    assert layer.ListTimeSamplesForPath("/World/Ball.height") == [float(f) for f in range(25)]
    assert [p.name for p in out.parent.iterdir()] == ["baked.usda"]  # no temp file left
    captured = capsys.readouterr()
    assert "fall" in captured.out and "24" in captured.out  # module row with its calls
    assert "frames" in captured.err  # progress


def test_a_failing_module_exits_2_and_the_others_results_are_written(
    tmp_path: Path, write_wasm: WriteWasm, capsys: pytest.CaptureFixture[str]
) -> None:
    scene = write_scene(tmp_path, write_wasm, with_trap=True)
    out = tmp_path / "out.usda"
    assert main(["run", str(scene), "-o", str(out), "--quiet"]) == 2
    printed = capsys.readouterr().out
    assert "FAILED /World/Bad: trap::update: trap: " in printed
    result = Usd.Stage.Open(str(out))
    assert result.GetAttributeAtPath("/World/Ball.height").Get(24) < 100.0


def test_start_end_and_fps(tmp_path: Path, write_wasm: WriteWasm) -> None:
    scene = write_scene(tmp_path, write_wasm)
    out = tmp_path / "out.usda"
    assert main(["run", str(scene), "-o", str(out), "--start", "10", "--end", "14",
                 "--fps", "48", "--quiet"]) == 0  # fmt: skip
    layer = Sdf.Layer.FindOrOpen(str(out))
    # the module runs at its updateRate of 24 Hz: every other frame at 48 fps
    assert layer.ListTimeSamplesForPath("/World/Sim.outputs:y") == [12.0, 14.0]
    # its target also holds the scene's value at the first frame
    assert layer.ListTimeSamplesForPath("/World/Ball.height") == [10.0, 12.0, 14.0]
    assert layer.timeCodesPerSecond == 48 and layer.startTimeCode == 10


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--end", "1", "--start", "5"], "is before --start"),
        (["--fps", "-3"], "--fps must be > 0"),
        (["--fps", "0"], "--fps must be > 0"),
        (["--fps", "inf"], "--fps must be a finite number, not inf"),
        (["--end", "nan"], "--end must be a finite number, not nan"),
        (["--start=-inf"], "--start must be a finite number, not -inf"),
    ],
)
def test_bad_arguments_exit_1(
    tmp_path: Path, write_wasm: WriteWasm, capsys: pytest.CaptureFixture[str],
    argv: list[str], message: str,
) -> None:  # fmt: skip
    scene = write_scene(tmp_path, write_wasm)
    assert main(["run", str(scene), "-o", str(tmp_path / "o.usda"), *argv]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o.usda").exists()


def test_scenes_that_cannot_run_exit_1(
    tmp_path: Path, write_wasm: WriteWasm, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(tmp_path / "absent.usda"), "-o", str(tmp_path / "o.usda")]) == 1
    assert "no such scene file" in capsys.readouterr().err

    broken = tmp_path / "broken.usda"
    broken.write_text("#usda 1.0\ndef Xform (\n")
    assert main(["run", str(broken), "-o", str(tmp_path / "o.usda")]) == 1
    err = capsys.readouterr().err
    assert "USD cannot open this file" in err
    assert "pxrInternal" not in err and ".cpp" not in err  # USD's C++ location is noise here

    empty = tmp_path / "empty.usda"
    Usd.Stage.CreateNew(str(empty)).Save()
    assert main(["run", str(empty), "-o", str(tmp_path / "o.usda"), "--end", "5"]) == 1
    assert "no WasmModule prims" in capsys.readouterr().err

    scene = write_scene(tmp_path / "s", write_wasm)
    assert main(["run", str(scene), "-o", str(scene)]) == 1
    assert "refusing to overwrite the input scene" in capsys.readouterr().err
    assert not (tmp_path / "o.usda").exists()


def test_scene_without_time_range_needs_end(
    tmp_path: Path, write_wasm: WriteWasm, capsys: pytest.CaptureFixture[str]
) -> None:
    scene = write_scene(tmp_path, write_wasm)
    layer = Sdf.Layer.FindOrOpen(str(scene))
    layer.ClearStartTimeCode()
    layer.ClearEndTimeCode()
    layer.Save()
    assert main(["run", str(scene), "-o", str(tmp_path / "o.usda")]) == 1
    assert "pass --end" in capsys.readouterr().err
    assert main(["run", str(scene), "-o", str(tmp_path / "o.usda"), "--end", "3", "--quiet"]) == 0


def test_existing_output_is_replaced_whole(tmp_path: Path, write_wasm: WriteWasm) -> None:
    scene = write_scene(tmp_path, write_wasm)
    out = tmp_path / "out.usda"
    out.write_text("old contents")
    assert main(["run", str(scene), "-o", str(out), "--quiet"]) == 0
    assert out.read_text().startswith("#usda 1.0")


def test_unwritable_output_exits_1_and_leaves_nothing(
    tmp_path: Path, write_wasm: WriteWasm, capsys: pytest.CaptureFixture[str]
) -> None:
    scene = write_scene(tmp_path, write_wasm)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["run", str(scene), "-o", str(blocker / "out.usda"), "--quiet"]) == 1
    assert "cannot write the result" in capsys.readouterr().err
    assert blocker.read_text() == "not a folder"


def test_a_scene_authoring_only_its_end_runs_from_zero(
    tmp_path: Path, write_wasm: WriteWasm, capsys: pytest.CaptureFixture[str]
) -> None:
    scene = write_scene(tmp_path, write_wasm)
    layer = Sdf.Layer.FindOrOpen(str(scene))
    layer.ClearStartTimeCode()
    layer.Save()
    out = tmp_path / "out.usda"
    assert main(["run", str(scene), "-o", str(out)]) == 0
    result = Usd.Stage.Open(str(out))
    samples = result.GetAttributeAtPath("/World/Ball.height").GetTimeSamples()
    assert samples[0] == 0.0 and samples[-1] == 24.0


INC = """(module (func (export "update") (param f64) (result f64)
  local.get 0 f64.const 1 f64.add))"""


def test_a_bake_makes_every_due_call(tmp_path: Path, write_wasm: WriteWasm) -> None:
    """100 calls a frame (updateRate 2400 at 24 fps), past a live host's catch-up cap of 16:
    a bake is not tied to the wall clock, so every call is made."""
    write_wasm("inc", INC, folder=tmp_path / "kernels")
    path = tmp_path / "scene.usda"
    stage = Usd.Stage.CreateNew(str(path))
    stage.SetEndTimeCode(24)
    stage.SetTimeCodesPerSecond(24)
    sim = create_wasm_module_prim(stage, "/Count", "./kernels/inc.wasm", "inc", "update")
    sim.GetAttribute("updateRate").Set(2400.0)
    add_input(sim, "n", "double", 0.0, connect="/Count.outputs:n")
    add_output(sim, "n", "double")
    stage.Save()
    out = tmp_path / "out.usd"
    assert main(["run", str(path), "-o", str(out), "--quiet"]) == 0
    result = Usd.Stage.Open(str(out))
    counted = result.GetAttributeAtPath("/Count.outputs:n")
    assert counted.Get(1) == 100.0 and counted.Get(24) == 2400.0
