"""Typed fast calls agree with the arithmetic they implement, for every numeric type."""

from __future__ import annotations

import importlib.util
import math
import os
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from portalis.errors import WasmTrap
from portalis.runtime import Sandbox, function, load_module

from . import wat


def _build_accelerator(folder: Path) -> Any:
    """The C accelerator built here from ``_fastcall.c`` with the interpreter's own compiler
    settings (setup.py makes it optional, so an install may lack it)."""
    source = Path(function.__file__).with_name("_fastcall.c")
    target = folder / f"_fastcall{sysconfig.get_config_var('EXT_SUFFIX')}"
    cc = shlex.split(sysconfig.get_config_var("CC") or "cc")
    command = [*cc, "-shared", "-fPIC", "-O2", f"-I{sysconfig.get_paths()['include']}",
               str(source), "-o", str(target)]  # fmt: skip
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=120)
    except (OSError, subprocess.CalledProcessError) as e:
        pytest.skip(f"no working C compiler here ({e}); the ctypes path is still tested")
    spec = importlib.util.spec_from_file_location("portalis.runtime._fastcall", target)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def accelerator(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The compiled accelerator: the installed one, or one built for this test run."""
    return function._fastcall or _build_accelerator(tmp_path_factory.mktemp("fastcall"))


@pytest.fixture(params=["compiled", "ctypes"])
def path(request, accelerator, monkeypatch):
    """Each fast path chosen explicitly, whatever the install built."""
    monkeypatch.setattr(function, "_fastcall", accelerator if request.param == "compiled" else None)
    return request.param


@pytest.fixture(scope="module", params=["compiled", "ctypes"])
def arith(request, accelerator):
    """The same module called through both fast paths: the C accelerator and the generated
    Python function over ctypes (used where no C compiler was available at install)."""
    saved = function._fastcall
    function._fastcall = accelerator if request.param == "compiled" else None
    try:
        inst = load_module(wat.binary(wat.ARITH), name="arith", cache=False).instantiate(Sandbox())
        for name in ("fma", "add_i32", "add_i64", "half_f32", "divmod", "nothing"):
            inst.function(name)  # bind now, under the chosen path
    finally:
        function._fastcall = saved
    kind = type(inst.function("fma")).__name__
    assert (kind == "FastCall") == (request.param == "compiled")
    return inst


def test_ctypes_path_is_forced_by_the_environment():
    code = "from portalis.runtime import function; print(function._fastcall is None)"
    env = {**os.environ, "PORTALIS_NO_FASTCALL": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "True", out.stderr


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
i32 = st.integers(-(1 << 31), (1 << 31) - 1)
i64 = st.integers(-(1 << 63), (1 << 63) - 1)


def wrap(n: int, bits: int) -> int:
    n &= (1 << bits) - 1
    return n - (1 << bits) if n >> (bits - 1) else n


@given(finite, finite, finite)
def test_f64(arith, a, b, c):
    got = arith.function("fma")(a, b, c)
    want = a * b + c
    assert got == want or (math.isnan(got) and math.isnan(want))


@given(i32, i32)
def test_i32_wraps_like_wasm(arith, a, b):
    assert arith.function("add_i32")(a, b) == wrap(a + b, 32)


@given(i64, i64)
def test_i64_wraps_like_wasm(arith, a, b):
    assert arith.function("add_i64")(a, b) == wrap(a + b, 64)


@given(st.floats(width=32, allow_nan=False))
def test_f32(arith, x):
    assert arith.function("half_f32")(x) == float(np.float32(x) * np.float32(0.5))


def test_several_results_are_a_tuple(arith):
    assert arith.function("divmod")(-7, 2) == (-3, -1)  # wasm truncates, unlike Python


def test_no_results_is_none(arith):
    assert arith.function("nothing")() is None


def test_numpy_scalars_and_bools_are_accepted(arith):
    assert arith.function("fma")(np.float64(2.0), 3, True) == 7.0
    assert arith.function("add_i64")(np.int64(2), np.int32(3)) == 5


def test_signature_is_exposed(arith):
    fn = arith.function("divmod")
    assert fn.params == ("i64", "i64") and fn.results == ("i64", "i64")
    assert fn.__name__ == "divmod"


def test_integer_division_by_zero_traps(arith):

    with pytest.raises(WasmTrap) as info:
        arith.function("divmod")(1, 0)
    assert info.value.trap_code == "integer_division_by_zero"


def test_unknown_export_lists_the_real_ones(arith):
    from portalis.errors import PortalisError

    with pytest.raises(PortalisError) as info:
        arith.function("nope")
    assert "fma" in info.value.hint


def test_both_paths_refuse_calls_after_close(path):
    from portalis.errors import InstanceClosedError

    inst = load_module(wat.binary(wat.ARITH), cache=False).instantiate()
    fma = inst.function("fma")
    assert fma(1.0, 1.0, 1.0) == 2.0
    inst.close()
    with pytest.raises(InstanceClosedError):
        fma(1.0, 1.0, 1.0)


def test_both_paths_record_statistics(path):
    inst = load_module(wat.binary(wat.ARITH), cache=False).instantiate(monitoring=True)
    dm = inst.function("divmod")
    for _ in range(5):
        dm(7, 2)
    with pytest.raises(WasmTrap, match="division by zero"):
        dm(1, 0)
    assert (dm.stats.calls, dm.stats.failures) == (5, 1)
    assert dm.stats.total_seconds > 0
