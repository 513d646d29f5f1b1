"""The LiDAR demo's USD scene: a vehicle driving down a small street, a scanner on its roof,
and a filter, both ``WasmSensor`` prims running the compiled kernel.

Z is up and one unit is a metre. The street (``/World/Street``) is built from UsdGeom Plane,
Cube, Cylinder and Sphere prims with their own transforms: a ground plane tilted 1° across
the street (so a fixed height cut would not find it), buildings on both sides, parked cars,
lamp posts, trees, bollards and crates. The scanner reads them through
``rel inputs:shapes:prims = </World/Street>`` (docs/usd.md, "Geometry inputs"); the ground is
the first target, so its returns carry label 0.

``/World/Vehicle`` drives along x; its ``xformOp:translate`` and ``xformOp:rotateZ`` are time
samples. The scanner (``/World/Vehicle/Lidar/Scanner``) reads them through connections and
writes the scan, in the sensor frame, to ``outputs:points`` (trimmed to the
``points_count`` it returns). The filter (``/World/Vehicle/Lidar/Filter``) has
``inputs:scan`` connected to that output, and its ``outputs:out_xyz`` / ``outputs:colors``
are forwarded to ``/World/Vehicle/Lidar/Filtered``, a UsdGeom.Points prim under the sensor's
Xform, so the filtered cloud sits where it was seen. The raw scan alone is 1.2 MB a frame: the
bake streams the per-frame arrays to value clips beside the result (``portalis.sim.clips``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pxr import Gf, Sdf, Usd, UsdGeom, UsdLux, Vt

from portalis.demos.pipeline import RESULT_FILE, SCENE_FILE, Timeline
from portalis.demos.stage import new_scene
from portalis.usd import WasmSensorSchema, add_input, add_output
from portalis.usd import tokens as t

if TYPE_CHECKING:
    from matplotlib.figure import Figure

STREET = "/World/Street"
GROUND = STREET + "/Ground"
VEHICLE = "/World/Vehicle"
LIDAR = VEHICLE + "/Lidar"
SCANNER = LIDAR + "/Scanner"
FILTER = LIDAR + "/Filter"
FILTERED = LIDAR + "/Filtered"
RESULT = RESULT_FILE

#: The ground's tilt across the street (degrees about x).
GROUND_TILT_DEG = 1.0
#: Buffers the runner gives each sensor's unbound 1-D arrays (three numbers per ray).
BUFFER = 3 * 64 * 1600


@dataclass(frozen=True)
class Drive:
    """How the vehicle moves and how the scan is filtered."""

    frames: int = 20
    fps: float = 10.0
    speed: float = 6.0  # m/s
    start_x: float = -30.0
    beams: int = 64
    steps: int = 1600
    voxel_size: float = 0.2
    seed: int = 7


def vehicle_pose(time: float, drive: Drive) -> tuple[float, float, float]:
    """(x, y, heading in degrees) at ``time`` seconds: down the street, weaving gently."""
    x = drive.start_x + drive.speed * time
    y = 0.8 * math.sin(0.4 * time)
    heading = math.degrees(math.atan2(0.8 * 0.4 * math.cos(0.4 * time), drive.speed))
    return x, y, heading


def ground_height(y: float) -> float:
    """The tilted ground's height at ``y`` (it turns about the x axis)."""
    return y * math.tan(math.radians(GROUND_TILT_DEG))


def make_scene(out_dir: Path, wasm: Path, drive: Drive | None = None) -> Timeline:
    """Write ``out_dir/scene.usd``."""
    drive = drive or Drive()
    write_scene(out_dir / SCENE_FILE, wasm.name, drive)
    return Timeline(drive.frames, drive.fps)


def make_preview(out_dir: Path, wasm: Path) -> tuple[Figure, list[str]]:
    from portalis.demos.lidar.preview import make_preview as preview

    return preview(out_dir)


def write_scene(path: Path, wasm_path: str, drive: Drive) -> None:
    """Write the scene to ``path``; ``wasm_path`` is authored as given."""
    stage = new_scene(path, up_axis=UsdGeom.Tokens.z, frames=drive.frames, fps=drive.fps)
    build_street(stage)
    _vehicle(stage, drive)
    _scanner(stage, wasm_path, drive)
    _filter(stage, wasm_path, drive)
    _camera_and_lights(stage)
    stage.GetRootLayer().Save()


# -- the street -----------------------------------------------------------------------------


def build_street(stage: Usd.Stage, seed: int = 3) -> int:
    """Define the street's shapes under ``/World/Street``; returns how many."""
    rng = np.random.default_rng(seed)
    UsdGeom.Xform.Define(stage, STREET)
    ground = UsdGeom.Plane.Define(stage, GROUND)
    ground.CreateAxisAttr(UsdGeom.Tokens.z)
    ground.CreateWidthAttr(240.0)
    ground.CreateLengthAttr(120.0)
    ground.AddRotateXOp().Set(GROUND_TILT_DEG)
    _colour(ground, (0.35, 0.36, 0.38))
    count = 1
    for side in (-1, 1):
        x = -70.0
        k = 0
        while x < 70.0:  # buildings with gaps between them
            width = float(rng.uniform(8.0, 16.0))
            depth = float(rng.uniform(6.0, 10.0))
            height = float(rng.uniform(6.0, 18.0))
            y = side * (11.0 + depth / 2)
            _box(
                stage,
                f"{STREET}/Building_{'LR'[side > 0]}{k}",
                (x + width / 2, y),
                (width, depth, height),
                float(rng.uniform(-3.0, 3.0)),
                (0.62, 0.55, 0.48),
            )
            x += width + float(rng.uniform(2.0, 6.0))
            k += 1
            count += 1
    for i in range(10):  # parked cars along both kerbs
        side = 1 if i % 2 else -1
        x = -60.0 + 13.0 * i + float(rng.uniform(-2.0, 2.0))
        _box(
            stage,
            f"{STREET}/Car{i}",
            (x, side * 6.5),
            (4.4, 1.8, 1.5),
            float(rng.uniform(-4.0, 4.0)),
            (0.2, 0.3, 0.6),
        )
        count += 1
    for i in range(8):  # lamp posts with a lamp on top
        side = -1 if i % 2 else 1
        lamp = UsdGeom.Xform.Define(stage, f"{STREET}/Lamp{i}")
        lamp.AddTranslateOp().Set(Gf.Vec3d(-63.0 + 18.0 * i, side * 8.5, ground_height(side * 8.5)))
        post = UsdGeom.Cylinder.Define(stage, f"{STREET}/Lamp{i}/Post")
        post.CreateAxisAttr(UsdGeom.Tokens.z)
        post.CreateRadiusAttr(0.12)
        post.CreateHeightAttr(6.0)
        post.AddTranslateOp().Set(Gf.Vec3d(0.0, 0.0, 3.0))
        _colour(post, (0.25, 0.25, 0.27))
        bulb = UsdGeom.Sphere.Define(stage, f"{STREET}/Lamp{i}/Bulb")
        bulb.CreateRadiusAttr(0.35)
        bulb.AddTranslateOp().Set(Gf.Vec3d(0.0, 0.0, 6.2))
        _colour(bulb, (0.95, 0.9, 0.6))
        count += 2
    for i in range(6):  # trees: trunk and crown
        side = 1 if i % 2 else -1
        y = side * 9.2
        tree = UsdGeom.Xform.Define(stage, f"{STREET}/Tree{i}")
        tree.AddTranslateOp().Set(Gf.Vec3d(-52.0 + 21.0 * i, y, ground_height(y)))
        trunk = UsdGeom.Cylinder.Define(stage, f"{STREET}/Tree{i}/Trunk")
        trunk.CreateAxisAttr(UsdGeom.Tokens.z)
        trunk.CreateRadiusAttr(0.2)
        trunk.CreateHeightAttr(3.0)
        trunk.AddTranslateOp().Set(Gf.Vec3d(0.0, 0.0, 1.5))
        _colour(trunk, (0.4, 0.28, 0.16))
        crown = UsdGeom.Sphere.Define(stage, f"{STREET}/Tree{i}/Crown")
        crown.CreateRadiusAttr(1.6)
        crown.AddTranslateOp().Set(Gf.Vec3d(0.0, 0.0, 4.1))
        _colour(crown, (0.2, 0.5, 0.2))
        count += 2
    for i in range(8):  # bollards and crates near the kerb
        side = -1 if i % 2 else 1
        x = -45.0 + 12.0 * i + float(rng.uniform(-1.0, 1.0))
        if i % 3:
            bollard = UsdGeom.Cylinder.Define(stage, f"{STREET}/Bollard{i}")
            bollard.CreateAxisAttr(UsdGeom.Tokens.z)
            bollard.CreateRadiusAttr(0.15)
            bollard.CreateHeightAttr(1.0)
            bollard.AddTranslateOp().Set(Gf.Vec3d(x, side * 4.6, 0.5 + ground_height(side * 4.6)))
            _colour(bollard, (0.8, 0.7, 0.1))
        else:
            _box(
                stage,
                f"{STREET}/Crate{i}",
                (x, side * 4.8),
                (1.2, 1.2, 1.2),
                float(rng.uniform(0.0, 45.0)),
                (0.6, 0.45, 0.25),
            )
        count += 1
    return count


def _box(
    stage: Usd.Stage,
    path: str,
    xy: tuple[float, float],
    size: tuple[float, float, float],
    yaw_deg: float,
    colour: tuple[float, float, float],
) -> None:
    """A unit cube scaled to ``size``, standing on the ground at ``xy``."""
    cube = UsdGeom.Cube.Define(stage, path)
    cube.CreateSizeAttr(1.0)
    z = ground_height(xy[1]) + size[2] / 2
    cube.AddTranslateOp().Set(Gf.Vec3d(xy[0], xy[1], z))
    cube.AddRotateZOp().Set(yaw_deg)
    cube.AddScaleOp().Set(Gf.Vec3f(*size))
    _colour(cube, colour)


def _colour(gprim: UsdGeom.Gprim, rgb: tuple[float, float, float]) -> None:
    gprim.CreateDisplayColorAttr(Vt.Vec3fArray([Gf.Vec3f(*rgb)]))


# -- the vehicle and its sensors ------------------------------------------------------------


def _vehicle(stage: Usd.Stage, drive: Drive) -> None:
    vehicle = UsdGeom.Xform.Define(stage, VEHICLE)
    translate = vehicle.AddTranslateOp()
    heading = vehicle.AddRotateZOp()
    for frame in range(drive.frames + 1):
        x, y, yaw = vehicle_pose(frame / drive.fps, drive)
        translate.Set(Gf.Vec3d(x, y, ground_height(y)), Usd.TimeCode(frame))
        heading.Set(yaw, Usd.TimeCode(frame))
    body = UsdGeom.Cube.Define(stage, VEHICLE + "/Body")
    body.CreateSizeAttr(1.0)
    body.AddTranslateOp().Set(Gf.Vec3d(0.0, 0.0, 0.8))
    body.AddScaleOp().Set(Gf.Vec3f(4.2, 1.8, 1.4))
    _colour(body, (0.85, 0.85, 0.88))
    lidar = UsdGeom.Xform.Define(stage, LIDAR)
    lidar.AddTranslateOp().Set(Gf.Vec3d(0.0, 0.0, 1.8))
    housing = UsdGeom.Cylinder.Define(stage, LIDAR + "/Housing")
    housing.CreateRadiusAttr(0.08)
    housing.CreateHeightAttr(0.1)
    _colour(housing, (0.1, 0.1, 0.1))
    # Before the first scan the cloud is one point at the sensor (an empty Points prim has no
    # extent, which the asset validator refuses); the run writes each frame's cloud and extent.
    points = UsdGeom.Points.Define(stage, FILTERED)
    points.CreatePointsAttr(Vt.Vec3fArray([Gf.Vec3f(0.0, 0.0, 0.0)]))
    points.CreateWidthsAttr(Vt.FloatArray([0.1]))
    points.SetWidthsInterpolation(UsdGeom.Tokens.vertex)
    colours = points.CreateDisplayColorPrimvar(UsdGeom.Tokens.vertex)
    colours.Set(Vt.Vec3fArray([Gf.Vec3f(0.1, 0.1, 0.1)]))
    points.CreateExtentAttr(
        UsdGeom.Boundable.ComputeExtentFromPlugins(points, Usd.TimeCode.Default())
    )


def _scanner(stage: Usd.Stage, wasm_path: str, drive: Drive) -> None:
    prim = WasmSensorSchema.Define(stage, SCANNER)
    prim.GetAttribute(WasmSensorSchema.ATTR_WASM_PATH).Set(Sdf.AssetPath(wasm_path))
    prim.GetAttribute(WasmSensorSchema.ATTR_MODULE_ID).Set("lidar_scanner")
    prim.GetAttribute(t.SENSOR_TYPE).Set("lidar")
    prim.GetAttribute(t.PROCESSING_FUNCTION).Set("scan")
    prim.GetAttribute(t.UPDATE_RATE).Set(drive.fps)
    prim.GetAttribute(t.DATA_BUFFER_SIZE).Set(BUFFER)
    prim.CreateRelationship(t.INPUTS + "shapes:prims").SetTargets([Sdf.Path(STREET)])
    add_input(prim, "pose", "double3", connect=VEHICLE + ".xformOp:translate")
    add_input(prim, "heading_deg", "double", connect=VEHICLE + ".xformOp:rotateZ")
    add_input(prim, "mount_height", "double", 1.8)
    add_input(prim, "beams", "int", drive.beams)
    add_input(prim, "steps", "int", drive.steps)
    add_input(prim, "seed", "int", drive.seed)
    add_output(prim, "points", "point3f[]")
    add_output(prim, "labels", "int[]")
    add_output(prim, "points_count", "int")
    add_output(prim, "spurious", "int")


def _filter(stage: Usd.Stage, wasm_path: str, drive: Drive) -> None:
    prim = WasmSensorSchema.Define(stage, FILTER)
    prim.GetAttribute(WasmSensorSchema.ATTR_WASM_PATH).Set(Sdf.AssetPath(wasm_path))
    prim.GetAttribute(WasmSensorSchema.ATTR_MODULE_ID).Set("lidar_filter")
    prim.GetAttribute(t.SENSOR_TYPE).Set("lidar")
    prim.GetAttribute(t.PROCESSING_FUNCTION).Set("filter_cloud")
    prim.GetAttribute(t.UPDATE_RATE).Set(drive.fps)
    prim.GetAttribute(t.DATA_BUFFER_SIZE).Set(BUFFER)
    add_input(prim, "scan", "point3f[]", Vt.Vec3fArray(), connect=SCANNER + ".outputs:points")
    add_input(prim, "voxel_size", "double", drive.voxel_size)
    points = stage.GetPrimAtPath(FILTERED)
    add_output(prim, "out_xyz", "point3f[]", [points.GetAttribute("points")])
    add_output(prim, "colors", "color3f[]", [points.GetAttribute("primvars:displayColor")])
    add_output(prim, "widths", "float[]", [points.GetAttribute("widths")])
    add_output(prim, "fate", "int[]")
    for name in ("out_xyz_count", "in_crop", "voxels", "ground", "outliers"):
        add_output(prim, name, "int")


def _camera_and_lights(stage: Usd.Stage) -> None:
    camera = UsdGeom.Camera.Define(stage, "/World/Camera")
    camera.CreateFocalLengthAttr(24.0)
    eye = Gf.Vec3d(-45.0, -30.0, 25.0)
    look = Gf.Matrix4d().SetLookAt(eye, Gf.Vec3d(-10.0, 0.0, 0.0), Gf.Vec3d(0.0, 0.0, 1.0))
    camera.AddTransformOp().Set(look.GetInverse())
    sun = UsdLux.DistantLight.Define(stage, "/World/Sun")
    sun.CreateIntensityAttr(3000.0)
    sun.AddRotateXYZOp().Set(Gf.Vec3f(40.0, 0.0, 30.0))
    sky = UsdLux.DomeLight.Define(stage, "/World/Sky")
    sky.CreateIntensityAttr(400.0)
