"""The seeds' schema helpers, over the registered schemas.

``WasmPhysicsSchema.Define(stage, path)`` defines a prim of the registered type
``WasmPhysics`` and returns the :class:`Usd.Prim`, as the seeds documented, so code written
against them (``prim.CreateAttribute(...)`` on the result) keeps working. Fallback values
come from the schema itself: a freshly defined prim authors nothing it does not have to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from pxr import Sdf, Usd, Vt

from portalis.errors import SceneError
from portalis.usd import tokens as t


class WasmModuleSchema:
    """The base schema: a WebAssembly module attached to the scene."""

    SCHEMA_TYPE: ClassVar[str] = t.WASM_MODULE
    ATTR_WASM_PATH = t.WASM_PATH
    ATTR_WASM_SHA256 = t.WASM_SHA256
    ATTR_MODULE_ID = t.MODULE_ID
    ATTR_ENTRY_FUNCTION = t.ENTRY_FUNCTION
    ATTR_ENABLED = t.ENABLED
    ATTR_EXECUTION_MODE = t.EXECUTION_MODE
    ATTR_UPDATE_RATE = t.UPDATE_RATE
    ATTR_TRIGGER_EVENTS = t.TRIGGER_EVENTS
    ATTR_PERFORMANCE_MONITORING = t.PERFORMANCE_MONITORING

    @classmethod
    def Define(cls, stage: Usd.Stage, path: str | Sdf.Path) -> Usd.Prim:
        """Define (or retype) the prim at ``path`` as this schema's type and return it."""
        prim = stage.DefinePrim(Sdf.Path(str(path)), cls.SCHEMA_TYPE)
        if not prim:
            raise SceneError(f"cannot define a {cls.SCHEMA_TYPE} prim here", prim_path=str(path))
        return prim

    @classmethod
    def Get(cls, stage: Usd.Stage, path: str | Sdf.Path) -> Usd.Prim:
        """The prim at ``path`` if it is of this schema's type (or derived), else an error."""
        prim = stage.GetPrimAtPath(Sdf.Path(str(path)))
        if not cls.IsA(prim):
            raise SceneError(f"not a {cls.SCHEMA_TYPE} prim", prim_path=str(path))
        return prim

    @classmethod
    def IsA(cls, prim: Usd.Prim) -> bool:
        return bool(prim) and prim.IsA(cls.SCHEMA_TYPE)


class WasmPhysicsSchema(WasmModuleSchema):
    SCHEMA_TYPE: ClassVar[str] = t.WASM_PHYSICS
    ATTR_PHYSICS_FUNCTION = t.PHYSICS_FUNCTION
    ATTR_FORCE_MULTIPLIER = t.FORCE_MULTIPLIER
    ATTR_GRAVITY_OVERRIDE = t.GRAVITY_OVERRIDE
    ATTR_COLLISION_HANDLER = t.COLLISION_HANDLER


class WasmRoboticsSchema(WasmModuleSchema):
    SCHEMA_TYPE: ClassVar[str] = t.WASM_ROBOTICS
    ATTR_KINEMATICS_FUNCTION = t.KINEMATICS_FUNCTION
    ATTR_JOINT_TARGETS = t.JOINT_TARGETS
    ATTR_END_EFFECTOR_TARGET = t.END_EFFECTOR_TARGET
    ATTR_CONTROL_MODE = t.CONTROL_MODE

    @classmethod
    def Define(cls, stage: Usd.Stage, path: str | Sdf.Path, num_joints: int = 6) -> Usd.Prim:
        """Define the prim with ``jointTargets`` holding ``num_joints`` zeros."""
        if num_joints < 0:
            raise SceneError(f"num_joints must be ≥ 0, not {num_joints}", prim_path=str(path))
        prim = super().Define(stage, path)
        prim.GetAttribute(t.JOINT_TARGETS).Set(Vt.FloatArray([0.0] * num_joints))
        return prim


class WasmSensorSchema(WasmModuleSchema):
    SCHEMA_TYPE: ClassVar[str] = t.WASM_SENSOR
    ATTR_SENSOR_TYPE = t.SENSOR_TYPE
    ATTR_PROCESSING_FUNCTION = t.PROCESSING_FUNCTION
    ATTR_DATA_BUFFER_SIZE = t.DATA_BUFFER_SIZE


class WasmFluidSchema(WasmModuleSchema):
    SCHEMA_TYPE: ClassVar[str] = t.WASM_FLUID
    ATTR_SIMULATION_FUNCTION = t.SIMULATION_FUNCTION
    ATTR_GRID_RESOLUTION = t.GRID_RESOLUTION
    ATTR_VISCOSITY = t.VISCOSITY
    ATTR_DENSITY = t.DENSITY
    ATTR_TIME_STEP = t.TIME_STEP


SCHEMAS: dict[str, type[WasmModuleSchema]] = {
    "base": WasmModuleSchema,
    "physics": WasmPhysicsSchema,
    "robotics": WasmRoboticsSchema,
    "sensor": WasmSensorSchema,
    "fluid": WasmFluidSchema,
}


def create_wasm_module_prim(
    stage: Usd.Stage,
    path: str | Sdf.Path,
    wasm_path: str,
    module_id: str = "",
    entry_function: str = "update",
    schema_type: str = "base",
) -> Usd.Prim:
    """Define a module prim of ``schema_type`` (base, physics, robotics, sensor, fluid) that
    runs ``entry_function`` of ``wasm_path``. A relative ``wasm_path`` is relative to the
    layer the stage edits (its edit target), as USD resolves asset paths."""
    schema = SCHEMAS.get(schema_type)
    if schema is None:
        raise SceneError(
            f"unknown schema_type {schema_type!r}; expected one of {', '.join(SCHEMAS)}",
            prim_path=str(path),
        )
    prim = schema.Define(stage, path)
    prim.GetAttribute(t.WASM_PATH).Set(Sdf.AssetPath(wasm_path))
    if module_id:
        prim.GetAttribute(t.MODULE_ID).Set(module_id)
    prim.GetAttribute(t.ENTRY_FUNCTION).Set(entry_function)
    return prim


def set_trigger_events(prim: Usd.Prim, events: Sequence[str]) -> None:
    """Make ``prim`` event-driven, called when any of ``events`` is raised."""
    prim.GetAttribute(t.EXECUTION_MODE).Set(t.EVENT_DRIVEN)
    prim.GetAttribute(t.TRIGGER_EVENTS).Set(Vt.StringArray(list(events)))
