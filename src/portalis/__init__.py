"""Portalis: typed Python simulation kernels compiled to sandboxed WebAssembly, run inside
USD scenes (headless, or in NVIDIA Omniverse Kit)."""

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
    "Sandbox",
    "SceneError",
    "SignatureError",
    "StaleViewError",
    "WasiPolicy",
    "WasmModuleConfig",
    "WasmTrap",
    "WasmtimeBridge",
    "__version__",
    "load",
    "load_module",
]
