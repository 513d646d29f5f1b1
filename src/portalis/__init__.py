"""Portalis: typed Python simulation kernels compiled to sandboxed WebAssembly, run inside
USD scenes (headless, or in NVIDIA Omniverse Kit).

Importing the package is cheap: it registers the USD schema plugin (no ``pxr``) and defines
the errors; the runtime (wasmtime, NumPy), the USD helpers and the stage runner are imported
on first use of one of their names (PEP 562), so ``import portalis.errors`` or
``portalis.abi`` costs what docs/architecture.md says: nothing.
"""

from typing import TYPE_CHECKING

from portalis import usd as _usd  # registers the USD schema plugin; imports no pxr (~1 ms)
from portalis._version import __version__
from portalis.errors import (
    CompileError,
    DeadlineExceeded,
    ImportDeniedError,
    MemoryLimitError,
    ModuleLoadError,
    PortalisError,
    SceneError,
    SignatureError,
    StaleViewError,
    WasmTrap,
)

if TYPE_CHECKING:
    from portalis.runtime import (
        ArrayView,
        Kernel,
        ModuleCache,
        Sandbox,
        WasiPolicy,
        WasmModuleConfig,
        WasmtimeBridge,
        load,
        load_module,
    )
    from portalis.sim import Runner
    from portalis.usd import (
        WasmFluidSchema,
        WasmModuleSchema,
        WasmPhysicsSchema,
        WasmRoboticsSchema,
        WasmSensorSchema,
        create_wasm_module_prim,
    )

_RUNTIME_EXPORTS = frozenset(
    {
        "ArrayView",
        "Kernel",
        "ModuleCache",
        "Sandbox",
        "WasiPolicy",
        "WasmModuleConfig",
        "WasmtimeBridge",
        "load",
        "load_module",
    }
)

_USD_EXPORTS = frozenset(
    {
        "WasmModuleSchema",
        "WasmPhysicsSchema",
        "WasmRoboticsSchema",
        "WasmSensorSchema",
        "WasmFluidSchema",
        "create_wasm_module_prim",
    }
)


def __getattr__(name: str) -> object:
    """The runtime imports wasmtime and NumPy, the USD helpers and the stage runner import
    pxr: each on first use of one of its names, not with portalis."""
    if name in _RUNTIME_EXPORTS:
        import portalis.runtime

        value = getattr(portalis.runtime, name)
        globals()[name] = value  # later look-ups skip this function
        return value
    if name in _USD_EXPORTS:
        return getattr(_usd, name)
    if name == "Runner":
        from portalis.sim import Runner

        return Runner
    if name == "Runtime":  # the runner's former name, deprecated
        from portalis.sim import deprecated_runtime

        return deprecated_runtime()
    raise AttributeError(f"module 'portalis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "ArrayView",
    "CompileError",
    "DeadlineExceeded",
    "ImportDeniedError",
    "Kernel",
    "MemoryLimitError",
    "ModuleCache",
    "ModuleLoadError",
    "PortalisError",
    "Runner",
    "Sandbox",
    "SceneError",
    "SignatureError",
    "StaleViewError",
    "WasiPolicy",
    "WasmFluidSchema",
    "WasmModuleConfig",
    "WasmModuleSchema",
    "WasmPhysicsSchema",
    "WasmRoboticsSchema",
    "WasmSensorSchema",
    "WasmTrap",
    "WasmtimeBridge",
    "__version__",
    "create_wasm_module_prim",
    "load",
    "load_module",
]
