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
