"""The exception family. Every error Portalis raises is a :class:`PortalisError` carrying
structured fields (file/line/col, module, function, prim path, trap code) as well as a
message, so hosts (the CLI, the stage runner, the Kit extension) can report it in one
clear line without parsing text."""

from __future__ import annotations

from dataclasses import dataclass


class PortalisError(Exception):
    """Base of every error Portalis raises on purpose."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        if hint:
            self.hint = hint

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class ConfigError(PortalisError, ValueError):
    """A limit or setting cannot be meant as given (NaN, infinite, zero or negative where a
    limit is expected); refused rather than silently switching the limit off."""


# -- loading ---------------------------------------------------------------------------------


class ModuleLoadError(PortalisError):
    """A module could not be loaded: unreadable, not WebAssembly, invalid, or refused."""

    def __init__(self, message: str, *, source: str = "", hint: str = "") -> None:
        super().__init__(f"{source}: {message}" if source else message, hint=hint)
        self.source = source


class ImportDeniedError(ModuleLoadError):
    """The module imports something the sandbox does not provide."""

    def __init__(self, module: str, name: str, kind: str, *, source: str = "", hint: str = ""):
        super().__init__(
            f"imports {kind} '{module}.{name}', which the sandbox does not provide",
            source=source,
            hint=hint,
        )
        self.import_module = module
        self.import_name = name
        self.import_kind = kind


# -- calling ---------------------------------------------------------------------------------


class SignatureError(PortalisError, TypeError):
    """A call's arguments do not match the function's signature."""


@dataclass(frozen=True)
class Frame:
    """One WebAssembly frame of a trap's backtrace."""

    module: str
    function: str
    func_index: int
    offset: int | None

    def __str__(self) -> str:
        where = f"+{self.offset:#x}" if self.offset is not None else ""
        return f"{self.module}!{self.function}{where}"


class WasmTrap(PortalisError):
    """A WebAssembly trap, translated.

    ``trap_code`` is wasmtime's name for the cause (``unreachable``, ``memory_out_of_bounds``,
    ``stack_overflow``, ``interrupt`` …). For Portalis-built modules that stopped on a Python
    error, ``python_exception`` names it (``ZeroDivisionError``) and ``line`` is the kernel's
    source line.
    """

    def __init__(
        self,
        message: str,
        *,
        module: str = "",
        function: str = "",
        trap_code: str = "",
        frames: tuple[Frame, ...] = (),
        python_exception: str = "",
        line: int = 0,
        source: str = "",
    ) -> None:
        where = f"{module}::{function}" if function else module
        super().__init__(f"{where}: {message}" if where else message)
        self.module = module
        self.function = function
        self.trap_code = trap_code
        self.frames = frames
        self.python_exception = python_exception
        self.line = line
        self.source = source


_PYTHON_ERROR_CLASSES: dict[str, type[WasmTrap]] = {}


def python_error_class(name: str) -> type[WasmTrap]:
    """A :class:`WasmTrap` subclass that is also the builtin exception ``name``, so a
    compiled kernel's ``ZeroDivisionError`` is caught by ``except ZeroDivisionError`` exactly
    as the same kernel's would be under CPython. A kernel's ``MemoryError`` (its allocator
    found no room under the cap) is also a :class:`MemoryLimitError`."""
    cls = _PYTHON_ERROR_CLASSES.get(name)
    if cls is None:
        import builtins

        builtin = getattr(builtins, name, None)
        if not (isinstance(builtin, type) and issubclass(builtin, Exception)):
            return WasmTrap
        base = MemoryLimitError if builtin is MemoryError else WasmTrap
        cls = type(f"Kernel{name}", (base, builtin), {"__module__": __name__})
        _PYTHON_ERROR_CLASSES[name] = cls
    return cls


class DeadlineExceeded(WasmTrap):
    """A call (or a module's start function) ran past the sandbox's deadline."""


class MemoryLimitError(WasmTrap):
    """The module needed more linear memory than the sandbox allows."""


class BadResultError(PortalisError):
    """A module returned what its ABI does not allow: an array result whose block lies
    outside its linear memory or beyond the sandbox's memory cap (a hostile or broken
    module). Nothing is read from it."""


class StaleViewError(PortalisError):
    """A view of linear memory was used after its instance closed or its memory grew."""


class InstanceClosedError(PortalisError):
    """The instance (or module) was unloaded; it can no longer be called."""


# -- compiling -------------------------------------------------------------------------------


class CompileError(PortalisError):
    """A kernel uses something the language does not accept, or has a type error.

    Printed as ``file:line:col: message`` with the hint beneath.
    """

    def __init__(
        self, message: str, *, file: str = "<kernel>", line: int = 0, col: int = 0, hint: str = ""
    ) -> None:
        where = f"{file}:{line}:{col}" if line else file  # no line: the file as a whole
        super().__init__(f"{where}: {message}", hint=hint)
        self.file = file
        self.line = line
        self.col = col
        self.reason = message


# -- scenes ----------------------------------------------------------------------------------


class SceneError(PortalisError):
    """A scene could not be opened, bound or run; ``prim_path`` says where."""

    def __init__(self, message: str, *, prim_path: str = "", hint: str = "") -> None:
        super().__init__(f"{prim_path}: {message}" if prim_path else message, hint=hint)
        self.prim_path = prim_path
