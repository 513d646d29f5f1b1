"""The fast lane computes exactly what the general path does, and fails the same way."""

from __future__ import annotations

from pathlib import Path

import pytest
from pxr import Sdf, Usd

from portalis.sim import Runner
from portalis.sim.fastlane import TIME_EVERY, TIMED_FIRST, FastGroup
from portalis.usd import add_input, add_output, create_wasm_module_prim

from .conftest import WriteWasm

# update(x, k, dt) -> (x * k + dt, x)
STEP = """(module (func (export "update") (param f64 f64 f64) (result f64 f64)
  local.get 0 local.get 1 f64.mul local.get 2 f64.add  local.get 0))"""
# update(x, n) -> x + 1, trapping once x reaches 3 (its fourth call)
TRAP_AT_3 = """(module (func (export "update") (param f64) (result f64)
  local.get 0 f64.const 3 f64.ge (if (then unreachable))
  local.get 0 f64.const 1 f64.add))"""


def chain(stage: Usd.Stage, wasm: Path, count: int) -> None:
    driver = stage.DefinePrim("/Driver")
    level = driver.CreateAttribute("level", Sdf.ValueTypeNames.Double)
    for frame in range(0, 40, 4):
        level.Set(float(frame % 7), frame)
    for i in range(count):
        prim = create_wasm_module_prim(stage, f"/M{i}", str(wasm), "step", "update")
        source = f"/M{i - 1}.outputs:y" if i else level.GetPath()
        add_input(prim, "x", "double", 1.0, connect=source)
        add_input(prim, "k", "double", 0.5 + i / 10)
        add_input(prim, "dt", "double")
        add_output(prim, "y", "double")
        add_output(prim, "previous", "double")


def run(wasm: Path, *, fast: bool) -> tuple[str, list[type]]:
    stage = Usd.Stage.CreateInMemory()
    chain(stage, wasm, 6)
    with Runner(stage, record=True, fast_lane=fast) as rt:
        rt.play(0)
        for frame in range(1, 31):
            rt.step(1 / 60, time_code=frame)
        rt.flush()
        units = [type(u) for u in rt.units]
    return stage.GetRootLayer().ExportToString(), units


def test_fast_lane_records_exactly_what_the_general_path_records(write_wasm: WriteWasm) -> None:
    wasm = write_wasm("step", STEP)
    fast, fast_units = run(wasm, fast=True)
    slow, slow_units = run(wasm, fast=False)
    assert FastGroup in fast_units and FastGroup not in slow_units
    assert fast == slow
    assert "outputs:y.timeSamples" in fast


def test_a_failure_inside_a_group_stops_only_that_member(write_wasm: WriteWasm) -> None:
    inc = write_wasm("inc", TRAP_AT_3.replace("f64.const 3 f64.ge", "f64.const 1e9 f64.ge"))
    trap = write_wasm("trap", TRAP_AT_3)
    stage = Usd.Stage.CreateInMemory()
    for name, wasm in (("A", inc), ("B", trap), ("C", inc)):
        prim = create_wasm_module_prim(stage, f"/{name}", str(wasm), name, "update")
        add_input(prim, "n", "double", 0.0, connect=f"/{name}.outputs:n")
        add_output(prim, "n", "double")
    with Runner(stage) as rt:
        rt.step(1 / 60)
        assert isinstance(rt.units[0], FastGroup)
        for _ in range(9):
            rt.step(1 / 60)
        assert [f.prim_path for f in rt.failures] == ["/B"]
        calls = {s.prim_path: s.calls for s in rt.statistics()}
    assert calls == {"/A": 10, "/B": 3, "/C": 10}
    assert stage.GetAttributeAtPath("/C.outputs:n").Get() == 10.0
    assert stage.GetAttributeAtPath("/B.outputs:n").Get() == 3.0


def test_grouped_calls_are_counted_exactly_and_timed_by_sample(write_wasm: WriteWasm) -> None:
    wasm = write_wasm("step", STEP)
    stage = Usd.Stage.CreateInMemory()
    chain(stage, wasm, 3)
    steps = TIMED_FIRST + 10 * TIME_EVERY
    with Runner(stage) as rt:
        for _ in range(steps):
            rt.step(1 / 60)
        stats = rt.statistics()
    for s in stats:
        assert s.calls == steps
        assert s.timed_calls == TIMED_FIRST + 10
        assert s.mean_seconds is not None and s.mean_seconds > 0


@pytest.mark.parametrize("host_fps", [30.0, 60.0, 240.0])
def test_group_rate_is_independent_of_the_host(write_wasm: WriteWasm, host_fps: float) -> None:
    wasm = write_wasm("step", STEP)
    stage = Usd.Stage.CreateInMemory()
    chain(stage, wasm, 3)
    with Runner(stage) as rt:
        for _ in range(round(host_fps)):
            rt.step(1 / host_fps)
        assert [s.calls for s in rt.statistics()] == [60, 60, 60]


def test_a_recorded_group_failure_keeps_the_samples_honest(write_wasm: WriteWasm) -> None:
    inc = write_wasm("inc", TRAP_AT_3.replace("f64.const 3 f64.ge", "f64.const 1e9 f64.ge"))
    trap = write_wasm("trap", TRAP_AT_3)
    stage = Usd.Stage.CreateInMemory()
    for name, wasm in (("A", inc), ("B", trap), ("C", inc)):
        prim = create_wasm_module_prim(stage, f"/{name}", str(wasm), name, "update")
        add_input(prim, "n", "double", 0.0, connect=f"/{name}.outputs:n")
        add_output(prim, "n", "double")
    with Runner(stage, record=True) as rt:
        rt.play(0)
        for frame in range(1, 7):
            rt.step(1 / 60, time_code=frame)
        rt.flush()
    layer = stage.GetRootLayer()
    assert layer.ListTimeSamplesForPath("/B.outputs:n") == [1.0, 2.0, 3.0]  # fails at frame 4
    assert layer.ListTimeSamplesForPath("/C.outputs:n") == [float(f) for f in range(1, 7)]
    assert layer.QueryTimeSample("/C.outputs:n", 6) == 6.0


def test_a_group_of_modules_without_results_records_nothing_and_runs(
    write_wasm: WriteWasm,
) -> None:
    wasm = write_wasm("sink", """(module (func (export "update") (param f64)))""")
    stage = Usd.Stage.CreateInMemory()
    for i in range(3):
        prim = create_wasm_module_prim(stage, f"/S{i}", str(wasm), "sink", "update")
        add_input(prim, "x", "double", float(i))
    with Runner(stage, record=True) as rt:
        rt.play(0)
        for frame in range(1, 4):
            rt.step(1 / 60, time_code=frame)
        rt.flush()
        assert [type(u) for u in rt.units] == [FastGroup]
        assert rt.failures == []
        assert [s.calls for s in rt.statistics()] == [3, 3, 3]
