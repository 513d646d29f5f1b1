"""Golden tests: kernel source in, WebAssembly text out. A change in code generation shows
up as a diff of the ``.wat`` files in review. Regenerate with
``PORTALIS_UPDATE_GOLDEN=1 pytest tests/lang/test_golden.py``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from portalis.lang import compile_source

GOLDEN = Path(__file__).parent / "golden"
SOURCES = sorted(GOLDEN.glob("*.py"))


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_wat_matches_golden(source: Path) -> None:
    wat = compile_source(source.read_text(), source.name).wat
    expected_path = source.with_suffix(".wat")
    if os.environ.get("PORTALIS_UPDATE_GOLDEN"):
        expected_path.write_text(wat)
    assert expected_path.exists(), f"no golden file {expected_path.name}: regenerate"
    assert wat == expected_path.read_text()


def test_golden_sources_exist() -> None:
    assert len(SOURCES) >= 3
