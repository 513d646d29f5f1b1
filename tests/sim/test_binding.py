"""Binding: inputs (values, connections, animation, the clock), outputs and their targets,
by export signature and by ABI name, scalars, vectors and arrays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pxr import Gf, Sdf, Usd, UsdGeom, Vt

from portalis.abi import Function, ModuleAbi, Value
from portalis.sim import Runner
from portalis.usd import add_input, add_output, create_wasm_module_prim
from portalis.usd import tokens as t

from .conftest import SCALE_ARRAY_ABI, SCALE_ARRAY_WAT, WriteWasm

# update(a, b) -> (a + b, a * b)
ADD_MUL = """(module (func (export "update") (param f64 f64) (result f64 f64)
  local.get 0 local.get 1 f64.add  local.get 0 local.get 1 f64.mul))"""
# update(x) -> x + 1
INC = """(module (func (export "update") (param f64) (result f64)
  local.get 0 f64.const 1 f64.add))"""
# update(time, dt, frame) -> (time, dt, frame)
CLOCK = """(module (func (export "update") (param f64 f64 i64) (result f64 f64 f64)
  local.get 0 local.get 1 local.get 2 f64.convert_i64_s))"""


def make_stage(tmp_path: Path) -> Usd.Stage:
    return Usd.Stage.CreateNew(str(tmp_path / "scene.usda"))


def module(stage: Usd.Stage, path: str, wasm: Path, schema: str = "base") -> Usd.Prim:
    return create_wasm_module_prim(stage, path, wasm.name, wasm.stem, "update", schema)


def test_positional_inputs_follow_property_order_and_results_fill_outputs(
    tmp_path: Path, write_wasm: WriteWasm
) -> None:
    wasm = write_wasm("addmul", ADD_MUL)
    stage = make_stage(tmp_path)
    prim = module(stage, "/M", wasm)
    add_input(prim, "b", "double", 3.0)  # created first: first parameter despite its name
    add_input(prim, "a", "double", 10.0)
    add_output(prim, "sum", "double")
    add_output(prim, "product", "double")
    with Runner(stage) as rt:
        rt.step(1 / 60)
        assert rt.failures == []
    assert prim.GetAttribute("outputs:sum").Get() == 13.0
    assert prim.GetAttribute("outputs:product").Get() == 30.0


def test_saved_and_reopened_scene_binds_the_same(tmp_path: Path, write_wasm: WriteWasm) -> None:
    """The .usda writer sorts properties; propertyOrder keeps the creation order."""
    wasm = write_wasm("addmul", ADD_MUL)
    stage = make_stage(tmp_path)
    prim = module(stage, "/M", wasm)
    add_input(prim, "z", "double", 2.0)
    add_input(prim, "a", "double", 5.0)
    add_output(prim, "s", "double")
    add_output(prim, "p", "double")
    stage.Save()
    reopened = Usd.Stage.Open(str(tmp_path / "scene.usda"))
    with Runner(reopened) as rt:
        rt.step(1 / 60)
        assert rt.module_prim("/M").entry.argv == [2.0, 5.0]


def test_clock_inputs_time_dt_frame(tmp_path: Path, write_wasm: WriteWasm) -> None:
    wasm = write_wasm("clock", CLOCK)
    stage = make_stage(tmp_path)
    prim = module(stage, "/C", wasm)
    prim.GetAttribute(t.UPDATE_RATE).Set(10.0)
    for name, type_name in (("time", "double"), ("dt", "double"), ("frame", "int64")):
        add_input(prim, name, type_name)  # declared without a value: the runner's
    for name in ("time", "dt", "frame"):
        add_output(prim, name, "double")
    with Runner(stage) as rt:
        for _ in range(3):
            rt.step(0.1)
    assert prim.GetAttribute("outputs:dt").Get() == pytest.approx(0.1)
    assert prim.GetAttribute("outputs:time").Get() == pytest.approx(0.2)  # start of 3rd call
    assert prim.GetAttribute("outputs:frame").Get() == 3.0


def test_wrong_parameter_count_is_explained(tmp_path: Path, write_wasm: WriteWasm) -> None:
    wasm = write_wasm("addmul", ADD_MUL)
    stage = make_stage(tmp_path)
    prim = module(stage, "/M", wasm)
    add_input(prim, "a", "double", 1.0)
    with Runner(stage) as rt:
        (failure,) = rt.failures
    assert failure.cause == "binding"
    assert "update takes 2 parameter(s) (f64, f64), but the prim's inputs supply 1" in str(failure)


def test_vector_input_expands_into_components(tmp_path: Path, write_wasm: WriteWasm) -> None:
    # update(x, y, z) -> x + 10 y + 100 z
    wasm = write_wasm(
        "dot",
        """(module (func (export "update") (param f64 f64 f64) (result f64)
        local.get 0 local.get 1 f64.const 10 f64.mul f64.add
        local.get 2 f64.const 100 f64.mul f64.add))""",
    )
    stage = make_stage(tmp_path)
    prim = module(stage, "/V", wasm)
    add_input(prim, "v", "double3", Gf.Vec3d(1, 2, 3))
    add_output(prim, "r", "double")
    with Runner(stage) as rt:
        rt.step(1 / 60)
    assert prim.GetAttribute("outputs:r").Get() == 321.0


def test_connections_between_prims_run_producer_first(
    tmp_path: Path, write_wasm: WriteWasm
) -> None:
    wasm = write_wasm("inc", INC)
    stage = make_stage(tmp_path)
    # /A reads /Z's output: /Z must run first although it sorts after /A
    consumer = module(stage, "/A", wasm)
    producer = module(stage, "/Z", wasm)
    add_input(producer, "x", "double", 5.0)
    add_output(producer, "y", "double")
    add_input(consumer, "x", "double", connect="/Z.outputs:y")
    add_output(consumer, "y", "double")
    with Runner(stage) as rt:
        assert [p.path for p in rt.prims] == ["/Z", "/A"]
        rt.step(1 / 60)
    assert producer.GetAttribute("outputs:y").Get() == 6.0
    assert consumer.GetAttribute("outputs:y").Get() == 7.0  # same step, not a frame late


def test_feedback_connection_uses_the_inputs_value_first(
    tmp_path: Path, write_wasm: WriteWasm
) -> None:
    wasm = write_wasm("inc", INC)
    stage = make_stage(tmp_path)
    prim = module(stage, "/Counter", wasm)
    add_input(prim, "x", "double", 100.0, connect="/Counter.outputs:x")
    add_output(prim, "x", "double")
    with Runner(stage) as rt:
        for _ in range(5):
            rt.step(1 / 60)
    assert prim.GetAttribute("outputs:x").Get() == 105.0


def test_input_connected_to_an_animated_attribute_is_read_each_call(
    tmp_path: Path, write_wasm: WriteWasm
) -> None:
    wasm = write_wasm("inc", INC)
    stage = make_stage(tmp_path)
    driver = stage.DefinePrim("/Driver", "Xform")
    level = driver.CreateAttribute("level", Sdf.ValueTypeNames.Double)
    level.Set(0.0, 0)
    level.Set(10.0, 10)
    prim = module(stage, "/M", wasm)
    add_input(prim, "x", "double", connect=level)
    add_output(prim, "y", "double")
    seen = []
    with Runner(stage, record=True) as rt:
        rt.play(0)
        for frame in range(1, 6):
            rt.step(1 / 60, time_code=frame)
            seen.append(rt.module_prim("/M").output("y"))
    assert seen == [2.0, 3.0, 4.0, 5.0, 6.0]


def test_input_reads_an_attribute_another_module_writes(
    tmp_path: Path, write_wasm: WriteWasm
) -> None:
    """Forwarded values are read from memory: the stage need not hold them yet."""
    wasm = write_wasm("inc", INC)
    stage = make_stage(tmp_path)
    ball = stage.DefinePrim("/Ball", "Xform")
    height = ball.CreateAttribute("height", Sdf.ValueTypeNames.Double)
    height.Set(0.0)
    writer = module(stage, "/Writer", wasm)
    add_input(writer, "x", "double", 41.0)
    add_output(writer, "y", "double", targets=[height])
    reader = module(stage, "/Reader", wasm)
    add_input(reader, "x", "double", connect=height)
    add_output(reader, "y", "double")
    with Runner(stage, record=True) as rt:
        rt.play(0)
        rt.step(1 / 60, time_code=1)
        assert rt.module_prim("/Reader").output("y") == 43.0


def test_outputs_forward_to_transform_and_spread_over_joints(
    tmp_path: Path, write_wasm: WriteWasm
) -> None:
    # update() -> (1, 2, 3): a position, also spread over three joint angles
    wasm = write_wasm(
        "pose",
        """(module (func (export "update") (result f64 f64 f64)
        f64.const 1 f64.const 2 f64.const 3))""",
    )
    stage = make_stage(tmp_path)
    ball = UsdGeom.Xform.Define(stage, "/Ball")
    translate = ball.AddTranslateOp()
    joints = [UsdGeom.Xform.Define(stage, f"/Arm/J{i}").AddRotateZOp() for i in range(3)]
    prim = module(stage, "/Pose", wasm)
    add_output(prim, "position", "double3", targets=[translate.GetAttr()])
    prim2 = module(stage, "/Joints", wasm)
    add_output(prim2, "angles", "float3", targets=[j.GetAttr() for j in joints])
    with Runner(stage) as rt:
        rt.step(1 / 60)
        assert rt.failures == []
    assert translate.Get() == Gf.Vec3d(1, 2, 3)
    assert [j.Get() for j in joints] == [1.0, 2.0, 3.0]
    assert prim.GetAttribute("outputs:position").Get() == Gf.Vec3d(1, 2, 3)


def test_results_without_outputs_get_implicit_outputs(
    tmp_path: Path, write_wasm: WriteWasm
) -> None:
    wasm = write_wasm("addmul", ADD_MUL)
    stage = make_stage(tmp_path)
    prim = module(stage, "/M", wasm)
    add_input(prim, "a", "double", 2.0)
    add_input(prim, "b", "double", 4.0)
    with Runner(stage) as rt:
        rt.step(1 / 60)
    assert prim.GetAttribute("outputs:result0").Get() == 6.0
    assert prim.GetAttribute("outputs:result1").Get() == 8.0


# -- by ABI name ---------------------------------------------------------------------------

SCALE_WAT = """(module (func (export "update") (param f64 f64 f64 f64) (result f64 f64)
  local.get 0 local.get 1 f64.mul   ;; x * forceMultiplier
  local.get 2 local.get 3 f64.add)) ;; gravityOverride_y + dt"""
SCALE_ABI = ModuleAbi(
    functions=(
        Function(
            "update",
            params=(
                Value("x", "f64"),
                Value("force_multiplier", "f64"),
                Value("gravityOverride_y", "f64"),
                Value("dt", "f64"),
            ),
            results=(Value("scaled", "f64"), Value("g_plus_dt", "f64")),
        ),
    )
)


def test_abi_parameters_bind_by_name_to_inputs_clock_and_schema_attributes(
    tmp_path: Path, write_wasm: WriteWasm
) -> None:
    wasm = write_wasm("scale", SCALE_WAT, SCALE_ABI)
    stage = make_stage(tmp_path)
    prim = module(stage, "/P", wasm, "physics")
    prim.GetAttribute(t.FORCE_MULTIPLIER).Set(3.0)
    add_input(prim, "x", "double", 2.0)
    add_output(prim, "g_plus_dt", "double")  # by name, whatever the order
    add_output(prim, "scaled", "double")
    with Runner(stage) as rt:
        rt.step(0.5)
    assert prim.GetAttribute("outputs:scaled").Get() == 6.0
    assert prim.GetAttribute("outputs:g_plus_dt").Get() == pytest.approx(-9.81 + 1 / 60)


def test_abi_parameter_without_any_source_is_a_binding_failure(
    tmp_path: Path, write_wasm: WriteWasm
) -> None:
    wasm = write_wasm("scale", SCALE_WAT, SCALE_ABI)
    stage = make_stage(tmp_path)
    module(stage, "/P", wasm)  # a base prim: no forceMultiplier, no gravityOverride
    with Runner(stage) as rt:
        (failure,) = rt.failures
    assert failure.prim_path == "/P" and failure.cause == "binding"
    assert "parameter 'x' of update has no inputs:x" in failure.message


def test_output_whose_target_has_another_width_is_a_binding_failure(
    tmp_path: Path, write_wasm: WriteWasm
) -> None:
    wasm = write_wasm("inc", INC)
    stage = make_stage(tmp_path)
    marker = stage.DefinePrim("/Marker", "Xform")
    translate = marker.CreateAttribute("xformOp:translate", Sdf.ValueTypeNames.Double3)
    prim = module(stage, "/M", wasm)
    add_input(prim, "x", "double", 1.0)
    add_output(prim, "y", "double", targets=[translate])
    with Runner(stage) as rt:
        rt.step(1 / 60)
        (failure,) = rt.failures
    assert failure.prim_path == "/M" and failure.cause == "binding"
    assert "outputs:y is a double (1 number(s))" in failure.message
    assert "/Marker.xformOp:translate is a double3 (3)" in failure.message


def test_abi_default_fills_an_unbound_parameter(tmp_path: Path, write_wasm: WriteWasm) -> None:
    abi = ModuleAbi(
        functions=(
            Function(
                "update",
                params=(Value("a", "f64"), Value("b", "f64", default=0.5)),
                results=(Value("sum", "f64"), Value("product", "f64")),
            ),
        )
    )
    wasm = write_wasm("addmul", ADD_MUL, abi)
    stage = make_stage(tmp_path)
    prim = module(stage, "/M", wasm)
    add_input(prim, "a", "double", 4.0)
    with Runner(stage) as rt:
        rt.step(1 / 60)
    assert prim.GetAttribute("outputs:sum").Get() == 4.5
    assert prim.GetAttribute("outputs:product").Get() == 2.0


def test_arrays_go_through_linear_memory_and_back_to_a_mesh(
    tmp_path: Path, write_wasm: WriteWasm
) -> None:
    wasm = write_wasm("scale_points", SCALE_ARRAY_WAT, SCALE_ARRAY_ABI)
    stage = make_stage(tmp_path)
    source = UsdGeom.Points.Define(stage, "/Scan")
    source.CreatePointsAttr(Vt.Vec3fArray([(1, 2, 3), (4, 5, 6)]))
    shown = UsdGeom.Points.Define(stage, "/Shown")
    shown_points = shown.CreatePointsAttr(Vt.Vec3fArray())
    prim = module(stage, "/Filter", wasm, "sensor")
    add_input(prim, "points", "point3f[]", connect=source.GetPointsAttr())
    add_input(prim, "scale", "double", 2.0)
    add_output(prim, "points", "point3f[]", targets=[shown_points])
    add_output(prim, "count", "int")
    with Runner(stage) as rt:
        rt.step(1 / 60)
        rt.step(1 / 60)  # the module scales in place: each call starts from the scene's value
        assert rt.failures == []
    assert list(shown_points.Get()) == [Gf.Vec3f(2, 4, 6), Gf.Vec3f(8, 10, 12)]
    assert prim.GetAttribute("outputs:count").Get() == 6
    assert np.asarray(source.GetPointsAttr().Get()).tolist() == [[1, 2, 3], [4, 5, 6]]


def test_signature_bound_array_input_passes_offset_and_count(
    tmp_path: Path, write_wasm: WriteWasm
) -> None:
    wasm = write_wasm("scale_points", SCALE_ARRAY_WAT)  # no ABI: positional
    stage = make_stage(tmp_path)
    prim = module(stage, "/Filter", wasm)
    add_input(prim, "values", "double[]", Vt.DoubleArray([1.5, 2.5, 3.5]))
    add_input(prim, "scale", "double", 10.0)
    add_output(prim, "values", "double[]")
    add_output(prim, "count", "int")
    with Runner(stage) as rt:
        rt.step(1 / 60)
        assert rt.failures == []
    assert list(prim.GetAttribute("outputs:values").Get()) == [15.0, 25.0, 35.0]
    assert prim.GetAttribute("outputs:count").Get() == 3


def test_live_outputs_go_to_the_edit_target_only(tmp_path: Path, write_wasm: WriteWasm) -> None:
    wasm = write_wasm("inc", INC)
    stage = make_stage(tmp_path)
    prim = module(stage, "/M", wasm)
    add_input(prim, "x", "double", 1.0)
    add_output(prim, "y", "double")
    before = stage.GetRootLayer().ExportToString()
    stage.SetEditTarget(Usd.EditTarget(stage.GetSessionLayer()))
    with Runner(stage) as rt:
        rt.step(1 / 60)
        rt.step(1 / 60, time_code=7)
    assert stage.GetRootLayer().ExportToString() == before
    session = stage.GetSessionLayer()
    assert session.GetAttributeAtPath("/M.outputs:y").default == 2.0
    assert session.ListTimeSamplesForPath("/M.outputs:y") == [7.0]
    assert prim.GetAttribute("outputs:y").Get() == 2.0


def test_a_single_time_sample_is_a_value(tmp_path: Path, write_wasm: WriteWasm) -> None:
    """USD ignores time samples at the default time; the runner reads them at stage time."""
    wasm = write_wasm("inc", INC)
    stage = make_stage(tmp_path)
    prim = module(stage, "/M", wasm)
    add_input(prim, "x", "double").Set(41.0, 5)
    add_output(prim, "y", "double")
    with Runner(stage) as rt:
        rt.step(1 / 60)
        assert rt.failures == []
    assert prim.GetAttribute("outputs:y").Get() == 42.0


def test_an_input_whose_producer_has_not_run_yet_is_named(
    tmp_path: Path, write_wasm: WriteWasm
) -> None:
    wasm = write_wasm("inc", INC)
    stage = make_stage(tmp_path)
    producer = module(stage, "/Later", wasm)
    producer.GetAttribute(t.EXECUTION_MODE).Set("event_driven")
    producer.GetAttribute(t.TRIGGER_EVENTS).Set(Vt.StringArray(["never"]))
    add_input(producer, "x", "double", 1.0)
    add_output(producer, "y", "double")
    consumer = module(stage, "/Now", wasm)
    add_input(consumer, "x", "double", connect="/Later.outputs:y")  # no value of its own
    add_output(consumer, "y", "double")
    with Runner(stage) as rt:
        rt.step(1 / 60)
        (failure,) = rt.failures
    assert failure.prim_path == "/Now" and failure.cause == "binding"
    assert "inputs:x has no value" in failure.message
