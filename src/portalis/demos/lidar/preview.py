"""The LiDAR demo's picture, drawn with matplotlib from what the result layer holds: one frame's
raw scan and filtered cloud from above and from the side, and the points left after each
stage of the filter over the whole drive.

Also the demo's findings, measured against the scanner's labels (which shape each return
came from, or spurious): how much of the ground survives the filter, how many spurious returns
the outlier removal takes out, and how many object points it keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pxr import Usd

from portalis.demos import plot
from portalis.demos.lidar import kernel as k
from portalis.demos.lidar.scene import FILTER, FILTERED, RESULT, SCANNER

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The ground is the first shape the scanner reads (label 0).
GROUND_LABEL = 0
SPURIOUS_COLOUR = (0.9, 0.1, 0.1)
STAGES = ("scan", "in_crop", "voxels", "ground", "outliers", "count")
#: The filter's output holding each count (the kept points: the length of ``out_xyz``).
OUTPUTS = {
    "in_crop": "in_crop",
    "voxels": "voxels",
    "ground": "ground",
    "outliers": "outliers",
    "count": "out_xyz_count",
}


@dataclass
class Frame:
    """One frame as the result layer holds it."""

    time: float
    raw: np.ndarray  # (n, 3) sensor frame
    labels: np.ndarray  # (n,) shape row, or -1 spurious
    fate: np.ndarray  # (n,) what the filter did with each point (kernel.KEPT …)
    filtered: np.ndarray  # (m, 3)
    colours: np.ndarray  # (m, 3)
    counts: dict[str, int]


@dataclass(frozen=True)
class Quality:
    """How well one frame was filtered, against the scanner's ground truth."""

    ground_left: float  # fraction of ground returns still in the output
    spurious_removed: float  # of the spurious returns reaching outlier removal
    objects_kept: float  # of the object returns reaching outlier removal


def quality(frame: Frame) -> Quality:
    ground = frame.labels == GROUND_LABEL
    spurious = frame.labels == k.SPURIOUS
    objects = frame.labels > GROUND_LABEL
    reached = (frame.fate == k.KEPT) | (frame.fate == k.OUTLIER)
    return Quality(
        ground_left=_share(frame.fate[ground] == k.KEPT),
        spurious_removed=_share(frame.fate[spurious & reached] == k.OUTLIER),
        objects_kept=_share(frame.fate[objects & reached] == k.KEPT),
    )


def _share(mask: np.ndarray) -> float:
    return float(np.mean(mask)) if mask.size else float("nan")


def read_frames(result: Path) -> list[Frame]:
    """Every computed frame of ``result`` (frame 0 holds the scene as authored)."""
    stage = Usd.Stage.Open(str(result))
    scanner = stage.GetPrimAtPath(SCANNER)
    filt = stage.GetPrimAtPath(FILTER)
    cloud = stage.GetPrimAtPath(FILTERED)
    points_attr = scanner.GetAttribute("outputs:points")
    frames: list[Frame] = []
    start = stage.GetStartTimeCode()
    for time in points_attr.GetTimeSamples():
        if time <= start:  # the scene as authored (value clips hold their first frame there)
            continue
        raw = np.asarray(points_attr.Get(time), dtype=np.float32).reshape(-1, 3)
        if raw.size == 0:
            continue
        counts = {"scan": len(raw)}
        for name in STAGES[1:]:
            counts[name] = int(filt.GetAttribute("outputs:" + OUTPUTS[name]).Get(time))
        frames.append(
            Frame(
                time=float(time),
                raw=raw,
                labels=np.asarray(scanner.GetAttribute("outputs:labels").Get(time)),
                fate=np.asarray(filt.GetAttribute("outputs:fate").Get(time)),
                filtered=np.asarray(cloud.GetAttribute("points").Get(time)).reshape(-1, 3),
                colours=np.asarray(cloud.GetAttribute("primvars:displayColor").Get(time)).reshape(
                    -1, 3
                ),
                counts=counts,
            )
        )
    return frames


def make_preview(out_dir: Path) -> tuple[Figure, list[str]]:
    """The picture and findings for ``out_dir/result.usd``."""
    frames = read_frames(out_dir / RESULT)
    if not frames:
        raise ValueError(f"{out_dir / RESULT} holds no scans")
    picture = render(frames)
    qualities = [quality(f) for f in frames]
    shown = frames[len(frames) // 2]
    c = shown.counts
    findings = [
        f"frame {shown.time:g}: {c['scan']:,} returns → {c['in_crop']:,} in the crop box → "
        f"{c['voxels']:,} voxels → −{c['ground']:,} ground, −{c['outliers']:,} outliers → "
        f"{c['count']:,} points",
        f"over {len(frames)} frames: ground left ≤ "
        f"{max(q.ground_left for q in qualities):.2%}, spurious returns removed ≥ "
        f"{min(q.spurious_removed for q in qualities):.1%}, object points kept ≥ "
        f"{min(q.objects_kept for q in qualities):.1%}",
    ]
    return picture, findings


def render(frames: list[Frame]) -> Figure:
    """Top and side views of one frame, raw and filtered, and the points left after each
    stage over the drive."""
    from matplotlib.ticker import MaxNLocator

    shown = frames[len(frames) // 2]
    fig = plot.figure(14, 9.5)
    grid = fig.add_gridspec(3, 2, height_ratios=(2.4, 1.0, 1.1))
    raw_colours = _label_colours(shown.labels)
    top_raw = fig.add_subplot(grid[0, 0])
    top_raw.scatter(shown.raw[:, 0], shown.raw[:, 1], s=0.15, c=raw_colours, linewidths=0)
    spurious = shown.raw[shown.labels == k.SPURIOUS]
    top_raw.scatter(spurious[:, 0], spurious[:, 1], s=2.0, c=[SPURIOUS_COLOUR], linewidths=0)
    top_raw.set_title(
        f"raw scan, frame {shown.time:g}: {len(shown.raw):,} returns "
        "(grey ground, blue objects, red spurious)",
        fontsize=10,
    )
    top_filtered = fig.add_subplot(grid[0, 1], sharex=top_raw, sharey=top_raw)
    top_filtered.scatter(
        shown.filtered[:, 0], shown.filtered[:, 1], s=0.4, c=shown.colours, linewidths=0
    )
    top_filtered.set_title(
        f"filtered: {len(shown.filtered):,} voxel centroids (colour: height above ground)",
        fontsize=10,
    )
    for ax in (top_raw, top_filtered):
        ax.set_xlim(-42, 42)
        ax.set_ylim(-42, 42)
        ax.set_aspect("equal")
        ax.set_xlabel("x forward (m)")
        ax.set_ylabel("y left (m)")
        ax.plot([0], [0], marker="^", color="black", markersize=6)
    side_raw = fig.add_subplot(grid[1, 0])
    side_raw.scatter(shown.raw[:, 0], shown.raw[:, 2], s=0.15, c=raw_colours, linewidths=0)
    side_raw.scatter(spurious[:, 0], spurious[:, 2], s=2.0, c=[SPURIOUS_COLOUR], linewidths=0)
    side_raw.set_title("raw, from the side", fontsize=10)
    side_filtered = fig.add_subplot(grid[1, 1], sharex=side_raw, sharey=side_raw)
    side_filtered.scatter(
        shown.filtered[:, 0], shown.filtered[:, 2], s=0.4, c=shown.colours, linewidths=0
    )
    side_filtered.set_title("filtered, from the side", fontsize=10)
    for ax in (side_raw, side_filtered):
        ax.set_xlim(-42, 42)
        ax.set_ylim(-4, 8)
        ax.set_xlabel("x forward (m)")
        ax.set_ylabel("z up (m)")
    stages = fig.add_subplot(grid[2, :])
    times = [f.time for f in frames]
    for name, label in (
        ("scan", "returns"),
        ("in_crop", "in crop box"),
        ("voxels", "voxels"),
        ("ground", "ground voxels (removed)"),
        ("count", "after outlier removal"),
        ("outliers", "outlier voxels (removed)"),
    ):
        stages.plot(times, [f.counts[name] for f in frames], marker="o", markersize=3, label=label)
    stages.set_yscale("log")
    stages.xaxis.set_major_locator(MaxNLocator(integer=True))  # frames are whole numbers
    stages.set_xlabel("frame")
    stages.set_ylabel("points")
    stages.set_title("points per stage of the filter, every frame of the drive", fontsize=10)
    stages.legend(fontsize=8, ncol=2, loc="center left", bbox_to_anchor=(1.0, 0.5))
    stages.grid(True, which="both", alpha=0.3)
    return fig


def _label_colours(labels: np.ndarray) -> np.ndarray:
    colours = np.empty((len(labels), 3))
    colours[:] = (0.2, 0.35, 0.8)
    colours[labels == GROUND_LABEL] = (0.65, 0.65, 0.65)
    colours[labels == k.SPURIOUS] = SPURIOUS_COLOUR
    return colours
