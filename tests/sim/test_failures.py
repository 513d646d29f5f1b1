"""Failure isolation: a prim whose module is missing, corrupt, not the pinned one, traps, runs
out of time or is badly described is reported and disabled; the rest of the scene runs on.
Also: where ``wasmPath`` resolves from."""

from __future__ import annotations

from pathlib import Path

import pytest
from pxr import Sdf, Usd

from portalis.runtime import Sandbox
from portalis.sim import Failure, Runner
from portalis.usd import add_input, add_output, create_wasm_module_prim
from portalis.usd import tokens as t

from .conftest import WriteWasm

INC = """(module (func (export "update") (param f64) (result f64)
  local.get 0 f64.const 1 f64.add))"""
TRAP_ON_THIRD = """(module (func (export "update") (param f64) (result f64)
  local.get 0 f64.const 2 f64.ge (if (then unreachable))
  local.get 0 f64.const 1 f64.add))"""
SPIN = """(module (func (export "update") (param f64) (result f64)
  (loop $forever br $forever) local.get 0))"""


def counter(stage: Usd.Stage, path: str, wasm: str, module_id: str = "") -> Usd.Prim:
    prim = create_wasm_module_prim(stage, path, wasm, module_id, "update", "base")
    add_input(prim, "n", "double", 0.0, connect=f"{path}.outputs:n")
    add_output(prim, "n", "double")
    return prim


def run_with_healthy_neighbour(
    stage: Usd.Stage, healthy_wasm: Path, steps: int = 10, **kwargs: object
) -> tuple[list[Failure], float]:
    healthy = counter(stage, "/Healthy", str(healthy_wasm))
    with Runner(stage, **kwargs) as rt:  # type: ignore[arg-type]
        for _ in range(steps):
            rt.step(1 / 60)
        failures = list(rt.failures)
    return failures, healthy.GetAttribute("outputs:n").Get()


@pytest.mark.parametrize("authored", ["./nowhere/lost.wasm", "nowhere/lost.wasm"])
def test_missing_module(write_wasm: WriteWasm, tmp_path: Path, authored: str) -> None:
    """The message names the absolute path the authored one resolved to (a path without ./
    is a search path to USD, left as written by its resolver), and the authored one."""
    stage = Usd.Stage.CreateNew(str(tmp_path / "scene.usda"))
    counter(stage, "/Lost", authored, "lost")
    (failure,), healthy = run_with_healthy_neighbour(stage, write_wasm("inc", INC))
    assert healthy == 10.0
    assert (failure.prim_path, failure.module, failure.cause) == ("/Lost", "lost", "missing")
    assert f"no file at {tmp_path / 'nowhere' / 'lost.wasm'} (wasmPath @{authored}@" in (
        failure.message
    )
    assert "scene.usda" in failure.message  # names the layer that authored the path


def test_corrupt_module(write_wasm: WriteWasm, tmp_path: Path) -> None:
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"\0asm\x01\0\0\0\xff\xff\xff")
    stage = Usd.Stage.CreateInMemory()
    counter(stage, "/Bad", str(bad))
    (failure,), healthy = run_with_healthy_neighbour(stage, write_wasm("inc", INC))
    assert healthy == 10.0
    assert failure.cause == "corrupt" and failure.module == "bad"


def test_not_webassembly_at_all(write_wasm: WriteWasm, tmp_path: Path) -> None:
    text = tmp_path / "notes.wasm"
    text.write_text("hello")
    stage = Usd.Stage.CreateInMemory()
    counter(stage, "/Text", str(text))
    (failure,), _ = run_with_healthy_neighbour(stage, write_wasm("inc", INC))
    assert failure.cause == "corrupt" and "not a WebAssembly module" in failure.message


def test_hash_mismatch(write_wasm: WriteWasm) -> None:
    stage = Usd.Stage.CreateInMemory()
    prim = counter(stage, "/Swapped", str(write_wasm("other", INC)))
    prim.GetAttribute(t.WASM_SHA256).Set("ab" * 32)
    (failure,), healthy = run_with_healthy_neighbour(stage, write_wasm("inc", INC))
    assert healthy == 10.0
    assert failure.cause == "hash-mismatch" and "ab" * 32 in failure.message


def test_trap_mid_run_disables_only_that_prim(write_wasm: WriteWasm) -> None:
    stage = Usd.Stage.CreateInMemory()
    trapper = counter(stage, "/Trapper", str(write_wasm("trapper", TRAP_ON_THIRD)), "trapper")
    (failure,), healthy = run_with_healthy_neighbour(stage, write_wasm("inc", INC))
    assert healthy == 10.0
    assert trapper.GetAttribute("outputs:n").Get() == 2.0  # its two good calls were written
    assert (failure.prim_path, failure.module, failure.function) == (
        "/Trapper",
        "trapper",
        "update",
    )
    assert failure.cause == "trap" and "unreachable" in failure.message
    assert str(failure).startswith("/Trapper: trapper::update: trap: ")


def test_infinite_loop_times_out(write_wasm: WriteWasm) -> None:
    stage = Usd.Stage.CreateInMemory()
    counter(stage, "/Spin", str(write_wasm("spin", SPIN)))
    (failure,), healthy = run_with_healthy_neighbour(
        stage, write_wasm("inc", INC), steps=3, sandbox=Sandbox(deadline_s=0.05)
    )
    assert healthy == 3.0
    assert failure.cause == "timeout" and failure.prim_path == "/Spin"


def test_invalid_attributes_are_reported_not_guessed(write_wasm: WriteWasm) -> None:
    stage = Usd.Stage.CreateInMemory()
    prim = counter(stage, "/Odd", str(write_wasm("inc", INC)))
    prim.GetAttribute(t.EXECUTION_MODE).Set("sometimes")
    prim.GetAttribute(t.UPDATE_RATE).Set(0.0)
    (failure,), healthy = run_with_healthy_neighbour(stage, write_wasm("inc2", INC))
    assert healthy == 10.0
    assert failure.cause == "invalid"
    assert "executionMode is 'sometimes'" in failure.message
    assert "updateRate must be a finite number of Hz > 0" in failure.message


def test_failure_listener_hears_each_failure(write_wasm: WriteWasm) -> None:
    stage = Usd.Stage.CreateInMemory()
    counter(stage, "/Trapper", str(write_wasm("trapper", TRAP_ON_THIRD)))
    heard: list[Failure] = []
    with Runner(stage) as rt:
        rt.add_failure_listener(heard.append)
        for _ in range(5):
            rt.step(1 / 60)
        assert heard == rt.failures and len(heard) == 1
        assert rt.summary()[0].failures == 1


def test_unregistered_schema_is_a_scene_error(tmp_path: Path) -> None:
    from portalis.errors import SceneError

    stage = Usd.Stage.CreateInMemory()
    stage.DefinePrim("/M", "WasmMystery")
    with pytest.raises(SceneError, match="does not know that type"):
        Runner(stage)


# -- asset resolution ----------------------------------------------------------------------


def test_wasm_path_resolves_against_the_sublayer_that_authored_it(
    write_wasm: WriteWasm, tmp_path: Path
) -> None:
    """The scene sublayers modules/rig.usda, which says @./kernels/inc.wasm@: that is
    modules/kernels/inc.wasm, not a path next to the scene."""
    write_wasm("inc", INC, folder=tmp_path / "modules" / "kernels")
    rig = Usd.Stage.CreateNew(str(tmp_path / "modules" / "rig.usda"))
    counter(rig, "/Rig/Counter", "./kernels/inc.wasm")
    rig.Save()
    scene = Usd.Stage.CreateNew(str(tmp_path / "shots" / "scene.usda"))
    scene.GetRootLayer().subLayerPaths.append("../modules/rig.usda")
    scene.Save()
    reopened = Usd.Stage.Open(str(tmp_path / "shots" / "scene.usda"))
    with Runner(reopened) as rt:
        rt.step(1 / 60)
        assert rt.failures == []
        loaded = rt.module_prim("/Rig/Counter").loaded
    assert loaded.source.path == tmp_path / "modules" / "kernels" / "inc.wasm"
    assert loaded.source.layer.endswith("rig.usda")


def test_a_stronger_layer_can_repoint_the_module(write_wasm: WriteWasm, tmp_path: Path) -> None:
    write_wasm("inc", INC, folder=tmp_path / "modules")
    write_wasm("inc", TRAP_ON_THIRD, folder=tmp_path / "override")
    rig = Usd.Stage.CreateNew(str(tmp_path / "modules" / "rig.usda"))
    counter(rig, "/Counter", "./inc.wasm")
    rig.Save()
    shot = Sdf.Layer.CreateNew(str(tmp_path / "override" / "shot.usda"))
    shot.subLayerPaths.append("../modules/rig.usda")
    over = Sdf.CreatePrimInLayer(shot, "/Counter")
    attr = Sdf.AttributeSpec(over, t.WASM_PATH, Sdf.ValueTypeNames.Asset)
    attr.default = Sdf.AssetPath("./inc.wasm")  # relative to override/, where shot.usda is
    shot.Save()
    with Runner(Usd.Stage.Open(shot)) as rt:
        assert rt.module_prim("/Counter").loaded.source.path == tmp_path / "override" / "inc.wasm"


def test_a_start_function_that_never_returns_times_out(write_wasm: WriteWasm) -> None:
    spin_at_start = write_wasm(
        "spin_start",
        """(module (func $spin (loop $forever br $forever)) (start $spin)
        (func (export "update") (param f64) (result f64) local.get 0))""",
    )
    stage = Usd.Stage.CreateInMemory()
    counter(stage, "/Stuck", str(spin_at_start))
    (failure,), healthy = run_with_healthy_neighbour(
        stage, write_wasm("inc", INC), steps=2, sandbox=Sandbox(deadline_s=0.05)
    )
    assert healthy == 2.0
    assert failure.cause == "timeout" and "start function" in failure.message


def test_a_module_importing_the_host_is_refused(write_wasm: WriteWasm) -> None:
    sneaky = write_wasm(
        "sneaky",
        """(module (import "wasi_snapshot_preview1" "fd_write"
            (func (param i32 i32 i32 i32) (result i32)))
        (func (export "update") (param f64) (result f64) local.get 0))""",
    )
    stage = Usd.Stage.CreateInMemory()
    counter(stage, "/Sneaky", str(sneaky))
    (failure,), healthy = run_with_healthy_neighbour(stage, write_wasm("inc", INC))
    assert healthy == 10.0
    assert failure.cause == "import-denied" and "fd_write" in failure.message


GROWER = """
import numpy as np


def update(n: float) -> float:
    a = np.zeros((int(n) + 1) * 1_000_000)  # 8 MB more each call
    return n + 1.0 + a[0]
"""


def test_a_kernels_memory_error_is_a_memory_limit_naming_the_cap(
    write_wasm: WriteWasm, tmp_path: Path
) -> None:
    from portalis.lang import compile_source

    wasm = tmp_path / "grower.wasm"
    wasm.write_bytes(compile_source(GROWER, "grower.py").wasm)
    stage = Usd.Stage.CreateInMemory()
    counter(stage, "/Grower", str(wasm), "grower")
    sandbox = Sandbox(max_memory_bytes=32 << 20)
    (failure,), healthy = run_with_healthy_neighbour(stage, write_wasm("inc", INC), sandbox=sandbox)
    assert healthy == 10.0
    assert failure.prim_path == "/Grower" and failure.cause == "memory-limit"
    assert failure.message.startswith("MemoryError; linear memory is ")
    assert failure.message.endswith(" MiB of the sandbox's cap of 32 MiB")
