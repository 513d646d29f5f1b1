"""The seeds' helpers: Define, create_wasm_module_prim, inputs/outputs authoring."""

from __future__ import annotations

import pytest
from pxr import Gf, Sdf, Usd

from portalis.errors import SceneError
from portalis.usd import (
    WasmFluidSchema,
    WasmModuleSchema,
    WasmPhysicsSchema,
    WasmRoboticsSchema,
    WasmSensorSchema,
    add_input,
    add_output,
    create_wasm_module_prim,
    output_targets,
    set_trigger_events,
)
from portalis.usd import tokens as t
from portalis.usd.validate import problems


@pytest.fixture
def stage() -> Usd.Stage:
    return Usd.Stage.CreateInMemory()


@pytest.mark.parametrize(
    ("schema", "type_name"),
    [
        (WasmModuleSchema, "WasmModule"),
        (WasmPhysicsSchema, "WasmPhysics"),
        (WasmSensorSchema, "WasmSensor"),
        (WasmFluidSchema, "WasmFluid"),
    ],
)
def test_define_returns_a_typed_prim(stage: Usd.Stage, schema: type, type_name: str) -> None:
    prim = schema.Define(stage, "/World/M")
    assert isinstance(prim, Usd.Prim)
    assert prim.GetTypeName() == type_name
    assert schema.IsA(prim)
    assert schema.Get(stage, "/World/M") == prim
    # as the seeds documented: the result is a prim you can add attributes to
    prim.CreateAttribute("customParam", Sdf.ValueTypeNames.Float).Set(1.0)


def test_robotics_define_sizes_joint_targets(stage: Usd.Stage) -> None:
    arm = WasmRoboticsSchema.Define(stage, "/Arm", num_joints=7)
    assert list(arm.GetAttribute(t.JOINT_TARGETS).Get()) == [0.0] * 7
    assert len(WasmRoboticsSchema.Define(stage, "/Arm6").GetAttribute(t.JOINT_TARGETS).Get()) == 6


def test_get_refuses_a_prim_of_another_type(stage: Usd.Stage) -> None:
    WasmPhysicsSchema.Define(stage, "/Ball")
    with pytest.raises(SceneError, match="/Ball: not a WasmFluid prim"):
        WasmFluidSchema.Get(stage, "/Ball")
    assert WasmModuleSchema.Get(stage, "/Ball")  # a physics prim is a module prim


@pytest.mark.parametrize(
    ("schema_type", "type_name"),
    [
        ("base", "WasmModule"),
        ("physics", "WasmPhysics"),
        ("robotics", "WasmRobotics"),
        ("sensor", "WasmSensor"),
        ("fluid", "WasmFluid"),
    ],
)
def test_create_wasm_module_prim(stage: Usd.Stage, schema_type: str, type_name: str) -> None:
    prim = create_wasm_module_prim(
        stage=stage,
        path="/World/Mod",
        wasm_path="./my_module.wasm",
        module_id="my_module",
        entry_function="tick",
        schema_type=schema_type,
    )
    assert prim.GetTypeName() == type_name
    assert prim.GetAttribute(t.WASM_PATH).Get().path == "./my_module.wasm"
    assert prim.GetAttribute(t.MODULE_ID).Get() == "my_module"
    assert prim.GetAttribute(t.ENTRY_FUNCTION).Get() == "tick"
    assert problems(prim) == []


def test_create_wasm_module_prim_rejects_unknown_type(stage: Usd.Stage) -> None:
    with pytest.raises(SceneError, match="unknown schema_type 'magic'"):
        create_wasm_module_prim(stage, "/M", "m.wasm", "m", "update", "magic")


def test_inputs_outputs_and_targets(stage: Usd.Stage) -> None:
    ball = stage.DefinePrim("/Ball", "Xform")
    translate = ball.CreateAttribute("xformOp:translate", Sdf.ValueTypeNames.Double3)
    mod = create_wasm_module_prim(stage, "/Sim", "m.wasm", "m", "update", "physics")
    add_input(mod, "height", "double", 2.0)
    gravity = add_input(mod, "g", "float3", connect=mod.GetAttribute(t.GRAVITY_OVERRIDE))
    add_output(mod, "position", "double3", targets=[translate])
    assert mod.GetAttribute("inputs:height").Get() == 2.0
    assert list(gravity.GetConnections()) == [Sdf.Path("/Sim.gravityOverride")]
    assert output_targets(mod, "position") == [Sdf.Path("/Ball.xformOp:translate")]
    assert mod.GetRelationship("outputs:position:targets")
    with pytest.raises(SceneError, match="unknown USD value type 'vec9'"):
        add_input(mod, "bad", "vec9")
    with pytest.raises(SceneError, match="not an attribute path"):
        add_output(mod, "p", "double", targets=["/Ball"])


def test_set_trigger_events(stage: Usd.Stage) -> None:
    prim = WasmModuleSchema.Define(stage, "/M")
    set_trigger_events(prim, ["play", "collision"])
    assert prim.GetAttribute(t.EXECUTION_MODE).Get() == "event_driven"
    assert list(prim.GetAttribute(t.TRIGGER_EVENTS).Get()) == ["play", "collision"]


def test_problems_names_every_bad_attribute(stage: Usd.Stage) -> None:
    prim = WasmFluidSchema.Define(stage, "/Tank")
    prim.GetAttribute(t.EXECUTION_MODE).Set("sometimes")  # USD itself accepts this
    prim.GetAttribute(t.UPDATE_RATE).Set(-5.0)
    prim.GetAttribute(t.GRID_RESOLUTION).Set(Gf.Vec3i(8, 0, 8))
    prim.GetAttribute(t.TIME_STEP).Set(-0.1)
    prim.GetAttribute(t.WASM_SHA256).Set("abc")
    found = problems(prim)
    assert any("executionMode is 'sometimes'; allowed: continuous, on_demand" in p for p in found)
    assert any("updateRate must be a finite number of Hz > 0, not -5.0" in p for p in found)
    assert any("gridResolution must be ≥ 1" in p for p in found)
    assert any(
        "timeStep must be a finite number > 0 when authored (leave it unauthored for "
        "1 / updateRate), not -0.1" in p
        for p in found
    )
    assert any("wasmSha256 'abc' is not a hex SHA-256" in p for p in found)
    assert any("wasmPath is empty" in p for p in found)
    arm = WasmRoboticsSchema.Define(stage, "/Arm")
    arm.GetAttribute(t.CONTROL_MODE).Set("telepathy")
    arm.GetAttribute(t.WASM_PATH).Set(Sdf.AssetPath("a.wasm"))
    assert problems(arm) == ["controlMode is 'telepathy'; allowed: position, velocity, torque"]


@pytest.mark.parametrize("value", [0.0, -0.5, float("nan"), float("inf")])
def test_an_authored_time_step_has_one_rule(stage: Usd.Stage, value: float) -> None:
    """Zero, negative, NaN and infinite timeSteps break the same rule and say it the same way;
    the unauthored fallback (0, meaning 1 / updateRate) is not a problem."""
    prim = WasmFluidSchema.Define(stage, "/Tank")
    prim.GetAttribute(t.WASM_PATH).Set(Sdf.AssetPath("a.wasm"))
    assert problems(prim) == []
    prim.GetAttribute(t.TIME_STEP).Set(value)
    assert problems(prim) == [
        "timeStep must be a finite number > 0 when authored (leave it unauthored for "
        f"1 / updateRate), not {prim.GetAttribute(t.TIME_STEP).Get()}"
    ]
