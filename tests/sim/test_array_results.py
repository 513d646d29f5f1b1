"""A prim whose function returns an array (docs/language.md, "Arrays as results"): the
runner copies each array result out of the module (freeing its block) and writes it to
``outputs:NAME`` and its targets; other prims read it like any array output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pxr import Usd, UsdGeom, Vt

from portalis.lang import compile_source
from portalis.sim import Runner
from portalis.usd import add_input, add_output, create_wasm_module_prim

KERNEL = """
import numpy as np
from portalis.lang import Array, f64


def ring(n: int, radius: float, time: float) -> tuple[float, float]:
    return radius, time


def circle(n: int, radius: float, time: float) -> Array[f64, 2]:
    pts = np.zeros((n, 3))
    for i in range(n):
        pts[i, 0] = radius * (i + 1)
        pts[i, 1] = time
    return pts


def kept(pts: Array[f64, 2], floor: float) -> tuple[Array[f64, 2], int]:
    out = np.zeros((len(pts), 3))
    n = 0
    for i in range(len(pts)):
        if pts[i, 0] >= floor:
            out[n, 0] = pts[i, 0]
            n += 1
    return out, n


def heights(pts: Array[f64, 2]) -> Array[f64]:
    h = np.empty(len(pts))
    for i in range(len(pts)):
        h[i] = pts[i, 0] * 2.0
    return h
"""


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kernels") / "arrays.wasm"
    path.write_bytes(compile_source(KERNEL, "arrays.py").wasm)
    return path


def test_array_results_reach_outputs_targets_and_other_prims(kernel: Path) -> None:
    stage = Usd.Stage.CreateInMemory()
    shown = UsdGeom.Points.Define(stage, "/Shown").CreatePointsAttr(Vt.Vec3fArray())
    maker = create_wasm_module_prim(stage, "/Maker", str(kernel), "arrays", "circle", "sensor")
    add_input(maker, "n", "int", 3)
    add_input(maker, "radius", "double", 0.5)
    add_output(maker, "pts", "point3f[]", targets=[shown])
    reader = create_wasm_module_prim(stage, "/Reader", str(kernel), "arrays", "heights", "sensor")
    add_input(reader, "pts", "double3[]", connect="/Maker.outputs:pts")
    with Runner(stage) as rt:
        for _ in range(3):
            rt.step(1 / 60)
        assert rt.failures == []
        memory = rt.module_prim("/Maker").instance.memory.size
        for _ in range(200):
            rt.step(1 / 60)
        assert rt.module_prim("/Maker").instance.memory.size == memory  # blocks freed
        time = rt.module_prim("/Maker").output("pts")[0, 1]
        h = rt.module_prim("/Reader").output("h")
    want = np.array([[0.5, time, 0], [1.0, time, 0], [1.5, time, 0]], dtype=np.float32)
    np.testing.assert_array_equal(np.asarray(shown.Get()), want)  # point3f: floats
    assert isinstance(h, np.ndarray) and h.tolist() == [1.0, 2.0, 3.0]
    assert list(reader.GetAttribute("outputs:h").Get()) == [1.0, 2.0, 3.0]


def test_an_array_output_for_a_number_result_is_refused(kernel: Path) -> None:
    stage = Usd.Stage.CreateInMemory()
    prim = create_wasm_module_prim(stage, "/Ring", str(kernel), "arrays", "ring", "sensor")
    add_output(prim, "radius", "double[]")
    with Runner(stage) as rt:
        rt.step(1 / 60)
        (failure,) = rt.failures
    assert failure.cause == "binding" and "result 'radius' is a number" in failure.message


def test_a_tuple_of_an_array_and_a_count_reaches_two_outputs(kernel: Path) -> None:
    stage = Usd.Stage.CreateInMemory()
    maker = create_wasm_module_prim(stage, "/Maker", str(kernel), "arrays", "circle", "sensor")
    add_input(maker, "n", "int", 4)
    add_input(maker, "radius", "double", 1.0)
    add_output(maker, "pts", "double3[]")
    keep = create_wasm_module_prim(stage, "/Keep", str(kernel), "arrays", "kept", "sensor")
    add_input(keep, "pts", "double3[]", connect="/Maker.outputs:pts")
    add_input(keep, "floor", "double", 2.5)
    add_output(keep, "out", "double3[]")
    add_output(keep, "n", "int")
    with Runner(stage) as rt:
        rt.step(1 / 60)
        assert rt.failures == []
    assert keep.GetAttribute("outputs:n").Get() == 2
    assert [tuple(p) for p in keep.GetAttribute("outputs:out").Get()][:2] == [(3, 0, 0), (4, 0, 0)]
