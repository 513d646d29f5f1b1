"""The benchmark row model and its files: SPEC §7 JSON, the report, the CLI options."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from portalis.bench import BENCHMARKS, Row
from portalis.bench.report import versus_portalis, write_report
from portalis.bench.rows import machine, percentile, results
from portalis.cli.main import main


def test_row_from_run_times_is_per_operation() -> None:
    row = Row.of("frame", "portalis", [2.0, 4.0, 3.0, 10.0], per=1000, points=5)
    assert row.median_s == pytest.approx(3.5e-3)
    assert row.p90_s == pytest.approx(percentile([2.0, 3.0, 4.0, 10.0], 0.9) / 1000)
    assert row.runs == 4 and row.params == {"points": 5}


def test_percentile_interpolates() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.9) == pytest.approx(4.6)
    assert percentile([7.0], 0.9) == 7.0
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_results_document_is_spec_7() -> None:
    rows = [Row("frame", "portalis", 0.0041, 0.0045, 50, {"points": 100000}),
            Row("frame", "numba", 0.0061, 0.0063, 50, {"points": 100000})]  # fmt: skip
    doc = json.loads(json.dumps(results("lidar", rows)))
    assert set(doc) == {"benchmark", "machine", "rows"} and doc["benchmark"] == "lidar"
    assert {"cpu", "cores", "python", "packages"} <= set(doc["machine"])
    assert doc["machine"]["packages"]["wasmtime"]
    first = {"case": "frame", "impl": "portalis", "median_s": 0.0041, "p90_s": 0.0045,
             "runs": 50, "params": {"points": 100000}}  # fmt: skip
    assert doc["rows"][0] == first
    assert [Row.from_json(r) for r in doc["rows"]] == rows


def test_ratio_is_against_portalis_with_the_same_params() -> None:
    rows = [Row("a", "portalis", 1.0, 1.0, 1, {"n": 1}), Row("a", "cpython", 5.0, 5.0, 1, {"n": 1}),
            Row("a", "cpython", 9.0, 9.0, 1, {"n": 2})]  # fmt: skip
    assert versus_portalis(rows) == {1: 5.0}
    # params holding lists (a grid's shape) compare by value
    grid = [Row("b", "portalis", 2.0, 2.0, 1, {"grid": [8, 8, 8]}),
            Row("b", "numba", 1.0, 1.0, 1, {"grid": [8, 8, 8]})]  # fmt: skip
    assert versus_portalis(grid) == {1: 0.5}


def test_report_writes_markdown_charts_and_results(tmp_path: Path, monkeypatch) -> None:
    import portalis.bench.report as report

    fake = {"demo": [Row("frame", "portalis", 1e-3, 2e-3, 9), Row("frame", "numpy", 3e-3, 4e-3, 9)]}
    monkeypatch.setattr(report, "collect", lambda name, argv=(): fake[name])
    path = write_report(tmp_path, ["demo"], ["--quick"], log=lambda _line: None)
    text = path.read_text(encoding="utf-8")
    assert "| frame | numpy | 3.00 ms | 4.00 ms | 9 | 3.00 |" in text
    assert "![demo](demo.png)" in text and machine()["python"] in text
    assert (tmp_path / "demo.png").read_bytes()[:4] == b"\x89PNG"
    doc = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert doc["benchmarks"][0]["benchmark"] == "demo"
    assert doc["benchmarks"][0]["rows"][1]["impl"] == "numpy"


def test_every_benchmark_yields_rows_through_one_contract() -> None:
    import importlib

    for name, (module_name, _) in BENCHMARKS.items():
        module = importlib.import_module(module_name)
        assert callable(module.rows) and callable(module.main), name


def test_bench_json_for_one_benchmark(tmp_path: Path, capsys) -> None:
    out = tmp_path / "libm.json"
    args = ["bench", "libm", "--only", "sin", "--samples", "500", "--quick", "--json", str(out)]
    assert main(args) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["benchmark"] == "libm"
    impls = {r["impl"] for r in doc["rows"] if r["case"] == "sin"}
    assert {"cpython", "portalis", "numpy"} <= impls <= {"cpython", "portalis", "numpy", "numba"}


def test_report_refuses_unknown_names(tmp_path: Path, capsys) -> None:
    assert main(["bench", "--report", str(tmp_path), "nope"]) == 1
    assert "no benchmark named 'nope'" in capsys.readouterr().err


def test_importing_bench_pulls_in_no_heavy_package() -> None:
    """What ``import portalis`` itself loads is the root package's business; the harness
    adds none of USD, the compiler, the runtime, the demos or matplotlib."""
    code = (
        "import sys, portalis; before = set(sys.modules); "
        "import portalis.bench, portalis.bench.rows, portalis.bench.report; "
        "new = set(sys.modules) - before; "
        "bad = [m for m in ('pxr', 'wasmtime', 'portalis.lang', 'portalis.runtime', "
        "'portalis.demos', 'portalis.usd', 'matplotlib') if m in new]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_benchmark_has_its_script_under_benchmarks() -> None:
    """The README says `portalis bench NAME` runs the same scripts as `benchmarks/`."""
    scripts = Path(__file__).resolve().parents[2] / "benchmarks"
    for name, (module, _) in BENCHMARKS.items():
        script = scripts / f"bench_{name}.py"
        assert script.is_file(), f"benchmarks/bench_{name}.py is missing"
        assert f"from {module} import main" in script.read_text(encoding="utf-8"), script
