"""Names the schemas define, in one place, so the helpers, the runner and the tests never spell
an attribute twice. The values match ``schema/schema.usda``; a test checks that they do."""

from __future__ import annotations

from typing import Final

# -- prim types ------------------------------------------------------------------------------

WASM_MODULE: Final = "WasmModule"
WASM_PHYSICS: Final = "WasmPhysics"
WASM_ROBOTICS: Final = "WasmRobotics"
WASM_SENSOR: Final = "WasmSensor"
WASM_FLUID: Final = "WasmFluid"

#: ``create_wasm_module_prim``'s ``schema_type`` argument → prim type name.
SCHEMA_TYPES: Final[dict[str, str]] = {
    "base": WASM_MODULE,
    "physics": WASM_PHYSICS,
    "robotics": WASM_ROBOTICS,
    "sensor": WASM_SENSOR,
    "fluid": WASM_FLUID,
}

# -- WasmModule ------------------------------------------------------------------------------

WASM_PATH: Final = "wasmPath"
WASM_SHA256: Final = "wasmSha256"
MODULE_ID: Final = "moduleId"
ENTRY_FUNCTION: Final = "entryFunction"
ENABLED: Final = "enabled"
EXECUTION_MODE: Final = "executionMode"
UPDATE_RATE: Final = "updateRate"
TRIGGER_EVENTS: Final = "triggerEvents"
PERFORMANCE_MONITORING: Final = "performanceMonitoring"

CONTINUOUS: Final = "continuous"
ON_DEMAND: Final = "on_demand"
EVENT_DRIVEN: Final = "event_driven"
EXECUTION_MODES: Final = (CONTINUOUS, ON_DEMAND, EVENT_DRIVEN)

# -- WasmPhysics -----------------------------------------------------------------------------

PHYSICS_FUNCTION: Final = "physicsFunction"
FORCE_MULTIPLIER: Final = "forceMultiplier"
GRAVITY_OVERRIDE: Final = "gravityOverride"
COLLISION_HANDLER: Final = "collisionHandler"

# -- WasmRobotics ----------------------------------------------------------------------------

KINEMATICS_FUNCTION: Final = "kinematicsFunction"
JOINT_TARGETS: Final = "jointTargets"
END_EFFECTOR_TARGET: Final = "endEffectorTarget"
CONTROL_MODE: Final = "controlMode"
CONTROL_MODES: Final = ("position", "velocity", "torque")

# -- WasmSensor ------------------------------------------------------------------------------

SENSOR_TYPE: Final = "sensorType"
PROCESSING_FUNCTION: Final = "processingFunction"
DATA_BUFFER_SIZE: Final = "dataBufferSize"
SENSOR_TYPES: Final = ("generic", "lidar", "camera", "depth", "imu", "force")

# -- WasmFluid -------------------------------------------------------------------------------

SIMULATION_FUNCTION: Final = "simulationFunction"
GRID_RESOLUTION: Final = "gridResolution"
VISCOSITY: Final = "viscosity"
DENSITY: Final = "density"
TIME_STEP: Final = "timeStep"

#: The attribute naming each specialised schema's role function, which replaces
#: ``entryFunction`` as the per-update call when authored non-empty.
ROLE_FUNCTIONS: Final[dict[str, str]] = {
    WASM_PHYSICS: PHYSICS_FUNCTION,
    WASM_ROBOTICS: KINEMATICS_FUNCTION,
    WASM_SENSOR: PROCESSING_FUNCTION,
    WASM_FLUID: SIMULATION_FUNCTION,
}

#: Token-valued attributes and the tokens they allow, in index order (a token reaches a
#: module as its index).
ALLOWED_TOKENS: Final[dict[str, tuple[str, ...]]] = {
    EXECUTION_MODE: EXECUTION_MODES,
    CONTROL_MODE: CONTROL_MODES,
    SENSOR_TYPE: SENSOR_TYPES,
}

# -- binding namespaces ----------------------------------------------------------------------

INPUTS: Final = "inputs:"
OUTPUTS: Final = "outputs:"
#: ``outputs:NAME:targets`` — the relationship listing the attributes an output forwards to
#: (the same nesting as ``primvars:NAME:indices``).
TARGETS_SUFFIX: Final = ":targets"
