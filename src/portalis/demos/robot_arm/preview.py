"""The robot-arm demo's picture: the arm, seen obliquely, at several moments of the run, with
the target path and the end effector's trace; beside it the joint angles the module wrote and
the distance between end effector and target, over time."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from portalis.demos._canvas import BLACK, GREY, LIGHT, Axes, Canvas

#: UR5 DH table (d, a, alpha), as in the kernel.
DH = (
    (0.089159, 0.0, math.pi / 2),
    (0.0, -0.425, 0.0),
    (0.0, -0.39225, 0.0),
    (0.10915, 0.0, math.pi / 2),
    (0.09465, 0.0, -math.pi / 2),
    (0.0823, 0.0, 0.0),
)
JOINT_COLOURS = (
    (228, 26, 28),
    (55, 126, 184),
    (77, 175, 74),
    (152, 78, 163),
    (255, 127, 0),
    (166, 86, 40),
)
ARM_COLOUR = (60, 70, 90)
TARGET_COLOUR = (214, 96, 77)
TRACE_COLOUR = (33, 102, 172)


@dataclass(frozen=True)
class Run:
    """What the run wrote: joint angles (radians, frames × 6) and the targets it chased."""

    times: np.ndarray
    joints: np.ndarray
    targets: np.ndarray
    control_mode: str


def joint_origins(q: np.ndarray) -> np.ndarray:
    """The base and the six frame origins (7 × 3) for one configuration."""
    t = np.eye(4)
    points = [t[:3, 3].copy()]
    for theta, (d, a, alpha) in zip(q, DH, strict=True):
        ct, st, ca, sa = math.cos(theta), math.sin(theta), math.cos(alpha), math.sin(alpha)
        t = t @ np.array(
            [
                [ct, -st * ca, st * sa, a * ct],
                [st, ct * ca, -ct * sa, a * st],
                [0.0, sa, ca, d],
                [0.0, 0.0, 0.0, 1.0],
            ]
        )
        points.append(t[:3, 3].copy())
    return np.array(points)


class Oblique:
    """An orthographic view of the Z-up world from a given azimuth and elevation."""

    def __init__(self, azimuth_deg: float, elevation_deg: float) -> None:
        a, e = math.radians(azimuth_deg), math.radians(elevation_deg)
        self.right = np.array([-math.sin(a), math.cos(a), 0.0])
        self.up = np.array([-math.cos(a) * math.sin(e), -math.sin(a) * math.sin(e), math.cos(e)])

    def project(self, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return p @ self.right, p @ self.up


def render(run: Run) -> tuple[np.ndarray, np.ndarray]:
    """The preview as an RGB array, and the end effector's distance to its target per frame
    (mm)."""
    canvas = Canvas(1400, 760)
    view = Oblique(azimuth_deg=-125.0, elevation_deg=22.0)
    chains = np.array([joint_origins(q) for q in run.joints])
    tips = chains[:, -1, :]
    errors_mm = np.linalg.norm(tips - run.targets, axis=1) * 1000.0

    # -- the 3-D view -------------------------------------------------------------------------
    half = 0.7
    grid = np.linspace(-half, half, 15)  # 10 cm squares
    u_all, v_all = view.project(np.concatenate([chains.reshape(-1, 3), run.targets]))
    corners = np.array([[x, y, 0.0] for x in (-half, half) for y in (-half, half)])
    cu, cv = view.project(corners)
    lo_u, hi_u = min(u_all.min(), cu.min()), max(u_all.max(), cu.max())
    lo_v, hi_v = min(v_all.min(), cv.min()), max(v_all.max(), cv.max())
    pad = 0.05
    axes = Axes(canvas, (20, 100, 830, 750), (lo_u - pad, hi_u + pad), (lo_v - pad, hi_v + pad))
    for g in grid:
        for a, b in (((g, -half, 0.0), (g, half, 0.0)), ((-half, g, 0.0), (half, g, 0.0))):
            (u0, u1), (v0, v1) = view.project(np.array([a, b]))
            x0, y0 = axes.px(u0, v0)
            x1, y1 = axes.px(u1, v1)
            canvas.line(float(x0), float(y0), float(x1), float(y1), LIGHT, 1.0)
    for axis, colour, name in (
        ((0.3, 0, 0), (228, 26, 28), "X"),
        ((0, 0.3, 0), (77, 175, 74), "Y"),
    ):
        (u0, u1), (v0, v1) = view.project(np.array([(0.0, 0.0, 0.0), axis]))
        x0, y0 = axes.px(u0, v0)
        x1, y1 = axes.px(u1, v1)
        canvas.line(float(x0), float(y0), float(x1), float(y1), colour, 2.0)
        canvas.text(float(x1) + 4, float(y1) - 6, name, colour)

    tu, tv = view.project(run.targets)
    px, py = axes.px(tu, tv)
    canvas.polyline(px, py, TARGET_COLOUR, 7.0, alpha=0.45)
    eu, ev = view.project(tips)
    px, py = axes.px(eu, ev)
    canvas.polyline(px, py, TRACE_COLOUR, 2.0)

    moments = np.linspace(0, len(chains) - 1, 6).round().astype(int)
    for n, i in enumerate(moments):
        last = n == len(moments) - 1
        alpha = 1.0 if last else 0.25 + 0.1 * n
        u, v = view.project(chains[i])
        xs, ys = axes.px(u, v)
        canvas.polyline(xs, ys, ARM_COLOUR, 9.0 if last else 6.0, alpha)
        for j in range(1, 7):
            canvas.disk(
                float(xs[j]), float(ys[j]), 5.0 if last else 3.5, JOINT_COLOURS[j - 1], alpha
            )
        canvas.disk(float(xs[-1]), float(ys[-1]), 5.0, TRACE_COLOUR, alpha)
    bu, bv = view.project(np.array([[0.0, 0.0, 0.0]]))
    bx, by = axes.px(bu, bv)
    canvas.rect(float(bx[0]) - 22, float(by[0]) - 4, float(bx[0]) + 22, float(by[0]) + 10, BLACK)

    # -- joint angles and tracking error over time ---------------------------------------------
    t = run.times
    degrees = np.degrees(run.joints)
    angle_axes = Axes(
        canvas,
        (880, 130, 1370, 420),
        (t[0], t[-1]),
        (min(-200.0, degrees.min()), max(200.0, degrees.max())),
        equal_aspect=False,
    )
    angle_axes.frame("TIME (S)", "JOINT ANGLES (DEG)")
    for j in range(6):
        xs, ys = angle_axes.px(t, degrees[:, j])
        canvas.polyline(xs, ys, JOINT_COLOURS[j], 2.0)
    for j in range(6):
        canvas.text(880 + j * 80, 470, f"J{j + 1}", JOINT_COLOURS[j])
    error_axes = Axes(
        canvas,
        (880, 540, 1370, 700),
        (t[0], t[-1]),
        (0.0, max(1.0, float(errors_mm.max()) * 1.1)),
        equal_aspect=False,
    )
    error_axes.frame("TIME (S)", "END EFFECTOR TO TARGET (MM)")
    xs, ys = error_axes.px(t, errors_mm)
    canvas.polyline(xs, ys, TARGET_COLOUR, 2.0)

    canvas.text(
        30, 20, f"UR5 ARM FOLLOWING A TARGET PATH ({run.control_mode.upper()} MODE)", BLACK, 3
    )
    settled = errors_mm[len(errors_mm) // 4 :]
    canvas.text(
        30,
        54,
        f"{len(t)} FRAMES OVER {t[-1] - t[0]:.2f} S   TRACKING ERROR AFTER THE FIRST QUARTER: "
        f"MEDIAN {np.median(settled):.3f} MM, MAX {settled.max():.3f} MM",
        GREY,
    )
    canvas.text(
        30,
        74,
        "WIDE RED: TARGET PATH   BLUE: END EFFECTOR   ARM SHOWN AT 6 MOMENTS (LATEST DARKEST)",
        GREY,
    )
    return canvas.image(), errors_mm
