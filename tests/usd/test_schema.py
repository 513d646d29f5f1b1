"""The registered schemas, as any USD tool sees them."""

from __future__ import annotations

from pathlib import Path

import pytest
from pxr import Sdf, Tf, Usd

import portalis.usd
from portalis.usd import tokens as t

ALL_TYPES = (t.WASM_MODULE, t.WASM_PHYSICS, t.WASM_ROBOTICS, t.WASM_SENSOR, t.WASM_FLUID)


def test_schema_registry_knows_every_type() -> None:
    registry = Usd.SchemaRegistry()
    for name in ALL_TYPES:
        definition = registry.FindConcretePrimDefinition(name)
        assert definition is not None, name
        assert definition.GetDocumentation()
        tf_type = Tf.Type.FindByName("Portalis" + name)
        assert Usd.SchemaRegistry.GetSchemaTypeName(tf_type) == name
        assert Usd.SchemaRegistry.IsConcrete(tf_type)
    assert portalis.usd.schemas_registered()


@pytest.mark.parametrize("name", ALL_TYPES[1:])
def test_specialisations_are_a_wasm_module(name: str) -> None:
    stage = Usd.Stage.CreateInMemory()
    prim = stage.DefinePrim("/P", name)
    assert prim.IsA(t.WASM_MODULE)
    assert prim.IsA(Tf.Type.FindByName("PortalisWasmModule"))
    assert prim.IsA(name)
    others = [n for n in ALL_TYPES[1:] if n != name]
    assert not any(prim.IsA(n) for n in others)
    # the base's attributes are inherited
    assert prim.GetAttribute(t.UPDATE_RATE).Get() == pytest.approx(60.0)


def test_usda_text_with_typed_prims_gets_fallbacks(tmp_path: Path) -> None:
    scene = tmp_path / "scene.usda"
    scene.write_text(
        '#usda 1.0\ndef WasmPhysics "Ball"\n{\n    asset wasmPath = @ball.wasm@\n}\n'
        'def WasmRobotics "Arm" {}\ndef WasmSensor "Lidar" {}\ndef WasmFluid "Tank" {}\n'
    )
    stage = Usd.Stage.Open(str(scene))
    ball = stage.GetPrimAtPath("/Ball")
    assert ball.GetTypeName() == "WasmPhysics"
    assert tuple(ball.GetAttribute(t.GRAVITY_OVERRIDE).Get()) == pytest.approx((0, -9.81, 0))
    assert ball.GetAttribute(t.FORCE_MULTIPLIER).Get() == 1.0
    assert ball.GetAttribute(t.ENABLED).Get() is True
    assert ball.GetAttribute(t.EXECUTION_MODE).Get() == "continuous"
    assert ball.GetAttribute(t.PERFORMANCE_MONITORING).Get() is True
    assert ball.GetAttribute(t.ENTRY_FUNCTION).Get() == "update"
    assert ball.GetAttribute(t.WASM_PATH).Get().path == "ball.wasm"
    assert not ball.GetAttribute(t.FORCE_MULTIPLIER).HasAuthoredValue()
    arm = stage.GetPrimAtPath("/Arm")
    assert arm.GetAttribute(t.CONTROL_MODE).Get() == "position"
    assert list(arm.GetAttribute(t.JOINT_TARGETS).Get()) == []
    assert stage.GetPrimAtPath("/Lidar").GetAttribute(t.DATA_BUFFER_SIZE).Get() == 1024
    assert stage.GetPrimAtPath("/Lidar").GetAttribute(t.SENSOR_TYPE).Get() == "generic"
    tank = stage.GetPrimAtPath("/Tank")
    assert tuple(tank.GetAttribute(t.GRID_RESOLUTION).Get()) == (64, 64, 64)
    assert tank.GetAttribute(t.DENSITY).Get() == 1.0


def test_attribute_types_and_allowed_tokens() -> None:
    definition = Usd.SchemaRegistry().FindConcretePrimDefinition(t.WASM_FLUID)
    assert definition.GetSchemaAttributeSpec(t.WASM_PATH).typeName == Sdf.ValueTypeNames.Asset
    assert definition.GetSchemaAttributeSpec(t.GRID_RESOLUTION).typeName == Sdf.ValueTypeNames.Int3
    robotics = Usd.SchemaRegistry().FindConcretePrimDefinition(t.WASM_ROBOTICS)
    spec = robotics.GetSchemaAttributeSpec(t.JOINT_TARGETS)
    assert spec.typeName == Sdf.ValueTypeNames.FloatArray
    for name, allowed in t.ALLOWED_TOKENS.items():
        owner = (
            t.WASM_MODULE
            if name == t.EXECUTION_MODE
            else (t.WASM_ROBOTICS if name == t.CONTROL_MODE else t.WASM_SENSOR)
        )
        attr_spec = (
            Usd.SchemaRegistry().FindConcretePrimDefinition(owner).GetSchemaAttributeSpec(name)
        )
        assert tuple(attr_spec.allowedTokens) == allowed


def test_token_names_match_the_schema_source() -> None:
    """tokens.py spells every schema attribute exactly as schema.usda does."""
    registry = Usd.SchemaRegistry()
    declared = {
        value
        for key, value in vars(t).items()
        if key.isupper()
        and isinstance(value, str)
        and value[:1].islower()
        and ":" not in value
        and value not in t.EXECUTION_MODES
    }
    schema_props: set[str] = set()
    for name in ALL_TYPES:
        schema_props |= set(registry.FindConcretePrimDefinition(name).GetPropertyNames())
    assert declared == schema_props
