"""Helpers for runner tests: hand-written WAT modules (optionally carrying a Portalis ABI
section, as `portalis build` output does) written next to scenes built in the test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import wasmtime

import portalis.usd  # noqa: F401  (registers the schemas before any stage is opened)
from portalis.abi import SECTION_NAME, ModuleAbi, encode_custom_section

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
