"""PrimStatistics.recent: the latest n call durations, a bounded read for live displays."""

from __future__ import annotations

import numpy as np

from portalis.sim.stats import WINDOW, PrimStatistics


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
