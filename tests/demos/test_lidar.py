"""The LiDAR demo end to end, and its two kernels against their oracles: the same source under
CPython (compiled filter gives the same points in the same order), an independent NumPy
filter (the same voxel set), and the scanner's own labels (which rays hit the ground, which
returns are spurious)."""

from __future__ import annotations

import importlib.util
import itertools
import math
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from pxr import Sdf, Usd

import portalis.usd  # noqa: F401  (schemas registered before any stage is opened)
from portalis.demos import get_demo
from portalis.demos.lidar import kernel as lk
from portalis.demos.lidar import scene as lidar_scene
from portalis.demos.lidar.buffers import filter_buffers, scan_buffers
from portalis.demos.lidar.preview import GROUND_LABEL, quality, read_frames
from portalis.demos.lidar.reference import FilterParams, filter_numpy
from portalis.demos.pipeline import PREVIEW_PNG, SCENE_FILE, run_demo
from portalis.errors import WasmTrap
from portalis.runtime.kernel import Kernel, load
from portalis.sim import Runner
from portalis.sim.geometry import shape_rows

DEMO = get_demo("lidar")
_counter = itertools.count()


def cpython_kernel() -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_lidar_{next(_counter)}", DEMO.kernel_path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lidar")
    run_demo("lidar", out)
    return out


@pytest.fixture(scope="module")
def compiled(demo: Path) -> Any:
    kernel = load(demo / "kernel.wasm")
    yield kernel
    kernel.close()


@pytest.fixture(scope="module")
def frames(demo: Path) -> list[Any]:
    return read_frames(demo / lidar_scene.RESULT)


# -- the demo's files -----------------------------------------------------------------------------


def test_demo_writes_a_binary_result_with_a_filtered_cloud_per_frame(
    demo: Path, frames: list[Any]
) -> None:
    result = demo / lidar_scene.RESULT
    # no text file of scans: the big per-frame arrays are binary (crate, or clips of crate)
    for path in demo.rglob("*"):
        if path.is_file() and path.suffix in (".usd", ".usda", ".usdc"):
            head = path.read_bytes()[:8]
            assert head == b"PXR-USDC" or path.stat().st_size < 1_000_000, path
    assert len(frames) == lidar_scene.Drive().frames
    stage = Usd.Stage.Open(str(result))
    cloud = stage.GetPrimAtPath(lidar_scene.FILTERED)
    for frame in frames:
        assert 80_000 < len(frame.raw) <= 64 * 1600
        assert len(frame.filtered) == frame.counts["count"] > 5_000
        assert frame.colours.shape == frame.filtered.shape
        assert frame.counts["count"] == (
            frame.counts["voxels"] - frame.counts["ground"] - frame.counts["outliers"]
        )
        assert len(cloud.GetAttribute("points").Get(frame.time)) == frame.counts["count"]
    # the vehicle moves: no two frames see the same scan
    assert not np.array_equal(frames[0].raw[:1000], frames[1].raw[:1000])
    assert (demo / PREVIEW_PNG).stat().st_size > 50_000


def test_filter_meets_its_quality_bounds_on_every_frame(frames: list[Any]) -> None:
    for frame in frames:
        q = quality(frame)
        assert q.ground_left < 0.01, frame.time
        assert q.spurious_removed >= 0.90, frame.time
        assert q.objects_kept >= 0.98, frame.time


# -- the filter against its oracles ----------------------------------------------------------------


def run_filter(kernel: Any, scan: np.ndarray, **params: Any) -> tuple[tuple[int, ...], dict]:
    buffers = filter_buffers(len(scan))
    args = FilterParams().kernel_args() | params
    return tuple(kernel.filter_cloud(scan, **buffers, **args)), buffers


@pytest.mark.parametrize("params", [{}, {"voxel_size": 0.05}], ids=["demo", "table-grows"])
def test_compiled_filter_equals_cpython_on_a_real_frame(
    compiled: Kernel, frames: list, params: dict
) -> None:
    scan = frames[len(frames) // 2].raw
    got, wasm = run_filter(compiled, scan, **params)
    want, py = run_filter(cpython_kernel(), scan, **params)
    assert got == want
    if params:  # more voxels than the first table holds: it grew (and was refilled)
        assert 2 * got[5] > lk._table_size(len(scan) // lk.FIRST_TABLE_SHARE)
    count, n = got[0], got[3]
    assert n == len(scan)
    for name, length in (
        ("out_xyz", 3 * count),
        ("colors", 3 * count),
        ("widths", count),
        ("fate", n),
    ):
        assert np.array_equal(wasm[name][:length], py[name][:length]), name


def test_numpy_filter_agrees_on_the_voxel_set(compiled: Kernel, frames: list) -> None:
    for frame in frames[:: max(1, len(frames) // 4)]:
        (count, _, _, _, in_crop, voxels, ground, _), buffers = run_filter(compiled, frame.raw)
        reference = filter_numpy(frame.raw)
        assert reference.in_crop == in_crop
        assert len(reference.centroids) == voxels
        mine = buffers["sums"][: 3 * voxels].reshape(-1, 3)
        order = np.lexsort(mine.T[::-1])
        theirs = reference.centroids[np.lexsort(reference.centroids.T[::-1])]
        np.testing.assert_allclose(mine[order], theirs, rtol=0, atol=1e-9)
        # RANSAC draws other samples there: the same plane within a few voxels
        assert abs(reference.ground - ground) <= 0.02 * ground
        assert abs(len(reference.points) - count) <= 0.02 * count


def test_ground_fit_is_not_a_height_cut(compiled: Kernel, frames: list) -> None:
    """The ground is tilted; a scan from the vehicle sees it at different heights across the
    street, and the fitted plane follows it."""
    frame = frames[0]
    ground = frame.labels == GROUND_LABEL
    heights = frame.raw[ground, 2]
    left, right = frame.raw[ground, 1] > 15, frame.raw[ground, 1] < -15
    tilt = np.median(heights[left]) - np.median(heights[right])
    assert tilt > 0.4  # more than twice the 0.15 m threshold across 30 m
    assert np.mean(frame.fate[ground] == lk.GROUND) > 0.9


# -- bad input -------------------------------------------------------------------------------------


@pytest.fixture(params=["cpython", "compiled"])
def kernel(request: pytest.FixtureRequest, compiled: Kernel) -> Any:
    return cpython_kernel() if request.param == "cpython" else compiled


def test_an_empty_scan_gives_an_empty_cloud(kernel: Any) -> None:
    got, _ = run_filter(kernel, np.zeros((0, 3), np.float32))
    assert got == (0, 0, 0, 0, 0, 0, 0, 0)


def test_a_scan_outside_the_crop_box_gives_an_empty_cloud(kernel: Any) -> None:
    scan = np.full((50, 3), 100.0, np.float32)
    got, buffers = run_filter(kernel, scan)
    assert got == (0, 0, 0, 50, 0, 0, 0, 0)
    assert np.all(buffers["fate"][:50] == lk.CROPPED)


def test_nan_coordinates_are_dropped_as_invalid(kernel: Any, frames: list) -> None:
    scan = frames[0].raw[:20_000].copy()
    scan[::7, 1] = np.nan
    scan[3, 2] = np.inf
    got, buffers = run_filter(kernel, scan)
    fate = buffers["fate"][: len(scan)]
    assert np.all(fate[::7] == lk.INVALID) and fate[3] == lk.INVALID
    assert np.all(fate[1::7] != lk.INVALID)
    assert np.all(np.isfinite(buffers["out_xyz"][: 3 * got[0]]))
    assert got[0] > 0


@pytest.mark.parametrize(
    "params",
    [
        {"voxel_size": 0.0},
        {"voxel_size": -1.0},
        {"voxel_size": math.nan},
        {"outlier_radius": 0.0},
        {"crop_min_x": 5.0, "crop_max_x": -5.0},
        {"crop_min_z": -math.inf, "crop_max_z": -math.inf},
        {"voxel_size": 1e-6},
    ],
)
def test_bad_parameters_raise_value_error_naming_the_line(kernel: Any, params: dict) -> None:
    scan = np.zeros((10, 3), np.float32)
    if isinstance(kernel, Kernel):
        with pytest.raises(WasmTrap) as caught:
            run_filter(kernel, scan, **params)
        assert caught.value.python_exception == "ValueError"
        assert caught.value.line is not None
        line = DEMO.kernel_path.read_text().splitlines()[caught.value.line - 1]
        assert "raise ValueError" in line
    else:
        with pytest.raises(ValueError):
            run_filter(kernel, scan, **params)


def test_work_arrays_too_small_are_refused(kernel: Any) -> None:
    buffers = filter_buffers(10)
    scan = np.zeros((100, 3), np.float32)
    with pytest.raises((ValueError, WasmTrap)):
        kernel.filter_cloud(scan, **buffers)


def test_the_runner_reports_a_bad_voxel_size_with_prim_and_cause(
    demo: Path, tmp_path: Path
) -> None:
    for name in ("kernel.wasm", SCENE_FILE):
        shutil.copy(demo / name, tmp_path / name)
    stage = Usd.Stage.Open(str(tmp_path / SCENE_FILE))
    stage.GetPrimAtPath(lidar_scene.FILTER).GetAttribute("inputs:voxel_size").Set(0.0)
    with Runner(stage) as runtime:
        runtime.play()
        runtime.step(0.1, time_code=1)
        [failure] = runtime.failures
        assert failure.prim_path == lidar_scene.FILTER
        assert "ValueError" in str(failure)
        # the scanner goes on
        runtime.step(0.1, time_code=2)
        assert runtime.module_prim(lidar_scene.SCANNER).stats.calls == 2


def test_a_filter_fed_by_a_failed_scanner_says_so(demo: Path, tmp_path: Path) -> None:
    """The Filter's inputs:scan is connected to the Scanner's output; when the Scanner is
    invalid the Filter's failure names the input, the connection's source and that its prim
    failed (it used to say the prim had no inputs:scan)."""
    for name in ("kernel.wasm", SCENE_FILE):
        shutil.copy(demo / name, tmp_path / name)
    stage = Usd.Stage.Open(str(tmp_path / SCENE_FILE))
    stage.GetPrimAtPath(lidar_scene.SCANNER).GetAttribute("dataBufferSize").Set(-5)
    with Runner(stage) as runtime:
        by_prim = {failure.prim_path: failure for failure in runtime.failures}
    assert by_prim[lidar_scene.SCANNER].cause == "invalid"
    message = str(by_prim[lidar_scene.FILTER])
    assert (
        f"parameter 'scan' of filter_cloud: inputs:scan is connected to "
        f"{lidar_scene.SCANNER}.outputs:points, which has no value: its module prim "
        f"{lidar_scene.SCANNER} failed"
    ) in message
    assert "has no inputs:scan" not in message


# -- the scanner -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shapes(demo: Path) -> np.ndarray:
    stage = Usd.Stage.Open(str(demo / SCENE_FILE))
    return shape_rows([stage.GetPrimAtPath(lidar_scene.STREET)], Usd.TimeCode.EarliestTime())


def run_scan(kernel: Any, shapes: np.ndarray, beams: int, steps: int, **kw: Any) -> tuple:
    buffers = scan_buffers(beams, steps, len(shapes))
    count, _, spurious = kernel.scan(
        shapes, -10.0, 0.5, 0.0, 3.0, **buffers, beams=beams, steps=steps, **kw
    )
    points = buffers["points"][: 3 * count].reshape(-1, 3)
    return count, spurious, points, buffers["labels"][:count]


def test_the_street_has_at_least_fifty_shapes_of_every_kind(shapes: np.ndarray) -> None:
    assert len(shapes) >= 50
    assert set(shapes[:, 0].astype(int)) == {lk.PLANE, lk.CUBE, lk.SPHERE, lk.CYLINDER}
    assert shapes[GROUND_LABEL, 0] == lk.PLANE


def test_compiled_scanner_equals_cpython(compiled: Kernel, shapes: np.ndarray) -> None:
    got = run_scan(compiled, shapes, 8, 120)
    want = run_scan(cpython_kernel(), shapes, 8, 120)
    assert got[:2] == want[:2]
    assert np.array_equal(got[3], want[3])
    np.testing.assert_allclose(got[2], want[2], rtol=0, atol=1e-5)


def test_scan_hits_the_ground_where_it_is(compiled: Kernel, shapes: np.ndarray) -> None:
    _, spurious, points, labels = run_scan(
        compiled, shapes, 64, 400, range_noise=0.0, spurious_rate=0.0, dropout=0.0
    )
    assert spurious == 0 and np.all(labels >= 0)
    heading = math.radians(3.0)
    ground = points[labels == GROUND_LABEL].astype(np.float64)
    world_y = 0.5 + math.sin(heading) * ground[:, 0] + math.cos(heading) * ground[:, 1]
    world_z = ground[:, 2] + 1.8
    expected = world_y * math.tan(math.radians(lidar_scene.GROUND_TILT_DEG))
    np.testing.assert_allclose(world_z, expected, atol=1e-3)


def test_noise_dropouts_and_spurious_returns(compiled: Kernel, shapes: np.ndarray) -> None:
    clean = run_scan(compiled, shapes, 64, 400, range_noise=0.0, spurious_rate=0.0, dropout=0.0)
    noisy = run_scan(compiled, shapes, 64, 400, frame=3)
    rays = 64 * 400
    assert 0.01 < noisy[1] / rays < 0.03  # spurious_rate 2 %
    assert noisy[0] < clean[0]  # dropouts
    again = run_scan(compiled, shapes, 64, 400, frame=3)
    assert np.array_equal(again[2], noisy[2])  # the same frame, the same scan
    other = run_scan(compiled, shapes, 64, 400, frame=4)
    assert not np.array_equal(other[2][:500], noisy[2][:500])


def test_scanner_refuses_buffers_too_small(compiled: Kernel, shapes: np.ndarray) -> None:
    buffers = scan_buffers(8, 10, len(shapes))
    with pytest.raises(WasmTrap) as caught:
        compiled.scan(shapes, 0.0, 0.0, 0.0, 0.0, **buffers, beams=64, steps=1600)
    assert caught.value.python_exception == "ValueError"


def test_geometry_reaches_the_scanner_through_the_relationship(demo: Path, tmp_path: Path) -> None:
    """Hiding a building changes what the scanner sees: the shapes are read from the scene."""
    for name in ("kernel.wasm", SCENE_FILE):
        shutil.copy(demo / name, tmp_path / name)

    def first_scan(hide: str | None) -> np.ndarray:
        stage = Usd.Stage.Open(str(tmp_path / SCENE_FILE))
        if hide:
            stage.GetPrimAtPath(hide).GetAttribute("visibility").Set("invisible")
        with Runner(stage) as runtime:
            runtime.play()
            runtime.step(0.1, time_code=1)
            return np.array(runtime.module_prim(lidar_scene.SCANNER).output("labels"))

    before = first_scan(None)
    stage = Usd.Stage.Open(str(tmp_path / SCENE_FILE))
    buildings = [
        p.GetPath()
        for p in stage.GetPrimAtPath(lidar_scene.STREET).GetChildren()
        if p.GetName().startswith("Building")
    ]
    hidden = str(buildings[3])
    after = first_scan(hidden)
    assert len(before) != len(after) or not np.array_equal(before, after)
    assert isinstance(Sdf.Path(hidden), Sdf.Path)
