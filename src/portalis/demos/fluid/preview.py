"""The fluid demo's picture, drawn with matplotlib from what the run recorded: the smoke in
the box's middle slice at a few moments, and per step the divergence before and after the
pressure projection and the mass of smoke."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from portalis.demos import plot

#: How many moments the slice row shows.
SLICES = 5


@dataclass(frozen=True)
class Frames:
    """The recorded run: time codes, smoke fields (frames, nx, ny, nz), the solid mask
    (nx, ny, nz), and the kernel's figures per step."""

    times: np.ndarray
    fields: np.ndarray
    solid: np.ndarray
    div_before: np.ndarray
    div_after: np.ndarray
    mass: np.ndarray
    max_speed: np.ndarray


def render(frames: Frames, fps: float) -> Any:
    """The picture, as a matplotlib figure."""
    fig = plot.figure(13, 8.5)
    # Two rows with their own columns, so the plots' axis labels below do not push the
    # slices apart; the slices share one colour scale, drawn beside them.
    outer = fig.add_gridspec(2, 1, height_ratios=(1.35, 1.0))
    row = outer[0].subgridspec(1, SLICES)
    below = outer[1].subgridspec(1, 2, width_ratios=(SLICES - 2, 2))
    n = len(frames.times)
    picks = np.linspace(n // SLICES, n - 1, SLICES).round().astype(int) if n else []
    mid = frames.solid.shape[2] // 2
    top = float(np.percentile(frames.fields[:, :, :, mid], 99.5)) if n else 1.0
    solid = frames.solid[:, :, mid].T
    slices = []
    image = None
    for column, index in enumerate(picks):
        ax = fig.add_subplot(row[0, column])
        slices.append(ax)
        image = ax.imshow(
            frames.fields[index, :, :, mid].T,
            origin="lower",
            cmap="inferno",
            vmin=0.0,
            vmax=max(top, 1e-9),
            interpolation="nearest",
        )
        ax.contour(solid, levels=[0.5], colors=plot.SKY, linewidths=1.2)
        ax.set_title(f"t = {frames.times[index] / fps:.2f} s", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    if image is not None:
        fig.colorbar(image, ax=slices, shrink=0.8, label="smoke density (top: 99.5th percentile)")
    fig.suptitle("Smoke density in the box's middle slice (x right, y up; blue: the obstacle)")

    seconds = frames.times / fps
    ax = fig.add_subplot(below[0, 0])
    ax.semilogy(seconds, frames.div_before, color=plot.VERMILION, label="before projection")
    ax.semilogy(seconds, frames.div_after, color=plot.BLUE, label="after projection")
    ratio = frames.div_after / np.maximum(frames.div_before, 1e-300)
    ax.set_title(f"max |∇·u| per step (after ≤ {ratio.max():.2g} × before)", fontsize=10)
    ax.set_xlabel("simulated time (s)")
    ax.set_ylabel("1/s")
    plot.style(ax)
    ax.legend(fontsize=9)

    ax = fig.add_subplot(below[0, 1])
    ax.plot(seconds, frames.mass, color=plot.GREY)
    ax.set_title("smoke in the box (density units · m³)", fontsize=10)
    ax.set_xlabel("simulated time (s)")
    plot.style(ax)
    return fig
