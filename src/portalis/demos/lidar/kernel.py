"""LiDAR: a spinning scanner and a point-cloud filter, both compiled to WebAssembly.

This is a Portalis kernel: plain typed Python in the language ``portalis build`` compiles
(docs/language.md). It runs unchanged under CPython, which is how its tests check it.

Two entry points, one per ``WasmSensor`` prim of the demo scene (each prim gets its own
instance of the module):

* :func:`scan` casts ``beams × steps`` rays from the sensor against the scene's shapes, which
  the runner reads from USD (``UsdGeom`` Plane, Cube, Sphere, Cylinder prims with their
  transforms; one row per shape, laid out as ``portalis.sim.geometry`` documents), and writes
  the returns in the sensor's frame, with range noise, dropouts and spurious returns.
* :func:`filter_cloud` crops the scan to a box, downsamples it to one centroid per voxel,
  fits the ground plane by RANSAC and removes it, removes isolated centroids (radius outlier
  removal), and writes the filtered cloud with a colour by height above the ground.

Frames: the sensor frame has x forward, y left, z up, its origin at the scanner. Lengths are
metres, angles radians unless a name says degrees.

Randomness comes from a counter-based hash (:func:`_hash32`) of (seed, frame, ray): the same
arguments give the same scan, compiled or under CPython, whatever order rays are cast in.
Every product in it stays below 2**63, so 64-bit wasm integers and Python's integers agree.

The language has no arrays created inside a function yet, so the working memory (hash tables,
per-voxel sums, the per-column candidate list) is passed in by the caller: the runner supplies
a sensor's unbound 1-D array parameters as working buffers of ``dataBufferSize`` elements.
"""

import math

from portalis.lang import Array, f32, f64, i32, i64

# -- shape rows (portalis.sim.geometry) --------------------------------------------------------
PLANE = 0
CUBE = 1
SPHERE = 2
CYLINDER = 3
#: Numbers per shape row: kind, axis, two sizes, the 3×4 world-to-local affine (row-major),
#: the world bounding sphere (centre, radius).
ROW = 20
#: Row columns.
KIND = 0
AXIS = 1
SIZE0 = 2
SIZE1 = 3
AFFINE = 4
BOUND = 16

#: Numbers per shape in ``shape_cones``: its bounding cone seen from the sensor (azimuth,
#: half width, lowest and highest elevation, nearest distance), the sensor's position in the
#: shape's frame, and the world's vertical in the shape's frame.
CONE = 11

#: Label of a spurious return (returns that hit a shape carry the shape's row index).
SPURIOUS = -1
#: Closest range the scanner reports (its own housing is nearer).
MIN_RANGE = 0.3
#: Rays nearly parallel to a face do not hit it.
PARALLEL = 1e-12

# -- what happened to each point of a scan (filter_cloud's ``fate``) ----------------------------
KEPT = 0
CROPPED = 1
INVALID = 2
GROUND = 3
OUTLIER = 4

#: Voxel and cell indices are packed 14 bits per axis into one int key, and a hash-table
#: entry packs a key with a 21-bit value (a voxel or cell number): one 64-bit load per probe.
AXIS_BITS = 14
AXIS_CELLS = 1 << AXIS_BITS
X_SHIFT = 2 * AXIS_BITS
AXIS_MASK = AXIS_CELLS - 1
#: The voxel table starts with room for this fraction of the points (scans have several
#: points per voxel) and doubles whenever it is half full: a small table stays in cache. The
#: street's scans have 3.5 points per 0.2 m voxel, so a quarter needs no growth there (an
#: eighth grew once per frame: clearing and refilling the table cost 7% of the filter).
FIRST_TABLE_SHARE = 4
VALUE_BITS = 21
VALUE_MASK = (1 << VALUE_BITS) - 1
#: At most this many points per scan (voxel numbers must fit in VALUE_BITS).
MAX_POINTS = VALUE_MASK
#: An empty hash-table slot (every valid entry is non-negative).
EMPTY = -1
#: The 27 grid cells around a cell, its own first: most centroids find enough neighbours
#: there and stop looking.
AROUND_X = (
    0,
    -1,
    0,
    1,
    -1,
    0,
    1,
    -1,
    0,
    1,
    -1,
    0,
    1,
    -1,
    1,
    -1,
    0,
    1,
    -1,
    0,
    1,
    -1,
    0,
    1,
    -1,
    0,
    1,
)
AROUND_Y = (
    0,
    -1,
    -1,
    -1,
    0,
    0,
    0,
    1,
    1,
    1,
    -1,
    -1,
    -1,
    0,
    0,
    1,
    1,
    1,
    -1,
    -1,
    -1,
    0,
    0,
    0,
    1,
    1,
    1,
)
AROUND_Z = (
    0,
    -1,
    -1,
    -1,
    -1,
    -1,
    -1,
    -1,
    -1,
    -1,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
)
#: Voxels sampled to score a RANSAC plane (all of them when there are fewer).
RANSAC_SAMPLE = 2048
#: Where the sampled centroids' y and z start in ``sample`` (x at 0): one coordinate per
#: run of 2 * RANSAC_SAMPLE, more than are ever sampled, so the scoring loop reads each at
#: unit stride (``sample[k + SAMPLE_Y]``) and runs as f64x2 vectors.
SAMPLE_Y = 2 * RANSAC_SAMPLE
SAMPLE_Z = 4 * RANSAC_SAMPLE
#: Heights above the ground mapped onto the colour ramp (metres).
COLOUR_TOP = 4.0


# -- deterministic randomness --------------------------------------------------------------------


def _hash32(x: int) -> int:
    """A 32-bit integer hash (xorshift-multiply rounds); multipliers below 2**31 keep every
    product below 2**63."""
    x = x & 0xFFFFFFFF
    x = x ^ (x >> 16)
    x = (x * 0x7FEB352D) & 0xFFFFFFFF
    x = x ^ (x >> 15)
    x = (x * 0x68E31DA5) & 0xFFFFFFFF
    x = x ^ (x >> 16)
    return x


def _unit(h: int) -> float:
    """A hash as a float in [0, 1) (a multiplication by 2**-32: exact, and cheaper than a
    division)."""
    return h * 2.3283064365386963e-10


# -- ray casting against one shape, in its local frame --------------------------------------------


def _hit_plane(
    ou: float, ov: float, ow: float, du: float, dv: float, dw: float, width: float, length: float
) -> float:
    """Distance along the ray to a rectangle in the plane w = 0 (inf if none)."""
    if abs(dw) < PARALLEL:
        return math.inf
    t = -ow / dw
    if t <= 0.0:
        return math.inf
    if abs(ou + t * du) > 0.5 * width or abs(ov + t * dv) > 0.5 * length:
        return math.inf
    return t


def _hit_sphere(
    ox: float, oy: float, oz: float, dx: float, dy: float, dz: float, radius: float
) -> float:
    a = dx * dx + dy * dy + dz * dz
    b = ox * dx + oy * dy + oz * dz
    c = ox * ox + oy * oy + oz * oz - radius * radius
    disc = b * b - a * c
    if disc < 0.0 or a < PARALLEL:
        return math.inf
    root = math.sqrt(disc)
    t = (-b - root) / a
    if t <= 0.0:
        t = (-b + root) / a
    if t <= 0.0:
        return math.inf
    return t


def _slab(o: float, d: float, half: float, near: float, far: float) -> tuple[float, float]:
    """Narrow (near, far) to where the ray is within |coordinate| ≤ half. A ray (nearly)
    parallel to the faces is tilted to PARALLEL: inside the slab it then meets the faces
    ~1e12 lengths away on either side (the interval stays), outside it beyond any range
    the scanner reports unless its origin lies within 1e-10 of a face's plane. Small
    enough that the compiler inlines ``_hit_cube`` (three slabs) into the ray loop."""
    if abs(d) < PARALLEL:
        d = PARALLEL
    t1 = (-half - o) / d
    t2 = (half - o) / d
    return max(near, min(t1, t2)), min(far, max(t1, t2))


def _hit_cube(
    ox: float, oy: float, oz: float, dx: float, dy: float, dz: float, size: float
) -> float:
    half = 0.5 * size
    near, far = _slab(ox, dx, half, -math.inf, math.inf)
    near, far = _slab(oy, dy, half, near, far)
    near, far = _slab(oz, dz, half, near, far)
    if near > far or not far > 0.0:
        return math.inf
    return near if near > 0.0 else far


def _hit_cylinder(
    ou: float, ov: float, ow: float, du: float, dv: float, dw: float, radius: float, height: float
) -> float:
    """A capped cylinder along w, centred on the origin."""
    best = math.inf
    half = 0.5 * height
    r2 = radius * radius
    a = du * du + dv * dv
    if a > PARALLEL:
        b = ou * du + ov * dv
        c = ou * ou + ov * ov - r2
        disc = b * b - a * c
        if disc >= 0.0:
            root = math.sqrt(disc)
            t = (-b - root) / a
            if t > 0.0 and abs(ow + t * dw) <= half:
                best = t
            else:
                t = (-b + root) / a
                if t > 0.0 and abs(ow + t * dw) <= half:
                    best = t
    if abs(dw) > PARALLEL:
        for k in range(2):
            cap = half if k == 0 else -half
            t = (cap - ow) / dw
            if 0.0 < t < best:
                u = ou + t * du
                v = ov + t * dv
                if u * u + v * v <= r2:
                    best = t
    return best


def _hit_shape(
    kind: int,
    axis: int,
    size0: float,
    size1: float,
    lx: float,
    ly: float,
    lz: float,
    ex: float,
    ey: float,
    ez: float,
) -> float:
    """Distance along a ray to a shape of ``kind`` (inf if none), the ray given in the
    shape's local frame: origin (lx, ly, lz), direction (ex, ey, ez) unnormalised, so
    distances stay world distances. Scalars only (no shape table): the compiler inlines it
    into the ray loop, where a call would spill every float the loop keeps in registers."""
    if kind == SPHERE:
        return _hit_sphere(lx, ly, lz, ex, ey, ez, size0)
    if kind == CUBE:
        return _hit_cube(lx, ly, lz, ex, ey, ez, size0)
    if kind == PLANE:
        # USD: width runs along x (along z for an X-axis plane), length along y (z for Y).
        if axis == 0:
            return _hit_plane(lz, ly, lx, ez, ey, ex, size0, size1)
        if axis == 1:
            return _hit_plane(lx, lz, ly, ex, ez, ey, size0, size1)
        return _hit_plane(lx, ly, lz, ex, ey, ez, size0, size1)
    if kind == CYLINDER:
        if axis == 0:
            return _hit_cylinder(ly, lz, lx, ey, ez, ex, size0, size1)
        if axis == 1:
            return _hit_cylinder(lz, lx, ly, ez, ex, ey, size0, size1)
        return _hit_cylinder(lx, ly, lz, ex, ey, ez, size0, size1)
    raise ValueError("unknown shape kind in the shapes table")


def _wrap(angle: float) -> float:
    """An angle in [-pi, pi)."""
    return angle - 2.0 * math.pi * math.floor((angle + math.pi) / (2.0 * math.pi))


# -- the scanner ----------------------------------------------------------------------------------


def scan(
    shapes: Array[f64, 2],
    pose_x: float,
    pose_y: float,
    pose_z: float,
    heading_deg: float,
    points: Array[f32],
    labels: Array[i32],
    shape_cones: Array[f64],
    beam_table: Array[f64],
    candidates: Array[i32],
    column: Array[f64],
    frame: int = 0,
    mount_height: float = 1.8,
    beams: int = 64,
    steps: int = 1600,
    fov_up_deg: float = 10.0,
    fov_down_deg: float = -25.0,
    max_range: float = 80.0,
    range_noise: float = 0.02,
    dropout: float = 0.02,
    spurious_rate: float = 0.02,
    seed: int = 7,
) -> tuple[int, int, int]:
    """One revolution: ``beams`` rays from ``fov_down_deg`` to ``fov_up_deg`` at each of
    ``steps`` azimuths, from ``mount_height`` above the vehicle's pose (``pose_*``, its
    heading in degrees about z). Writes the returns to ``points`` (x, y, z per point, sensor
    frame, flat) and ``labels`` (the shape row hit, or SPURIOUS), nearest shape first; a ray
    that hits nothing within ``max_range``, or drops out, writes nothing. Returns
    (points_count, labels_count, spurious): points written (twice, one per array output),
    and how many of them are spurious.

    Work arrays: ``shape_cones`` (CONE per shape), ``beam_table`` (3 per beam), ``candidates``
    (1 per shape), ``column`` (3 per shape).

    Rays go into each shape's frame by its affine transform A: the sensor's position there is
    the same for every ray, and a direction (cos e·cos a, cos e·sin a, sin e) maps to
    cos e·A(cos a, sin a, 0) + sin e·A(0, 0, 1), of which the first vector is computed once
    per azimuth column and the second once per call: six products per ray and shape."""
    n_shapes = shapes.shape[0]
    if shapes.shape[1] != ROW and n_shapes > 0:
        raise ValueError("shapes must have 20 numbers per row (portalis.sim.geometry)")
    if beams < 1 or steps < 1 or not max_range > MIN_RANGE:
        raise ValueError("beams and steps must be positive, max_range above MIN_RANGE")
    if 3 * beams * steps > len(points) or beams * steps > len(labels):
        raise ValueError("points/labels are too small for beams * steps returns")
    if CONE * n_shapes > len(shape_cones) or n_shapes > len(candidates):
        raise ValueError("shape_cones/candidates are too small for the shapes")
    if 3 * n_shapes > len(column):
        raise ValueError("column is too small for the shapes")
    if 3 * beams > len(beam_table):
        raise ValueError("beam_table is too small for the beams")
    heading = math.radians(heading_deg)
    ox = pose_x
    oy = pose_y
    oz = pose_z + mount_height
    # Each shape's bounding sphere as a cone seen from the sensor: azimuth centre and half
    # width, elevation range. A shape around the sensor (the ground) covers every direction.
    for s in range(n_shapes):
        base = CONE * s
        cx = shapes[s, BOUND] - ox
        cy = shapes[s, BOUND + 1] - oy
        cz = shapes[s, BOUND + 2] - oz
        r = shapes[s, BOUND + 3]
        flat = math.sqrt(cx * cx + cy * cy)
        dist = math.sqrt(flat * flat + cz * cz)
        if dist <= r * 1.0001 or flat <= r * 1.0001:
            shape_cones[base] = 0.0
            shape_cones[base + 1] = 4.0  # wider than any wrapped difference
            shape_cones[base + 2] = -4.0
            shape_cones[base + 3] = 4.0
        else:
            shape_cones[base] = math.atan2(cy, cx)
            shape_cones[base + 1] = math.asin(r / flat)
            half_el = math.asin(r / dist)
            el = math.atan2(cz, flat)
            shape_cones[base + 2] = el - half_el
            shape_cones[base + 3] = el + half_el
        shape_cones[base + 4] = dist - r
        shape_cones[base + 5] = (
            shapes[s, 4] * ox + shapes[s, 5] * oy + shapes[s, 6] * oz + shapes[s, 7]
        )
        shape_cones[base + 6] = (
            shapes[s, 8] * ox + shapes[s, 9] * oy + shapes[s, 10] * oz + shapes[s, 11]
        )
        shape_cones[base + 7] = (
            shapes[s, 12] * ox + shapes[s, 13] * oy + shapes[s, 14] * oz + shapes[s, 15]
        )
        shape_cones[base + 8] = shapes[s, 6]
        shape_cones[base + 9] = shapes[s, 10]
        shape_cones[base + 10] = shapes[s, 14]
    for b in range(beams):
        frac = b / (beams - 1) if beams > 1 else 0.5
        el = math.radians(fov_down_deg + (fov_up_deg - fov_down_deg) * frac)
        beam_table[3 * b] = math.cos(el)
        beam_table[3 * b + 1] = math.sin(el)
        beam_table[3 * b + 2] = el
    count = 0
    spurious = 0
    frame_key = _hash32(_hash32(seed) ^ (frame & 0xFFFFFFFF))
    for a in range(steps):
        az_sensor = 2.0 * math.pi * a / steps
        az = az_sensor + heading
        cos_s = math.cos(az_sensor)
        sin_s = math.sin(az_sensor)
        cos_w = math.cos(az)
        sin_w = math.sin(az)
        n_cand = 0
        for s in range(n_shapes):
            if abs(_wrap(az - shape_cones[CONE * s])) <= shape_cones[CONE * s + 1]:
                # nearest first (insertion sort): a ray stops at the first shape farther
                # than its best hit
                near = shape_cones[CONE * s + 4]
                j = n_cand
                while j > 0 and shape_cones[CONE * int(candidates[j - 1]) + 4] > near:
                    candidates[j] = candidates[j - 1]
                    j -= 1
                candidates[j] = s
                n_cand += 1
        for c in range(n_cand):
            s = int(candidates[c])
            column[3 * c] = shapes[s, 4] * cos_w + shapes[s, 5] * sin_w
            column[3 * c + 1] = shapes[s, 8] * cos_w + shapes[s, 9] * sin_w
            column[3 * c + 2] = shapes[s, 12] * cos_w + shapes[s, 13] * sin_w
        for b in range(beams):
            cos_el = beam_table[3 * b]
            sin_el = beam_table[3 * b + 1]
            el = beam_table[3 * b + 2]
            best = max_range
            hit = -2
            for c in range(n_cand):
                s = int(candidates[c])
                base = CONE * s
                if shape_cones[base + 4] >= best:
                    break  # this shape and every later one are farther than the hit
                if el < shape_cones[base + 2] or el > shape_cones[base + 3]:
                    continue
                t = _hit_shape(
                    int(shapes[s, KIND]),
                    int(shapes[s, AXIS]),
                    shapes[s, SIZE0],
                    shapes[s, SIZE1],
                    shape_cones[base + 5],
                    shape_cones[base + 6],
                    shape_cones[base + 7],
                    cos_el * column[3 * c] + sin_el * shape_cones[base + 8],
                    cos_el * column[3 * c + 1] + sin_el * shape_cones[base + 9],
                    cos_el * column[3 * c + 2] + sin_el * shape_cones[base + 10],
                )
                if MIN_RANGE < t < best:
                    best = t
                    hit = s
            ray = a * beams + b
            h = _hash32(frame_key ^ ray)
            if _unit(h) < spurious_rate:
                # dust, rain, a multipath ghost: a return anywhere along the beam
                h = _hash32(h + 1)
                best = MIN_RANGE + (max_range - MIN_RANGE) * _unit(h)
                hit = SPURIOUS
                spurious += 1
            elif hit < 0:
                continue
            else:
                h = _hash32(h + 2)
                if _unit(h) < dropout:
                    continue
                # range noise: a sum of four uniforms (the 16-bit halves of two more hashes),
                # scaled to unit variance
                h = _hash32(h + 3)
                h2 = _hash32(h + 4)
                g = ((h & 0xFFFF) + (h >> 16) + (h2 & 0xFFFF) + (h2 >> 16)) * (1.0 / 65536.0)
                best += range_noise * (g - 2.0) * 1.7320508075688772
            points[3 * count] = best * cos_el * cos_s
            points[3 * count + 1] = best * cos_el * sin_s
            points[3 * count + 2] = best * sin_el
            labels[count] = hit
            count += 1
    # The runner trims an array output NAME to the result NAME_count (docs/usd.md).
    points_count = count
    labels_count = count
    return points_count, labels_count, spurious


# -- the filter -----------------------------------------------------------------------------------


def _cell_hash(ix: int, iy: int, iz: int, mask: int) -> int:
    return ((ix * 73856093) ^ (iy * 19349663) ^ (iz * 83492791)) & mask


def _table_size(entries: int) -> int:
    """The smallest power of two at least twice ``entries``: a table at most half full keeps
    probe chains short, and no larger than that keeps it in cache."""
    size = 2
    while size < 2 * entries:
        size *= 2
    return size


def _rehash(table: Array[i64], voxel_key: Array[i64], voxels: int, size: int) -> None:
    """Put voxels 0 … voxels-1 into a table of ``size`` slots (a grown table)."""
    _clear_table(table, size)
    mask = size - 1
    for v in range(voxels):
        key = voxel_key[v]
        slot = _cell_hash(key >> X_SHIFT, (key >> AXIS_BITS) & AXIS_MASK, key & AXIS_MASK, mask)
        while table[slot] != EMPTY:
            slot = (slot + 1) & mask
        table[slot] = (key << VALUE_BITS) | v


def _clear_table(table: Array[i64], size: int) -> None:
    for i in range(size):
        table[i] = EMPTY


def _remove_outliers(
    sums: Array[f64],
    voxel_fate: Array[i32],
    voxel_cell_xyz: Array[i32],
    table: Array[i64],
    cell_start: Array[i32],
    cell_items: Array[i32],
    voxels: int,
    mask: int,
    radius: float,
    wanted: int,
) -> int:
    """Mark OUTLIER every KEPT centroid with fewer than ``wanted`` others within ``radius``;
    how many. Neighbours are looked up in the grid of cells of one radius (``table`` maps a
    cell key to its number, cell c's centroids are cell_items[cell_start[c]:cell_start[c +
    1]]): the 27 cells around a centroid's own, its own first, counting up to ``wanted``
    and stopping there. One function for the whole stage, probes written out: the compiler
    does not inline functions taking arrays, and a call per centroid and per cell cost
    more than the search."""
    r2 = radius * radius
    outliers = 0
    for v in range(voxels):
        if voxel_fate[v] != KEPT:
            continue
        px = sums[3 * v]
        py = sums[3 * v + 1]
        pz = sums[3 * v + 2]
        cx = int(voxel_cell_xyz[3 * v])
        cy = int(voxel_cell_xyz[3 * v + 1])
        cz = int(voxel_cell_xyz[3 * v + 2])
        found = 0
        for k in range(27):
            if found >= wanted:
                break
            ix = cx + AROUND_X[k]
            iy = cy + AROUND_Y[k]
            iz = cz + AROUND_Z[k]
            if ix < 0 or iy < 0 or iz < 0:
                continue
            key = (ix << X_SHIFT) | (iy << AXIS_BITS) | iz
            slot = _cell_hash(ix, iy, iz, mask)
            entry = table[slot]
            while entry != EMPTY and entry >> VALUE_BITS != key:
                slot = (slot + 1) & mask
                entry = table[slot]
            if entry == EMPTY:
                continue  # no centroid in that cell
            cell = int(entry & VALUE_MASK)
            for j in range(cell_start[cell], cell_start[cell + 1]):
                u = int(cell_items[j])
                if u == v:
                    continue
                ex = sums[3 * u] - px
                ey = sums[3 * u + 1] - py
                ez = sums[3 * u + 2] - pz
                if ex * ex + ey * ey + ez * ez <= r2:
                    found += 1
                    if found >= wanted:
                        break
        if found < wanted:
            voxel_fate[v] = OUTLIER
            outliers += 1
    return outliers


def filter_cloud(
    scan: Array[f32, 2],
    out_xyz: Array[f32],
    colors: Array[f32],
    widths: Array[f32],
    fate: Array[i32],
    voxel_of: Array[i32],
    voxel_fate: Array[i32],
    voxel_count: Array[i32],
    voxel_key: Array[i64],
    voxel_cell_xyz: Array[i32],
    sums: Array[f64],
    table: Array[i64],
    cell_start: Array[i32],
    cell_items: Array[i32],
    sample: Array[f64],
    voxel_size: float = 0.2,
    crop_min_x: float = -40.0,
    crop_min_y: float = -40.0,
    crop_min_z: float = -3.0,
    crop_max_x: float = 40.0,
    crop_max_y: float = 40.0,
    crop_max_z: float = 4.0,
    min_range: float = 2.5,
    ground_threshold: float = 0.15,
    ground_iterations: int = 48,
    ground_max_tilt_deg: float = 15.0,
    outlier_radius: float = 0.6,
    outlier_min_neighbors: int = 3,
    seed: int = 11,
) -> tuple[int, int, int, int, int, int, int, int]:
    """Filter one scan (rows of x, y, z): crop to the box, less the sphere of ``min_range``
    around the sensor (the vehicle itself, and the densest spurious returns); one centroid
    per voxel of ``voxel_size``; remove the ground plane fitted by RANSAC (planes tilted more than
    ``ground_max_tilt_deg`` from horizontal are not ground; a voxel within
    ``ground_threshold`` of it is ground), remove centroids with fewer than
    ``outlier_min_neighbors`` others within ``outlier_radius``.

    Writes the kept centroids to ``out_xyz`` (flat x, y, z, in order of each voxel's first
    point), their colours by height above the ground to ``colors`` and their widths (the
    voxel size) to ``widths``; ``fate`` tells for
    each scan point what became of it (KEPT, CROPPED, INVALID, GROUND, OUTLIER).

    Returns (out_xyz_count, colors_count, widths_count, fate_count, in_crop, voxels, ground,
    outliers): centroids written (three times: the runner trims each array output NAME to the
    result NAME_count), scan points (the length of ``fate``), points inside the box, voxels, ground
    voxels and outlier voxels. The other arrays are working memory: per point (voxel_of), per voxel
    (voxel_fate, voxel_count; 3 per voxel: voxel_cell_xyz, sums), the hash table (``table``: the
    power of two at least twice the points), the neighbour
    grid (cell_start, cell_items) and the centroids RANSAC scores its planes on (``sample``:
    6 * RANSAC_SAMPLE numbers)."""
    n = scan.shape[0]
    if not voxel_size > 0.0 or math.isinf(voxel_size):
        raise ValueError("voxel_size must be a positive, finite number of metres")
    if not outlier_radius > 0.0 or math.isinf(outlier_radius):
        raise ValueError("outlier_radius must be a positive, finite number of metres")
    if not (crop_min_x <= crop_max_x and crop_min_y <= crop_max_y and crop_min_z <= crop_max_z):
        raise ValueError("the crop box has a minimum above its maximum")
    if not (
        math.isfinite(crop_min_x)
        and math.isfinite(crop_min_y)
        and math.isfinite(crop_min_z)
        and math.isfinite(crop_max_x)
        and math.isfinite(crop_max_y)
        and math.isfinite(crop_max_z)
    ):
        raise ValueError("the crop box must be finite")
    if n > 0 and scan.shape[1] != 3:
        raise ValueError("scan must have 3 columns (x, y, z)")
    span = max(crop_max_x - crop_min_x, crop_max_y - crop_min_y, crop_max_z - crop_min_z)
    if span / voxel_size >= AXIS_CELLS - 2 or span / outlier_radius >= AXIS_CELLS - 2:
        raise ValueError("voxel_size or outlier_radius is too small for the crop box")
    size = _table_size(n)
    if n > MAX_POINTS:
        raise ValueError("a scan may have at most MAX_POINTS (2**21 - 1) points")
    if size > len(table):
        raise ValueError("table must hold the power of two at least twice the scan's points")
    if (
        len(fate) < n
        or len(voxel_of) < n
        or len(voxel_fate) < n
        or len(voxel_count) < n
        or len(voxel_key) < n
    ):
        raise ValueError("fate, voxel_of, voxel_fate, voxel_count, voxel_key must hold the points")
    if len(sums) < 3 * n or len(voxel_cell_xyz) < 3 * n or len(cell_items) < n:
        raise ValueError("sums and voxel_cell_xyz must hold 3 numbers per point")
    if len(cell_start) < n + 1:
        raise ValueError("cell_start must hold one more than the points")
    if len(sample) < 6 * RANSAC_SAMPLE:
        raise ValueError("sample must hold 6 * RANSAC_SAMPLE numbers")
    if len(out_xyz) < 3 * n or len(colors) < 3 * n or len(widths) < n:
        raise ValueError("out_xyz and colors must hold 3 numbers per point, widths 1")
    size = _table_size(n // FIRST_TABLE_SHARE)
    mask = size - 1
    min_range2 = min_range * min_range
    # voxel and cell indices by multiplying with the inverse size (the NumPy reference does
    # the same, so both agree at voxel boundaries)
    per_voxel = 1.0 / voxel_size
    per_cell = 1.0 / outlier_radius

    # 1. crop, and 2. voxel grid: one hash-table entry per occupied voxel
    _clear_table(table, size)
    voxels = 0
    in_crop = 0
    for i in range(n):
        x = float(scan[i, 0])
        y = float(scan[i, 1])
        z = float(scan[i, 2])
        # Every comparison with NaN is false, so a point inside the (finite) box is finite:
        # only a point left out needs telling apart, cropped or invalid.
        if not (
            crop_min_x <= x <= crop_max_x
            and crop_min_y <= y <= crop_max_y
            and crop_min_z <= z <= crop_max_z
            and x * x + y * y + z * z >= min_range2
        ):
            if math.isfinite(x) and math.isfinite(y) and math.isfinite(z):
                fate[i] = CROPPED
            else:
                fate[i] = INVALID
            continue
        in_crop += 1
        # inside the box, so non-negative: int() truncates as floor would
        ix = int((x - crop_min_x) * per_voxel)
        iy = int((y - crop_min_y) * per_voxel)
        iz = int((z - crop_min_z) * per_voxel)
        key = (ix << X_SHIFT) | (iy << AXIS_BITS) | iz
        slot = _cell_hash(ix, iy, iz, mask)
        # the probe stops at the voxel's entry or at the empty slot it goes in: no break
        # out of the loop and no voxel number kept across it (compiled, the filter took
        # 3-4% less time than with a break; Numba's 0-5% more)
        entry = table[slot]
        while entry != EMPTY and entry >> VALUE_BITS != key:
            slot = (slot + 1) & mask
            entry = table[slot]
        v = int(entry & VALUE_MASK)
        if entry == EMPTY:
            v = voxels
            voxels += 1
            table[slot] = (key << VALUE_BITS) | v
            voxel_key[v] = key
            if 2 * voxels > size:
                size *= 2
                mask = size - 1
                _rehash(table, voxel_key, voxels, size)
            sums[3 * v] = 0.0
            sums[3 * v + 1] = 0.0
            sums[3 * v + 2] = 0.0
            voxel_count[v] = 0
        sums[3 * v] += x
        sums[3 * v + 1] += y
        sums[3 * v + 2] += z
        voxel_count[v] += 1
        voxel_of[i] = v
        fate[i] = KEPT
    for v in range(voxels):
        inv = 1.0 / voxel_count[v]
        sums[3 * v] *= inv
        sums[3 * v + 1] *= inv
        sums[3 * v + 2] *= inv
        voxel_fate[v] = KEPT

    # 3. ground: RANSAC over the centroids, scored on an even sample of them, then a least-
    # squares refit z = a·x + b·y + c on the best plane's inliers
    ground = 0
    plane_a = 0.0
    plane_b = 0.0
    plane_c = crop_min_z - 1e9  # no ground found: every height is far above it
    min_nz = math.cos(math.radians(ground_max_tilt_deg))
    stride = max(1, voxels // RANSAC_SAMPLE)
    best_score = 0
    best_nx = 0.0
    best_ny = 0.0
    best_nz = 1.0
    best_d = 0.0
    if voxels >= 3:
        # the centroids each hypothesis is scored on, side by side (fewer than
        # 2 * RANSAC_SAMPLE of them): 48 passes over 48 KB rather than over every voxel;
        # x, y and z each in a run of its own, so the scoring reads them at unit stride
        sampled = 0
        for v in range(0, voxels, stride):
            sample[sampled] = sums[3 * v]
            sample[sampled + SAMPLE_Y] = sums[3 * v + 1]
            sample[sampled + SAMPLE_Z] = sums[3 * v + 2]
            sampled += 1
        key = _hash32(seed)
        for it in range(ground_iterations):
            key = _hash32(key + it)
            p = key % voxels
            key = _hash32(key + 1)
            q = key % voxels
            key = _hash32(key + 2)
            r = key % voxels
            ux = sums[3 * q] - sums[3 * p]
            uy = sums[3 * q + 1] - sums[3 * p + 1]
            uz = sums[3 * q + 2] - sums[3 * p + 2]
            wx = sums[3 * r] - sums[3 * p]
            wy = sums[3 * r + 1] - sums[3 * p + 1]
            wz = sums[3 * r + 2] - sums[3 * p + 2]
            nx = uy * wz - uz * wy
            ny = uz * wx - ux * wz
            nz = ux * wy - uy * wx
            norm = math.sqrt(nx * nx + ny * ny + nz * nz)
            if norm < 1e-9:
                continue
            if nz < 0.0:
                norm = -norm
            nx /= norm
            ny /= norm
            nz /= norm
            if nz < min_nz:
                continue
            d = -(nx * sums[3 * p] + ny * sums[3 * p + 1] + nz * sums[3 * p + 2])
            score = 0
            for k in range(sampled):
                dist = nx * sample[k] + ny * sample[k + SAMPLE_Y] + nz * sample[k + SAMPLE_Z] + d
                if abs(dist) <= ground_threshold:
                    score += 1
            if score > best_score:
                best_score = score
                best_nx = nx
                best_ny = ny
                best_nz = nz
                best_d = d
    if best_score >= 3:
        # least squares on the inliers: normal equations of z = a·x + b·y + c
        sxx = 0.0
        sxy = 0.0
        sx = 0.0
        syy = 0.0
        sy = 0.0
        sxz = 0.0
        syz = 0.0
        sz = 0.0
        m = 0
        for v in range(voxels):
            x = sums[3 * v]
            y = sums[3 * v + 1]
            z = sums[3 * v + 2]
            if abs(best_nx * x + best_ny * y + best_nz * z + best_d) <= ground_threshold:
                sxx += x * x
                sxy += x * y
                sx += x
                syy += y * y
                sy += y
                sxz += x * z
                syz += y * z
                sz += z
                m += 1
        det = sxx * (syy * m - sy * sy) - sxy * (sxy * m - sy * sx) + sx * (sxy * sy - syy * sx)
        if abs(det) > 1e-12:
            plane_a = (
                sxz * (syy * m - sy * sy) - sxy * (syz * m - sy * sz) + sx * (syz * sy - syy * sz)
            ) / det
            plane_b = (
                sxx * (syz * m - sz * sy) - sxz * (sxy * m - sy * sx) + sx * (sxy * sz - syz * sx)
            ) / det
            plane_c = (
                sxx * (syy * sz - sy * syz)
                - sxy * (sxy * sz - sy * sxz)
                + sx * (sxy * syz - syy * sxz)
            ) / det
        else:
            plane_a = -best_nx / best_nz
            plane_b = -best_ny / best_nz
            plane_c = -best_d / best_nz
        scale = 1.0 / math.sqrt(plane_a * plane_a + plane_b * plane_b + 1.0)
        # every voxel is KEPT so far: each has its fate stored, KEPT or GROUND picked by a
        # conditional move, and another counts the ground: no branch to mispredict where
        # ground and other voxels alternate
        for v in range(voxels):
            above = sums[3 * v + 2] - (plane_a * sums[3 * v] + plane_b * sums[3 * v + 1] + plane_c)
            flat = abs(above) * scale <= ground_threshold
            voxel_v = KEPT
            if flat:
                voxel_v = GROUND
            voxel_fate[v] = voxel_v
            if flat:
                ground += 1

    # 4. radius outlier removal over the other centroids, with a grid of cells of one radius
    size = _table_size(voxels - ground)
    mask = size - 1
    _clear_table(table, size)
    cells = 0
    for v in range(voxels):
        if voxel_fate[v] != KEPT:
            continue
        ix = math.floor((sums[3 * v] - crop_min_x) * per_cell)
        iy = math.floor((sums[3 * v + 1] - crop_min_y) * per_cell)
        iz = math.floor((sums[3 * v + 2] - crop_min_z) * per_cell)
        voxel_cell_xyz[3 * v] = ix
        voxel_cell_xyz[3 * v + 1] = iy
        voxel_cell_xyz[3 * v + 2] = iz
        key = (ix << X_SHIFT) | (iy << AXIS_BITS) | iz
        slot = _cell_hash(ix, iy, iz, mask)
        entry = table[slot]
        while entry != EMPTY and entry >> VALUE_BITS != key:
            slot = (slot + 1) & mask
            entry = table[slot]
        c = int(entry & VALUE_MASK)
        if entry == EMPTY:
            c = cells
            cells += 1
            table[slot] = (key << VALUE_BITS) | c
            cell_start[c + 1] = 0
        cell_start[c + 1] += 1
        voxel_count[v] = c  # the voxel's cell from here on (its point count is spent)
    # cell c's centroids are cell_items[cell_start[c]:cell_start[c + 1]]
    cell_start[0] = 0
    for c in range(cells):
        cell_start[c + 1] += cell_start[c]
    for v in range(voxels):
        if voxel_fate[v] == KEPT:
            c = int(voxel_count[v])
            cell_items[cell_start[c]] = v
            cell_start[c] += 1
    for c in range(cells, 0, -1):
        cell_start[c] = cell_start[c - 1]
    cell_start[0] = 0
    outliers = _remove_outliers(
        sums, voxel_fate, voxel_cell_xyz, table, cell_start, cell_items, voxels, mask,
        outlier_radius, outlier_min_neighbors,
    )  # fmt: skip

    # 5. the filtered cloud, coloured by height above the ground (blue, green, red)
    count = 0
    for v in range(voxels):
        if voxel_fate[v] != KEPT:
            continue
        x = sums[3 * v]
        y = sums[3 * v + 1]
        z = sums[3 * v + 2]
        out_xyz[3 * count] = x
        out_xyz[3 * count + 1] = y
        out_xyz[3 * count + 2] = z
        widths[count] = voxel_size
        h = (z - (plane_a * x + plane_b * y + plane_c)) / COLOUR_TOP
        h = min(1.0, max(0.0, h))
        if h < 0.5:
            colors[3 * count] = 0.1
            colors[3 * count + 1] = 0.2 + 1.4 * h
            colors[3 * count + 2] = 0.9 - 1.6 * h
        else:
            colors[3 * count] = 0.1 + 1.8 * (h - 0.5)
            colors[3 * count + 1] = 0.9 - 1.2 * (h - 0.5)
            colors[3 * count + 2] = 0.1
        count += 1
    for i in range(n):
        if fate[i] == KEPT:
            fate[i] = voxel_fate[voxel_of[i]]
    out_xyz_count = count
    colors_count = count
    widths_count = count
    fate_count = n
    return out_xyz_count, colors_count, widths_count, fate_count, in_crop, voxels, ground, outliers
