"""What a module may be and an instance may do: the sandbox policy, secure by default
(SPEC §5), and the one place its limits are validated."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from portalis.errors import ConfigError

MiB = 1 << 20

#: The namespace a WASI module imports from.
WASI_MODULES = frozenset({"wasi_snapshot_preview1", "wasi_unstable"})


@dataclass(frozen=True)
class WasiPolicy:
    """WASI for a scene's operator who chose to enable it: only the listed directories are
    visible (guest path → host path), nothing is inherited unless asked."""

    preopen: Mapping[str, str | Path] = field(default_factory=dict)
    argv: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    inherit_stdout: bool = False
    inherit_stderr: bool = True


@dataclass(frozen=True)
class Sandbox:
    """Limits and capabilities of one instance, and of the module it is made from.

    ``max_memory_bytes``: cap on the instance's linear memory (one memory per instance:
    multi-memory is off, so this bounds the total); ``deadline_s``: wall-clock limit of one
    call, and of the start function; ``max_tables`` × ``max_table_elements``: tables;
    ``max_module_bytes``, ``max_functions``, ``max_code_bytes``: what a module may be
    before it is read or compiled (see docs/runtime.md for why each default);
    ``wasi``: None (the default) means no WASI at all; ``host_functions``:
    ``{"module.name": callable}`` the module may import — nothing else is importable.
    ``None`` turns the memory cap or the deadline off; do that only for trusted code. Every
    limit is checked here, so a NaN, infinite, zero or negative value is refused with a
    :class:`~portalis.errors.ConfigError` rather than silently switching a limit off.
    """

    max_memory_bytes: int | None = 256 * MiB
    deadline_s: float | None = 1.0
    max_table_elements: int = 100_000
    max_tables: int = 4
    max_instances: int = 4
    max_module_bytes: int = 64 * MiB
    max_functions: int = 50_000
    max_code_bytes: int = 16 * MiB
    wasi: WasiPolicy | None = None
    host_functions: Mapping[str, Callable[..., object]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.max_memory_bytes is not None:
            _positive_int("max_memory_bytes", self.max_memory_bytes, "None turns the cap off")
        if self.deadline_s is not None:
            d = self.deadline_s
            if isinstance(d, bool) or not isinstance(d, int | float) or not math.isfinite(d):
                raise ConfigError(
                    f"sandbox: the deadline must be a finite number of seconds, got {d!r}",
                    hint="None turns the deadline off (trusted code only)",
                )
            if d <= 0:
                raise ConfigError(
                    f"sandbox: the deadline must be more than 0 seconds, got {d:g}",
                    hint="None turns the deadline off (trusted code only)",
                )
        for name in ("max_table_elements", "max_tables", "max_instances", "max_module_bytes",
                     "max_functions", "max_code_bytes"):  # fmt: skip
            _positive_int(name, getattr(self, name))

    def provides(self, module: str, name: str) -> bool:
        if self.wasi is not None and module in WASI_MODULES:
            return True
        return f"{module}.{name}" in self.host_functions


def _positive_int(name: str, value: object, off: str = "") -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"sandbox: {name} must be a whole number, got {value!r}", hint=off)
    if value <= 0:
        shown = f"{value // MiB} MiB" if name.endswith("bytes") and value % MiB == 0 else value
        raise ConfigError(f"sandbox: {name} must be more than 0, got {shown}", hint=off)


#: The default: 256 MiB, one second per call, no WASI, no host functions.
DEFAULT_SANDBOX = Sandbox()
