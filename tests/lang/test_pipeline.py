"""The pass list (lang/pipeline.py): every pass runs from one list, in its order, and
``portalis build --timings`` reports each of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from portalis.lang import compile_source, pipeline
from portalis.lang.backend import plan
from portalis.lang.backend.wat import emit_module

LOOPS = """
import numpy as np
from portalis.lang import Array


def smooth(a: Array[float, 2], out: Array[float, 2]) -> None:
    for i in range(a.shape[0]):
        for j in range(1, a.shape[1] - 1):
            out[i, j] = (a[i, j - 1] + a[i, j] + a[i, j + 1]) / 3.0
"""


def _names(backend: str) -> list[str]:
    return [name for name, _, backends in pipeline.PASSES if backend in backends]


def test_the_loop_passes_run_before_emission_in_one_list() -> None:
    direct = _names("direct")
    loop_passes = ["jam", "vectorise", "offsets", "ranges", "unroll", "versioning", "rows"]
    assert direct[4:] == [*loop_passes, "emit", "assemble", "abi"]
    assert _names("rust-source") == ["parse", "lower", "inline", "layout", "rust"]


def test_build_timings_report_every_pass_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from portalis.cli.main import main

    src = tmp_path / "k.py"
    src.write_text(LOOPS)
    assert main(["build", str(src), "--timings"]) == 0
    *lines, note = capsys.readouterr().out.splitlines()[1:]
    assert [line.split()[0] for line in lines] == [*_names("direct"), "compiler"]
    assert note.strip().startswith("(not in the total: importing the compiler")


def test_the_plans_decide_the_loops() -> None:
    """The loop passes plan the inner loop (4 copies, a guard for its three accesses' last
    axis and their first, row pointers); the emitter follows the plan, so a module
    emitted from its own plans is the one the build makes."""
    build = pipeline.Build(LOOPS, "k.py", None, "direct")
    for name, run, _ in pipeline.PASSES[:11]:
        assert name != "emit"
        run(build)
    (fp,) = (build.loops[f.symbol] for f in build.module.functions if f.name == "smooth")
    inner = [lp for lp in fp.loops.values() if lp.copies > 1]
    assert len(inner) == 1 and inner[0].copies == 4
    assert inner[0].guards and inner[0].rows
    assert emit_module(build.module, build.loops) == compile_source(LOOPS, "k.py").wat


def test_emit_module_plans_the_loops_when_not_given() -> None:
    build = pipeline.Build(LOOPS, "k.py", None, "direct")
    for _, run, _ in pipeline.PASSES[:4]:
        run(build)
    assert emit_module(build.module) == compile_source(LOOPS, "k.py").wat
    assert isinstance(plan.value_ranges(build.module), dict)


def test_the_collector_is_paused_during_a_build_and_resumed_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc
    import threading

    from portalis.errors import CompileError

    seen: list[bool] = []
    real = pipeline._compile

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    assert gc.isenabled()
    monkeypatch.setattr(pipeline, "_compile", spy)
    compile_source(LOOPS, "k.py")
    assert seen == [False] and gc.isenabled()
    gc.disable()  # a host that runs without the collector keeps it off
    try:
        compile_source(LOOPS, "k.py")
        assert not gc.isenabled()
    finally:
        gc.enable()
    threads = [threading.Thread(target=compile_source, args=(LOOPS, "k.py")) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert gc.isenabled() and pipeline._PAUSED[0] == 0
    with pytest.raises(CompileError):
        compile_source("def f(:\n", "bad.py")
    assert gc.isenabled() and pipeline._PAUSED[0] == 0


LAZY = ("fancy_rows", "heaps", "list_calls", "nested_lists", "tuple_lists")

USES_THEM = """
import heapq

from portalis.lang import Array, f64


def _total(xs: list[float]) -> float:
    return sum(xs)


def f(n: int, a: Array[f64, 2]) -> float:
    rows: list[list[float]] = [[1.0, 2.0], [3.0]]
    pairs: list[tuple[float, int]] = []
    for i in range(n):
        heapq.heappush(pairs, (rows[i % 2][0], i))
    k, j = heapq.heappop(pairs)
    a[[0, 1]] = a[[1, 0]]
    ys: list[float] = [k, 2.0]
    return j + len(rows[1]) + _total(ys)
"""


def test_a_kernel_without_rarer_constructs_does_not_import_their_modules() -> None:
    # A fresh process's first build imports the front end (frontend/lazy.py): the modules
    # of constructs a kernel does not write stay unimported, and load when one does.
    import json
    import subprocess
    import sys

    arm = Path(__file__).resolve().parents[2] / "src/portalis/demos/robot_arm/kernel.py"
    probe = (
        "import json, sys\n"
        "from portalis.lang import compile_source\n"
        f"compile_source(open({str(arm)!r}).read(), 'kernel.py')\n"
        f"before = [m for m in {LAZY!r} if 'portalis.lang.frontend.' + m in sys.modules]\n"
        f"wasm = compile_source({USES_THEM!r}, 'k.py').wasm\n"
        f"after = [m for m in {LAZY!r} if 'portalis.lang.frontend.' + m in sys.modules]\n"
        "print(json.dumps([before, after, wasm.hex()]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300
    )
    before, after, wasm = json.loads(out.stdout.strip().splitlines()[-1])
    assert before == [] and after == list(LAZY)
    assert bytes.fromhex(wasm) == compile_source(USES_THEM, "k.py").wasm
