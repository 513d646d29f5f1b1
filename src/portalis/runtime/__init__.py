"""The WebAssembly runtime: loading (validated, cached), sandboxed instances, typed fast
calls, NumPy views of linear memory, and statistics.

    from portalis.runtime import load_module, Sandbox
    inst = load_module("kernel.wasm").instantiate(Sandbox(deadline_s=0.5))
    update = inst.function("update")     # signature checked once
    update(1.0, 2.0, 3.0)                # fast path from here on
"""

from portalis.runtime.bridge import WasmModuleConfig, WasmtimeBridge
from portalis.runtime.cache import CacheWarning, ModuleCache, default_cache_dir
from portalis.runtime.engine import EngineSettings, shared_engine
from portalis.runtime.function import TypedFunction
from portalis.runtime.instance import Instance
from portalis.runtime.kernel import Kernel, KernelFunction, load
from portalis.runtime.memory import DTYPES, ArrayView, LinearMemory
from portalis.runtime.module import (
    CompiledModule,
    ExportInfo,
    ImportInfo,
    load_module,
    read_module_file,
)
from portalis.runtime.sandbox import DEFAULT_SANDBOX, MiB, Sandbox, WasiPolicy
from portalis.runtime.stats import FunctionStats, ModuleStats

__all__ = [
    "DEFAULT_SANDBOX",
    "DTYPES",
    "ArrayView",
    "CacheWarning",
    "CompiledModule",
    "EngineSettings",
    "ExportInfo",
    "FunctionStats",
    "ImportInfo",
    "Instance",
    "Kernel",
    "KernelFunction",
    "LinearMemory",
    "MiB",
    "ModuleCache",
    "ModuleStats",
    "Sandbox",
    "TypedFunction",
    "WasiPolicy",
    "WasmModuleConfig",
    "WasmtimeBridge",
    "default_cache_dir",
    "load",
    "load_module",
    "read_module_file",
    "shared_engine",
]
