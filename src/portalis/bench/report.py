"""Running benchmarks for their rows: one benchmark's JSON (``portalis bench NAME --json
FILE``) and the whole report (``portalis bench --report DIR``): ``DIR/results.json``,
``DIR/report.md`` and one chart per benchmark, ``DIR/NAME.png``.

``results.json`` holds one SPEC §7 document per benchmark, under one machine:
``{"machine": {...}, "benchmarks": [{"benchmark": NAME, "machine": {...}, "rows": [...]}, ...]}``
(each entry is exactly what ``portalis bench NAME --json`` writes, so one reader serves both).
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from portalis.bench import peers
from portalis.bench.rows import Row, machine, results, write_json
from portalis.bench.timing import format_seconds

RowsFn = Callable[[list[str]], Iterable[Row]]


def collect(name: str, argv: Sequence[str] = ()) -> list[Row]:
    """Run benchmark ``name`` (its module's ``rows(argv)``) and keep what it yields."""
    from portalis.bench import BENCHMARKS

    module = importlib.import_module(BENCHMARKS[name][0])
    peers.new_run()
    return list(module.rows(list(argv)))


def run_main(name: str, rows: RowsFn, argv: Sequence[str] | None) -> int:
    """What a benchmark's ``main(argv)`` does: run it, printing as it goes, and write
    ``--json FILE`` when asked (the option is taken here, the rest goes to the benchmark)."""
    args = list(sys.argv[1:] if argv is None else argv)
    json_path = None
    if "--json" in args:
        k = args.index("--json")
        if k + 1 >= len(args):
            print("error: --json needs a file name", file=sys.stderr)
            return 1  # a usage error, as every portalis command's (cli/main.py)
        json_path = Path(args[k + 1])
        del args[k : k + 2]
    peers.new_run()
    found = list(rows(args))
    if json_path is not None:
        write_json(json_path, results(name, found))
        print(f"wrote {json_path}", file=sys.stderr)
    return 0


def write_report(
    out_dir: Path,
    names: Sequence[str],
    argv: Sequence[str] = (),
    log: Callable[[str], None] = print,
) -> Path:
    """Run ``names`` one after another, then write the report into ``out_dir``."""
    host = machine()
    documents: list[dict[str, Any]] = []
    seconds: dict[str, float] = {}
    for name in names:
        log(f"== {name}")
        t0 = time.perf_counter()
        documents.append(results(name, collect(name, argv), host))
        seconds[name] = time.perf_counter() - t0
        log(f"== {name} done in {seconds[name]:.1f} s\n")
    out_dir.mkdir(parents=True, exist_ok=True)
    write_json(out_dir / "results.json", {"machine": host, "benchmarks": documents})
    charts = {}
    for doc in documents:
        rows = [Row.from_json(r) for r in doc["rows"]]
        if rows and _can_draw():
            charts[doc["benchmark"]] = chart(
                doc["benchmark"], rows, out_dir / f"{doc['benchmark']}.png"
            )
    (out_dir / "report.md").write_text(
        markdown(documents, host, charts, seconds, list(argv)), encoding="utf-8"
    )
    return out_dir / "report.md"


def label(row: Row) -> str:
    """``impl`` and the params that tell rows of one case apart."""
    extra = ", ".join(f"{k}={v}" for k, v in row.params.items())
    return f"{row.impl} ({extra})" if extra else row.impl


def versus_portalis(rows: Sequence[Row]) -> dict[int, float]:
    """For each row of a case that also has a ``portalis`` row with the same params: its
    median over Portalis' (2.0: the peer takes twice Portalis' time)."""
    # params may hold lists (the fluid rows' ``grid``): compare them by their JSON text
    mine = {(r.case, _key(r.params)): r for r in rows if r.impl == "portalis"}
    out = {}
    for k, row in enumerate(rows):
        ref = mine.get((row.case, _key(row.params)))
        if ref is not None and row is not ref and ref.median_s > 0:
            out[k] = row.median_s / ref.median_s
    return out


def _key(params: Mapping[str, Any]) -> str:
    return json.dumps(params, sort_keys=True)


def markdown(
    documents: Sequence[dict[str, Any]],
    host: dict[str, Any],
    charts: dict[str, Path],
    seconds: dict[str, float],
    argv: list[str],
) -> str:
    packages = ", ".join(f"{k} {v}" for k, v in host["packages"].items())
    lines = [
        "# Portalis benchmark report",
        "",
        f"Machine: {host['cpu']}, {host['cores']} cores, {host['system']}, Python "
        f"{host['python']}.  ",
        f"Packages: {packages}.  ",
        f"Command: `{' '.join(['portalis bench --report DIR', *argv])}`.",
        "",
        "Times are per operation: the median over the runs, and the 90th percentile (the "
        "chart's whisker). Every peer was measured in the same process run on the same "
        "inputs; a peer that is not installed has no row. Ratios compare rows of one run only.",
        "",
    ]
    for doc in documents:
        name = doc["benchmark"]
        rows = [Row.from_json(r) for r in doc["rows"]]
        lines += [f"## {name}", "", f"{len(rows)} rows in {seconds.get(name, 0):.0f} s.", ""]
        if name in charts:
            lines += [f"![{name}]({charts[name].name})", ""]
        ratios = versus_portalis(rows)
        lines += [
            "| case | implementation | median | p90 | runs | × Portalis' time |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for k, row in enumerate(rows):
            ratio = f"{ratios[k]:.2f}" if k in ratios else ""
            extra = "".join(f" {key}={value}" for key, value in row.metrics.items())
            lines.append(
                f"| {row.case} | {label(row)}{extra} | {format_seconds(row.median_s)} | "
                f"{format_seconds(row.p90_s)} | {row.runs} | {ratio} |"
            )
        lines.append("")
    return "\n".join(lines)


def _can_draw() -> bool:
    from portalis.demos import plot

    return plot.available()


def chart(name: str, rows: Sequence[Row], path: Path) -> Path:
    """One horizontal bar per row, grouped by case: the median, a whisker to the 90th
    percentile, on a log axis (cases differ by orders of magnitude); Portalis in blue,
    each peer in its own colour. Metrics every row has (peak memory, say) get a panel each,
    beside the times, on the same rows."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    from portalis.demos import plot

    cases = list(dict.fromkeys(r.case for r in rows))
    impls = list(dict.fromkeys(r.impl for r in rows))
    palette = [plot.ORANGE, plot.GREEN, plot.VERMILION, plot.PURPLE, plot.SKY, plot.YELLOW]
    colours = {impl: palette[k % len(palette)]
               for k, impl in enumerate(i for i in impls if i != "portalis")}  # fmt: skip
    colours["portalis"] = plot.BLUE
    ordered = [r for case in cases for r in rows if r.case == case]
    shared = [k for k in ordered[0].metrics if all(k in r.metrics for r in ordered)]
    fig = plot.figure(10.0 + 2.5 * len(shared), 1.2 + 0.32 * len(ordered) + 0.25 * len(cases))
    grid = fig.add_gridspec(1, 1 + len(shared), width_ratios=[4.0] + [1.0] * len(shared))
    ax = fig.add_subplot(grid[0, 0])
    plot.style(ax)
    y, ticks, labels = 0.0, [], []
    for case in cases:
        for row in (r for r in ordered if r.case == case):
            ax.barh(y, row.median_s, color=colours[row.impl], height=0.75)
            ax.plot([row.median_s, max(row.p90_s, row.median_s)], [y, y], color="black",
                    linewidth=1.0)  # fmt: skip
            ticks.append(y)
            params = ", ".join(f"{k}={v}" for k, v in row.params.items())
            labels.append(f"{case} · {row.impl}" + (f" · {params}" if params else ""))
            y += 1.0
        y += 0.6
    ax.set_yticks(ticks, labels, fontsize="small")
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_seconds(v)))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("seconds per operation (median; whisker: 90th percentile), log scale")
    ax.set_title(f"portalis bench {name}", loc="left")
    handles = [plot_patch(colours[impl], impl) for impl in impls]
    ax.legend(handles=handles, loc="lower right", fontsize="small", framealpha=0.95)
    for k, metric in enumerate(shared, start=1):
        side = fig.add_subplot(grid[0, k], sharey=ax)
        plot.style(side)
        side.barh(ticks, [r.metrics[metric] for r in ordered], height=0.75,
                  color=[colours[r.impl] for r in ordered])  # fmt: skip
        side.set_xlabel(metric.replace("_", " "))
        side.tick_params(labelleft=False)
    plot.save_png(fig, path)
    return path


def plot_patch(colour: str, text: str) -> Any:
    from matplotlib.patches import Patch

    return Patch(color=colour, label=text)
