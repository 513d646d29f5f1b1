"""The extension's settings, typed, over any key-value store: Kit's ``carb.settings`` under
``/exts/portalis.wasm.runtime/`` in Kit (see :mod:`.kit`), a dict in plain tests.

Every key here has its default in ``config/extension.toml``'s ``[settings]`` table (a test
holds the two equal): Kit applies the manifest's values when the extension is enabled, and a
user's ``.kit`` file or ``--/exts/portalis.wasm.runtime/KEY=VALUE`` overrides them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Protocol

from portalis.runtime import DEFAULT_SANDBOX, Sandbox

EXT_NAME = "portalis.wasm.runtime"
MiB = 1024 * 1024


class Store(Protocol):
    """What the extension needs of a settings registry (``carb.settings.ISettings`` has it)."""

    def get(self, path: str) -> Any: ...
    def set(self, path: str, value: Any) -> None: ...


#: key → (default, what it does). The manifest's ``[settings]`` lists the same keys.
DEFAULTS: dict[str, tuple[Any, str]] = {
    "max_memory_mb": (256, "linear-memory cap of every module instance, MiB"),
    "deadline_ms": (1000.0, "wall-clock limit of one module call (and its start function), ms"),
    "wasm_cache_dir": ("", "compiled-module cache folder; empty: Portalis's default"),
    "trust_scope": ("module", "'module': consent per module hash; 'stage': per stage"),
    "trusted_modules": ([], "SHA-256 of every module the user allowed to run"),
    "trusted_stages": ([], "stages (root layer paths) the user allowed to run"),
    "max_rerun_frames": (600, "scrubbing re-runs at most this many frames to reach a time"),
    "panel_refresh_s": (1.0, "seconds between refreshes of the panel (never per frame)"),
    "enable_performance_monitoring": (True, "show the overlay line: WASM ms per frame"),
    "show_window": (True, "open the panel when the extension starts"),
}


def path_of(key: str) -> str:
    return f"/exts/{EXT_NAME}/{key}"


@dataclass
class Settings:
    """A view of the store; reads go to the store each time (Kit's settings may change under
    the extension: the user edits them in the panel or the settings window)."""

    store: Store

    def get(self, key: str) -> Any:
        value = self.store.get(path_of(key))
        return DEFAULTS[key][0] if value is None else value

    def set(self, key: str, value: Any) -> None:
        if key not in DEFAULTS:
            raise KeyError(f"{key}: not a setting of {EXT_NAME}")
        self.store.set(path_of(key), value)

    def sandbox(self) -> Sandbox:
        """The runtime's sandbox with the memory cap and deadline set here (0 = no limit)."""
        memory = int(self.get("max_memory_mb"))
        deadline = float(self.get("deadline_ms"))
        return replace(
            DEFAULT_SANDBOX,
            max_memory_bytes=memory * MiB if memory > 0 else None,
            deadline_s=deadline / 1000.0 if deadline > 0 else None,
        )


class DictStore:
    """A plain store for tests and headless use."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def get(self, path: str) -> Any:
        return self.values.get(path)

    def set(self, path: str, value: Any) -> None:
        self.values[path] = value
