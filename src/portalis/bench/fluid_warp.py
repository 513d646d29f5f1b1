"""The fluid demo's step as NVIDIA Warp kernels on the CPU device: the benchmark's Warp peer.

The same algorithm as src/portalis/demos/fluid/kernel.py, in float64, one Warp kernel per
stage: red-black sweeps are one launch per colour (cells of a colour are independent), the
conservative advection's scatter is an atomic add. Importing this module raises ImportError
when ``warp`` (``pip install warp-lang``) is not installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import warp as wp

wp.config.quiet = True  # no banner on the benchmark's output

F = wp.float64
A3 = wp.array3d(dtype=wp.float64)
M3 = wp.array3d(dtype=wp.uint8)
ONE = wp.constant(wp.float64(1.0))
HALF = wp.constant(wp.float64(0.5))
QUARTER = wp.constant(wp.float64(0.25))
ZERO = wp.constant(wp.float64(0.0))


@wp.kernel
def build_faces(solid: wp.array(dtype=wp.uint8), fluid: A3):
    i, j, k = wp.tid()
    nx, ny, nz = fluid.shape[0], fluid.shape[1], fluid.shape[2]
    wall = i == 0 or j == 0 or k == 0 or i == nx - 1 or j == ny - 1 or k == nz - 1
    fluid[i, j, k] = ZERO if (wall or solid[(i * ny + j) * nz + k] != wp.uint8(0)) else ONE


@wp.kernel
def build_masks(fluid: A3, ox: M3, oy: M3, oz: M3):
    i, j, k = wp.tid()
    here = fluid[i, j, k]
    ox[i, j, k] = (
        wp.uint8(1) if (i > 0 and here * fluid[wp.max(i - 1, 0), j, k] != ZERO) else wp.uint8(0)
    )
    oy[i, j, k] = (
        wp.uint8(1) if (j > 0 and here * fluid[i, wp.max(j - 1, 0), k] != ZERO) else wp.uint8(0)
    )
    oz[i, j, k] = (
        wp.uint8(1) if (k > 0 and here * fluid[i, j, wp.max(k - 1, 0)] != ZERO) else wp.uint8(0)
    )


@wp.kernel
def build_inverse(fluid: A3, ox: M3, oy: M3, oz: M3, inv: A3):
    i, j, k = wp.tid()
    i += 1
    j += 1
    k += 1
    if fluid[i, j, k] != ZERO:
        faces = (
            int(ox[i, j, k]) + int(ox[i + 1, j, k]) + int(oy[i, j, k])
            + int(oy[i, j + 1, k]) + int(oz[i, j, k]) + int(oz[i, j, k + 1])
        )  # fmt: skip
        inv[i, j, k] = ONE / F(faces) if faces > 0 else ZERO
    else:
        inv[i, j, k] = ZERO


@wp.kernel
def faces_changed(solid: wp.array(dtype=wp.uint8), inv: A3, changed: wp.array(dtype=wp.int32)):
    """The kernel's ``faces_current``, negated: an inside cell fluid where ``inv`` is 0 or
    solid where it is not."""
    i, j, k = wp.tid()
    i += 1
    j += 1
    k += 1
    ny, nz = inv.shape[1], inv.shape[2]
    fluid = solid[(i * ny + j) * nz + k] == wp.uint8(0)
    empty = inv[i, j, k] == ZERO
    if (fluid and empty) or (not fluid and not empty):
        changed[0] = 1


@wp.kernel
def add_buoyancy(smoke: A3, v: A3, oy: M3, lift: F):
    i, j, k = wp.tid()
    i += 1
    j += 1
    k += 1
    v[i, j, k] = v[i, j, k] + lift * (smoke[i, j, k] + smoke[i, j - 1, k]) * F(oy[i, j, k])


@wp.kernel
def emit(smoke: A3, inv: A3, ex: F, ey: F, ez: F, er2: F, emitted: F):
    i, j, k = wp.tid()
    i += 1
    j += 1
    k += 1
    dx = F(i) + HALF - ex
    dy = F(j) + HALF - ey
    dz = F(k) + HALF - ez
    if dx * dx + dy * dy + dz * dz <= er2 and inv[i, j, k] != ZERO:
        smoke[i, j, k] = smoke[i, j, k] + emitted


@wp.kernel
def diffuse(dst: A3, src: A3, rhs: A3, faces: M3, a: F, scale: F):
    """One Jacobi sweep (the kernel's ``relax_diffusion``)."""
    i, j, k = wp.tid()
    i += 1
    j += 1
    k += 1
    around = (
        src[i - 1, j, k] + src[i + 1, j, k] + src[i, j - 1, k]
        + src[i, j + 1, k] + src[i, j, k - 1] + src[i, j, k + 1]
    )  # fmt: skip
    dst[i, j, k] = (rhs[i, j, k] + a * around) * scale * F(faces[i, j, k])


@wp.func
def sample(f: A3, x: F, y: F, z: F, hx: F, hy: F, hz: F) -> F:
    x = wp.min(wp.max(x, ONE), hx)
    y = wp.min(wp.max(y, ONE), hy)
    z = wp.min(wp.max(z, ONE), hz)
    i = wp.min(int(x), int(hx) - 1)
    j = wp.min(int(y), int(hy) - 1)
    k = wp.min(int(z), int(hz) - 1)
    tx = x - F(i)
    ty = y - F(j)
    tz = z - F(k)
    c00 = f[i, j, k] + (f[i + 1, j, k] - f[i, j, k]) * tx
    c10 = f[i, j + 1, k] + (f[i + 1, j + 1, k] - f[i, j + 1, k]) * tx
    c01 = f[i, j, k + 1] + (f[i + 1, j, k + 1] - f[i, j, k + 1]) * tx
    c11 = f[i, j + 1, k + 1] + (f[i + 1, j + 1, k + 1] - f[i, j + 1, k + 1]) * tx
    c0 = c00 + (c10 - c00) * ty
    c1 = c01 + (c11 - c01) * ty
    return c0 + (c1 - c0) * tz


@wp.kernel
def advect(u: A3, v: A3, w: A3, u0: A3, v0: A3, w0: A3, ox: M3, oy: M3, oz: M3, s: F):
    i, j, k = wp.tid()
    i += 1
    j += 1
    k += 1
    nx, ny, nz = F(u.shape[0]), F(u.shape[1]), F(u.shape[2])
    fi, fj, fk = F(i), F(j), F(k)
    if ox[i, j, k] != wp.uint8(0):
        vv = QUARTER * (v[i - 1, j, k] + v[i - 1, j + 1, k] + v[i, j, k] + v[i, j + 1, k])
        ww = QUARTER * (w[i - 1, j, k] + w[i - 1, j, k + 1] + w[i, j, k] + w[i, j, k + 1])
        u0[i, j, k] = sample(u, fi - s * u[i, j, k], fj - s * vv, fk - s * ww,
                             nx - ONE, ny - F(2.0), nz - F(2.0))  # fmt: skip
    else:
        u0[i, j, k] = ZERO
    if oy[i, j, k] != wp.uint8(0):
        uu = QUARTER * (u[i, j - 1, k] + u[i + 1, j - 1, k] + u[i, j, k] + u[i + 1, j, k])
        ww = QUARTER * (w[i, j - 1, k] + w[i, j - 1, k + 1] + w[i, j, k] + w[i, j, k + 1])
        v0[i, j, k] = sample(v, fi - s * uu, fj - s * v[i, j, k], fk - s * ww,
                             nx - F(2.0), ny - ONE, nz - F(2.0))  # fmt: skip
    else:
        v0[i, j, k] = ZERO
    if oz[i, j, k] != wp.uint8(0):
        uu = QUARTER * (u[i, j, k - 1] + u[i + 1, j, k - 1] + u[i, j, k] + u[i + 1, j, k])
        vv = QUARTER * (v[i, j, k - 1] + v[i, j + 1, k - 1] + v[i, j, k] + v[i, j + 1, k])
        w0[i, j, k] = sample(w, fi - s * uu, fj - s * vv, fk - s * w[i, j, k],
                             nx - F(2.0), ny - F(2.0), nz - ONE)  # fmt: skip
    else:
        w0[i, j, k] = ZERO


@wp.func
def trace(u: A3, v: A3, w: A3, i: int, j: int, k: int, s: F) -> wp.vec3d:
    nx, ny, nz = u.shape[0], u.shape[1], u.shape[2]
    x = wp.min(wp.max(F(i) - s * (HALF * (u[i, j, k] + u[i + 1, j, k])), ONE), F(nx) - F(2.0))
    y = wp.min(wp.max(F(j) - s * (HALF * (v[i, j, k] + v[i, j + 1, k])), ONE), F(ny) - F(2.0))
    z = wp.min(wp.max(F(k) - s * (HALF * (w[i, j, k] + w[i, j, k + 1])), ONE), F(nz) - F(2.0))
    return wp.vec3d(x, y, z)


@wp.kernel
def scatter_weights(u: A3, v: A3, w: A3, inv: A3, share: A3, s: F):
    i, j, k = wp.tid()
    i += 1
    j += 1
    k += 1
    if inv[i, j, k] == ZERO:
        return
    p = trace(u, v, w, i, j, k, s)
    a = wp.min(int(p[0]), u.shape[0] - 3)
    b = wp.min(int(p[1]), u.shape[1] - 3)
    c = wp.min(int(p[2]), u.shape[2] - 3)
    tx, ty, tz = p[0] - F(a), p[1] - F(b), p[2] - F(c)
    sx, sy, sz = ONE - tx, ONE - ty, ONE - tz
    wp.atomic_add(share, a, b, c, sx * sy * sz)
    wp.atomic_add(share, a + 1, b, c, tx * sy * sz)
    wp.atomic_add(share, a, b + 1, c, sx * ty * sz)
    wp.atomic_add(share, a + 1, b + 1, c, tx * ty * sz)
    wp.atomic_add(share, a, b, c + 1, sx * sy * tz)
    wp.atomic_add(share, a + 1, b, c + 1, tx * sy * tz)
    wp.atomic_add(share, a, b + 1, c + 1, sx * ty * tz)
    wp.atomic_add(share, a + 1, b + 1, c + 1, tx * ty * tz)


@wp.kernel
def per_weight(share: A3, smoke: A3):
    i, j, k = wp.tid()
    total = share[i, j, k]
    if total > ZERO:
        share[i, j, k] = smoke[i, j, k] / total
        smoke[i, j, k] = ZERO
    else:
        share[i, j, k] = ZERO


@wp.kernel
def gather(u: A3, v: A3, w: A3, inv: A3, share: A3, smoke: A3, s: F):
    i, j, k = wp.tid()
    i += 1
    j += 1
    k += 1
    if inv[i, j, k] == ZERO:
        return
    p = trace(u, v, w, i, j, k, s)
    a = wp.min(int(p[0]), u.shape[0] - 3)
    b = wp.min(int(p[1]), u.shape[1] - 3)
    c = wp.min(int(p[2]), u.shape[2] - 3)
    tx, ty, tz = p[0] - F(a), p[1] - F(b), p[2] - F(c)
    sx, sy, sz = ONE - tx, ONE - ty, ONE - tz
    smoke[i, j, k] = smoke[i, j, k] + (
        share[a, b, c] * (sx * sy * sz) + share[a + 1, b, c] * (tx * sy * sz)
        + share[a, b + 1, c] * (sx * ty * sz) + share[a + 1, b + 1, c] * (tx * ty * sz)
        + share[a, b, c + 1] * (sx * sy * tz) + share[a + 1, b, c + 1] * (tx * sy * tz)
        + share[a, b + 1, c + 1] * (sx * ty * tz) + share[a + 1, b + 1, c + 1] * (tx * ty * tz)
    )  # fmt: skip


@wp.kernel
def outflow(u: A3, v: A3, w: A3, out: A3, inv: A3, scale: F, largest: wp.array(dtype=F)):
    i, j, k = wp.tid()
    i += 1
    j += 1
    k += 1
    d = u[i + 1, j, k] - u[i, j, k] + v[i, j + 1, k] - v[i, j, k]
    d = d + (w[i, j, k + 1] - w[i, j, k])
    if inv[i, j, k] == ZERO:
        d = ZERO
    out[i, j, k] = scale * d
    wp.atomic_max(largest, 0, wp.abs(d))


@wp.kernel
def largest_outflow(u: A3, v: A3, w: A3, inv: A3, largest: wp.array(dtype=F)):
    """``outflow``'s maximum alone (the kernel's ``figures`` writes no field)."""
    i, j, k = wp.tid()
    i += 1
    j += 1
    k += 1
    d = u[i + 1, j, k] - u[i, j, k] + v[i, j + 1, k] - v[i, j, k]
    d = d + (w[i, j, k + 1] - w[i, j, k])
    if inv[i, j, k] == ZERO:
        d = ZERO
    wp.atomic_max(largest, 0, wp.abs(d))


@wp.kernel
def pressure_colour(p: A3, b: A3, ox: M3, oy: M3, oz: M3, inv: A3, omega: F, colour: int):
    i, j, k = wp.tid()
    i += 1
    j += 1
    k += 1
    if (i + j + k) % 2 != colour:
        return
    around = (
        F(ox[i, j, k]) * p[i - 1, j, k] + F(ox[i + 1, j, k]) * p[i + 1, j, k]
        + F(oy[i, j, k]) * p[i, j - 1, k] + F(oy[i, j + 1, k]) * p[i, j + 1, k]
        + F(oz[i, j, k]) * p[i, j, k - 1] + F(oz[i, j, k + 1]) * p[i, j, k + 1]
    )  # fmt: skip
    here = p[i, j, k]
    p[i, j, k] = here + omega * ((around - b[i, j, k]) * inv[i, j, k] - here)


@wp.kernel
def subtract_gradient(u: A3, v: A3, w: A3, p: A3, ox: M3, oy: M3, oz: M3, scale: F):
    i, j, k = wp.tid()
    i += 1
    j += 1
    k += 1
    here = p[i, j, k]
    u[i, j, k] = (u[i, j, k] - scale * (here - p[i - 1, j, k])) * F(ox[i, j, k])
    v[i, j, k] = (v[i, j, k] - scale * (here - p[i, j - 1, k])) * F(oy[i, j, k])
    w[i, j, k] = (w[i, j, k] - scale * (here - p[i, j, k - 1])) * F(oz[i, j, k])


@wp.kernel
def figures(smoke: A3, u: A3, v: A3, w: A3, out: wp.array(dtype=F)):
    i, j, k = wp.tid()
    wp.atomic_add(out, 0, smoke[i, j, k])
    wp.atomic_max(out, 1, wp.abs(u[i, j, k]) + wp.abs(v[i, j, k]) + wp.abs(w[i, j, k]))


def stepper(
    start: dict[str, np.ndarray], solid: np.ndarray, **args: Any
) -> Callable[[], tuple[float, float, float, float]]:
    """A callable doing one step on Warp copies of ``start`` (CPU device), with the kernel's
    ``step`` arguments."""
    wp.init()
    cpu = "cpu"
    f = {name: wp.array(a, dtype=wp.uint8 if a.dtype == np.uint8 else F, device=cpu)
         for name, a in start.items()}  # fmt: skip
    solid_w = wp.array(solid, dtype=wp.uint8, device=cpu)
    fluid = wp.zeros(start["u"].shape, dtype=F, device=cpu)
    largest = wp.zeros(1, dtype=F, device=cpu)
    changed = wp.zeros(1, dtype=wp.int32, device=cpu)
    sums = wp.zeros(2, dtype=F, device=cpu)
    shape = start["u"].shape
    inner = tuple(n - 2 for n in shape)
    dt, h, rho = float(args["dt"]), float(args["cell_size"]), float(args["density"])
    a = float(args["viscosity"]) * dt / (h * h)
    ex = (float(args["emitter_x"]) - float(args.get("origin_x", 0.0))) / h
    ey = (float(args["emitter_y"]) - float(args.get("origin_y", 0.0))) / h
    ez = (float(args["emitter_z"]) - float(args.get("origin_z", 0.0))) / h
    er = float(args["emitter_radius"]) / h
    sweeps_p = int(args["pressure_iterations"])
    sweeps_d = int(args["diffusion_iterations"])
    omega = float(args.get("relaxation", 1.5))
    ox, oy, oz, inv = f["open_x"], f["open_y"], f["open_z"], f["inv_open"]

    def launch(kernel: Any, dim: tuple[int, ...], *inputs: Any) -> None:
        wp.launch(kernel, dim=dim, inputs=list(inputs), device=cpu)

    def step() -> tuple[float, float, float, float]:
        changed.zero_()
        launch(faces_changed, inner, solid_w, inv, changed)
        if changed.numpy()[0]:
            launch(build_faces, shape, solid_w, fluid)
            launch(build_masks, shape, fluid, ox, oy, oz)
            launch(build_inverse, inner, fluid, ox, oy, oz, inv)
        launch(add_buoyancy, inner, f["smoke"], f["v"], oy,
               0.5 * dt * float(args["buoyancy"]) / rho)  # fmt: skip
        launch(emit, inner, f["smoke"], inv, ex, ey, ez, er * er,
               float(args["emitter_rate"]) * dt)  # fmt: skip
        scale = 1.0 / (1.0 + 6.0 * a)
        scratch = f["rhs"]
        for x, mask in (("u", ox), ("v", oy), ("w", oz)):
            if sweeps_d > 1:
                scratch.zero_()
            for sweep in range(sweeps_d):
                into_x = (sweeps_d - sweep) % 2 == 1
                src = f[x] if sweep == 0 else (scratch if into_x else f[x + "0"])
                dst = f[x + "0"] if into_x else scratch
                launch(diffuse, inner, dst, src, f[x], mask, a, scale)
        s = dt / h
        u0, v0, w0, share = f["u0"], f["v0"], f["w0"], f["smoke0"]
        launch(advect, inner, u0, v0, w0, f["u"], f["v"], f["w"], ox, oy, oz, s)
        share.zero_()
        launch(scatter_weights, inner, u0, v0, w0, inv, share, s)
        launch(per_weight, shape, share, f["smoke"])
        launch(gather, inner, u0, v0, w0, inv, share, f["smoke"], s)
        largest.zero_()
        launch(outflow, inner, f["u"], f["v"], f["w"], f["rhs"], inv, rho * h / dt, largest)
        before = float(largest.numpy()[0])
        for _ in range(sweeps_p):
            for colour in (0, 1):
                launch(
                    pressure_colour, inner, f["pressure"], f["rhs"], ox, oy, oz, inv, omega, colour
                )
        launch(subtract_gradient, inner, f["u"], f["v"], f["w"], f["pressure"], ox, oy, oz,
               dt / (rho * h))  # fmt: skip
        largest.zero_()
        launch(largest_outflow, inner, f["u"], f["v"], f["w"], inv, largest)
        after = float(largest.numpy()[0])
        sums.zero_()
        launch(figures, shape, f["smoke"], f["u"], f["v"], f["w"], sums)
        mass, speed = (float(x) for x in sums.numpy())
        return before / h, after / h, mass * h * h * h, speed

    return step
