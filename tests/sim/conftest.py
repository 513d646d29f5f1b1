"""Helpers for runner tests: hand-written WAT modules (optionally carrying a Portalis ABI
section, as `portalis build` output does) written next to scenes built in the test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import wasmtime

import portalis.usd  # noqa: F401  (registers the schemas before any stage is opened)
from portalis.abi import SECTION_NAME, Array, Function, ModuleAbi, Value, encode_custom_section

WriteWasm = Callable[..., Path]


def wasm_bytes(wat: str, abi: ModuleAbi | None = None) -> bytes:
    binary = bytes(wasmtime.wat2wasm(wat))
    if abi is not None:
        binary += encode_custom_section(SECTION_NAME, abi.to_bytes())
    return binary


@pytest.fixture
def write_wasm(tmp_path: Path) -> WriteWasm:
    """``write_wasm("ball", wat, abi=None, folder=None)`` → path of the written .wasm."""

    def write(
        name: str, wat: str, abi: ModuleAbi | None = None, folder: Path | None = None
    ) -> Path:
        target = (folder or tmp_path) / f"{name}.wasm"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(wasm_bytes(wat, abi))
        return target

    return write


# Shared by the binding and change tests.
# update(points: f64[n], scale: f64) -> count: multiplies every element by scale, in place
SCALE_ARRAY_WAT = """(module (memory (export "memory") 1)
  (func (export "update") (param $p i32) (param $n i32) (param $s f64) (result i32)
    (local $i i32)
    (block $done (loop $next
      local.get $i local.get $n i32.ge_s br_if $done
      local.get $p local.get $i i32.const 8 i32.mul i32.add
      local.get $p local.get $i i32.const 8 i32.mul i32.add f64.load
      local.get $s f64.mul f64.store
      local.get $i i32.const 1 i32.add local.set $i
      br $next))
    local.get $n))"""
SCALE_ARRAY_ABI = ModuleAbi(
    functions=(
        Function(
            "update",
            params=(Array("points", "f64", 1), Value("scale", "f64")),
            results=(Value("count", "i32"),),
        ),
    )
)
