"""The Rust backend (docs/rust.md) under the direct backend's tests: every differential,
trap and branch test is the direct backend's own test function, collected again here
while ``conftest.BACKEND`` makes compile_kernel/kernel_pair build through Rust and rustc.
They compare with CPython exactly (ulps=0 unless the original says otherwise), so passing
here means the Rust-built module gives the same bits as the direct one. Needs rustc with
the wasm32 target (the README's test command installs it); without one these fail, with
the install hint, rather than skip."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from portalis.lang import compile_source
from portalis.lang.libm import FUNCTIONS

from . import conftest

# Every test of these modules, re-collected here (their fixtures come along): a test the
# compiler's authors add runs through Rust as well, with no list to keep up to date.
from .test_branches import *  # noqa: F403
from .test_differential import *  # noqa: F403
from .test_traps import *  # noqa: F403

pytestmark = pytest.mark.usefixtures("rust_backend")


def test_these_tests_really_run_rust_built_modules() -> None:
    for stem in ("arith", "arrays", "state"):
        _, module = conftest.kernel_pair(stem)
        assert module.abi.extra["backend"] == "rust"


def test_the_module_says_it_was_built_through_rust() -> None:
    built = compile_source("def f(x: float) -> float:\n    return x\n", "k.py", backend="rust")
    assert built.abi.extra["backend"] == "rust"
    assert "Rust backend" in built.abi.compiler
    direct = compile_source("def f(x: float) -> float:\n    return x\n", "k.py")
    assert "backend" not in direct.abi.extra
    # the rest of the description is the direct backend's
    assert built.abi.functions == direct.abi.functions


def test_rust_source_has_python_names_and_lines() -> None:
    source = "def update(time: float, n: int) -> float:\n    return time * n\n"
    rust = compile_source(source, "kernel.py", backend="rust-source").rust
    assert '#[no_mangle]\npub extern "C" fn update(mut time: f64, mut n: i64) -> f64' in rust
    assert "// kernel.py:2  return time * n" in rust
    assert '#[link_section = "portalis.abi"]' in rust


@pytest.fixture(scope="module")
def libm_pair() -> tuple[Any, Any]:
    """The math library compiled by both backends (the functions called directly, so NaNs,
    infinities and out-of-domain inputs are included)."""
    from portalis.lang.libm.accuracy import map_kernel_source
    from portalis.runtime import load

    source = map_kernel_source(direct=True)
    return (
        load(compile_source(source, "libm_direct.py").wasm, cache=False),
        load(compile_source(source, "libm_direct.py", backend="rust").wasm, cache=False),
    )


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_math_library_is_bit_identical(libm_pair: tuple[Any, Any], name: str) -> None:
    import numpy as np

    from portalis.lang.libm import ARITY
    from portalis.lang.libm.accuracy import sample, special_inputs

    inputs = sample(name, 100_000, seed=5) + special_inputs(name)
    columns = [np.array([a[j] for a in inputs], dtype=np.float64) for j in range(ARITY[name])]
    outs = []
    for module in libm_pair:
        out = np.zeros(len(inputs))
        getattr(module, f"map_{name}")(*columns, out)
        outs.append(out.view(np.uint64))
    differ = np.nonzero(outs[0] != outs[1])[0]
    assert not len(differ), f"{name}: first differing input {inputs[int(differ[0])]}"


MIXED = """
import math
from portalis.lang import Array, f32, zeros

count: int = 0
flag: bool = False
table = (1.5, -2.25, 3.0, 1e300)
buf = zeros(8)
marks = zeros(16, bool)


def _pair(a: float, b: float) -> tuple[float, float]:
    if a > b:
        return b, a
    return a, b


def _fill(xs: Array[bool], n: int) -> int:
    k = 0
    for i in range(len(xs)):
        xs[i] = (i * n) % 3 == 0
        if xs[i]:
            k += 1
    return k


def mix(x: float, y: float, n: int, m: int) -> tuple[float, int, bool]:
    global count, flag
    count += 1
    flag = not flag
    lo, hi = _pair(x, y)
    s = f32(x) * f32(y) + f32(1.5)
    t = (x or y) + (0.5 if 0 < n < 10 else -0.5)
    j = 0
    while True:
        j += 1
        if j % 2 == 0:
            continue
        if j > 7:
            break
    r = n << (m & 7)
    r ^= n >> (m & 63)
    p = abs(n) ** 3
    q = min(x, y, 0.25) + max(n, m, -4)
    buf[n & 7] = x
    v = table[n % 4] + buf[(n + 1) & 7]
    w = math.floor(x) if math.isfinite(x) and abs(x) < 1e18 else 0
    return lo * hi + float(s) + t + q + v + math.radians(x), r + p + w + j, flag and x < y


def steps(a: int, b: int, c: int) -> int:
    total = 0
    for i in range(a, b, c):
        total += i
    return total


def flags(n: int) -> int:
    return _fill(marks, n)


def counter() -> int:
    return count
"""


def test_mixed_kernel_gives_the_direct_backends_bits_and_errors() -> None:
    """State, tables, persistent arrays, f32, tuples, shifts, ``**``, min/max, and/or,
    floor, dynamic range steps: the same results (compared as bits) and the same errors."""
    import random
    import struct

    from portalis.errors import WasmTrap
    from portalis.runtime import load

    direct = load(compile_source(MIXED, "mix.py").wasm, cache=False)
    rust = load(compile_source(MIXED, "mix.py", backend="rust").wasm, cache=False)

    def outcome(fn: Any, *args: Any) -> Any:
        try:
            return ("ok", bits(fn(*args)))
        except WasmTrap as e:
            return ("raise", e.python_exception, e.line)

    def bits(v: Any) -> Any:
        if isinstance(v, tuple):
            return tuple(bits(x) for x in v)
        return struct.pack("<d", v) if isinstance(v, float) else v

    rnd = random.Random(1)
    special = [0.0, -0.0, 1.0, -2.5, 1e300, -1e-300, math.inf, -math.inf, math.nan, 3.75]
    raised = 0
    for _ in range(1500):
        x, y = (rnd.choice([*special, rnd.uniform(-100, 100)]) for _ in range(2))
        n, m = rnd.randint(-20, 20), rnd.randint(-70, 70)
        for name, args in (
            ("mix", (x, y, n, m)),
            ("steps", (n, m, rnd.randint(-3, 3))),
            ("flags", (n,)),
        ):
            want = outcome(getattr(direct, name), *args)
            assert outcome(getattr(rust, name), *args) == want, f"{name}{args}"
            raised += want[0] == "raise"
    assert raised > 0  # range(..., 0) raised ValueError on both
    assert direct.counter() == rust.counter() == 1500


def test_ir_it_cannot_translate_is_a_clear_error() -> None:
    from dataclasses import dataclass

    from portalis.errors import CompileError
    from portalis.lang import ir
    from portalis.lang.rust import emit_crate
    from portalis.lang.types import F64

    @dataclass
    class Mystery(ir.Expr):
        pass

    fn = ir.Function(
        "f", "f", [], F64, body=[ir.Return(3, 4, Mystery(3, 11, F64))], exported=True, line=2
    )
    module = ir.Module([fn], [], [], [], heap_base=16, source_name="k.py")
    with pytest.raises(CompileError) as info:
        emit_crate(module, "k.py")
    assert "not supported by the Rust backend yet" in str(info.value)
    assert "k.py:3" in str(info.value)


def test_without_rustc_the_error_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from portalis.errors import CompileError
    from portalis.lang.rust import toolchain

    monkeypatch.setattr(toolchain, "_candidates", lambda: ["/nonexistent/rustc"])
    monkeypatch.setattr(toolchain, "_FOUND", [])
    with pytest.raises(CompileError) as info:
        compile_source("def f(x: float) -> float:\n    return x\n", "k.py", backend="rust")
    assert "none was found" in str(info.value)
    assert "apt-get install rustc libstd-rust-dev-wasm32" in (info.value.hint or "")
    # the Rust text itself needs no toolchain
    assert (
        "pub extern"
        in compile_source(
            "def f(x: float) -> float:\n    return x\n", "k.py", backend="rust-source"
        ).rust
    )


def test_cli_emit_rust_via_rust_and_inspect(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from portalis.cli.main import main

    src = tmp_path / "kernel.py"
    src.write_text("def scale(x: float, k: float = 2.0) -> float:\n    return x * k\n")
    assert main(["build", str(src), "--emit", "rust", "-o", str(tmp_path / "k.rs")]) == 0
    assert "fn scale(" in (tmp_path / "k.rs").read_text()
    assert main(["build", str(src), "--via", "rust", "-o", str(tmp_path / "k.wasm")]) == 0
    capsys.readouterr()
    assert main(["inspect", str(tmp_path / "k.wasm")]) == 0
    shown = capsys.readouterr().out
    assert "Rust backend" in shown
    assert "portalis_alloc" in shown and "portalis.error" in shown
    from portalis.runtime import load

    assert load(str(tmp_path / "k.wasm"), cache=False).scale(1.5) == 3.0


def test_robot_arm_demo_solves_to_the_same_bits() -> None:
    """The 590-line IK demo kernel (persistent state, tuples, loops, the math library)."""
    import struct

    import portalis.demos.robot_arm.kernel as arm
    from portalis.runtime import load

    source = Path(arm.__file__).read_text(encoding="utf-8")
    direct = load(compile_source(source, arm.__file__).wasm, cache=False)
    rust = load(compile_source(source, arm.__file__, backend="rust").wasm, cache=False)
    for i in range(100):
        target = (0.4 + 0.05 * math.cos(i / 50), 0.2 + 0.05 * math.sin(i / 50), 0.3)
        a, b = direct.solve_ik(*target), rust.solve_ik(*target)
        assert struct.pack("<6d", *a) == struct.pack("<6d", *b), target
