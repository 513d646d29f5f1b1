"""N-body: the benchmarks-game planetary simulation (leapfrog steps, then the energy)."""

from __future__ import annotations

import numpy as np

NATURAL = """
import math

import numpy as np
from portalis.lang import Array, f64

SOLAR_MASS = 4.0 * math.pi * math.pi
DAYS_PER_YEAR = 365.24


def advance(pos: Array[f64, 2], vel: Array[f64, 2], mass: Array[f64], dt: float) -> None:
    n = len(mass)
    for i in range(n):
        for j in range(i + 1, n):
            dx = pos[i, 0] - pos[j, 0]
            dy = pos[i, 1] - pos[j, 1]
            dz = pos[i, 2] - pos[j, 2]
            mag = dt * (dx * dx + dy * dy + dz * dz) ** -1.5
            mi = mass[i] * mag
            mj = mass[j] * mag
            vel[i, 0] -= dx * mj
            vel[i, 1] -= dy * mj
            vel[i, 2] -= dz * mj
            vel[j, 0] += dx * mi
            vel[j, 1] += dy * mi
            vel[j, 2] += dz * mi
    for i in range(n):
        pos[i, 0] += dt * vel[i, 0]
        pos[i, 1] += dt * vel[i, 1]
        pos[i, 2] += dt * vel[i, 2]


def energy(pos: Array[f64, 2], vel: Array[f64, 2], mass: Array[f64]) -> float:
    e = 0.0
    n = len(mass)
    for i in range(n):
        e += 0.5 * mass[i] * (vel[i, 0] ** 2 + vel[i, 1] ** 2 + vel[i, 2] ** 2)
        for j in range(i + 1, n):
            dx = pos[i, 0] - pos[j, 0]
            dy = pos[i, 1] - pos[j, 1]
            dz = pos[i, 2] - pos[j, 2]
            e -= mass[i] * mass[j] / math.sqrt(dx * dx + dy * dy + dz * dz)
    return e


def offset_momentum(vel: Array[f64, 2], mass: Array[f64]) -> None:
    px = py = pz = 0.0
    for v, m in zip(vel, mass):
        px += v[0] * m
        py += v[1] * m
        pz += v[2] * m
    vel[0, 0] = -px / SOLAR_MASS
    vel[0, 1] = -py / SOLAR_MASS
    vel[0, 2] = -pz / SOLAR_MASS


def nbody(pos: Array[f64, 2], vel: Array[f64, 2], mass: Array[f64], steps: int) -> float:
    offset_momentum(vel, mass)
    for _ in range(steps):
        advance(pos, vel, mass, 0.01)
    return energy(pos, vel, mass)
"""

ADAPTED = None
WHY = ""
ENTRY = "nbody"
#: (bodies, steps)
SIZES = {"test": (5, 20), "quick": (5, 1000), "full": (5, 5000)}


def inputs(size: tuple[int, int]) -> tuple[object, ...]:
    bodies, steps = size
    rng = np.random.default_rng(1)
    solar_mass = 4.0 * np.pi * np.pi
    pos = rng.uniform(-5.0, 5.0, (bodies, 3))
    pos[0] = 0.0
    vel = rng.uniform(-1.0, 1.0, (bodies, 3)) * 365.24 * 1e-3
    mass = rng.uniform(1e-5, 1e-3, bodies) * solar_mass
    mass[0] = solar_mass
    return pos, vel, mass, steps
