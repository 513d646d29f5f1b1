"""An array output spread row by row over vector attributes: one compiled module moving
several prims (a fleet's positions onto each robot's ``xformOp:translate``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pxr import Gf, Sdf, Usd, UsdGeom, Vt

import portalis.usd  # noqa: F401  (registers the schemas before any stage is opened)
from portalis.errors import SceneError
from portalis.lang import build
from portalis.sim import Runner
from portalis.usd import add_input, add_output, create_wasm_module_prim

# Moves every point one unit along x: rows of a (n, 3) array written in place.
KERNEL = """
from portalis.lang import Array, f64


def update(points: Array[f64, 2]) -> int:
    for i in range(points.shape[0]):
        points[i, 0] += 1.0
    return points.shape[0]
"""


def scene(tmp_path: Path, targets: int, target_type: str = "double3") -> tuple[Usd.Stage, list]:
    source = tmp_path / "rows.py"
    source.write_text(KERNEL, encoding="utf-8")
    wasm = build(source, tmp_path / "rows.wasm")
    stage = Usd.Stage.CreateNew(str(tmp_path / "scene.usda"))
    attrs = []
    for i in range(targets):
        xform = UsdGeom.Xform.Define(stage, f"/Robot{i}")
        if target_type == "double3":
            attrs.append(xform.AddTranslateOp().GetAttr())
        else:
            attrs.append(
                xform.GetPrim().CreateAttribute("pos", Sdf.ValueTypeNames.Double2, custom=True)
            )
    prim = create_wasm_module_prim(stage, "/Fleet", str(wasm), "rows", "update", "base")
    start = Vt.Vec3dArray([Gf.Vec3d(10.0 * i, 0.0, 0.0) for i in range(3)])
    add_input(prim, "points", "double3[]", start)
    add_output(prim, "points", "double3[]", targets=attrs)
    return stage, attrs


def test_each_row_lands_on_its_own_target(tmp_path: Path) -> None:
    stage, attrs = scene(tmp_path, 3)
    with Runner(stage) as rt:
        rt.step(1 / 60, time_code=1)
        assert rt.failures == []
    assert [a.Get(1) for a in attrs] == [Gf.Vec3d(1, 0, 0), Gf.Vec3d(11, 0, 0), Gf.Vec3d(21, 0, 0)]


def test_a_target_of_another_width_is_a_binding_error(tmp_path: Path) -> None:
    stage, _ = scene(tmp_path, 2, target_type="double2")
    with Runner(stage) as rt:
        assert [f.cause for f in rt.failures] == ["binding"]
        assert "same width" in rt.failures[0].message


def test_more_targets_than_rows_is_a_clear_error(tmp_path: Path) -> None:
    # Known only once the module has returned its array: raised by the step, naming the
    # target that has no row.
    stage, _ = scene(tmp_path, 4)
    with Runner(stage) as rt, pytest.raises(SceneError, match=r"Robot3.*takes element 3"):
        rt.step(1 / 60, time_code=1)
