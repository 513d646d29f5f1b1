"""The bake's result layer as other tools read it: the scene's stage metadata, text or crate by
size, value clips for big per-frame arrays (with extents beside the points), and Ctrl-C keeping
the frames that finished."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pxr import Sdf, Usd, UsdGeom

from portalis.bench.bake import CLOUD, MODULE, write_cloud_scene
from portalis.sim.bake import bake, clips_folder
from portalis.sim.clips import MANIFEST, ClipPolicy


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2,000-point cloud rewritten every frame for 12 frames."""
    return write_cloud_scene(tmp_path_factory.mktemp("cloud"), 2000, 12)


def wave(points: np.ndarray, time: float) -> np.ndarray:
    """What the cloud's kernel computes (bench/bake.py), in NumPy."""
    out = points.astype(np.float64).copy()
    out[:, 1] = 0.1 * np.sin(4.0 * out[:, 0] + time)
    return out


def test_result_carries_the_scenes_stage_metadata(cloud: Path, tmp_path: Path) -> None:
    scene = Sdf.Layer.FindOrOpen(str(cloud))
    scene.pseudoRoot.SetInfo("kilogramsPerUnit", 0.5)
    scene.pseudoRoot.SetInfo("upAxis", "Z")
    scene.pseudoRoot.SetInfo("metersPerUnit", 0.01)
    edited = tmp_path / "scene.usd"
    scene.Export(str(edited))
    scene.Reload()
    (tmp_path / "wave.wasm").write_bytes((cloud.parent / "wave.wasm").read_bytes())
    bake(edited, tmp_path / "out.usda", end=2.0, clips=ClipPolicy(min_elements=10**9))
    result = Sdf.Layer.FindOrOpen(str(tmp_path / "out.usda"))
    assert result.pseudoRoot.GetInfo("upAxis") == "Z"
    assert result.pseudoRoot.GetInfo("metersPerUnit") == 0.01
    assert result.pseudoRoot.GetInfo("kilogramsPerUnit") == 0.5
    assert (result.startTimeCode, result.endTimeCode) == (0.0, 2.0)


def test_big_arrays_stream_to_value_clips(cloud: Path, tmp_path: Path) -> None:
    out = tmp_path / "result.usd"
    # 2,000 points are 24 KB a frame per attribute: a 60 KB budget closes a clip each frame.
    baked = bake(cloud, out, clips=ClipPolicy(min_elements=1000, max_clip_bytes=60_000))
    folder = clips_folder(out)
    files = sorted(p.name for p in folder.iterdir())
    assert MANIFEST in files and baked.clips == len(files) - 1 >= 6
    assert not list(tmp_path.glob(".*"))  # no staging folder or temporary file left

    layer = Sdf.Layer.FindOrOpen(str(out))
    clips = layer.GetPrimAtPath(CLOUD).GetInfo("clips")["default"]
    assert set(clips) == {"assetPaths", "primPath", "active", "times", "manifestAssetPath"}
    assert clips["assetPaths"][0].path == "result.clips/0000.usdc"
    assert layer.GetAttributeAtPath(f"{CLOUD}.points") is None  # no sample outranks the clips

    stage = Usd.Stage.Open(str(out))
    points = stage.GetAttributeAtPath(f"{CLOUD}.points")
    assert points.GetTimeSamples() == [float(f) for f in range(13)]
    scene = Usd.Stage.Open(str(cloud))
    initial = np.asarray(scene.GetAttributeAtPath(f"{CLOUD}.points").Get())
    assert np.asarray(points.Get(0)) == pytest.approx(initial)  # frame 0: the scene as authored
    for frame in (1, 5, 12):
        # updateRate 60 at 30 frames per second: two calls a frame, time at the second.
        expected = wave(initial, (2 * frame - 1) / 60.0)
        assert np.asarray(points.Get(frame)) == pytest.approx(expected, abs=1e-6)
        extent = np.asarray(UsdGeom.Points(stage.GetPrimAtPath(CLOUD)).GetExtentAttr().Get(frame))
        got = np.asarray(points.Get(frame))
        assert extent == pytest.approx(np.array([got.min(axis=0), got.max(axis=0)]))
    module_out = stage.GetAttributeAtPath(f"{MODULE}.outputs:points")
    assert np.asarray(module_out.Get(5)) == pytest.approx(np.asarray(points.Get(5)))


def test_a_later_bake_replaces_the_clips(cloud: Path, tmp_path: Path) -> None:
    out = tmp_path / "result.usd"
    bake(cloud, out, clips=ClipPolicy(min_elements=1000, max_clip_bytes=60_000))
    bake(cloud, out, end=3.0, clips=ClipPolicy(min_elements=1000, max_clip_bytes=10**9))
    assert sorted(p.name for p in clips_folder(out).iterdir()) == ["0000.usdc", MANIFEST]
    bake(cloud, out, end=3.0, clips=ClipPolicy(min_elements=10**9))  # nothing clipped now
    assert not clips_folder(out).exists()


def test_usd_result_is_crate_when_large_and_text_when_small(cloud: Path, tmp_path: Path) -> None:
    big = ClipPolicy(min_elements=10**9)  # keep the arrays in the result layer itself
    bake(cloud, tmp_path / "large.usd", clips=big)
    bake(cloud, tmp_path / "asked.usda", clips=big)
    # 10 points (arrays ≤ 64) over 2 frames (≤ 4 samples): what the validator accepts as text.
    tiny = write_cloud_scene(tmp_path, 10, 2)
    bake(tiny, tmp_path / "small.usd", clips=big)
    assert (tmp_path / "large.usd").read_bytes()[:8] == b"PXR-USDC"
    # Points kept in the result layer get their extent there, time-sampled beside them.
    stage = Usd.Stage.Open(str(tmp_path / "large.usd"))
    points = stage.GetAttributeAtPath(f"{CLOUD}.points")
    extent = stage.GetAttributeAtPath(f"{CLOUD}.extent")
    assert extent.GetTimeSamples() == points.GetTimeSamples()  # frame 0 (as authored) too
    got = np.asarray(points.Get(7))
    assert np.asarray(extent.Get(7)) == pytest.approx(np.array([got.min(0), got.max(0)]))
    assert (tmp_path / "small.usd").read_bytes().startswith(b"#usda")
    assert (tmp_path / "asked.usda").read_bytes().startswith(b"#usda")


def test_ctrl_c_keeps_the_frames_that_finished(cloud: Path, tmp_path: Path) -> None:
    """A real SIGINT after frame 3: the bake stops before frame 4 and writes frames 0 … 3
    (the signal is not raised inside a module call, where it would abort the process)."""
    import os
    import signal

    class StopAtThree:
        def start(self, total: int) -> None:
            self.total = total

        def update(self, done: int) -> None:
            if done == 3:
                os.kill(os.getpid(), signal.SIGINT)

        def done(self) -> None:
            pass

    out = tmp_path / "result.usd"
    before = signal.getsignal(signal.SIGINT)
    baked = bake(cloud, out, progress=StopAtThree())
    assert baked.interrupted and baked.frames == 3
    stage = Usd.Stage.Open(str(out))
    assert stage.GetEndTimeCode() == 3.0
    assert stage.GetAttributeAtPath(f"{CLOUD}.points").GetTimeSamples()[-1] == 3.0
    assert signal.getsignal(signal.SIGINT) is before  # handler restored


def test_a_folder_that_is_not_clips_is_never_deleted(cloud: Path, tmp_path: Path) -> None:
    from portalis.errors import SceneError

    mine = tmp_path / "result.clips"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(SceneError, match="is not a folder of value clips"):
        bake(cloud, tmp_path / "result.usd", end=2.0)
    assert (mine / "notes.txt").read_text() == "keep me"
    assert not (tmp_path / "result.usd").exists()
