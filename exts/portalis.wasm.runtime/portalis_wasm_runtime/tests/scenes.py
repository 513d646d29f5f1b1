"""A small scene for the extension's tests, written to a folder: three chained modules, one
stateful module, one module that traps on its first call. Modules are hand-written WAT (the
runtime binds them by export signature), so building the scene takes milliseconds.

Frame rate 60 (the app update's dt), time codes 0–120.
"""

from __future__ import annotations

from pathlib import Path

import wasmtime
from pxr import Usd

from portalis.usd import add_input, add_output, create_wasm_module_prim

FPS = 60.0
END = 120.0

# y = x * k + dt
CHAIN_WAT = """(module (func (export "update") (param f64 f64 f64) (result f64)
  local.get 0 local.get 1 f64.mul local.get 2 f64.add))"""
# total += dt * rate; returns total (state that a restart must reset)
COUNTER_WAT = """(module (global $total (mut f64) (f64.const 0))
  (func (export "update") (param f64 f64) (result f64)
    global.get $total local.get 0 local.get 1 f64.mul f64.add global.set $total
    global.get $total))"""
# traps on every call
BAD_WAT = """(module (func (export "update") (param f64) (result f64) unreachable))"""

CHAIN = ("/World/Chain/M0", "/World/Chain/M1", "/World/Chain/M2")
COUNTER = "/World/Counter"
BAD = "/World/Bad"
PROBE = "/World/Probe"


def write_modules(folder: Path) -> None:
    for name, wat in (("chain", CHAIN_WAT), ("counter", COUNTER_WAT), ("bad", BAD_WAT)):
        (folder / f"{name}.wasm").write_bytes(wasmtime.wat2wasm(wat))


def write_scene(folder: Path, *, bad: bool = True) -> Path:
    """``folder/scene.usda`` and its modules; returns the scene's path."""
    folder.mkdir(parents=True, exist_ok=True)
    write_modules(folder)
    path = folder / "scene.usda"
    stage = Usd.Stage.CreateNew(str(path))
    stage.SetTimeCodesPerSecond(FPS)
    stage.SetFramesPerSecond(FPS)
    stage.SetStartTimeCode(0)
    stage.SetEndTimeCode(END)
    probe = stage.DefinePrim(PROBE, "Xform")
    probe.CreateAttribute("value", _double())
    for i, prim_path in enumerate(CHAIN):
        prim = create_wasm_module_prim(stage, prim_path, "./chain.wasm", "chain", "update")
        previous = f"{CHAIN[i - 1]}.outputs:y" if i else None
        add_input(prim, "x", "double", 1.0, connect=previous)
        add_input(prim, "k", "double", 0.5)
        add_input(prim, "dt", "double")
        targets = [f"{PROBE}.value"] if i == len(CHAIN) - 1 else []
        add_output(prim, "y", "double", targets)
    counter = create_wasm_module_prim(stage, COUNTER, "./counter.wasm", "counter", "update")
    add_input(counter, "dt", "double")
    add_input(counter, "rate", "double", 2.0)
    add_output(counter, "total", "double")
    if bad:
        broken = create_wasm_module_prim(stage, BAD, "./bad.wasm", "bad", "update")
        add_input(broken, "dt", "double")
        add_output(broken, "y", "double")
    stage.GetRootLayer().Save()
    return path


def _double():
    from pxr import Sdf

    return Sdf.ValueTypeNames.Double
