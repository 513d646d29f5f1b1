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

__version__ = "0.1.0"

__all__ = [
    "CompileError",
    "DeadlineExceeded",
    "ImportDeniedError",
    "MemoryLimitError",
    "ModuleLoadError",
    "PortalisError",
    "SceneError",
    "SignatureError",
    "StaleViewError",
    "WasmTrap",
    "__version__",
]
