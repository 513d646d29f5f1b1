"""The projectile demo's picture: the ball's path as the run wrote it, side on, against the
closed-form parabola of the first flight, with the launch direction, the apex, the range and
every bounce marked, and a legend saying which is which."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from portalis.demos import plot

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class Figures:
    """The closed-form results the compiled kernel returned."""

    speed: float
    angle_deg: float
    gravity: float
    range_m: float
    max_height_m: float
    impact_time_s: float


def bounce_points(y: np.ndarray, contact_frames: np.ndarray) -> np.ndarray:
    """For each frame whose step reported a contact, the index of the lower of that frame and
    the one before: where the picture marks the bounce."""
    marks = [f - 1 if f > 0 and y[f - 1] < y[f] else f for f in contact_frames]
    return np.array(marks, dtype=int)


def closed_form(figures: Figures, height: float, n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """The first flight's parabola y(x) from the launch point to the closed-form range."""
    a = math.radians(figures.angle_deg)
    vx, vy = figures.speed * math.cos(a), figures.speed * math.sin(a)
    t = np.linspace(0.0, figures.impact_time_s, n)
    return vx * t, height + vy * t - 0.5 * figures.gravity * t * t


def render(
    times: np.ndarray,
    positions: np.ndarray,
    contact_frames: np.ndarray,
    radius: float,
    figures: Figures,
    height: float = 0.0,
) -> Figure:
    """The preview. ``positions`` holds the ball centre per frame (x, y, z);
    ``contact_frames`` the indices of the frames whose step reported a ground contact.
    Heights are the ball's lowest point (centre minus radius), what the closed form and the
    ground speak of."""
    x, y = positions[:, 0], positions[:, 1] - radius
    fig = plot.figure(12.0, 5.6)
    ax = fig.add_subplot()
    plot.style(ax)

    ax.axhspan(-1.0, 0.0, color="#8c6d46", alpha=0.25, linewidth=0)
    ax.axhline(0.0, color="#8c6d46", linewidth=1.5)

    ax.plot(
        x, y, color=plot.BLUE, linewidth=1.6, label="simulated path (every frame the run wrote)"
    )
    every = max(1, len(x) // 40)
    ax.plot(
        x[::every],
        y[::every],
        "o",
        color=plot.BLUE,
        markersize=4,
        markerfacecolor="white",
        label=f"simulated ball, every {every} frames ({every / len(x) * times[-1]:.2f} s)",
    )
    cx, cy = closed_form(figures, height)
    ax.plot(
        cx,
        cy,
        "--",
        color=plot.ORANGE,
        linewidth=2.2,
        label="closed form, first flight (compiled kernel)",
    )

    bounces = bounce_points(positions[:, 1], contact_frames)
    if len(bounces):
        ax.plot(
            x[bounces],
            np.zeros(len(bounces)),
            "v",
            color=plot.VERMILION,
            markersize=8,
            label=f"contact reported → collision handler ({len(bounces)} frames)",
        )

    peak_x = figures.range_m / 2.0
    ax.plot([peak_x], [figures.max_height_m], "D", color=plot.GREEN, markersize=7)
    ax.annotate(
        f"max height {figures.max_height_m:.3f} m\nat t = {figures.impact_time_s / 2:.3f} s",
        (peak_x, figures.max_height_m),
        xytext=(12, 6),
        textcoords="offset points",
        color=plot.GREEN,
    )
    ax.plot([figures.range_m], [0.0], "D", color=plot.GREEN, markersize=7)
    ax.annotate(
        f"range {figures.range_m:.3f} m\nimpact {figures.impact_time_s:.3f} s",
        (figures.range_m, 0.0),
        xytext=(-150, 14),
        textcoords="offset points",
        color=plot.GREEN,
    )

    # The launch direction: an arrow along the initial velocity, scaled to the picture.
    span = max(float(x.max()), figures.range_m)
    a = math.radians(figures.angle_deg)
    length = 0.12 * span
    ax.annotate(
        "",
        xy=(length * math.cos(a), height + length * math.sin(a)),
        xytext=(0.0, height),
        arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 2.0},
    )
    ax.annotate(
        f"launch {figures.speed:g} m/s at {figures.angle_deg:g}°",
        (length * math.cos(a), height + length * math.sin(a)),
        xytext=(6, 4),
        textcoords="offset points",
    )

    ax.set_xlim(min(-2.0, float(x.min()) - 1.0), span * 1.05 + 1.0)
    ax.set_ylim(-0.6, max(float(y.max()), figures.max_height_m) * 1.2 + radius)
    ax.set_xlabel("distance x (m)")
    ax.set_ylabel("height of the ball's lowest point (m)")
    ax.set_title(
        f"Projectile: {figures.speed:g} m/s at {figures.angle_deg:g}°, g = {figures.gravity:g} "
        f"m/s² — {len(times)} frames over {times[-1] - times[0]:.2f} s, run headless by Portalis",
        loc="left",
    )
    ax.legend(loc="upper right", framealpha=0.95)
    return fig
