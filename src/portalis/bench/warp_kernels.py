# ruff: noqa: UP018, RUF046  (Warp needs int(0): a bare literal is a constant its loops cannot update)
"""NVIDIA Warp (CPU) versions of the compiler benchmark's kernels, the peer ``portalis bench
compiler`` measures when ``warp-lang`` is installed (``pip install 'portalis[bench]'``).

Warp compiles ``@wp.kernel`` functions from their source file (not from a string), so they live
here, in Warp's model: one thread per outer iteration, reductions by ``wp.atomic_add``, every
float an explicit ``float64`` (Warp's literals are float32) so each computes what the Python
source computes. Warp's CPU backend runs a launch on one thread, as a Portalis module does.
Imported only when Warp is installed; the first run compiles (≈ 15 s), later runs use Warp's
kernel cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import warp as wp

wp.config.quiet = True
DEVICE = "cpu"
F = wp.float64


@wp.kernel
def _mandelbrot(
    width: int,
    height: int,
    max_iter: int,
    total: wp.array(dtype=wp.int32),  # type: ignore[valid-type]
) -> None:
    tid = wp.tid()
    py = tid // width
    px = tid - py * width
    ci = F(-1.2) + F(2.4) * F(py) / F(height)
    cr = F(-2.0) + F(3.0) * F(px) / F(width)
    zr = F(0.0)
    zi = F(0.0)
    n = int(0)
    while n < max_iter and zr * zr + zi * zi <= F(4.0):
        t = zr * zr - zi * zi + cr
        zi = F(2.0) * zr * zi + ci
        zr = t
        n += 1
    wp.atomic_add(total, 0, n)


@wp.kernel
def _primes(count: wp.array(dtype=wp.int32)) -> None:  # type: ignore[valid-type]
    n = wp.tid() + 2
    d = int(2)
    prime = int(1)
    while d * d <= n:
        if n % d == 0:
            prime = 0
            break
        d += 1
    wp.atomic_add(count, 0, prime)


@wp.kernel
def _nbody(
    pos: wp.array2d(dtype=F),  # type: ignore[valid-type]
    mass: wp.array(dtype=F),  # type: ignore[valid-type]
    e: wp.array(dtype=F),  # type: ignore[valid-type]
) -> None:
    i = wp.tid()
    n = pos.shape[0]
    acc = F(0.0)
    for j in range(i + 1, n):
        dx = pos[i, 0] - pos[j, 0]
        dy = pos[i, 1] - pos[j, 1]
        dz = pos[i, 2] - pos[j, 2]
        acc -= mass[i] * mass[j] / wp.sqrt(dx * dx + dy * dy + dz * dz + F(1e-9))
    wp.atomic_add(e, 0, acc)


@wp.kernel
def _jacobi_sweep(
    grid: wp.array2d(dtype=F),  # type: ignore[valid-type]
    out: wp.array2d(dtype=F),  # type: ignore[valid-type]
    delta: wp.array(dtype=F),  # type: ignore[valid-type]
) -> None:
    i, j = wp.tid()
    i += 1
    j += 1
    v = F(0.25) * (grid[i - 1, j] + grid[i + 1, j] + grid[i, j - 1] + grid[i, j + 1])
    wp.atomic_add(delta, 0, wp.abs(v - grid[i, j]))
    out[i, j] = v


@wp.kernel
def _jacobi_copy(grid: wp.array2d(dtype=F), out: wp.array2d(dtype=F)) -> None:  # type: ignore[valid-type]
    i, j = wp.tid()
    grid[i + 1, j + 1] = out[i + 1, j + 1]


@wp.kernel
def _trig_sum(xs: wp.array(dtype=F), s: wp.array(dtype=F)) -> None:  # type: ignore[valid-type]
    i = wp.tid()
    x = xs[i]
    wp.atomic_add(s, 0, wp.sin(x) * wp.cos(x) + wp.exp(-x * x) + wp.atan2(x, F(1.5)))


def mandelbrot(width: int, height: int, max_iter: int) -> int:
    total = wp.zeros(1, dtype=wp.int32, device=DEVICE)
    wp.launch(_mandelbrot, dim=width * height, inputs=[width, height, max_iter, total],
              device=DEVICE)  # fmt: skip
    return int(total.numpy()[0])


def primes(limit: int) -> int:
    count = wp.zeros(1, dtype=wp.int32, device=DEVICE)
    wp.launch(_primes, dim=max(0, limit - 2), inputs=[count], device=DEVICE)
    return int(count.numpy()[0])


def nbody_energy(pos: np.ndarray, mass: np.ndarray) -> float:
    e = wp.zeros(1, dtype=F, device=DEVICE)
    wp.launch(_nbody, dim=pos.shape[0], device=DEVICE,
              inputs=[wp.array(pos, dtype=F, device=DEVICE, copy=False),
                      wp.array(mass, dtype=F, device=DEVICE, copy=False), e])  # fmt: skip
    return float(e.numpy()[0])


def jacobi(grid: np.ndarray, out: np.ndarray, sweeps: int) -> float:
    g = wp.array(grid, dtype=F, device=DEVICE, copy=False)
    o = wp.array(out, dtype=F, device=DEVICE, copy=False)
    inner = (grid.shape[0] - 2, grid.shape[1] - 2)
    delta = wp.zeros(1, dtype=F, device=DEVICE)
    for _ in range(sweeps):
        delta.zero_()
        wp.launch(_jacobi_sweep, dim=inner, inputs=[g, o, delta], device=DEVICE)
        wp.launch(_jacobi_copy, dim=inner, inputs=[g, o], device=DEVICE)
    return float(delta.numpy()[0])


def trig_sum(xs: np.ndarray) -> float:
    s = wp.zeros(1, dtype=F, device=DEVICE)
    wp.launch(_trig_sum, dim=len(xs), inputs=[wp.array(xs, dtype=F, device=DEVICE, copy=False), s],
              device=DEVICE)  # fmt: skip
    return float(s.numpy()[0])


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "mandelbrot": mandelbrot,
    "primes": primes,
    "nbody_energy": nbody_energy,
    "jacobi": jacobi,
    "trig_sum": trig_sum,
}
