"""The runtime's loading defences hold where most modules arrive: through a scene's
``wasmPath``, read by the stage runner. Each hostile prim fails alone, named, quickly; the
healthy neighbour runs on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import wasmtime
from pxr import Usd

from portalis.sim import Runner
from portalis.usd import add_input, add_output, create_wasm_module_prim

INC = """(module (func (export "update") (param f64) (result f64)
  local.get 0 f64.const 1 f64.add))"""


def _prim(stage: Usd.Stage, path: str, wasm: str) -> Usd.Prim:
    prim = create_wasm_module_prim(stage, path, wasm, "", "update", "base")
    add_input(prim, "n", "double", 0.0, connect=f"{path}.outputs:n")
    add_output(prim, "n", "double")
    return prim


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "v128", "sparse"])
def test_hostile_module_file_fails_alone(tmp_path: Path, kind: str) -> None:
    healthy = tmp_path / "inc.wasm"
    healthy.write_bytes(wasmtime.wat2wasm(INC))
    if kind == "dev-zero":
        hostile, expected = "/dev/zero", "/dev/zero: is a character device, not a regular file"
    elif kind == "fifo":
        hostile, expected = str(tmp_path / "pipe.wasm"), "is a FIFO (named pipe)"
        os.mkfifo(hostile)
    elif kind == "sparse":
        hostile, expected = str(tmp_path / "huge.wasm"), "over the 64 MiB module size limit"
        with open(hostile, "wb") as f:
            f.truncate(2 << 30)
    else:
        hostile = str(tmp_path / "simd.wasm")
        Path(hostile).write_bytes(
            wasmtime.wat2wasm('(module (func (export "update") (param v128)))')
        )
        expected = f"{hostile}: cannot be used from Portalis: export 'update' has v128"
    stage = Usd.Stage.CreateInMemory()
    _prim(stage, "/Hostile", hostile)
    ok = _prim(stage, "/Healthy", str(healthy))
    with Runner(stage) as rt:
        for _ in range(3):
            rt.step(1 / 60)
        failures = list(rt.failures)
    assert ok.GetAttribute("outputs:n").Get() == 3.0
    assert [f.prim_path for f in failures] == ["/Hostile"]
    assert expected in failures[0].message, failures[0].message
