"""Registering the schema plugin with USD, before USD needs it, without importing USD.

USD builds its schema registry once, the first time a stage (or the registry) is used, from
the plugins registered at that moment; a plugin registered later is ignored for the rest of
the process. Importing ``pxr.Usd`` costs a quarter of a second, which ``import portalis``
must not pay when only the runtime is wanted. So :func:`register_schemas` names the plugin
folder in ``PXR_PLUGINPATH_NAME``, which USD reads when it starts; if ``pxr`` is already
imported it registers the folder directly as well, and warns when it is too late.
"""

from __future__ import annotations

import os
import sys
import warnings

from portalis.usd.schema import PLUGIN_DIR

PLUGIN_PATH_VARIABLE = "PXR_PLUGINPATH_NAME"


def register_schemas() -> None:
    """Make USD know WasmModule and its specialisations. Idempotent, cheap."""
    folder = str(PLUGIN_DIR)
    paths = os.environ.get(PLUGIN_PATH_VARIABLE, "")
    if folder not in paths.split(os.pathsep):
        os.environ[PLUGIN_PATH_VARIABLE] = os.pathsep.join(p for p in (folder, paths) if p)
    if not any(name.startswith("pxr.") for name in sys.modules):
        return  # USD will read the variable when it starts
    from pxr import Plug

    Plug.Registry().RegisterPlugins(folder)
    if "pxr.Usd" in sys.modules and not schemas_registered():
        warnings.warn(
            "USD's schema registry was built before portalis was imported, so WasmModule "
            "prims will not be recognised in this process: import portalis (or "
            "portalis.usd) before opening any USD stage",
            RuntimeWarning,
            stacklevel=3,
        )


def schemas_registered() -> bool:
    """Whether USD's schema registry defines the WasmModule prim type."""
    from pxr import Usd

    return Usd.SchemaRegistry().FindConcretePrimDefinition("WasmModule") is not None
