"""USD builds its schema registry once per process. The extension registers Portalis's
schemas when Kit imports it, so a stage opened after that knows WasmModule; a process whose
registry was built before (the extension enabled late) gets a clear message, in the log and
the panel. Each case runs in a fresh process, where the order is real."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from .conftest import EXT, EXTS, ROOT

PRELUDE = f"""
import sys
sys.path[:0] = [{str(ROOT / "tests")!r}]
import kit_double
kit_double.install()
"""

ENABLE = f"""
kit_double.reset()
import omni.kit.app, omni.usd, carb
manager = omni.kit.app.get_app().get_extension_manager()
manager.add_path({str(EXTS)!r})
manager.set_extension_enabled_immediate("portalis.wasm.runtime", True)
ext = sys.modules["portalis_wasm_runtime"].get_extension()
"""


def run(code: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PXR_PLUGINPATH_NAME"}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=str(EXT),
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_enabled_before_any_stage_the_types_are_known():
    out = run(
        PRELUDE
        + ENABLE
        + """
from pxr import Usd
stage = Usd.Stage.CreateInMemory()
prim = stage.DefinePrim("/Ball", "WasmPhysics")
print(ext.controller.problem, prim.IsA(Usd.SchemaRegistry.GetTypeFromName("WasmModule")))
"""
    )
    assert out.split() == ["None", "True"]


def test_enabled_after_the_registry_was_built_says_so():
    out = run(
        PRELUDE
        + """
from pxr import Usd
Usd.Stage.CreateInMemory().DefinePrim("/Ball", "WasmPhysics")  # builds USD's registry
import warnings
warnings.simplefilter("ignore")
"""
        + ENABLE
        + """
ext.controller.refresh()
print(ext.controller.model.message)
print(any("schema registry was built before" in m for _, m in carb.LOG))
"""
    )
    message, logged = out.strip().splitlines()
    assert "WasmModule prims are unknown in this Kit session" in message
    assert "--enable portalis.wasm.runtime" in message
    assert logged == "True"
