"""What the runner reports when a module prim cannot run (SPEC §5): the prim, the module, the
function, and the cause, in one line; the prim is disabled and the rest of the scene runs on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from portalis.errors import (
    DeadlineExceeded,
    ImportDeniedError,
    MemoryLimitError,
    ModuleLoadError,
    PortalisError,
    SceneError,
    SignatureError,
    WasmTrap,
)

if TYPE_CHECKING:
    from portalis.sim.binding import ModulePrim

#: Causes, as they appear in reports: each names what went wrong, not where.
MISSING = "missing"
CORRUPT = "corrupt"
HASH_MISMATCH = "hash-mismatch"
IMPORT_DENIED = "import-denied"
INVALID = "invalid"
BINDING = "binding"
TRAP = "trap"
TIMEOUT = "timeout"
MEMORY = "memory-limit"
ERROR = "error"


@dataclass(frozen=True)
class Failure:
    """One module prim that stopped running, and why."""

    prim_path: str
    module: str
    function: str
    cause: str
    message: str
    time: float = 0.0

    def __str__(self) -> str:
        where = f"{self.module}::{self.function}" if self.function else self.module
        return f"{self.prim_path}: {where}: {self.cause}: {self.message}"


@dataclass(frozen=True)
class SceneWarning:
    """Something about a prim that runs but probably not as its author meant: an input
    nothing reads (a misspelling), an output moving a transform op the prim does not apply.
    ``Runner(strict=True)`` (``portalis run --strict``) makes each one a failure."""

    prim_path: str
    module: str
    function: str
    message: str

    def __str__(self) -> str:
        return f"{self.prim_path}: {self.module}::{self.function}: {self.message}"


class ModuleMissing(ModuleLoadError):
    """The .wasm file a prim names does not exist where its layer says."""


class HashMismatch(ModuleLoadError):
    """The .wasm file's bytes are not the ones the prim's ``wasmSha256`` pins."""


def cause_of(error: BaseException) -> str:
    """The report's cause for ``error``."""
    if isinstance(error, ModuleMissing):
        return MISSING
    if isinstance(error, HashMismatch):
        return HASH_MISMATCH
    if isinstance(error, DeadlineExceeded):
        return TIMEOUT
    if isinstance(error, MemoryLimitError):  # a kernel's own MemoryError is one too
        return MEMORY
    if isinstance(error, WasmTrap):
        return TRAP
    if isinstance(error, ImportDeniedError):
        return IMPORT_DENIED
    if isinstance(error, ModuleLoadError):
        return CORRUPT
    if isinstance(error, SignatureError | SceneError):
        return BINDING
    if isinstance(error, PortalisError):
        return ERROR
    return f"{ERROR} ({type(error).__name__})"


def message_of(error: BaseException) -> str:
    """The error's own words, without the ``module::function:`` prefix a trap carries (the
    report says that already), plus its hint."""
    text = str(error) if not isinstance(error, PortalisError) else error.message
    if isinstance(error, SceneError) and error.prim_path:
        text = text.removeprefix(f"{error.prim_path}: ")
    if isinstance(error, WasmTrap):
        prefix = f"{error.module}::{error.function}: " if error.function else f"{error.module}: "
        if text.startswith(prefix):
            text = text[len(prefix) :]
    hint = getattr(error, "hint", "")
    return f"{text} (hint: {hint})" if hint else text


class FailureLog:
    """Failure isolation: every failure of a prim is caught at the prim's boundary (loading,
    binding, a call, a commit), reported here once with prim, module, function and cause, and
    the prim disabled; whoever caught it carries on with the other prims."""

    def __init__(self) -> None:
        self.failures: list[Failure] = []
        self.warnings: list[SceneWarning] = []
        self._listeners: list[Callable[[Failure], None]] = []

    def add_listener(self, callback: Callable[[Failure], None]) -> None:
        self._listeners.append(callback)

    def record(self, failure: Failure) -> None:
        self.failures.append(failure)
        for callback in self._listeners:
            callback(failure)

    def report(
        self, path: str, module: str, function: str, error: BaseException, time: float
    ) -> None:
        """A prim that could not even be bound (no :class:`ModulePrim` exists for it)."""
        self.record(Failure(path, module, function, cause_of(error), message_of(error), time))

    def disable(self, module_prim: ModulePrim, error: BaseException, time: float) -> None:
        """Report ``module_prim``'s failure and disable it."""
        module_prim.failed = True
        module_prim.stats.failures += 1
        function = (
            error.function
            if isinstance(error, WasmTrap) and error.function
            else module_prim.function_name
        )
        self.report(module_prim.path, module_prim.module_id, function, error, time)
