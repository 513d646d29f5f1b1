"""Scheduling: continuous at updateRate whatever the host's frame rate, on_demand, event_driven."""

from __future__ import annotations

from pathlib import Path

import pytest
from pxr import Sdf, Usd

from portalis.sim import PLAY, STOP, Event, Runner
from portalis.usd import add_input, add_output, create_wasm_module_prim, set_trigger_events
from portalis.usd import tokens as t

from .conftest import WriteWasm

INC = """(module (func (export "update") (param f64) (result f64)
  local.get 0 f64.const 1 f64.add))"""
# update(n) -> (n + 1, n + 1 >= 3): raises "done" from its third call on
RAISER = """(module (func (export "update") (param f64) (result f64 i32)
  local.get 0 f64.const 1 f64.add
  local.get 0 f64.const 2 f64.ge))"""


@pytest.fixture
def inc(write_wasm: WriteWasm) -> Path:
    return write_wasm("inc", INC)


def counter(stage: Usd.Stage, path: str, wasm: Path, mode: str = "continuous") -> Usd.Prim:
    prim = create_wasm_module_prim(stage, path, str(wasm), "", "update", "base")
    prim.GetAttribute(t.EXECUTION_MODE).Set(mode)
    add_input(prim, "n", "double", 0.0, connect=f"{path}.outputs:n")
    add_output(prim, "n", "double")
    return prim


@pytest.mark.parametrize("host_fps", [24.0, 30.0, 60.0, 144.0, 1000.0])
def test_continuous_rate_is_independent_of_the_host_frame_rate(inc: Path, host_fps: float) -> None:
    stage = Usd.Stage.CreateInMemory()
    prim = counter(stage, "/C", inc)
    with Runner(stage) as rt:
        for _ in range(round(2 * host_fps)):  # two simulated seconds
            rt.step(1 / host_fps)
        assert rt.module_prim("/C").stats.calls == 120
    assert prim.GetAttribute("outputs:n").Get() == 120.0


def test_a_stalled_host_catches_up_at_most_max_catchup_calls(inc: Path) -> None:
    stage = Usd.Stage.CreateInMemory()
    counter(stage, "/C", inc)
    with Runner(stage, max_catchup=4) as rt:
        rt.step(1.0)  # 60 calls due
        assert rt.module_prim("/C").stats.calls == 4
        assert rt.dropped_calls == 56
        rt.step(1 / 60)  # the backlog was dropped, not carried
        assert rt.module_prim("/C").stats.calls == 5


def test_an_offline_runner_makes_every_due_call(write_wasm: WriteWasm) -> None:
    """Offline (``portalis run``), neither the call cap nor the wall-clock budget applies:
    the result cannot depend on the machine's speed."""
    slow = write_wasm("slow", SLOW_INC)
    stage = Usd.Stage.CreateInMemory()
    for path in ("/A", "/B"):  # a fast-lane group, and the general path below
        counter(stage, path, slow)
    for fast_lane in (True, False):
        with Runner(stage, offline=True, max_catchup=4, catchup_budget=1e-9,
                    fast_lane=fast_lane) as rt:  # fmt: skip
            rt.step(0.5)  # 30 calls due
            assert [s.calls for s in rt.statistics()] == [30, 30]
            assert rt.dropped_calls == 0


# update(n) -> n + 1, after a busy loop of 200,000 iterations (a slow call)
SLOW_INC = """(module (func (export "update") (param f64) (result f64) (local $i i32)
  (loop $spin local.get $i i32.const 1 i32.add local.tee $i i32.const 200000 i32.lt_s br_if $spin)
  local.get 0 f64.const 1 f64.add))"""


@pytest.mark.parametrize("fast_lane", [True, False], ids=["fast-lane", "general"])
def test_catch_up_stops_when_the_step_budget_is_spent(
    write_wasm: WriteWasm, fast_lane: bool
) -> None:
    """A huge updateRate asks for 16 calls a step; a budget smaller than one call allows one
    (the first call of a step always runs), so catch-up cannot multiply the deadline."""
    slow = write_wasm("slow", SLOW_INC)
    stage = Usd.Stage.CreateInMemory()
    for path in ("/A", "/B"):  # two prims of one rate: a fast-lane group when allowed
        counter(stage, path, slow).GetAttribute(t.UPDATE_RATE).Set(1e6)
    with Runner(stage, catchup_budget=1e-9, fast_lane=fast_lane) as rt:
        for _ in range(3):
            rt.step(1 / 60)
        assert [s.calls for s in rt.statistics()] == [3, 3]
        assert rt.dropped_calls > 3 * 16_000  # ~16,666 due per step and unit, one made
        assert rt.failures == []


def test_on_demand_runs_when_an_input_changes(inc: Path) -> None:
    stage = Usd.Stage.CreateInMemory()
    prim = create_wasm_module_prim(stage, "/D", str(inc), "", "update", "base")
    prim.GetAttribute(t.EXECUTION_MODE).Set("on_demand")
    level = add_input(prim, "x", "double", 1.0)
    add_output(prim, "y", "double")
    with Runner(stage) as rt:
        rt.play()  # first evaluation
        for _ in range(5):
            rt.step(1 / 60)
        stats = rt.module_prim("/D").stats
        assert stats.calls == 1
        level.Set(5.0)  # an edit, seen through USD change notices
        rt.step(1 / 60)
        rt.step(1 / 60)
        assert stats.calls == 2
        assert prim.GetAttribute("outputs:y").Get() == 6.0
        rt.request("/D")
        rt.step(1 / 60)
        assert stats.calls == 3


def test_on_demand_follows_an_animated_input(inc: Path) -> None:
    stage = Usd.Stage.CreateInMemory()
    driver = stage.DefinePrim("/Driver")
    level = driver.CreateAttribute("level", Sdf.ValueTypeNames.Double)
    level.Set(0.0, 0)
    level.Set(0.0, 3)
    level.Set(1.0, 4)  # changes once, between frames 3 and 4, then holds
    prim = create_wasm_module_prim(stage, "/D", str(inc), "", "update", "base")
    prim.GetAttribute(t.EXECUTION_MODE).Set("on_demand")
    add_input(prim, "x", "double", connect=level)
    add_output(prim, "y", "double")
    with Runner(stage, record=True) as rt:
        rt.play(0)
        for frame in range(1, 9):
            rt.step(1 / 24, time_code=frame)
        assert rt.module_prim("/D").stats.calls == 2  # at play, and at frame 4


def test_event_driven_runs_on_play_and_stop(inc: Path) -> None:
    stage = Usd.Stage.CreateInMemory()
    on_play = counter(stage, "/OnPlay", inc, "event_driven")
    set_trigger_events(on_play, [PLAY])
    on_stop = counter(stage, "/OnStop", inc, "event_driven")
    set_trigger_events(on_stop, [STOP])
    with Runner(stage) as rt:
        rt.play()
        for _ in range(10):
            rt.step(1 / 60)
        assert rt.module_prim("/OnPlay").stats.calls == 1
        assert rt.module_prim("/OnStop").stats.calls == 0
        rt.stop()
        assert rt.module_prim("/OnStop").stats.calls == 1
    assert on_play.GetAttribute("outputs:n").Get() == 1.0


def test_event_driven_runs_on_an_event_another_module_raises(
    inc: Path, write_wasm: WriteWasm
) -> None:
    raiser = write_wasm("raiser", RAISER)
    stage = Usd.Stage.CreateInMemory()
    source = create_wasm_module_prim(stage, "/Source", str(raiser), "", "update", "base")
    add_input(source, "n", "double", 0.0, connect="/Source.outputs:n")
    add_output(source, "n", "double")
    add_output(source, "event_done", "bool")
    listener = counter(stage, "/Listener", inc, "event_driven")
    set_trigger_events(listener, ["done"])
    deaf = counter(stage, "/Deaf", inc, "event_driven")
    set_trigger_events(deaf, ["something_else"])
    seen: list[Event] = []
    with Runner(stage) as rt:
        rt.add_listener(seen.append)
        for _ in range(5):
            rt.step(1 / 60)
        assert rt.module_prim("/Listener").stats.calls == 3  # source's calls 3, 4 and 5
        assert rt.module_prim("/Deaf").stats.calls == 0
    done = [e for e in seen if e.name == "done"]
    assert len(done) == 3 and done[0].source == "/Source"


def test_host_raised_events_and_empty_trigger_list(inc: Path) -> None:
    stage = Usd.Stage.CreateInMemory()
    named = counter(stage, "/Named", inc, "event_driven")
    set_trigger_events(named, ["reset"])
    counter(stage, "/Any", inc, "event_driven")  # no triggerEvents: every event
    with Runner(stage) as rt:
        rt.play()  # "play": only /Any
        rt.raise_event("reset")
        rt.step(1 / 60)
        rt.raise_event("reset")
        rt.raise_event("reset")  # twice in one step: runs once
        rt.step(1 / 60)
        assert rt.module_prim("/Named").stats.calls == 2
        assert rt.module_prim("/Any").stats.calls == 3


def test_event_cycles_end(write_wasm: WriteWasm) -> None:
    """Two modules raising events for each other run once per event per step, not forever."""
    ping = write_wasm(
        "ping",
        """(module (func (export "update") (param f64) (result f64 i32)
        local.get 0 f64.const 1 f64.add i32.const 1))""",
    )
    stage = Usd.Stage.CreateInMemory()
    for path, listens, raises in (("/A", "b", "a"), ("/B", "a", "b")):
        prim = create_wasm_module_prim(stage, path, str(ping), "", "update", "base")
        set_trigger_events(prim, [listens, PLAY] if path == "/A" else [listens])
        add_input(prim, "n", "double", 0.0, connect=f"{path}.outputs:n")
        add_output(prim, "n", "double")
        add_output(prim, f"event_{raises}", "bool")
    with Runner(stage) as rt:
        rt.play()
        assert rt.module_prim("/A").stats.calls == 2  # on play, then on b
        assert rt.module_prim("/B").stats.calls == 1  # on a (once this step)
