"""``portalis sweep`` on the local process pool, run for real on the projectile scene: the
results against the closed-form flight, metrics against CPython running the same source,
resuming, per-variant failures with the runner's message, and clear errors."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pyarrow.parquet as pq
import pytest
from pxr import Usd

from portalis.bench.cpython import import_kernel
from portalis.cli.main import main
from portalis.sweep import SweepError, make_engine, run_sweep
from tests.sweep.conftest import ANGLE, METRICS, SPEED, digest, read_summary

END = 30  # frames: 0.5 s at 60 fps, the ball still in its first flight for every variant


#: The scene's gravityOverride is a float3: 9.81 as a 32-bit float.
G = float(np.float32(9.81))


def closed_form(speed: float, angle_deg: float, t: float, radius: float = 0.25):
    a = math.radians(angle_deg)
    return speed * math.cos(a) * t, radius + speed * math.sin(a) * t - 0.5 * G * t * t


def test_each_variant_is_the_scene_with_its_values_and_the_scene_is_never_written(
    projectile_scene, tmp_path
):
    before = digest(projectile_scene)
    result = run_sweep(
        projectile_scene, tmp_path / "sweep", [f"{SPEED}=10:30:3", f"{ANGLE}=[30,60]"],
        engine=make_engine("local", workers=2), end=END,
    )  # fmt: skip
    assert digest(projectile_scene) == before
    rows = read_summary(tmp_path / "sweep")
    assert [r["status"] for r in rows] == ["ok"] * 6
    assert result.ran == 6 and result.skipped == 0
    for row in rows:
        speed, angle = float(row[SPEED]), float(row[ANGLE])
        x, y = closed_form(speed, angle, END / 60.0)
        assert float(row["/World/Physics.outputs:position[0]"]) == pytest.approx(x, abs=1e-9)
        assert float(row["/World/Physics.outputs:position[1]"]) == pytest.approx(y, abs=1e-9)
        assert row["frames"] == str(END) and float(row["seconds"]) > 0
    # the same table as Parquet, with numbers as numbers
    table = pq.read_table(tmp_path / "sweep" / "summary.parquet").to_pylist()
    assert [r["variant"] for r in table] == list(range(6))
    for record, row in zip(table, rows, strict=True):
        assert record[SPEED] == float(row[SPEED]) and record["status"] == row["status"]
        x = "/World/Physics.outputs:position[0]"
        assert record[x] == float(row[x])
    # the result is a layer over the variant's override, which is over the scene
    folder = tmp_path / "sweep" / "variants" / "0005"
    stage = Usd.Stage.Open(str(folder / "result.usd"))
    assert stage.GetAttributeAtPath(SPEED).Get() == 30.0
    assert stage.GetAttributeAtPath(ANGLE).Get() == 60.0
    ball = stage.GetAttributeAtPath("/World/Ball.xformOp:translate")
    assert ball.Get(END)[0] == pytest.approx(closed_form(30.0, 60.0, 0.5)[0], abs=1e-9)


def test_a_metric_is_the_kernels_reduce_function_as_cpython_computes_it(projectile_scene, tmp_path):
    out = tmp_path / "sweep"
    run_sweep(
        projectile_scene, out, [f"{SPEED}=[6,14]"], end=60,
        metrics=[f"{METRICS}:max_height", f"{METRICS}:first_contact_x"],
    )  # fmt: skip
    rows = read_summary(out)
    python = import_kernel(METRICS)
    for row in rows:
        stage = Usd.Stage.Open(str(out / "variants" / f"{int(row['variant']):04d}/result.usd"))
        position = stage.GetAttributeAtPath("/World/Physics.outputs:position")
        contact = stage.GetAttributeAtPath("/World/Physics.outputs:contact")
        series = np.array([tuple(position.Get(t)) for t in range(61)])
        touched = np.array([float(contact.Get(t)) for t in range(61)])
        assert float(row["metric:max_height"]) == python.max_height(series)
        assert float(row["metric:first_contact_x"]) == python.first_contact_x(series, touched)
    # 6 m/s at 45° lands within the second (0.87 s), 14 m/s does not
    assert float(rows[0]["metric:first_contact_x"]) > 0
    assert float(rows[1]["metric:first_contact_x"]) == -1.0
    assert (out / "metric-max_height.png").stat().st_size > 1000


def test_running_the_same_command_again_runs_only_what_is_not_done(projectile_scene, tmp_path):
    out = tmp_path / "sweep"
    specs = [f"{SPEED}=10:20:4"]
    run_sweep(projectile_scene, out, specs, end=10)
    kept = out / "variants" / "0000" / "done.json"
    kept_bytes = kept.read_bytes()
    (out / "variants" / "0002" / "done.json").unlink()  # as if stopped before it finished
    again = run_sweep(projectile_scene, out, specs, end=10)
    assert (again.ran, again.skipped) == (1, 3)
    assert kept.read_bytes() == kept_bytes
    assert [r["status"] for r in read_summary(out)] == ["ok"] * 4
    done = json.loads((out / "variants" / "0002" / "done.json").read_text())
    assert done["parameters"] == {SPEED: pytest.approx(10 + 20 / 3)}
    with pytest.raises(SweepError, match=r"holds another sweep .*differs in: vary"):
        run_sweep(projectile_scene, out, [f"{SPEED}=10:20:5"], end=10)


def test_a_failing_variant_carries_the_runners_message_and_the_others_run(
    projectile_scene, tmp_path, capsys
):
    out = tmp_path / "sweep"
    status = main([
        "sweep", str(projectile_scene), "-o", str(out), "--end", "5", "--quiet",
        "--vary", '/World/Physics.physicsFunction=["step","stpe"]',
    ])  # fmt: skip
    printed = capsys.readouterr().out
    rows = read_summary(out)
    assert status == 2
    assert rows[0]["status"] == "ok"
    assert rows[1]["status"] in ("failed", "error")
    assert "/World/Physics" in rows[1]["message"] and "stpe" in rows[1]["message"]
    assert "variant 0001" in printed and "stpe" in printed
    # complete, so a re-run does not try it again
    assert (out / "variants" / "0001" / "done.json").is_file()


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        ("/World/Physic.inputs:speed=[1]", "the scene has no prim /World/Physic"),
        ("/World/Physics.inputs:sped=[1]", "has no attribute inputs:sped"),
        ("/World/Physics.gravityOverride=[1]", "is a float3; a sweep varies scalar attributes"),
        ("/World/Physics.inputs:speed=[true]", "is a double, not a bool"),
        ("/World/Physics.enabled=[1]", "is a bool; 1 is not one"),
        ("/World/Physics.inputs:speed=10:30", "a range needs a count"),
    ],
)
def test_a_spec_the_scene_cannot_take_is_one_clear_error_before_anything_runs(
    projectile_scene, tmp_path, capsys, vary, message
):
    out = tmp_path / "sweep"
    status = main(["sweep", str(projectile_scene), "-o", str(out), "--vary", vary])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err
    assert not out.exists()


def test_did_you_mean(projectile_scene, tmp_path, capsys):
    main(["sweep", str(projectile_scene), "-o", str(tmp_path / "o"),
          "--vary", "/World/Physics.inputs:sped=[1]"])  # fmt: skip
    assert "hint: did you mean inputs:speed?" in capsys.readouterr().err


def test_a_metric_naming_no_output_is_one_clear_error(projectile_scene, tmp_path):
    kernel = tmp_path / "bad_metric.py"
    kernel.write_text(
        "from portalis.lang import Array\n\n"
        "def peak(velocity: Array[float]) -> float:\n    return velocity[0]\n"
    )
    with pytest.raises(SweepError, match="parameter velocity of peak names an output"):
        run_sweep(projectile_scene, tmp_path / "o", [f"{SPEED}=[1]"], metrics=[f"{kernel}:peak"])


def test_ctrl_c_keeps_what_finished_and_the_same_command_finishes_the_rest(
    projectile_scene, tmp_path
):
    out = tmp_path / "sweep"
    command = [sys.executable, "-m", "portalis.cli.main", "sweep", str(projectile_scene),
               "-o", str(out), "--vary", f"{SPEED}=10:20:6", "--workers", "1", "--quiet",
               "--end", "4000"]  # fmt: skip
    # Its own process group, as a terminal's foreground job: Ctrl-C reaches every process.
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    first = out / "variants" / "0000" / "done.json"
    deadline = time.monotonic() + 300
    while not first.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=300)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "run the same command again" in err
    rows = read_summary(out)
    assert rows[0]["status"] == "ok"
    stopped = [r for r in rows if r["status"] != "ok"]
    assert stopped and all(r["status"] in ("interrupted", "not run") for r in stopped)
    kept = first.read_bytes()
    again = run_sweep(projectile_scene, out, [f"{SPEED}=10:20:6"], end=4000)
    assert again.skipped == 6 - len(stopped) and again.ran == len(stopped)
    assert [r["status"] for r in read_summary(out)] == ["ok"] * 6
    assert first.read_bytes() == kept


def test_a_module_trapping_fails_its_variant_alone(trap_scene, tmp_path):
    run_sweep(trap_scene, tmp_path / "sweep", ["/World/Div.inputs:divisor=[2,0,4]"])
    rows = read_summary(tmp_path / "sweep")
    assert [r["status"] for r in rows] == ["ok", "failed", "ok"]
    assert float(rows[2]["/World/Div.outputs:quotient"]) == 0.25
    assert "/World/Div" in rows[1]["message"] and "ZeroDivisionError" in rows[1]["message"]
