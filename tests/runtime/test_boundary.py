"""What crosses between Python and WebAssembly: numbers only, checked from the module's own
sections before wasmtime is asked about any type.

wasmtime-py aborts the interpreter (SIGABRT, no exception) when asked the type of a
signature holding ``v128`` or a GC reference, so every hostile module here is loaded in a
child interpreter: the test proves the process survives and the refusal names the module,
the export (or import) and the type.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.errors import ImportDeniedError, ModuleLoadError
from portalis.runtime import MiB, Sandbox, load_module, reader

from . import wat

# (case, type written in the message, WAT): each type in each place a signature can hold it.
REF_NULL = {"funcref": "func", "externref": "extern", "anyref": "any", "eqref": "eq",
            "i31ref": "i31", "structref": "struct", "arrayref": "array"}  # fmt: skip
CASES = [
    *[(f"{t}-param", t, f'(module (func (export "f") (param {t})))') for t in
      ("v128", *REF_NULL)],
    *[(f"{t}-result", t, f'(module (func (export "f") (result {t}) ref.null {h}))')
      for t, h in REF_NULL.items()],
    ("v128-result", "v128", '(module (func (export "f") (result v128) v128.const i64x2 0 0))'),
    *[(f"{t}-global", t, f'(module (global (export "f") {t} (ref.null {h})))')
      for t, h in REF_NULL.items() if t not in ("funcref", "externref")],
    ("v128-global", "v128", '(module (global (export "f") v128 (v128.const i64x2 1 2)))'),
    ("typed-ref", "(ref null $0)",
     '(module (type (func)) (func (export "f") (param (ref null 0))))'),
    ("anyref-import", "anyref", '(module (import "env" "f" (func (param anyref))))'),
    ("v128-import", "v128", '(module (import "env" "f" (func (result v128))))'),
    ("anyref-table", "anyref", '(module (table (export "f") 1 anyref))'),
]  # fmt: skip

CHILD = textwrap.dedent(
    """
    import json, sys, wasmtime
    import portalis
    from portalis.cli.main import main
    from portalis.errors import PortalisError

    out = {}
    for case, text in json.loads(sys.stdin.read()):
        data = bytes(wasmtime.wat2wasm(text))
        path = f"{sys.argv[1]}/{case}.wasm"
        with open(path, "wb") as f:
            f.write(data)
        seen = []
        for attempt in (
            lambda: portalis.load(path),
            lambda: portalis.load_module(data, name=case, sandbox=None),
        ):
            try:
                attempt()
                seen.append("loaded")
            except PortalisError as e:
                seen.append(str(e))
        seen.append(main(["inspect", path]))
        out[case] = seen
    print(json.dumps(out))
    """
)


def test_unsupported_types_are_refused_in_a_surviving_process(tmp_path, capfd):
    cases = [(case, text) for case, _, text in CASES]
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        input=json.dumps(cases), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]  # -6 would be SIGABRT
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    for case, type_text, _ in CASES:
        from_path, from_bytes, inspect_status = results[case]
        assert from_path.startswith(f"{tmp_path}/{case}.wasm: cannot be used from Portalis")
        assert from_bytes.startswith(f"{case}: cannot be used from Portalis")
        assert "'f'" in from_path or "'env.f'" in from_path, from_path
        assert type_text in from_path, (case, from_path)
        assert inspect_status == 1
    assert "cannot be used from Portalis" in proc.stderr  # what inspect printed


def test_refusal_names_every_offender_and_the_rule():
    text = """(module (func (export "a") (param v128)) (func (export "b") (result externref)
      ref.null extern) (func (export "ok") (param f64) (result f64) local.get 0))"""
    with pytest.raises(ModuleLoadError) as info:
        load_module(wat.binary(text), name="mixed", cache=False)
    message = str(info.value)
    assert message.startswith("mixed: cannot be used from Portalis: ")
    assert "export 'a' has v128 in its signature (v128) -> ()" in message
    assert "export 'b' has externref in its signature () -> (externref)" in message
    assert "'ok'" not in message
    assert "i32, i64, f32, f64" in info.value.hint


def test_toolchain_function_table_and_number_globals_are_fine():
    text = """(module (table (export "__indirect_function_table") 1 funcref)
      (global (export "__heap_base") i32 (i32.const 1024))
      (global (export "g") (mut f64) (f64.const 0.5))
      (func (export "f") (result i32) global.get 0))"""
    inst = load_module(wat.binary(text), cache=False).instantiate()
    assert inst.function("f")() == 1024
    assert inst.global_value("g") == 0.5
    kinds = {e.name: (e.kind, e.type) for e in inst.module.exports}
    assert kinds["__indirect_function_table"] == ("table", "funcref 1..unbounded")
    assert kinds["g"] == ("global", "mut f64")


def test_v128_inside_module_code_is_admitted():
    """SIMD in function bodies, locals and non-exported functions is fine (the compiler
    vectorises with it); only signatures that cross to Python are refused."""
    text = """(module (memory (export "memory") 1)
      (func $pair (param v128) (result v128) local.get 0 local.get 0 f64x2.add)
      (func (export "f") (param f64 f64) (result f64) (local $v v128)
        i32.const 16 local.get 0 f64.store  i32.const 24 local.get 1 f64.store
        i32.const 16 v128.load local.set $v
        i32.const 0 local.get $v call $pair v128.store
        i32.const 0 f64.load i32.const 8 f64.load f64.sub))"""
    inst = load_module(wat.binary(text), name="simd", cache=False).instantiate()
    assert inst.function("f")(1.5, 4.0) == 3.0 - 8.0
    assert not [e for e in inst.module.exports if "v128" in e.type]


def test_gc_types_inside_a_module_are_refused_by_validation():
    text = """(module (type $s (struct (field i32)))
      (func (export "f") (result i32) (struct.get $s 0 (struct.new $s (i32.const 1)))))"""
    with pytest.raises(ModuleLoadError) as info:
        load_module(wat.binary(text), name="gc", cache=False)
    assert "gc: invalid WebAssembly: failed to parse WebAssembly module: " in str(info.value)
    assert "gc feature" in str(info.value)  # wasmtime's own cause, kept


def test_host_import_signature_comes_from_the_module():
    seen: list[tuple[int, float]] = []
    text = """(module (import "env" "log" (func $log (param i32 f64) (result i64)))
      (func (export "f") (result i64) (call $log (i32.const 3) (f64.const 1.5))))"""

    def log(i: int, x: float) -> int:
        seen.append((i, x))
        return 42

    sandbox = Sandbox(host_functions={"env.log": log})
    assert (
        load_module(wat.binary(text), sandbox=sandbox, cache=False)
        .instantiate(sandbox)
        .function("f")()
        == 42
    )
    assert seen == [(3, 1.5)]
    with pytest.raises(ImportDeniedError):
        load_module(wat.binary(text), cache=False)


# -- one memory per instance: the cap bounds the total ---------------------------------------


def test_many_memories_are_refused_before_anything_is_allocated():
    memories = " ".join(f'(memory (export "m{i}") 4000)' for i in range(12))  # 12 × 250 MiB
    with pytest.raises(ModuleLoadError) as info:
        load_module(wat.binary(f"(module {memories})"), name="memories", cache=False)
    assert "memories: defines 12 memories; a module gets one" in str(info.value)


def test_rss_stays_bounded_when_a_module_asks_for_twelve_memories(tmp_path):
    """In a child process: try the 12 × 250 MiB module, then measure peak RSS."""
    code = textwrap.dedent(
        """
        import resource, wasmtime
        from portalis.runtime import load_module
        from portalis.errors import PortalisError
        mems = " ".join(f'(memory (export "m{i}") 4000) (data (memory {i}) (i32.const 0) "x")'
                        for i in range(12))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            load_module(bytes(wasmtime.wat2wasm(f"(module {mems})")), cache=False).instantiate()
        except PortalisError:
            pass
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print((after - before) // 1024)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert int(proc.stdout.strip()) < 256  # MiB grown: not 12 × 250


def test_tables_are_bounded_in_number_and_size():
    many = " ".join("(table 1 funcref)" for _ in range(5))
    with pytest.raises(ModuleLoadError, match="cannot instantiate"):
        load_module(wat.binary(f"(module {many})"), cache=False).instantiate()
    big = "(module (table 200000 funcref))"
    with pytest.raises(ModuleLoadError, match="cannot instantiate"):
        load_module(wat.binary(big), cache=False).instantiate()
    sandbox = Sandbox(max_tables=5, max_table_elements=200_000, max_memory_bytes=64 * MiB)
    load_module(wat.binary(f"(module {many})"), cache=False).instantiate(sandbox)


# -- the reader agrees with wasmtime where wasmtime can be asked safely ----------------------


@pytest.mark.parametrize(
    "text",
    [wat.ARITH, wat.ABI_KERNEL, wat.HOST_IMPORT, wat.WASI_WRITER, wat.HUGE_MEMORY,
     '(module (import "env" "m" (memory 1 2)) (import "env" "g" (global (mut i64)))'
     ' (import "env" "t" (table 3 funcref)) (global i32 (i32.add (i32.const 1) (i32.const 2)))'
     ' (global (export "h") f32 (f32.const 1)) (global (export "r") funcref (ref.func 0))'
     ' (func (export "f") (param i64 f32) (result f64 i32) unreachable))'],
)  # fmt: skip
def test_reader_matches_wasmtime_on_numeric_modules(text):
    import wasmtime

    data = wat.binary(text)
    interface = reader.read_interface(data)
    module = wasmtime.Module(wasmtime.Engine(), data)
    assert [(e.name) for e in interface.exports] == [e.name for e in module.exports]
    assert [(i.module, i.name) for i in interface.imports] == [
        (i.module, i.name) for i in module.imports
    ]
    for mine, theirs in zip(interface.exports, module.exports, strict=True):
        if isinstance(theirs.type, wasmtime.FuncType):
            assert mine.params == tuple(str(p) for p in theirs.type.params)
            assert mine.results == tuple(str(r) for r in theirs.type.results)


@pytest.mark.parametrize("cut", [9, 10, 12, 20, 30])
def test_reader_on_truncated_bytes_raises_unreadable_only(cut):
    data = wat.binary(wat.ABI_KERNEL)[:cut]
    with contextlib.suppress(reader.Unreadable):
        reader.read_interface(data)


RICH = """(module
  (type $t (func (param i32) (result i64)))
  (import "env" "f" (func (type $t)))
  (import "env" "m" (memory 1 4))
  (table $tab (export "table") 2 funcref)
  (global $g (export "g") (mut f64) (f64.const 1.5))
  (global i64 (i64.add (i64.const 1) (i64.const 2)))
  (func $h (export "h") (param f32 f64) (result i32) i32.const 0)
  (elem (i32.const 0) $h)
  (data (i32.const 0) "abc"))"""


@given(st.data())
@settings(max_examples=200)
def test_reader_on_mutated_bytes_raises_unreadable_only(data):
    module = bytearray(wat.binary(RICH))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(8, len(module) - 1))
        module[at] = data.draw(st.integers(0, 255))
    try:
        reader.read_interface(bytes(module))
        reader.scan(bytes(module))
    except reader.Unreadable:
        pass


@given(st.binary(min_size=0, max_size=64))
@settings(max_examples=100)
def test_load_of_any_bytes_is_a_module_or_a_load_error(tail):
    try:
        load_module(b"\0asm\x01\0\0\0" + tail, name="fuzz", cache=False, sandbox=None)
    except ModuleLoadError as e:
        assert str(e).startswith("fuzz: ")
