"""``portalis.wasm.runtime``: the Omniverse Kit extension that runs a stage's WebAssembly
module prims every frame, a thin adapter over Portalis's headless stage runner.

Importing this package registers Portalis's USD schemas (Kit imports an extension's modules
before starting it; see :mod:`.schemas` for why that order matters). Kit finds
:class:`PortalisWasmRuntimeExtension` here and calls its ``on_startup``.

Modules, in dependency order: :mod:`.settings` (typed settings), :mod:`.trust` (consent),
:mod:`.session` (one stage: runner life, timeline,
scrubbing, live layer, bake), :mod:`.panel_model` (what the panel shows), :mod:`.controller`
(state between Kit's events), :mod:`.kit` (every call into Kit), :mod:`.panel` (omni.ui),
:mod:`.extension` (wiring).
"""

from . import schemas

schemas.register()

from .extension import PortalisWasmRuntimeExtension, get_extension  # noqa: E402

__all__ = ["PortalisWasmRuntimeExtension", "get_extension"]
