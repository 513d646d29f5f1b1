"""The Kit extension's cost per frame over the runner's own step (goal: ≤ 5%).

A stage of ``--prims`` chained scalar module prims (as ``portalis bench runner``) is opened
in the Kit double (tests/kit_double, the same one the extension's tests use) with the
extension enabled, consent given and the timeline playing. Each frame the double's timeline
advances (Kit's own work, not timed), then the extension's update callback — what Kit calls
once per app update: read the timeline, step the runner, decide whether the panel is due —
is timed, and so is the runner step inside it. The peer, interleaved frame by frame in the
same process, is a bare runner on a twin stage writing to a session sublayer the same way.

    portalis bench kit [--prims 100] [--frames 600] [--quick] [--panel-refresh S] [--json FILE]

Rows (SPEC §7): ``frame``/``portalis`` (bare runner step), ``frame``/``kit-extension`` (the
callback), ``overhead``/``kit-extension`` (callback minus its own step). The panel refreshes
at its default rate (every 1 s of 60 fps frames) during the run, so its cost is in the
callback's times; the runner's own deferred bookkeeping (folding call times into its
statistics, done when they are read) is done just before, untimed, for both runners.
Printed: the callback's time beyond the runner step inside it, relative to that step, per
typical frame (medians) and over the whole run (sums, refreshes included) — both measured on
the same runner in the same frames, so the machine's load weighs on both sides alike — and
the callback against the bare runner.
Needs a source checkout (the extension and the double live beside ``src/``).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import wasmtime

from portalis.bench.report import run_main
from portalis.bench.rows import Row

UPDATE = """(module (func (export "update") (param f64 f64 f64) (result f64)
  local.get 0 local.get 1 f64.mul local.get 2 f64.add))"""
FPS = 60.0


def write_scene(folder: Path, prims: int, frames: int) -> Path:
    from pxr import Usd

    from portalis.usd import add_input, add_output, create_wasm_module_prim

    (folder / "update.wasm").write_bytes(wasmtime.wat2wasm(UPDATE))
    path = folder / "scene.usda"
    stage = Usd.Stage.CreateNew(str(path))
    stage.SetTimeCodesPerSecond(FPS)
    stage.SetStartTimeCode(0)
    stage.SetEndTimeCode(frames + 10)
    for i in range(prims):
        prim = create_wasm_module_prim(stage, f"/World/M{i:03d}", "./update.wasm", "update")
        previous = f"/World/M{i - 1:03d}.outputs:y" if i else None
        add_input(prim, "x", "double", 1.0, connect=previous)
        add_input(prim, "k", "double", 0.5)
        add_input(prim, "dt", "double")
        add_output(prim, "y", "double")
    stage.GetRootLayer().Save()
    return path


def _checkout() -> Path | None:
    """The source checkout holding exts/ and the Kit double, or None (an installed wheel)."""
    root = Path(__file__).resolve().parents[3]
    if (root / "tests" / "kit_double").is_dir() and (root / "exts").is_dir():
        return root
    return None


def rows(argv: list[str]) -> Iterator[Row]:
    parser = argparse.ArgumentParser(prog="portalis bench kit", description=__doc__.splitlines()[0])
    parser.add_argument("--prims", type=int, default=100)
    parser.add_argument("--frames", type=int, default=600)
    parser.add_argument("--quick", action="store_true", help="120 frames")
    parser.add_argument(
        "--panel-refresh", type=float, help="seconds between panel refreshes (default: setting's)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.frames = min(args.frames, 120)

    root = _checkout()
    if root is None:
        print("skipped: the Kit extension and its double live in a source checkout only")
        return
    sys.path.insert(0, str(root / "tests"))
    import kit_double

    kit_double.reset()
    import omni.kit.app
    import omni.timeline
    import omni.usd
    from pxr import Sdf, Usd

    with tempfile.TemporaryDirectory() as tmp:
        scene = write_scene(Path(tmp), args.prims, args.frames)
        app = omni.kit.app.get_app()
        manager = app.get_extension_manager()
        manager.add_path(str(root / "exts"))
        manager.set_extension_enabled_immediate("portalis.wasm.runtime", True)
        ext = sys.modules["portalis_wasm_runtime"].get_extension()
        if args.panel_refresh is not None:
            ext.controller.settings.set("panel_refresh_s", args.panel_refresh)
        omni.usd.get_context().open_stage(str(scene))
        app.update()
        ext.controller.allow(remember=False)
        timeline = omni.timeline.get_timeline_interface()
        timeline.set_looping(False)
        timeline.play()
        timeline.commit()
        session = ext.controller.session
        # The panel refreshes by the clock (every panel_refresh_s); this loop runs faster
        # than real time, so give the controller a clock that moves 1/60 s a frame, as a
        # 60 fps Kit's would: the refreshes land as often as they would in Kit.
        now = [time.perf_counter()]
        ext.controller.clock = lambda: now[0]
        refreshes = -ext.controller.refreshes
        callback = ext.hooks._on_update  # what the update subscription calls

        # the peer: a bare runner writing into a session sublayer, as the extension's does
        from portalis.sim import Runner

        twin = Usd.Stage.Open(str(scene))
        live = Sdf.Layer.CreateAnonymous("bare-live.usda")
        live.timeCodesPerSecond = FPS
        twin.GetSessionLayer().subLayerPaths.insert(0, live.identifier)
        twin.SetEditTarget(Usd.EditTarget(live))
        bare = Runner(twin)
        bare.play(time_code=0)

        dt = 1.0 / FPS
        bare_s, callback_s, inner_s = [], [], []
        gc.collect()
        gc.disable()  # as the timing harness does: a collection lands on whichever is timed
        for frame in range(1, args.frames + 1):
            omni.timeline._refresh_and_tick(dt)  # Kit's timeline tick: not the extension's
            now[0] += dt
            if now[0] >= ext.controller.next_refresh:
                # The panel is due: it reads the runner's statistics, which first folds the
                # call times the runner deferred until read. That is the runner's work (the
                # bare runner does it at the same frame); the extension's is what follows.
                session.runner.statistics()
                bare.statistics()
            t0 = time.perf_counter()
            callback()
            t1 = time.perf_counter()
            bare.step(dt, time_code=frame)
            t2 = time.perf_counter()
            callback_s.append(t1 - t0)
            inner_s.append(session.last_step_s)
            bare_s.append(t2 - t1)
        gc.enable()
        refreshes += ext.controller.refreshes
        assert session.runner is not None and not session.runner.failures
        assert abs(session.time_code - args.frames) < 1e-6, session.time_code
        bare.close()
        manager.set_extension_enabled_immediate("portalis.wasm.runtime", False)

    params = {
        "prims": args.prims,
        "panel_refresh_s": ext.controller.settings.get("panel_refresh_s"),
    }
    overhead = [c - i for c, i in zip(callback_s, inner_s, strict=True)]
    found = [
        Row.of("frame", "portalis", bare_s, **params),
        Row.of("frame", "kit-extension", callback_s, **params),
        Row.of("overhead", "kit-extension", overhead, **params),
    ]
    step = statistics.median(inner_s)
    if os.environ.get("PORTALIS_BENCH_KIT_DEBUG"):
        worst = sorted(range(len(overhead)), key=overhead.__getitem__)[-12:]
        print("  worst overheads (frame: µs):", [(i, round(overhead[i] * 1e6)) for i in worst])
    print(f"stage: {args.prims} module prims, scalar in/out, {args.frames} frames")
    print(f"  panel refreshes during the run: {refreshes}")
    for r in found:
        print(
            f"  {r.case:<9} {r.impl:<14} median {r.median_s * 1e6:8.1f} µs   "
            f"p90 {r.p90_s * 1e6:8.1f} µs"
        )
    typical = statistics.median(overhead) / step
    whole = sum(overhead) / sum(inner_s)
    print(
        f"  extension over its own runner step: {typical:.1%} per typical frame (medians), "
        f"{whole:.1%} over the run (sums; the panel's refreshes included); goal ≤ 5%"
    )
    ratio = statistics.median(callback_s) / statistics.median(bare_s)
    print(f"  callback vs a bare runner on a twin stage: {ratio:.2f}× (medians; noisier)")
    yield from found


def main(argv: list[str] | None = None) -> int:
    return run_main("kit", rows, argv)
