"""The per-process cache of the math library's compiled functions (lang/library_cache.py):
a build that takes library functions from it makes the same bytes as one that compiles
them, whichever kernels filled it and in whatever order, and no build changes what it
holds."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from portalis.bench.kernels import fft, kde, lennard_jones, nbody
from portalis.lang import compile_source, library_cache
from portalis.lang.frontend.program import Library, default_library
from portalis.lang.pipeline import compile_source as compile_with

ROOT = Path(__file__).resolve().parents[2]
ARM = ROOT / "src" / "portalis" / "demos" / "robot_arm" / "kernel.py"

# Kernels that pull in different parts of the library (trig with its reduction tables,
# exp/log/pow, erf, complex numbers, prelude helpers), so that a warm build replays
# functions lowered for another kernel, with other tables and functions before them.
SOURCES = {
    "robot_arm": ARM.read_text(),
    "warehouse": (ROOT / "src" / "portalis" / "demos" / "warehouse" / "kernel.py").read_text(),
    "lidar": (ROOT / "src" / "portalis" / "demos" / "lidar" / "kernel.py").read_text(),
    "fft": fft.NATURAL,
    "kde": kde.NATURAL,
    "lennard_jones": lennard_jones.NATURAL,
    "nbody": nbody.NATURAL,
    "messages": """
import math

def f(x: float) -> float:
    if x < 0.0:
        raise ValueError(f"negative: {x}")
    print("x is", x)
    return math.sqrt(x) + math.sin(x) * math.exp(x) + x ** 2.5 + math.fmod(x, 3.0)
""",
}


def _build(source: str) -> bytes:
    return compile_source(source, "kernel.py").wasm


def test_warm_builds_equal_cold_ones() -> None:
    cold = {}
    for name, source in SOURCES.items():
        library_cache.clear()
        cold[name] = _build(source)
    library_cache.clear()
    for name in reversed(SOURCES):  # fill it in another order than the one checked below
        _build(SOURCES[name])
    assert library_cache.entries(), "the cache was never filled"
    for name, source in SOURCES.items():
        assert _build(source) == cold[name], f"{name}: a warm build made other bytes"


def test_first_build_in_a_fresh_interpreter_equals_a_warm_one() -> None:
    script = (
        "import hashlib, sys; from pathlib import Path; from portalis.lang import compile_source;"
        "print(hashlib.sha256(compile_source(Path(sys.argv[1]).read_text(), 'kernel.py')"
        ".wasm).hexdigest())"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", script, str(ARM)], capture_output=True, text=True, check=True
    ).stdout.strip()
    _build(ARM.read_text())
    assert hashlib.sha256(_build(ARM.read_text())).hexdigest() == fresh


def test_builds_leave_the_entries_unchanged() -> None:
    library_cache.clear()
    for source in SOURCES.values():
        _build(source)
    before = repr(library_cache.everything())
    for source in SOURCES.values():  # every later pass runs over copies of these entries
        _build(source)
    assert repr(library_cache.everything()) == before


def test_functions_with_messages_are_not_kept(tmp_path: Path) -> None:
    library = _copy_library(tmp_path)
    (library.directory / "noisy.py").write_text(
        "def noisy(x: float) -> float:\n"
        "    if x > 1e300:\n"
        '        raise ValueError(f"too big: {x}")\n'
        "    return x\n"
    )
    library = Library(library.directory, {**library.registry, "sin": ("noisy", "noisy")})
    source = "import math\ndef f(x: float) -> float:\n    return math.sin(x)\n"
    compile_with(source, "kernel.py", library=library)
    symbols = {symbol for _, symbol in library_cache.entries()}
    assert not any(symbol.endswith("noisy.noisy") for symbol in symbols)


def test_an_edited_library_file_is_lowered_again(tmp_path: Path) -> None:
    library = _copy_library(tmp_path)
    (library.directory / "halve.py").write_text(
        "def halve(x: float) -> float:\n    return x * 0.5\n"
    )
    library = Library(library.directory, {**library.registry, "sin": ("halve", "halve")})
    source = "import math\ndef f(x: float) -> float:\n    return math.sin(x)\n"
    before = compile_with(source, "kernel.py", library=library).wat
    (library.directory / "halve.py").write_text(
        "def halve(x: float) -> float:\n    return x * 0.25\n"
    )
    after = compile_with(source, "kernel.py", library=library).wat
    assert any("halve" in symbol for _, symbol in library_cache.entries())
    assert "0.5" in before and "0.25" not in before
    assert "0.25" in after


def _copy_library(tmp_path: Path) -> Library:
    library = default_library()
    if library is None:
        pytest.fail("portalis.lang.libm is missing")
    directory = tmp_path / "libm"
    directory.mkdir()
    for path in library.directory.glob("*.py"):
        (directory / path.name).write_text(path.read_text())
    return Library(directory, dict(library.registry))


def test_the_caches_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(library_cache, "MAX_MODULES", 1)
    library_cache.clear()
    first = _build(SOURCES["robot_arm"])
    _build(SOURCES["kde"])  # other library functions: the robot arm's set goes
    kept = library_cache.everything()
    assert len(kept["inlined"]) == 1 and len(kept["emitted"]) <= 16
    assert _build(SOURCES["robot_arm"]) == first


def test_every_program_call_the_front_end_makes_is_journaled() -> None:
    """A library function's lowering is replayed from the program calls it made: a new
    ``Program`` method the front end calls must be journaled too, or a warm build would
    miss what it does."""
    from portalis.lang.frontend.program import Program

    # called by pipeline.py, not lowering
    driving = {"lower_all", "layout", "library_key", "save_library"}
    public = [
        name
        for name, value in vars(Program).items()
        if callable(value) and not name.startswith("_") and name not in driving
    ]
    assert public
    assert [name for name in public if not hasattr(getattr(Program, name), "__wrapped__")] == []
