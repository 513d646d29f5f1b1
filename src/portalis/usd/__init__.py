"""Portalis's USD schemas: WasmModule and its specialisations WasmPhysics, WasmRobotics,
WasmSensor and WasmFluid, as a codeless plugin registered with USD, and the seeds' helpers
for authoring them (docs/usd.md).

Importing this package registers the plugin and imports nothing from ``pxr``: USD is loaded
only when a helper is first used (each name below is imported on first access), so
``import portalis`` can register the schemas without paying for USD.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from portalis.usd._plugin import register_schemas, schemas_registered
from portalis.usd.schema import PLUGIN_DIR

register_schemas()

if TYPE_CHECKING:
    from portalis.usd.ports import (
        add_input,
        add_output,
        add_output_target,
        connect_input,
        output_targets,
    )
    from portalis.usd.schemas import (
        WasmFluidSchema,
        WasmModuleSchema,
        WasmPhysicsSchema,
        WasmRoboticsSchema,
        WasmSensorSchema,
        create_wasm_module_prim,
        set_trigger_events,
    )

#: Public name → the submodule that defines it (imported, with ``pxr``, on first access).
_LAZY: dict[str, str] = {
    "WasmModuleSchema": "portalis.usd.schemas",
    "WasmPhysicsSchema": "portalis.usd.schemas",
    "WasmRoboticsSchema": "portalis.usd.schemas",
    "WasmSensorSchema": "portalis.usd.schemas",
    "WasmFluidSchema": "portalis.usd.schemas",
    "create_wasm_module_prim": "portalis.usd.schemas",
    "set_trigger_events": "portalis.usd.schemas",
    "add_input": "portalis.usd.ports",
    "add_output": "portalis.usd.ports",
    "add_output_target": "portalis.usd.ports",
    "connect_input": "portalis.usd.ports",
    "output_targets": "portalis.usd.ports",
}

__all__ = [
    "PLUGIN_DIR",
    "WasmFluidSchema",
    "WasmModuleSchema",
    "WasmPhysicsSchema",
    "WasmRoboticsSchema",
    "WasmSensorSchema",
    "add_input",
    "add_output",
    "add_output_target",
    "connect_input",
    "create_wasm_module_prim",
    "output_targets",
    "register_schemas",
    "schemas_registered",
    "set_trigger_events",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'portalis.usd' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
