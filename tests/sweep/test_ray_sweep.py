"""``portalis sweep --engine ray`` on a real local Ray (2 CPUs, started once for this module):
the same summaries as the local pool, a worker killed mid-variant retried by Ray with every
variant completed once, and a sweep started on Ray resumed on the local pool."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
import ray

from portalis.sweep import make_engine, run_sweep
from portalis.sweep.ray_engine import RayEngine, ray_task
from tests.sweep.conftest import ANGLE, METRICS, SPEED, read_summary

SPECS = [f"{SPEED}=10:20:3", f"{ANGLE}=[30,60]"]
END = 40


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory: pytest.TempPathFactory):
    """One Ray for the module (starting one takes seconds). Its workers get their own compile
    cache and scene folder, never the user's."""
    base = tmp_path_factory.mktemp("ray-workers")
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={
            "env_vars": {
                "PORTALIS_CACHE_DIR": str(base / "cache"),
                "PORTALIS_CACHE_KEY": str(base / "cache.key"),
                "PORTALIS_SWEEP_CACHE": str(base / "scenes"),
            }
        },
    )
    yield
    ray.shutdown()


def without_times(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{k: v for k, v in row.items() if k != "seconds"} for row in rows]


def test_ray_gives_the_summary_the_local_pool_gives(local_ray, projectile_scene, tmp_path):
    metrics = [f"{METRICS}:max_height"]
    local = run_sweep(projectile_scene, tmp_path / "local", SPECS, end=END, metrics=metrics,
                      engine=make_engine("local", workers=2))  # fmt: skip
    on_ray = run_sweep(projectile_scene, tmp_path / "ray", SPECS, end=END, metrics=metrics,
                       engine=make_engine("ray"))  # fmt: skip
    assert on_ray.count("ok") == local.count("ok") == 6
    assert without_times(read_summary(tmp_path / "ray")) == without_times(
        read_summary(tmp_path / "local")
    )
    for k in range(6):
        name = f"variants/{k:04d}/result.usd"
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    # a sweep started on Ray resumes anywhere: nothing is left to run
    again = run_sweep(projectile_scene, tmp_path / "ray", SPECS, end=END, metrics=metrics)
    assert (again.ran, again.skipped) == (0, 6)


def test_a_worker_killed_mid_variant_is_retried_and_every_variant_completes_once(
    local_ray, projectile_scene, tmp_path
):
    attempts = tmp_path / "attempts"
    attempts.mkdir()
    killed = tmp_path / "killed-once"

    def dies_once(job, bundle):
        # Every attempt leaves a mark; variant 3's first attempt kills its own worker
        # process (SIGKILL: no cleanup, as the OOM killer or a lost node would).
        (attempts / f"{job.variant.index}-{os.getpid()}-{len(os.listdir(attempts))}").touch()
        if job.variant.index == 3 and not killed.exists():
            killed.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return ray_task(job, bundle)

    out = tmp_path / "sweep"
    result = run_sweep(projectile_scene, out, SPECS, end=END, engine=RayEngine(task=dies_once))
    assert killed.exists()  # the kill happened
    tries = sorted(int(p.name.split("-")[0]) for p in attempts.iterdir())
    assert tries.count(3) == 2 and all(tries.count(k) == 1 for k in (0, 1, 2, 4, 5))
    rows = read_summary(out)
    assert [r["status"] for r in rows] == ["ok"] * 6 and result.count("ok") == 6
    assert [int(r["variant"]) for r in rows] == list(range(6))
    for k in range(6):
        done = json.loads((out / "variants" / f"{k:04d}" / "done.json").read_text())
        assert done["variant"] == k and done["status"] == "ok"
    reference = run_sweep(projectile_scene, tmp_path / "plain", SPECS, end=END)
    assert without_times(rows) == without_times(read_summary(Path(reference.folder)))
