"""Ray: the same variants on a Ray cluster (the optional extra ``portalis[ray]``).

Connects to ``--address`` (or ``RAY_ADDRESS``, as Ray itself reads it), else starts a local
Ray with ``--workers`` CPUs that ends with the sweep. Ray does the scheduling, the transport
and the retries; Portalis adds nothing of its own:

* the scene's files and the metric kernels go into the object store once (``ray.put``) and
  every task carries only their references (:mod:`portalis.sweep.bundle`); each worker
  writes them to its machine once and keeps its compile caches between variants;
* each variant is one task with ``max_retries``: a worker process that dies mid-variant
  (killed, out of memory, its node lost) is retried by Ray; one that dies every time comes
  back ``lost`` with Ray's message, and runs again when the sweep is resumed;
* anything the variant itself does wrong comes back as its outcome (``run_variant`` never
  raises), so a failure is reported against its variant with the runner's message;
* Ctrl-C cancels the tasks (Ray interrupts the running ones, which stop between frames);
  the driver keeps every outcome that had come back.

One thing to know when driving a sweep from Python: ``ray.init`` installs Ray's crash handler
for SIGILL and SIGSEGV in the calling process, in front of wasmtime's, so a module that traps
in *that* process afterwards kills it instead of raising ``WasmTrap``. The sweep's driver runs
no module once Ray is up (metrics are compiled and checked before; variants run in workers,
which start wasmtime after Ray, where traps are reported as usual); a notebook that keeps
running modules after a Ray sweep should run the sweep in a subprocess (``portalis sweep``).

With ``--workers N`` at most N variants are in flight at once (each a task of one CPU; a local
Ray started here gets N CPUs); without it every variant is submitted at once and Ray spreads
them over the cluster.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from portalis.sweep.bundle import Bundle, materialise
from portalis.sweep.design import SweepError
from portalis.sweep.variant import INTERRUPTED, LOST, Job, Outcome, run_variant

#: How often Ray runs a variant again after its worker process died.
MAX_RETRIES = 3


def ray_task(job: Job, bundle: Bundle) -> Outcome:
    """A worker's part: the scene from the object store (once per machine), then the run."""
    import ray

    return run_variant(job, materialise(bundle, ray.get))


class RayEngine:
    """Runs jobs as Ray tasks. ``task`` is what each runs (``ray_task``; a test wraps it)."""

    name = "ray"

    def __init__(
        self,
        address: str | None = None,
        workers: int | None = None,
        task: Callable[[Job, Bundle], Outcome] = ray_task,
    ) -> None:
        self.address = address
        self.workers = workers
        self.task = task
        self._started_ray = False
        self._queue: list[Job] = []
        self._running: dict[Any, Job] = {}
        self._bundle: Any = None
        self._remote: Any = None

    def start(self, jobs: list[Job], bundle: Bundle, scene: Path) -> None:
        try:
            import ray
        except ImportError:
            raise SweepError("--engine ray needs Ray", hint="pip install 'portalis[ray]'") from None
        if not ray.is_initialized():
            address = self.address or os.environ.get("RAY_ADDRESS")
            try:
                if address:
                    ray.init(address=address, log_to_driver=False)
                else:
                    ray.init(
                        num_cpus=self.workers or os.cpu_count() or 1,
                        include_dashboard=False,
                        log_to_driver=False,
                    )
                    self._started_ray = True
            except (ConnectionError, RuntimeError, ValueError) as e:
                raise SweepError(
                    f"cannot connect to Ray at {address}: {e}"
                    if address
                    else f"cannot start a local Ray: {e}"
                ) from None
        self._bundle = ray.put(bundle.with_refs(ray.put))
        self._remote = ray.remote(self.task).options(max_retries=MAX_RETRIES, num_cpus=1)
        if jobs and jobs[0].metrics:  # the same kernels for every job: stored once
            metrics = tuple(m.with_wasm(ray.put(m.wasm)) for m in jobs[0].metrics)
            jobs = [replace(job, metrics=metrics) for job in jobs]
        self._window = self.workers or len(jobs)
        self._queue = list(reversed(jobs))
        self._submit()

    def outcomes(self) -> Iterator[Outcome]:
        import ray

        while self._running:
            finished, _ = ray.wait(list(self._running), num_returns=1)
            for ref in finished:
                job = self._running.pop(ref)
                yield self._take(ref, job)
            self._submit()

    def drain(self) -> Iterator[Outcome]:
        """After Ctrl-C: nothing new starts; the running tasks are cancelled (they stop
        between frames); what had finished is kept."""
        import ray

        self._queue.clear()
        for ref in self._running:
            ray.cancel(ref)
        for ref, job in list(self._running.items()):
            outcome = self._take(ref, job)
            if outcome.status != LOST:
                yield outcome
        self._running.clear()

    def close(self) -> None:
        if self._started_ray:
            import ray

            ray.shutdown()
            self._started_ray = False

    def _submit(self) -> None:
        while self._queue and len(self._running) < self._window:
            job = self._queue.pop()
            self._running[self._remote.remote(job, self._bundle)] = job

    def _take(self, ref: Any, job: Job) -> Outcome:
        import ray

        try:
            outcome: Outcome = ray.get(ref)
            return outcome
        except ray.exceptions.TaskCancelledError:
            return Outcome(job.variant.index, INTERRUPTED, "cancelled by Ctrl-C")
        except ray.exceptions.RayError as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            return Outcome(job.variant.index, LOST, f"{type(e).__name__}: {first}")
