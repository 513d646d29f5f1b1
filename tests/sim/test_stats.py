"""PrimStatistics and the run summary: recent durations for live displays, mean, p99 and max."""

from __future__ import annotations

import numpy as np

from portalis.sim.stats import WINDOW, PrimStatistics, summarize


def stats_with(durations: list[float]) -> PrimStatistics:
    stats = PrimStatistics("/P", "m", "update", True)
    for seconds in durations:
        stats.record(seconds)
    return stats


def test_recent_is_the_latest_n():
    stats = stats_with([float(i) for i in range(10)])
    assert sorted(stats.recent(3)) == [7.0, 8.0, 9.0]
    assert sorted(stats.recent(50)) == [float(i) for i in range(10)]


def test_recent_after_the_ring_wrapped():
    total = WINDOW + 5
    stats = stats_with([float(i) for i in range(total)])
    latest = stats.recent(8)
    assert sorted(latest) == [float(i) for i in range(total - 8, total)]
    assert isinstance(latest, np.ndarray) and len(stats.recent(WINDOW + 10)) == WINDOW


def test_max_explains_a_mean_above_the_p99():
    # One slow first call among a hundred fast ones: the mean rises above the p99, and the
    # summary's max column is what shows the user why.
    s = PrimStatistics("/World/a", "m.wasm", "f", monitoring=True)
    s.record(0.05)
    for _ in range(99):
        s.record(1e-5)
    s.record(2e-5)
    (row,) = summarize([s])
    assert row.mean_seconds is not None and row.p99_seconds is not None
    assert row.mean_seconds > row.p99_seconds
    assert row.max_seconds == 0.05


def test_summary_has_no_times_without_timed_calls():
    s = PrimStatistics("/World/a", "m.wasm", "f", monitoring=False)
    s.calls = 3
    (row,) = summarize([s])
    assert row.calls == 3 and row.max_seconds is None and row.p99_seconds is None
