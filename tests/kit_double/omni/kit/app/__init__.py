"""Double of ``omni.kit.app``: ``get_app()`` → the app: ``get_update_event_stream()`` (pop
subscribers get ``payload["dt"]`` once per update), ``next_update_async()`` (runs one update),
``get_extension_manager()`` with ``add_path(folder)`` and
``set_extension_enabled_immediate(ext_id, enabled)``, and ``GLOBAL_EVENT_UPDATE`` for the
Events 2.0 dispatcher.

:meth:`App.update` is the double's main loop: one frame, in the order the package docstring of
``kit_double`` gives. Tests use the Kit API (``await app.next_update_async()``); the benchmark
calls :meth:`App.update` directly to avoid an event loop per frame.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from pathlib import Path
from typing import Any

import carb.eventdispatcher
import carb.events
import carb.settings
import omni.ext

#: Events 2.0 name of the app's update event (Kit 107+).
_UPDATE_EVENT = "omni.kit.app:update"
GLOBAL_EVENT_UPDATE = _UPDATE_EVENT  # a test deletes it to play Kit 106

#: Seconds per update unless a test says otherwise (Kit runs at the display's rate).
DEFAULT_DT = 1.0 / 60.0


class ExtensionManager:
    """Enables extensions found in registered folders, as Kit's does from its search paths:
    the manifest's ``[settings]`` become defaults, the ``[[python.module]]`` entries are
    imported (``path`` entries go on ``sys.path``), and every ``omni.ext.IExt`` subclass in
    them is instantiated and started. Disabling shuts them down. :meth:`hot_reload` is what
    Kit does when an enabled extension's source changes: shut down, re-import, start.
    (Not Kit API; Kit triggers it from its file watcher.)"""

    def __init__(self) -> None:
        self._folders: dict[str, Path] = {}
        self._running: dict[str, list[omni.ext.IExt]] = {}
        self._manifests: dict[str, dict[str, Any]] = {}

    def add_path(self, folder: str) -> None:
        """Kit's ``add_path``: a folder holding extension folders, or one extension folder."""
        root = Path(folder)
        candidates = [root] if (root / "config" / "extension.toml").is_file() else root.iterdir()
        for ext in candidates:
            manifest = ext / "config" / "extension.toml"
            if manifest.is_file():
                self._folders[ext.name] = ext
                self._manifests[ext.name] = _read_toml(manifest)

    def set_extension_enabled_immediate(self, ext_id: str, enabled: bool) -> bool:
        name = _name(ext_id)
        if not enabled:
            for ext in self._running.pop(name, []):
                ext.on_shutdown()
            return True
        if name in self._running:
            return True
        folder = self._folders[name]
        manifest = self._manifests[name]
        version = manifest.get("package", {}).get("version", "0.0.0")
        _apply_settings(manifest.get("settings", {}))
        started: list[omni.ext.IExt] = []
        for entry in manifest.get("python", {}).get("module", []):
            if "path" in entry:
                path = str(folder / entry["path"])
                if path not in sys.path:
                    sys.path.insert(0, path)
                continue
            if str(folder) not in sys.path:
                sys.path.insert(0, str(folder))
            module = importlib.import_module(entry["name"])
            for value in list(vars(module).values()):
                if (
                    isinstance(value, type)
                    and issubclass(value, omni.ext.IExt)
                    and value is not omni.ext.IExt
                ):
                    ext = value()
                    ext.on_startup(f"{name}-{version}")
                    started.append(ext)
        self._running[name] = started
        return True

    def hot_reload(self, ext_id: str) -> None:
        name = _name(ext_id)
        self.set_extension_enabled_immediate(name, False)
        for entry in self._manifests[name].get("python", {}).get("module", []):
            if "name" in entry:
                _forget(entry["name"])
        self.set_extension_enabled_immediate(name, True)


def _name(ext_id: str) -> str:
    """``portalis.wasm.runtime-0.1.0`` → ``portalis.wasm.runtime``."""
    head, sep, tail = ext_id.rpartition("-")
    return head if sep and tail[:1].isdigit() else ext_id


def _read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _apply_settings(table: dict[str, Any], prefix: str = "") -> None:
    """``exts."portalis.wasm.runtime".max_memory_mb = 512`` → default of
    ``/exts/portalis.wasm.runtime/max_memory_mb``."""
    settings = carb.settings.get_settings()
    for key, value in table.items():
        path = f"{prefix}/{key}"
        if isinstance(value, dict):
            _apply_settings(value, path)
        else:
            settings.set_default(path, value)


def _forget(name: str) -> None:
    """Drop ``name`` and its submodules from ``sys.modules``: the next import runs them anew."""
    for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[loaded]


class App:
    def __init__(self) -> None:
        self._update_stream = carb.events.IEventStream()
        self._extensions = ExtensionManager()
        self.frame = 0
        self.dt = DEFAULT_DT
        self.in_update = False

    def get_update_event_stream(self) -> carb.events.IEventStream:
        return self._update_stream

    def get_extension_manager(self) -> ExtensionManager:
        return self._extensions

    def update(self, dt: float | None = None) -> None:
        """One frame of the main loop."""
        import omni.timeline
        import omni.usd

        dt = self.dt if dt is None else dt
        self.in_update = True
        try:
            omni.timeline._refresh_and_tick(dt)
            omni.usd._pump()
            payload = {"dt": dt, "SWHFrameNumber": self.frame}
            self._update_stream.dispatch(0, 0, payload)
            carb.eventdispatcher.get_eventdispatcher().dispatch_event(_UPDATE_EVENT, payload)
        finally:
            self.in_update = False
        self.frame += 1

    async def next_update_async(self) -> float:
        """Kit: wait for the next update; here, run it. Returns its dt, as Kit does."""
        self.update()
        await asyncio.sleep(0)
        return self.dt


_app = App()


def get_app() -> App:
    return _app


def _reset() -> None:
    global _app
    _app = App()
