"""``portalis sweep --engine ray`` on a real local Ray (2 CPUs, started once for this module,
in a process of its own: see tests/sweep/ray_session.py): the same summaries and result layers
as the local pool, a worker killed mid-variant retried by Ray with every variant completed
once, a module trapping in a Ray worker reported against its variant, and a sweep started on
Ray resumed anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sweep.conftest import read_summary

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ray_runs(projectile_scene, trap_scene, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("ray-sweeps")
    # Ray's workers inherit this environment: their own compile cache and scene folder.
    env = {**os.environ, "PORTALIS_CACHE_DIR": str(base / "cache"),
           "PORTALIS_CACHE_KEY": str(base / "cache.key"),
           "PORTALIS_SWEEP_CACHE": str(base / "scenes")}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "tests.sweep.ray_session", str(projectile_scene),
         str(trap_scene), str(base)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    return base


def without_times(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{k: v for k, v in row.items() if k != "seconds"} for row in rows]


def test_ray_gives_the_summary_and_results_the_local_pool_gives(ray_runs):
    on_ray, local = read_summary(ray_runs / "ray"), read_summary(ray_runs / "local")
    assert [r["status"] for r in on_ray] == ["ok"] * 6
    assert "metric:max_height" in on_ray[0]
    assert without_times(on_ray) == without_times(local)
    for k in range(6):
        name = f"variants/{k:04d}/result.usd"
        assert (ray_runs / "ray" / name).read_bytes() == (ray_runs / "local" / name).read_bytes()


def test_a_sweep_started_on_ray_resumes_with_nothing_left_to_run(ray_runs):
    findings = json.loads((ray_runs / "findings.json").read_text())
    assert findings["resumed"] == [0, 6]


def test_a_worker_killed_mid_variant_is_retried_and_every_variant_completes_once(ray_runs):
    assert (ray_runs / "killed-once").exists()  # the kill happened
    tries = sorted(int(p.name.split("-")[0]) for p in (ray_runs / "attempts").iterdir())
    assert tries.count(3) == 2 and all(tries.count(k) == 1 for k in (0, 1, 2, 4, 5))
    rows = read_summary(ray_runs / "killed")
    assert [r["status"] for r in rows] == ["ok"] * 6
    assert [int(r["variant"]) for r in rows] == list(range(6))
    for k in range(6):
        done = json.loads((ray_runs / "killed" / "variants" / f"{k:04d}" / "done.json").read_text())
        assert done["variant"] == k and done["status"] == "ok"
    assert without_times(rows) == without_times(read_summary(ray_runs / "plain"))


def test_a_module_trapping_in_a_ray_worker_fails_its_variant_alone(ray_runs):
    rows = read_summary(ray_runs / "trap")
    assert [r["status"] for r in rows] == ["ok", "failed", "ok"]
    assert float(rows[0]["/World/Div.outputs:quotient"]) == 0.5
    assert "/World/Div" in rows[1]["message"] and "ZeroDivisionError" in rows[1]["message"]
