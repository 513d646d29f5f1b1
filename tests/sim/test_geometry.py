"""Scene geometry as an array input (``rel inputs:NAME:prims``), and array outputs trimmed to
the length a function returns (``NAME_count``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pxr import Gf, Sdf, Usd, UsdGeom

import portalis.usd  # noqa: F401  (schemas registered before any stage is opened)
from portalis.errors import SceneError
from portalis.lang import compile_source
from portalis.sim import Runner
from portalis.sim.geometry import CUBE, CYLINDER, PLANE, ROW, SPHERE, shape_rows
from portalis.usd import add_input, add_output, create_wasm_module_prim

KERNEL = """
from portalis.lang import Array, f64

def shapes_seen(shapes: Array[f64, 2]) -> tuple[int, float]:
    return shapes.shape[0], shapes[0, 16]

def fill(buf: Array[f64], n: int) -> tuple[int, int]:
    for i in range(n):
        buf[i] = i * 0.5
    buf_count = n
    other = n + 1
    return buf_count, other
"""


@pytest.fixture(scope="module")
def wasm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("geometry") / "k.wasm"
    path.write_bytes(compile_source(KERNEL, "k.py").wasm)
    return path


def street(stage: Usd.Stage) -> None:
    UsdGeom.Xform.Define(stage, "/Street")
    plane = UsdGeom.Plane.Define(stage, "/Street/Ground")
    plane.CreateAxisAttr("Y")
    plane.CreateWidthAttr(10.0)
    plane.CreateLengthAttr(4.0)
    cube = UsdGeom.Cube.Define(stage, "/Street/Box")
    cube.CreateSizeAttr(2.0)
    cube.AddTranslateOp().Set(Gf.Vec3d(5.0, 1.0, -2.0))
    cube.AddRotateZOp().Set(30.0)
    cube.AddScaleOp().Set(Gf.Vec3f(1.0, 3.0, 0.5))
    ball = UsdGeom.Sphere.Define(stage, "/Street/Box/Ball")  # nested: the parent's transform too
    ball.CreateRadiusAttr(0.5)
    ball.AddTranslateOp().Set(Gf.Vec3d(0.0, 0.0, 2.0))
    post = UsdGeom.Cylinder.Define(stage, "/Street/Post")
    post.CreateAxisAttr("X")
    post.CreateRadiusAttr(0.25)
    post.CreateHeightAttr(3.0)
    hidden = UsdGeom.Sphere.Define(stage, "/Street/Hidden")
    hidden.CreateVisibilityAttr(UsdGeom.Tokens.invisible)
    guide = UsdGeom.Cube.Define(stage, "/Street/Guide")
    guide.CreatePurposeAttr(UsdGeom.Tokens.guide)
    UsdGeom.Mesh.Define(stage, "/Street/Mesh")  # not a shape the rows describe


def test_rows_describe_each_shape_and_its_world_transform() -> None:
    stage = Usd.Stage.CreateInMemory()
    street(stage)
    rows = shape_rows([stage.GetPrimAtPath("/Street")], Usd.TimeCode.Default())
    assert rows.shape == (4, ROW)
    assert [int(k) for k in rows[:, 0]] == [PLANE, CUBE, SPHERE, CYLINDER]
    assert [int(a) for a in rows[:, 1]] == [1, 2, 2, 0]
    assert rows[0, 2:4].tolist() == [10.0, 4.0]
    assert rows[3, 2:4].tolist() == [0.25, 3.0]
    cache = UsdGeom.XformCache()
    rng = np.random.default_rng(0)
    for row, path in zip(
        rows, ["/Street/Ground", "/Street/Box", "/Street/Box/Ball", "/Street/Post"], strict=True
    ):
        to_world = cache.GetLocalToWorldTransform(stage.GetPrimAtPath(path))
        affine = row[4:16].reshape(3, 4)
        for local in rng.normal(size=(5, 3)):
            world = np.array(to_world.Transform(Gf.Vec3d(*local)))
            np.testing.assert_allclose(affine[:, :3] @ world + affine[:, 3], local, atol=1e-9)
        centre, radius = row[16:19], row[19]
        np.testing.assert_allclose(centre, np.array(to_world.ExtractTranslation()), atol=1e-12)
        assert radius > 0
    # points on the ball (radius 0.5, under a box scaled by 0.5 in z) lie in its bound
    ball = cache.GetLocalToWorldTransform(stage.GetPrimAtPath("/Street/Box/Ball"))
    for direction in rng.normal(size=(50, 3)):
        local = 0.5 * direction / np.linalg.norm(direction)
        world = np.array(ball.Transform(Gf.Vec3d(*local)))
        assert np.linalg.norm(world - rows[2, 16:19]) <= rows[2, 19] + 1e-9
    # and not loose: the corners of the ball's box, scaled by (1, 3, 0.5)
    assert rows[2, 19] == pytest.approx(0.5 * np.sqrt(1 + 9 + 0.25))


def scene_with_prims(path: Path, wasm: Path, targets: list[str], *, animated: bool = False) -> None:
    stage = Usd.Stage.CreateNew(str(path))
    street(stage)
    if animated:
        op = UsdGeom.Xformable(stage.GetPrimAtPath("/Street/Post")).AddTranslateOp()
        op.Set(Gf.Vec3d(0, 0, 0), 0)
        op.Set(Gf.Vec3d(10, 0, 0), 10)
    prim = create_wasm_module_prim(stage, "/Sim", str(wasm), "geo", "shapes_seen", "sensor")
    prim.CreateRelationship("inputs:shapes:prims").SetTargets([Sdf.Path(t) for t in targets])
    add_output(prim, "result0", "int")
    stage.GetRootLayer().Save()


def test_the_runner_binds_geometry_rows_to_an_array_parameter(wasm: Path, tmp_path: Path) -> None:
    scene_with_prims(tmp_path / "s.usda", wasm, ["/Street/Post", "/Street/Box"])
    stage = Usd.Stage.Open(str(tmp_path / "s.usda"))
    with Runner(stage) as runtime:
        runtime.play()
        runtime.step(1 / 60)
        assert not runtime.failures
        sim = runtime.module_prim("/Sim")
        assert sim.results[0] == 3  # the post, then the box and the ball under it


def test_animated_geometry_is_read_at_each_call(wasm: Path, tmp_path: Path) -> None:
    scene_with_prims(tmp_path / "s.usda", wasm, ["/Street/Post"], animated=True)
    stage = Usd.Stage.Open(str(tmp_path / "s.usda"))
    seen = []
    with Runner(stage) as runtime:
        runtime.play()
        for frame in (2, 6):
            runtime.step(1 / 60, time_code=frame)
            seen.append(runtime.module_prim("/Sim").results[1])  # the post's centre x
    assert seen == pytest.approx([2.0, 6.0])


def test_a_target_that_is_not_a_prim_is_a_binding_error(wasm: Path, tmp_path: Path) -> None:
    scene_with_prims(tmp_path / "s.usda", wasm, ["/Street/Nowhere"])
    stage = Usd.Stage.Open(str(tmp_path / "s.usda"))
    with Runner(stage) as runtime:
        [failure] = runtime.failures
        assert failure.prim_path == "/Sim"
        assert "/Street/Nowhere" in failure.message and "not a prim" in failure.message


def trimmed_scene(path: Path, wasm: Path, n: int) -> None:
    stage = Usd.Stage.CreateNew(str(path))
    UsdGeom.Xform.Define(stage, "/World")
    prim = create_wasm_module_prim(stage, "/World/Fill", str(wasm), "fill", "fill", "sensor")
    prim.GetAttribute("dataBufferSize").Set(8)
    add_input(prim, "n", "int", n)
    add_output(prim, "buf", "double[]")
    stage.GetRootLayer().Save()


def test_an_array_output_is_trimmed_to_its_count_result(wasm: Path, tmp_path: Path) -> None:
    trimmed_scene(tmp_path / "s.usda", wasm, 3)
    stage = Usd.Stage.Open(str(tmp_path / "s.usda"))
    with Runner(stage) as runtime:
        runtime.play()
        runtime.step(1 / 60)
        fill = runtime.module_prim("/World/Fill")
        assert fill.output("buf").tolist() == [0.0, 0.5, 1.0]
        assert fill.output("other") == 4  # a result named otherwise trims nothing
    assert list(stage.GetAttributeAtPath("/World/Fill.outputs:buf").Get()) == [0.0, 0.5, 1.0]


def test_a_count_beyond_the_array_fails_the_prim_clearly(wasm: Path, tmp_path: Path) -> None:
    trimmed_scene(tmp_path / "s.usda", wasm, -2)
    stage = Usd.Stage.Open(str(tmp_path / "s.usda"))
    with Runner(stage) as runtime:
        runtime.play()
        runtime.step(1 / 60)
        [failure] = runtime.failures
        assert "buf_count = -2" in failure.message and "holds 8" in failure.message


def test_shape_rows_refuse_a_degenerate_transform() -> None:
    stage = Usd.Stage.CreateInMemory()
    cube = UsdGeom.Cube.Define(stage, "/Flat")
    cube.AddScaleOp().Set(Gf.Vec3f(1.0, 0.0, 1.0))
    with pytest.raises(SceneError, match="degenerate transform"):
        shape_rows([cube.GetPrim()], Usd.TimeCode.Default())
