"""Runtime benchmarks: call overhead, warm loads, and the sandbox's cost.

    portalis bench runtime        (or: python benchmarks/bench_runtime.py)

The module is ``calls`` (what it mostly measures); the command keeps the name ``runtime`` the
docs give it. Every figure is a median over repeated batches; every ratio compares two things
measured in this same run.
"""

from __future__ import annotations

import functools
import tempfile
import time
from collections.abc import Iterator
from typing import Any

from portalis.bench.report import run_main
from portalis.bench.rows import Row
from portalis.bench.timing import format_seconds, ratio, report, time_call

SCALAR = """(module (func (export "f") (param f64 f64 f64) (result f64)
  local.get 0 local.get 1 f64.mul local.get 2 f64.add))"""

# Worst case for epoch checks: a loop whose body is one add.
SUM_LOOP = """(module (func (export "run") (param $n i64) (result i64) (local $i i64) (local $s i64)
  (block (loop
    (br_if 1 (i64.ge_s (local.get $i) (local.get $n)))
    (local.set $s (i64.add (local.get $s) (local.get $i)))
    (local.set $i (i64.add (local.get $i) (i64.const 1)))
    (br 0)))
  local.get $s))"""

# A loop with a realistic body: 2-link planar IK by Newton iterations (trig-free: rotation
# by a small-angle update), ~30 floating-point operations per iteration.
IK_LOOP = """(module (func (export "run") (param $n i64) (result f64)
  (local $i i64) (local $c1 f64) (local $s1 f64) (local $c2 f64) (local $s2 f64)
  (local $x f64) (local $y f64) (local $ex f64) (local $ey f64) (local $d f64) (local $acc f64)
  (local.set $c1 (f64.const 1)) (local.set $c2 (f64.const 1))
  (block (loop
    (br_if 1 (i64.ge_s (local.get $i) (local.get $n)))
    (local.set $x (f64.add (local.get $c1) (f64.mul (f64.const 0.8)
      (f64.sub (f64.mul (local.get $c1) (local.get $c2))
               (f64.mul (local.get $s1) (local.get $s2))))))
    (local.set $y (f64.add (local.get $s1) (f64.mul (f64.const 0.8)
      (f64.add (f64.mul (local.get $s1) (local.get $c2))
               (f64.mul (local.get $c1) (local.get $s2))))))
    (local.set $ex (f64.sub (f64.const 1.2) (local.get $x)))
    (local.set $ey (f64.sub (f64.const 0.7) (local.get $y)))
    (local.set $d (f64.mul (f64.const 0.05) (f64.sub (f64.mul (local.get $ey) (local.get $x))
      (f64.mul (local.get $ex) (local.get $y)))))
    (local.set $s1 (f64.add (local.get $s1) (f64.mul (local.get $d) (local.get $c1))))
    (local.set $c1 (f64.sub (local.get $c1) (f64.mul (local.get $d) (local.get $s1))))
    (local.set $s2 (f64.add (local.get $s2) (f64.mul (local.get $d) (local.get $c2))))
    (local.set $c2 (f64.sub (local.get $c2) (f64.mul (local.get $d) (local.get $s2))))
    (local.set $acc (f64.add (local.get $acc) (f64.add (local.get $ex) (local.get $ey))))
    (local.set $i (i64.add (local.get $i) (i64.const 1)))
    (br 0)))
  local.get $acc))"""


def big_module(target_bytes: int = 50_000) -> bytes:
    """A module of many small arithmetic functions, about ``target_bytes`` long."""
    import wasmtime

    funcs = []
    body = " ".join(
        f"local.get 0 f64.const {k}.5 f64.mul local.get 1 f64.add local.set 0" for k in range(12)
    )
    i = 0
    while True:
        funcs.append(
            f'(func (export "f{i}") (param f64 f64) (result f64) {body} local.get 0 call $leaf)'
        )
        data = wasmtime.wat2wasm(
            "(module (func $leaf (param f64) (result f64) local.get 0)" + "".join(funcs) + ")"
        )
        if len(data) >= target_bytes:
            return bytes(data)
        i += 1 if len(data) > target_bytes * 0.9 else 25


def bench_calls() -> Iterator[Row]:
    import wasmtime

    from portalis.runtime import WasmModuleConfig, WasmtimeBridge, load_module

    data = wasmtime.wat2wasm(SCALAR)
    fast = load_module(data, cache=False).instantiate(monitoring=False).function("f")
    monitored = load_module(data, cache=False).instantiate(monitoring=True).function("f")

    bridge = WasmtimeBridge(WasmModuleConfig(cache_enabled=False))
    with tempfile.NamedTemporaryFile(suffix=".wasm") as f:
        f.write(data)
        f.flush()
        mid = bridge.load_module(f.name, "scalar")
    call_function = bridge.call_function

    store = wasmtime.Store()
    func = wasmtime.Instance(store, wasmtime.Module(store.engine, bytes(data)), []).exports(store)[
        "f"
    ]
    assert isinstance(func, wasmtime.Func)

    peer = time_call("wasmtime-py Func.__call__", lambda: func(store, 1.0, 2.0, 3.0))
    fast_t = time_call("portalis fast path", lambda: fast(1.0, 2.0, 3.0))
    stats_t = time_call("portalis fast path + stats", lambda: monitored(1.0, 2.0, 3.0))
    bridge_t = time_call(
        "WasmtimeBridge.call_function", lambda: call_function(mid, "f", 1.0, 2.0, 3.0)
    )
    empty = time_call("(empty Python call, for scale)", lambda: None)
    report(
        "scalar call: 3 × f64 in, 1 × f64 out",
        [peer, fast_t, stats_t, bridge_t, empty],
        baseline=peer,
    )
    case = "scalar call"
    yield Row.timed(case, "wasmtime-py", peer, path="Func.__call__")
    yield Row.timed(case, "portalis", fast_t, path="fast path")
    yield Row.timed(case, "portalis", stats_t, path="fast path + stats")
    yield Row.timed(case, "portalis", bridge_t, path="WasmtimeBridge.call_function")


# No-op kernels over one float64 array: ``keep*`` never store into it (the compiler marks the
# parameter read-only), ``touch*`` store one element (the runtime copies the array back).
ARRAY_KERNELS = """import numpy as np
from portalis.lang import Array, f64


def keep(a: Array[f64]) -> float:
    return 0.0


def touch(a: Array[f64]) -> float:
    a[0] = 1.0
    return 0.0


def keep2(a: Array[f64, 2]) -> float:
    return 0.0


def touch2(a: Array[f64, 2]) -> float:
    a[0, 0] = 1.0
    return 0.0


def made(n: int) -> Array[f64]:
    return np.empty(n)


def made2(n: int, m: int) -> Array[f64, 2]:
    return np.empty((n, m))
"""


def bench_array_calls() -> Iterator[Row]:
    """Issue 15's array-call overhead: a no-op kernel call with one float64 array, passed as
    a NumPy array (copied into linear memory, and back when written) or as an ArrayView
    already there, against a bare ``np.copyto`` of the same bytes in this same run."""
    import portalis
    from portalis.lang import compile_source

    wasm = compile_source(ARRAY_KERNELS, "array_calls.py").wasm
    kernel = portalis.load(wasm, name="array_calls", cache=False, monitoring=False)
    for shape in ((2048,), (256, 256)):
        yield from _array_call_case(kernel, shape)


def _array_call_case(kernel: Any, shape: tuple[int, ...]) -> Iterator[Row]:
    import numpy as np

    size = "×".join(str(n) for n in shape)
    suffix = "2" if len(shape) == 2 else ""
    keep, touch = kernel.function("keep" + suffix), kernel.function("touch" + suffix)
    arr = np.random.default_rng(0).random(shape)
    other = np.empty_like(arr)
    keep(arr), touch(arr)  # their scratch space first: growing memory stales views
    view = kernel.instance.memory.write(arr)
    memcpy = time_call("np.copyto (memcpy, for scale)", lambda: np.copyto(other, arr))
    cases = {
        ("ndarray", "read-only"): lambda: keep(arr),
        ("ndarray", "written"): lambda: touch(arr),
        ("ArrayView", "read-only"): lambda: keep(view),
        ("ArrayView", "written"): lambda: touch(view),
    }
    timings = {key: time_call(f"{key[0]}, {key[1]}", fn) for key, fn in cases.items()}
    # An array result: made (zero-filled) in the module, copied out, its block freed.
    made = kernel.function("made" + suffix)
    result = time_call("array result (made, copied out, freed)", lambda: made(*shape))
    title = f"no-op kernel call, one float64 array of {size} ({arr.nbytes // 1024} KiB)"
    report(title, [memcpy, *timings.values(), result])
    # An ndarray costs a copy in (and one back when written): its overhead is what the call
    # adds to the memcpy. An ArrayView is not copied: its whole time is overhead.
    over = ", ".join(
        f"{t.label} +{format_seconds(t.median - memcpy.median)} ({ratio(t, memcpy):.2f}×)"
        for (path, _), t in timings.items()
        if path == "ndarray"
    )
    print(f"  over one memcpy: {over}")
    yield Row.timed("array call", "numpy", memcpy, path="np.copyto", size=size)
    for (path, param), timing in timings.items():
        yield Row.timed("array call", "portalis", timing, path=path, param=param, size=size)
    yield Row.timed("array result", "portalis", result, path="ndarray", size=size)


def bench_loading() -> Iterator[Row]:
    from portalis.runtime import ModuleCache, load_module
    from portalis.runtime.module import forget_compiled

    data = big_module()
    with tempfile.TemporaryDirectory() as tmp:
        cache = ModuleCache(tmp)

        def cold() -> None:
            forget_compiled()
            load_module(data, cache=False).instantiate()

        def warm() -> None:
            forget_compiled()
            load_module(data, cache=cache).instantiate()

        warm()  # populate the disk cache
        cold_t = time_call("cold: compile + instantiate", cold, number=1, repeat=5)
        warm_t = time_call("warm: disk cache + instantiate", warm, number=20, repeat=7)
    report(f"loading a {len(data) / 1000:.0f} KB module", [cold_t, warm_t], baseline=cold_t)
    size = f"{len(data) / 1000:.0f} KB"
    yield Row.timed("load + instantiate", "portalis", cold_t, cache="cold", module=size)
    yield Row.timed("load + instantiate", "portalis", warm_t, cache="warm", module=size)


def bench_sandbox() -> Iterator[Row]:
    import wasmtime

    from portalis.runtime import EngineSettings, Sandbox, load_module

    on = Sandbox()
    off = Sandbox(deadline_s=None, max_memory_bytes=None)
    trusted = EngineSettings(epoch_interruption=False)
    print("\nsandbox cost (default sandbox vs no limits, same module, same run)")
    for label, text, n in (("bare i64 sum loop", SUM_LOOP, 20_000_000),
                           ("2-link IK loop", IK_LOOP, 2_000_000)):  # fmt: skip
        data = wasmtime.wat2wasm(text)
        f_on = load_module(data, cache=False).instantiate(on).function("run")
        f_off = load_module(data, cache=False, settings=trusted).instantiate(off).function("run")
        assert f_on(1000) == f_off(1000)
        t_on = time_call("on", functools.partial(f_on, n), number=1, repeat=9)
        t_off = time_call("off", functools.partial(f_off, n), number=1, repeat=9)
        per_on = t_on.median / n
        per_off = t_off.median / n
        print(
            f"  {label:<18} on {format_seconds(per_on):>8}/iter  off {format_seconds(per_off):>8}"
            f"/iter  ratio {ratio(t_on, t_off):.2f}×"
        )
        yield Row.of(label, "portalis", t_on.samples, per=n, sandbox="default")
        yield Row.of(label, "portalis", t_off.samples, per=n, sandbox="none")


def bench_sandbox_ik() -> Iterator[Row]:
    """The same ratio on a real kernel: the robot-arm demo's UR5 IK, compiled by Portalis."""
    import numpy as np

    from portalis.demos import get_demo
    from portalis.lang import compile_source
    from portalis.runtime import EngineSettings, Sandbox, load_module

    path = get_demo("robot-arm").kernel_path
    wasm = compile_source(path.read_text(encoding="utf-8"), str(path)).wasm
    inst_on = load_module(wasm, cache=False).instantiate(Sandbox(), monitoring=False)
    module_off = load_module(wasm, cache=False, settings=EngineSettings(epoch_interruption=False))
    inst_off = module_off.instantiate(Sandbox(deadline_s=None, max_memory_bytes=None),
                                      monitoring=False)  # fmt: skip
    rng = np.random.default_rng(3)
    fk = inst_on.function("fk")
    lo = [inst_on.function("lower_limit")(i) for i in range(6)]
    hi = [inst_on.function("upper_limit")(i) for i in range(6)]
    targets = [fk(*q) for q in rng.uniform(lo, hi, size=(200, 6)).tolist()]
    home = (0.0, -1.5708, 1.5708, -1.5708, -1.5708, 0.0)

    def solves(inst: Any) -> Any:
        seed, solve = inst.function("set_seed"), inst.function("solve_ik")

        def run() -> None:
            for x, y, z in targets:
                seed(*home)
                solve(x, y, z, 100)

        return run

    t_on = time_call("on", solves(inst_on), number=1, repeat=9)
    t_off = time_call("off", solves(inst_off), number=1, repeat=9)
    n = len(targets)
    print(
        f"  {'UR5 IK (compiled)':<18} on {format_seconds(t_on.median / n):>8}/solve  off "
        f"{format_seconds(t_off.median / n):>8}/solve  ratio {ratio(t_on, t_off):.2f}×"
    )
    yield Row.of("UR5 IK solve", "portalis", t_on.samples, per=n, sandbox="default")
    yield Row.of("UR5 IK solve", "portalis", t_off.samples, per=n, sandbox="none")


def rows(argv: list[str]) -> Iterator[Row]:
    import argparse

    parser = argparse.ArgumentParser(
        prog="portalis bench runtime", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="accepted; the run is short")
    parser.parse_args(argv)
    t0 = time.perf_counter()
    yield from bench_calls()
    yield from bench_array_calls()
    yield from bench_loading()
    yield from bench_sandbox()
    yield from bench_sandbox_ik()
    print(f"\n(total {time.perf_counter() - t0:.1f} s)")


def main(argv: list[str] | None = None) -> int:
    return run_main("runtime", rows, argv)
