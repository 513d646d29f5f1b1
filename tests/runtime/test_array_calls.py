"""Array arguments of kernel calls: the planned fast path (a cached scratch view, one copy in,
one copy back for written parameters only), ArrayViews passed in place, and the checks that
keep it safe when memory grows, shapes change, or the array is of the wrong kind."""

from __future__ import annotations

import numpy as np
import pytest

import portalis
from portalis.errors import InstanceClosedError, SignatureError, StaleViewError
from portalis.lang import compile_source

SOURCE = """from portalis.lang import Array, f64


def total(a: Array[f64]) -> float:
    s = 0.0
    for i in range(a.size):
        s += a[i]
    return s


def double(a: Array[f64]) -> float:
    for i in range(a.size):
        a[i] = a[i] * 2.0
    return 0.0


def mark(m: Array[f64, 2], v: float) -> float:
    m[0, 1] = v
    return m[1, 0]
"""


@pytest.fixture(scope="module")
def wasm() -> bytes:
    return compile_source(SOURCE, "array_calls.py").wasm


@pytest.fixture
def kernel(wasm):
    with portalis.load(wasm, name="array_calls", cache=False) as k:
        yield k


def test_the_abi_says_which_parameters_are_written(kernel):
    assert [p.writes for p in kernel.total.binding.plans] == [False]
    assert [p.writes for p in kernel.double.binding.plans] == [True]


def test_steady_state_reuses_one_scratch_view_and_copies_back_only_writes(kernel):
    a = np.arange(2048.0)
    assert kernel.double(a) == 0.0
    plan = kernel.double.binding.plans[0]
    offset, dst = plan.offset, plan.dst
    for k in range(1, 4):
        kernel.double(a)
        np.testing.assert_array_equal(a, np.arange(2048.0) * 2.0 ** (k + 1))
    assert (plan.offset, plan.dst) == (offset, dst)  # no new region, no new view
    assert plan.pending is None  # nothing held between calls
    b = np.arange(2048.0)
    assert kernel.total(b) == b.sum()
    assert kernel.total.binding.plans[0].pending is None  # read-only: never copied back


def test_read_only_parameters_accept_read_only_arrays(kernel):
    a = np.arange(10.0)
    a.flags.writeable = False
    assert kernel.total(a) == 45.0


@pytest.mark.parametrize("warm", [False, True])
def test_a_read_only_array_for_a_written_parameter_is_refused(kernel, warm):
    """CPython's store raises ValueError (assignment destination is read-only); the compiled
    call refuses the array before the call, naming function and parameter, rather than
    running on a copy and dropping the writes. ``warm``: the same shape was passed before (the
    steady-state path)."""
    if warm:
        kernel.double(np.arange(10.0))
    a = np.arange(10.0)
    a.flags.writeable = False
    with pytest.raises(SignatureError, match=r"array_calls::double\(\): argument 'a': the array "
                       r"is read-only, but the function may write into it"):  # fmt: skip
        kernel.double(a)
    np.testing.assert_array_equal(a, np.arange(10.0))
    assert kernel.double.binding.plans[0].pending is None
    namespace: dict = {}
    exec(SOURCE.replace("from portalis.lang import Array, f64", "from portalis.lang import *"),
         namespace)  # fmt: skip
    with pytest.raises(ValueError, match="read-only"):
        namespace["double"](a)
    frozen = np.arange(4.0).reshape(2, 2)
    frozen.flags.writeable = False
    with pytest.raises(SignatureError, match=r"mark\(\): argument 'm': the array is read-only"):
        kernel.mark(frozen, 1.0)


def test_shape_changes_between_calls(kernel):
    for n in (2048, 4096, 10, 0, 4096, 3):
        a = np.ones(n)
        assert kernel.total(a) == float(n)
        kernel.double(a)
        np.testing.assert_array_equal(a, np.full(n, 2.0))


def test_a_region_outgrown_is_regrown_with_room_to_spare(kernel):
    plan = kernel.total.binding.plans[0]
    assert kernel.total(np.ones(1000)) == 1000.0
    assert plan.capacity == 8000  # the first array: its exact size
    assert kernel.total(np.ones(1001)) == 1001.0
    assert plan.capacity == 8008 + 8008 // 8  # outgrown: an eighth to spare
    offset = plan.offset
    for n in (1100, 1002, 1126, 3):  # fits: no new region
        a = np.arange(float(n))
        assert kernel.total(a) == a.sum()
    assert plan.offset == offset
    kernel.double(b := np.ones(1001))
    np.testing.assert_array_equal(b, np.full(1001, 2.0))


def test_memory_growth_between_calls(kernel):
    a = np.arange(100.0)
    kernel.double(a)
    memory = kernel.instance.memory
    view = memory.write(np.arange(5.0))
    before = memory.size
    memory.alloc(4 << 20)  # grows linear memory
    assert memory.size > before and memory.size == memory._memory.data_len(memory._store)
    kernel.double(a)  # the cached scratch view is still inside the (larger) memory
    np.testing.assert_array_equal(a, np.arange(100.0) * 4)
    assert kernel.total(a) == float(np.arange(100.0).sum() * 4)
    with pytest.raises(StaleViewError, match="grew"):
        kernel.total(view)
    fresh = memory.write(np.arange(5.0))
    assert kernel.total(fresh) == 10.0


def test_array_views_are_passed_in_place(kernel):
    memory = kernel.instance.memory
    kernel.double(np.zeros(8))  # scratch first (it may grow memory and stale views)
    view = memory.write(np.arange(8.0))
    plan = kernel.double.binding.plans[0]
    scratch = plan.dst.copy()
    assert kernel.double(view) == 0.0
    np.testing.assert_array_equal(view.numpy(), np.arange(8.0) * 2)  # written in place
    np.testing.assert_array_equal(plan.dst, scratch)  # the scratch region was not used
    assert kernel.total(view) == 56.0


def test_non_contiguous_arrays_are_copied_and_written_back_through_their_strides(kernel):
    base = np.arange(20.0)
    every_other = base[::2]
    kernel.double(every_other)
    np.testing.assert_array_equal(base[::2], np.arange(0.0, 20.0, 2) * 2)
    np.testing.assert_array_equal(base[1::2], np.arange(1.0, 20.0, 2))  # untouched
    m = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    assert kernel.mark(m, 9.0) == 3.0
    assert m[0, 1] == 9.0 and m.flags.f_contiguous
    t = np.arange(6.0).reshape(3, 2).T  # a transposed view
    assert kernel.mark(t, 7.0) == 1.0
    assert t[0, 1] == 7.0


def test_two_dimensional_steady_state(kernel):
    m = np.zeros((256, 256))
    for v in (1.0, 2.0):
        m[1, 0] = v - 1
        assert kernel.mark(m, v) == v - 1
        assert m[0, 1] == v


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda k: k.total(np.arange(4, dtype=np.float32)), "expected dtype float64, got float32"),
        (lambda k: k.total(np.arange(4.0).astype(">f8")), "expected dtype float64"),
        (lambda k: k.total(np.zeros((2, 2))), "expected a 1-D array, got 2-D"),
        (lambda k: k.mark(np.zeros(3), 1.0), "expected a 2-D array, got 1-D"),
        (lambda k: k.total("abc"), "not an array of float64"),
        (lambda k: k.total(k.instance.memory.write(np.zeros(3, np.float32))), "float32 view"),
    ],
)
def test_wrong_arrays_are_refused_clearly(kernel, call, message):
    kernel.total(np.zeros(3))  # a cached view exists: the refusals bypass the fast path too
    with pytest.raises(SignatureError, match=message) as info:
        call(kernel)
    assert "array_calls::" in str(info.value) and "argument '" in str(info.value)


def test_wrong_dtype_says_how_to_convert(kernel):
    with pytest.raises(SignatureError) as info:
        kernel.total(np.zeros(3, np.int64))
    assert "astype(np.float64)" in info.value.hint


def test_a_view_of_another_instance_is_refused(kernel, wasm):
    with portalis.load(wasm, name="other", cache=False) as other:
        view = other.instance.memory.write(np.zeros(3))
        with pytest.raises(SignatureError, match="another instance"):
            kernel.total(view)


def test_a_refused_argument_leaves_nothing_pending(kernel):
    a = np.arange(4.0)
    with pytest.raises(SignatureError):
        kernel.mark(a, 1.0)
    plan = kernel.double.binding.plans[0]
    kernel.double(a)
    assert plan.pending is None
    np.testing.assert_array_equal(a, np.arange(4.0) * 2)


def test_calls_after_close_are_refused_without_copying(wasm):
    k = portalis.load(wasm, name="closing", cache=False)
    a = np.arange(4.0)
    k.double(a)
    k.close()
    with pytest.raises(InstanceClosedError):
        k.double(a)
    np.testing.assert_array_equal(a, np.arange(4.0) * 2)  # unchanged by the refused call
    assert k.double.binding.plans[0].pending is None


def test_the_positional_binding_takes_the_same_path(kernel):
    call = kernel.double.binding.call
    a = np.arange(3.0)
    call(a)
    np.testing.assert_array_equal(a, [0.0, 2.0, 4.0])
    with pytest.raises(SignatureError, match="takes 1 arguments, got 2"):
        call(a, a)


def test_an_array_too_big_for_the_cap_names_the_argument(wasm):
    """It failed in the module's allocator as 'kernel::portalis_alloc: MemoryError'."""
    from portalis.errors import MemoryLimitError

    small = portalis.load(wasm, sandbox=portalis.Sandbox(max_memory_bytes=16 << 20))
    with pytest.raises(MemoryLimitError) as info:
        small.total(np.zeros(4_000_000))  # 30.5 MiB
    assert "::total: argument 'a': 30.5 MiB do not fit in linear memory" in str(info.value)
    assert "the sandbox's cap of 16 MiB" in str(info.value)
    assert small.total(np.ones(10)) == 10.0  # still usable


def test_a_regrown_argument_takes_the_exact_size_when_only_that_fits(wasm):
    """Regrowing asks for an eighth to spare; under the cap only the exact size may fit.
    The module's own allocator says so with a MemoryError trap, which is taken as 'no room'
    like a refused memory.grow, so the exact size is tried."""
    small = portalis.load(wasm, sandbox=portalis.Sandbox(max_memory_bytes=16 << 20))
    assert small.total(np.ones(1000)) == 1000.0
    big = np.ones(1_960_000)  # 15.0 MiB: with an eighth more, 16.8 MiB does not fit
    assert small.total(big) == float(len(big))
