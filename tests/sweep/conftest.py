"""The sweep tests' scene: the projectile demo's (src/portalis/demos/projectile), built from
its kernel source, one second at 60 frames per second."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import numpy as np
import pytest

from portalis.demos import get_demo
from portalis.demos.projectile.scene import Launch, write_scene
from portalis.lang import build

METRICS = get_demo("projectile").path / "metrics.py"
SPEED = "/World/Physics.inputs:speed"
ANGLE = "/World/Physics.inputs:angle_deg"


@pytest.fixture(scope="session")
def projectile_scene(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("projectile")
    wasm = build(get_demo("projectile").kernel_path, folder / "kernel.wasm")
    launch = Launch(seconds=1.0, fps=60.0)
    write_scene(folder / "scene.usd", wasm.name, launch, trail=np.zeros((2, 3)))
    return folder / "scene.usd"


def read_summary(folder: Path) -> list[dict[str, str]]:
    with (folder / "summary.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def trap_scene(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A module dividing 1 by its input: a ZeroDivisionError trap when the input is 0."""
    from pxr import Usd, UsdGeom

    from portalis.usd import add_input, add_output, create_wasm_module_prim

    folder = tmp_path_factory.mktemp("trap")
    (folder / "kernel.py").write_text(
        "def update(divisor: float) -> float:\n    return 1.0 / divisor\n"
    )
    build(folder / "kernel.py", folder / "kernel.wasm")
    stage = Usd.Stage.CreateNew(str(folder / "scene.usda"))
    stage.SetStartTimeCode(0)
    stage.SetEndTimeCode(5)
    stage.SetTimeCodesPerSecond(60)
    UsdGeom.Xform.Define(stage, "/World")
    prim = create_wasm_module_prim(stage, "/World/Div", "kernel.wasm", "div", "update")
    add_input(prim, "divisor", "double", 1.0)
    add_output(prim, "quotient", "double")
    stage.GetRootLayer().Save()
    return folder / "scene.usda"
