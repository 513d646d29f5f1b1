"""Calling a module through its ABI, the way the kernel's Python source reads."""

from __future__ import annotations

import numpy as np
import pytest

import portalis
from portalis.errors import SignatureError, WasmTrap

from . import wat


@pytest.fixture
def kernel():
    return portalis.load(wat.abi_kernel(), name="kernel", cache=False)


def test_arrays_go_in_and_come_back(kernel):
    pts = np.arange(5.0)
    assert kernel.scale(pts) == 20.0  # default k=2.0
    np.testing.assert_array_equal(pts, np.arange(5.0) * 2)
    assert kernel.scale(pts=pts, k=0.5) == 10.0
    np.testing.assert_array_equal(pts, np.arange(5.0))


def test_lists_are_accepted_as_input(kernel):
    assert kernel.scale([1.0, 2.0], k=3.0) == 9.0


def test_growing_arrays_reuse_or_reallocate_scratch(kernel):
    for n in (3, 3, 1000, 10):
        pts = np.ones(n)
        assert kernel.scale(pts, 1.0) == float(n)


def test_two_dimensional_arrays(kernel):
    m = np.arange(16.0).reshape(4, 4)
    assert kernel.trace(m) == float(np.trace(m))


def test_python_exception_is_raised_as_itself(kernel):
    with pytest.raises(ZeroDivisionError) as info:
        kernel.div(1.0, 0.0)
    err = info.value
    assert isinstance(err, WasmTrap)
    assert err.python_exception == "ZeroDivisionError" and err.line == 7
    assert "kernel.py:7" in str(err)
    assert kernel.div(1.0, 4.0) == 0.25  # the error globals were reset


def test_bool_results_and_state(kernel):
    assert kernel.positive(2.0) == (True, 2.0)
    assert kernel.positive(-1.0) == (False, -1.0)
    assert kernel.state.count == 0 and kernel.state.armed is True
    kernel.state.count = 41
    kernel.state.armed = False
    assert (kernel.state.count, kernel.state.armed) == (41, False)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda k: k.scale(np.ones(3, dtype=np.float32)), "expected dtype float64"),
        (lambda k: k.scale(np.ones((2, 2))), "expected a 1-D array"),
        (lambda k: k.div(1.0, "x"), "argument 1 must be a float"),
    ],
)
def test_bad_arguments(kernel, call, message):
    with pytest.raises(SignatureError) as info:
        call(kernel)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda k: k.scale(), "scale() missing 1 required positional argument: 'pts'"),
        (lambda k: k.scale(np.ones(2), k=1.0, q=2), "unexpected keyword argument 'q'"),
        (lambda k: k.scale(np.ones(2), 1.0, 3.0), "takes from 1 to 2 positional arguments"),
    ],
)
def test_argument_binding_errors_are_pythons_own(kernel, call, message):
    """Kernels get their source's signature, so binding errors read as CPython's would."""
    with pytest.raises(TypeError) as info:
        call(kernel)
    assert message in str(info.value)


def test_signature_is_the_kernels(kernel):
    import inspect

    assert str(inspect.signature(kernel.scale)) == "(pts, k=2.0)"
    assert kernel.div(b=4.0, a=1.0) == 0.25


def test_hostile_abi_names_never_reach_generated_code():
    from portalis.abi import Function, ModuleAbi, Value

    evil = "x=0):\n    import os\n    os.system('true')\n    return (0"
    abi = ModuleAbi(
        functions=(Function("div", (Value(evil, "f64"), Value("b", "f64")), (Value("q", "f64"),)),)
    )
    k = portalis.load(wat.binary(wat.ABI_KERNEL, abi), cache=False)
    assert k.div(1.0, 2.0) == 0.5  # still callable, by position, through the binding


def test_view_arguments_are_zero_copy(kernel):
    view = kernel.instance.memory.write(np.ones(4))
    assert kernel.scale(view, 3.0) == 12.0
    assert view.numpy().tolist() == [3.0] * 4


def test_doc_and_repr(kernel):
    assert kernel.scale.__doc__ == "Scale pts in place."
    assert "scale" in repr(kernel)


def test_read_only_arrays_are_not_copied_back():
    """`writes: false` means no copy-back. Shown with a module whose ABI says so of `scale`,
    which does store: the caller's array keeps its values (the module's own writes stay in
    its memory) while the result still reflects them — a lying flag only makes results
    stale for the caller, never reaches anything else."""
    from portalis.abi import Array, Function, ModuleAbi, Value

    abi = ModuleAbi(
        functions=(
            Function("scale", (Array("pts", "f64", 1, writes=False), Value("k", "f64", 2.0)),
                     (Value("total", "f64"),)),
        ),
    )  # fmt: skip
    k = portalis.load(wat.binary(wat.ABI_KERNEL, abi), name="liar", cache=False)
    pts = np.arange(5.0)
    assert k.scale(pts) == 20.0
    np.testing.assert_array_equal(pts, np.arange(5.0))
    assert k.scale(pts, 3.0) == 30.0  # copied in afresh each call: the caller's values
    np.testing.assert_array_equal(pts, np.arange(5.0))


def test_written_arrays_still_come_back_and_read_only_ones_are_left_alone(kernel):
    m = np.arange(16.0).reshape(4, 4)
    m.setflags(write=True)
    before = m.copy()
    assert kernel.trace(m) == float(np.trace(before))
    np.testing.assert_array_equal(m, before)
    frozen = np.arange(16.0).reshape(4, 4)
    frozen.setflags(write=False)  # read-only input to a read-only parameter: fine
    assert kernel.trace(frozen) == float(np.trace(frozen))


def test_abi_writes_flag_defaults_to_true_when_absent():
    import json

    from portalis.abi import AbiError, ModuleAbi

    doc = {
        "version": 1,
        "functions": [{"name": "f", "results": [], "params": [
            {"kind": "array", "name": "a", "dtype": "f64", "ndim": 1},
            {"kind": "array", "name": "b", "dtype": "f64", "ndim": 1, "writes": False},
        ]}],
    }  # fmt: skip
    abi = ModuleAbi.from_bytes(json.dumps(doc).encode())
    assert [p.writes for p in abi.functions[0].params] == [True, False]
    assert ModuleAbi.from_bytes(abi.to_bytes()) == abi
    doc["functions"][0]["params"][1]["writes"] = "no"
    with pytest.raises(AbiError, match="writes"):
        ModuleAbi.from_bytes(json.dumps(doc).encode())
