"""The demos end to end: kernel compiled, scene written, run headless by the stage runner,
result layer and preview written — and the scene's attributes taking effect."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from pxr import Usd

import portalis.usd  # noqa: F401  (schemas registered before any stage is opened)
from portalis.cli.main import main
from portalis.demos.pipeline import (
    KERNEL_WASM,
    PREVIEW_PNG,
    RESULT_FILE,
    SCENE_FILE,
    DemoRun,
    run_demo,
    run_headless,
)
from portalis.demos.projectile import scene as projectile_scene
from portalis.demos.robot_arm import scene as arm_scene
from portalis.demos.robot_arm.ur5 import joint_origins


def read_png(path: Path) -> np.ndarray:
    """The preview as an RGB(A) array of floats, read back by matplotlib."""
    from matplotlib.image import imread

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return imread(path)


def headless(folder: Path, wasm: Path, frames: int, fps: float) -> DemoRun:
    from portalis.demos import get_demo
    from portalis.demos.pipeline import Timeline

    timeline = Timeline(frames, fps)
    run = DemoRun(get_demo("projectile"), folder, timeline)
    run_headless(folder / SCENE_FILE, folder / RESULT_FILE, timeline, run)
    return run


@pytest.fixture(scope="module")
def projectile_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    return run_demo("projectile", tmp_path_factory.mktemp("projectile"))


@pytest.fixture(scope="module")
def arm_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    return run_demo("robot-arm", tmp_path_factory.mktemp("arm"))


def test_projectile_writes_every_file(projectile_run: DemoRun) -> None:
    for name in (KERNEL_WASM, SCENE_FILE, RESULT_FILE, PREVIEW_PNG):
        assert projectile_run.path(name).stat().st_size > 0
    for source in ("kernel.py", "metrics.py"):  # the sources, to read and to sweep with
        packaged = projectile_run.demo.path / source
        assert projectile_run.path(source).read_bytes() == packaged.read_bytes()
    assert projectile_run.failures == []
    picture = read_png(projectile_run.path(PREVIEW_PNG))
    assert picture.shape[2] in (3, 4) and picture.shape[0] > 400
    rgb = np.round(picture[..., :3] * 255).astype(np.int64).reshape(-1, 3)
    assert len(np.unique(rgb @ np.array([65536, 256, 1]))) > 50  # a drawing, not a blank


def test_projectile_result_layer_animates_the_ball(projectile_run: DemoRun) -> None:
    result = Usd.Stage.Open(str(projectile_run.path(RESULT_FILE)))
    assert [Path(p).name for p in result.GetRootLayer().subLayerPaths] == [SCENE_FILE]
    translate = result.GetAttributeAtPath(f"{projectile_scene.BALL}.xformOp:translate")
    frames = translate.GetTimeSamples()
    assert frames == [float(f) for f in range(projectile_run.timeline.frames + 1)]
    positions = np.array([tuple(translate.Get(f)) for f in frames])
    trail = np.asarray(result.GetAttributeAtPath(f"{projectile_scene.TRAIL}.points").Get())
    assert positions == pytest.approx(trail, abs=1e-4)  # the trail is the computed path
    launch = projectile_scene.Launch()
    # The first touchdown: the frame whose step reported contact lands past the closed-form
    # range, the one before short of it.
    contact = result.GetAttributeAtPath(f"{projectile_scene.PHYSICS}.outputs:contact")
    first = next(f for f in frames if f > 0 and contact.Get(f))
    impact = math.radians(launch.angle_deg)
    range_m = launch.speed**2 * math.sin(2 * impact) / launch.gravity
    assert positions[int(first) - 1][0] < range_m < positions[int(first)][0]
    assert first == math.ceil(2 * launch.speed * math.sin(impact) / launch.gravity * launch.fps)
    assert np.all(positions[:, 1] >= launch.radius - 1e-9)


def test_projectile_scene_file_is_untouched_by_the_run(tmp_path: Path) -> None:
    wasm = tmp_path / KERNEL_WASM
    from portalis.lang import build

    build(projectile_scene.__file__.replace("scene.py", "kernel.py"), wasm)
    projectile_scene.make_scene(tmp_path, wasm, projectile_scene.Launch(seconds=1.0))
    before = (tmp_path / SCENE_FILE).read_bytes()
    headless(tmp_path, wasm, 60, 60.0)
    assert (tmp_path / SCENE_FILE).read_bytes() == before


@pytest.mark.parametrize(
    ("gravity", "force_multiplier"), [(1.62, 1.0), (9.81, 0.5)], ids=["moon", "half-force"]
)
def test_gravity_override_and_force_multiplier_reach_the_kernel(
    tmp_path: Path, gravity: float, force_multiplier: float
) -> None:
    from portalis.lang import build

    wasm = build(projectile_scene.__file__.replace("scene.py", "kernel.py"), tmp_path / "k.wasm")
    launch = projectile_scene.Launch(gravity=gravity, force_multiplier=force_multiplier, seconds=2)
    projectile_scene.write_scene(
        tmp_path / SCENE_FILE,
        wasm.name,
        launch,
        np.zeros((2, 3)),  # trail not under test
    )
    headless(tmp_path, wasm, launch.frames, launch.fps)
    result = Usd.Stage.Open(str(tmp_path / RESULT_FILE))
    translate = result.GetAttributeAtPath(f"{projectile_scene.BALL}.xformOp:translate")
    t = 1.0
    x, y, _ = translate.Get(launch.fps * t)
    g = gravity * force_multiplier
    v = launch.speed * math.sqrt(0.5)
    # gravityOverride is a float3: the kernel gets g rounded to single precision.
    assert (x, y) == pytest.approx((v * t, launch.radius + v * t - 0.5 * g * t * t), abs=1e-6)


def test_restitution_input_and_collision_handler_bounce_the_ball(tmp_path: Path) -> None:
    from portalis.lang import build

    wasm = build(projectile_scene.__file__.replace("scene.py", "kernel.py"), tmp_path / "k.wasm")
    heights = []
    for restitution in (0.8, 0.4):
        folder = tmp_path / str(restitution)
        folder.mkdir()
        shutil.copy(wasm, folder / wasm.name)
        launch = projectile_scene.Launch(restitution=restitution, seconds=4.5)
        projectile_scene.write_scene(folder / SCENE_FILE, wasm.name, launch, np.zeros((2, 3)))
        headless(folder, folder / wasm.name, launch.frames, launch.fps)
        result = Usd.Stage.Open(str(folder / RESULT_FILE))
        translate = result.GetAttributeAtPath(f"{projectile_scene.BALL}.xformOp:translate")
        after_bounce = [translate.Get(f)[1] for f in range(200, launch.frames + 1)]
        heights.append(max(after_bounce) - launch.radius)
    # The second arc rises to restitution² times the first arc's 10.194 m.
    first_arc = 20.0**2 * 0.5 / (2 * 9.81)
    assert heights[0] == pytest.approx(0.64 * first_arc, rel=1e-3)
    assert heights[1] == pytest.approx(0.16 * first_arc, rel=1e-3)


def arm_joints(stage: Usd.Stage) -> tuple[list[float], np.ndarray]:
    rotations = [
        stage.GetAttributeAtPath(arm_scene.joint_path(i) + ".xformOp:rotateZ") for i in range(1, 7)
    ]
    frames = rotations[0].GetTimeSamples()
    return frames, np.radians([[r.Get(f) for r in rotations] for f in frames])


def test_robot_arm_end_to_end_tracks_the_target(arm_run: DemoRun) -> None:
    assert arm_run.failures == []
    assert read_png(arm_run.path(PREVIEW_PNG)).shape[0] > 400
    stage = Usd.Stage.Open(str(arm_run.path(RESULT_FILE)))
    frames, joints = arm_joints(stage)
    assert len(frames) == arm_run.timeline.frames + 1
    target = stage.GetPrimAtPath(arm_scene.CONTROLLER).GetAttribute("endEffectorTarget")
    fps = arm_run.timeline.fps
    for f, q in zip(frames, joints, strict=True):
        if f >= fps:  # after a second of catching up from home
            tip = joint_origins(q)[-1]
            assert np.linalg.norm(tip - np.array(target.Get(f))) < 1e-3
    # The USD joint chain puts the tool where the kernel's FK says.
    from pxr import UsdGeom

    tool = UsdGeom.Xformable(stage.GetPrimAtPath(arm_scene.joint_path(6)))
    world = tool.ComputeLocalToWorldTransform(Usd.TimeCode(frames[-1])).ExtractTranslation()
    assert tuple(world) == pytest.approx(tuple(joint_origins(joints[-1])[-1]), abs=1e-9)


@pytest.mark.parametrize("mode", ["position", "velocity"])
def test_control_mode_reaches_the_kernel(tmp_path: Path, mode: str) -> None:
    from portalis.lang import build

    wasm = build(arm_scene.__file__.replace("scene.py", "kernel.py"), tmp_path / KERNEL_WASM)
    motion = arm_scene.Motion(control_mode=mode, max_joint_speed=1.0, seconds=0.5)
    # A target away from home, held still: position mode is there at once, velocity mode moves
    # each joint by at most max_joint_speed / fps per frame.
    arm_scene.write_scene(
        tmp_path / SCENE_FILE, wasm.name, motion, lambda t: np.tile([-0.3, 0.3, 0.25], (len(t), 1))
    )
    headless(tmp_path, wasm, motion.frames, motion.fps)
    _, joints = arm_joints(Usd.Stage.Open(str(tmp_path / RESULT_FILE)))
    first_gap = np.linalg.norm(joint_origins(joints[1])[-1] - [-0.3, 0.3, 0.25])
    steps = np.abs(np.diff(joints, axis=0))
    if mode == "position":
        assert first_gap < 1e-3
    else:
        assert first_gap > 0.05
        assert steps.max() <= motion.max_joint_speed / motion.fps + 1e-6


def test_cli_lists_and_refuses_unknown_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--list"]) == 0
    listed = capsys.readouterr().out
    assert "projectile" in listed and "robot-arm" in listed
    assert main(["demo", "no-such-demo"]) == 1
    assert "no demo called 'no-such-demo'" in capsys.readouterr().err


def test_cli_runs_a_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "projectile", "-o", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / PREVIEW_PNG).exists()
    assert "range 40.775 m, max height 10.194 m" in capsys.readouterr().out


def test_torque_mode_is_reported_not_faked(tmp_path: Path) -> None:
    from portalis.demos import get_demo
    from portalis.demos.pipeline import Timeline
    from portalis.errors import SceneError
    from portalis.lang import build

    wasm = build(arm_scene.__file__.replace("scene.py", "kernel.py"), tmp_path / KERNEL_WASM)
    motion = arm_scene.Motion(control_mode="torque", seconds=0.2)
    arm_scene.write_scene(tmp_path / SCENE_FILE, wasm.name, motion)
    timeline = Timeline(motion.frames, motion.fps)
    run = DemoRun(get_demo("robot-arm"), tmp_path, timeline)
    with pytest.raises(SceneError, match=r"/World/Controller: robot_arm::update: .*AssertionError"):
        run_headless(tmp_path / SCENE_FILE, tmp_path / RESULT_FILE, timeline, run)
    assert (tmp_path / RESULT_FILE).exists()  # what ran before the failure is kept


def test_an_edited_kernel_is_kept_and_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # README: the kernel is copied to read and edit. Edit, run again, see the effect; the
    # edit is never overwritten.
    out = tmp_path / "p3"
    assert main(["demo", "projectile", "-o", str(out)]) == 0
    first = capsys.readouterr().out
    assert "range 40.775 m" in first and "your edited" not in first
    kernel = out / "kernel.py"
    source = kernel.read_text()
    original = "    return vx0 * calculate_impact_time(speed, angle_deg, height, g)\n"
    assert source.count(original) == 1
    edited = source.replace(original, original.replace("return vx0", "return 2.0 * vx0"))
    kernel.write_text(edited)
    assert main(["demo", "projectile", "-o", str(out)]) == 0
    again = capsys.readouterr().out
    assert f"using your edited {kernel}" in again
    assert "range 81.549 m" in again  # the edited kernel was built and run
    assert kernel.read_text() == edited
    kernel.unlink()  # deleted: the demo's own again
    assert main(["demo", "projectile", "-o", str(out)]) == 0
    assert "range 40.775 m" in capsys.readouterr().out and kernel.read_text() == source


@pytest.mark.parametrize("name", ["projectile", "robot-arm", "fluid", "warehouse", "lidar"])
def test_every_demo_keeps_edited_sources(tmp_path: Path, name: str) -> None:
    from portalis.demos import get_demo
    from portalis.demos.pipeline import place_sources

    demo = get_demo(name)
    assert place_sources(demo, tmp_path) == []  # a fresh folder: the demo's own copies
    for source in demo.sources:
        assert (tmp_path / source).read_bytes() == (demo.path / source).read_bytes()
    assert place_sources(demo, tmp_path) == []  # unchanged copies: nothing to keep
    for source in demo.sources:
        (tmp_path / source).write_text((demo.path / source).read_text() + "# mine\n")
    assert place_sources(demo, tmp_path) == [tmp_path / s for s in demo.sources]
    for source in demo.sources:
        assert (tmp_path / source).read_text().endswith("# mine\n")
