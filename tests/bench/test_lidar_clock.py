"""``portalis bench lidar --cpu``: the runner's per-call timings come from the clock the
benchmark gives (CPU time there), at every place the runner times a prim's call."""

from __future__ import annotations

import itertools
from pathlib import Path

from portalis.bench.lidar import run_scene, runner_clock
from portalis.sim import fastlane, scheduler


def test_the_runner_times_its_calls_by_the_clock_given(tmp_path: Path) -> None:
    ticks = itertools.count()
    # a clock that advances by exactly one per reading: every timed call lasts 1.0
    rows, scans, _ = run_scene(3, tmp_path, clock=lambda: float(next(ticks)))
    assert len(scans) == 3
    assert {row.case for row in rows} == {"frame", "scan"}
    for row in rows:
        assert row.runs == 2 and row.median_s == row.p90_s == 1.0, row


def test_the_clock_is_put_back() -> None:
    before = (fastlane._time, scheduler._time)
    with runner_clock(lambda: 0.0):
        assert fastlane._time.perf_counter() == scheduler._time.perf_counter() == 0.0
    assert (fastlane._time, scheduler._time) == before
