"""The hostile-module suite: each misbehaving module ends as its own clear exception, the
interpreter survives, and a well-behaved module loaded beside them keeps working."""

from __future__ import annotations

import numpy as np
import pytest

from portalis.errors import (
    DeadlineExceeded,
    ImportDeniedError,
    InstanceClosedError,
    MemoryLimitError,
    ModuleLoadError,
    SignatureError,
    StaleViewError,
    WasmTrap,
)
from portalis.runtime import MiB, Sandbox, load_module

from . import wat

FAST = Sandbox(deadline_s=0.2, max_memory_bytes=64 * MiB)


@pytest.fixture(scope="module")
def neighbour():
    """A well-behaved module that must keep working next to every hostile one."""
    inst = load_module(wat.binary(wat.ARITH), name="neighbour", cache=False).instantiate(FAST)
    yield inst
    assert inst.function("fma")(2.0, 3.0, 1.0) == 7.0
    assert inst.function("add_i64")(40, 2) == 42


@pytest.fixture(autouse=True)
def _neighbour_survives(neighbour):
    yield
    assert neighbour.function("fma")(1.5, 2.0, 0.5) == 3.5


def instantiate(text: str, sandbox: Sandbox = FAST, name: str = "hostile"):
    return load_module(wat.binary(text), name=name, cache=False, sandbox=sandbox).instantiate(
        sandbox
    )


def test_infinite_loop_ends_at_the_deadline():
    spin = instantiate(wat.INFINITE_LOOP).function("spin")
    with pytest.raises(DeadlineExceeded) as info:
        spin()
    assert info.value.module == "hostile" and info.value.function == "spin"
    assert info.value.trap_code == "interrupt"
    assert "deadline of 0.2 s" in str(info.value)
    # The same instance can still be called (and still times out: no state corruption).
    with pytest.raises(DeadlineExceeded):
        spin()


def test_infinite_loop_in_start_function_ends_at_the_deadline():
    with pytest.raises(DeadlineExceeded) as info:
        instantiate(wat.INFINITE_START)
    assert "start function" in str(info.value)


def test_memory_growth_bomb_stops_at_the_cap():
    inst = instantiate(wat.MEMORY_BOMB)
    with pytest.raises(MemoryLimitError) as info:
        inst.function("bomb")()
    assert "64 MiB" in str(info.value)
    assert inst.memory is not None and inst.memory.size <= 64 * MiB


def test_initial_memory_above_the_cap_is_refused():
    with pytest.raises(MemoryLimitError) as info:
        instantiate(wat.HUGE_MEMORY)
    assert "cap of 64 MiB" in str(info.value)


def test_unbounded_recursion_is_a_recursion_error():
    with pytest.raises(RecursionError) as info:
        instantiate(wat.RECURSION).function("recurse")()
    assert isinstance(info.value, WasmTrap)
    assert info.value.trap_code == "stack_overflow"


def test_out_of_bounds_access():
    with pytest.raises(WasmTrap) as info:
        instantiate(wat.OUT_OF_BOUNDS).function("poke")()
    assert info.value.trap_code == "memory_out_of_bounds"
    assert not isinstance(info.value, MemoryLimitError)


def test_unreachable_carries_a_backtrace():
    with pytest.raises(WasmTrap) as info:
        instantiate(wat.UNREACHABLE).function("boom")()
    err = info.value
    assert err.trap_code == "unreachable"
    assert len(err.frames) == 2  # $inner called from the export
    assert err.frames[0].function == "inner"
    assert err.frames[1].function != "inner"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"\x7fELF\x02\x01\x01", "not a WebAssembly module"),
        (b"\xff\xfe\x00garbage", "not a WebAssembly module"),
        (b"\0asm", "truncated WebAssembly header"),
        (b"\0asm\x0d\0\x01\0", "a WebAssembly component (not supported), header 0d 00 01 00"),
        (b"\0asm\x02\0\0\0", "WebAssembly version 2, header 02 00 00 00; expected a core"),
        (b"\0asm\x01\0\0\0\x01\x7f", "runs past the end"),
        (b"\0asm\x01\0\0\0\x01\xff", "truncated file"),
        (b"\0asm\x01\0\0\0\x0a\x02\x01\x00", "invalid WebAssembly"),
        (b'(module (func (export "f") (result i32) f64.const 1))', "invalid WebAssembly"),
    ],
)
def test_malformed_bytes_are_named(data: bytes, message: str):
    with pytest.raises(ModuleLoadError) as info:
        load_module(data, cache=False)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("data", "description"),
    [
        (b"\x00\x61\x73", "only 3 bytes, 00 61 73: too short for the 8-byte header"),
        (b"\x01\x02\x03\x04\x05", "only 5 bytes, 01 02 03 04 05: too short"),
        (b"\x07", "only 1 byte, 07: too short"),
        (b"\x1b]0;\x07\x00\x01\x02\x03", "its first bytes are 1b 5d 30 3b 07 00 01 02;"),
        (b"hello", "it looks like text"),
        ("données\tà lire\r\n".encode() * 40, "it looks like text"),  # a character cut at 256
    ],
)
def test_what_is_not_a_module_is_said_truly(data: bytes, description: str):
    # Called text only when it is text: control bytes or NULs get their hex.
    with pytest.raises(ModuleLoadError) as info:
        load_module(data, cache=False)
    message = str(info.value)
    assert "not a WebAssembly module (" in message and description in message
    assert ("looks like text" in message) == (description == "it looks like text")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.wasm"
    path.write_bytes(b"")
    with pytest.raises(ModuleLoadError) as info:
        load_module(path, cache=False)
    assert str(path) in str(info.value) and "empty file" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(ModuleLoadError, match="no such file"):
        load_module(tmp_path / "nope.wasm")


def test_undeclared_host_import_fails_at_load_naming_it():
    with pytest.raises(ImportDeniedError) as info:
        load_module(wat.binary(wat.HOST_IMPORT), cache=False)
    assert info.value.import_module == "env" and info.value.import_name == "log"
    assert "'env.log'" in str(info.value)


def test_declared_host_function_is_called():
    seen: list[float] = []
    sandbox = Sandbox(host_functions={"env.log": seen.append})
    instantiate(wat.HOST_IMPORT, sandbox).function("f")(2.5)
    assert seen == [2.5]


def test_wasi_import_refused_while_wasi_is_off():
    with pytest.raises(ImportDeniedError) as info:
        load_module(wat.binary(wat.WASI_IMPORT), cache=False)
    assert "wasi_snapshot_preview1" in str(info.value)
    assert "WASI is off" in info.value.hint


def test_wasi_sees_only_its_preopened_directory(tmp_path):
    from portalis.runtime import WasiPolicy

    allowed = tmp_path / "allowed"
    allowed.mkdir()
    sandbox = Sandbox(wasi=WasiPolicy(preopen={"/data": allowed}))
    write = instantiate(wat.WASI_WRITER, sandbox).function("write")
    assert write(0, 7) == 0
    assert (allowed / "out.txt").read_text() == "hello"
    assert write(64, 13) != 0  # "../escape.txt": outside the preopen, refused by WASI
    assert not (tmp_path / "escape.txt").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1.0, 2.0), "takes 3 argument(s) (f64, f64, f64), got 2"),
        ((1.0, 2.0, 3.0, 4.0), "got 4"),
        (("a", 2.0, 3.0), "argument 0 must be a float"),
        ((1.0, None, 3.0), "argument 1 must be a float"),
    ],
)
def test_wrong_arguments_for_floats(args, message):
    fma = instantiate(wat.ARITH).function("fma")
    with pytest.raises(SignatureError) as info:
        fma(*args)
    assert message in str(info.value)
    assert isinstance(info.value, TypeError)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1.5, 2), "argument 0 must be an int"),
        ((1 << 31, 0), "does not fit in i32"),
        (("1", 2), "must be an int"),
    ],
)
def test_wrong_arguments_for_ints(args, message):
    add = instantiate(wat.ARITH).function("add_i32")
    with pytest.raises(SignatureError, match=message):
        add(*args)


def test_numpy_view_after_memory_growth_raises():
    inst = instantiate(wat.ARITH)
    view = inst.memory.write(np.arange(4.0))
    assert inst.function("sum")(view.offset, 4) == 6.0
    inst.function("grow")(1)
    with pytest.raises(StaleViewError, match="grew"):
        view.numpy()
    with pytest.raises(StaleViewError):
        view[0]
    fresh = inst.memory.view(view.offset, np.float64, 4)
    assert fresh.numpy().tolist() == [0.0, 1.0, 2.0, 3.0]


def test_numpy_view_after_unload_raises_and_arrays_stay_readable():
    inst = instantiate(wat.ARITH)
    view = inst.memory.write(np.arange(3.0))
    escaped = view.numpy()
    fma = inst.function("fma")
    inst.close()
    with pytest.raises(StaleViewError, match="closed"):
        view.numpy()
    with pytest.raises(InstanceClosedError):
        fma(1.0, 2.0, 3.0)
    with pytest.raises(InstanceClosedError):
        inst.function("fma")
    # An ndarray that escaped keeps its memory mapped: reading it is safe, never a crash.
    assert escaped.tolist() == [0.0, 1.0, 2.0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("(module (memory 1) (func $s unreachable) (start $s))",
         "hostile::<start>: reached an 'unreachable' instruction at hostile!s"),
        ('(module (memory 1) (data (i32.const 70000) "x"))',
         "hostile::<start>: out-of-bounds linear memory access while instantiating"),
        ("(module (table 1 funcref) (func $f) (elem (i32.const 5) $f))",
         "hostile::<start>: out-of-bounds table access while instantiating"),
    ],
)  # fmt: skip
def test_failing_instantiation_is_a_clear_trap(text, message):
    with pytest.raises(WasmTrap) as info:
        instantiate(text)
    assert str(info.value).startswith(message)
    assert info.value.function == "<start>"
