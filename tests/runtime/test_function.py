"""Typed fast calls agree with the arithmetic they implement, for every numeric type."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from portalis.runtime import Sandbox, function, load_module

from . import wat


@pytest.fixture(scope="module", params=["compiled", "ctypes"])
def arith(request):
    """The same module called through both fast paths: the C accelerator and the generated
    Python function over ctypes (used where no C compiler was available at install)."""
    saved = function._fastcall
    if request.param == "ctypes":
        function._fastcall = None
    try:
        inst = load_module(wat.binary(wat.ARITH), name="arith", cache=False).instantiate(Sandbox())
        for name in ("fma", "add_i32", "add_i64", "half_f32", "divmod", "nothing"):
            inst.function(name)  # bind now, under the chosen path
    finally:
        function._fastcall = saved
    kind = type(inst.function("fma")).__name__
    assert (kind == "FastCall") == (request.param == "compiled")
    return inst


def test_compiled_accelerator_was_built():
    # The install builds it wherever a C compiler exists (CI has one); without it the
    # runtime still works, over ctypes, as the parametrised tests here show.
    assert function._fastcall is not None


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
    from portalis.errors import WasmTrap

    with pytest.raises(WasmTrap) as info:
        arith.function("divmod")(1, 0)
    assert info.value.trap_code == "integer_division_by_zero"


def test_unknown_export_lists_the_real_ones(arith):
    from portalis.errors import PortalisError

    with pytest.raises(PortalisError) as info:
        arith.function("nope")
    assert "fma" in info.value.hint


@pytest.mark.parametrize("accelerated", [True, False])
def test_both_paths_refuse_calls_after_close(accelerated, monkeypatch):
    from portalis.errors import InstanceClosedError

    if not accelerated:
        monkeypatch.setattr(function, "_fastcall", None)
    inst = load_module(wat.binary(wat.ARITH), cache=False).instantiate()
    fma = inst.function("fma")
    assert fma(1.0, 1.0, 1.0) == 2.0
    inst.close()
    with pytest.raises(InstanceClosedError):
        fma(1.0, 1.0, 1.0)


@pytest.mark.parametrize("accelerated", [True, False])
def test_both_paths_record_statistics(accelerated, monkeypatch):
    if not accelerated:
        monkeypatch.setattr(function, "_fastcall", None)
    inst = load_module(wat.binary(wat.ARITH), cache=False).instantiate(monitoring=True)
    dm = inst.function("divmod")
    for _ in range(5):
        dm(7, 2)
    with pytest.raises(Exception, match="division by zero"):
        dm(1, 0)
    assert (dm.stats.calls, dm.stats.failures) == (5, 1)
    assert dm.stats.total_seconds > 0
