"""The projectile demo's picture: the ball's path as the run wrote it, side on, with the
bounces marked, the ball drawn every so often, and the closed-form figures in the title."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from portalis.demos._canvas import BLACK, GREY, Axes, Canvas

PATH_COLOUR = (33, 102, 172)
BALL_COLOUR = (214, 96, 77)
BOUNCE_COLOUR = (178, 24, 43)
GROUND_COLOUR = (120, 98, 70)
PEAK_COLOUR = (77, 146, 33)


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


def render(
    times: np.ndarray,
    positions: np.ndarray,
    contact_frames: np.ndarray,
    radius: float,
    figures: Figures,
) -> np.ndarray:
    """The preview as an RGB array. ``positions`` holds the ball centre per frame (x, y, z);
    ``contact_frames`` the indices of the frames whose step reported a ground contact."""
    x, y = positions[:, 0], positions[:, 1]
    canvas = Canvas(1200, 660)
    top_y = max(float(y.max()), figures.max_height_m) * 1.15 + radius
    axes = Axes(
        canvas,
        (90, 135, 1160, 580),
        (min(-2.0, float(x.min()) - 1.0), float(x.max()) * 1.04 + 1.0),
        (-0.5, top_y),
        equal_aspect=False,
    )
    axes.frame("DISTANCE X (M)", "HEIGHT Y (M)")
    gx0, gy = axes.px(axes.x0, 0.0)
    gx1, _ = axes.px(axes.x1, 0.0)
    canvas.rect(float(gx0), float(gy), float(gx1), axes.bottom, GROUND_COLOUR, 0.35)
    canvas.line(float(gx0), float(gy), float(gx1), float(gy), GROUND_COLOUR, 2.0)

    # The launcher: a short ramp at the origin along the launch direction.
    lx, ly = axes.px(0.0, 0.0)
    direction = np.radians(figures.angle_deg)
    tip_x = float(lx) + 40 * np.cos(direction)
    tip_y = float(ly) - 40 * np.sin(direction)
    canvas.line(float(lx), float(ly), tip_x, tip_y, BLACK, 6.0)

    # The path of the ball's lowest point (centre minus radius), as the run computed it.
    px, py = axes.px(x, y - radius)
    canvas.polyline(px, py, PATH_COLOUR, 2.5)
    every = max(1, len(x) // 24)
    ball_px = max(4.0, radius * axes.sy)
    for i in range(0, len(x), every):
        # Resting on the drawn path (the axes' aspect is free, so the ball is drawn round).
        canvas.disk(float(px[i]), float(py[i]) - ball_px, ball_px, BALL_COLOUR, 0.35)

    bounces = bounce_points(y, contact_frames)
    for n, i in enumerate(bounces):
        bx, by = axes.px(x[i], 0.0)
        canvas.ring(float(bx), float(by), 7.0, BOUNCE_COLOUR, 2.5)
        if n < 4:  # later bounces crowd together
            canvas.text(float(bx), float(by) - 30, f"{n + 1}", BOUNCE_COLOUR, 2, "centre")

    # The closed-form apex and range, for comparison with the simulated path.
    peak_x = figures.range_m / 2.0 if figures.angle_deg > 0 else 0.0
    ax_, ay_ = axes.px(peak_x, figures.max_height_m)
    canvas.disk(float(ax_), float(ay_), 4.0, PEAK_COLOUR)
    canvas.text(float(ax_) + 10, float(ay_) - 22, f"MAX {figures.max_height_m:.3f} M", PEAK_COLOUR)
    rx, ry = axes.px(figures.range_m, 0.0)
    canvas.line(float(rx), float(ry) - 14, float(rx), float(ry) + 14, PEAK_COLOUR, 3.0)
    canvas.text(float(rx) + 8, float(ry) + 16, f"RANGE {figures.range_m:.3f} M", PEAK_COLOUR)

    canvas.text(
        90,
        20,
        f"PROJECTILE: {figures.speed:g} M/S AT {figures.angle_deg:g}°, G = {figures.gravity:g}",
        BLACK,
        3,
    )
    canvas.text(
        90,
        52,
        f"IMPACT {figures.impact_time_s:.3f} S   {len(bounces)} FRAMES WITH A BOUNCE   "
        f"{len(times)} FRAMES OVER {times[-1] - times[0]:.2f} S",
        GREY,
        2,
    )
    canvas.text(
        90,
        72,
        f"BLUE: PATH THE RUN WROTE   PINK: BALL EVERY {every} FRAMES   GREEN: CLOSED FORM   "
        "RED: CONTACTS",
        GREY,
        2,
    )
    return canvas.image()
