"""The benchmark harness shared by ``benchmarks/`` scripts and ``portalis bench``: medians
over repeated runs, and ratios against a peer measured in the same run (machines here are
noisy; absolute figures from different runs are not comparable, ratios are)."""

from portalis.bench.timing import Timing, format_seconds, ratio, report, time_call

__all__ = ["Timing", "format_seconds", "ratio", "report", "time_call"]
