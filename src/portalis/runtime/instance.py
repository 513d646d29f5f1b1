"""A sandboxed instance: one store, one module instance, its typed functions and memory."""

from __future__ import annotations

import ctypes
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import wasmtime

from portalis.abi import ERROR_GLOBAL, ERROR_LINE_GLOBAL, ERROR_NAMES, ERROR_TEXTS
from portalis.errors import (
    DeadlineExceeded,
    Frame,
    InstanceClosedError,
    MemoryLimitError,
    ModuleLoadError,
    PortalisError,
    WasmTrap,
    python_error_class,
)
from portalis.runtime import _capi, hostlog
from portalis.runtime.function import TypedFunction, make_function
from portalis.runtime.hostlog import HostLog
from portalis.runtime.interrupts import hold_interrupts_in
from portalis.runtime.memory import LinearMemory
from portalis.runtime.sandbox import Sandbox
from portalis.runtime.stats import FunctionStats, ModuleStats

if TYPE_CHECKING:
    from portalis.runtime.module import CompiledModule

WASM_PAGE = 65536

_VAL_TYPES = {
    "i32": wasmtime.ValType.i32,
    "i64": wasmtime.ValType.i64,
    "f32": wasmtime.ValType.f32,
    "f64": wasmtime.ValType.f64,
}

_TRAP_TEXT = {
    "STACK_OVERFLOW": ("stack_overflow", "call stack exhausted (unbounded recursion?)"),
    "MEMORY_OUT_OF_BOUNDS": ("memory_out_of_bounds", "out-of-bounds linear memory access"),
    "HEAP_MISALIGNED": ("heap_misaligned", "misaligned atomic memory access"),
    "TABLE_OUT_OF_BOUNDS": ("table_out_of_bounds", "out-of-bounds table access"),
    "INDIRECT_CALL_TO_NULL": ("indirect_call_to_null", "indirect call to a null table entry"),
    "BAD_SIGNATURE": ("bad_signature", "indirect call with the wrong signature"),
    "INTEGER_OVERFLOW": ("integer_overflow", "integer overflow"),
    "INTEGER_DIVISION_BY_ZERO": ("integer_division_by_zero", "integer division by zero"),
    "BAD_CONVERSION_TO_INTEGER": ("bad_conversion_to_integer", "invalid float-to-int conversion"),
    "UNREACHABLE": ("unreachable", "reached an 'unreachable' instruction"),
    "INTERRUPT": ("interrupt", "interrupted"),
    "OUT_OF_FUEL": ("out_of_fuel", "ran out of fuel"),
}


class Instance:
    """An instance of a :class:`CompiledModule` inside its own store and sandbox.

    Closing it (or unloading its module) makes every function obtained from it raise
    :class:`InstanceClosedError` and every memory view raise :class:`StaleViewError`;
    the native memory stays mapped while any NumPy array still points into it.
    """

    def __init__(self, module: CompiledModule, sandbox: Sandbox, *, monitoring: bool = True):
        module.check_imports(sandbox)
        self.module = module
        self.name = module.name
        self.sandbox = sandbox
        self.monitoring = monitoring
        self.closed = False
        #: Start time of the call in flight; the epoch callback compares it to the deadline.
        self.call_started = ctypes.c_double(0.0)
        self._deadline_fired = False
        #: A KeyboardInterrupt (Ctrl-C) raised inside the epoch callback, held until the
        #: call has unwound out of wasm: it cannot cross wasmtime's C frames.
        self._interrupted = False
        self._closers: list[Callable[[], None]] = []
        self._functions: dict[str, TypedFunction] = {}
        # Set before instantiating: a trap in the start function (or a data segment out of
        # bounds) is translated while the instance is still being made.
        self.memory: LinearMemory | None = None

        self.store = wasmtime.Store(module.engine)
        self.store.set_limits(
            memory_size=sandbox.max_memory_bytes if sandbox.max_memory_bytes is not None else -1,
            table_elements=sandbox.max_table_elements,
            instances=sandbox.max_instances,
            tables=sandbox.max_tables,
            memories=1,  # with multi-memory off, the memory cap is the instance's total
        )
        if module.settings.epoch_interruption:
            self._epoch_callback = _capi.DEADLINE_CALLBACK(self._on_epoch)
            hold_interrupts_in(Instance._on_epoch.__code__)
            _capi.set_deadline_callback(self.store, self._epoch_callback)
            self.store.set_epoch_deadline(1)
        elif sandbox.deadline_s is not None:
            raise PortalisError(
                f"{module.name}: a deadline needs an engine with epoch interruption",
                hint="use Sandbox(deadline_s=None) only for trusted code",
            )

        linker = wasmtime.Linker(module.engine)
        if sandbox.wasi is not None:
            self.store.set_wasi(_wasi_config(sandbox))
            linker.define_wasi()
        # Import types come from the module's own sections (wasmtime-py's type queries abort
        # on some types; load refused those, and this never asks wasmtime for one).
        #: What the kernel printed (runtime/hostlog.py); None when it prints nothing.
        self.log: HostLog | None = None
        for imp in module.imports:
            key = f"{imp.module}.{imp.name}"
            if hostlog.is_message_import(imp.module, imp.name, imp.kind, imp.params):
                self.log = self._message_log(linker, imp.params, imp.results)
            elif key in sandbox.host_functions and imp.kind == "func":
                ty = wasmtime.FuncType(
                    [_VAL_TYPES[p]() for p in imp.params], [_VAL_TYPES[r]() for r in imp.results]
                )
                linker.define_func(imp.module, imp.name, ty, sandbox.host_functions[key])

        t0 = time.perf_counter()
        self.call_started.value = t0
        try:
            self.instance = linker.instantiate(self.store, module.wasm_module)
        except wasmtime.Trap as trap:
            raise self.translate_trap("<start>", trap) from None
        except wasmtime.WasmtimeError as e:
            raise self._instantiate_error(e) from None
        self.stats = ModuleStats(
            module=module.name,
            load_seconds=module.load_seconds,
            compile_seconds=module.compile_seconds,
            cache_hit=module.cache_hit,
            instantiate_seconds=time.perf_counter() - t0,
        )
        mem = self._export("memory")
        has_memory = any(name in ("memory", "import") for name, _ in module.sections)
        if not isinstance(mem, wasmtime.Memory) and has_memory:
            names = [n for n, kind in module.export_kinds.items() if kind == "memory"]
            mem = self._export(names[0]) if names else None
        if isinstance(mem, wasmtime.Memory):
            self.memory = LinearMemory(self, mem)
        self.stats.memory_bytes = self.memory.size if self.memory is not None else 0

    # -- calls -----------------------------------------------------------------------------

    def function(self, name: str) -> TypedFunction:
        """The export ``name`` as a typed callable (signature checked once, here)."""
        self.ensure_open()
        fn = self._functions.get(name)
        if fn is not None:
            return fn
        item = self._export(name)
        if item is None:
            funcs = [n for n, kind in self.module.export_kinds.items() if kind == "func"]
            raise PortalisError(
                f"{self.name}: no exported function '{name}'",
                hint=f"exported functions: {', '.join(funcs) or '(none)'}",
            )
        export = self.module.export(name)
        if not isinstance(item, wasmtime.Func) or export is None or export.kind != "func":
            kind = export.kind if export is not None else type(item).__name__
            raise PortalisError(f"{self.name}: export '{name}' is a {kind}, not a function")
        fn = make_function(self, name, item, export.params, export.results)
        self._functions[name] = fn
        return fn

    def __getitem__(self, name: str) -> TypedFunction:
        return self.function(name)

    def _export(self, name: str) -> Any:
        return _capi.instance_export(self.store, self.instance, name)

    def function_stats(self) -> list[FunctionStats]:
        return [fn.stats for fn in self._functions.values()]

    # -- globals ---------------------------------------------------------------------------

    def global_value(self, name: str) -> Any:
        self.ensure_open()
        item = self._export(name)
        if not isinstance(item, wasmtime.Global):
            raise PortalisError(f"{self.name}: no exported global '{name}'")
        return item.value(self.store)

    def set_global(self, name: str, value: Any) -> None:
        self.ensure_open()
        item = self._export(name)
        if not isinstance(item, wasmtime.Global):
            raise PortalisError(f"{self.name}: no exported global '{name}'")
        try:
            item.set_value(self.store, value)
        except (wasmtime.WasmtimeError, TypeError, ValueError) as e:
            raise PortalisError(f"{self.name}: cannot set global '{name}': {e}") from None

    def has_export(self, name: str) -> bool:
        return name in self.module.export_kinds

    # -- lifetime --------------------------------------------------------------------------

    def ensure_open(self) -> None:
        if self.closed:
            raise InstanceClosedError(f"{self.name}: the instance was closed (module unloaded)")

    def on_close(self, closer: Callable[[], None]) -> None:
        """Run ``closer`` when the instance closes (functions use it to refuse calls)."""
        self._closers.append(closer)

    def close(self) -> None:
        """Unload: every function and view obtained from this instance stops working."""
        if self.closed:
            return
        self.closed = True
        if self.log is not None:
            self.log.flush()  # a last line printed without a newline
        for closer in self._closers:
            closer()
        self._functions.clear()

    def __enter__(self) -> Instance:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sandbox ---------------------------------------------------------------------------

    def _on_epoch(self, _ctx: int, _env: int, delta: Any, kind: Any) -> int | None:
        # Runs on the calling thread, inside wasm, once per epoch tick. Never raise here:
        # an exception cannot cross the C frame. Ctrl-C is held by interrupts.py, which
        # marks ``_interrupted``: the call ends with an error, raised again as
        # KeyboardInterrupt once it is back in Python (translate_*).
        if self._interrupted:
            return _capi.new_error("interrupted")
        try:
            limit = self.sandbox.deadline_s
            started = self.call_started.value
            if limit is not None and started and time.perf_counter() - started > limit:
                self._deadline_fired = True
                return _capi.new_error(f"deadline of {limit:g} s exceeded")
            delta[0] = 1
            kind[0] = _capi.UPDATE_DEADLINE_CONTINUE
            return None
        except BaseException:
            self._interrupted = True
            return _capi.new_error("interrupted")

    def _raise_held_interrupt(self) -> None:
        if self._interrupted:
            self._interrupted = False
            self._deadline_fired = False
            raise KeyboardInterrupt

    def translate_failure(self, function: str, error_ptr: int, trap_ptr: int) -> PortalisError:
        """The exception for a failed unchecked call (adopting, so freeing, both pointers)."""
        if trap_ptr:
            if error_ptr:
                _capi.take_error(error_ptr)  # adopt it so it is freed
            return self.translate_trap(function, _capi.take_trap(trap_ptr))
        return self.translate_error(function, _capi.take_error(error_ptr))

    def translate_error(self, function: str, error: wasmtime.WasmtimeError) -> PortalisError:
        self._raise_held_interrupt()
        if self._deadline_fired:
            return self._deadline_error(function, ())
        text = str(error).strip().splitlines()[0] if str(error).strip() else "error"
        return WasmTrap(text, module=self.name, function=function, trap_code="error")

    def translate_trap(self, function: str, trap: wasmtime.Trap) -> WasmTrap:
        self._raise_held_interrupt()
        frames = tuple(
            Frame(
                module=f.module_name or self.name,
                function=f.func_name or f"func[{f.func_index}]",
                func_index=f.func_index,
                # wasmtime reports an unknown offset as all ones.
                offset=f.module_offset if f.module_offset < (1 << 63) else None,
            )
            for f in trap.frames
        )
        if self._deadline_fired:
            return self._deadline_error(function, frames)
        code = trap.trap_code
        trap_code, text = (
            _TRAP_TEXT.get(code.name, (code.name.lower(), code.name))
            if code
            else (
                "trap",
                (trap.message or "trap").strip().splitlines()[0],
            )
        )
        python_exception, line, fixed_text = self._python_error()
        where = f" at {frames[0]}" if frames else ""
        if function == "<start>" and not frames:  # no code ran: a segment did not fit
            where = " while instantiating (a data or element segment out of bounds)"
        if python_exception:
            source = self.module.abi.source if self.module.abi else ""
            loc = f" ({source}:{line})" if source and line else (f" (line {line})" if line else "")
            said = self.log.take_error(python_exception) if self.log is not None else ""
            said = said or fixed_text
            if python_exception == "MemoryError" and self.memory is not None:
                loc += f"; linear memory is {self.memory.room()}"  # its allocator's: no room
            return python_error_class(python_exception)(
                f"{python_exception}{': ' + said if said else ''}{loc}",
                module=self.name, function=function, trap_code=trap_code, frames=frames,
                python_exception=python_exception, line=line, source=source,
            )  # fmt: skip
        if self._near_memory_cap() and trap_code in ("memory_out_of_bounds", "unreachable"):
            cap = self.sandbox.max_memory_bytes or 0
            return MemoryLimitError(
                f"{text}{where}; linear memory is at (or near) the sandbox cap of {cap >> 20} MiB",
                module=self.name, function=function, trap_code=trap_code, frames=frames,
            )  # fmt: skip
        cls: type[WasmTrap] = WasmTrap
        if trap_code == "stack_overflow":
            python_exception = "RecursionError"
            cls = python_error_class(python_exception)
        return cls(
            f"{text}{where}",
            module=self.name, function=function, trap_code=trap_code, frames=frames,
            python_exception=python_exception,
        )  # fmt: skip

    def _deadline_error(self, function: str, frames: tuple[Frame, ...]) -> DeadlineExceeded:
        self._deadline_fired = False
        where = "start function" if function == "<start>" else "call"
        return DeadlineExceeded(
            f"{where} exceeded the sandbox deadline of {self.sandbox.deadline_s:g} s "
            "(infinite loop?)",
            module=self.name, function=function, trap_code="interrupt", frames=frames,
        )  # fmt: skip

    def _message_log(
        self, linker: wasmtime.Linker, params: tuple[str, ...], results: tuple[str, ...]
    ) -> HostLog:
        """The host log behind ``portalis.message``, its messages read from the ABI."""
        extra = self.module.abi.extra if self.module.abi is not None else {}
        log = HostLog(self.name, hostlog.message_table(extra, self.name))
        ty = wasmtime.FuncType(
            [_VAL_TYPES[p]() for p in params], [_VAL_TYPES[r]() for r in results]
        )
        hostlog.define(linker, ty, log)
        return log

    def _python_error(self) -> tuple[str, int, str]:
        """The Python exception a Portalis-built kernel recorded before trapping: its name,
        line, and the text CPython always gives it ("math domain error"), if any."""
        if self.module.abi is None:
            return "", 0, ""
        try:
            code = int(self.global_value(ERROR_GLOBAL))
            line = int(self.global_value(ERROR_LINE_GLOBAL))
            self.set_global(ERROR_GLOBAL, 0)
            self.set_global(ERROR_LINE_GLOBAL, 0)
        except PortalisError:
            return "", 0, ""
        return ERROR_NAMES.get(code, ""), line, ERROR_TEXTS.get(code, "")

    def _near_memory_cap(self) -> bool:
        # wasmtime does not report a refused memory.grow; a trap while memory sits within
        # an eighth of the cap is, in practice, the module running out of room.
        cap = self.sandbox.max_memory_bytes
        if cap is None or self.memory is None:
            return False
        return self.memory.size + max(WASM_PAGE, cap // 8) > cap

    def _instantiate_error(self, e: wasmtime.WasmtimeError) -> PortalisError:
        if self._deadline_fired:
            return self._deadline_error("<start>", ())
        text = str(e).strip().splitlines()[0] if str(e).strip() else "instantiation failed"
        if "memory" in text and ("limit" in text or "exceed" in text or "minimum" in text):
            cap = self.sandbox.max_memory_bytes or 0
            return MemoryLimitError(
                f"needs more linear memory than the sandbox cap of {cap >> 20} MiB ({text})",
                module=self.name, function="<instantiate>", trap_code="memory_limit",
            )  # fmt: skip
        return ModuleLoadError(f"cannot instantiate: {text}", source=self.name)


def _wasi_config(sandbox: Sandbox) -> wasmtime.WasiConfig:
    policy = sandbox.wasi
    assert policy is not None
    config = wasmtime.WasiConfig()
    if policy.argv:
        config.argv = list(policy.argv)
    if policy.env:
        config.env = list(policy.env.items())
    if policy.inherit_stdout:
        config.inherit_stdout()
    if policy.inherit_stderr:
        config.inherit_stderr()
    for guest, host in policy.preopen.items():
        config.preopen_dir(str(host), guest)
    return config
