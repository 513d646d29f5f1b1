"""Reproducible builds: the same source and options give the same bytes, twice in one
process and in fresh interpreters with different ``PYTHONHASHSEED``s. ``wasmSha256`` pins
and the compile cache depend on it."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portalis.lang import compile_source

ROOT = Path(__file__).resolve().parents[2]
# Kernels that exercise inlining (labelled blocks), tables, state and every loop pass.
KERNELS = sorted((ROOT / "tests" / "lang" / "kernels").glob("*.py")) + sorted(
    (ROOT / "src" / "portalis" / "demos").glob("*/kernel.py")
)

_DIGESTS = """
import hashlib, sys
from pathlib import Path
from portalis.lang import compile_source
for path in sys.argv[1:]:
    print(hashlib.sha256(compile_source(Path(path).read_text(), path).wasm).hexdigest())
"""


def _digest(path: Path) -> str:
    return hashlib.sha256(compile_source(path.read_text(), str(path)).wasm).hexdigest()


@pytest.mark.parametrize("path", KERNELS, ids=[f"{p.parent.name}/{p.stem}" for p in KERNELS])
def test_same_bytes_twice_in_one_process(path: Path) -> None:
    assert _digest(path) == _digest(path)


def test_same_bytes_across_processes_and_hash_seeds() -> None:
    expected = [_digest(p) for p in KERNELS]
    for seed in ("0", "1", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run(
            [sys.executable, "-c", _DIGESTS, *map(str, KERNELS)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert out == expected, f"PYTHONHASHSEED={seed} built different bytes"
