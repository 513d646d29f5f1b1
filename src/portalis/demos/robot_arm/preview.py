"""The robot-arm demo's picture: the arm in 3-D at several moments of the run, with the target
path and the end effector's trace; beside it the joint angles the module wrote and the distance
between end effector and target over time, on a log scale (it spans the first second's
catching up, centimetres, down to the solver's tolerance, micrometres)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from portalis.demos import plot
from portalis.demos.robot_arm.ur5 import joint_origins

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Errors below this are drawn at it: the log axis needs a floor (the solver often lands on the
#: target to the last bit), and a nanometre is far below the question ("does it follow?").
ERROR_FLOOR_MM = 1e-6


@dataclass(frozen=True)
class Run:
    """What the run wrote: joint angles (radians, frames × 6) and the targets it chased."""

    times: np.ndarray
    joints: np.ndarray
    targets: np.ndarray
    control_mode: str


def render(run: Run) -> tuple[Figure, np.ndarray]:
    """The preview, and the end effector's distance to its target per frame (mm)."""
    chains = np.array([joint_origins(q) for q in run.joints])
    tips = chains[:, -1, :]
    errors_mm = np.linalg.norm(tips - run.targets, axis=1) * 1000.0
    t = run.times

    fig = plot.figure(14.0, 7.0)
    grid = fig.add_gridspec(2, 2, width_ratios=(1.15, 1.0))
    view = fig.add_subplot(grid[:, 0], projection="3d")
    _arm_view(view, chains, run.targets, tips)

    angles = fig.add_subplot(grid[0, 1])
    plot.style(angles)
    for j in range(6):
        angles.plot(t, np.degrees(run.joints[:, j]), color=plot.JOINTS[j], label=f"joint {j + 1}")
    angles.set_ylabel("joint angle (°)")
    angles.set_title("joint angles the module wrote (xformOp:rotateZ)", loc="left")
    angles.legend(ncol=3, fontsize="small", loc="upper right", framealpha=0.95)
    angles.tick_params(labelbottom=False)

    error = fig.add_subplot(grid[1, 1], sharex=angles)
    plot.style(error)
    error.semilogy(
        t,
        np.maximum(errors_mm, ERROR_FLOOR_MM),
        color=plot.VERMILION,
        label="end effector to target, FK of the written angles",
    )
    settled = errors_mm[len(errors_mm) // 4 :]
    error.axhline(1.0, color=plot.GREY, linestyle="--", linewidth=1.0, label="1 mm (SPEC goal)")
    error.axhline(
        float(np.median(settled)),
        color=plot.BLUE,
        linestyle=":",
        linewidth=1.5,
        label=f"median after the first quarter: {np.median(settled):.1e} mm",
    )
    error.set_ylim(ERROR_FLOOR_MM / 2, max(10.0, float(errors_mm.max()) * 2))
    error.set_xlabel("time (s)")
    error.set_ylabel("tracking error (mm, log scale)")
    error.legend(fontsize="small", loc="upper right", framealpha=0.95)

    fig.suptitle(
        f"UR5 arm following a target path ({run.control_mode} control): {len(t)} frames over "
        f"{t[-1] - t[0]:.2f} s; tracking error after the first quarter at most "
        f"{settled.max():.3f} mm",
        x=0.01,
        horizontalalignment="left",
    )
    return fig, errors_mm


def _arm_view(ax: Any, chains: np.ndarray, targets: np.ndarray, tips: np.ndarray) -> None:
    """The arm at six moments (latest darkest), the target path and the end effector trace."""
    ax.plot(*targets.T, color=plot.ORANGE, linewidth=6, alpha=0.45, label="target path")
    ax.plot(*tips.T, color=plot.BLUE, linewidth=1.5, label="end effector (FK of written angles)")
    moments = np.linspace(0, len(chains) - 1, 6).round().astype(int)
    for n, i in enumerate(moments):
        last = n == len(moments) - 1
        chain = chains[i]
        ax.plot(
            *chain.T,
            color="#3c465a",
            linewidth=4 if last else 2.5,
            alpha=1.0 if last else 0.2 + 0.1 * n,
            marker="o",
            markersize=5 if last else 3,
            label="arm, latest frame" if last else ("arm, earlier moments" if n == 0 else None),
        )
    half = 0.7
    floor = np.linspace(-half, half, 8)
    for g in floor:
        ax.plot([g, g], [-half, half], [0, 0], color="#dddddd", linewidth=0.6)
        ax.plot([-half, half], [g, g], [0, 0], color="#dddddd", linewidth=0.6)
    ax.set_xlim(-half, half)
    ax.set_ylim(-half, half)
    ax.set_zlim(0.0, 2 * half * 0.75)
    ax.set_box_aspect((1.0, 1.0, 0.75))
    ax.view_init(elev=22, azim=-125)
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    ax.set_zlabel("z (m)")
    ax.legend(loc="upper left", fontsize="small")
