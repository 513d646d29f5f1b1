"""The runner keeps converted inputs between calls (constant values, vector components, arrays
in linear memory); these tests change an input between steps in every way a scene can — a
value edit, time samples, a connection moved, a producing module's new result — and check
that the next call sees the change."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pxr import Gf, Sdf, Usd, Vt

from portalis.abi import Array, Function, ModuleAbi, Value
from portalis.sim import Runner
from portalis.usd import add_input, add_output, create_wasm_module_prim
from portalis.usd import tokens as t

from .conftest import SCALE_ARRAY_ABI as SCALE_ABI
from .conftest import SCALE_ARRAY_WAT as SCALE_WAT
from .conftest import WriteWasm

# update(target_x, target_y, target_z) -> (x, y, z): the components as the call got them
ECHO3_WAT = """(module (func (export "update") (param f64 f64 f64) (result f64 f64 f64)
  local.get 0 local.get 1 local.get 2))"""
ECHO3_ABI = ModuleAbi(
    functions=(
        Function(
            "update",
            params=(Value("target_x", "f64"), Value("target_y", "f64"), Value("target_z", "f64")),
            results=(Value("x", "f64"), Value("y", "f64"), Value("z", "f64")),
        ),
    )
)

# update(values: f64[n]) -> total
SUM_WAT = """(module (memory (export "memory") 1)
  (func (export "update") (param $p i32) (param $n i32) (result f64)
    (local $i i32) (local $s f64)
    (block $done (loop $next
      local.get $i local.get $n i32.ge_s br_if $done
      local.get $s
      local.get $p local.get $i i32.const 8 i32.mul i32.add f64.load
      f64.add local.set $s
      local.get $i i32.const 1 i32.add local.set $i
      br $next))
    local.get $s))"""
SUM_ABI = ModuleAbi(
    functions=(
        Function("update", params=(Array("values", "f64", 1),), results=(Value("total", "f64"),)),
    )
)


def module(stage: Usd.Stage, path: str, wasm: Path) -> Usd.Prim:
    return create_wasm_module_prim(stage, path, wasm.name, wasm.stem, "update", "base")


def echo_prims(stage: Usd.Stage, wasm: Path, count: int) -> list[Usd.Prim]:
    """``count`` echo prims (two or more run as one fast-lane group) reading one target."""
    prims = []
    for i in range(count):
        prim = module(stage, f"/Echo{i}", wasm)
        if i == 0:
            add_input(prim, "target", "double3", Gf.Vec3d(1, 2, 3))
        else:
            add_input(prim, "target", "double3", connect="/Echo0.inputs:target")
        prims.append(prim)
    return prims


def echoed(rt: Runner, count: int, name: str = "/Echo") -> list[tuple[float, ...]]:
    """What each echo prim's call got (its outputs: the fast lane does not keep results)."""
    return [
        tuple(rt.module_prim(f"{name}{i}").output(axis) for axis in "xyz") for i in range(count)
    ]


@pytest.mark.parametrize("count", [1, 2], ids=["general path", "fast lane"])
def test_vector_value_edit_between_steps(tmp_path: Path, write_wasm: WriteWasm, count: int) -> None:
    wasm = write_wasm("echo3", ECHO3_WAT, ECHO3_ABI)
    stage = Usd.Stage.CreateNew(str(tmp_path / "scene.usda"))
    target = echo_prims(stage, wasm, count)[0].GetAttribute("inputs:target")
    with Runner(stage) as rt:
        rt.step(1 / 60)
        assert echoed(rt, count) == [(1.0, 2.0, 3.0)] * count
        target.Set(Gf.Vec3d(4, 5, 6))
        rt.step(1 / 60)
        assert echoed(rt, count) == [(4.0, 5.0, 6.0)] * count
        assert rt.failures == []


@pytest.mark.parametrize("count", [1, 2], ids=["general path", "fast lane"])
def test_time_sampled_vector_gives_every_component_at_the_call_time(
    tmp_path: Path, write_wasm: WriteWasm, count: int
) -> None:
    wasm = write_wasm("echo3", ECHO3_WAT, ECHO3_ABI)
    stage = Usd.Stage.CreateNew(str(tmp_path / "scene.usda"))
    target = echo_prims(stage, wasm, count)[0].GetAttribute("inputs:target")
    target.Clear()
    for frame in range(6):
        target.Set(Gf.Vec3d(frame, 10 * frame, 100 * frame), frame)
    with Runner(stage, record=True) as rt:
        rt.play(0)
        for frame in range(1, 6):
            rt.step(1 / 60, time_code=frame)
            assert echoed(rt, count) == [(frame, 10.0 * frame, 100.0 * frame)] * count


@pytest.mark.parametrize("count", [1, 2], ids=["general path", "fast lane"])
def test_constant_that_gets_time_samples_during_the_run_follows_them(
    tmp_path: Path, write_wasm: WriteWasm, count: int
) -> None:
    wasm = write_wasm("echo3", ECHO3_WAT, ECHO3_ABI)
    stage = Usd.Stage.CreateNew(str(tmp_path / "scene.usda"))
    target = echo_prims(stage, wasm, count)[0].GetAttribute("inputs:target")
    with Runner(stage, record=True) as rt:
        rt.play(0)
        rt.step(1 / 60, time_code=1)
        assert echoed(rt, count) == [(1.0, 2.0, 3.0)] * count
        # the default value stays authored: only the samples say where the target is now
        target.Set(Gf.Vec3d(7, 8, 9), 2)
        target.Set(Gf.Vec3d(9, 10, 11), 4)
        rt.step(1 / 60, time_code=2)
        assert echoed(rt, count) == [(7.0, 8.0, 9.0)] * count
        rt.step(1 / 60, time_code=3)
        assert echoed(rt, count) == [(8.0, 9.0, 10.0)] * count  # interpolated


def test_connection_moved_to_another_attribute(tmp_path: Path, write_wasm: WriteWasm) -> None:
    wasm = write_wasm("echo3", ECHO3_WAT, ECHO3_ABI)
    stage = Usd.Stage.CreateNew(str(tmp_path / "scene.usda"))
    here = stage.DefinePrim("/Here").CreateAttribute("spot", Sdf.ValueTypeNames.Double3)
    here.Set(Gf.Vec3d(1, 1, 1))
    there = stage.DefinePrim("/There").CreateAttribute("spot", Sdf.ValueTypeNames.Double3)
    there.Set(Gf.Vec3d(2, 2, 2))
    prim = module(stage, "/Echo0", wasm)
    target = add_input(prim, "target", "double3", connect=here)
    with Runner(stage) as rt:
        rt.step(1 / 60)
        assert echoed(rt, 1) == [(1.0, 1.0, 1.0)]
        target.SetConnections([there.GetPath()])
        rt.step(1 / 60)
        assert echoed(rt, 1) == [(2.0, 2.0, 2.0)]
        there.Set(Gf.Vec3d(3, 3, 3))  # and the new source's edits are followed too
        rt.step(1 / 60)
        assert echoed(rt, 1) == [(3.0, 3.0, 3.0)]


def test_connection_moved_to_another_modules_output(tmp_path: Path, write_wasm: WriteWasm) -> None:
    echo = write_wasm("echo3", ECHO3_WAT, ECHO3_ABI)
    stage = Usd.Stage.CreateNew(str(tmp_path / "scene.usda"))
    producer = module(stage, "/Z", echo)  # sorts after the consumer: must be moved before it
    add_input(producer, "target", "double3", Gf.Vec3d(5, 6, 7))
    add_output(producer, "out", "double3")
    consumer = module(stage, "/A0", echo)
    target = add_input(consumer, "target", "double3", Gf.Vec3d(1, 2, 3))
    with Runner(stage) as rt:
        rt.step(1 / 60)
        assert echoed(rt, 1, "/A") == [(1.0, 2.0, 3.0)]
        target.SetConnections([Sdf.Path("/Z.outputs:out")])
        rt.step(1 / 60)
        assert [p.path for p in rt.prims] == ["/Z", "/A0"]
        assert echoed(rt, 1, "/A") == [(5.0, 6.0, 7.0)]


def test_array_value_edit_between_steps(tmp_path: Path, write_wasm: WriteWasm) -> None:
    wasm = write_wasm("sum", SUM_WAT, SUM_ABI)
    stage = Usd.Stage.CreateNew(str(tmp_path / "scene.usda"))
    prim = module(stage, "/Sum", wasm)
    values = add_input(prim, "values", "double[]", Vt.DoubleArray([1.0, 2.0, 3.0]))
    with Runner(stage) as rt:
        rt.step(1 / 60)
        assert rt.module_prim("/Sum").results == (6.0,)
        values.Set(Vt.DoubleArray([10.0, 20.0, 30.0]))  # same length: same place in memory
        rt.step(1 / 60)
        assert rt.module_prim("/Sum").results == (60.0,)
        values.Set(Vt.DoubleArray([1.0] * 20_000))  # longer: a new region, memory grows
        rt.step(1 / 60)
        assert rt.module_prim("/Sum").results == (20_000.0,)
        values.Set(Vt.DoubleArray([0.5] * 20_000))
        rt.step(1 / 60)
        assert rt.module_prim("/Sum").results == (10_000.0,)
        values.Set(Vt.DoubleArray([]))
        rt.step(1 / 60)
        assert rt.module_prim("/Sum").results == (0.0,)
        assert rt.failures == []


def test_time_sampled_array_is_read_at_each_call(tmp_path: Path, write_wasm: WriteWasm) -> None:
    wasm = write_wasm("sum", SUM_WAT, SUM_ABI)
    stage = Usd.Stage.CreateNew(str(tmp_path / "scene.usda"))
    prim = module(stage, "/Sum", wasm)
    values = add_input(prim, "values", "double[]")
    for frame in range(5):
        values.Set(Vt.DoubleArray([frame] * (frame + 1)), frame)
    with Runner(stage, record=True) as rt:
        rt.play(0)
        for frame in range(1, 5):
            rt.step(1 / 60, time_code=frame)
            assert rt.module_prim("/Sum").results == (float(frame * (frame + 1)),)


def test_array_connected_to_an_edited_attribute(tmp_path: Path, write_wasm: WriteWasm) -> None:
    wasm = write_wasm("sum", SUM_WAT, SUM_ABI)
    stage = Usd.Stage.CreateNew(str(tmp_path / "scene.usda"))
    scan = stage.DefinePrim("/Scan").CreateAttribute("depths", Sdf.ValueTypeNames.DoubleArray)
    scan.Set(Vt.DoubleArray([1.0, 1.0]))
    prim = module(stage, "/Sum", wasm)
    add_input(prim, "values", "double[]", connect=scan)
    with Runner(stage) as rt:
        rt.step(1 / 60)
        scan.Set(Vt.DoubleArray([2.0, 3.0]))
        rt.step(1 / 60)
        assert rt.module_prim("/Sum").results == (5.0,)


def test_array_from_a_module_whose_result_changed(tmp_path: Path, write_wasm: WriteWasm) -> None:
    scale = write_wasm("scale", SCALE_WAT, SCALE_ABI)
    total = write_wasm("sum", SUM_WAT, SUM_ABI)
    stage = Usd.Stage.CreateNew(str(tmp_path / "scene.usda"))
    producer = module(stage, "/A", scale)
    add_input(producer, "points", "double[]", Vt.DoubleArray([1.0, 2.0]))
    factor = add_input(producer, "scale", "double")
    for frame in range(5):
        factor.Set(float(frame), frame)
    add_output(producer, "points", "double[]")
    consumer = module(stage, "/B", total)
    add_input(consumer, "values", "double[]", connect="/A.outputs:points")
    with Runner(stage, record=True) as rt:
        rt.play(0)
        for frame in range(1, 5):
            rt.step(1 / 60, time_code=frame)
            assert rt.module_prim("/B").results == (3.0 * frame,)


def test_a_kernel_writing_into_a_constant_array_gets_the_scenes_value_again(
    tmp_path: Path, write_wasm: WriteWasm
) -> None:
    # The ABI passes arrays by reference and the scale kernel writes into its input: the
    # copy in memory is made again at every call, so the result does not compound.
    wasm = write_wasm("scale", SCALE_WAT, SCALE_ABI)
    stage = Usd.Stage.CreateNew(str(tmp_path / "scene.usda"))
    prim = module(stage, "/Scale", wasm)
    add_input(prim, "points", "double[]", Vt.DoubleArray([1.0, 2.0, 3.0]))
    add_input(prim, "scale", "double", 2.0)
    add_output(prim, "points", "double[]")
    with Runner(stage) as rt:
        for _ in range(3):
            rt.step(1 / 60)
            assert np.asarray(rt.module_prim("/Scale").output("points")).tolist() == [2, 4, 6]


def test_on_demand_runs_again_when_an_array_input_is_edited(
    tmp_path: Path, write_wasm: WriteWasm
) -> None:
    wasm = write_wasm("sum", SUM_WAT, SUM_ABI)
    stage = Usd.Stage.CreateNew(str(tmp_path / "scene.usda"))
    prim = module(stage, "/Sum", wasm)
    prim.GetAttribute(t.EXECUTION_MODE).Set("on_demand")
    values = add_input(prim, "values", "double[]", Vt.DoubleArray([1.0, 2.0]))
    with Runner(stage) as rt:
        rt.play()
        for _ in range(3):
            rt.step(1 / 60)
        stats = rt.module_prim("/Sum").stats
        assert stats.calls == 1
        values.Set(Vt.DoubleArray([1.0, 2.0]))  # the same numbers again: nothing to do
        rt.step(1 / 60)
        assert stats.calls == 1
        values.Set(Vt.DoubleArray([1.0, 5.0]))
        rt.step(1 / 60)
        rt.step(1 / 60)
        assert stats.calls == 2
        assert rt.module_prim("/Sum").results == (6.0,)


def _read_only(abi: ModuleAbi) -> ModuleAbi:
    """``abi`` with every array parameter marked ``writes: false``."""
    fn = abi.functions[0]
    params = tuple(
        Array(p.name, p.dtype, p.ndim, writes=False) if isinstance(p, Array) else p
        for p in fn.params
    )
    return ModuleAbi(functions=(Function(fn.name, params, fn.results),))


@pytest.mark.parametrize("writes", [True, False])
def test_a_read_only_array_is_copied_in_only_when_its_value_changes(
    tmp_path: Path, write_wasm: WriteWasm, writes: bool
) -> None:
    wasm = write_wasm("sum", SUM_WAT, SUM_ABI if writes else _read_only(SUM_ABI))
    stage = Usd.Stage.CreateNew(str(tmp_path / "scene.usda"))
    prim = module(stage, "/Sum", wasm)
    values = add_input(prim, "values", "double[]", Vt.DoubleArray([1.0, 2.0, 3.0]))
    with Runner(stage) as rt:
        (slot,) = rt.module_prim("/Sum").entry.arrays
        assert slot.writes is writes
        for _ in range(3):
            rt.step(1 / 60)
            assert rt.module_prim("/Sum").results == (6.0,)
        assert slot.copies == (3 if writes else 1)
        values.Set(Vt.DoubleArray([10.0, 20.0, 30.0]))  # same shape, new value: copied
        for _ in range(2):
            rt.step(1 / 60)
            assert rt.module_prim("/Sum").results == (60.0,)
        assert slot.copies == (5 if writes else 2)
        values.Set(Vt.DoubleArray([1.0] * 100))  # another shape: a new region, copied
        rt.step(1 / 60)
        assert rt.module_prim("/Sum").results == (100.0,)
        assert slot.copies == (6 if writes else 3)


def test_a_module_that_lies_about_writes_only_gets_its_own_stale_values(
    tmp_path: Path, write_wasm: WriteWasm
) -> None:
    # The scale kernel stores into `points` but its ABI says it does not: the runner trusts
    # it and skips the copy, so the kernel sees its own previous writes (results compound)
    # — the lie harms nothing but its own results. An edit is still picked up.
    wasm = write_wasm("scale", SCALE_WAT, _read_only(SCALE_ABI))
    stage = Usd.Stage.CreateNew(str(tmp_path / "scene.usda"))
    prim = module(stage, "/Scale", wasm)
    points = add_input(prim, "points", "double[]", Vt.DoubleArray([1.0, 2.0, 3.0]))
    add_input(prim, "scale", "double", 2.0)
    add_output(prim, "points", "double[]")
    with Runner(stage) as rt:
        seen = []
        for _ in range(2):
            rt.step(1 / 60)
            seen.append(np.asarray(rt.module_prim("/Scale").output("points")).tolist())
        assert seen == [[2, 4, 6], [4, 8, 12]]
        points.Set(Vt.DoubleArray([5.0, 5.0, 5.0]))
        rt.step(1 / 60)
        assert np.asarray(rt.module_prim("/Scale").output("points")).tolist() == [10, 10, 10]
        assert rt.failures == []
