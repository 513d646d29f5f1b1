"""A prim whose function takes a complex128 array: USD has no attribute type for it, so
the runner refuses it when binding, naming the prim and the parameter."""

from __future__ import annotations

from pathlib import Path

from pxr import Usd

from portalis.lang import compile_source
from portalis.sim import Runner
from portalis.usd import add_input, create_wasm_module_prim

KERNEL = """
import numpy as np
from portalis.lang import Array


def spectrum(x: Array[np.complex128], gain: float) -> None:
    for i in range(len(x)):
        x[i] *= gain
"""


def test_complex_array_parameters_are_refused_at_bind_time(tmp_path: Path) -> None:
    path = tmp_path / "spectrum.wasm"
    path.write_bytes(compile_source(KERNEL, "spectrum.py").wasm)
    stage = Usd.Stage.CreateInMemory()
    prim = create_wasm_module_prim(stage, "/Spectrum", str(path), "spectrum", "spectrum", "sensor")
    add_input(prim, "gain", "double", 2.0)
    with Runner(stage) as rt:
        (failure,) = rt.failures
    message = str(failure)
    assert message.startswith("/Spectrum: spectrum::spectrum:")
    assert "parameter 'x' is a complex128 array, which has no USD attribute type" in message
