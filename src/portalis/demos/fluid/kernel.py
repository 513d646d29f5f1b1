"""Smoke in a box: Stam's stable fluids on a staggered (MAC) grid, one call per time step.

This is a Portalis kernel: plain typed Python in the language ``portalis build`` compiles
(docs/language.md). It runs unchanged under CPython, which is how its tests check it, bit for
bit, against the compiled module.

The grid. Every field is an ``(nx, ny, nz)`` array of cells of edge ``cell_size`` metres;
the outermost layer of cells is the box's wall, and cells the scene marks in ``solid`` (a
flat array of ``nx*ny*nz`` bytes, non-zero for solid) are obstacles. Velocities are stored on
cell faces, as graphics solvers do (Harlow & Welch's MAC grid): ``u[i, j, k]`` is the x
velocity on the face between cells ``i - 1`` and ``i``, ``v`` and ``w`` likewise in y and z;
the smoke's density ``smoke`` and the ``pressure`` live at cell centres. With velocities on
faces, the discrete divergence of a cell is its net outflow, the pressure gradient lives
where the velocities do, and the Laplacian the projection solves is exactly the divergence
of that gradient — so what remains of the divergence after the projection is exactly the
residual of the pressure solve, which the solver's iterations drive down.

A face is *open* when the cells on both sides are fluid. Closed faces carry no flow: that is
the solid boundary condition (no flow through walls and obstacles; the fluid slides along
them). ``open_x/_y/_z`` hold 1 for open faces and 0 for closed ones, and ``inv_open``
1 / (open faces of a fluid cell), built from ``solid`` by the first step and again by any step
whose ``solid`` no longer matches them (``faces_current``: one read of ``solid`` and
``inv_open``, under a third of the cost of building them); between steps they are kept, as the
runner keeps every working field (fresh, zeroed fields are rebuilt).

One step (Stam, "Stable Fluids", SIGGRAPH 1999; the order Bridson's book uses):

1. **Sources and forces**: the emitter, a sphere at ``emitter_x/_y/_z`` (metres, world) of
   ``emitter_radius``, adds ``emitter_rate`` density units per second to the cells whose
   centres it covers; smoke is lighter than the air it displaces, which pushes it up with
   acceleration ``buoyancy · smoke / density`` (m/s² per unit of smoke; ``density`` is the
   fluid's, kg/m³, so a denser fluid is pushed less). Both act in place on ``v`` and
   ``smoke``; the velocity then moves u → u0 (diffusion) → u (advection) → u (projection),
   and the smoke is advected in place, so the step copies no field.
2. **Diffusion** of velocity, implicitly: (1 − ν·dt·∇²) u = u*, solved by
   ``diffusion_iterations`` Jacobi sweeps from u* (stable for any ν·dt: the sweeps contract
   by 6a / (1 + 6a) with a = ν·dt / h², one suffices for air-like viscosities).
3. **Advection**, semi-Lagrangian: each face velocity and each cell's smoke is taken from
   where the fluid was ``dt`` ago (a straight back-trace through the diffused velocity),
   interpolated trilinearly — unconditionally stable.
4. **Pressure projection**: solve Σ_open faces (p_n − p) = (ρ h / dt)·(net outflow) with
   ``pressure_iterations`` sweeps of red-black Gauss–Seidel with over-relaxation
   ``relaxation`` (SOR, ω = 1.5 by default; cells of one colour depend only on cells of the
   other, so the order inside a colour does not matter), starting from the previous step's
   pressure; then subtract dt/(ρh)·∇p from the face velocities.

``step`` returns the largest absolute divergence (1/s) before and after the projection, the
mass of smoke in the box (density units × m³), and the largest speed on a face (m/s).

Bad arguments raise ValueError, and a field that turns NaN or infinite (from a NaN
argument, say) raises ValueError at the end of the step that made it, so a runner reports
the step rather than drawing garbage.
"""

import math

from portalis.lang import Array, f64, u8

#: ``inv_open`` of a fluid cell whose six faces are all open (1 / 6, as ``build_faces``
#: computes it).
ALL_OPEN = 1.0 / 6.0

# -- checks -----------------------------------------------------------------------------------


def check_grid(field: Array[f64, 3], nx: int, ny: int, nz: int) -> None:
    """Every field has the grid's shape (``ValueError`` otherwise)."""
    if field.shape[0] != nx or field.shape[1] != ny or field.shape[2] != nz:
        raise ValueError("every field must have the grid's shape")


def check_mask(mask: Array[u8, 3], nx: int, ny: int, nz: int) -> None:
    """Every face mask has the grid's shape (``ValueError`` otherwise)."""
    if mask.shape[0] != nx or mask.shape[1] != ny or mask.shape[2] != nz:
        raise ValueError("every face mask must have the grid's shape")


def check_arguments(
    dt: float,
    viscosity: float,
    density: float,
    cell_size: float,
    pressure_iterations: int,
    diffusion_iterations: int,
) -> None:
    """The physical parameters make sense (``ValueError`` otherwise)."""
    if not dt > 0.0 or not math.isfinite(dt):
        raise ValueError("timeStep (dt) must be a positive number of seconds")
    if not viscosity > 0.0 or not math.isfinite(viscosity):
        raise ValueError("viscosity must be a positive number (m^2/s)")
    if not density > 0.0 or not math.isfinite(density):
        raise ValueError("density must be a positive number (kg/m^3)")
    if not cell_size > 0.0 or not math.isfinite(cell_size):
        raise ValueError("cell_size must be a positive number of metres")
    if pressure_iterations < 1 or diffusion_iterations < 0:
        raise ValueError("pressure_iterations must be >= 1, diffusion_iterations >= 0")


# -- boundaries -------------------------------------------------------------------------------


def build_faces(
    solid: Array[u8],
    open_x: Array[u8, 3],
    open_y: Array[u8, 3],
    open_z: Array[u8, 3],
    inv_open: Array[f64, 3],
) -> int:
    """Open-face masks and 1 / (open faces) per fluid cell from ``solid`` and the walls;
    returns the number of fluid cells."""
    nx = open_x.shape[0]
    ny = open_x.shape[1]
    nz = open_x.shape[2]
    assert open_y.shape[0] == nx and open_y.shape[1] == ny and open_y.shape[2] == nz
    assert open_z.shape[0] == nx and open_z.shape[1] == ny and open_z.shape[2] == nz
    assert inv_open.shape[0] == nx and inv_open.shape[1] == ny and inv_open.shape[2] == nz
    if len(solid) != nx * ny * nz:
        raise ValueError(
            f"solid must hold one byte per cell: {nx}*{ny}*{nz} = {nx * ny * nz} for the grid, "
            + f"not {len(solid)}"
        )
    # First, no open faces, and 1.0 in inv_open for the fluid cells (the outer layer is
    # wall). Plain fills, then the inside cells: no per-cell test of where a cell is (and
    # the float fill runs as vectors).
    for i in range(nx):
        for j in range(ny):
            for k in range(nz):
                inv_open[i, j, k] = 0.0
            for k in range(nz):
                open_x[i, j, k] = 0
                open_y[i, j, k] = 0
                open_z[i, j, k] = 0
    for i in range(1, nx - 1):
        for j in range(1, ny - 1):
            row = (i * ny + j) * nz
            for k in range(1, nz - 1):
                if solid[row + k] == 0:
                    inv_open[i, j, k] = 1.0
    # A face is open when the cells on both sides are fluid.
    for i in range(1, nx):
        for j in range(1, ny):
            for k in range(1, nz):
                if inv_open[i, j, k] != 0.0:
                    open_x[i, j, k] = 1 if inv_open[i - 1, j, k] != 0.0 else 0
                    open_y[i, j, k] = 1 if inv_open[i, j - 1, k] != 0.0 else 0
                    open_z[i, j, k] = 1 if inv_open[i, j, k - 1] != 0.0 else 0
    fluid_cells = 0
    for i in range(1, nx - 1):
        for j in range(1, ny - 1):
            for k in range(1, nz - 1):
                if inv_open[i, j, k] != 0.0:
                    fluid_cells += 1
                    faces = (
                        open_x[i, j, k]
                        + open_x[i + 1, j, k]
                        + open_y[i, j, k]
                        + open_y[i, j + 1, k]
                        + open_z[i, j, k]
                        + open_z[i, j, k + 1]
                    )
                    inv_open[i, j, k] = 1.0 / faces if faces > 0 else 0.0
    return fluid_cells


def faces_current(solid: Array[u8], inv_open: Array[f64, 3]) -> bool:
    """Whether ``inv_open`` (and with it the face masks) is what :func:`build_faces` makes of
    ``solid``: every inside cell has ``inv_open`` non-zero exactly when it is fluid. The
    masks depend on nothing else, so a step whose obstacle did not move keeps them (a fresh,
    zeroed ``inv_open`` is not current where there is fluid; a fluid cell closed on all six
    sides, ``inv_open`` 0, makes every step rebuild them, which is only slower)."""
    nx = inv_open.shape[0]
    ny = inv_open.shape[1]
    nz = inv_open.shape[2]
    if len(solid) != nx * ny * nz:
        return False
    for i in range(1, nx - 1):
        for j in range(1, ny - 1):
            row = (i * ny + j) * nz
            for k in range(1, nz - 1):
                if solid[row + k] == 0:
                    if inv_open[i, j, k] == 0.0:
                        return False
                elif inv_open[i, j, k] != 0.0:
                    return False
    return True


# -- 1. sources and forces --------------------------------------------------------------------


def add_sources(
    v: Array[f64, 3],
    smoke: Array[f64, 3],
    inv_open: Array[f64, 3],
    open_y: Array[u8, 3],
    dt: float,
    density: float,
    cell_size: float,
    origin_x: float,
    origin_y: float,
    origin_z: float,
    emitter_x: float,
    emitter_y: float,
    emitter_z: float,
    emitter_radius: float,
    emitter_rate: float,
    buoyancy: float,
) -> None:
    """In place: ``v`` gets the buoyant push (from the smoke as it was), then ``smoke`` the
    emitter's output (the right-hand sides of the next stages; ``u`` and ``w`` have no
    force)."""
    nx = v.shape[0]
    ny = v.shape[1]
    nz = v.shape[2]
    assert smoke.shape[0] == nx and smoke.shape[1] == ny and smoke.shape[2] == nz
    assert inv_open.shape[0] == nx and inv_open.shape[1] == ny and inv_open.shape[2] == nz
    assert open_y.shape[0] == nx and open_y.shape[1] == ny and open_y.shape[2] == nz
    # The emitter in grid coordinates (cell i spans [i, i + 1]).
    ex = (emitter_x - origin_x) / cell_size
    ey = (emitter_y - origin_y) / cell_size
    ez = (emitter_z - origin_z) / cell_size
    er = emitter_radius / cell_size
    er2 = er * er
    emitted = emitter_rate * dt
    lift = 0.5 * dt * buoyancy / density
    for i in range(1, nx - 1):
        for j in range(1, ny - 1):
            for k in range(1, nz - 1):
                # the y face below this cell: the mean smoke of the cells it separates
                v[i, j, k] += lift * (smoke[i, j, k] + smoke[i, j - 1, k]) * open_y[i, j, k]
    # Only cells whose centre (i + ½) is within er of the emitter's can be inside it: the
    # loops cover those, with a cell to spare each side against rounding.
    i0 = int(min(max(ex - er - 1.0, 1.0), nx - 1.0))
    i1 = int(min(max(ex + er + 1.0, 1.0), nx - 2.0)) + 1
    j0 = int(min(max(ey - er - 1.0, 1.0), ny - 1.0))
    j1 = int(min(max(ey + er + 1.0, 1.0), ny - 2.0)) + 1
    k0 = int(min(max(ez - er - 1.0, 1.0), nz - 1.0))
    k1 = int(min(max(ez + er + 1.0, 1.0), nz - 2.0)) + 1
    for i in range(i0, i1):
        dx = i + 0.5 - ex
        for j in range(j0, j1):
            dy = j + 0.5 - ey
            for k in range(k0, k1):
                dz = k + 0.5 - ez
                if dx * dx + dy * dy + dz * dz <= er2 and inv_open[i, j, k] != 0.0:
                    smoke[i, j, k] += emitted


# -- 2. diffusion -----------------------------------------------------------------------------


def relax_diffusion(
    dst: Array[f64, 3],
    src: Array[f64, 3],
    rhs: Array[f64, 3],
    faces: Array[u8, 3],
    a: float,
    scale: float,
) -> None:
    """One Jacobi sweep: ``dst`` ← (rhs + a·Σ neighbours in ``src``) / (1 + 6a) on open
    faces, 0 on closed ones. Reading one array and writing another makes every cell of a
    row independent of the others (unit stride, nothing carried from one to the next)."""
    nx = dst.shape[0]
    ny = dst.shape[1]
    nz = dst.shape[2]
    assert src.shape[0] == nx and src.shape[1] == ny and src.shape[2] == nz
    assert rhs.shape[0] == nx and rhs.shape[1] == ny and rhs.shape[2] == nz
    assert faces.shape[0] == nx and faces.shape[1] == ny and faces.shape[2] == nz
    for i in range(1, nx - 1):
        for j in range(1, ny - 1):
            for k in range(1, nz - 1):
                around = (
                    src[i - 1, j, k]
                    + src[i + 1, j, k]
                    + src[i, j - 1, k]
                    + src[i, j + 1, k]
                    + src[i, j, k - 1]
                    + src[i, j, k + 1]
                )
                dst[i, j, k] = (rhs[i, j, k] + a * around) * scale * faces[i, j, k]


def clear(field: Array[f64, 3]) -> None:
    """Every cell of ``field`` ← 0."""
    nx = field.shape[0]
    ny = field.shape[1]
    nz = field.shape[2]
    for i in range(nx):
        for j in range(ny):
            for k in range(nz):
                field[i, j, k] = 0.0


def diffuse(
    x: Array[f64, 3],
    rhs: Array[f64, 3],
    faces: Array[u8, 3],
    scratch: Array[f64, 3],
    a: float,
    iterations: int,
) -> None:
    """``iterations`` Jacobi sweeps for (1 + 6a)·x − a·Σ neighbours = rhs on open faces
    (closed faces stay 0), from ``rhs`` as the first guess; ``x`` receives the solution.
    Each sweep shrinks the error by at least 6a / (1 + 6a). Two or more sweeps alternate
    between ``x`` and ``scratch`` (cleared first: its outer layer is read as neighbours),
    so that the last lands in ``x``."""
    nx = x.shape[0]
    ny = x.shape[1]
    nz = x.shape[2]
    assert rhs.shape[0] == nx and rhs.shape[1] == ny and rhs.shape[2] == nz
    assert faces.shape[0] == nx and faces.shape[1] == ny and faces.shape[2] == nz
    assert scratch.shape[0] == nx and scratch.shape[1] == ny and scratch.shape[2] == nz
    scale = 1.0 / (1.0 + 6.0 * a)
    if iterations > 1:
        clear(scratch)
    for sweep in range(iterations):
        into_x = (iterations - sweep) % 2 == 1  # an odd number of sweeps left: this one
        if sweep == 0 and into_x:
            relax_diffusion(x, rhs, rhs, faces, a, scale)
        elif sweep == 0:
            relax_diffusion(scratch, rhs, rhs, faces, a, scale)
        elif into_x:
            relax_diffusion(x, scratch, rhs, faces, a, scale)
        else:
            relax_diffusion(scratch, x, rhs, faces, a, scale)
    if iterations == 0:
        for i in range(1, nx - 1):
            for j in range(1, ny - 1):
                for k in range(1, nz - 1):
                    x[i, j, k] = rhs[i, j, k] * faces[i, j, k]


def diffuse_once(
    u0: Array[f64, 3],
    v0: Array[f64, 3],
    w0: Array[f64, 3],
    u: Array[f64, 3],
    v: Array[f64, 3],
    w: Array[f64, 3],
    open_x: Array[u8, 3],
    open_y: Array[u8, 3],
    open_z: Array[u8, 3],
    a: float,
) -> None:
    """:func:`diffuse` with one sweep for all three components at once (the step's default):
    ``u0`` ← (u + a·Σ neighbours in u) / (1 + 6a) on open x faces, 0 on closed ones, and
    ``v0``, ``w0`` likewise — :func:`relax_diffusion`'s arithmetic, the same bits, in one
    walk over the grid. Each component's row is a vectorised loop of its own: such a loop
    checks when it starts that the row it writes overlaps none it reads, and one row written
    against six read is three times fewer pairs than three against nineteen."""
    nx = u.shape[0]
    ny = u.shape[1]
    nz = u.shape[2]
    assert v.shape[0] == nx and v.shape[1] == ny and v.shape[2] == nz
    assert w.shape[0] == nx and w.shape[1] == ny and w.shape[2] == nz
    assert u0.shape[0] == nx and u0.shape[1] == ny and u0.shape[2] == nz
    assert v0.shape[0] == nx and v0.shape[1] == ny and v0.shape[2] == nz
    assert w0.shape[0] == nx and w0.shape[1] == ny and w0.shape[2] == nz
    assert open_x.shape[0] == nx and open_x.shape[1] == ny and open_x.shape[2] == nz
    assert open_y.shape[0] == nx and open_y.shape[1] == ny and open_y.shape[2] == nz
    assert open_z.shape[0] == nx and open_z.shape[1] == ny and open_z.shape[2] == nz
    scale = 1.0 / (1.0 + 6.0 * a)
    for i in range(1, nx - 1):
        for j in range(1, ny - 1):
            for k in range(1, nz - 1):
                around = (
                    u[i - 1, j, k]
                    + u[i + 1, j, k]
                    + u[i, j - 1, k]
                    + u[i, j + 1, k]
                    + u[i, j, k - 1]
                    + u[i, j, k + 1]
                )
                u0[i, j, k] = (u[i, j, k] + a * around) * scale * open_x[i, j, k]
            for k in range(1, nz - 1):
                around = (
                    v[i - 1, j, k]
                    + v[i + 1, j, k]
                    + v[i, j - 1, k]
                    + v[i, j + 1, k]
                    + v[i, j, k - 1]
                    + v[i, j, k + 1]
                )
                v0[i, j, k] = (v[i, j, k] + a * around) * scale * open_y[i, j, k]
            for k in range(1, nz - 1):
                around = (
                    w[i - 1, j, k]
                    + w[i + 1, j, k]
                    + w[i, j - 1, k]
                    + w[i, j + 1, k]
                    + w[i, j, k - 1]
                    + w[i, j, k + 1]
                )
                w0[i, j, k] = (w[i, j, k] + a * around) * scale * open_z[i, j, k]


# -- 3. advection -----------------------------------------------------------------------------


def advect(
    u: Array[f64, 3],
    v: Array[f64, 3],
    w: Array[f64, 3],
    u0: Array[f64, 3],
    v0: Array[f64, 3],
    w0: Array[f64, 3],
    open_x: Array[u8, 3],
    open_y: Array[u8, 3],
    open_z: Array[u8, 3],
    dt: float,
    cell_size: float,
) -> None:
    """``u0, v0, w0`` ← the velocity ``u, v, w`` carried along itself, semi-Lagrangian.
    Positions are in index coordinates: cell (i, j, k) spans [i, i+1] × [j, j+1] × [k, k+1],
    so its x face sits at (i, j + ½, k + ½)."""
    nx = u.shape[0]
    ny = u.shape[1]
    nz = u.shape[2]
    assert v.shape[0] == nx and v.shape[1] == ny and v.shape[2] == nz
    assert w.shape[0] == nx and w.shape[1] == ny and w.shape[2] == nz
    assert u0.shape[0] == nx and u0.shape[1] == ny and u0.shape[2] == nz
    assert v0.shape[0] == nx and v0.shape[1] == ny and v0.shape[2] == nz
    assert w0.shape[0] == nx and w0.shape[1] == ny and w0.shape[2] == nz
    assert open_x.shape[0] == nx and open_x.shape[1] == ny and open_x.shape[2] == nz
    assert open_y.shape[0] == nx and open_y.shape[1] == ny and open_y.shape[2] == nz
    assert open_z.shape[0] == nx and open_z.shape[1] == ny and open_z.shape[2] == nz
    s = dt / cell_size  # metres per second → cells per step
    # Clamp limits in each field's own index coordinates: a face field's sample points sit
    # on whole indices along its axis (faces 1 … n-1 bound the fluid), a cell field's on
    # whole indices too once shifted by ½ (cells 1 … n-2 are fluid). Each trilinear sample
    # is written out (not a call) so that the compiler proves its 8 reads in range from the
    # loops and the clamps: the corner index is at most n − 2 on a face axis, n − 3 on the
    # others.
    fx = nx - 1.0
    fy = ny - 1.0
    fz = nz - 1.0
    cx = nx - 2.0
    cy = ny - 2.0
    cz = nz - 2.0
    for i in range(1, nx - 1):
        for j in range(1, ny - 1):
            for k in range(1, nz - 1):
                # x face (i, j+½, k+½): its own u, v and w averaged from the 4 faces around
                if open_x[i, j, k] != 0:
                    uu = u[i, j, k]
                    vv = 0.25 * (v[i - 1, j, k] + v[i - 1, j + 1, k] + v[i, j, k] + v[i, j + 1, k])
                    ww = 0.25 * (w[i - 1, j, k] + w[i - 1, j, k + 1] + w[i, j, k] + w[i, j, k + 1])
                    x = min(max(i - s * uu, 1.0), fx)
                    y = min(max(j - s * vv, 1.0), cy)
                    z = min(max(k - s * ww, 1.0), cz)
                    a = min(int(x), nx - 2)
                    b = min(int(y), ny - 3)
                    c = min(int(z), nz - 3)
                    tx = x - a
                    ty = y - b
                    tz = z - c
                    c00 = u[a, b, c] + (u[a + 1, b, c] - u[a, b, c]) * tx
                    c10 = u[a, b + 1, c] + (u[a + 1, b + 1, c] - u[a, b + 1, c]) * tx
                    c01 = u[a, b, c + 1] + (u[a + 1, b, c + 1] - u[a, b, c + 1]) * tx
                    c11 = u[a, b + 1, c + 1] + (u[a + 1, b + 1, c + 1] - u[a, b + 1, c + 1]) * tx
                    c0 = c00 + (c10 - c00) * ty
                    c1 = c01 + (c11 - c01) * ty
                    u0[i, j, k] = c0 + (c1 - c0) * tz
                else:
                    u0[i, j, k] = 0.0
                # y face (i+½, j, k+½)
                if open_y[i, j, k] != 0:
                    uu = 0.25 * (u[i, j - 1, k] + u[i + 1, j - 1, k] + u[i, j, k] + u[i + 1, j, k])
                    vv = v[i, j, k]
                    ww = 0.25 * (w[i, j - 1, k] + w[i, j - 1, k + 1] + w[i, j, k] + w[i, j, k + 1])
                    x = min(max(i - s * uu, 1.0), cx)
                    y = min(max(j - s * vv, 1.0), fy)
                    z = min(max(k - s * ww, 1.0), cz)
                    a = min(int(x), nx - 3)
                    b = min(int(y), ny - 2)
                    c = min(int(z), nz - 3)
                    tx = x - a
                    ty = y - b
                    tz = z - c
                    c00 = v[a, b, c] + (v[a + 1, b, c] - v[a, b, c]) * tx
                    c10 = v[a, b + 1, c] + (v[a + 1, b + 1, c] - v[a, b + 1, c]) * tx
                    c01 = v[a, b, c + 1] + (v[a + 1, b, c + 1] - v[a, b, c + 1]) * tx
                    c11 = v[a, b + 1, c + 1] + (v[a + 1, b + 1, c + 1] - v[a, b + 1, c + 1]) * tx
                    c0 = c00 + (c10 - c00) * ty
                    c1 = c01 + (c11 - c01) * ty
                    v0[i, j, k] = c0 + (c1 - c0) * tz
                else:
                    v0[i, j, k] = 0.0
                # z face (i+½, j+½, k)
                if open_z[i, j, k] != 0:
                    uu = 0.25 * (u[i, j, k - 1] + u[i + 1, j, k - 1] + u[i, j, k] + u[i + 1, j, k])
                    vv = 0.25 * (v[i, j, k - 1] + v[i, j + 1, k - 1] + v[i, j, k] + v[i, j + 1, k])
                    ww = w[i, j, k]
                    x = min(max(i - s * uu, 1.0), cx)
                    y = min(max(j - s * vv, 1.0), cy)
                    z = min(max(k - s * ww, 1.0), fz)
                    a = min(int(x), nx - 3)
                    b = min(int(y), ny - 3)
                    c = min(int(z), nz - 2)
                    tx = x - a
                    ty = y - b
                    tz = z - c
                    c00 = w[a, b, c] + (w[a + 1, b, c] - w[a, b, c]) * tx
                    c10 = w[a, b + 1, c] + (w[a + 1, b + 1, c] - w[a, b + 1, c]) * tx
                    c01 = w[a, b, c + 1] + (w[a + 1, b, c + 1] - w[a, b, c + 1]) * tx
                    c11 = w[a, b + 1, c + 1] + (w[a + 1, b + 1, c + 1] - w[a, b + 1, c + 1]) * tx
                    c0 = c00 + (c10 - c00) * ty
                    c1 = c01 + (c11 - c01) * ty
                    w0[i, j, k] = c0 + (c1 - c0) * tz
                else:
                    w0[i, j, k] = 0.0


def advect_smoke(
    smoke: Array[f64, 3],
    share: Array[f64, 3],
    u: Array[f64, 3],
    v: Array[f64, 3],
    w: Array[f64, 3],
    inv_open: Array[f64, 3],
    dt: float,
    cell_size: float,
) -> None:
    """``smoke`` carried along ``u, v, w`` (in place), semi-Lagrangian and conservative
    (Lentine, Aanjaneya & Fedkiw, "Mass and momentum conservation for fluid simulation",
    SCA 2011): each fluid cell gathers from the 8 cells around where its fluid came from,
    with trilinear weights, and every source cell's smoke is divided among the cells that
    gather from it in proportion to those weights, so none is created or lost; smoke that
    no cell gathers stays where it is. ``share`` is scratch space (a source cell's weight
    total, then its smoke per unit weight)."""
    nx = smoke.shape[0]
    ny = smoke.shape[1]
    nz = smoke.shape[2]
    assert share.shape[0] == nx and share.shape[1] == ny and share.shape[2] == nz
    assert inv_open.shape[0] == nx and inv_open.shape[1] == ny and inv_open.shape[2] == nz
    assert u.shape[0] == nx and u.shape[1] == ny and u.shape[2] == nz
    assert v.shape[0] == nx and v.shape[1] == ny and v.shape[2] == nz
    assert w.shape[0] == nx and w.shape[1] == ny and w.shape[2] == nz
    s = dt / cell_size
    hi_x = nx - 2.0
    hi_y = ny - 2.0
    hi_z = nz - 2.0
    for i in range(nx):
        for j in range(ny):
            for k in range(nz):
                share[i, j, k] = 0.0
    # Each source cell's total weight over the cells that gather from it.
    for i in range(1, nx - 1):
        for j in range(1, ny - 1):
            for k in range(1, nz - 1):
                if inv_open[i, j, k] != 0.0:
                    # where this cell's fluid was (written out here, not called, so
                    # that the compiler proves these reads in range from the loops)
                    x = i - s * (0.5 * (u[i, j, k] + u[i + 1, j, k]))
                    y = j - s * (0.5 * (v[i, j, k] + v[i, j + 1, k]))
                    z = k - s * (0.5 * (w[i, j, k] + w[i, j, k + 1]))
                    x = min(max(x, 1.0), hi_x)
                    y = min(max(y, 1.0), hi_y)
                    z = min(max(z, 1.0), hi_z)
                    a = min(int(x), nx - 3)
                    b = min(int(y), ny - 3)
                    c = min(int(z), nz - 3)
                    tx = x - a
                    ty = y - b
                    tz = z - c
                    sx = 1.0 - tx
                    sy = 1.0 - ty
                    sz = 1.0 - tz
                    share[a, b, c] += sx * sy * sz
                    share[a + 1, b, c] += tx * sy * sz
                    share[a, b + 1, c] += sx * ty * sz
                    share[a + 1, b + 1, c] += tx * ty * sz
                    share[a, b, c + 1] += sx * sy * tz
                    share[a + 1, b, c + 1] += tx * sy * tz
                    share[a, b + 1, c + 1] += sx * ty * tz
                    share[a + 1, b + 1, c + 1] += tx * ty * tz
    # Smoke per unit weight; smoke nobody gathers stays put.
    for i in range(nx):
        for j in range(ny):
            for k in range(nz):
                total = share[i, j, k]
                if total > 0.0:
                    share[i, j, k] = smoke[i, j, k] / total
                    smoke[i, j, k] = 0.0
                else:
                    share[i, j, k] = 0.0
    for i in range(1, nx - 1):
        for j in range(1, ny - 1):
            for k in range(1, nz - 1):
                if inv_open[i, j, k] != 0.0:
                    # where this cell's fluid was (written out here, not called, so
                    # that the compiler proves these reads in range from the loops)
                    x = i - s * (0.5 * (u[i, j, k] + u[i + 1, j, k]))
                    y = j - s * (0.5 * (v[i, j, k] + v[i, j + 1, k]))
                    z = k - s * (0.5 * (w[i, j, k] + w[i, j, k + 1]))
                    x = min(max(x, 1.0), hi_x)
                    y = min(max(y, 1.0), hi_y)
                    z = min(max(z, 1.0), hi_z)
                    a = min(int(x), nx - 3)
                    b = min(int(y), ny - 3)
                    c = min(int(z), nz - 3)
                    tx = x - a
                    ty = y - b
                    tz = z - c
                    sx = 1.0 - tx
                    sy = 1.0 - ty
                    sz = 1.0 - tz
                    gathered = (
                        share[a, b, c] * (sx * sy * sz)
                        + share[a + 1, b, c] * (tx * sy * sz)
                        + share[a, b + 1, c] * (sx * ty * sz)
                        + share[a + 1, b + 1, c] * (tx * ty * sz)
                        + share[a, b, c + 1] * (sx * sy * tz)
                        + share[a + 1, b, c + 1] * (tx * sy * tz)
                        + share[a, b + 1, c + 1] * (sx * ty * tz)
                        + share[a + 1, b + 1, c + 1] * (tx * ty * tz)
                    )
                    smoke[i, j, k] += gathered


# -- 4. projection ----------------------------------------------------------------------------


def outflow(
    u: Array[f64, 3],
    v: Array[f64, 3],
    w: Array[f64, 3],
    out: Array[f64, 3],
    inv_open: Array[f64, 3],
    scale: float,
) -> float:
    """``out`` ← ``scale`` × each fluid cell's net outflow (m/s: its divergence × cell size);
    returns the largest |outflow| (unscaled)."""
    nx = u.shape[0]
    ny = u.shape[1]
    nz = u.shape[2]
    assert v.shape[0] == nx and v.shape[1] == ny and v.shape[2] == nz
    assert w.shape[0] == nx and w.shape[1] == ny and w.shape[2] == nz
    assert out.shape[0] == nx and out.shape[1] == ny and out.shape[2] == nz
    assert inv_open.shape[0] == nx and inv_open.shape[1] == ny and inv_open.shape[2] == nz
    largest = 0.0
    for i in range(1, nx - 1):
        for j in range(1, ny - 1):
            for k in range(1, nz - 1):
                d = u[i + 1, j, k] - u[i, j, k] + v[i, j + 1, k] - v[i, j, k]
                d += w[i, j, k + 1] - w[i, j, k]
                if inv_open[i, j, k] == 0.0:
                    d = 0.0
                out[i, j, k] = scale * d
                largest = max(largest, abs(d))
    return largest


def relax_masked_cell(
    p: Array[f64, 3],
    b: Array[f64, 3],
    open_x: Array[u8, 3],
    open_y: Array[u8, 3],
    open_z: Array[u8, 3],
    inv_open: Array[f64, 3],
    i: int,
    j: int,
    k: int,
    omega: float,
) -> None:
    """Relax pressure cell (i, j, k) from its neighbours across open faces (the masks)."""
    around = (
        open_x[i, j, k] * p[i - 1, j, k]
        + open_x[i + 1, j, k] * p[i + 1, j, k]
        + open_y[i, j, k] * p[i, j - 1, k]
        + open_y[i, j + 1, k] * p[i, j + 1, k]
        + open_z[i, j, k] * p[i, j, k - 1]
        + open_z[i, j, k + 1] * p[i, j, k + 1]
    )
    here = p[i, j, k]
    p[i, j, k] = here + omega * ((around - b[i, j, k]) * inv_open[i, j, k] - here)


def relax_pressure_plane(
    p: Array[f64, 3],
    b: Array[f64, 3],
    open_x: Array[u8, 3],
    open_y: Array[u8, 3],
    open_z: Array[u8, 3],
    inv_open: Array[f64, 3],
    i: int,
    colour: int,
    omega: float,
) -> None:
    """One colour of one x plane: p moves ``omega`` of the way to (Σ_open p_n − b) / (open
    faces), for the cells with i + j + k ≡ colour (mod 2). ``inv_open`` and the masks are
    :func:`build_faces`'s: a cell with ``inv_open`` 1/6 has all six faces open (most
    cells), and its sum skips the masks (the same bits: 1·p is p exactly). The cells with a
    closed face take a second pass through their masks; the order inside a colour does not
    matter (no cell of a colour reads another of it). Keeping the masks out of the first
    pass keeps its loop small: fewer row pointers live across its iterations, which the
    compiler then holds in registers."""
    nx = p.shape[0]
    ny = p.shape[1]
    nz = p.shape[2]
    assert b.shape[0] == nx and b.shape[1] == ny and b.shape[2] == nz
    assert open_x.shape[0] == nx and open_x.shape[1] == ny and open_x.shape[2] == nz
    assert open_y.shape[0] == nx and open_y.shape[1] == ny and open_y.shape[2] == nz
    assert open_z.shape[0] == nx and open_z.shape[1] == ny and open_z.shape[2] == nz
    assert inv_open.shape[0] == nx and inv_open.shape[1] == ny and inv_open.shape[2] == nz
    for j in range(1, ny - 1):
        first = 1 + (i + j + 1 + colour) % 2
        closed = 0  # cells of the row with a closed face, left for the second pass
        for k in range(first, nz - 1, 2):
            if inv_open[i, j, k] == ALL_OPEN:
                around = (
                    p[i - 1, j, k]
                    + p[i + 1, j, k]
                    + p[i, j - 1, k]
                    + p[i, j + 1, k]
                    + p[i, j, k - 1]
                    + p[i, j, k + 1]
                )
                here = p[i, j, k]
                p[i, j, k] = here + omega * ((around - b[i, j, k]) * ALL_OPEN - here)
            else:
                closed += 1
        # Cells 1 and nz − 2 face a wall; in most rows they are the only ones with a closed
        # face, and are relaxed without a second look along the row.
        last = nz - 2 if (nz - 2 - first) % 2 == 0 else 0
        ends = (1 if first == 1 else 0) + (1 if last != 0 else 0)
        if closed == ends:
            if first == 1:
                relax_masked_cell(p, b, open_x, open_y, open_z, inv_open, i, j, 1, omega)
            if last != 0:
                relax_masked_cell(p, b, open_x, open_y, open_z, inv_open, i, j, last, omega)
        else:
            for k in range(first, nz - 1, 2):
                if inv_open[i, j, k] != ALL_OPEN:
                    relax_masked_cell(p, b, open_x, open_y, open_z, inv_open, i, j, k, omega)


def solve_pressure(
    p: Array[f64, 3],
    b: Array[f64, 3],
    open_x: Array[u8, 3],
    open_y: Array[u8, 3],
    open_z: Array[u8, 3],
    inv_open: Array[f64, 3],
    iterations: int,
    omega: float,
) -> None:
    """Red-black successive over-relaxation for Σ_open (p_n − p) = b: each sweep updates the
    cells with i + j + k even (red), then the odd ones (black), each from its open
    neighbours, moving ``omega`` of the way to the Gauss–Seidel value (1: plain red-black
    Gauss–Seidel; 1.5 roughly halves to quarters the divergence 20 sweeps leave on 32³–64³
    grids, and keeps every step's reduction at least as good as Gauss–Seidel's there).

    A black cell needs only its red neighbours, which are final once the red planes i − 1,
    i and i + 1 are: so the sweep walks the grid once, relaxing red plane i and then black
    plane i − 1, and reads memory once per sweep rather than once per colour — with exactly
    the two-pass sweep's arithmetic and result."""
    nx = p.shape[0]
    for _ in range(iterations):
        relax_pressure_plane(p, b, open_x, open_y, open_z, inv_open, 1, 0, omega)
        for i in range(2, nx - 1):
            relax_pressure_plane(p, b, open_x, open_y, open_z, inv_open, i, 0, omega)
            relax_pressure_plane(p, b, open_x, open_y, open_z, inv_open, i - 1, 1, omega)
        relax_pressure_plane(p, b, open_x, open_y, open_z, inv_open, nx - 2, 1, omega)


def subtract_gradient(
    u: Array[f64, 3],
    v: Array[f64, 3],
    w: Array[f64, 3],
    p: Array[f64, 3],
    smoke: Array[f64, 3],
    open_x: Array[u8, 3],
    open_y: Array[u8, 3],
    open_z: Array[u8, 3],
    inv_open: Array[f64, 3],
    rows: Array[f64, 3],
    scale: float,
) -> tuple[float, float, float]:
    """``u, v, w`` −= ``scale``·∇p on open faces (in place), 0 on closed ones; returns the
    step's closing figures, ``(largest |outflow| of a fluid cell, total smoke, fastest)``
    (the largest |u| + |v| + |w| on a cell's lower faces; NaN or inf if any face is), from
    the same walk over the grid.

    The walk goes plane by plane in i: once plane i's gradient is subtracted, the six faces
    of every cell of plane i − 1 are final, so that plane's figures are taken next, while
    its rows are in cache — one plane behind, with the divergence :func:`outflow` computes.
    The figures gather per column k in five rows of ``rows`` (wall rows of a scratch field,
    which no stage reads: zeroed before and after), so that each row's loop runs as vectors
    (a sum or a ``max`` along k would carry from one cell to the next); the columns are
    summed at the end. ``max`` is exact in any order; the smoke's total is summed per column,
    then across (the same numbers, added in another order than one running sum's)."""
    nx = u.shape[0]
    ny = u.shape[1]
    nz = u.shape[2]
    assert v.shape[0] == nx and v.shape[1] == ny and v.shape[2] == nz
    assert w.shape[0] == nx and w.shape[1] == ny and w.shape[2] == nz
    assert p.shape[0] == nx and p.shape[1] == ny and p.shape[2] == nz
    assert smoke.shape[0] == nx and smoke.shape[1] == ny and smoke.shape[2] == nz
    assert open_x.shape[0] == nx and open_x.shape[1] == ny and open_x.shape[2] == nz
    assert open_y.shape[0] == nx and open_y.shape[1] == ny and open_y.shape[2] == nz
    assert open_z.shape[0] == nx and open_z.shape[1] == ny and open_z.shape[2] == nz
    assert inv_open.shape[0] == nx and inv_open.shape[1] == ny and inv_open.shape[2] == nz
    assert rows.shape[0] == nx and rows.shape[1] == ny and rows.shape[2] == nz
    if nx < 3 or ny < 3:
        raise ValueError("the grid needs at least 3 cells along each axis (walls and fluid)")
    last = nx - 1
    # rows[0, 0]: smoke, [0, 1]: fastest, [0, 2]: |u| + |v| + |w| summed (catches a NaN that
    # max() drops), [last, 0]: |outflow| of the cell being looked at, [last, 1]: its largest
    for k in range(nz):
        rows[0, 0, k] = 0.0
        rows[0, 1, k] = 0.0
        rows[0, 2, k] = 0.0
        rows[last, 0, k] = 0.0
        rows[last, 1, k] = 0.0
    for g in range(1, nx + 1):
        if g < nx - 1:
            for j in range(1, ny - 1):
                for k in range(1, nz - 1):
                    dp = p[g, j, k] - p[g - 1, j, k]
                    u[g, j, k] = (u[g, j, k] - scale * dp) * open_x[g, j, k]
                for k in range(1, nz - 1):
                    dp = p[g, j, k] - p[g, j - 1, k]
                    v[g, j, k] = (v[g, j, k] - scale * dp) * open_y[g, j, k]
                for k in range(1, nz - 1):
                    dp = p[g, j, k] - p[g, j, k - 1]
                    w[g, j, k] = (w[g, j, k] - scale * dp) * open_z[g, j, k]
        i = g - 1  # every face of plane i is final
        for j in range(ny):
            for k in range(nz):
                rows[0, 0, k] += smoke[i, j, k]
                a = abs(u[i, j, k]) + abs(v[i, j, k]) + abs(w[i, j, k])
                rows[0, 2, k] += a
                if rows[0, 1, k] < a:
                    rows[0, 1, k] = a
            if 0 < i < nx - 1 and 0 < j < ny - 1:
                for k in range(1, nz - 1):
                    d = u[i + 1, j, k] - u[i, j, k] + v[i, j + 1, k] - v[i, j, k]
                    d += w[i, j, k + 1] - w[i, j, k]
                    # |d| of a cell with inv_open ≠ 0 (a fluid cell with an open face), else 0
                    rows[last, 0, k] = 0.0
                    if inv_open[i, j, k] != 0.0:
                        rows[last, 0, k] = abs(d)
                    if rows[last, 1, k] < rows[last, 0, k]:
                        rows[last, 1, k] = rows[last, 0, k]
    divergence = 0.0
    total = 0.0
    largest = 0.0
    speeds = 0.0
    for k in range(nz):
        total += rows[0, 0, k]
        largest = max(largest, rows[0, 1, k])
        speeds += rows[0, 2, k]
        divergence = max(divergence, rows[last, 1, k])
        rows[0, 0, k] = 0.0
        rows[0, 1, k] = 0.0
        rows[0, 2, k] = 0.0
        rows[last, 0, k] = 0.0
        rows[last, 1, k] = 0.0
    return divergence, total, largest if math.isfinite(speeds) else speeds


# -- the step ---------------------------------------------------------------------------------


def step(
    u: Array[f64, 3],
    v: Array[f64, 3],
    w: Array[f64, 3],
    smoke: Array[f64, 3],
    pressure: Array[f64, 3],
    u0: Array[f64, 3],
    v0: Array[f64, 3],
    w0: Array[f64, 3],
    smoke0: Array[f64, 3],
    rhs: Array[f64, 3],
    open_x: Array[u8, 3],
    open_y: Array[u8, 3],
    open_z: Array[u8, 3],
    inv_open: Array[f64, 3],
    solid: Array[u8],
    dt: float,
    viscosity: float = 1.5e-5,
    density: float = 1.0,
    cell_size: float = 0.05,
    origin_x: float = 0.0,
    origin_y: float = 0.0,
    origin_z: float = 0.0,
    emitter_x: float = 0.0,
    emitter_y: float = 0.0,
    emitter_z: float = 0.0,
    emitter_radius: float = 0.0,
    emitter_rate: float = 0.0,
    buoyancy: float = 4.0,
    pressure_iterations: int = 20,
    diffusion_iterations: int = 1,
    relaxation: float = 1.5,
) -> tuple[float, float, float, float]:
    """Advance the smoke by ``dt`` seconds; returns ``(div_before, div_after, mass,
    max_speed)``.

    ``u, v, w`` (face velocities, m/s), ``smoke`` and ``pressure`` (Pa) carry the state from
    one call to the next, and the face masks and ``inv_open`` are kept while ``solid`` does
    not change; the other fields are scratch space (``u0, v0, w0``: the diffused velocity,
    ``smoke0``: the smoke advection's weights, ``rhs``: the pressure solve's right-hand
    side and the diffusion's second buffer). ``div_before`` and
    ``div_after`` are the largest |divergence| (1/s) before and after the projection.
    """
    nx = u.shape[0]
    ny = u.shape[1]
    nz = u.shape[2]
    if nx < 3 or ny < 3 or nz < 3:
        raise ValueError("the grid needs at least 3 cells along each axis (walls and fluid)")
    check_arguments(dt, viscosity, density, cell_size, pressure_iterations, diffusion_iterations)
    if not 0.0 < relaxation < 2.0:
        raise ValueError("relaxation (the pressure solve's over-relaxation) must be in (0, 2)")
    # A NaN here would spread through every field within a few steps (a sum of the numbers
    # is finite exactly when each of them is, short of overflow).
    numbers = origin_x + origin_y + origin_z + emitter_x + emitter_y + emitter_z
    if not math.isfinite(numbers + emitter_radius + emitter_rate + buoyancy):
        raise ValueError("origin, emitter (position, radius, rate) and buoyancy must be finite")
    check_grid(v, nx, ny, nz)
    check_grid(w, nx, ny, nz)
    check_grid(smoke, nx, ny, nz)
    check_grid(pressure, nx, ny, nz)
    check_grid(u0, nx, ny, nz)
    check_grid(v0, nx, ny, nz)
    check_grid(w0, nx, ny, nz)
    check_grid(smoke0, nx, ny, nz)
    check_grid(rhs, nx, ny, nz)
    check_mask(open_x, nx, ny, nz)
    check_mask(open_y, nx, ny, nz)
    check_mask(open_z, nx, ny, nz)
    check_grid(inv_open, nx, ny, nz)
    if not faces_current(solid, inv_open):  # the obstacle moved, or the first step
        build_faces(solid, open_x, open_y, open_z, inv_open)
    add_sources(
        v,
        smoke,
        inv_open,
        open_y,
        dt,
        density,
        cell_size,
        origin_x,
        origin_y,
        origin_z,
        emitter_x,
        emitter_y,
        emitter_z,
        emitter_radius,
        emitter_rate,
        buoyancy,
    )
    # The velocity goes u → (diffusion) u0 → (advection) u → (projection) u, the smoke
    # stays in smoke: no copies.
    a = viscosity * dt / (cell_size * cell_size)
    if diffusion_iterations == 1:
        diffuse_once(u0, v0, w0, u, v, w, open_x, open_y, open_z, a)
    else:
        diffuse(u0, u, open_x, rhs, a, diffusion_iterations)
        diffuse(v0, v, open_y, rhs, a, diffusion_iterations)
        diffuse(w0, w, open_z, rhs, a, diffusion_iterations)
    advect(u0, v0, w0, u, v, w, open_x, open_y, open_z, dt, cell_size)
    advect_smoke(smoke, smoke0, u0, v0, w0, inv_open, dt, cell_size)
    # Σ_open (p_n − p) = (ρ h / dt) · outflow
    before = outflow(u, v, w, rhs, inv_open, density * cell_size / dt)
    solve_pressure(pressure, rhs, open_x, open_y, open_z, inv_open, pressure_iterations, relaxation)
    # u −= dt / (ρ h) · ∇p, and the figures after it in the same walk (rhs is free again)
    after, smoke_total, speed = subtract_gradient(
        u, v, w, pressure, smoke, open_x, open_y, open_z, inv_open, rhs, dt / (density * cell_size)
    )
    mass = smoke_total * cell_size * cell_size * cell_size
    if not math.isfinite(mass) or not math.isfinite(speed):
        raise ValueError("the fields are no longer finite (NaN or inf): check the inputs")
    return before / cell_size, after / cell_size, mass, speed
