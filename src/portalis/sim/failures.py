"""What the runner reports when a module prim cannot run (SPEC §5): the prim, the module, the
function, and the cause, in one line; the prim is disabled and the rest of the scene runs on."""

from __future__ import annotations

from dataclasses import dataclass

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
    if isinstance(error, MemoryLimitError):
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
