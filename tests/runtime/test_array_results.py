"""Array results from a hand-written, hostile module (runtime/results.py): the host checks
each returned block against linear memory and the sandbox's cap before reading a byte,
copies good ones out and frees them, and refuses a module whose ABI disagrees with its
exports when it is loaded. The compiler's side is tests/lang/test_array_results.py."""

from __future__ import annotations

import numpy as np
import pytest

from portalis.abi import Array, Function, ModuleAbi, Value
from portalis.errors import BadResultError, SignatureError
from portalis.runtime import load

from .wat import binary

# `give(ptr, n)` returns whatever block it is told to: the module stands for one that lies.
# `portalis_free` counts its calls and remembers the last block, so the test sees the host
# give the block back.
HOSTILE = """
(module (memory (export "memory") 1)
  (global $frees (export "frees") (mut i32) (i32.const 0))
  (global $last (export "last_freed") (mut i32) (i32.const 0))
  (func (export "portalis_alloc") (param i32 i32) (result i32) i32.const 1024)
  (func (export "portalis_free") (param i32)
    (global.set $frees (i32.add (global.get $frees) (i32.const 1)))
    (global.set $last (local.get 0)))
  (func (export "give") (param $p i32) (param $n i32) (result i32 i32)
    (f64.store (i32.const 1024) (f64.const 1.5))
    (f64.store (i32.const 1032) (f64.const -2.0))
    local.get $p local.get $n)
  (func (export "give2") (param $p i32) (param $r i32) (param $c i32) (result i32 i32 i32 f64)
    local.get $p local.get $r local.get $c f64.const 0.5)
  (func (export "scalar") (result f64) f64.const 1.0)
  (func (export "pairs") (param $p i32) (param $n i32) (param $two i32) (result i32 i32 i32)
    (f64.store (i32.const 1024) (f64.const 1.5))
    (f64.store (i32.const 1032) (f64.const -2.0))
    local.get $p local.get $n local.get $two)
)
"""


def _kernel(functions: tuple[Function, ...], wat: str = HOSTILE):  # type: ignore[no-untyped-def]
    return load(binary(wat, ModuleAbi(functions=functions)), cache=False)


GIVE = Function("give", (Value("p", "i32"), Value("n", "i32")), (Array("out", "f64"),))
GIVE2 = Function(
    "give2",
    (Value("p", "i32"), Value("r", "i32"), Value("c", "i32")),
    (Array("grid", "f64", 2), Value("x", "f64")),
)


def test_a_good_block_is_copied_out_and_freed() -> None:
    k = _kernel((GIVE, GIVE2))
    out = k.give(1024, 2)
    assert out.tolist() == [1.5, -2.0] and out.flags.owndata
    assert k.instance.global_value("frees") == 1
    assert k.instance.global_value("last_freed") == 1024
    grid, x = k.give2(1024, 1, 2)
    assert grid.shape == (1, 2) and grid.tolist() == [[1.5, -2.0]] and x == 0.5
    empty = k.give(0, 0)
    assert empty.shape == (0,) and empty.dtype == np.float64


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((65536 - 8, 2), "outside linear memory of 65536 bytes"),
        ((1024, 8192), "outside linear memory"),
        ((-8, 1), "[4294967288, 4294967296) is outside"),  # a negative i32 is a huge offset
        ((0, -1), "exceed the sandbox's memory cap"),  # 2**32 - 1 elements
        ((1025, 1), "not aligned"),
    ],
)
def test_a_bad_block_is_refused_before_reading(args: tuple[int, int], words: str) -> None:
    k = _kernel((GIVE,))
    with pytest.raises(BadResultError) as info:
        k.give(*args)
    assert words in str(info.value) and "give()" in str(info.value)
    assert k.instance.global_value("frees") == 0  # nothing freed: nothing trusted
    assert k.give(1024, 1).tolist() == [1.5]  # the instance still works


def test_extents_multiplying_past_the_cap_are_refused() -> None:
    k = _kernel((GIVE2,))
    with pytest.raises(BadResultError, match="memory cap"):
        k.give2(1024, 0x10000, 0x10000)  # 2**32 elements: the product, not each extent


def test_an_abi_that_disagrees_with_the_export_is_refused_at_load() -> None:
    lying = Function("scalar", (), (Array("out", "f64"),))  # the export returns one f64
    with pytest.raises(SignatureError, match=r"describes results \(i32, i32\)"):
        _kernel((lying,))


def test_array_results_need_the_modules_free() -> None:
    no_free = HOSTILE.replace('(export "portalis_free")', "")
    with pytest.raises(SignatureError, match="exports no portalis_free"):
        _kernel((GIVE,), no_free)


PAIRS = Function(
    "pairs",
    (Value("p", "i32"), Value("n", "i32"), Value("two", "i32")),
    (Array("z", "c128"),),
)


def test_a_complex_result_is_read_from_its_pairs_and_a_bad_pair_extent_refused() -> None:
    k = _kernel((PAIRS,))
    z = k.pairs(1024, 1, 2)  # one complex128: the (1.5, -2.0) pair
    assert z.dtype == np.dtype(np.complex128) and z.tolist() == [1.5 - 2j] and z.flags.owndata
    assert k.instance.global_value("frees") == 1
    with pytest.raises(BadResultError, match="the last extent must be 2"):
        k.pairs(1024, 2, 1)  # the same 16 bytes claimed as two "pairs" of one float
    assert k.instance.global_value("frees") == 1  # refused: nothing read, nothing freed
