"""The sweep's summary: ``DIR/summary.csv`` (and ``summary.parquet`` when pyarrow is
installed), one row per variant, and ``DIR/metric-NAME.png`` per metric (with matplotlib,
the ``plot`` extra).

Columns, in this order: ``variant``; one per varied attribute (its path); ``status`` (ok,
failed, error, interrupted, lost, or ``not run`` for a variant a stopped sweep never
reached); ``seconds`` (the variant's run time in its worker); ``frames``; then every
``outputs:*`` at the last frame and every ``metric:NAME``, in the order they first appear;
``message`` last (the runner's failures, empty when ok). Floats are written as Python's
``repr`` (they read back to the same value).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from portalis.sweep.design import Variant
from portalis.sweep.folder import write_atomically

CSV_FILE = "summary.csv"
PARQUET_FILE = "summary.parquet"
NOT_RUN = "not run"


def table(
    variants: Sequence[Variant], rows: Mapping[int, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The summary as records, one per variant in order, every record with every column."""
    parameters = list(variants[0].values) if variants else []
    extra: dict[str, None] = {}
    for variant in variants:
        for name in rows.get(variant.index, {}).get("columns", {}):
            extra.setdefault(name, None)
    records = []
    for variant in variants:
        row = rows.get(variant.index)
        record: dict[str, Any] = {"variant": variant.index}
        record.update({p: variant.values[p] for p in parameters})
        if row is None:
            record.update({"status": NOT_RUN, "seconds": "", "frames": ""})
            record.update({name: "" for name in extra})
            record["message"] = ""
        else:
            record.update(
                {"status": row["status"], "seconds": row["seconds"], "frames": row["frames"]}
            )
            record.update({name: row["columns"].get(name, "") for name in extra})
            record["message"] = row["message"]
        records.append(record)
    return records


def write_summary(folder: Path, records: list[dict[str, Any]]) -> list[Path]:
    """Write the CSV (and Parquet, when pyarrow is there); return the paths written."""
    text = io.StringIO()
    if records:
        writer = csv.DictWriter(text, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow({k: repr(v) if isinstance(v, float) else v for k, v in record.items()})
    write_atomically(folder / CSV_FILE, text.getvalue().encode())
    written = [folder / CSV_FILE]
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return written
    columns = {name: [_cell(r[name]) for r in records] for name in (records[0] if records else {})}
    pq.write_table(pa.table(columns), folder / PARQUET_FILE)
    written.append(folder / PARQUET_FILE)
    return written


def _cell(value: Any) -> Any:
    return None if value == "" else value


def plot_metrics(
    folder: Path, records: list[dict[str, Any]], parameters: Sequence[str]
) -> list[Path]:
    """One picture per ``metric:*`` column: the metric against each varied parameter (one
    panel each; with two or more parameters, the points coloured by the next one)."""
    from portalis.demos import plot

    if not plot.available() or not records:
        return []
    written = []
    metrics = [name for name in records[0] if name.startswith("metric:")]
    for metric in metrics:
        done = [r for r in records if isinstance(r[metric], float)]
        if not done:
            continue
        fig = plot.figure(4.2 * len(parameters), 3.6)
        axes = fig.subplots(1, len(parameters), squeeze=False)[0]
        for k, (ax, name) in enumerate(zip(axes, parameters, strict=True)):
            x = [r[name] for r in done]
            y = [r[metric] for r in done]
            if len(parameters) > 1:
                other = parameters[(k + 1) % len(parameters)]
                shade = ax.scatter(x, y, c=[r[other] for r in done], cmap="viridis", s=18)
                fig.colorbar(shade, ax=ax, label=_short(other))
            else:
                order = sorted(range(len(x)), key=x.__getitem__)
                ax.plot([x[i] for i in order], [y[i] for i in order], "o-", color=plot.BLUE)
            ax.set_xlabel(_short(name))
            ax.set_ylabel(metric)
            plot.style(ax)
        fig.suptitle(f"{metric} over {len(done)} variants")
        target = folder / f"{metric.replace(':', '-')}.png"
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        write_atomically(target, buffer.getvalue())
        written.append(target)
    return written


def _short(attribute: str) -> str:
    """``/World/Physics.inputs:speed`` → ``Physics.inputs:speed``."""
    return attribute.rsplit("/", 1)[-1]
