"""The seeds' API, kept working as their README shows, as a thin facade over the runtime.

bridge = WasmtimeBridge(WasmModuleConfig(max_memory_mb=512, cache_enabled=True))
module_id = bridge.load_module("module.wasm")
result = bridge.call_function(module_id, "calculate", 1.0, 2.0)
stats = bridge.get_performance_stats()   # stats["avg_execution_time_ms"]
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from portalis.errors import ConfigError, PortalisError
from portalis.runtime.cache import ModuleCache
from portalis.runtime.kernel import Kernel
from portalis.runtime.module import load_module
from portalis.runtime.sandbox import MiB, Sandbox, WasiPolicy


@dataclass
class WasmModuleConfig:
    """The seeds' configuration, mapped onto :class:`~portalis.runtime.sandbox.Sandbox`.

    ``max_memory_mb`` is the memory cap and ``max_execution_time_ms`` the per-call deadline
    (None turns either off, for trusted code only; zero, negative or NaN values are refused,
    as :class:`~portalis.runtime.sandbox.Sandbox` refuses them);
    ``wasi_preopen_dirs`` maps guest paths to host directories, used only with
    ``enable_wasi``.
    """

    max_memory_mb: int | None = 256
    enable_wasi: bool = False
    cache_enabled: bool = True
    cache_dir: str | os.PathLike[str] | None = None
    max_execution_time_ms: float | None = 1000.0
    performance_monitoring: bool = True
    wasi_preopen_dirs: Mapping[str, str] = field(default_factory=dict)

    def sandbox(self) -> Sandbox:
        return Sandbox(
            max_memory_bytes=(
                _bytes(self.max_memory_mb) if self.max_memory_mb is not None else None
            ),
            deadline_s=(
                self.max_execution_time_ms / 1e3 if self.max_execution_time_ms is not None else None
            ),
            wasi=WasiPolicy(preopen=dict(self.wasi_preopen_dirs)) if self.enable_wasi else None,
        )


def _bytes(mib: float) -> int:
    if not math.isfinite(mib):
        raise ConfigError(f"WasmModuleConfig: max_memory_mb must be finite, got {mib}")
    return int(mib * MiB)


class WasmtimeBridge:
    """Load modules by id, call their functions, report statistics."""

    def __init__(self, config: WasmModuleConfig | None = None) -> None:
        self.config = config or WasmModuleConfig()
        self._sandbox = self.config.sandbox()
        self._cache: ModuleCache | bool = (
            ModuleCache(self.config.cache_dir) if self.config.cache_enabled else False
        )
        self._kernels: dict[str, Kernel] = {}
        self._calls: dict[tuple[str, str], Any] = {}

    # -- modules ---------------------------------------------------------------------------

    def load_module(
        self, path: str | os.PathLike[str] | bytes, module_id: str | None = None
    ) -> str:
        """Load, validate and instantiate ``path``; returns its id (the file stem by default)."""
        if module_id is None:
            module_id = Path(os.fsdecode(path)).stem if not isinstance(path, bytes) else None
        module = load_module(path, name=module_id, cache=self._cache, sandbox=self._sandbox)
        module_id = module_id or module.name
        if module_id in self._kernels:
            self.unload_module(module_id)
        instance = module.instantiate(self._sandbox, monitoring=self.config.performance_monitoring)
        self._kernels[module_id] = Kernel(module, instance)
        return module_id

    def unload_module(self, module_id: str) -> None:
        kernel = self._kernel(module_id)
        kernel.close()
        del self._kernels[module_id]
        for key in [k for k in self._calls if k[0] == module_id]:
            del self._calls[key]

    def unload_all(self) -> None:
        for module_id in list(self._kernels):
            self.unload_module(module_id)

    @property
    def modules(self) -> list[str]:
        return list(self._kernels)

    # -- calls -----------------------------------------------------------------------------

    def call_function(self, module_id: str, function_name: str, *args: Any) -> Any:
        try:
            fn = self._calls[module_id, function_name]
        except KeyError:
            fn = self._resolve(module_id, function_name)
        return fn(*args)

    def call_function_array(
        self, module_id: str, function_name: str, array: Any, *args: Any
    ) -> Any:
        """Call ``function_name`` on a NumPy array placed in linear memory.

        Portalis-built kernels take the array as declared in their ABI; other modules are
        called as ``f(ptr, length, *args)``. Returns a new array holding the contents after
        the call (kernels transform arrays in place); a function that also returns values
        gives ``(array, result)``.
        """
        fn = self._calls.get((module_id, function_name)) or self._resolve(module_id, function_name)
        data = np.array(array, copy=True)
        if getattr(fn, "binding", None) is not None and fn.binding.has_arrays:
            result = fn(data, *args)
            return data if result is None else (data, result)
        kernel = self._kernel(module_id)
        memory = kernel.instance.memory
        if memory is None:
            raise PortalisError(f"{module_id}: the module exports no memory to pass arrays in")
        data = np.ascontiguousarray(data)
        view = memory.write(data)
        try:
            result = fn(view.offset, data.size, *args)
            out = memory.read(view.offset, data.dtype, data.shape)
        finally:
            if not kernel.instance.closed:
                memory.free(view.offset)
        return out if result is None else (out, result)

    def _resolve(self, module_id: str, function_name: str) -> Any:
        fn = self._kernel(module_id).function(function_name)
        self._calls[module_id, function_name] = fn
        return fn

    def _kernel(self, module_id: str) -> Kernel:
        try:
            return self._kernels[module_id]
        except KeyError:
            raise PortalisError(
                f"no module loaded with id '{module_id}'",
                hint=f"loaded: {', '.join(self._kernels) or '(none)'}",
            ) from None

    # -- introspection ---------------------------------------------------------------------

    def get_module_info(self, module_id: str) -> dict[str, Any]:
        kernel = self._kernel(module_id)
        module, inst = kernel.module, kernel.instance
        return {
            "module_id": module_id,
            "path": str(module.source_path) if module.source_path else None,
            "sha256": module.sha256,
            "size_bytes": module.size,
            "exports": [{"name": e.name, "kind": e.kind, "type": e.type} for e in module.exports],
            "imports": [
                {"module": i.module, "name": i.name, "kind": i.kind, "type": i.type}
                for i in module.imports
            ],
            "functions": [f.name for f in module.abi.functions] if module.abi else None,
            "memory_bytes": inst.memory.size if inst.memory is not None else 0,
            "load_time_ms": module.load_seconds * 1e3,
            "compile_time_ms": module.compile_seconds * 1e3,
            "cache_hit": module.cache_hit,
            "instantiate_time_ms": inst.stats.instantiate_seconds * 1e3,
        }

    def get_performance_stats(self) -> dict[str, Any]:
        functions = []
        for module_id, kernel in self._kernels.items():
            for stats in kernel.instance.function_stats():
                entry = stats.as_dict()
                entry["module_id"] = module_id
                functions.append(entry)
        calls = sum(int(f["calls"]) for f in functions)
        total_ms = sum(float(f["total_ms"]) for f in functions)
        return {
            "modules_loaded": len(self._kernels),
            "total_calls": calls,
            "total_execution_time_ms": total_ms,
            "avg_execution_time_ms": total_ms / calls if calls else 0.0,
            "failures": sum(int(f["failures"]) for f in functions),
            "functions": functions,
        }

    def __enter__(self) -> WasmtimeBridge:
        return self

    def __exit__(self, *exc: object) -> None:
        self.unload_all()
