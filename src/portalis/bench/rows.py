"""The one thing every benchmark yields: a :class:`Row` per measured case and implementation,
and the JSON file that holds them (SPEC §7), with the machine they were measured on."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from portalis.bench.timing import Timing

#: Packages whose versions a results file records, when installed: the product's, then peers'.
PACKAGES = (
    "portalis", "wasmtime", "usd-core", "numpy", "numba", "warp-lang", "open3d", "matplotlib",
)  # fmt: skip


@dataclass(frozen=True)
class Row:
    """One measurement: ``impl`` (``portalis``, ``cpython``, ``numpy``, ``numba``, ``warp``,
    ``open3d``, ``wasmtime-py`` or another peer's plain name) doing ``case`` with ``params``,
    timed ``runs`` times: the median and 90th percentile, in seconds per operation.

    ``params`` says what differs between rows of one case (problem size, a variant of the
    implementation); ``metrics`` holds measured figures that are not times (peak memory,
    ulps), and is left out of the JSON when empty.
    """

    case: str
    impl: str
    median_s: float
    p90_s: float
    runs: int
    params: Mapping[str, Any] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def of(
        cls, case: str, impl: str, samples: Sequence[float], per: float = 1.0, **params: Any
    ) -> Row:
        """A row from seconds per run; ``per`` divides each (operations per run)."""
        values = sorted(s / per for s in samples)
        return cls(case, impl, statistics.median(values), percentile(values, 0.9),
                   len(values), params)  # fmt: skip

    @classmethod
    def timed(cls, case: str, impl: str, timing: Timing, **params: Any) -> Row:
        """A row from :func:`portalis.bench.timing.time_call`'s per-call batch times."""
        return cls.of(case, impl, timing.samples, **params)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "case": self.case, "impl": self.impl, "median_s": self.median_s,
            "p90_s": self.p90_s, "runs": self.runs, "params": dict(self.params),
        }  # fmt: skip
        if self.metrics:
            out["metrics"] = dict(self.metrics)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Row:
        return cls(
            data["case"], data["impl"], float(data["median_s"]), float(data["p90_s"]),
            int(data["runs"]), dict(data.get("params", {})), dict(data.get("metrics", {})),
        )  # fmt: skip


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q`` quantile by linear interpolation between the two nearest ranks."""
    if not sorted_values:
        raise ValueError("no samples")
    position = q * (len(sorted_values) - 1)
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def machine() -> dict[str, Any]:
    """What the rows were measured on: CPU, cores, Python, installed package versions."""
    packages = {}
    for name in PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {
        "cpu": _cpu_name(),
        "cores": os.cpu_count() or 1,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "packages": packages,
    }


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def results(
    benchmark: str, rows: Iterable[Row], host: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The SPEC §7 document for one benchmark."""
    return {
        "benchmark": benchmark,
        "machine": dict(host) if host is not None else machine(),
        "rows": [row.to_json() for row in rows],
    }


def write_json(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def emit(benchmark: str, rows: Sequence[Row], path: Path | None) -> None:
    """Write ``rows`` to ``path`` as SPEC §7 JSON, when a path was asked for."""
    if path is not None:
        write_json(path, results(benchmark, rows))
        print(f"wrote {path}", file=sys.stderr)
