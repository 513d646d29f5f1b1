"""Reading and compiling an untrusted module is bounded: only regular files, a size limit,
and compile-cost limits read from the section headers before compiling. Errors name the
file, keep wasmtime's cause, and never echo a foreign file's bytes."""

from __future__ import annotations

import os
import threading

import pytest

from portalis.abi import encode_custom_section
from portalis.errors import ModuleLoadError
from portalis.runtime import MiB, Sandbox, load_module, read_module_file

from . import wat


def test_dev_zero_is_refused_without_reading():
    with pytest.raises(ModuleLoadError) as info:
        load_module("/dev/zero", cache=False)
    assert str(info.value) == "/dev/zero: is a character device, not a regular file"


def test_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "module.wasm"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            load_module(fifo, cache=False)
            outcome.append(None)
        except BaseException as e:
            outcome.append(e)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(30)  # a hang would be forever; this only bounds the test's own wait
    assert not worker.is_alive(), "reading a FIFO hung"
    assert isinstance(outcome[0], ModuleLoadError)
    assert "is a FIFO (named pipe), not a regular file" in str(outcome[0])


def test_huge_sparse_file_is_refused_by_its_size(tmp_path):
    sparse = tmp_path / "huge.wasm"
    with open(sparse, "wb") as f:
        f.write(b"\0asm\x01\0\0\0")
        f.truncate(2 << 30)  # 2 GiB, no blocks
    with pytest.raises(ModuleLoadError) as info:
        load_module(sparse, cache=False)
    assert "is 2048 MiB, over the 64 MiB module size limit" in str(info.value)


def test_size_limit_is_configurable_and_applies_to_bytes_too(tmp_path):
    data = wat.binary(wat.ARITH)
    small = Sandbox(max_module_bytes=len(data) - 1)
    path = tmp_path / "arith.wasm"
    path.write_bytes(data)
    for source in (path, data):
        with pytest.raises(ModuleLoadError, match="module size limit"):
            load_module(source, sandbox=small, cache=False)
    assert load_module(path, sandbox=Sandbox(max_module_bytes=len(data)), cache=False)


def test_directory_is_named(tmp_path):
    with pytest.raises(ModuleLoadError, match="is a directory"):
        read_module_file(tmp_path)


def _many_functions(n: int) -> bytes:
    """A valid module of ``n`` empty functions, built directly (wat2wasm would be slow)."""

    def uleb(v: int) -> bytes:
        out = bytearray()
        while True:
            b, v = v & 0x7F, v >> 7
            out.append(b | (0x80 if v else 0))
            if not v:
                return bytes(out)

    def section(sid: int, body: bytes) -> bytes:
        return bytes([sid]) + uleb(len(body)) + body

    types = section(1, b"\x01\x60\x00\x00")
    funcs = section(3, uleb(n) + b"\x00" * n)
    code = section(10, uleb(n) + b"\x02\x00\x0b" * n)
    return b"\0asm\x01\0\0\0" + types + funcs + code


def test_module_with_too_many_functions_is_refused_before_compiling():
    data = _many_functions(1_000_000)
    with pytest.raises(ModuleLoadError) as info:
        load_module(data, name="many", cache=False)
    assert "many: defines 1,000,000 functions, over the limit of 50,000" in str(info.value)
    assert "max_functions" in info.value.hint


def test_code_size_limit():
    data = _many_functions(1000)
    with pytest.raises(ModuleLoadError, match="of code, over the limit"):
        load_module(data, sandbox=Sandbox(max_code_bytes=1000), cache=False)
    inst = load_module(data, cache=False).instantiate()
    assert inst.module.exports == ()


# -- messages ---------------------------------------------------------------------------------


def test_bytes_are_named_by_the_path_they_came_from(tmp_path):
    path = tmp_path / "kernel.wasm"
    with pytest.raises(ModuleLoadError) as info:
        load_module(b"\0asm\x01\0\0\0\x0a\x02\x01\x00", path=path, cache=False)
    assert str(info.value).startswith(f"{path}: invalid WebAssembly")
    with pytest.raises(ModuleLoadError) as info:
        load_module(b"\0asm\x01\0\0\0\x0a\x02\x01\x00", cache=False)
    assert "<bytes>" not in str(info.value)


def test_wasmtime_cause_is_kept():
    with pytest.raises(ModuleLoadError) as info:
        load_module(b"\0asm\x01\0\0\0\x0a\x02\x01\x00", name="k", cache=False)
    assert str(info.value) == (
        "k: invalid WebAssembly: failed to parse WebAssembly module: function section is "
        "absent but code section has non-zero count (at offset 0xa)"
    )
    text = '(module (func (export "f") (result i32) f64.const 1))'
    with pytest.raises(ModuleLoadError) as info:
        load_module(text.encode(), name="k", cache=False)
    assert "type mismatch: expected i32, found f64" in str(info.value)


def test_wat_errors_give_line_and_column():
    with pytest.raises(ModuleLoadError) as info:
        load_module(b'(module\n  (func (export "f") f64.cons 1))', name="k", cache=False)
    assert str(info.value).startswith("k: invalid WebAssembly text at line 2, column 22: ")


@pytest.mark.parametrize(
    ("data", "described"),
    [
        (b"\x7fELF\x02\x01\x01\x00\x1b[2J", "an ELF executable"),
        (b"PXR-USDC\x00\x00", "a binary USD layer"),
        (b"#usda 1.0\n(\n)\n", "a text USD layer"),
        (b'{"secret": "hunter2"}', "JSON"),
        (b"\x1b]0;pwned\x07\xff\xfe\x00", "its first bytes are 1b 5d 30 3b"),
    ],
)
def test_foreign_files_are_described_not_echoed(tmp_path, data, described):
    path = tmp_path / "scene.wasm"
    path.write_bytes(data)
    with pytest.raises(ModuleLoadError) as info:
        load_module(path, cache=False)
    message = str(info.value)
    assert message.startswith(f"{path}: not a WebAssembly module")
    assert described in message
    assert "\x1b" not in message and "hunter2" not in message and "ELF" not in message[:0]


def test_malformed_custom_section_name_is_not_a_crash():
    data = wat.binary(wat.ARITH) + encode_custom_section("portalis.abi", b"[]")
    with pytest.raises(ModuleLoadError, match=r"portalis\.abi"):
        load_module(data, name="k", cache=False)


def test_limits_cost_nothing_for_a_normal_module():
    assert load_module(wat.binary(wat.ARITH), sandbox=Sandbox(max_memory_bytes=MiB), cache=False)
