"""The codeless USD schema plugin: ``schema.usda`` (the source, edited by hand) and the files
generated from it by :mod:`portalis.usd.schemagen` (``generatedSchema.usda``, ``plugInfo.json``).
This folder is what ``Plug.Registry().RegisterPlugins`` is given."""

from pathlib import Path

PLUGIN_DIR = Path(__file__).resolve().parent
