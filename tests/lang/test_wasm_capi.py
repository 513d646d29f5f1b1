"""lang/wasm_capi.py calls wasmtime's C API straight: the same bytes and the same verdicts
as the ``wasmtime`` package's ``wat2wasm`` and ``Module.validate``, and a build that never
imports the package."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import wasmtime

from portalis.errors import CompileError
from portalis.lang import wasm_capi
from portalis.lang.pipeline import assemble

ARM = Path(__file__).resolve().parents[2] / "src/portalis/demos/robot_arm/kernel.py"

TEXTS = [
    "(module)",
    '(module (func (export "f") (param f64) (result f64) local.get 0 f64.sqrt))',
    '(module (memory 1) (data (i32.const 16) "\\01\\02\\00\\ff") (func (export "g") (result i32)'
    " i32.const 16 i32.load8_u))",
]


@pytest.mark.parametrize("text", TEXTS)
def test_same_bytes_as_the_package(text):
    assert wasm_capi.wat2wasm(text) == bytes(wasmtime.wat2wasm(text))


def test_robot_arm_module_is_the_packages_bytes():
    from portalis.lang import compile_source

    kernel = compile_source(ARM.read_text(), "kernel.py")
    assert wasm_capi.wat2wasm(kernel.wat) == bytes(wasmtime.wat2wasm(kernel.wat))
    wasm_capi.validate(kernel.wasm)


def test_bad_text_raises_with_wasmtimes_message():
    with pytest.raises(wasm_capi.WasmError) as caught:
        wasm_capi.wat2wasm("(module (func i32.bogus))")
    with pytest.raises(wasmtime.WasmtimeError) as theirs:
        wasmtime.wat2wasm("(module (func i32.bogus))")
    assert str(caught.value) == str(theirs.value)


def test_invalid_module_is_refused_like_the_package_does():
    # Well-formed text, ill-typed code: assembles, fails validation.
    wasm = wasm_capi.wat2wasm("(module (func (result i32) f64.const 1))")
    with pytest.raises(wasm_capi.WasmError, match="type mismatch"):
        wasm_capi.validate(wasm)
    with pytest.raises(wasmtime.WasmtimeError):
        wasmtime.Module.validate(wasmtime.Engine(), wasm)
    with pytest.raises(wasm_capi.WasmError):
        wasm_capi.validate(b"\0asm\x02\0\0\0")


def test_assemble_reports_invalid_output_as_a_compiler_bug():
    with pytest.raises(CompileError, match="internal compiler error"):
        assemble("(module (func (result i32) f64.const 1))", "k.py")


def test_a_build_does_not_import_the_wasmtime_package_which_still_works_after(tmp_path):
    probe = (
        "import json, sys\n"
        "from portalis.lang.pipeline import build\n"
        f"build({str(ARM)!r}, {str(tmp_path / 'arm.wasm')!r})\n"
        "imported = 'wasmtime' in sys.modules\n"
        "import wasmtime\n"  # the package, loaded afterwards, still works on the same library
        "assert bytes(wasmtime.wat2wasm('(module)')) == b'\\0asm\\1\\0\\0\\0'\n"
        "print(json.dumps(imported))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) is False
    assert (tmp_path / "arm.wasm").read_bytes()[:4] == b"\0asm"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads in /proc")
def test_validation_runs_on_the_building_thread(tmp_path):
    # Parallel compilation is off in the validating engine: no thread pool is started,
    # and a build's CPU time (on its own thread, ``--timings``) counts all the validating.
    probe = (
        "import json, os, threading\n"
        "from portalis.lang import wasm_capi\n"
        f"wasm = wasm_capi.wat2wasm(open({str(tmp_path / 'arm.wat')!r}).read())\n"
        "before = len(os.listdir('/proc/self/task'))\n"
        "wasm_capi.validate(wasm)\n"
        "print(json.dumps([before, len(os.listdir('/proc/self/task'))]))\n"
    )
    from portalis.lang import compile_source

    (tmp_path / "arm.wat").write_text(compile_source(ARM.read_text(), "kernel.py").wat)
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300
    )
    before, after = json.loads(out.stdout.strip().splitlines()[-1])
    assert after == before


def test_simd_module_is_refused_or_accepted_like_the_package_does():
    # The engine differs from the package's default one only in parallel compilation:
    # the same features, so the same verdicts, here on SIMD and relaxed SIMD.
    texts = [
        "(module (func (result v128) f64x2.splat (f64.const 1)))",
        "(module (func (result v128) v128.const i64x2 0 0 v128.const i64x2 0 0"
        " v128.const i64x2 0 0 f64x2.relaxed_madd))",
        "(module (func (result v128) f64.const 1 f64x2.splat f64.const 2 f64x2.splat f64x2.add))",
    ]
    for text in texts:
        wasm = wasm_capi.wat2wasm(text)
        try:
            wasmtime.Module.validate(wasmtime.Engine(), wasm)
            theirs = True
        except wasmtime.WasmtimeError:
            theirs = False
        try:
            wasm_capi.validate(wasm)
            ours = True
        except wasm_capi.WasmError:
            ours = False
        assert ours == theirs
