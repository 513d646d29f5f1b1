"""Kernels type-check as written: mypy (strict, with ``portalis.lang.mypy_plugin``) accepts the
documented kernel and 2-D/3-D array annotations, and still catches a real type error in one —
the annotations are types, not ``Any``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ARRAYS_2D = """\
import math

from portalis.lang import Array, f32, f64, i32, u8


def energy(pos: Array[f64, 2], mass: Array[f64]) -> float:
    e = 0.0
    for i in range(len(mass)):
        row = pos[i]
        for j in range(i + 1, pos.shape[0]):
            dx = row[0] - pos[j, 0]
            e -= mass[i] * mass[j] / math.sqrt(dx * dx + 1e-9)
    return e


def trace(t: Array[int, 3]) -> int:
    return t[0][1][2] + t[1, 1, 1]


def scale(xs: Array[f32], k: float) -> None:
    for i in range(len(xs)):
        xs[i] = f32(xs[i] * k)


def narrow_stores(counts: Array[i32], mask: Array[u8, 2], xs: Array[f32], k: float) -> None:
    # Plain ints and floats go into narrow arrays: the compiler converts them.
    counts[0] = len(counts) + 1
    mask[0, 0] = 1
    xs[0] = xs[0] * k
"""

WRONG = """\
from portalis.lang import Array, f64


def first(xs: Array[f64, 2]) -> int:
    return xs[0, 0]
"""


def _mypy(tmp_path: Path, files: dict[str, str]) -> subprocess.CompletedProcess[str]:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "mypy.ini").write_text(
        "[mypy]\nplugins = portalis.lang.mypy_plugin\nstrict = True\n"
    )
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--cache-dir", "cache", *files],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )


def test_documented_kernels_type_check(tmp_path: Path) -> None:
    docs = (ROOT / "docs" / "language.md").read_text()
    documented = re.search(r"```python\n(.*?)```", docs, re.S)
    assert documented is not None
    result = _mypy(tmp_path, {"documented.py": documented.group(1), "arrays_2d.py": ARRAYS_2D})
    assert result.returncode == 0, result.stdout


def test_element_types_are_checked(tmp_path: Path) -> None:
    result = _mypy(tmp_path, {"wrong.py": WRONG})
    assert result.returncode == 1
    assert 'wrong.py:5: error: Incompatible return value type (got "float", expected "int")' in (
        result.stdout
    )
