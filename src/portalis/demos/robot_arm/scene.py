"""The robot-arm demo's USD scene: a UR5 built from its DH table as a chain of joint Xforms,
a target sphere moving along a path, and a WasmRobotics prim running the compiled kernel.

Z is up and one unit is a metre. Joint i is an Xform whose ops are the DH transform
Rz(θi)·T(ai, 0, di)·Rx(αi): ``xformOp:rotateZ`` is θi in degrees, the module's output. Its
children, drawn in frame i, are the link back to frame i-1 and the housing of the next joint.
The robotics prim's ``endEffectorTarget`` is time-sampled along the path (the target sphere
carries the same samples), ``jointTargets`` holds the home posture, ``controlMode`` chooses
position or velocity control (docs/usd.md: they reach the kernel by parameter name).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pxr import Gf, Sdf, Usd, UsdGeom, UsdLux, Vt

from portalis.demos.pipeline import RESULT_FILE, SCENE_FILE, Timeline
from portalis.demos.robot_arm.preview import Run, render
from portalis.demos.robot_arm.ur5 import DH, HOME
from portalis.demos.stage import new_scene
from portalis.usd import WasmRoboticsSchema, add_input, add_output

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["DH", "HOME", "Motion", "make_preview", "make_scene", "target_path", "write_scene"]

ROBOT = "/World/Robot"
CONTROLLER = "/World/Controller"
TARGET = "/World/Target"

LINK_COLOUR = Gf.Vec3f(0.75, 0.78, 0.82)
JOINT_COLOUR = Gf.Vec3f(0.2, 0.45, 0.7)


@dataclass(frozen=True)
class Motion:
    """The target's path and how the arm is driven."""

    control_mode: str = "velocity"
    max_joint_speed: float = 2.0
    fps: float = 60.0
    seconds: float = 8.0

    @property
    def frames(self) -> int:
        return round(self.seconds * self.fps)


def target_path(t: np.ndarray | float, period: float = 8.0) -> np.ndarray:
    """A figure of eight in front of the arm, tilted so it needs every joint (rows of x, y, z)."""
    s = 2.0 * math.pi * np.asarray(t, dtype=np.float64) / period
    return np.stack(
        [-0.42 + 0.1 * np.sin(2.0 * s), 0.28 * np.sin(s), 0.3 + 0.12 * np.cos(s)], axis=-1
    )


def joint_path(i: int) -> str:
    """The prim path of joint ``i`` (1-based): each joint is a child of the previous one."""
    return ROBOT + "".join(f"/Joint{j}" for j in range(1, i + 1))


def make_scene(out_dir: Path, wasm: Path, motion: Motion | None = None) -> Timeline:
    """Write ``out_dir/scene.usd``."""
    motion = motion or Motion()
    write_scene(out_dir / SCENE_FILE, wasm.name, motion)
    return Timeline(motion.frames, motion.fps)


def make_preview(
    out_dir: Path, wasm: Path, motion: Motion | None = None
) -> tuple[Figure, list[str]]:
    """The picture of ``out_dir/result.usd``: the joint rotations the run wrote, the targets
    the controller was given."""
    motion = motion or Motion()
    stage = Usd.Stage.Open(str(out_dir / RESULT_FILE))
    rotations = [stage.GetAttributeAtPath(joint_path(i) + ".xformOp:rotateZ") for i in range(1, 7)]
    frames = rotations[0].GetTimeSamples()
    joints = np.radians([[r.Get(f) for r in rotations] for f in frames])
    target_attr = stage.GetPrimAtPath(CONTROLLER).GetAttribute(
        WasmRoboticsSchema.ATTR_END_EFFECTOR_TARGET
    )
    targets = np.array([tuple(target_attr.Get(f)) for f in frames], dtype=np.float64)
    run = Run(np.array(frames) / motion.fps, joints, targets, motion.control_mode)
    picture, errors_mm = render(run)
    settled = errors_mm[len(errors_mm) // 4 :]
    findings = [
        f"{len(frames)} frames of joint rotations; {motion.control_mode} control, at most "
        f"{motion.max_joint_speed:g} rad/s per joint",
        f"end effector to target after the first quarter: median {np.median(settled):.1e} mm, "
        f"max {settled.max():.3f} mm",
    ]
    return picture, findings


def write_scene(
    path: Path,
    wasm_path: str,
    motion: Motion,
    path_fn: Callable[[np.ndarray], np.ndarray] = target_path,
) -> None:
    """Write the scene to ``path``; ``wasm_path`` is authored as given."""
    stage = new_scene(path, up_axis=UsdGeom.Tokens.z, frames=motion.frames, fps=motion.fps)

    times = np.arange(motion.frames + 1) / motion.fps
    targets = path_fn(times)
    _floor(stage)
    _arm(stage)
    _target(stage, targets)
    _controller(stage, wasm_path, motion, targets)
    _camera_and_lights(stage)
    stage.GetRootLayer().Save()


def _arm(stage: Usd.Stage) -> None:
    UsdGeom.Xform.Define(stage, ROBOT)
    base = UsdGeom.Cylinder.Define(stage, ROBOT + "/Base")
    base.CreateAxisAttr(UsdGeom.Tokens.z)
    base.CreateRadiusAttr(0.075)
    base.CreateHeightAttr(0.089159)
    base.AddTranslateOp().Set(Gf.Vec3d(0.0, 0.0, 0.089159 / 2))
    base.CreateDisplayColorAttr(Vt.Vec3fArray([JOINT_COLOUR]))
    for i, (d, a, alpha) in enumerate(DH, start=1):
        joint = UsdGeom.Xform.Define(stage, joint_path(i))
        joint.AddRotateZOp().Set(math.degrees(HOME[i - 1]))
        joint.AddTranslateOp().Set(Gf.Vec3d(a, 0.0, d))
        joint.AddRotateXOp().Set(math.degrees(alpha))
        # Frame i-1's origin seen from frame i: Rx(-α)·(-a, 0, -d) = (-a, -d·sin α, -d·cos α).
        back = np.array([-a, -d * math.sin(alpha), -d * math.cos(alpha)])
        back[np.abs(back) < 1e-12] = 0.0
        _link(stage, joint_path(i) + "/Link", back)
        if i < 6:  # the housing of joint i+1 turns about frame i's z axis
            housing = UsdGeom.Cylinder.Define(stage, joint_path(i) + "/Housing")
            housing.CreateAxisAttr(UsdGeom.Tokens.z)
            housing.CreateRadiusAttr(0.06)
            housing.CreateHeightAttr(0.13)
            housing.CreateDisplayColorAttr(Vt.Vec3fArray([JOINT_COLOUR]))
        else:
            tool = UsdGeom.Sphere.Define(stage, joint_path(i) + "/Tool")
            tool.CreateRadiusAttr(0.03)
            tool.CreateDisplayColorAttr(Vt.Vec3fArray([Gf.Vec3f(0.9, 0.6, 0.1)]))


def _link(stage: Usd.Stage, path: str, back: np.ndarray) -> None:
    """A cylinder from the frame's origin to ``back`` (always along one axis for the UR5)."""
    length = float(np.linalg.norm(back))
    if length == 0.0:
        return
    axis = int(np.argmax(np.abs(back)))
    link = UsdGeom.Cylinder.Define(stage, path)
    link.CreateAxisAttr("XYZ"[axis])
    link.CreateRadiusAttr(0.045)
    link.CreateHeightAttr(length)
    link.AddTranslateOp().Set(Gf.Vec3d(*(back / 2.0)))
    link.CreateDisplayColorAttr(Vt.Vec3fArray([LINK_COLOUR]))


def _target(stage: Usd.Stage, targets: np.ndarray) -> None:
    sphere = UsdGeom.Sphere.Define(stage, TARGET)
    sphere.CreateRadiusAttr(0.025)
    sphere.CreateDisplayColorAttr(Vt.Vec3fArray([Gf.Vec3f(0.84, 0.2, 0.16)]))
    op = sphere.AddTranslateOp()
    for frame, p in enumerate(targets):
        op.Set(Gf.Vec3d(*p), Usd.TimeCode(frame))
    path = UsdGeom.BasisCurves.Define(stage, "/World/TargetPath")
    path.CreateTypeAttr(UsdGeom.Tokens.linear)
    path.CreateCurveVertexCountsAttr(Vt.IntArray([len(targets)]))
    path.CreatePointsAttr(Vt.Vec3fArray.FromNumpy(np.ascontiguousarray(targets, np.float32)))
    path.CreateWidthsAttr(Vt.FloatArray([0.006]))
    path.SetWidthsInterpolation(UsdGeom.Tokens.constant)
    path.CreateDisplayColorAttr(Vt.Vec3fArray([Gf.Vec3f(0.84, 0.38, 0.3)]))
    path.CreateExtentAttr(UsdGeom.Boundable.ComputeExtentFromPlugins(path, Usd.TimeCode.Default()))


def _controller(stage: Usd.Stage, wasm_path: str, motion: Motion, targets: np.ndarray) -> None:
    prim = WasmRoboticsSchema.Define(stage, CONTROLLER, num_joints=6)
    prim.GetAttribute(WasmRoboticsSchema.ATTR_WASM_PATH).Set(Sdf.AssetPath(wasm_path))
    prim.GetAttribute(WasmRoboticsSchema.ATTR_MODULE_ID).Set("robot_arm")
    prim.GetAttribute(WasmRoboticsSchema.ATTR_UPDATE_RATE).Set(motion.fps)
    prim.GetAttribute(WasmRoboticsSchema.ATTR_KINEMATICS_FUNCTION).Set("update")
    prim.GetAttribute(WasmRoboticsSchema.ATTR_CONTROL_MODE).Set(motion.control_mode)
    prim.GetAttribute(WasmRoboticsSchema.ATTR_JOINT_TARGETS).Set(Vt.FloatArray(list(HOME)))
    target_attr = prim.GetAttribute(WasmRoboticsSchema.ATTR_END_EFFECTOR_TARGET)
    for frame, p in enumerate(targets):
        target_attr.Set(Gf.Vec3f(*p), Usd.TimeCode(frame))
    add_input(prim, "maxJointSpeed", "double", motion.max_joint_speed)
    # The six results (θ1 … θ6 in degrees) bind to outputs in authored order; propertyOrder
    # states it, since a .usda file lists properties alphabetically.
    names = [f"theta{i}" for i in range(1, 7)]
    for i, name in enumerate(names, start=1):
        add_output(prim, name, "double", [joint_path(i) + ".xformOp:rotateZ"])
    prim.SetPropertyOrder([f"outputs:{name}" for name in names])


def _floor(stage: Usd.Stage) -> None:
    floor = UsdGeom.Cube.Define(stage, "/World/Floor")
    floor.CreateSizeAttr(1.0)
    floor.AddTranslateOp().Set(Gf.Vec3d(0.0, 0.0, -0.01))
    floor.AddScaleOp().Set(Gf.Vec3f(3.0, 3.0, 0.02))
    floor.CreateDisplayColorAttr(Vt.Vec3fArray([Gf.Vec3f(0.6, 0.6, 0.62)]))


def _camera_and_lights(stage: Usd.Stage) -> None:
    camera = UsdGeom.Camera.Define(stage, "/World/Camera")
    camera.CreateFocalLengthAttr(30.0)
    eye = Gf.Vec3d(1.6, -1.9, 1.2)
    look = Gf.Matrix4d().SetLookAt(eye, Gf.Vec3d(-0.3, 0.0, 0.3), Gf.Vec3d(0.0, 0.0, 1.0))
    camera.AddTransformOp().Set(look.GetInverse())
    sun = UsdLux.DistantLight.Define(stage, "/World/Sun")
    sun.CreateIntensityAttr(3000.0)
    sun.AddRotateXYZOp().Set(Gf.Vec3f(40.0, 0.0, 30.0))
    sky = UsdLux.DomeLight.Define(stage, "/World/Sky")
    sky.CreateIntensityAttr(400.0)
