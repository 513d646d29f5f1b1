"""One sweep, from specs to summary: what ``portalis sweep`` does, callable from Python.

1. parse the ``--vary`` specs and make the design (:mod:`portalis.sweep.design`);
2. check every value against the scene, compile the metric kernels once;
3. claim the output folder (or resume the sweep it holds: complete variants are skipped);
4. write each variant's override layer, hand the rest to the engine (local processes or Ray),
   and keep every outcome as it comes back: its files, then its done marker;
5. write the summary (CSV, Parquet when possible, a picture per metric).

Ctrl-C at any point after 4 starts keeps what finished and still writes the summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from portalis.sweep.bundle import Bundle, bundle_of
from portalis.sweep.design import SweepError, Variant, make_design, parse_vary
from portalis.sweep.folder import SweepFolder
from portalis.sweep.metric import compile_metric
from portalis.sweep.summary import plot_metrics, table, write_summary
from portalis.sweep.variant import Job, Outcome, check_axes


class Progress(Protocol):
    """What :func:`run_sweep` reports to (``portalis sweep`` draws a bar)."""

    def start(self, total: int) -> None: ...
    def update(self, done: int) -> None: ...
    def done(self) -> None: ...


class Engine(Protocol):
    """What runs the jobs: :class:`~portalis.sweep.local_engine.LocalEngine` or
    :class:`~portalis.sweep.ray_engine.RayEngine`."""

    name: str

    def start(self, jobs: list[Job], bundle: Bundle, scene: Path) -> None: ...
    def outcomes(self) -> Any: ...  # Iterator[Outcome], as each finishes
    def drain(self) -> Any: ...  # Iterator[Outcome], after Ctrl-C
    def close(self) -> None: ...


@dataclass
class SweepResult:
    """What a sweep did: ``records`` is the summary table; ``ran`` the variants run now,
    ``skipped`` those a previous run had completed."""

    folder: Path
    records: list[dict[str, Any]]
    ran: int
    skipped: int
    interrupted: bool = False
    files: list[Path] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.records if r["status"] == status)


def make_engine(name: str, *, address: str | None = None, workers: int | None = None) -> Engine:
    if name == "local":
        from portalis.sweep.local_engine import LocalEngine

        return LocalEngine(workers)
    if name == "ray":
        from portalis.sweep.ray_engine import RayEngine

        return RayEngine(address, workers)
    raise SweepError(f"unknown engine {name!r}", hint="local or ray")


def run_sweep(
    scene: Path,
    out: Path,
    vary: Sequence[str],
    *,
    engine: Engine | None = None,
    samples: int | None = None,
    seed: int = 0,
    end: float | None = None,
    metrics: Sequence[str] = (),
    max_memory_mib: int = 256,
    deadline_s: float = 1.0,
    progress: Progress | None = None,
) -> SweepResult:
    """Run the sweep and write ``out`` (see the module docstring); ``engine`` defaults to
    local processes. Raises :class:`SweepError` for a sweep that cannot start."""
    from portalis.runtime import MiB, Sandbox

    Sandbox(max_memory_bytes=max_memory_mib * MiB, deadline_s=deadline_s)  # refuses bad limits
    axes = [parse_vary(spec) for spec in vary]
    make_design(axes, samples=samples, seed=seed)  # a bad design fails before USD is read
    if not scene.is_file():
        raise SweepError(f"{scene}: no such scene file")
    axes = check_axes(scene, axes)
    design = make_design(axes, samples=samples, seed=seed)
    compiled = tuple(compile_metric(spec, scene) for spec in metrics)
    bundle = bundle_of(scene)
    folder = SweepFolder(out)
    folder.claim(
        {
            "scene": str(scene.resolve()),
            "scene_files": bundle.key,
            "vary": list(vary),
            "samples": samples,
            "seed": seed if samples is not None else None,
            "end": end,
            "metrics": [f"{m}#{c.sha256[:16]}" for m, c in zip(metrics, compiled, strict=True)],
            "limits": {"max_memory_mib": max_memory_mib, "deadline_s": deadline_s},
        }
    )
    rows = folder.completed(design)
    todo = [v for v in design if v.index not in rows]
    by_index: dict[int, Variant] = {v.index: v for v in design}
    for variant in todo:
        folder.prepare(scene, variant)
    jobs = [Job(v, end, max_memory_mib, deadline_s, compiled) for v in todo]

    def keep(outcome: Outcome) -> None:
        variant = by_index[outcome.index]
        if outcome.complete:
            rows[outcome.index] = folder.keep(variant, outcome)
        else:  # shown in the summary, not marked done: a re-run runs it again
            rows[outcome.index] = {
                "status": outcome.status, "message": outcome.message,
                "seconds": outcome.seconds, "frames": outcome.frames, "columns": {},
            }  # fmt: skip
        if progress is not None:
            progress.update(len(rows) - skipped)

    interrupted = False
    skipped = len(rows)
    if progress is not None:
        progress.start(len(jobs))
    if jobs:
        engine = engine or make_engine("local")
        try:
            engine.start(jobs, bundle, scene)
            for outcome in engine.outcomes():
                keep(outcome)
        except KeyboardInterrupt:
            interrupted = True
            for outcome in engine.drain():
                keep(outcome)
        finally:
            engine.close()
            if progress is not None:
                progress.done()
    records = table(design, rows)
    files = write_summary(out, records)
    files += plot_metrics(out, records, [axis.attribute for axis in axes])
    return SweepResult(out, records, len(todo), len(design) - len(todo), interrupted, files)
