"""The fluid demo end to end (scene, headless run, Points cloud in a binary result layer,
preview), each WasmFluid schema attribute taking effect, and bad scenes ending as clear
per-prim failures."""

from __future__ import annotations

import itertools
import math
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pxr import Usd, UsdGeom

import portalis.usd  # noqa: F401  (schemas registered before any stage is opened)
from portalis.demos.fluid import scene as fs
from portalis.demos.pipeline import (
    KERNEL_WASM,
    PREVIEW_PNG,
    RESULT_FILE,
    SCENE_USDA,
    DemoRun,
    run_demo,
)
from portalis.runtime import Sandbox
from portalis.sim import Runner

SMALL = fs.Smoke(grid=(10, 14, 10), cell_size=0.1, emitter_radius=0.2, seconds=0.5)


@pytest.fixture(scope="module")
def fluid_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    return run_demo("fluid", tmp_path_factory.mktemp("fluid"))


def test_demo_writes_scene_binary_result_and_preview(fluid_run: DemoRun) -> None:
    for name in (KERNEL_WASM, SCENE_USDA, RESULT_FILE, PREVIEW_PNG):
        assert fluid_run.path(name).stat().st_size > 0
    assert fluid_run.failures == []
    assert fluid_run.path(RESULT_FILE).read_bytes()[:8] == b"PXR-USDC"  # binary crate
    import matplotlib.image

    picture = matplotlib.image.imread(fluid_run.path(PREVIEW_PNG))
    assert picture.shape[0] > 400 and picture.shape[1] > 800
    assert len(np.unique(picture.reshape(-1, picture.shape[2]), axis=0)) > 100


def test_demo_smoke_points_are_time_sampled_with_extents(fluid_run: DemoRun) -> None:
    smoke = fs.Smoke()
    stage = Usd.Stage.Open(str(fluid_run.path(RESULT_FILE)))
    points = UsdGeom.Points(stage.GetPrimAtPath(fs.SMOKE))
    assert points
    times = points.GetPointsAttr().GetTimeSamples()
    assert len(times) == smoke.frames
    grid = np.asarray(stage.GetPrimAtPath(fs.FLUID).GetAttribute("outputs:smoke").Get(times[-1]))
    dense = int(np.count_nonzero(grid > smoke.threshold))
    last = np.asarray(points.GetPointsAttr().Get(times[-1]))
    assert len(last) == dense > 100  # one point per cell above the threshold
    opacity = np.asarray(points.GetDisplayOpacityPrimvar().ComputeFlattened(times[-1]))
    colour = np.asarray(points.GetDisplayColorPrimvar().ComputeFlattened(times[-1]))
    widths = np.asarray(points.GetWidthsAttr().Get(times[-1]))
    assert opacity.shape == (dense,) and colour.shape == (dense, 3)
    assert np.all(widths == np.float32(smoke.cell_size)) and widths.shape == (dense,)
    assert opacity.min() > 0.0 and opacity.max() <= 1.0
    lo, hi = np.asarray(points.GetExtentAttr().Get(times[-1]))
    assert np.all(last >= lo) and np.all(last <= hi)
    box_lo = np.array(smoke.origin)
    assert np.all(lo >= box_lo) and np.all(hi <= box_lo + np.array(smoke.size))
    # the smoke rose: its centre of mass is above the emitter's height
    assert last[:, 1].mean() > fs.emitter_path(0.0, smoke)[1]


def test_demo_projection_and_mass_every_frame(fluid_run: DemoRun) -> None:
    frames = fs.read_frames(fluid_run.path(RESULT_FILE), fs.Smoke())
    moving = frames.div_before > 0
    assert moving.sum() >= len(frames.times) - 1
    assert np.all(frames.div_after[moving] <= 0.05 * frames.div_before[moving])  # worst 1.1 %
    assert np.all(np.diff(frames.mass) > 0)  # the emitter adds, nothing is lost
    assert frames.fields.reshape(len(frames.times), -1)[:, frames.solid.reshape(-1) != 0].max() == 0
    assert any("divergence after projection" in line for line in fluid_run.findings)


# -- the schema's attributes ---------------------------------------------------------------


@pytest.fixture
def small_scene(tmp_path: Path, built_kernels: dict[str, Path]) -> Callable[..., Usd.Stage]:
    """A small fluid scene in ``tmp_path``, opened, with the built kernel beside it."""
    shutil.copy(built_kernels["fluid"], tmp_path / KERNEL_WASM)
    made = itertools.count()

    def make(smoke: fs.Smoke = SMALL) -> Usd.Stage:
        path = tmp_path / f"scene{next(made)}.usda"  # USD keeps layers open by path
        fs.write_scene(path, KERNEL_WASM, smoke)
        return Usd.Stage.Open(str(path))

    return make


def run(stage: Usd.Stage, steps: int = 6, sandbox: Sandbox | None = None) -> Runner:
    rt = Runner(stage, sandbox=sandbox) if sandbox is not None else Runner(stage)
    with rt:
        rt.play()
        for _ in range(steps):
            rt.step(1 / 24)
    return rt


def output(stage: Usd.Stage, name: str) -> Any:
    return stage.GetPrimAtPath(fs.FLUID).GetAttribute(f"outputs:{name}").Get()


def fluid(stage: Usd.Stage) -> Usd.Prim:
    return stage.GetPrimAtPath(fs.FLUID)


def test_grid_resolution_shapes_every_field(small_scene: Callable[..., Usd.Stage]) -> None:
    grid = (9, 13, 7)
    stage = small_scene(fs.Smoke(grid=grid, cell_size=0.1, emitter_radius=0.2))
    assert run(stage).failures == []
    assert len(output(stage, "smoke")) == math.prod(grid)
    assert output(stage, "mass") > 0.0


def test_time_step_is_the_dt_of_every_call(small_scene: Callable[..., Usd.Stage]) -> None:
    """The emitter adds rate × dt per covered cell per call and nothing is lost, so after
    the same calls (same emitter places) the smoke's mass is proportional to timeStep."""
    masses = []
    for time_step in (1 / 24, 1 / 48):
        stage = small_scene()
        fluid(stage).GetAttribute("timeStep").Set(time_step)
        assert run(stage).failures == []
        masses.append(output(stage, "mass"))
    assert masses[1] == pytest.approx(masses[0] / 2, rel=1e-9)


@pytest.mark.parametrize("attribute", ["viscosity", "density"])
def test_viscosity_and_density_slow_the_smoke(
    small_scene: Callable[..., Usd.Stage], attribute: str
) -> None:
    """More viscosity damps the motion; a denser fluid is pushed less by the same buoyancy."""
    speeds = []
    for scale in (1.0, 1000.0 if attribute == "viscosity" else 4.0):
        stage = small_scene()
        attr = fluid(stage).GetAttribute(attribute)
        attr.Set(attr.Get() * scale)
        assert run(stage).failures == []
        speeds.append(output(stage, "max_speed"))
    assert speeds[1] < 0.8 * speeds[0]


# -- per-prim failures ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attribute", "value", "message"),
    [
        ("viscosity", 0.0, "viscosity must be a finite number > 0"),
        ("viscosity", -1e-5, "viscosity must be a finite number > 0"),
        ("density", 0.0, "density must be a finite number > 0"),
        ("timeStep", 0.0, "timeStep must be a finite number > 0 when authored"),
        ("timeStep", -0.01, "timeStep must be a finite number > 0 when authored"),
        ("timeStep", math.inf, "timeStep must be a finite number > 0 when authored"),
    ],
)
def test_bad_schema_values_are_invalid(
    small_scene: Callable[..., Usd.Stage], attribute: str, value: float, message: str
) -> None:
    stage = small_scene()
    fluid(stage).GetAttribute(attribute).Set(value)
    (failure,) = run(stage).failures
    assert failure.prim_path == fs.FLUID and failure.cause == "invalid"
    assert message in failure.message


def test_a_nan_emitter_rate_fails_the_prim(small_scene: Callable[..., Usd.Stage]) -> None:
    stage = small_scene()
    stage.GetPrimAtPath(fs.EMITTER).GetAttribute(fs.RATE_ATTR).Set(math.nan)
    (failure,) = run(stage).failures
    assert failure.prim_path == fs.FLUID and failure.cause == "trap"
    assert "ValueError" in str(failure) and "kernel.py:" in str(failure)


def test_a_grid_too_large_for_the_memory_cap_fails_at_bind(
    small_scene: Callable[..., Usd.Stage],
) -> None:
    stage = small_scene(fs.Smoke(grid=(64, 64, 64)))
    (failure,) = run(stage, sandbox=Sandbox(max_memory_bytes=16 << 20)).failures
    assert failure.prim_path == fs.FLUID and failure.cause == "binding"
    assert "64×64×64" in failure.message and "16 MiB memory cap" in failure.message
    assert "gridResolution" in str(failure)
