"""The warehouse demo's USD scene: the floor plan (shelves and walls as Cube prims, stations as
floor tiles), the map itself as arrays on a ``Map`` prim, the order stream on an ``Orders``
prim, 20 robots, and one WasmRobotics prim (``/World/Fleet``) that runs the compiled kernel
for the whole fleet.

Z is up and one unit is a metre; a grid cell is :data:`CELL` metres, cell (x, y) spans
``[x, x+1) × [y, y+1)`` cells from the origin. The fleet prim's inputs are connections to the
``Map`` and ``Orders`` prims' attributes (docs/usd.md, "Inputs"): the kernel reads the map when
the fleet starts (and again after its ``reset``), the orders at every step. Its array outputs
are spread over the robots, one element per robot (docs/usd.md, "Outputs and their targets"):

* ``outputs:pose`` (``double3[]``) → each robot's ``xformOp:translate``;
* ``outputs:heading`` (``double[]``, degrees) → each robot's ``xformOp:rotateZ``;
* ``outputs:status`` (``int[]``) → each robot's ``warehouse:status`` (0 idle, 1 to pick,
  2 carrying, 3 returning, 4 waiting, 5 boxed in, 6 no cell);
* ``outputs:order`` (``int[]``, on the fleet prim only): the order each robot serves (-1
  none), one element per robot.

Its scalar results land on the fleet prim: ``outputs:delivered``, ``travelled`` (cells moved
by all robots so far), ``rejected`` (orders that cannot be done) and ``fault``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pxr import Gf, Sdf, Usd, UsdGeom, UsdLux, Vt

from portalis.demos.pipeline import RESULT_USDA, SCENE_USDA, Timeline
from portalis.demos.stage import new_scene
from portalis.demos.warehouse.layout import SHELF, WALL, Layout, warehouse
from portalis.usd import WasmRoboticsSchema, add_input, add_output

FLEET = "/World/Fleet"
MAP = "/World/Warehouse/Map"
ORDERS = "/World/Orders"
ROBOTS = "/World/Robots"

#: Metres per grid cell.
CELL = 0.5
#: Steps (one cell each) per second: robots drive at CELL * STEPS_PER_SECOND m/s.
STEPS_PER_SECOND = 4.0

STATUS_NAMES = ("idle", "to pick", "carrying", "returning", "waiting", "boxed in", "no cell")

SHELF_COLOUR = Gf.Vec3f(0.55, 0.42, 0.3)
WALL_COLOUR = Gf.Vec3f(0.45, 0.47, 0.5)
PICK_COLOUR = Gf.Vec3f(0.2, 0.65, 0.3)
DROP_COLOUR = Gf.Vec3f(0.2, 0.4, 0.8)
HOME_COLOUR = Gf.Vec3f(0.75, 0.75, 0.75)
ROBOT_COLOUR = Gf.Vec3f(0.95, 0.6, 0.1)


@dataclass(frozen=True)
class Run:
    """The warehouse and how long the demo watches it."""

    layout: Layout
    frames: int = 1000
    fps: float = STEPS_PER_SECOND


def default_run() -> Run:
    """The demo: 100 × 100 cells, 20 robots, 40 pick stations, 16 drop zones, 40 orders released
    one every three steps."""
    return Run(warehouse(width=100, height=100, robots=20, orders=40, drops=16, release_every=3))


def robot_path(i: int) -> str:
    return f"{ROBOTS}/Robot_{i:02d}"


def make_scene(out_dir: Path, wasm: Path, run: Run | None = None) -> Timeline:
    """Write ``out_dir/scene.usd``."""
    run = run or default_run()
    write_scene(out_dir / SCENE_USDA, wasm.name, run)
    return Timeline(run.frames, run.fps)


def make_preview(out_dir: Path, wasm: Path, run: Run | None = None) -> tuple[Any, list[str]]:
    """The picture of ``out_dir/result.usd``, drawn from the poses and statuses it holds."""
    from dataclasses import replace

    from portalis.demos.warehouse.preview import read_result, render, time_calls

    run = run or default_run()
    result = read_result(out_dir / RESULT_USDA)
    result = replace(result, call_ms=time_calls(wasm, run.layout, run.frames))
    picture = render(result, run.layout)
    findings = [
        f"{result.robots} robots, {len(result.frames)} frames; "
        f"{result.delivered} of {len(run.layout.order_pick)} orders delivered, "
        f"{result.travelled} cells travelled",
        f"fleet call: median {np.median(result.call_ms):.3f} ms"
        if result.call_ms.size
        else "fleet call: no timings",
    ]
    return picture, findings


def write_scene(path: Path, wasm_path: str, run: Run) -> None:
    """Write the scene to ``path``; ``wasm_path`` is authored as given."""
    layout = run.layout
    stage = new_scene(path, up_axis=UsdGeom.Tokens.z, frames=run.frames, fps=run.fps)

    _map(stage, layout)
    _geometry(stage, layout)
    _orders(stage, layout)
    _robots(stage, layout)
    _fleet(stage, wasm_path, layout)
    _camera_and_lights(stage, layout)
    stage.GetRootLayer().Save()


def cell_centre(layout: Layout, cell: int) -> Gf.Vec3d:
    x, y = layout.xy(cell)
    return Gf.Vec3d((float(x) + 0.5) * CELL, (float(y) + 0.5) * CELL, 0.0)


def _map(stage: Usd.Stage, layout: Layout) -> None:
    """The floor plan as data: what the fleet prim's inputs connect to."""
    UsdGeom.Xform.Define(stage, "/World/Warehouse")
    prim = UsdGeom.Scope.Define(stage, MAP).GetPrim()
    for name, type_name, value in (
        ("width", Sdf.ValueTypeNames.Int, layout.width),
        ("height", Sdf.ValueTypeNames.Int, layout.height),
        ("cellSize", Sdf.ValueTypeNames.Double, CELL),
        ("cells", Sdf.ValueTypeNames.IntArray, Vt.IntArray.FromNumpy(layout.cells)),
        ("picks", Sdf.ValueTypeNames.IntArray, Vt.IntArray.FromNumpy(layout.picks)),
        ("drops", Sdf.ValueTypeNames.IntArray, Vt.IntArray.FromNumpy(layout.drops)),
        ("homes", Sdf.ValueTypeNames.IntArray, Vt.IntArray.FromNumpy(layout.homes)),
    ):
        prim.CreateAttribute(f"warehouse:{name}", type_name, custom=True).Set(value)
    prim.SetDocumentation(
        "cells: row-major from the south-west corner, 0 floor, 1 wall, 2 shelf; picks, drops, "
        "homes: cell indices (y * width + x)"
    )


def _orders(stage: Usd.Stage, layout: Layout) -> None:
    prim = UsdGeom.Scope.Define(stage, ORDERS).GetPrim()
    for name, value in (
        ("pick", layout.order_pick),
        ("drop", layout.order_drop),
        ("release", layout.order_release),
    ):
        attr = prim.CreateAttribute(f"warehouse:{name}", Sdf.ValueTypeNames.IntArray, custom=True)
        attr.Set(Vt.IntArray.FromNumpy(np.ascontiguousarray(value, np.int32)))
    prim.SetDocumentation(
        "order k: from pick cell pick[k] to drop cell drop[k], from step release[k]"
    )


def _box(
    stage: Usd.Stage, path: str, lo: tuple[float, float, float], hi: tuple[float, float, float],
    colour: Gf.Vec3f,
) -> None:  # fmt: skip
    """An axis-aligned box from ``lo`` to ``hi`` (metres): a unit Cube, scaled and moved."""
    cube = UsdGeom.Cube.Define(stage, path)
    cube.CreateSizeAttr(1.0)
    cube.CreateExtentAttr(Vt.Vec3fArray([Gf.Vec3f(-0.5), Gf.Vec3f(0.5)]))
    centre = [(a + b) / 2.0 for a, b in zip(lo, hi, strict=True)]
    size = [b - a for a, b in zip(lo, hi, strict=True)]
    cube.AddTranslateOp().Set(Gf.Vec3d(*centre))
    cube.AddScaleOp().Set(Gf.Vec3f(*size))
    cube.CreateDisplayColorAttr(Vt.Vec3fArray([colour]))


def runs(cells: np.ndarray, width: int, kind: int) -> list[tuple[int, int, int]]:
    """Horizontal runs of cells of ``kind``: (row, first column, end column)."""
    grid = cells.reshape(-1, width) == kind
    found = []
    for y, row in enumerate(grid):
        padded = np.concatenate([[False], row, [False]])
        edges = np.flatnonzero(padded[1:] != padded[:-1])
        found += [(y, int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]
    return found


def _geometry(stage: Usd.Stage, layout: Layout) -> None:
    """What a viewer shows: the floor, shelves and walls (one Cube per horizontal run of
    cells), and a tile for each station and home."""
    w, h = layout.width * CELL, layout.height * CELL
    _box(stage, "/World/Warehouse/Floor", (0.0, 0.0, -0.02), (w, h, 0.0), Gf.Vec3f(0.85))
    for kind, group, height, colour in (
        (SHELF, "Shelves", 2.0, SHELF_COLOUR),
        (WALL, "Walls", 1.0, WALL_COLOUR),
    ):
        UsdGeom.Xform.Define(stage, f"/World/Warehouse/{group}")
        for i, (row, a, b) in enumerate(runs(layout.cells, layout.width, kind)):
            _box(
                stage,
                f"/World/Warehouse/{group}/{group[:-1]}_{i:04d}",
                (a * CELL, row * CELL, 0.0),
                (b * CELL, (row + 1) * CELL, height),
                colour,
            )
    for group, cells, colour in (
        ("PickStations", layout.picks, PICK_COLOUR),
        ("DropZones", layout.drops, DROP_COLOUR),
        ("Homes", layout.homes, HOME_COLOUR),
    ):
        UsdGeom.Xform.Define(stage, f"/World/Warehouse/{group}")
        for i, cell in enumerate(cells):
            x, y = layout.xy(int(cell))
            _box(
                stage,
                f"/World/Warehouse/{group}/{group[:4]}_{i:03d}",
                (float(x) * CELL + 0.03, float(y) * CELL + 0.03, 0.0),
                ((float(x) + 1) * CELL - 0.03, (float(y) + 1) * CELL - 0.03, 0.01),
                colour,
            )


def _robots(stage: Usd.Stage, layout: Layout) -> None:
    """Each robot: an Xform moved by ``translate`` and turned by ``rotateZ``, a round body and
    a nose pointing along +x (its heading), and its status as an attribute."""
    UsdGeom.Xform.Define(stage, ROBOTS)
    for i, home in enumerate(layout.homes):
        robot = UsdGeom.Xform.Define(stage, robot_path(i))
        robot.AddTranslateOp().Set(cell_centre(layout, int(home)))
        robot.AddRotateZOp().Set(90.0)
        prim = robot.GetPrim()
        prim.CreateAttribute("warehouse:status", Sdf.ValueTypeNames.Int, custom=True).Set(0)
        body = UsdGeom.Cylinder.Define(stage, robot_path(i) + "/Body")
        body.CreateAxisAttr(UsdGeom.Tokens.z)
        body.CreateRadiusAttr(0.35 * CELL)
        body.CreateHeightAttr(0.3)
        body.CreateExtentAttr(
            Vt.Vec3fArray(
                [
                    Gf.Vec3f(-0.35 * CELL, -0.35 * CELL, -0.15),
                    Gf.Vec3f(0.35 * CELL, 0.35 * CELL, 0.15),
                ]
            )
        )
        body.AddTranslateOp().Set(Gf.Vec3d(0.0, 0.0, 0.17))
        body.CreateDisplayColorAttr(Vt.Vec3fArray([ROBOT_COLOUR]))
        _box(
            stage,
            robot_path(i) + "/Nose",
            (0.15 * CELL, -0.06, 0.3),
            (0.4 * CELL, 0.06, 0.36),
            Gf.Vec3f(0.1),
        )


def _fleet(stage: Usd.Stage, wasm_path: str, layout: Layout) -> None:
    prim = WasmRoboticsSchema.Define(stage, FLEET, num_joints=0)
    prim.GetAttribute(WasmRoboticsSchema.ATTR_WASM_PATH).Set(Sdf.AssetPath(wasm_path))
    prim.GetAttribute(WasmRoboticsSchema.ATTR_MODULE_ID).Set("warehouse")
    prim.GetAttribute(WasmRoboticsSchema.ATTR_UPDATE_RATE).Set(STEPS_PER_SECOND)
    prim.GetAttribute(WasmRoboticsSchema.ATTR_KINEMATICS_FUNCTION).Set("update")
    for name, type_name, source in (
        ("cells", "int[]", "cells"),
        ("width", "int", "width"),
        ("height", "int", "height"),
        ("picks", "int[]", "picks"),
        ("drops", "int[]", "drops"),
        ("homes", "int[]", "homes"),
        ("cell_size", "double", "cellSize"),
    ):
        add_input(prim, name, type_name, connect=f"{MAP}.warehouse:{source}")
    for name in ("pick", "drop", "release"):
        add_input(prim, f"order_{name}", "int[]", connect=f"{ORDERS}.warehouse:{name}")
    # The per-robot arrays the kernel writes: their inputs give the shape (one element per
    # robot) and the values before the first step.
    n = layout.robots
    homes = [cell_centre(layout, int(c)) for c in layout.homes]
    add_input(prim, "pose", "double3[]", Vt.Vec3dArray(homes))
    add_input(prim, "heading", "double[]", Vt.DoubleArray([90.0] * n))
    add_input(prim, "status", "int[]", Vt.IntArray([0] * n))
    add_input(prim, "order", "int[]", Vt.IntArray([-1] * n))
    robots = [robot_path(i) for i in range(n)]
    add_output(prim, "pose", "double3[]", [p + ".xformOp:translate" for p in robots])
    add_output(prim, "heading", "double[]", [p + ".xformOp:rotateZ" for p in robots])
    add_output(prim, "status", "int[]", [p + ".warehouse:status" for p in robots])
    # Kept on the fleet prim: who carries what is for the record, not for each robot's
    # transform (20 fewer attributes written per frame).
    add_output(prim, "order", "int[]")
    for name in ("delivered", "travelled", "rejected", "fault"):
        add_output(prim, name, "int")


def _camera_and_lights(stage: Usd.Stage, layout: Layout) -> None:
    w, h = layout.width * CELL, layout.height * CELL
    camera = UsdGeom.Camera.Define(stage, "/World/Camera")
    camera.CreateFocalLengthAttr(24.0)
    camera.CreateClippingRangeAttr(Gf.Vec2f(0.1, 1000.0))
    eye = Gf.Vec3d(w / 2, -0.35 * h, 0.9 * max(w, h))
    look = Gf.Matrix4d().SetLookAt(eye, Gf.Vec3d(w / 2, h / 2, 0.0), Gf.Vec3d(0.0, 0.0, 1.0))
    camera.AddTransformOp().Set(look.GetInverse())
    sun = UsdLux.DistantLight.Define(stage, "/World/Sun")
    sun.CreateIntensityAttr(3000.0)
    sun.AddRotateXYZOp().Set(Gf.Vec3f(30.0, 0.0, 20.0))
    sky = UsdLux.DomeLight.Define(stage, "/World/Sky")
    sky.CreateIntensityAttr(400.0)
