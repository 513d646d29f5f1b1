"""Small WAT modules shared by the runtime tests."""

from __future__ import annotations

import wasmtime

from portalis.abi import ModuleAbi, encode_custom_section

ARITH = """
(module
  (memory (export "memory") 1)
  (func (export "fma") (param f64 f64 f64) (result f64)
    local.get 0 local.get 1 f64.mul local.get 2 f64.add)
  (func (export "add_i32") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "add_i64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.add)
  (func (export "half_f32") (param f32) (result f32) local.get 0 f32.const 0.5 f32.mul)
  (func (export "divmod") (param i64 i64) (result i64 i64)
    local.get 0 local.get 1 i64.div_s local.get 0 local.get 1 i64.rem_s)
  (func (export "nothing"))
  (func (export "sum") (param $p i32) (param $n i32) (result f64) (local $i i32) (local $s f64)
    (block (loop
      (br_if 1 (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $s (f64.add (local.get $s)
        (f64.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 3))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br 0)))
    local.get $s)
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
)
"""

INFINITE_LOOP = '(module (func (export "spin") (loop br 0)))'
INFINITE_START = "(module (func $s (loop br 0)) (start $s))"
MEMORY_BOMB = """
(module (memory (export "memory") 1)
  (func (export "bomb") (loop (br_if 0 (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
    ;; growth refused: touch the first byte past the end, as a careless module would
    (i32.store (i32.mul (memory.size) (i32.const 65536)) (i32.const 1))))
"""
RECURSION = '(module (func $r (export "recurse") (result i32) call $r))'
OUT_OF_BOUNDS = """(module (memory 1)
  (func (export "poke") (i32.store (i32.const 70000) (i32.const 1))))"""
UNREACHABLE = '(module (func $inner unreachable) (func (export "boom") call $inner))'
HOST_IMPORT = """(module (import "env" "log" (func $log (param f64)))
  (func (export "f") (param f64) local.get 0 call $log))"""
WASI_IMPORT = """(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "f") (result i32) i32.const 7))"""
HUGE_MEMORY = '(module (memory (export "memory") 8192))'


def binary(wat: str, abi: ModuleAbi | None = None) -> bytes:
    data = bytes(wasmtime.wat2wasm(wat))
    if abi is not None:
        data += encode_custom_section("portalis.abi", abi.to_bytes())
    return data


# A module laid out as `portalis build` lays one out (see portalis.abi), written by hand so
# the runtime's ABI binding is tested independently of the compiler.
ABI_KERNEL = """
(module (memory (export "memory") 2)
  (global $err (export "portalis.error") (mut i32) (i32.const 0))
  (global $line (export "portalis.error_line") (mut i32) (i32.const 0))
  (global $bump (mut i32) (i32.const 1024))
  (global (export "state.count") (mut i64) (i64.const 0))
  (global (export "state.armed") (mut i32) (i32.const 1))
  (func (export "portalis_alloc") (param i32 i32) (result i32) (local i32)
    global.get $bump local.set 2
    (global.set $bump (i32.add (global.get $bump) (local.get 0)))
    local.get 2)
  (func (export "portalis_free") (param i32))
  (func (export "scale") (param $p i32) (param $n i32) (param $k f64) (result f64)
    (local $i i32) (local $s f64) (local $a i32)
    (block (loop
      (br_if 1 (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $a (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 3))))
      (f64.store (local.get $a) (f64.mul (f64.load (local.get $a)) (local.get $k)))
      (local.set $s (f64.add (local.get $s) (f64.load (local.get $a))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br 0)))
    local.get $s)
  (func (export "div") (param f64 f64) (result f64)
    (if (f64.eq (local.get 1) (f64.const 0))
      (then (global.set $err (i32.const 1)) (global.set $line (i32.const 7)) unreachable))
    (f64.div (local.get 0) (local.get 1)))
  (func (export "positive") (param f64) (result i32 f64)
    (f64.gt (local.get 0) (f64.const 0)) local.get 0)
  (func (export "trace") (param $p i32) (param $rows i32) (param $cols i32) (result f64)
    (local $i i32) (local $s f64)
    (block (loop
      (br_if 1 (i32.ge_s (local.get $i) (local.get $rows)))
      (local.set $s (f64.add (local.get $s) (f64.load (i32.add (local.get $p)
        (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $i))
                 (i32.const 3))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br 0)))
    local.get $s)
)
"""


def abi_kernel() -> bytes:
    from portalis.abi import Array, Function, Value

    abi = ModuleAbi(
        functions=(
            Function("scale", (Array("pts", "f64", 1), Value("k", "f64", 2.0)),
                     (Value("total", "f64"),), line=3, doc="Scale pts in place."),
            Function("div", (Value("a", "f64"), Value("b", "f64")), (Value("q", "f64"),), line=6),
            Function("positive", (Value("x", "f64"),),
                     (Value("ok", "bool"), Value("x", "f64")), line=9),
            Function("trace", (Array("m", "f64", 2, writes=False),), (Value("t", "f64"),),
                     line=12),
        ),
        state=(Value("count", "i64"), Value("armed", "bool")),
        source="kernel.py",
    )  # fmt: skip
    return binary(ABI_KERNEL, abi)


# Writes "hello" to a file through WASI: path_open on the first preopened directory (fd 3),
# then fd_write. Returns the WASI errno (0 on success). Paths live at 0 ("out.txt") and 64
# ("../escape.txt").
WASI_WRITER = """
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "out.txt")
  (data (i32.const 16) "hello")
  (data (i32.const 32) "\\10\\00\\00\\00\\05\\00\\00\\00")
  (data (i32.const 64) "../escape.txt")
  (func (export "write") (param $path i32) (param $len i32) (result i32) (local $errno i32)
    (local.set $errno (call $path_open (i32.const 3) (i32.const 0) (local.get $path)
      (local.get $len) (i32.const 1) (i64.const 0x1fffffff) (i64.const 0x1fffffff)
      (i32.const 0) (i32.const 48)))
    (if (local.get $errno) (then (return (local.get $errno))))
    (call $fd_write (i32.load (i32.const 48)) (i32.const 32) (i32.const 1) (i32.const 52))))
"""
