"""The language reference matches the compiler, the kernel-side names behave under CPython,
and the ABI section describes what the module exports."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from portalis.abi import SECTION_NAME, Array, ModuleAbi, Value
from portalis.errors import CompileError
from portalis.lang import Array as ArrayAnn
from portalis.lang import (
    bits_to_float,
    build,
    compile_source,
    f32,
    f64,
    float_to_bits,
    i32,
    i64,
    u8,
    zeros,
)
from portalis.lang.builtins import BUILTINS, reference_table

from .conftest import python_and_compiled

DOC = Path(__file__).resolve().parents[2] / "docs" / "language.md"


def test_builtins_table_is_generated_from_the_registry() -> None:
    assert reference_table() in DOC.read_text()
    for name in BUILTINS:
        assert f"`{name}`" in DOC.read_text()


def test_the_reference_example_compiles_and_runs() -> None:
    example = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert example is not None
    namespace, k = python_and_compiled(example.group(1), "example.py")
    pos, vel = np.zeros(5), np.ones(5)
    low = k.step(pos=pos, vel=vel, n=2)
    pos2, vel2 = np.zeros(5), np.ones(5)
    assert low == namespace["step"](pos2, vel2, 2)  # type: ignore[operator]
    assert np.array_equal(pos, pos2) and np.array_equal(vel, vel2)
    assert 0.0 < low < pos.min()


def test_kernel_names_under_cpython() -> None:
    assert f64 is float and i64 is int
    assert f32(0.1) == np.float32(0.1) and isinstance(f32(1), float)
    assert i32(2**31) == -(2**31) and i32(-1) == -1
    assert u8(257) == 1
    assert float_to_bits(1.0) == 0x3FF0000000000000
    assert float_to_bits(-0.0) == -(2**63)
    assert bits_to_float(float_to_bits(-2.5)) == -2.5
    assert repr(ArrayAnn[f32, 2]) == "Array[f32, 2]"
    assert zeros((2, 3), i32).dtype == np.int32


def test_abi_section_describes_functions_and_state() -> None:
    src = '''
from portalis.lang import Array, f32, zeros

level: int = 3
field = zeros((2, 4), f32)


def update(x: float, points: Array[f32, 2], k: int = 2, on: bool = True
           ) -> tuple[float, bool]:
    """Doc of update."""
    return x * k, on


def _helper(x: float) -> float:
    return x
'''
    kernel = compile_source(src, "abi_kernel.py")
    abi = kernel.abi
    assert [f.name for f in abi.functions] == ["update"]
    fn = abi.function("update")
    assert fn is not None and fn.doc == "Doc of update." and fn.line == 8
    assert fn.params == (
        Value("x", "f64"),
        Array("points", "f32", 2, writes=False),  # update only reads it
        Value("k", "i64", 2),
        Value("on", "bool", True),
    )
    assert [r.type for r in fn.results] == ["f64", "bool"]
    assert fn.wasm_param_count() == 6
    state = {s.name: s for s in abi.state}
    assert state["level"] == Value("level", "i64", 3)
    arr = state["field"]
    assert isinstance(arr, Array) and arr.shape == (2, 4) and arr.offset is not None
    name = SECTION_NAME.encode()
    assert name in kernel.wasm
    payload = kernel.wasm[kernel.wasm.index(name) + len(name) :]
    assert ModuleAbi.from_bytes(payload) == abi


def test_allocator_reuses_freed_blocks_and_grows_memory() -> None:
    import wasmtime

    wasm = compile_source("def f(x: float) -> float:\n    return x\n").wasm
    store = wasmtime.Store()
    inst = wasmtime.Instance(store, wasmtime.Module(store.engine, wasm), [])
    ex = inst.exports(store)
    alloc, free = ex["portalis_alloc"], ex["portalis_free"]
    a = alloc(store, 100, 16)
    assert a % 16 == 0 and a > 0
    b = alloc(store, 100, 8)
    assert b >= a + 100
    free(store, a)
    assert alloc(store, 64, 16) == a  # first fit reuses the freed block
    big = alloc(store, 5 << 20, 64)
    assert big % 64 == 0
    assert ex["memory"].data_len(store) >= big + (5 << 20)


def test_build_writes_next_to_the_source(tmp_path: Path) -> None:
    src = tmp_path / "k.py"
    src.write_text("def f(x: float) -> float:\n    return x\n")
    assert build(src) == tmp_path / "k.wasm"
    assert build(src, emit="wat").read_text().startswith(";;")
    with pytest.raises(Exception, match="unknown output kind"):
        build(src, emit="exe")


def test_built_module_works_through_the_seeds_facade(tmp_path: Path) -> None:
    from portalis.runtime import WasmtimeBridge

    src = tmp_path / "facade.py"
    src.write_text(
        "from portalis.lang import Array, f64\n\n"
        "def twice(x: float) -> float:\n    return 2.0 * x\n\n"
        "def scale(xs: Array[f64], k: float) -> None:\n"
        "    for i in range(len(xs)):\n        xs[i] *= k\n"
    )
    wasm = build(src)
    with WasmtimeBridge() as bridge:
        module_id = bridge.load_module(wasm)
        assert bridge.call_function(module_id, "twice", 1.5) == 3.0
        out = bridge.call_function_array(module_id, "scale", np.arange(3.0), 2.0)
        assert np.array_equal(out, [0.0, 2.0, 4.0])


_COMPREHENSIONS_SUPPORTED = [
    "v: list[float] = [i * x for i in range(10)]",
    "v: list[int] = [i * i for i in reversed(range(10)) if i % 2 if i > 2]",
    "v: list[float] = [y * 2.0 for y in a]",
    "v: list[float] = [y for y in xs]",
    "v: list[tuple[float, int]] = [(y, 1) for y in a if y > 0.0]",
    "v: list[list[int]] = [[] for i in range(3)]",
    "v: list[int] = []\n    v = [i for i in range(3)]",
]
_COMPREHENSIONS_REFUSED = {
    "v = [i * x for i in range(10)]": "annotate a comprehension's item type",
    "v: list[int] = [i * j for i in range(3) for j in range(3)]": "more than one `for`",
    "v: list[float] = [i * y for i, y in enumerate(a)]": "not a plain name",
    "s = {i for i in range(3)}": "set comprehension is not supported",
    "s = {i: i for i in range(3)}": "dict comprehension is not supported",
    "s = max(i for i in range(3))": "generator expression is not supported",
    "n = len([i for i in range(3)])": "len()",
}


@pytest.mark.parametrize("line", _COMPREHENSIONS_SUPPORTED)
def test_the_comprehensions_the_reference_describes_compile(line: str) -> None:
    """docs/language.md, *Comprehensions*: what it says compiles, compiles (the reference once
    listed comprehensions as unsupported while the compiler took annotated ones)."""
    text = DOC.read_text()
    statements = text[text.index("**Statements**") : text.index("**Comprehensions**")]
    assert "comprehensions" not in statements.split("Not supported:")[-1]
    compile_source(
        "from portalis.lang import Array, f64\n\n\n"
        "def f(a: Array[f64], x: float) -> int:\n"
        "    xs: list[float] = [1.0, 2.0]\n"
        f"    {line}\n"
        "    return len(v)\n"
    )


@pytest.mark.parametrize(("line", "message"), _COMPREHENSIONS_REFUSED.items())
def test_the_comprehensions_the_reference_excludes_are_refused(line: str, message: str) -> None:
    with pytest.raises(CompileError, match=re.escape(message)):
        compile_source(
            "from portalis.lang import Array, f64\n\n\n"
            "def f(a: Array[f64], x: float) -> int:\n"
            f"    {line}\n"
            "    return 0\n"
        )
