"""Per-prim isolation (issue 8): whatever one prim's module or attributes do, that prim is
reported (prim path, module, function, cause) and disabled, and the others run on — at bind,
at a call and when its values are committed; never a traceback ending the run."""

from __future__ import annotations

from pathlib import Path

import pytest
from pxr import Sdf, Usd, UsdGeom

from portalis.abi import SECTION_NAME, Function, ModuleAbi, Value, encode_custom_section
from portalis.cli.main import main
from portalis.sim import Failure, Runner
from portalis.usd import add_input, add_output, create_wasm_module_prim
from portalis.usd import tokens as t

from .conftest import WriteWasm, wasm_bytes

INC = """(module (func (export "update") (param f64) (result f64)
  local.get 0 f64.const 1 f64.add))"""

#: Modules whose bytes go wrong at load: each must fail alone.
BAD_MODULES = {
    "start-function-traps": """(module (func $start unreachable) (start $start)
      (func (export "update") (param f64) (result f64) local.get 0))""",
    "data-segment-out-of-bounds": """(module (memory 1) (data (i32.const 70000) "x")
      (func (export "update") (param f64) (result f64) local.get 0))""",
    "funcref-result": """(module
      (func (export "update") (param f64) (result funcref) ref.null func))""",
}
#: Payloads of a malformed portalis.abi section on an otherwise good module.
BAD_ABI_SECTIONS = {
    "a-list": b"[]",
    "deeply-nested": b"[" * 100_000 + b"]" * 100_000,
    "huge-number": b'{"version": 1e999}',
    "params-a-string": b'{"version": 1, "functions": [{"name": "update", "params": "x"}]}',
    "not-utf8": b"\xff\xfe{",
}


def counter(stage: Usd.Stage, path: str, wasm: Path) -> Usd.Prim:
    prim = create_wasm_module_prim(stage, path, str(wasm), "", "update", "base")
    add_input(prim, "n", "double", 0.0, connect=f"{path}.outputs:n")
    add_output(prim, "n", "double")
    return prim


def run_beside_a_good_prim(stage: Usd.Stage, write_wasm: WriteWasm, steps: int = 3) -> Failure:
    """Run ``stage`` plus a good counter for ``steps``: the good one makes every call, and
    exactly one failure is reported, for another prim."""
    counter(stage, "/Good", write_wasm("good", INC))
    with Runner(stage) as rt:
        for _ in range(steps):
            rt.step(1 / 60)
        (failure,) = rt.failures
        assert rt.module_prim("/Good").stats.calls == steps
    assert stage.GetAttributeAtPath("/Good.outputs:n").Get() == float(steps)
    assert failure.prim_path != "/Good" and failure.function and failure.module
    return failure


@pytest.mark.parametrize("name", sorted(BAD_MODULES))
def test_a_module_that_fails_to_load_fails_alone(write_wasm: WriteWasm, name: str) -> None:
    stage = Usd.Stage.CreateInMemory()
    counter(stage, "/Bad", write_wasm(name, BAD_MODULES[name]))
    failure = run_beside_a_good_prim(stage, write_wasm)
    assert (failure.prim_path, failure.module, failure.function) == ("/Bad", name, "update")


def test_a_funcref_result_is_refused_at_bind_naming_it(write_wasm: WriteWasm) -> None:
    stage = Usd.Stage.CreateInMemory()
    counter(stage, "/Bad", write_wasm("ref", BAD_MODULES["funcref-result"]))
    failure = run_beside_a_good_prim(stage, write_wasm)
    assert "funcref" in failure.message


@pytest.mark.parametrize("name", sorted(BAD_ABI_SECTIONS))
def test_a_malformed_abi_section_fails_alone(
    write_wasm: WriteWasm, tmp_path: Path, name: str
) -> None:
    path = tmp_path / f"{name}.wasm"
    path.write_bytes(wasm_bytes(INC) + encode_custom_section(SECTION_NAME, BAD_ABI_SECTIONS[name]))
    stage = Usd.Stage.CreateInMemory()
    counter(stage, "/Bad", path)
    failure = run_beside_a_good_prim(stage, write_wasm)
    assert failure.prim_path == "/Bad"


# update() -> f64: NaN, inf, or a number no int attribute holds
RETURNS = """(module (func (export "update") (result f64) f64.const {value}))"""


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e300"])
@pytest.mark.parametrize("record", [False, True], ids=["live", "recorded"])
def test_a_value_an_int_output_cannot_hold_fails_that_prim_at_the_call(
    write_wasm: WriteWasm, value: str, record: bool
) -> None:
    """Checked when the call returns (the frame it happened in), not when a recording is
    flushed after every frame; the others' samples are all written."""
    stage = Usd.Stage.CreateInMemory()
    bad = create_wasm_module_prim(
        stage, "/Bad", str(write_wasm("bad", RETURNS.format(value=value))), "", "update"
    )
    add_output(bad, "count", "int")
    counter(stage, "/Good", write_wasm("good", INC))
    with Runner(stage, record=record) as rt:
        rt.play(0)
        for frame in range(1, 4):
            rt.step(1 / 60, time_code=frame)
        (failure,) = rt.failures
        rt.flush()
    assert failure.prim_path == "/Bad" and failure.cause == "binding"
    assert failure.time == pytest.approx(1 / 60)  # the first frame, not the end
    assert "outputs:count got" in failure.message and "int" in failure.message
    layer = stage.GetRootLayer()
    assert layer.ListTimeSamplesForPath("/Good.outputs:n") == [1.0, 2.0, 3.0]
    assert layer.ListTimeSamplesForPath("/Bad.outputs:count") == []


@pytest.mark.parametrize("value", ["nan", "inf", "1e300"])
def test_a_fast_lane_member_with_a_bad_int_value_fails_alone(
    write_wasm: WriteWasm, value: str
) -> None:
    bad_wasm = write_wasm(
        "bad",
        f"""(module (func (export "update") (param f64) (result f64) f64.const {value}))""",
    )
    stage = Usd.Stage.CreateInMemory()
    bad = create_wasm_module_prim(stage, "/A", str(bad_wasm), "", "update")
    add_input(bad, "x", "double", 1.0)
    add_output(bad, "count", "int")
    counter(stage, "/B", write_wasm("inc", INC))
    with Runner(stage) as rt:
        rt.step(1 / 60)
        assert [f.prim_path for f in rt.failures] == ["/A"]
        for _ in range(2):
            rt.step(1 / 60)
        assert rt.module_prim("/B").stats.calls == 3
    assert stage.GetAttributeAtPath("/A.outputs:count").Get() is None


TAKES_I32 = """(module (func (export "update") (param i32) (result f64)
  local.get 0 f64.convert_i32_s))"""


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e20, 2.5])
@pytest.mark.parametrize("animated", [False, True], ids=["constant", "animated"])
def test_a_value_an_i32_parameter_cannot_take_fails_that_prim_naming_the_input(
    write_wasm: WriteWasm, value: float, animated: bool
) -> None:
    stage = Usd.Stage.CreateInMemory()
    bad = create_wasm_module_prim(stage, "/Bad", str(write_wasm("i32", TAKES_I32)), "", "update")
    count = add_input(bad, "count", "double", None if animated else value)
    if animated:
        count.Set(value, 0)
        count.Set(value, 10)
    add_output(bad, "y", "double")
    failure = run_beside_a_good_prim(stage, write_wasm)
    assert failure.prim_path == "/Bad"
    assert "expects a number (i32); inputs:count holds" in failure.message


def test_a_string_in_a_float_input_says_what_it_holds(write_wasm: WriteWasm) -> None:
    abi = ModuleAbi(
        functions=(
            Function("update", params=(Value("damping", "f64"),), results=(Value("y", "f64"),)),
        )
    )
    wasm = write_wasm("damp", INC, abi=abi)
    stage = Usd.Stage.CreateInMemory()
    prim = create_wasm_module_prim(stage, "/Bad", str(wasm), "", "update")
    prim.CreateAttribute("inputs:damping", Sdf.ValueTypeNames.String).Set("0.8")
    failure = run_beside_a_good_prim(stage, write_wasm)
    assert (
        "parameter 'damping' of update expects a number (f64); "
        "inputs:damping holds the string '0.8'" in failure.message
    )


@pytest.mark.parametrize("rate", [float("inf"), 0.0, -5.0, float("nan")])
def test_an_update_rate_that_is_not_a_positive_finite_number_fails_alone(
    write_wasm: WriteWasm, rate: float
) -> None:
    stage = Usd.Stage.CreateInMemory()
    counter(stage, "/Bad", write_wasm("inc", INC)).GetAttribute(t.UPDATE_RATE).Set(rate)
    failure = run_beside_a_good_prim(stage, write_wasm)
    assert failure.cause == "invalid" and "updateRate must be a finite number" in failure.message


WRONGLY_TYPED = {
    "updateRate-string": 'string updateRate = "60"',
    "updateRate-bool": "bool updateRate = 1",
    "wasmPath-string": 'string wasmPath = "./good.wasm"',
    "wasmPath-int": "int wasmPath = 3",
}


@pytest.mark.parametrize("name", sorted(WRONGLY_TYPED))
def test_schema_attributes_authored_with_the_wrong_type_fail_alone(
    write_wasm: WriteWasm, tmp_path: Path, name: str
) -> None:
    write_wasm("good", INC)
    attribute = WRONGLY_TYPED[name]
    asset = "" if "wasmPath" in attribute else "asset wasmPath = @./good.wasm@"
    layer = Sdf.Layer.CreateNew(str(tmp_path / "scene.usda"))
    layer.ImportFromString(f'#usda 1.0\ndef WasmModule "Bad" {{\n {asset}\n {attribute}\n}}\n')
    layer.Save()
    stage = Usd.Stage.Open(layer)
    failure = run_beside_a_good_prim(stage, write_wasm)
    declared = "float" if "updateRate" in name else "asset"
    assert failure.prim_path == "/Bad" and failure.cause == "invalid"
    assert f"the schema declares {declared}" in failure.message


def test_portalis_run_exits_2_and_writes_the_others_results(
    tmp_path: Path, write_wasm: WriteWasm, capsys: pytest.CaptureFixture[str]
) -> None:
    """End to end: a start function that traps beside a working prim."""
    folder = tmp_path / "shot"
    write_wasm("good", INC, folder=folder)
    write_wasm("bad", BAD_MODULES["start-function-traps"], folder=folder)
    stage = Usd.Stage.CreateNew(str(folder / "scene.usda"))
    stage.SetEndTimeCode(10)
    UsdGeom.Xform.Define(stage, "/World")
    for name in ("Good", "Bad"):
        prim = create_wasm_module_prim(
            stage, f"/World/{name}", f"./{name.lower()}.wasm", "", "update"
        )
        prim.GetAttribute(t.UPDATE_RATE).Set(24.0)
        add_input(prim, "n", "double", 0.0, connect=f"/World/{name}.outputs:n")
        add_output(prim, "n", "double")
    stage.Save()
    out = tmp_path / "out.usda"
    assert main(["run", str(folder / "scene.usda"), "-o", str(out), "--quiet"]) == 2
    printed = capsys.readouterr().out
    assert "FAILED /World/Bad: bad::update:" in printed
    layer = Sdf.Layer.FindOrOpen(str(out))
    assert layer.ListTimeSamplesForPath("/World/Good.outputs:n") == [float(f) for f in range(1, 11)]


def test_an_input_whose_source_failed_fails_rather_than_taking_the_default(
    write_wasm: WriteWasm, tmp_path: Path
) -> None:
    """``x`` has a default, but the scene connects it: a source that failed gives no value,
    and running on the default instead would be a result nobody asked for."""
    abi = ModuleAbi(
        functions=(
            Function(
                "update", params=(Value("x", "f64", default=2.0),), results=(Value("y", "f64"),)
            ),
        )
    )
    stage = Usd.Stage.CreateInMemory()
    source = create_wasm_module_prim(stage, "/Source", str(tmp_path / "missing.wasm"), "", "update")
    add_output(source, "y", "double")
    down = create_wasm_module_prim(
        stage, "/Down", str(write_wasm("down", INC, abi=abi)), "", "update"
    )
    add_input(down, "x", "double", None, connect="/Source.outputs:y")
    add_output(down, "y", "double")
    with Runner(stage) as rt:
        rt.step(1 / 60)
        failures = {f.prim_path: f for f in rt.failures}
    assert set(failures) == {"/Source", "/Down"}
    assert stage.GetAttributeAtPath("/Down.outputs:y").Get() is None  # it never ran
    assert (
        "parameter 'x' of update: inputs:x is connected to /Source.outputs:y, which has no "
        "value: its module prim /Source failed" in failures["/Down"].message
    )
