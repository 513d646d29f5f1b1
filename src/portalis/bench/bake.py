"""A long bake of a big per-frame array: memory high-water mark and time (issue 14).

    portalis bench bake [--points 100000] [--frames 1000] [--quick]

A module rewrites a ``--points``-point cloud every frame (``outputs:points`` forwarded to a
Points prim, as the LiDAR and fluid scenarios do) and ``portalis.sim.bake`` writes the run:
the arrays stream to value clips a chunk at a time (``portalis.sim.clips``), so the process's
peak memory should stay near that of a short run, not grow with the number of frames. Each
bake runs in a fresh child process and reports its peak resident set (``ru_maxrss``); runs of
increasing length side by side show whether memory follows the run's length (it must not).
The peak is Linux's ``VmHWM`` (the resident high-water mark of the process's own memory),
since ``ru_maxrss`` survives ``exec``: a child started by a large parent (a report run that
has loaded Numba and Warp) would report the parent's size. Elsewhere ``ru_maxrss`` is used.
The "whole run in memory" figure is the arithmetic of what the clips avoid: frames × points ×
12 bytes per written attribute.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from portalis.bench.report import run_main
from portalis.bench.rows import Row
from portalis.bench.timing import format_seconds

KERNEL = '''"""Rewrites a cloud of points every frame: a wave travelling along x."""

import math

from portalis.lang import Array


def update(time: float, points: Array[float, 2]) -> None:
    for i in range(points.shape[0]):
        points[i, 1] = 0.1 * math.sin(4.0 * points[i, 0] + time)
'''

CLOUD = "/World/Cloud"
MODULE = "/World/Wave"


def write_cloud_scene(folder: Path, points: int, frames: int, fps: float = 30.0) -> Path:
    """A scene with a ``points``-point Points prim and a module rewriting it every frame;
    returns its path (``folder/scene.usd``, with ``wave.wasm`` beside it)."""
    import numpy as np
    from pxr import Usd, UsdGeom, Vt

    from portalis.lang import build
    from portalis.usd import add_input, add_output, create_wasm_module_prim

    (folder / "wave.py").write_text(KERNEL, encoding="utf-8")
    build(folder / "wave.py", folder / "wave.wasm")
    stage = Usd.Stage.CreateNew(str(folder / "scene.usd"))
    UsdGeom.SetStageUpAxis(stage, UsdGeom.Tokens.y)
    UsdGeom.SetStageMetersPerUnit(stage, 1.0)
    stage.SetStartTimeCode(0)
    stage.SetEndTimeCode(frames)
    stage.SetTimeCodesPerSecond(fps)
    world = UsdGeom.Xform.Define(stage, "/World")
    stage.SetDefaultPrim(world.GetPrim())
    cloud = UsdGeom.Points.Define(stage, CLOUD)
    rng = np.random.default_rng(0)
    xyz = rng.uniform(-1.0, 1.0, size=(points, 3)).astype(np.float32)
    cloud.CreatePointsAttr(Vt.Vec3fArray.FromNumpy(xyz))
    cloud.CreateExtentAttr(UsdGeom.Boundable.ComputeExtentFromPlugins(cloud, Usd.TimeCode(0)))
    prim = create_wasm_module_prim(stage, MODULE, "wave.wasm", "wave", "update")
    add_input(prim, "points", "point3f[]", connect=f"{CLOUD}.points")
    add_output(prim, "points", "point3f[]", [f"{CLOUD}.points"])
    stage.GetRootLayer().Save()
    return folder / "scene.usd"


def peak_rss_mib() -> float:
    """This process's resident high-water mark (MiB)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS


def child(points: int, frames: int) -> dict[str, float]:
    """Bake in this process and measure it (run by :func:`measure` in a fresh interpreter)."""
    from portalis.sim.bake import bake

    with tempfile.TemporaryDirectory(prefix="portalis-bake-") as tmp:
        folder = Path(tmp)
        scene = write_cloud_scene(folder, points, frames)
        before = peak_rss_mib()
        t0 = time.perf_counter()
        baked = bake(scene, folder / "result.usd")
        seconds = time.perf_counter() - t0
        peak = peak_rss_mib()
        written = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return {
        "seconds": seconds,
        "max_rss_mib": peak,
        "setup_rss_mib": before,
        "clips": baked.clips,
        "written_mib": written / 2**20,
    }


def measure(points: int, frames: int) -> dict[str, float]:
    """:func:`child` in a fresh interpreter: ``ru_maxrss`` is a process's lifetime peak."""
    out = subprocess.run(
        [sys.executable, "-m", "portalis.bench.bake", "--child", str(points), str(frames)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def rows(argv: list[str]) -> Iterator[Row]:
    parser = argparse.ArgumentParser(prog="portalis bench bake", description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--frames", type=int, default=1000, help="the longest run")
    parser.add_argument("--quick", action="store_true", help="10,000 points, 100 frames")
    args = parser.parse_args(argv)
    points, longest = (10_000, 100) if args.quick else (args.points, args.frames)
    counts = sorted({max(1, longest // 100), max(1, longest // 10), longest})
    print(f"bake of a {points:,}-point cloud rewritten every frame (each run a fresh process)")
    for frames in counts:
        m = measure(points, frames)
        whole = frames * points * 12 * 2 / 2**20
        print(
            f"  {frames:>6} frames  {format_seconds(m['seconds']):>10}  "
            f"peak RSS {m['max_rss_mib']:7.1f} MiB (after setup {m['setup_rss_mib']:.1f})  "
            f"{int(m['clips'])} clips, {m['written_mib']:.0f} MiB written  "
            f"(all frames in memory would be {whole:,.0f} MiB)",
            flush=True,
        )
        yield Row(
            "bake",
            "portalis",
            m["seconds"],
            m["seconds"],
            1,
            {"points": points, "frames": frames},
            metrics={k: round(v, 1) for k, v in m.items() if k != "seconds"},
        )


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--child"]:
        print(json.dumps(child(int(args[1]), int(args[2]))))
        return 0
    return run_main("bake", rows, args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
