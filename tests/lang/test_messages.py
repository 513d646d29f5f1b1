"""``print`` to the host log, ``raise E(message)`` and ``assert cond, message``: the text
the host shows is CPython's for the same source and values (differential, Hypothesis),
exceptions keep their class and message and name module, function and line, and the host
log is bounded against a hostile module (portalis/messages.py, runtime/hostlog.py)."""

from __future__ import annotations

import contextlib
import io
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.abi import SECTION_NAME, ModuleAbi, encode_custom_section
from portalis.errors import ModuleLoadError, WasmTrap
from portalis.lang import compile_source
from portalis.runtime import load_module
from portalis.runtime.hostlog import HostLog

from .conftest import Kernels, compile_kernel, kernels_fixture

SOURCE = """\
import math
from portalis.lang import f32, i32


def show(x: float, n: int, flag: bool) -> int:
    print("x =", x, "n =", n, flag)
    print(f"{x:.3f}|{n!r:>6}|{x!r}|{x:e}|{n:,}|{{braces}}|{flag}|{x > 0.0}")
    print(n, end="")
    print("", n * 2, x / 3.0, sep="-", end="!\\n")
    print()
    print(f32(min(max(x, -1e30), 1e30)), i32(n), math.floor(x) if abs(x) < 1e18 else 0)
    return n


def check(x: float, n: int) -> float:
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n} (x={x!r})")
    if n == 1:
        raise Exception("one is " + "not allowed")
    if n == 2:
        raise RuntimeError(x)
    if n == 3:
        raise ZeroDivisionError
    assert n != 4, f"four: {x:.2f}"
    assert n != 5
    if n == 6:
        raise TypeError()
    return x * n
"""


pair = kernels_fixture(SOURCE, "messages.py")


def printed(wasm: Any, fn: str, *args: Any) -> str:
    """What a compiled call printed, as the text CPython would have written to stdout."""
    log = wasm.instance.log
    assert isinstance(log, HostLog)
    lines: list[str] = []
    log.shown = 0  # each call shown in full
    log._sink = lambda line: lines.append(line.split(": ", 1)[1])  # without "module::fn: "
    getattr(wasm, fn)(*args)
    log.flush()
    return "".join(line + "\n" for line in lines)


values = st.floats(allow_nan=True, allow_infinity=True)


@settings(max_examples=80, deadline=None)
@given(values, st.integers(-(2**62), 2**62 - 1), st.booleans())  # n * 2 fits in 64 bits
def test_print_shows_cpythons_text(pair: Kernels, x: float, n: int, flag: bool) -> None:
    py, wasm = pair
    expected = io.StringIO()
    with contextlib.redirect_stdout(expected):
        py["show"](x, n, flag)
    assert printed(wasm, "show", x, n, flag) == expected.getvalue()


@pytest.mark.parametrize("n", [-3, 1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("x", [0.1, -2.5, math.inf, math.nan])
def test_exceptions_keep_class_and_message(pair: Kernels, n: int, x: float) -> None:
    py, wasm = pair
    with pytest.raises(Exception) as cpython:
        py["check"](x, n)
    with pytest.raises(type(cpython.value)) as compiled:
        wasm.check(x, n)
    err = compiled.value
    assert isinstance(err, WasmTrap)
    assert err.function == "check" and err.module and err.line > 0
    name, text = type(cpython.value).__name__, str(cpython.value)
    said = f"{name}: {text} (messages.py:{err.line})" if text else f"{name} (messages.py:"
    assert said in str(err), (str(err), said)
    assert wasm.check(x, 7) == py["check"](x, 7) or math.isnan(x)


def test_a_flood_of_prints_is_bounded() -> None:
    """5,000 prints of long lines: the terminal gets max_shown lines and one notice, memory
    keeps the last `keep` lines, each cut to max_line_chars."""
    source = (
        "def spam(n: int) -> int:\n"
        "    for i in range(n):\n"
        "        print(f'{i:>999}{i:>999}{i:>999}', end='')\n"
        "    return n\n"
    )
    wasm = compile_kernel(source, "spam.py")
    log = wasm.instance.log
    shown: list[str] = []
    log._sink = shown.append
    wasm.spam(5_000)
    assert len(shown) == log.max_shown + 1 and "suppressed" in shown[-1]
    assert len(log.lines) == log.keep
    assert all(len(line) < log.max_line_chars + 100 for line in log.lines)
    assert log.suppressed > 4_000


def _module_with_messages(messages: list[dict[str, Any]], index: int) -> bytes:
    wat = f"""(module
      (import "portalis" "message" (func $m (param i32 i64 i64 i64 i64 i64 i64 i64 i64)))
      (func (export "f") (result i32)
        i32.const {index} i64.const 7 i64.const 0 i64.const 0 i64.const 0
        i64.const 0 i64.const 0 i64.const 0 i64.const 0 call $m i32.const 1))"""
    import wasmtime

    abi = ModuleAbi(functions=(), extra={"messages": messages})
    return wasmtime.wat2wasm(wat) + encode_custom_section(SECTION_NAME, abi.to_bytes())


def test_a_hostile_message_table_is_refused_at_load() -> None:
    good = {"kind": "print", "format": "{0}\n", "values": ["i64"], "function": "f", "line": 1}
    for bad in (
        {**good, "format": "{0:999999999}"},  # a gigabyte of padding
        {**good, "format": "{0.__class__}"},  # attribute access
        {**good, "format": "{1}"},  # a value it does not pass
        {**good, "format": "x" * 5000},
        {**good, "values": ["i64"] * 9},
        {**good, "kind": "shell"},
        "not an object",
    ):
        with pytest.raises(ModuleLoadError, match="messages"):
            load_module(_module_with_messages([bad], 0)).instantiate()
    instance = load_module(_module_with_messages([good], 5)).instantiate()
    assert instance.function("f")() == 1  # an index the table lacks is logged, not trusted
    assert instance.log is not None and "unknown message 5" in instance.log.lines[-1]


def test_only_the_message_import_is_given() -> None:
    """The runtime admits portalis.message with its exact type, nothing near it."""
    from portalis.errors import ImportDeniedError

    wat = """(module (import "portalis" "message" (func $m (param i32 i64)))
      (func (export "f")))"""
    import wasmtime

    with pytest.raises(ImportDeniedError):
        load_module(wasmtime.wat2wasm(wat)).instantiate()


def test_rust_backend_keeps_raising_but_refuses_print() -> None:
    from portalis.errors import CompileError

    source = "def f(x: float) -> float:\n    print(x)\n    return x\n"
    with pytest.raises(CompileError, match="print is not supported by the Rust backend yet"):
        compile_source(source, "k.py", backend="rust-source")
    raising = "def f(x: float) -> float:\n    raise ValueError(f'bad {x}')\n"
    assert "message 0" in compile_source(raising, "k.py", backend="rust-source").rust
