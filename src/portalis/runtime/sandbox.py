"""What an instance may do: the sandbox policy, secure by default (SPEC §5)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

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
    """Limits and capabilities of one instance.

    ``max_memory_bytes``: cap on linear memory (and on any single memory's growth);
    ``deadline_s``: wall-clock limit of one call, and of the start function;
    ``wasi``: None (the default) means no WASI at all;
    ``host_functions``: ``{"module.name": callable}`` the module may import — nothing else
    is importable. ``None`` for a limit turns it off; do that only for trusted code.
    """

    max_memory_bytes: int | None = 256 * MiB
    deadline_s: float | None = 1.0
    max_table_elements: int = 100_000
    max_instances: int = 4
    wasi: WasiPolicy | None = None
    host_functions: Mapping[str, Callable[..., object]] = field(default_factory=dict)

    def provides(self, module: str, name: str) -> bool:
        if self.wasi is not None and module in WASI_MODULES:
            return True
        return f"{module}.{name}" in self.host_functions


#: The default: 256 MiB, one second per call, no WASI, no host functions.
DEFAULT_SANDBOX = Sandbox()
