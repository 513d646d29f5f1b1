"""Portalis: typed Python simulation kernels compiled to sandboxed WebAssembly, run inside
USD scenes (headless, or in NVIDIA Omniverse Kit)."""

from portalis import usd as _usd  # registers the USD schema plugin; imports no pxr (~1 ms)
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

__version__ = "0.1.0"

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
    """The USD helpers and the stage runner import pxr on first use, not with portalis."""
    if name in _USD_EXPORTS:
        return getattr(_usd, name)
    if name == "Runner":
        from portalis.sim import Runner

        return Runner
    if name == "Runtime":  # the runner's former name, deprecated
        from portalis.sim import deprecated_runtime

        return deprecated_runtime()
    raise AttributeError(f"module 'portalis' has no attribute {name!r}")


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
