"""The UR5's kinematic chain as the scene and the picture need it: one DH table, taken from
the kernel's own constants (kernel.py, the one place the numbers are written), the home
posture, and forward kinematics in NumPy for drawing the arm."""

from __future__ import annotations

import math

import numpy as np

from portalis.demos.robot_arm import kernel

#: UR5 DH table, one row per joint: (d, a, alpha).
DH = (
    (kernel.D1, 0.0, math.pi / 2),
    (0.0, kernel.A2, 0.0),
    (0.0, kernel.A3, 0.0),
    (kernel.D4, 0.0, math.pi / 2),
    (kernel.D5, 0.0, -math.pi / 2),
    (kernel.D6, 0.0, 0.0),
)
#: Upper arm up, forearm forward, tool down (radians): where the arm starts.
HOME = (0.0, -math.pi / 2, math.pi / 2, -math.pi / 2, -math.pi / 2, 0.0)


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
