"""The warehouse demo's picture, drawn with matplotlib from what the result layer holds: the
floor plan seen from above with every robot's path in its own colour, orders released and
delivered over time, robots by status over time, and the fleet module's call times.

:func:`read_result` is also the tests' independent view of a run: it reads the robots' baked
poses, statuses and orders from USD, never the kernel's own state.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from portalis.demos.warehouse.layout import FLOOR, SHELF, WALL, Layout

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class Result:
    """A baked run, per time code (rows) and robot (columns)."""

    frames: np.ndarray  # time codes, the scene's own values first
    cells_x: np.ndarray  # int, frames × robots: the cell each robot's translate is in
    cells_y: np.ndarray
    headings: np.ndarray  # degrees, frames × robots
    status: np.ndarray  # int, frames × robots
    order: np.ndarray  # int, frames × robots
    delivered_series: np.ndarray  # the fleet's ``delivered`` output per computed frame
    delivered: int
    travelled: int
    call_ms: np.ndarray  # per-call times of the compiled fleet module (empty: none taken)

    @property
    def robots(self) -> int:
        return int(self.cells_x.shape[1])


def read_result(path: Path, cell_size: float | None = None) -> Result:
    """Read a baked warehouse run: every robot's translate, rotateZ and status at every time
    code the layer holds (robots ``/World/Robots/*``), and the order each serves (the fleet
    prim ``/World/Fleet``'s ``outputs:order``; -1 before the first computed frame)."""
    from pxr import Usd

    from portalis.demos.warehouse.scene import CELL, FLEET, ROBOTS

    size = cell_size or CELL
    stage = Usd.Stage.Open(str(path))
    robots = sorted(stage.GetPrimAtPath(ROBOTS).GetChildren(), key=lambda p: p.GetName())
    translates = [p.GetAttribute("xformOp:translate") for p in robots]
    frames = np.array(translates[0].GetTimeSamples(), dtype=np.float64)
    xyz = np.array([[tuple(a.Get(f)) for a in translates] for f in frames])
    rotate = [p.GetAttribute("xformOp:rotateZ") for p in robots]
    status = [p.GetAttribute("warehouse:status") for p in robots]
    fleet = stage.GetPrimAtPath(FLEET)
    order = fleet.GetAttribute("outputs:order")
    computed = set(order.GetTimeSamples())
    idle = [-1] * len(robots)
    delivered = fleet.GetAttribute("outputs:delivered")
    travelled = fleet.GetAttribute("outputs:travelled")
    samples = delivered.GetTimeSamples()
    return Result(
        frames=frames,
        cells_x=np.floor(xyz[:, :, 0] / size).astype(int),
        cells_y=np.floor(xyz[:, :, 1] / size).astype(int),
        headings=np.array([[a.Get(f) for a in rotate] for f in frames], dtype=np.float64),
        status=np.array([[a.Get(f) for a in status] for f in frames], dtype=int),
        order=np.array([list(order.Get(f)) if f in computed else idle for f in frames], dtype=int),
        delivered_series=np.array([delivered.Get(f) for f in samples], dtype=int),
        delivered=int(delivered.Get(samples[-1])) if samples else 0,
        travelled=int(travelled.Get(samples[-1])) if samples else 0,
        call_ms=np.zeros(0),
    )


def time_calls(wasm: Path, layout: Layout, frames: int) -> np.ndarray:
    """Per-call milliseconds of the compiled fleet module over ``frames`` steps of ``layout``
    (through the runtime's fast path, arrays already in memory after the first call)."""
    from portalis.runtime.kernel import load

    robots = layout.robots
    pose = np.zeros((robots, 3))
    heading = np.zeros(robots)
    status = np.zeros(robots, np.int32)
    order = np.zeros(robots, np.int32)
    times = []
    with load(wasm) as kernel:
        update = kernel.function("update")
        for _ in range(frames):
            t0 = time.perf_counter()
            update(
                layout.cells, layout.width, layout.height, layout.picks, layout.drops,
                layout.homes, layout.order_pick, layout.order_drop, layout.order_release,
                pose, heading, status, order, 1.0,
            )  # fmt: skip
            times.append((time.perf_counter() - t0) * 1000.0)
    return np.array(times[1:])  # the first call sets the fleet up


def render(result: Result, layout: Layout) -> Figure:
    """The preview, a matplotlib figure."""
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap

    from portalis.demos import plot
    from portalis.demos.warehouse.scene import STATUS_NAMES

    fig = plot.figure(15, 9)
    grid = fig.add_gridspec(3, 2, width_ratios=(1.15, 1.0))
    top = fig.add_subplot(grid[:, 0])
    plan = layout.cells.reshape(layout.height, layout.width)
    shade = np.where(plan == SHELF, 2, np.where(plan == WALL, 1, FLOOR))
    top.imshow(
        shade,
        origin="lower",
        cmap=ListedColormap(["#f4f4f2", "#6b6f75", "#b08a5e"]),
        vmin=0,
        vmax=2,
        extent=(0, layout.width, 0, layout.height),
        interpolation="nearest",
    )
    colours = colormaps["tab20"](np.linspace(0, 1, max(result.robots, 1)))
    for r in range(result.robots):
        top.plot(
            result.cells_x[:, r] + 0.5,
            result.cells_y[:, r] + 0.5,
            color=colours[r],
            lw=1.1,
            alpha=0.8,
        )
    for cells, marker, colour, label in (
        (layout.picks, "s", plot.GREEN, "pick station"),
        (layout.drops, "D", plot.BLUE, "drop zone"),
        (layout.homes, "o", plot.GREY, "home"),
    ):
        x, y = layout.xy(cells)
        top.scatter(x + 0.5, y + 0.5, s=14, marker=marker, color=colour, label=label, zorder=3)
    top.set_title(
        f"{layout.width}×{layout.height} cells, {result.robots} robots: paths from the baked poses"
    )
    top.set_xlim(0, layout.width)
    top.set_ylim(0, layout.height)
    top.set_aspect("equal")
    # Below the floor, not on it: inside, the legend hid drop zones in the top row.
    top.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3, fontsize=8, frameon=False)
    top.set_xlabel("x (cells)")
    top.set_ylabel("y (cells)")

    steps = np.arange(len(result.delivered_series))
    released = np.searchsorted(np.sort(layout.order_release), steps, side="right")
    deliveries = fig.add_subplot(grid[0, 1])
    deliveries.step(steps, released, where="post", color="#999999", label="released")
    deliveries.step(
        steps, result.delivered_series, where="post", color="#2f62c9", label="delivered"
    )
    deliveries.set_title(
        f"orders: {result.delivered} of {len(layout.order_pick)} delivered, "
        f"{result.travelled:,} cells travelled"
    )
    deliveries.set_xlabel("step")
    deliveries.legend(loc="lower right", fontsize=8)

    states = fig.add_subplot(grid[1, 1])
    computed = result.status[1:]
    counts = np.array([(computed == s).sum(axis=1) for s in range(len(STATUS_NAMES))])
    shown = [s for s in range(len(STATUS_NAMES)) if counts[s].any()]
    states.stackplot(
        np.arange(len(computed)),
        counts[shown],
        labels=[STATUS_NAMES[s] for s in shown],
        colors=colormaps["Set2"](np.arange(len(shown))),
    )
    states.set_title("robots by status")
    states.set_xlabel("step")
    states.set_ylim(0, result.robots)
    states.legend(loc="upper right", fontsize=7, ncol=3)

    hist = fig.add_subplot(grid[2, 1])
    if result.call_ms.size:
        hist.hist(result.call_ms * 1000.0, bins=60, color=plot.ORANGE)
        hist.axvline(np.median(result.call_ms) * 1000.0, color="black", lw=1)
        hist.set_yscale("log")
        hist.set_title(
            f"fleet update, compiled: median {np.median(result.call_ms) * 1000:.0f} µs, "
            f"max {result.call_ms.max():.2f} ms"
        )
    hist.set_xlabel("µs per step (all robots)")
    plot.style(hist)
    return fig
