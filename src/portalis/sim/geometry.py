"""Scene geometry as an array input: ``rel inputs:NAME:prims`` on a module prim lists prims
(and, through them, their descendants); the parameter ``NAME`` receives one row per
``UsdGeom`` Plane, Cube, Sphere or Cylinder found, so a kernel can cast rays against the
scene without the scene being copied into its source (docs/usd.md, "Geometry inputs").

A row has :data:`ROW` numbers (float64):

====== ===============================================================================
column what it holds
====== ===============================================================================
0      kind: 0 Plane, 1 Cube, 2 Sphere, 3 Cylinder
1      axis: 0 X, 1 Y, 2 Z (a Plane's normal, a Cylinder's axis; 2 for the others)
2, 3   sizes: Plane width, length; Cube size, 0; Sphere radius, 0; Cylinder radius, height
4–15   the world-to-local affine transform, row-major 3×4: local = A[:, :3]·world + A[:, 3]
16–19  the world bounding sphere: centre x, y, z, radius
====== ===============================================================================

Rows come in the order of the relationship's targets, each target's subtree depth first
(USD's traversal order), so a kernel can recognise a shape by its row (the first target's
first shape is row 0). Invisible prims and prims with a guide or proxy purpose are skipped.
The rows are read when the runner binds; when some transform or size is animated they are
read again at each call, at the call's time code.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pxr import Sdf, Usd, UsdGeom

from portalis.errors import SceneError
from portalis.sim.sources import Clock, Source

ROW = 20
PLANE, CUBE, SPHERE, CYLINDER = 0, 1, 2, 3
#: The relationship naming the prims: ``inputs:NAME:prims``.
PRIMS_SUFFIX = ":prims"
_AXES = {"X": 0, "Y": 1, "Z": 2}


def shape_rows(prims: list[Usd.Prim], time: Usd.TimeCode, *, where: str = "") -> np.ndarray:
    """The rows for the shapes under ``prims``, at ``time``."""
    rows: list[np.ndarray] = []
    cache = UsdGeom.XformCache(time)
    for root in prims:
        for prim in Usd.PrimRange(root):
            row = _row(prim, cache, time, where)
            if row is not None:
                rows.append(row)
    return np.array(rows, dtype=np.float64).reshape(len(rows), ROW)


def _row(prim: Usd.Prim, cache: UsdGeom.XformCache, time: Usd.TimeCode, where: str) -> Any:
    if not prim.IsA(UsdGeom.Gprim):
        return None
    imageable = UsdGeom.Imageable(prim)
    if imageable.ComputeVisibility(time) == UsdGeom.Tokens.invisible:
        return None
    if imageable.ComputePurpose() in (UsdGeom.Tokens.guide, UsdGeom.Tokens.proxy):
        return None
    axis = 2
    if prim.IsA(UsdGeom.Plane):
        plane = UsdGeom.Plane(prim)
        kind = PLANE
        axis = _AXES[str(plane.GetAxisAttr().Get(time))]
        sizes = (float(plane.GetWidthAttr().Get(time)), float(plane.GetLengthAttr().Get(time)))
        half = [0.5 * sizes[0], 0.5 * sizes[1], 0.0]
        # the local box: width along x (z for an X plane), length along y (z for a Y plane)
        extent = {0: (0.0, half[1], half[0]), 1: (half[0], 0.0, half[1]), 2: tuple(half)}[axis]
    elif prim.IsA(UsdGeom.Cube):
        kind = CUBE
        size = float(UsdGeom.Cube(prim).GetSizeAttr().Get(time))
        sizes = (size, 0.0)
        extent = (0.5 * size,) * 3
    elif prim.IsA(UsdGeom.Sphere):
        kind = SPHERE
        radius = float(UsdGeom.Sphere(prim).GetRadiusAttr().Get(time))
        sizes = (radius, 0.0)
        extent = (radius,) * 3
    elif prim.IsA(UsdGeom.Cylinder):
        cylinder = UsdGeom.Cylinder(prim)
        kind = CYLINDER
        axis = _AXES[str(cylinder.GetAxisAttr().Get(time))]
        radius = float(cylinder.GetRadiusAttr().Get(time))
        height = float(cylinder.GetHeightAttr().Get(time))
        sizes = (radius, height)
        box = [radius, radius, radius]
        box[axis] = 0.5 * height
        extent = tuple(box)
    else:
        return None
    to_world = cache.GetLocalToWorldTransform(prim)
    if abs(to_world.GetDeterminant()) < 1e-300:
        raise SceneError(
            f"{prim.GetPath()} has a degenerate transform (a zero scale?)", prim_path=where
        )
    # USD matrices act on row vectors (p_world = p_local · M); the row holds the column form.
    to_local = np.array(to_world.GetInverse(), dtype=np.float64)
    affine = np.concatenate([to_local[:3, :3].T, to_local[3, :3, None]], axis=1)
    corners = np.array(
        [
            [sx * extent[0], sy * extent[1], sz * extent[2]]
            for sx in (-1, 1)
            for sy in (-1, 1)
            for sz in (-1, 1)
        ]
    )
    m = np.array(to_world, dtype=np.float64)
    world = corners @ m[:3, :3] + m[3, :3]
    centre = m[3, :3]
    radius = float(np.max(np.linalg.norm(world - centre, axis=1)))
    return np.concatenate([[kind, axis, *sizes], affine.reshape(-1), centre, [radius]])


class GeometrySource(Source):
    """Shape rows of the prims a ``inputs:NAME:prims`` relationship lists."""

    def __init__(self, rel: Usd.Relationship, clock: Clock, *, where: str) -> None:
        self._rel = rel
        self._clock = clock
        self._where = where
        stage = rel.GetPrim().GetStage()
        self._prims: list[Usd.Prim] = []
        for target in rel.GetTargets():
            prim = stage.GetPrimAtPath(target)
            if not prim:
                raise SceneError(
                    f"{rel.GetName()} lists {target}, which is not a prim", prim_path=where
                )
            self._prims.append(prim)
        self.attr_path = rel.GetPath()
        self.type_name = Sdf.ValueTypeNames.DoubleArray
        self.animated = any(_varies(p) for p in self._prims)
        self._value = (
            None
            if self.animated
            else shape_rows(self._prims, Usd.TimeCode.EarliestTime(), where=where)
        )

    def get(self) -> Any:
        if self._value is not None:
            return self._value
        return shape_rows(self._prims, self._clock.read_time, where=self._where)

    @property
    def constant(self) -> bool:
        return not self.animated


def _varies(root: Usd.Prim) -> bool:
    for prim in Usd.PrimRange(root):
        xformable = UsdGeom.Xformable(prim)
        if xformable and xformable.TransformMightBeTimeVarying():
            return True
        if prim.IsA(UsdGeom.Gprim) and any(
            a.ValueMightBeTimeVarying() for a in prim.GetAttributes() if not a.IsCustom()
        ):
            return True
    return False


def geometry_source(
    prim: Usd.Prim, name: str, clock: Clock, inputs_prefix: str
) -> GeometrySource | None:
    """The geometry source for parameter ``name`` when ``inputs:NAME:prims`` lists targets."""
    rel = prim.GetRelationship(inputs_prefix + name + PRIMS_SUFFIX)
    if not rel or not rel.GetTargets():
        return None
    return GeometrySource(rel, clock, where=str(prim.GetPath()))
