"""The embedded default engine: a pool of local processes (``concurrent.futures``).

Each worker is a fresh interpreter (``spawn``: nothing of the parent's USD or wasmtime state
is inherited half-initialised) that runs variants one after another, so its compile caches
stay warm. Workers ignore Ctrl-C except while baking, where ``portalis.sim.bake`` turns it
into "stop after this frame": a Ctrl-C at the terminal reaches every process of the group,
the running variants stop between frames and come back incomplete, the queued ones are
cancelled. A worker that dies (a crash in native code) is not retried here: its variant, and
those the broken pool can no longer run, are ``lost`` and run again when the sweep is resumed
(Ray retries on its own; see :mod:`portalis.sweep.ray_engine`).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

from portalis.sweep.bundle import Bundle
from portalis.sweep.variant import LOST, Job, Outcome, run_variant


def local_task(job: Job, scene: str) -> Outcome:
    """A worker's part: the scene is on this machine."""
    return run_variant(job, Path(scene))


def _ignore_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class LocalEngine:
    """Runs jobs on ``workers`` local processes (by default one per CPU)."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[Future[Outcome], Job] = {}

    def start(self, jobs: list[Job], bundle: Bundle, scene: Path) -> None:
        self._pool = ProcessPoolExecutor(
            max_workers=max(1, min(self.workers, len(jobs))),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_ignore_ctrl_c,
        )
        self._futures = {
            self._pool.submit(local_task, job, str(scene.resolve())): job for job in jobs
        }

    def outcomes(self) -> Iterator[Outcome]:
        """Each job's outcome as it finishes."""
        while self._futures:
            finished, _ = wait(self._futures, return_when=FIRST_COMPLETED)
            for future in finished:
                yield self._take(future)

    def drain(self) -> Iterator[Outcome]:
        """After Ctrl-C: cancel what has not started; the outcomes of what was running."""
        for future in list(self._futures):
            if future.cancel():
                del self._futures[future]
        yield from self.outcomes()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _take(self, future: Future[Outcome]) -> Outcome:
        job = self._futures.pop(future)
        try:
            return future.result()
        except Exception as e:  # the worker process died: BrokenProcessPool
            return Outcome(job.variant.index, LOST, f"worker process died: {e}")
