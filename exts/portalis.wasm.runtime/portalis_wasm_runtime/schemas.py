"""Registering Portalis's USD schemas inside Kit, and saying so when it is too late.

USD builds its schema registry once per process, the first time anything asks for it, from
the plugins registered at that moment; a plugin registered later is ignored until the process
restarts. Kit builds that registry early (its USD context opens a stage at start-up). So the
extension registers the schemas when its Python module is *imported* — Kit imports an
extension's modules before calling any ``on_startup``, and an extension enabled at app start
(listed in the app's ``.kit`` file or passed as ``--enable portalis.wasm.runtime``) is
imported before the first user stage opens. Enabled later, from the Extension Manager, with
the registry already built, the WasmModule types stay unknown for this session:
:func:`registration_problem` says exactly that, and the panel and log show it.
"""

from __future__ import annotations

import portalis.usd
from portalis.usd import schemas_registered

MESSAGE = (
    "USD's schema registry was built before portalis.wasm.runtime registered its schemas, so "
    "WasmModule prims are unknown in this Kit session. Enable the extension at start-up "
    '(add "portalis.wasm.runtime" to your app\'s .kit dependencies, or launch Kit with '
    "--enable portalis.wasm.runtime) and restart Kit."
)


def register() -> None:
    """Register the plugin folder with USD (idempotent; what ``import portalis`` does)."""
    portalis.usd.register_schemas()


def registration_problem() -> str | None:
    """None when USD knows WasmModule; otherwise what to do about it."""
    return None if schemas_registered() else MESSAGE
