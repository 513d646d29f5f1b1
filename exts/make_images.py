"""Draws the extension's icon and preview (data/icon.png, data/preview.png) with matplotlib.

    .venv/bin/pip install matplotlib && .venv/bin/python exts/make_images.py

The preview is the panel's content for the extension's test scene after 120 frames, taken
from a real run of the extension's session (no Kit needed), so it shows what the panel shows.
Not part of the extension (Kit never runs it); matplotlib is needed only here.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch, RegularPolygon

EXT = Path(__file__).resolve().parent / "portalis.wasm.runtime"
GREEN = "#76b900"  # the colour Omniverse's own extension icons use
DARK = "#1f2124"


def icon(path: Path) -> None:
    fig = plt.figure(figsize=(2.56, 2.56), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(-1, 1)
    ax.set_ylim(-1, 1)
    ax.axis("off")
    fig.patch.set_facecolor(DARK)
    ax.add_patch(RegularPolygon((0, 0), 6, radius=0.92, color=GREEN))
    ax.add_patch(RegularPolygon((0, 0), 6, radius=0.78, color=DARK))
    ax.text(0, 0.02, "W", ha="center", va="center", fontsize=72, weight="bold", color="white")
    ax.text(0, -0.55, "ASM", ha="center", va="center", fontsize=16, weight="bold", color=GREEN)
    fig.savefig(path, facecolor=DARK)
    plt.close(fig)


def panel_lines() -> tuple[str, list[str]]:
    sys.path.insert(0, str(EXT.parent.parent / "tests"))
    sys.path.insert(0, str(EXT))
    import kit_double

    kit_double.install()
    from portalis_wasm_runtime.panel_model import FrameTimes, build
    from portalis_wasm_runtime.session import StageSession
    from portalis_wasm_runtime.settings import DictStore, Settings
    from portalis_wasm_runtime.tests import scenes
    from portalis_wasm_runtime.trust import Trust
    from pxr import Usd

    with tempfile.TemporaryDirectory() as tmp:
        stage = Usd.Stage.Open(str(scenes.write_scene(Path(tmp))))
        settings = Settings(DictStore())
        session = StageSession(stage, settings, Trust(settings))
        session.allow(remember=False)
        frames = FrameTimes()
        session.play(0.0)
        for k in range(1, 121):
            session.update(k / scenes.FPS)
            frames.add(session.last_step_s)
        model = build(session, frames)
        session.close()
    lines = []
    for row in model.rows:
        mean = f"{row.mean_us:6.1f} µs" if row.mean_us is not None else "     -   "
        lines.append(f"{row.path:<17} {row.module:<8} {row.status:<12} {row.calls:>4}  {mean}")
    return model.overlay, lines


def preview(path: Path) -> None:
    overlay, lines = panel_lines()
    fig = plt.figure(figsize=(12.8, 7.2), dpi=100)
    fig.patch.set_facecolor(DARK)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 16)
    ax.set_ylim(0, 9)
    ax.axis("off")
    ax.add_patch(RegularPolygon((1.6, 7.4), 6, radius=0.9, color=GREEN))
    ax.add_patch(RegularPolygon((1.6, 7.4), 6, radius=0.74, color=DARK))
    ax.text(1.6, 7.4, "W", ha="center", va="center", fontsize=40, weight="bold", color="white")
    ax.text(3.0, 7.7, "Portalis WASM Runtime", fontsize=34, weight="bold", color="white")
    ax.text(
        3.0,
        6.9,
        "typed Python → sandboxed WebAssembly, run in USD stages every frame",
        fontsize=16,
        color="#c8c8c8",
    )
    ax.add_patch(FancyBboxPatch((0.8, 0.7), 14.4, 5.5, boxstyle="round,pad=0.1", color="#2b2d31"))
    ax.text(1.2, 5.7, "Loaded Modules", fontsize=18, weight="bold", color=GREEN)
    header = f"{'prim':<17} {'module':<8} {'status':<12} {'calls':>4}  {'mean':>8}"
    ax.text(1.2, 5.1, header, fontsize=14, family="monospace", color="#9a9a9a")
    for i, line in enumerate(lines):
        colour = "#ff6b6b" if "failed" in line else "white"
        ax.text(1.2, 4.5 - 0.55 * i, line, fontsize=14, family="monospace", color=colour)
    ax.text(1.2, 1.1, overlay, fontsize=15, family="monospace", color=GREEN)
    fig.savefig(path, facecolor=DARK)
    plt.close(fig)


if __name__ == "__main__":
    icon(EXT / "data" / "icon.png")
    preview(EXT / "data" / "preview.png")
    print("wrote", EXT / "data" / "icon.png", EXT / "data" / "preview.png")
