"""The Ray half of tests/sweep/test_ray_sweep.py, run as its own process
(``python -m tests.sweep.ray_session SCENE TRAP_SCENE FOLDER``): it starts one local Ray
(2 CPUs), runs the sweeps, and leaves their folders and ``findings.json`` for the tests to
check.

Why a process of its own: ``ray.init`` installs Ray's crash handler for SIGILL and SIGSEGV in
the calling process, in front of wasmtime's, so a WebAssembly trap in that process afterwards
(any later test that traps a module on purpose) would kill it. Ray's workers are unaffected:
they start wasmtime after Ray, and a trap there is a variant's failure (checked below).
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import ray

from portalis.sweep import make_engine, run_sweep
from portalis.sweep.ray_engine import RayEngine, ray_task
from tests.sweep.conftest import ANGLE, METRICS, SPEED

SPECS = [f"{SPEED}=10:20:3", f"{ANGLE}=[30,60]"]
END = 40
METRIC = [f"{METRICS}:max_height"]


def killing_task(attempts: Path, killed: Path, victim: int):
    """A task that marks every attempt, and kills its own worker process (SIGKILL: no
    cleanup, as the OOM killer or a lost node would) on the first attempt of ``victim``."""

    def dies_once(job, bundle):
        (attempts / f"{job.variant.index}-{os.getpid()}-{len(os.listdir(attempts))}").touch()
        if job.variant.index == victim and not killed.exists():
            killed.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return ray_task(job, bundle)

    return dies_once


def main(scene: Path, trap_scene: Path, base: Path) -> None:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    findings = {}
    try:
        run_sweep(scene, base / "local", SPECS, end=END, metrics=METRIC,
                  engine=make_engine("local", workers=2))  # fmt: skip
        run_sweep(scene, base / "ray", SPECS, end=END, metrics=METRIC, engine=make_engine("ray"))
        again = run_sweep(scene, base / "ray", SPECS, end=END, metrics=METRIC)
        findings["resumed"] = [again.ran, again.skipped]

        (base / "attempts").mkdir()
        task = killing_task(base / "attempts", base / "killed-once", victim=3)
        run_sweep(scene, base / "killed", SPECS, end=END, engine=RayEngine(task=task))
        run_sweep(scene, base / "plain", SPECS, end=END)

        run_sweep(trap_scene, base / "trap", ["/World/Div.inputs:divisor=[2,0,4]"],
                  engine=make_engine("ray"))  # fmt: skip
    finally:
        ray.shutdown()
    (base / "findings.json").write_text(json.dumps(findings))


if __name__ == "__main__":
    main(*(Path(arg) for arg in sys.argv[1:4]))
