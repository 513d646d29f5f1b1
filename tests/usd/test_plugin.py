"""Registration happens on import, costs no USD import, and survives being late."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap


def _run(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter that has not inherited our plugin path."""
    env = {k: v for k, v in os.environ.items() if k != "PXR_PLUGINPATH_NAME"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_importing_portalis_usd_registers_without_importing_usd() -> None:
    done = _run(
        """
        import sys
        import portalis.usd
        assert "pxr.Usd" not in sys.modules, "portalis.usd imported USD"
        from pxr import Usd
        stage = Usd.Stage.CreateInMemory()
        prim = stage.DefinePrim("/B", "WasmPhysics")
        print(prim.GetAttribute("forceMultiplier").Get())
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1.0"


def test_registers_when_usd_is_already_imported() -> None:
    done = _run(
        """
        from pxr import Usd
        import portalis.usd
        stage = Usd.Stage.CreateInMemory()
        prim = stage.DefinePrim("/B", "WasmSensor")
        print(prim.GetAttribute("dataBufferSize").Get())
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1024"


def test_warns_when_a_stage_was_opened_first() -> None:
    done = _run(
        """
        from pxr import Usd
        Usd.Stage.CreateInMemory().DefinePrim("/X", "Xform")  # builds the schema registry
        import portalis.usd
        """
    )
    assert done.returncode == 0, done.stderr
    assert "import portalis (or portalis.usd) before opening any USD stage" in done.stderr
