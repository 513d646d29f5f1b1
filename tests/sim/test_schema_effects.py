"""Every schema attribute does something: each test changes one and watches the effect."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pxr import Gf, Usd, Vt

from portalis.abi import Array, Function, ModuleAbi, Value
from portalis.sim import COLLISION, Runner
from portalis.usd import (
    WasmRoboticsSchema,
    add_input,
    add_output,
    create_wasm_module_prim,
    set_trigger_events,
)
from portalis.usd import tokens as t

from .conftest import WriteWasm

# -- physics -------------------------------------------------------------------------------

PHYSICS_WAT = """(module
  (func (export "step") (param $y f64) (param $vy f64) (param $dt f64) (param $g f64)
        (param $fm f64) (result f64 f64 i32)
    (local $v f64) (local $ny f64)
    local.get $vy local.get $g local.get $fm f64.mul local.get $dt f64.mul f64.add local.set $v
    local.get $y local.get $v local.get $dt f64.mul f64.add local.set $ny
    local.get $ny local.get $v local.get $ny f64.const 0 f64.lt)
  (func (export "bounce") (param $y f64) (param $vy f64) (result f64 f64)
    local.get $y f64.neg local.get $vy f64.const -0.5 f64.mul))"""
PHYSICS_ABI = ModuleAbi(
    functions=(
        Function(
            "step",
            params=(
                Value("y", "f64"),
                Value("vy", "f64"),
                Value("dt", "f64"),
                Value("gravityOverride_y", "f64"),
                Value("forceMultiplier", "f64"),
            ),
            results=(Value("y", "f64"), Value("vy", "f64"), Value("contact", "bool")),
        ),
        Function(
            "bounce",
            params=(Value("y", "f64"), Value("vy", "f64")),
            results=(Value("y", "f64"), Value("vy", "f64")),
        ),
    )
)


def ball(stage: Usd.Stage, wasm: Path, height: float) -> Usd.Prim:
    prim = create_wasm_module_prim(stage, "/Ball", str(wasm), "ball", "update", "physics")
    prim.GetAttribute(t.PHYSICS_FUNCTION).Set("step")  # takes the place of entryFunction
    add_input(prim, "y", "double", height, connect="/Ball.outputs:y")
    add_input(prim, "vy", "double", 0.0, connect="/Ball.outputs:vy")
    add_output(prim, "y", "double")
    add_output(prim, "vy", "double")
    add_output(prim, "contact", "bool")
    return prim


@pytest.fixture
def physics_wasm(write_wasm: WriteWasm) -> Path:
    return write_wasm("ball", PHYSICS_WAT, PHYSICS_ABI)


def first_velocity(tmp_path: Path, wasm: Path, **attrs: object) -> float:
    stage = Usd.Stage.CreateInMemory()
    prim = ball(stage, wasm.resolve(), 100.0)
    for name, value in attrs.items():
        prim.GetAttribute(name).Set(value)
    with Runner(stage) as rt:
        rt.step(1 / 60)
        assert rt.failures == []
        return float(prim.GetAttribute("outputs:vy").Get())


def test_force_multiplier_and_gravity_override_reach_the_physics_function(
    tmp_path: Path, physics_wasm: Path
) -> None:
    assert first_velocity(tmp_path, physics_wasm) == pytest.approx(-9.81 / 60, rel=1e-6)
    doubled = first_velocity(tmp_path, physics_wasm, forceMultiplier=2.0)
    assert doubled == pytest.approx(-2 * 9.81 / 60, rel=1e-6)
    moon = first_velocity(tmp_path, physics_wasm, gravityOverride=Gf.Vec3f(0, -1.62, 0))
    assert moon == pytest.approx(-1.62 / 60, rel=1e-6)


def test_collision_handler_runs_on_contact_and_raises_collision(
    tmp_path: Path, physics_wasm: Path
) -> None:
    stage = Usd.Stage.CreateNew(str(tmp_path / "scene.usda"))
    prim = ball(stage, physics_wasm, 0.05)
    prim.GetAttribute(t.COLLISION_HANDLER).Set("bounce")
    heights = []
    with Runner(stage) as rt:
        for _ in range(30):
            rt.step(1 / 60)
            heights.append(prim.GetAttribute("outputs:y").Get())
        stats = rt.module_prim("/Ball").stats
        collisions = [e for e in rt.events if e.name == COLLISION]
    assert stats.handler_calls >= 1
    assert min(heights) >= 0.0  # the handler replaced every below-ground position
    assert collisions and collisions[0].source == "/Ball"


def test_without_collision_handler_contact_only_raises_the_event(
    tmp_path: Path, physics_wasm: Path
) -> None:
    stage = Usd.Stage.CreateInMemory()
    prim = ball(stage, physics_wasm.resolve(), 0.05)
    with Runner(stage) as rt:
        for _ in range(30):
            rt.step(1 / 60)
        assert rt.module_prim("/Ball").stats.handler_calls == 0
        assert any(e.name == COLLISION for e in rt.events)
    assert prim.GetAttribute("outputs:y").Get() < 0.0  # nothing bounced it


def test_collision_wakes_an_event_driven_prim(
    tmp_path: Path, physics_wasm: Path, write_wasm: WriteWasm
) -> None:
    counter_wasm = write_wasm(
        "count",
        """(module (func (export "update") (param f64) (result f64)
        local.get 0 f64.const 1 f64.add))""",
    )
    stage = Usd.Stage.CreateInMemory()
    ball(stage, physics_wasm.resolve(), 0.05).GetAttribute(t.COLLISION_HANDLER).Set("bounce")
    counter = create_wasm_module_prim(
        stage, "/Counter", str(counter_wasm.resolve()), "count", "update", "base"
    )
    set_trigger_events(counter, [COLLISION])
    add_input(counter, "n", "double", 0.0, connect="/Counter.outputs:n")
    add_output(counter, "n", "double")
    with Runner(stage) as rt:
        for _ in range(60):
            rt.step(1 / 60)
        collisions = sum(1 for e in rt.events if e.name == COLLISION)
        assert rt.module_prim("/Counter").stats.calls == collisions > 0
    assert counter.GetAttribute("outputs:n").Get() == collisions


# -- robotics ------------------------------------------------------------------------------

ROBOT_WAT = """(module (memory (export "memory") 1)
  (func (export "solve") (param $jt i32) (param $n i32) (param $ee i32) (param $een i32)
        (param $mode i32) (result f64 f64 i32)
    (local $i i32) (local $s f64)
    (block $done (loop $next
      local.get $i local.get $n i32.ge_s br_if $done
      local.get $s local.get $jt local.get $i i32.const 8 i32.mul i32.add f64.load f64.add
      local.set $s
      local.get $i i32.const 1 i32.add local.set $i
      br $next))
    local.get $s
    local.get $ee f64.load offset=8
    local.get $mode))"""
ROBOT_ABI = ModuleAbi(
    functions=(
        Function(
            "solve",
            params=(
                Array("jointTargets", "f64", 1),
                Array("endEffectorTarget", "f64", 1),
                Value("controlMode", "i32"),
            ),
            results=(Value("targetSum", "f64"), Value("reachY", "f64"), Value("mode", "i32")),
        ),
    )
)


def test_joint_targets_end_effector_and_control_mode_reach_the_kinematics_function(
    write_wasm: WriteWasm,
) -> None:
    wasm = write_wasm("arm", ROBOT_WAT, ROBOT_ABI)
    stage = Usd.Stage.CreateInMemory()
    arm = WasmRoboticsSchema.Define(stage, "/Arm", num_joints=6)
    arm.GetAttribute(t.WASM_PATH).Set(str(wasm))
    arm.GetAttribute(t.KINEMATICS_FUNCTION).Set("solve")
    for name in ("targetSum", "reachY", "mode"):
        add_output(arm, name, "double")
    with Runner(stage) as rt:
        rt.step(1 / 60)
        assert rt.failures == []
        assert arm.GetAttribute("outputs:targetSum").Get() == 0.0  # six zeros from Define
        arm.GetAttribute(t.JOINT_TARGETS).Set(Vt.FloatArray([0.5, 0.25, 1.0]))
        arm.GetAttribute(t.END_EFFECTOR_TARGET).Set(Gf.Vec3f(0.1, 0.75, 0.3))
        arm.GetAttribute(t.CONTROL_MODE).Set("torque")
        rt.step(1 / 60)
    assert arm.GetAttribute("outputs:targetSum").Get() == 1.75
    assert arm.GetAttribute("outputs:reachY").Get() == pytest.approx(0.75)
    assert arm.GetAttribute("outputs:mode").Get() == 2.0  # position 0, velocity 1, torque 2


# -- sensor --------------------------------------------------------------------------------

SENSOR_WAT = """(module (memory (export "memory") 1)
  (func (export "process") (param $sample f64) (param $buf i32) (param $n i32) (param $frame i64)
        (param $type i32) (result f64 i32)
    (local $i i32) (local $s f64)
    ;; buffer[frame % n] = sample
    local.get $buf local.get $frame local.get $n i64.extend_i32_s i64.rem_s i32.wrap_i64
    i32.const 8 i32.mul i32.add local.get $sample f64.store
    (block $done (loop $next
      local.get $i local.get $n i32.ge_s br_if $done
      local.get $s local.get $buf local.get $i i32.const 8 i32.mul i32.add f64.load f64.add
      local.set $s
      local.get $i i32.const 1 i32.add local.set $i
      br $next))
    local.get $s local.get $n f64.convert_i32_s f64.div
    local.get $type))"""
SENSOR_ABI = ModuleAbi(
    functions=(
        Function(
            "process",
            params=(
                Value("sample", "f64"),
                Array("history", "f64", 1),
                Value("frame", "i64"),
                Value("sensorType", "i32"),
            ),
            results=(Value("mean", "f64"), Value("kind", "i32")),
        ),
    )
)


@pytest.mark.parametrize(("size", "mean"), [(2, 8.0), (4, 4.0), (8, 2.0)])
def test_data_buffer_size_sizes_the_sensor_buffer(
    write_wasm: WriteWasm, size: int, mean: float
) -> None:
    wasm = write_wasm("window", SENSOR_WAT, SENSOR_ABI)
    stage = Usd.Stage.CreateInMemory()
    prim = create_wasm_module_prim(stage, "/Lidar", str(wasm), "window", "update", "sensor")
    prim.GetAttribute(t.PROCESSING_FUNCTION).Set("process")
    prim.GetAttribute(t.DATA_BUFFER_SIZE).Set(size)
    prim.GetAttribute(t.SENSOR_TYPE).Set("lidar")
    add_input(prim, "sample", "double", 8.0)
    add_output(prim, "mean", "double")
    add_output(prim, "kind", "int")
    add_output(prim, "history", "double[]")
    with Runner(stage) as rt:
        for _ in range(2):  # two samples of 8 averaged over the whole window
            rt.step(1 / 60)
        assert rt.failures == []
    assert prim.GetAttribute("outputs:mean").Get() == mean
    assert len(prim.GetAttribute("outputs:history").Get()) == size
    assert prim.GetAttribute("outputs:kind").Get() == t.SENSOR_TYPES.index("lidar")


# -- fluid ---------------------------------------------------------------------------------

FLUID_WAT = """(module (memory (export "memory") 1)
  (func (export "simulate") (param $g i32) (param $nx i32) (param $ny i32) (param $nz i32)
        (param $visc f64) (param $dens f64) (param $dt f64) (param $time f64)
        (result f64 f64 f64 f64 f64)
    ;; grid[0] counts the calls: the buffer persists
    local.get $g local.get $g f64.load f64.const 1 f64.add f64.store
    local.get $nx local.get $ny i32.mul local.get $nz i32.mul f64.convert_i32_s
    local.get $visc local.get $dens f64.mul
    local.get $dt
    local.get $g f64.load
    local.get $time))"""
FLUID_ABI = ModuleAbi(
    functions=(
        Function(
            "simulate",
            params=(
                Array("velocity", "f64", 3),
                Value("viscosity", "f64"),
                Value("density", "f64"),
                Value("dt", "f64"),
                Value("time", "f64"),
            ),
            results=(
                Value("cells", "f64"),
                Value("nu_rho", "f64"),
                Value("step", "f64"),
                Value("calls", "f64"),
                Value("time", "f64"),
            ),
        ),
    )
)


def test_fluid_grid_resolution_viscosity_density_and_time_step(write_wasm: WriteWasm) -> None:
    wasm = write_wasm("fluid", FLUID_WAT, FLUID_ABI)
    stage = Usd.Stage.CreateInMemory()
    prim = create_wasm_module_prim(stage, "/Tank", str(wasm), "fluid", "update", "fluid")
    prim.GetAttribute(t.SIMULATION_FUNCTION).Set("simulate")
    prim.GetAttribute(t.GRID_RESOLUTION).Set(Gf.Vec3i(4, 5, 6))
    prim.GetAttribute(t.VISCOSITY).Set(0.5)
    prim.GetAttribute(t.DENSITY).Set(3.0)
    prim.GetAttribute(t.TIME_STEP).Set(0.001)
    prim.GetAttribute(t.UPDATE_RATE).Set(30.0)
    with Runner(stage) as rt:
        for _ in range(60):  # one second at 60 frames per second
            rt.step(1 / 60)
        assert rt.failures == []
    assert prim.GetAttribute("outputs:cells").Get() == 120.0  # the working grid is 4×5×6
    assert prim.GetAttribute("outputs:nu_rho").Get() == pytest.approx(1.5)
    assert prim.GetAttribute("outputs:step").Get() == pytest.approx(0.001)  # dt is timeStep
    assert prim.GetAttribute("outputs:calls").Get() == 30.0  # updateRate: 30 calls a second
    # simulated time advances by timeStep per call, not by the host's clock
    assert prim.GetAttribute("outputs:time").Get() == pytest.approx(29 * 0.001)


def test_fluid_time_step_zero_follows_update_rate(write_wasm: WriteWasm) -> None:
    wasm = write_wasm("fluid", FLUID_WAT, FLUID_ABI)
    stage = Usd.Stage.CreateInMemory()
    prim = create_wasm_module_prim(stage, "/Tank", str(wasm), "fluid", "simulate", "fluid")
    prim.GetAttribute(t.GRID_RESOLUTION).Set(Gf.Vec3i(2, 2, 2))
    with Runner(stage) as rt:
        rt.step(1 / 60)
    assert prim.GetAttribute("outputs:step").Get() == pytest.approx(1 / 60)
    assert prim.GetAttribute("outputs:cells").Get() == 8.0


# -- the base schema -----------------------------------------------------------------------

INC = """(module
  (func (export "update") (param f64) (result f64) local.get 0 f64.const 1 f64.add)
  (func (export "other") (param f64) (result f64) local.get 0 f64.const 100 f64.add))"""


def counter(stage: Usd.Stage, path: str, wasm: Path, **attrs: object) -> Usd.Prim:
    prim = create_wasm_module_prim(stage, path, str(wasm), "", "update", "base")
    for name, value in attrs.items():
        prim.GetAttribute(name).Set(value)
    add_input(prim, "n", "double", 0.0, connect=f"{path}.outputs:n")
    add_output(prim, "n", "double")
    return prim


def test_enabled_false_skips_the_prim(write_wasm: WriteWasm) -> None:
    wasm = write_wasm("inc", INC)
    stage = Usd.Stage.CreateInMemory()
    on = counter(stage, "/On", wasm)
    off = counter(stage, "/Off", wasm, enabled=False)
    with Runner(stage) as rt:
        rt.step(1 / 60)
        assert [p.path for p in rt.prims] == ["/On"]
    assert on.GetAttribute("outputs:n").Get() == 1.0
    assert off.GetAttribute("outputs:n").Get() is None


def test_disabling_a_prim_while_running_stops_it(write_wasm: WriteWasm) -> None:
    wasm = write_wasm("inc", INC)
    stage = Usd.Stage.CreateInMemory()
    prim = counter(stage, "/C", wasm)
    with Runner(stage) as rt:
        rt.step(1 / 60)
        prim.GetAttribute(t.ENABLED).Set(False)
        rt.step(1 / 60)
        prim.GetAttribute(t.ENABLED).Set(True)
        rt.step(1 / 60)
        assert rt.module_prim("/C").stats.calls == 2


def test_update_rate_sets_calls_per_simulated_second(write_wasm: WriteWasm) -> None:
    wasm = write_wasm("inc", INC)
    stage = Usd.Stage.CreateInMemory()
    counter(stage, "/Fast", wasm, updateRate=120.0)
    counter(stage, "/Slow", wasm, updateRate=15.0)
    with Runner(stage) as rt:
        for _ in range(60):
            rt.step(1 / 60)
        assert rt.module_prim("/Fast").stats.calls == 120
        assert rt.module_prim("/Slow").stats.calls == 15


def test_performance_monitoring_switches_timing(write_wasm: WriteWasm) -> None:
    wasm = write_wasm("inc", INC)
    stage = Usd.Stage.CreateInMemory()
    counter(stage, "/Timed", wasm)
    counter(stage, "/Untimed", wasm, performanceMonitoring=False)
    with Runner(stage) as rt:
        for _ in range(10):
            rt.step(1 / 60)
        timed, untimed = rt.module_prim("/Timed").stats, rt.module_prim("/Untimed").stats
    assert timed.calls == untimed.calls == 10
    assert timed.timed_calls == 10 and timed.mean_seconds is not None
    assert untimed.timed_calls == 0 and untimed.mean_seconds is None
    assert untimed.percentile(99) is None


def test_entry_function_and_module_id(write_wasm: WriteWasm) -> None:
    wasm = write_wasm("inc", INC)
    stage = Usd.Stage.CreateInMemory()
    prim = counter(stage, "/C", wasm, entryFunction="other", moduleId="incrementer")
    with Runner(stage) as rt:
        rt.step(1 / 60)
        assert [s.module for s in rt.summary()] == ["incrementer"]
        assert rt.module_prim("/C").stats.function == "other"
    assert prim.GetAttribute("outputs:n").Get() == 100.0


def test_missing_entry_function_is_reported_with_the_exports(write_wasm: WriteWasm) -> None:
    wasm = write_wasm("inc", INC)
    stage = Usd.Stage.CreateInMemory()
    counter(stage, "/C", wasm, entryFunction="nope")
    with Runner(stage) as rt:
        (failure,) = rt.failures
    assert failure.function == "nope" or "nope" in failure.message
    assert "update, other" in failure.message


def test_hash_pin_accepts_the_right_module_and_refuses_another(write_wasm: WriteWasm) -> None:
    wasm = write_wasm("inc", INC)
    digest = hashlib.sha256(wasm.read_bytes()).hexdigest()
    stage = Usd.Stage.CreateInMemory()
    counter(stage, "/Pinned", wasm, wasmSha256=digest)
    counter(stage, "/Prefixed", wasm, wasmSha256="sha256:" + digest.upper())
    counter(stage, "/Stale", wasm, wasmSha256="0" * 64)
    with Runner(stage) as rt:
        rt.step(1 / 60)
        assert [p.path for p in rt.prims] == ["/Pinned", "/Prefixed"]
        (failure,) = rt.failures
    assert failure.prim_path == "/Stale" and failure.cause == "hash-mismatch"
    assert digest in failure.message


def test_signature_bound_collision_handler_takes_the_step_results_in_order(
    write_wasm: WriteWasm,
) -> None:
    wasm = write_wasm(
        "drop",
        """(module
        (func (export "step") (param $y f64) (param $dt f64) (result f64 i32)
          local.get $y f64.const 1 f64.sub
          local.get $y f64.const 1 f64.sub f64.const 0 f64.lt)
        (func (export "lift") (param $y f64) (param $contact i32) (result f64)
          local.get $y f64.const 10 f64.add))""",
    )
    stage = Usd.Stage.CreateInMemory()
    prim = create_wasm_module_prim(stage, "/Drop", str(wasm), "drop", "step", "physics")
    prim.GetAttribute(t.COLLISION_HANDLER).Set("lift")
    add_input(prim, "y", "double", 2.0, connect="/Drop.outputs:y")
    add_input(prim, "dt", "double")
    add_output(prim, "y", "double")
    add_output(prim, "contact", "bool")
    heights = []
    with Runner(stage) as rt:
        for _ in range(5):
            rt.step(1 / 60)
            heights.append(rt.module_prim("/Drop").output("y"))
    assert heights == [1.0, 0.0, 9.0, 8.0, 7.0]  # lift(-1, 1) replaced the step's y
