"""NumPy over linear memory: zero-copy views, copies, and both allocators."""

from __future__ import annotations

import numpy as np
import pytest

from portalis.abi import ModuleAbi
from portalis.errors import PortalisError
from portalis.runtime import load_module

from . import wat

WITH_ALLOCATOR = """
(module (memory (export "memory") 1)
  (global $bump (mut i32) (i32.const 4096))
  (func (export "portalis_alloc") (param i32 i32) (result i32) (local i32)
    global.get $bump local.set 2
    (global.set $bump (i32.add (global.get $bump) (local.get 0)))
    local.get 2)
  (func (export "portalis_free") (param i32)))
"""


def test_views_are_zero_copy_both_ways():
    inst = load_module(wat.binary(wat.ARITH), cache=False).instantiate()
    view = inst.memory.write(np.array([1.0, 2.0, 3.0]))
    view[1] = 20.0  # written through the view …
    assert inst.function("sum")(view.offset, 3) == 24.0  # … is what wasm reads
    arr = view.numpy()
    arr *= 2
    assert inst.function("sum")(view.offset, 3) == 48.0
    assert inst.memory.read(view.offset, np.float64, 3).tolist() == [2.0, 40.0, 6.0]


def test_module_allocator_is_used_when_exported():
    inst = load_module(wat.binary(WITH_ALLOCATOR), cache=False).instantiate()
    a = inst.memory.alloc(100, 8)
    b = inst.memory.alloc(100, 8)
    assert (a, b) == (4096, 4196)


def test_runtime_region_without_allocator_grows_memory():
    inst = load_module(wat.binary(wat.ARITH), cache=False).instantiate()
    before = inst.memory.size
    offset = inst.memory.alloc(10, 16)
    assert offset >= before and inst.memory.size > before
    second = inst.memory.alloc(10, 16)
    assert second >= offset + 10 and second % 16 == 0


def test_two_dimensional_views():
    inst = load_module(wat.binary(wat.ARITH), cache=False).instantiate()
    grid = np.arange(12, dtype=np.float32).reshape(3, 4)
    view = inst.memory.write(grid)
    assert view.shape == (3, 4) and view.dtype == np.float32
    np.testing.assert_array_equal(np.asarray(view), grid)


def test_view_outside_memory_is_refused():
    inst = load_module(wat.binary(wat.ARITH), cache=False).instantiate()
    with pytest.raises(PortalisError, match="outside linear memory"):
        inst.memory.view(inst.memory.size - 8, np.float64, 2)


def test_abi_module_without_abi_is_still_bound_by_signature():
    module = load_module(wat.binary(wat.ARITH, ModuleAbi(functions=())), cache=False)
    assert module.abi is not None and module.abi.functions == ()


def test_arrays_stay_right_as_memory_grows_from_nothing():
    inst = load_module(wat.binary('(module (memory (export "memory") 0))'), cache=False)
    inst = inst.instantiate()
    assert inst.memory.size == 0
    small = inst.memory.write(np.arange(3.0))
    big = inst.memory.write(np.arange(100_000.0))  # grows memory past the first mapping
    assert big.numpy()[-1] == 99_999.0
    assert inst.memory.read(small.offset, np.float64, 3).tolist() == [0.0, 1.0, 2.0]
