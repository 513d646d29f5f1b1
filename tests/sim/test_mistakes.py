"""Mistakes a newcomer makes, pointed out (issue 8): an input nothing reads (a misspelling),
an output moving a transform op its prim does not apply, and errors naming the function the
prim really calls."""

from __future__ import annotations

from pathlib import Path

import pytest
from pxr import Sdf, Usd, UsdGeom

from portalis.abi import Function, ModuleAbi, Value
from portalis.cli.main import main
from portalis.sim import Runner
from portalis.usd import add_input, add_output, create_wasm_module_prim

from .conftest import WriteWasm

# spring(x, stiffness=10.0) -> -stiffness * x
SPRING = """(module (func (export "spring") (param f64 f64) (result f64)
  local.get 1 f64.neg local.get 0 f64.mul))"""
SPRING_ABI = ModuleAbi(
    functions=(
        Function(
            "spring",
            params=(Value("x", "f64"), Value("stiffness", "f64", default=10.0)),
            results=(Value("force", "f64"),),
        ),
    )
)


def spring_scene(folder: Path, write_wasm: WriteWasm, *, misspelled: bool = True) -> Path:
    wasm = write_wasm("spring", SPRING, abi=SPRING_ABI, folder=folder)
    path = folder / "scene.usda"
    stage = Usd.Stage.CreateNew(str(path))
    stage.SetEndTimeCode(4)
    prim = create_wasm_module_prim(stage, "/Spring", f"./{wasm.name}", "spring", "spring")
    add_input(prim, "x", "double", 0.5)
    add_input(prim, "stifness" if misspelled else "stiffness", "double", 40.0)
    add_output(prim, "force", "double")
    stage.Save()
    return path


def test_an_input_nothing_reads_is_a_warning_with_a_suggestion(
    tmp_path: Path, write_wasm: WriteWasm
) -> None:
    stage = Usd.Stage.Open(str(spring_scene(tmp_path, write_wasm)))
    with Runner(stage) as rt:
        rt.step(1 / 60)
        (warning,) = rt.warnings
        assert rt.failures == []
    assert warning.prim_path == "/Spring" and warning.function == "spring"
    assert "inputs:stifness is read by nothing" in warning.message
    assert "did you mean inputs:stiffness?" in warning.message
    assert stage.GetAttributeAtPath("/Spring.outputs:force").Get() == -5.0  # the default ran


def test_correctly_spelled_inputs_and_inputs_others_read_are_not_warned_about(
    tmp_path: Path, write_wasm: WriteWasm
) -> None:
    stage = Usd.Stage.Open(str(spring_scene(tmp_path, write_wasm, misspelled=False)))
    spring = stage.GetPrimAtPath("/Spring")
    add_input(spring, "level", "double", 2.0)  # nothing in /Spring reads it, but /Reader does
    reader = create_wasm_module_prim(
        stage, "/Reader", str(tmp_path / "spring.wasm"), "spring", "spring"
    )
    add_input(reader, "x", "double", connect="/Spring.inputs:level")
    with Runner(stage) as rt:
        rt.step(1 / 60)
        assert rt.warnings == [] and rt.failures == []
        assert rt.module_prim("/Reader").output("force") == -20.0


def test_portalis_run_prints_warnings_and_strict_makes_them_failures(
    tmp_path: Path, write_wasm: WriteWasm, capsys: pytest.CaptureFixture[str]
) -> None:
    scene = spring_scene(tmp_path, write_wasm)
    assert main(["run", str(scene), "-o", str(tmp_path / "out.usda"), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "WARNING /Spring: spring::spring: inputs:stifness is read by nothing" in printed
    assert main(["run", str(scene), "-o", str(tmp_path / "strict.usda"), "--strict"]) == 2
    printed = capsys.readouterr().out
    assert "FAILED /Spring: spring::spring: binding: inputs:stifness" in printed


INC = """(module (func (export "update") (param f64) (result f64 f64 f64)
  local.get 0 f64.const 1 f64.add f64.const 0 f64.const 0))"""


@pytest.mark.parametrize("in_order", [True, False])
def test_an_output_moving_a_transform_op_not_in_xform_op_order_is_a_warning(
    write_wasm: WriteWasm, in_order: bool
) -> None:
    stage = Usd.Stage.CreateInMemory()
    ball = UsdGeom.Xform.Define(stage, "/Ball")
    if in_order:
        translate = ball.AddTranslateOp().GetAttr()
    else:  # the attribute alone: USD applies only the ops xformOpOrder lists
        translate = ball.GetPrim().CreateAttribute("xformOp:translate", Sdf.ValueTypeNames.Double3)
    sim = create_wasm_module_prim(stage, "/Sim", str(write_wasm("inc", INC)), "inc", "update")
    add_input(sim, "n", "double", 0.0, connect="/Sim.outputs:position")
    add_output(sim, "position", "double3", targets=[translate])
    with Runner(stage) as rt:
        rt.step(1 / 60)
        warnings = [w.message for w in rt.warnings]
    if in_order:
        assert warnings == []
    else:
        (message,) = warnings
        assert "/Ball.xformOp:translate, which is not in /Ball's xformOpOrder" in message


def test_failures_name_the_function_the_prim_calls(tmp_path: Path) -> None:
    """A WasmPhysics prim calls its physicsFunction: a failure before the module is bound (a
    missing file) names it, not entryFunction's fallback ``update``."""
    stage = Usd.Stage.CreateInMemory()
    prim = create_wasm_module_prim(
        stage, "/Ball", str(tmp_path / "gone.wasm"), "ball", "update", "physics"
    )
    prim.GetAttribute("physicsFunction").Set("integrate")
    with Runner(stage) as rt:
        (failure,) = rt.failures
    assert failure.function == "integrate" and failure.cause == "missing"
    assert str(failure).startswith("/Ball: ball::integrate: missing:")
