"""The public API in one place: ``import portalis`` gives every documented name, registers
the USD schemas before any stage is opened, and does not pay for USD until it is used."""

from __future__ import annotations

import subprocess
import sys

import portalis


def test_every_public_name_resolves():
    for name in portalis.__all__:
        assert getattr(portalis, name) is not None, name


def test_import_registers_schemas_without_importing_usd():
    code = (
        "import sys, portalis\n"
        "assert 'pxr' not in sys.modules, 'import portalis imported pxr'\n"
        "from pxr import Usd\n"
        "stage = Usd.Stage.CreateInMemory()\n"
        "prim = stage.DefinePrim('/Ball', 'WasmPhysics')\n"
        "base = Usd.SchemaRegistry.GetTypeFromName('WasmModule')\n"
        "assert prim.IsA(base), 'WasmPhysics is not a WasmModule'\n"
        "assert prim.GetAttribute('updateRate').Get() == 60.0\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
