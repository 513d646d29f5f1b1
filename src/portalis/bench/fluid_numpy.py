"""The fluid demo's step (src/portalis/demos/fluid/kernel.py) written as NumPy would have it:
the same algorithm, the same operations in the same order, on whole arrays.

It is the benchmark's NumPy peer, and it mirrors the kernel closely enough to agree with it
to rounding (a test holds it there): red-black sweeps update one colour from the other, so a
vectorised sweep equals the kernel's cell-by-cell one; the conservative advection's scatter
runs through ``np.bincount`` in the kernel's order. Only the final sums (``np.sum``'s
pairwise order) differ in the last bits.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

Fields = dict[str, np.ndarray]
I = slice(1, -1)  # the interior along one axis  # noqa: E741


def _parity(shape: tuple[int, ...]) -> np.ndarray:
    i, j, k = np.indices(shape)
    parity: np.ndarray = ((i + j + k) % 2)[I, I, I]
    return parity


def _shift(a: np.ndarray, di: int, dj: int, dk: int) -> np.ndarray:
    """``a[i + di, j + dj, k + dk]`` over the interior cells."""
    nx, ny, nz = a.shape
    return a[1 + di : nx - 1 + di, 1 + dj : ny - 1 + dj, 1 + dk : nz - 1 + dk]


def faces_current(solid: np.ndarray, f: Fields) -> bool:
    """The kernel's ``faces_current``: inside cells fluid exactly where ``inv_open`` != 0."""
    shape = f["inv_open"].shape
    if solid.size != f["inv_open"].size:
        return False
    fluid = solid.reshape(shape)[I, I, I] == 0
    return bool(np.array_equal(fluid, f["inv_open"][I, I, I] != 0.0))


def build_faces(solid: np.ndarray, f: Fields) -> None:
    shape = f["inv_open"].shape
    fluid = np.zeros(shape, bool)
    fluid[I, I, I] = solid.reshape(shape)[I, I, I] == 0
    for name, axis in (("open_x", 0), ("open_y", 1), ("open_z", 2)):
        mask = np.zeros(shape, np.uint8)
        here = [slice(None)] * 3
        below = [slice(None)] * 3
        here[axis], below[axis] = slice(1, None), slice(None, -1)
        mask[tuple(here)] = fluid[tuple(here)] & fluid[tuple(below)]
        f[name][...] = mask
    ox, oy, oz = f["open_x"], f["open_y"], f["open_z"]
    faces = (
        _shift(ox, 0, 0, 0) + _shift(ox, 1, 0, 0) + _shift(oy, 0, 0, 0)
        + _shift(oy, 0, 1, 0) + _shift(oz, 0, 0, 0) + _shift(oz, 0, 0, 1)
    ).astype(np.float64)  # fmt: skip
    inv = np.zeros(shape)
    with np.errstate(divide="ignore"):
        inv[I, I, I] = np.where(fluid[I, I, I] & (faces > 0), 1.0 / faces, 0.0)
    f["inv_open"][...] = inv


def add_sources(f: Fields, dt: float, density: float, cell_size: float, **p: float) -> None:
    """In place: buoyancy into ``v`` (from the smoke before emission), then the emitter."""
    shape = f["u"].shape
    lift = 0.5 * dt * p["buoyancy"] / density
    s = f["smoke"]
    f["v"][I, I, I] += lift * (_shift(s, 0, 0, 0) + _shift(s, 0, -1, 0)) * f["open_y"][I, I, I]
    ex = (p["emitter_x"] - p["origin_x"]) / cell_size
    ey = (p["emitter_y"] - p["origin_y"]) / cell_size
    ez = (p["emitter_z"] - p["origin_z"]) / cell_size
    er = p["emitter_radius"] / cell_size
    i, j, k = (np.arange(1, n - 1) for n in shape)
    dx = (i + 0.5 - ex)[:, None, None]
    dy = (j + 0.5 - ey)[None, :, None]
    dz = (k + 0.5 - ez)[None, None, :]
    inside = (dx * dx + dy * dy + dz * dz <= er * er) & (f["inv_open"][I, I, I] != 0.0)
    f["smoke"][I, I, I][inside] += p["emitter_rate"] * dt


def diffuse(
    x: np.ndarray, rhs: np.ndarray, faces: np.ndarray, scratch: np.ndarray, a: float, sweeps: int
) -> None:
    """Jacobi sweeps from ``rhs``, alternating between ``x`` and ``scratch`` so that the
    last lands in ``x`` (the kernel's ``diffuse``)."""
    scale = 1.0 / (1.0 + 6.0 * a)
    if sweeps > 1:
        scratch[...] = 0.0
    for sweep in range(sweeps):
        into_x = (sweeps - sweep) % 2 == 1
        src = rhs if sweep == 0 else (scratch if into_x else x)
        dst = x if into_x else scratch
        around = (
            _shift(src, -1, 0, 0) + _shift(src, 1, 0, 0) + _shift(src, 0, -1, 0)
            + _shift(src, 0, 1, 0) + _shift(src, 0, 0, -1) + _shift(src, 0, 0, 1)
        )  # fmt: skip
        dst[I, I, I] = (rhs[I, I, I] + a * around) * scale * faces[I, I, I]
    if sweeps == 0:
        x[I, I, I] = rhs[I, I, I] * faces[I, I, I]


def _sample(
    field: np.ndarray, x: np.ndarray, y: np.ndarray, z: np.ndarray, hi: tuple[float, ...]
) -> Any:
    x = np.minimum(np.maximum(x, 1.0), hi[0])
    y = np.minimum(np.maximum(y, 1.0), hi[1])
    z = np.minimum(np.maximum(z, 1.0), hi[2])
    i = np.minimum(x.astype(np.int64), int(hi[0]) - 1)
    j = np.minimum(y.astype(np.int64), int(hi[1]) - 1)
    k = np.minimum(z.astype(np.int64), int(hi[2]) - 1)
    tx, ty, tz = x - i, y - j, z - k
    c00 = field[i, j, k] + (field[i + 1, j, k] - field[i, j, k]) * tx
    c10 = field[i, j + 1, k] + (field[i + 1, j + 1, k] - field[i, j + 1, k]) * tx
    c01 = field[i, j, k + 1] + (field[i + 1, j, k + 1] - field[i, j, k + 1]) * tx
    c11 = field[i, j + 1, k + 1] + (field[i + 1, j + 1, k + 1] - field[i, j + 1, k + 1]) * tx
    c0 = c00 + (c10 - c00) * ty
    c1 = c01 + (c11 - c01) * ty
    return c0 + (c1 - c0) * tz


def advect(f: Fields, dt: float, cell_size: float) -> None:
    """``u, v, w`` ← the diffused ``u0, v0, w0`` carried along themselves."""
    u, v, w = f["u0"], f["v0"], f["w0"]
    nx, ny, nz = u.shape
    s = dt / cell_size
    i, j, k = np.meshgrid(*(np.arange(1, n - 1.0) for n in u.shape), indexing="ij")
    fx, fy, fz, cx, cy, cz = nx - 1.0, ny - 1.0, nz - 1.0, nx - 2.0, ny - 2.0, nz - 2.0
    o = _shift
    vv = 0.25 * (o(v, -1, 0, 0) + o(v, -1, 1, 0) + o(v, 0, 0, 0) + o(v, 0, 1, 0))
    ww = 0.25 * (o(w, -1, 0, 0) + o(w, -1, 0, 1) + o(w, 0, 0, 0) + o(w, 0, 0, 1))
    new = _sample(u, i - s * o(u, 0, 0, 0), j - s * vv, k - s * ww, (fx, cy, cz))
    f["u"][I, I, I] = np.where(f["open_x"][I, I, I] != 0, new, 0.0)
    uu = 0.25 * (o(u, 0, -1, 0) + o(u, 1, -1, 0) + o(u, 0, 0, 0) + o(u, 1, 0, 0))
    ww = 0.25 * (o(w, 0, -1, 0) + o(w, 0, -1, 1) + o(w, 0, 0, 0) + o(w, 0, 0, 1))
    new = _sample(v, i - s * uu, j - s * o(v, 0, 0, 0), k - s * ww, (cx, fy, cz))
    f["v"][I, I, I] = np.where(f["open_y"][I, I, I] != 0, new, 0.0)
    uu = 0.25 * (o(u, 0, 0, -1) + o(u, 1, 0, -1) + o(u, 0, 0, 0) + o(u, 1, 0, 0))
    vv = 0.25 * (o(v, 0, 0, -1) + o(v, 0, 1, -1) + o(v, 0, 0, 0) + o(v, 0, 1, 0))
    new = _sample(w, i - s * uu, j - s * vv, k - s * o(w, 0, 0, 0), (cx, cy, fz))
    f["w"][I, I, I] = np.where(f["open_z"][I, I, I] != 0, new, 0.0)


def advect_smoke(f: Fields, dt: float, cell_size: float) -> None:
    u, v, w, smoke, share = f["u0"], f["v0"], f["w0"], f["smoke"], f["smoke0"]
    nx, ny, nz = u.shape
    s = dt / cell_size
    fluid = f["inv_open"] != 0.0
    i, j, k = np.nonzero(fluid)  # the kernel's (i, j, k) order
    x = np.minimum(np.maximum(i - s * (0.5 * (u[i, j, k] + u[i + 1, j, k])), 1.0), nx - 2.0)
    y = np.minimum(np.maximum(j - s * (0.5 * (v[i, j, k] + v[i, j + 1, k])), 1.0), ny - 2.0)
    z = np.minimum(np.maximum(k - s * (0.5 * (w[i, j, k] + w[i, j, k + 1])), 1.0), nz - 2.0)
    a = np.minimum(x.astype(np.int64), nx - 3)
    b = np.minimum(y.astype(np.int64), ny - 3)
    c = np.minimum(z.astype(np.int64), nz - 3)
    tx, ty, tz = x - a, y - b, z - c
    sx, sy, sz = 1.0 - tx, 1.0 - ty, 1.0 - tz
    corners = [
        (0, 0, 0),
        (1, 0, 0),
        (0, 1, 0),
        (1, 1, 0),
        (0, 0, 1),
        (1, 0, 1),
        (0, 1, 1),
        (1, 1, 1),
    ]
    weights = [
        (tx if di else sx) * (ty if dj else sy) * (tz if dk else sz) for di, dj, dk in corners
    ]
    index = [np.ravel_multi_index((a + di, b + dj, c + dk), u.shape) for di, dj, dk in corners]
    # the kernel adds each target's 8 weights in turn: the same order, target by target
    total = np.bincount(
        np.stack(index, axis=1).reshape(-1),
        np.stack(weights, axis=1).reshape(-1),
        minlength=u.size,
    ).reshape(u.shape)
    gathered = total > 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        share[...] = np.where(gathered, smoke / total, 0.0)
    smoke[gathered] = 0.0  # in place, as the kernel: smoke nobody gathers stays put
    flat = share.reshape(-1)
    acc = flat[index[0]] * weights[0]
    for n in range(1, 8):
        acc = acc + flat[index[n]] * weights[n]
    smoke[i, j, k] += acc


def outflow(f: Fields, u: np.ndarray, v: np.ndarray, w: np.ndarray, scale: float | None) -> float:
    """The largest |outflow| of a fluid cell; ``rhs`` ← ``scale`` × outflow unless ``scale``
    is None (the kernel's ``figures`` writes nothing)."""
    o = _shift
    d = o(u, 1, 0, 0) - o(u, 0, 0, 0) + o(v, 0, 1, 0) - o(v, 0, 0, 0)
    d = d + (o(w, 0, 0, 1) - o(w, 0, 0, 0))
    d = np.where(f["inv_open"][I, I, I] == 0.0, 0.0, d)
    if scale is not None:
        f["rhs"][I, I, I] = scale * d
    return float(np.abs(d).max(initial=0.0))


def solve_pressure(f: Fields, sweeps: int, omega: float) -> None:
    p, b = f["pressure"], f["rhs"]
    ox, oy, oz, inv = f["open_x"], f["open_y"], f["open_z"], f["inv_open"][I, I, I]
    parity = _parity(p.shape)
    o = _shift
    for _ in range(sweeps):
        for colour in (0, 1):
            around = (
                o(ox, 0, 0, 0) * o(p, -1, 0, 0) + o(ox, 1, 0, 0) * o(p, 1, 0, 0)
                + o(oy, 0, 0, 0) * o(p, 0, -1, 0) + o(oy, 0, 1, 0) * o(p, 0, 1, 0)
                + o(oz, 0, 0, 0) * o(p, 0, 0, -1) + o(oz, 0, 0, 1) * o(p, 0, 0, 1)
            )  # fmt: skip
            here = p[I, I, I]
            new = here + omega * ((around - b[I, I, I]) * inv - here)
            p[I, I, I] = np.where(parity == colour, new, here)


def subtract_gradient(f: Fields, scale: float) -> None:
    p = f["pressure"]
    here = p[I, I, I]
    for name, (di, dj, dk), mask in (
        ("u", (-1, 0, 0), "open_x"),
        ("v", (0, -1, 0), "open_y"),
        ("w", (0, 0, -1), "open_z"),
    ):
        gradient = here - _shift(p, di, dj, dk)
        f[name][I, I, I] = (f[name][I, I, I] - scale * gradient) * f[mask][I, I, I]


def step(
    f: Fields,
    solid: np.ndarray,
    dt: float,
    viscosity: float = 1.5e-5,
    density: float = 1.0,
    cell_size: float = 0.05,
    pressure_iterations: int = 20,
    diffusion_iterations: int = 1,
    relaxation: float = 1.5,
    **p: float,
) -> tuple[float, float, float, float]:
    """One step of the kernel's ``step`` (same arguments, fields in a dict)."""
    place = {"origin_x": 0.0, "origin_y": 0.0, "origin_z": 0.0, "emitter_x": 0.0}
    place |= {"emitter_y": 0.0, "emitter_z": 0.0, "emitter_radius": 0.0, "emitter_rate": 0.0}
    place |= {"buoyancy": 4.0} | p
    if not faces_current(solid, f):
        build_faces(solid, f)
    add_sources(f, dt, density, cell_size, **place)
    a = viscosity * dt / (cell_size * cell_size)
    for x, mask in (("u", "open_x"), ("v", "open_y"), ("w", "open_z")):
        diffuse(f[x + "0"], f[x], f[mask], f["rhs"], a, diffusion_iterations)
    advect(f, dt, cell_size)
    advect_smoke(f, dt, cell_size)
    before = outflow(f, f["u"], f["v"], f["w"], density * cell_size / dt)
    solve_pressure(f, pressure_iterations, relaxation)
    subtract_gradient(f, dt / (density * cell_size))
    after = outflow(f, f["u"], f["v"], f["w"], None)
    mass = float(f["smoke"].sum()) * cell_size * cell_size * cell_size
    speed = float((np.abs(f["u"]) + np.abs(f["v"]) + np.abs(f["w"])).max())
    if not math.isfinite(mass) or not math.isfinite(speed):
        raise ValueError("the fields are no longer finite (NaN or inf)")
    return before / cell_size, after / cell_size, mass, speed
