"""The projectile demo's USD scene: ground, launcher, camera and lights, a ball driven frame by
frame by a WasmPhysics prim running the compiled kernel, and the trail of the ball's computed
path as a BasisCurves.

Y is up and one unit is a metre. The physics prim binds the kernel's ``step`` (its physics
function) and ``on_ground_contact`` (its collision handler); ``gravityOverride`` and
``forceMultiplier`` reach ``step`` by parameter name, the ball's radius reaches both through a
connection to the Sphere's own ``radius``, and the step's position results are forwarded to
the ball's translate (docs/usd.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pxr import Gf, Sdf, Usd, UsdGeom, UsdLux, Vt

from portalis.demos.pipeline import RESULT_FILE, SCENE_FILE, Timeline
from portalis.demos.projectile.preview import Figures, render
from portalis.demos.stage import new_scene
from portalis.runtime.kernel import load
from portalis.usd import WasmPhysicsSchema, add_input, add_output

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BALL = "/World/Ball"
PHYSICS = "/World/Physics"
TRAIL = "/World/Trail"


@dataclass(frozen=True)
class Launch:
    """What the demo fires, and how long it watches."""

    speed: float = 20.0
    angle_deg: float = 45.0
    height: float = 0.0
    gravity: float = 9.81
    force_multiplier: float = 1.0
    restitution: float = 0.7
    radius: float = 0.25
    fps: float = 60.0
    seconds: float = 10.0

    @property
    def frames(self) -> int:
        return round(self.seconds * self.fps)


def make_scene(out_dir: Path, wasm: Path, launch: Launch | None = None) -> Timeline:
    """Write ``out_dir/scene.usd``; its trail is the path the compiled kernel computes."""
    launch = launch or Launch()
    write_scene(out_dir / SCENE_FILE, wasm.name, launch, computed_path(wasm, launch))
    return Timeline(launch.frames, launch.fps)


def computed_path(wasm: Path, launch: Launch) -> np.ndarray:
    """The ball's centre at frames 0 … N, from the compiled kernel run on its own (its
    ``simulate`` is one step and, on contact, the collision handler: what the runner does)."""
    with load(wasm) as kernel:
        start = (0.0, launch.height + launch.radius, 0.0)
        frames = [
            kernel.simulate(
                1.0 / launch.fps,
                gravityOverride_y=-launch.gravity,
                forceMultiplier=launch.force_multiplier,
                restitution=launch.restitution,
                speed=launch.speed,
                angle_deg=launch.angle_deg,
                height=launch.height,
                radius=launch.radius,
            )
            for _ in range(launch.frames)
        ]
    return np.array([start, *frames])


def make_preview(
    out_dir: Path, wasm: Path, launch: Launch | None = None
) -> tuple[Figure, list[str]]:
    """The picture of ``out_dir/result.usd``: the ball's translate as the run wrote it, and
    the closed-form figures from the compiled kernel."""
    launch = launch or Launch()
    stage = Usd.Stage.Open(str(out_dir / RESULT_FILE))
    translate = stage.GetAttributeAtPath(f"{BALL}.xformOp:translate")
    frames = translate.GetTimeSamples()
    positions = np.array([tuple(translate.Get(f)) for f in frames])
    times = np.array(frames) / launch.fps
    with load(wasm) as kernel:
        args = (launch.speed, launch.angle_deg, launch.height, launch.gravity)
        figures = Figures(
            launch.speed,
            launch.angle_deg,
            launch.gravity,
            kernel.calculate_range(*args),
            kernel.calculate_max_height(*args),
            kernel.calculate_impact_time(*args),
        )
    contact = stage.GetAttributeAtPath(f"{PHYSICS}.outputs:contact")
    contact_frames = np.array([frames.index(f) for f in contact.GetTimeSamples() if contact.Get(f)])
    trail = stage.GetAttributeAtPath(f"{TRAIL}.points").Get()
    gap = float(np.max(np.abs(np.asarray(trail)[: len(positions)] - positions)))
    findings = [
        f"closed form (compiled kernel): range {figures.range_m:.3f} m, max height "
        f"{figures.max_height_m:.3f} m, impact {figures.impact_time_s:.3f} s",
        f"run: {len(frames)} frames; the ball's path matches the scene's trail to {gap:.2e} m",
    ]
    findings.append(
        f"contacts reported by the step (collision handler called): {len(contact_frames)}"
    )
    picture = render(times, positions, contact_frames, launch.radius, figures, launch.height)
    return picture, findings


def write_scene(path: Path, wasm_path: str, launch: Launch, trail: np.ndarray) -> None:
    """Write the scene to ``path``. ``wasm_path`` is authored as given (relative paths resolve
    against ``path``'s folder); ``trail`` is the ball's computed path, one (x, y, z) per row."""
    stage = new_scene(path, up_axis=UsdGeom.Tokens.y, frames=launch.frames, fps=launch.fps)

    _ground(stage, length=max(60.0, float(trail[:, 0].max()) + 20.0))
    _launcher(stage, launch.angle_deg, launch.height)
    ball = UsdGeom.Sphere.Define(stage, BALL)
    ball.CreateRadiusAttr(launch.radius)
    ball.CreateDisplayColorAttr(Vt.Vec3fArray([Gf.Vec3f(0.84, 0.2, 0.16)]))
    start = Gf.Vec3d(0.0, launch.height + launch.radius, 0.0)
    ball.AddTranslateOp().Set(start)
    _trail(stage, trail)
    _camera_and_lights(stage, trail)
    _physics(stage, wasm_path, launch)
    stage.GetRootLayer().Save()


def _physics(stage: Usd.Stage, wasm_path: str, launch: Launch) -> None:
    prim = WasmPhysicsSchema.Define(stage, PHYSICS)
    prim.GetAttribute(WasmPhysicsSchema.ATTR_WASM_PATH).Set(Sdf.AssetPath(wasm_path))
    prim.GetAttribute(WasmPhysicsSchema.ATTR_MODULE_ID).Set("projectile")
    prim.GetAttribute(WasmPhysicsSchema.ATTR_UPDATE_RATE).Set(launch.fps)
    prim.GetAttribute(WasmPhysicsSchema.ATTR_PHYSICS_FUNCTION).Set("step")
    prim.GetAttribute(WasmPhysicsSchema.ATTR_COLLISION_HANDLER).Set("on_ground_contact")
    prim.GetAttribute(WasmPhysicsSchema.ATTR_GRAVITY_OVERRIDE).Set(
        Gf.Vec3f(0.0, -launch.gravity, 0.0)
    )
    prim.GetAttribute(WasmPhysicsSchema.ATTR_FORCE_MULTIPLIER).Set(launch.force_multiplier)
    add_input(prim, "speed", "double", launch.speed)
    add_input(prim, "angle_deg", "double", launch.angle_deg)
    add_input(prim, "height", "double", launch.height)
    add_input(prim, "restitution", "double", launch.restitution)
    add_input(prim, "radius", "double", connect=f"{BALL}.radius")
    # The step's results (x, y, z, contact) bind to outputs in authored order: position, then
    # contact, the output the runner watches to call the collision handler. A .usda file
    # lists properties alphabetically, so the order is stated explicitly (propertyOrder).
    add_output(prim, "position", "double3", [f"{BALL}.xformOp:translate"])
    add_output(prim, "contact", "bool")
    prim.SetPropertyOrder(["outputs:position", "outputs:contact"])


def _ground(stage: Usd.Stage, length: float) -> None:
    ground = UsdGeom.Cube.Define(stage, "/World/Ground")
    ground.CreateSizeAttr(1.0)
    ground.AddTranslateOp().Set(Gf.Vec3d(length / 2.0 - 10.0, -0.05, 0.0))
    ground.AddScaleOp().Set(Gf.Vec3f(length, 0.1, 30.0))
    ground.CreateDisplayColorAttr(Vt.Vec3fArray([Gf.Vec3f(0.42, 0.55, 0.3)]))


def _launcher(stage: Usd.Stage, angle_deg: float, height: float) -> None:
    launcher = UsdGeom.Xform.Define(stage, "/World/Launcher")
    launcher.AddTranslateOp().Set(Gf.Vec3d(0.0, height, 0.0))
    base = UsdGeom.Cube.Define(stage, "/World/Launcher/Base")
    base.CreateSizeAttr(1.0)
    base.AddTranslateOp().Set(Gf.Vec3d(-0.3, -0.25, 0.0))
    base.AddScaleOp().Set(Gf.Vec3f(1.4, 0.5, 1.0))
    base.CreateDisplayColorAttr(Vt.Vec3fArray([Gf.Vec3f(0.25, 0.25, 0.28)]))
    barrel = UsdGeom.Cylinder.Define(stage, "/World/Launcher/Barrel")
    barrel.CreateAxisAttr(UsdGeom.Tokens.y)
    barrel.CreateRadiusAttr(0.3)
    barrel.CreateHeightAttr(2.0)
    # A Y-axis cylinder turned by (angle - 90)° about Z points along the launch direction;
    # its centre sits one half-length out along it.
    a = math.radians(angle_deg)
    barrel.AddTranslateOp().Set(Gf.Vec3d(math.cos(a), math.sin(a), 0.0))
    barrel.AddRotateZOp().Set(angle_deg - 90.0)
    barrel.CreateDisplayColorAttr(Vt.Vec3fArray([Gf.Vec3f(0.35, 0.36, 0.4)]))


def _trail(stage: Usd.Stage, trail: np.ndarray) -> None:
    curve = UsdGeom.BasisCurves.Define(stage, TRAIL)
    curve.CreateTypeAttr(UsdGeom.Tokens.linear)
    curve.CreateCurveVertexCountsAttr(Vt.IntArray([len(trail)]))
    curve.CreatePointsAttr(Vt.Vec3fArray.FromNumpy(np.ascontiguousarray(trail, np.float32)))
    curve.CreateWidthsAttr(Vt.FloatArray([0.06]))
    curve.SetWidthsInterpolation(UsdGeom.Tokens.constant)
    curve.CreateDisplayColorAttr(Vt.Vec3fArray([Gf.Vec3f(0.13, 0.4, 0.67)]))
    curve.CreateExtentAttr(
        UsdGeom.Boundable.ComputeExtentFromPlugins(curve, Usd.TimeCode.Default())
    )


def _camera_and_lights(stage: Usd.Stage, trail: np.ndarray) -> None:
    # Side on, far enough back for the whole path to fit a 54° horizontal field of view.
    x_mid = float(trail[:, 0].max()) / 2.0
    span = float(trail[:, 0].max()) + 10.0
    camera = UsdGeom.Camera.Define(stage, "/World/Camera")
    camera.CreateFocalLengthAttr(35.0)
    camera.CreateHorizontalApertureAttr(36.0)
    camera.CreateVerticalApertureAttr(20.25)
    camera.AddTranslateOp().Set(Gf.Vec3d(x_mid, float(trail[:, 1].max()) / 2.0, span * 0.97))
    sun = UsdLux.DistantLight.Define(stage, "/World/Sun")
    sun.CreateIntensityAttr(3000.0)
    sun.AddRotateXYZOp().Set(Gf.Vec3f(-50.0, 30.0, 0.0))
    sky = UsdLux.DomeLight.Define(stage, "/World/Sky")
    sky.CreateIntensityAttr(400.0)
