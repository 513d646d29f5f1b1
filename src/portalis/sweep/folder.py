"""A sweep's output folder, and how a re-run resumes it::

    DIR/sweep.json              what this sweep is (scene and its hash, specs, seed, range)
    DIR/variants/0000/variant.usda   the override layer (sublayers the scene)
    DIR/variants/0000/result.usd     the result, as ``portalis run`` writes it
    DIR/variants/0000/done.json      the variant's summary row: written last, atomically
    DIR/summary.csv …           (portalis.sweep.summary)

A variant is complete when its ``done.json`` exists; every file is written beside its target
and renamed into place, so a crash or Ctrl-C leaves a variant either complete or not, never
half-written. Running the same command again skips the complete variants. Running another
sweep (other specs, or a scene that changed since) into the same folder is refused: its
results would be mixed with these.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from portalis.sweep.design import SweepError, Variant
from portalis.sweep.variant import OVERRIDE_FILE, Outcome, override_layer

RECORD_FILE = "sweep.json"
DONE_FILE = "done.json"


class SweepFolder:
    """``DIR``: its record, its variants' folders and their done markers."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def claim(self, record: dict[str, Any]) -> None:
        """Start or resume the sweep ``record`` describes in this folder."""
        path = self.root / RECORD_FILE
        if path.is_file():
            try:
                existing = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                raise SweepError(f"{path}: unreadable ({e})") from None
            if existing != record:
                changed = sorted(k for k in record.keys() | existing.keys()
                                 if existing.get(k) != record.get(k))  # fmt: skip
                raise SweepError(
                    f"{self.root} holds another sweep (it differs in: {', '.join(changed)})",
                    hint="run the same command to resume it, or choose another -o folder",
                )
            return
        if self.root.exists() and any(self.root.iterdir()):
            raise SweepError(
                f"{self.root} is not empty and holds no sweep",
                hint="choose a new or empty -o folder",
            )
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise SweepError(f"cannot create {self.root}: {e.strerror}") from None
        write_atomically(path, json.dumps(record, indent=1).encode() + b"\n")

    def variant_folder(self, variant: Variant) -> Path:
        return self.root / "variants" / variant.name

    def prepare(self, scene: Path, variant: Variant) -> None:
        """Write the variant's override layer (what it ran, for anyone reading the folder)."""
        folder = self.variant_folder(variant)
        target = folder / OVERRIDE_FILE
        if target.is_file():
            return
        folder.mkdir(parents=True, exist_ok=True)
        relative = Path(os.path.relpath(scene.resolve(), folder.resolve())).as_posix()
        layer = override_layer(scene, variant.values, relative)
        write_atomically(target, layer.ExportToString().encode())

    def completed(self, variants: list[Variant]) -> dict[int, dict[str, Any]]:
        """The summary rows of the variants a previous run completed."""
        rows = {}
        for variant in variants:
            done = self.variant_folder(variant) / DONE_FILE
            if done.is_file():
                try:
                    rows[variant.index] = json.loads(done.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue  # unreadable: run it again
        return rows

    def keep(self, variant: Variant, outcome: Outcome) -> dict[str, Any]:
        """Write a complete outcome's files, then its done marker; return its row."""
        folder = self.variant_folder(variant)
        for name, data in outcome.files.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(target, data)
        row = summary_row(variant, outcome)
        write_atomically(folder / DONE_FILE, json.dumps(row, indent=1).encode() + b"\n")
        return row


def summary_row(variant: Variant, outcome: Outcome) -> dict[str, Any]:
    """One variant's row: its number, parameters, status, message, run time, frames, and the
    columns (last-frame outputs, metrics)."""
    return {
        "variant": variant.index,
        "parameters": dict(variant.values),
        "status": outcome.status,
        "message": outcome.message,
        "seconds": outcome.seconds,
        "frames": outcome.frames,
        "columns": dict(outcome.columns),
    }


def write_atomically(target: Path, data: bytes) -> None:
    """Write beside ``target`` and rename over it."""
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temp.write_bytes(data)
        os.replace(temp, target)
    except OSError as e:
        temp.unlink(missing_ok=True)
        raise SweepError(f"{target}: cannot write: {e.strerror}") from None
