"""Kernels compiled by Portalis (``portalis.lang``), bound through their ABI in a scene."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pxr import Usd, UsdGeom, Vt

from portalis.lang import compile_source
from portalis.sim import COLLISION, Runner
from portalis.usd import add_input, add_output, create_wasm_module_prim
from portalis.usd import tokens as t

KERNEL = """
from portalis.lang import Array, f64

total: float = 0.0


def step(y: float, vy: float, dt: float, gravityOverride_y: float,
         forceMultiplier: float = 1.0) -> tuple[float, float, bool]:
    v = vy + gravityOverride_y * forceMultiplier * dt
    ny = y + v * dt
    return ny, v, ny < 0.0


def bounce(y: float, vy: float) -> tuple[float, float]:
    return -y, -0.5 * vy


def scale(points: Array[f64], k: float) -> int:
    global total
    for i in range(len(points)):
        points[i] = points[i] * k
        total += points[i]
    return len(points)
"""


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kernels") / "ball.wasm"
    path.write_bytes(compile_source(KERNEL, "ball.py").wasm)
    return path


def test_compiled_physics_kernel_bounces_through_its_collision_handler(kernel: Path) -> None:
    stage = Usd.Stage.CreateInMemory()
    ball = create_wasm_module_prim(stage, "/Ball", str(kernel), "ball", "update", "physics")
    ball.GetAttribute(t.PHYSICS_FUNCTION).Set("step")
    ball.GetAttribute(t.COLLISION_HANDLER).Set("bounce")
    ball.GetAttribute(t.FORCE_MULTIPLIER).Set(2.0)
    add_input(ball, "y", "double", 1.0, connect="/Ball.outputs:y")
    add_input(ball, "vy", "double", 0.0, connect="/Ball.outputs:vy")
    add_output(ball, "y", "double")  # the kernel's results are result0..2: by position
    add_output(ball, "vy", "double")
    add_output(ball, "contact", "bool")
    heights = []
    with Runner(stage) as rt:
        rt.step(1 / 60)
        # gravityOverride_y and forceMultiplier reached the kernel by name
        assert ball.GetAttribute("outputs:vy").Get() == pytest.approx(-2 * 9.81 / 60, rel=1e-6)
        for _ in range(120):
            rt.step(1 / 60)
            heights.append(ball.GetAttribute("outputs:y").Get())
        assert rt.failures == []
        assert rt.module_prim("/Ball").stats.handler_calls >= 1
        assert any(e.name == COLLISION for e in rt.events)
    assert min(heights) >= 0.0  # bounce() took the step's y by output name and reflected it


def test_compiled_array_kernel_scales_points_and_exposes_state(kernel: Path) -> None:
    stage = Usd.Stage.CreateInMemory()
    scan = UsdGeom.Points.Define(stage, "/Scan")
    scan.CreatePointsAttr(Vt.Vec3fArray([(1, 2, 3), (4, 5, 6)]))
    shown = UsdGeom.Points.Define(stage, "/Shown").CreatePointsAttr(Vt.Vec3fArray())
    prim = create_wasm_module_prim(stage, "/Filter", str(kernel), "ball", "scale", "sensor")
    add_input(prim, "points", "point3f[]", connect=scan.GetPointsAttr())
    add_input(prim, "k", "double", 0.5)
    add_input(prim, "total", "double", 100.0)  # not a parameter: the state's initial value
    add_output(prim, "points", "point3f[]", targets=[shown])
    add_output(prim, "total", "double")  # the kernel's persistent state variable
    add_output(prim, "count", "int")
    with Runner(stage) as rt:
        rt.step(1 / 60)
        rt.step(1 / 60)
        assert rt.failures == []
    assert np.asarray(shown.Get()).tolist() == [[0.5, 1, 1.5], [2, 2.5, 3]]
    assert prim.GetAttribute("outputs:count").Get() == 6
    assert prim.GetAttribute("outputs:total").Get() == pytest.approx(100 + 2 * 10.5)
