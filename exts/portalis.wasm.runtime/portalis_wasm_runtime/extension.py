"""Kit's entry point: creates the plain objects on startup, releases them on shutdown (and so
on every hot reload). Start-up order: the schemas were registered when Kit imported this
package (``__init__``), before ``on_startup``; then settings, controller, panel, and last the
subscriptions, so no event arrives before there is something to receive it."""

from __future__ import annotations

import carb
import omni.ext

from . import kit, schemas
from .controller import Controller
from .settings import Settings

_running: PortalisWasmRuntimeExtension | None = None


def get_extension() -> PortalisWasmRuntimeExtension | None:
    """The running extension (None when disabled): for tests and scripts."""
    return _running


class PortalisWasmRuntimeExtension(omni.ext.IExt):
    def on_startup(self, ext_id: str) -> None:
        global _running
        self.ext_id = ext_id
        problem = schemas.registration_problem()
        if problem:
            carb.log_error(f"[portalis.wasm.runtime] {problem}")
        settings = Settings(kit.CarbStore())
        self.controller = Controller(settings, problem=problem)
        self.panel = None
        if settings.get("show_window"):
            from .panel import Panel  # omni.ui only when there is a window to draw

            self.panel = Panel(self.controller)
        self.hooks = kit.Hooks(self.controller)
        self.hooks.adopt_open_stage()
        _running = self

    def on_shutdown(self) -> None:
        global _running
        self.hooks.release()
        if self.panel is not None:
            self.panel.destroy()
            self.panel = None
        self.controller.close()
        if _running is self:
            _running = None
