"""The fluid demo's USD scene: a box of air, a smoke emitter circling near its floor, a
sphere in the way, and a WasmFluid prim running the compiled stable-fluids kernel.

Y is up and one unit is a metre. The fluid prim's schema attributes do the work
(docs/usd.md): ``gridResolution`` shapes the kernel's working fields (every array parameter
the inputs do not supply), ``viscosity`` and ``density`` reach ``step`` by name, and
``timeStep`` is the ``dt`` of every call. The emitter is a Sphere whose animated translate,
``radius`` and ``smoke:rate`` the fluid prim reads through USD connections; the obstacle is
a Sphere voxelised here, once, into ``inputs:solid`` (one byte per cell).

The runner records the outputs — divergence before and after the projection, the mass of
smoke, the fastest face, and the smoke field itself (``outputs:smoke``, read back from the
kernel's ``smoke`` array) — in ``result.usd`` (binary crate). :func:`finish` then turns each
frame's field into ``/World/Smoke``, a Points cloud of the cells above a density threshold,
with per-point opacity and colour and an extent per frame, in the same layer.
"""

from __future__ import annotations

import contextlib
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pxr import Gf, Sdf, Usd, UsdGeom, UsdLux, Vt

from portalis.demos.fluid.preview import Frames, render
from portalis.demos.pipeline import RESULT_FILE, SCENE_FILE, Timeline
from portalis.demos.stage import new_scene
from portalis.errors import SceneError
from portalis.usd import WasmFluidSchema, add_input, add_output

FLUID = "/World/Fluid"
EMITTER = "/World/Emitter"
OBSTACLE = "/World/Obstacle"
SMOKE = "/World/Smoke"
#: The kernel's results, recorded as outputs of the fluid prim.
FIGURES = ("div_before", "div_after", "mass", "max_speed")
RATE_ATTR = "smoke:rate"


@dataclass(frozen=True)
class Smoke:
    """What the demo simulates, and how long it watches."""

    grid: tuple[int, int, int] = (32, 48, 32)
    cell_size: float = 0.05
    viscosity: float = 1.5e-5  # air, m²/s
    density: float = 1.2  # air, kg/m³
    buoyancy: float = 3.0
    emitter_radius: float = 0.12
    emitter_rate: float = 6.0
    obstacle_radius: float = 0.25
    pressure_iterations: int = 24
    diffusion_iterations: int = 2
    threshold: float = 0.05
    fps: float = 24.0
    seconds: float = 4.0

    @property
    def frames(self) -> int:
        return round(self.seconds * self.fps)

    @property
    def size(self) -> tuple[float, float, float]:
        """The box's size in metres (walls included)."""
        nx, ny, nz = self.grid
        return nx * self.cell_size, ny * self.cell_size, nz * self.cell_size

    @property
    def origin(self) -> tuple[float, float, float]:
        """The box's lower corner: centred on the Y axis, standing on the ground."""
        sx, _, sz = self.size
        return -sx / 2.0, 0.0, -sz / 2.0

    @property
    def obstacle_centre(self) -> tuple[float, float, float]:
        return 0.0, self.size[1] * 0.5, 0.0


def emitter_path(t: float, smoke: Smoke) -> tuple[float, float, float]:
    """Where the emitter is at ``t`` seconds: a slow circle a little above the floor."""
    sx, _, _ = smoke.size
    r = sx * 0.18
    a = 2.0 * math.pi * t / 4.0
    return r * math.cos(a), 0.3, r * math.sin(a)


def voxelise_sphere(smoke: Smoke, centre: tuple[float, float, float], radius: float) -> np.ndarray:
    """One byte per cell, 1 where the cell's centre lies inside the sphere (flat, in the
    kernel's (i, j, k) order)."""
    nx, ny, nz = smoke.grid
    ox, oy, oz = smoke.origin
    h = smoke.cell_size
    x = ox + (np.arange(nx) + 0.5) * h - centre[0]
    y = oy + (np.arange(ny) + 0.5) * h - centre[1]
    z = oz + (np.arange(nz) + 0.5) * h - centre[2]
    d2 = x[:, None, None] ** 2 + y[None, :, None] ** 2 + z[None, None, :] ** 2
    inside: np.ndarray = (d2 <= radius * radius).astype(np.uint8).reshape(-1)
    return inside


def make_scene(out_dir: Path, wasm: Path, smoke: Smoke | None = None) -> Timeline:
    """Write ``out_dir/scene.usda``."""
    smoke = smoke or Smoke()
    write_scene(out_dir / SCENE_FILE, wasm.name, smoke)
    return Timeline(smoke.frames, smoke.fps)


def write_scene(path: Path, wasm_path: str, smoke: Smoke) -> None:
    """Write the scene to ``path``; ``wasm_path`` is authored as given (relative paths
    resolve against ``path``'s folder)."""
    stage = new_scene(path, up_axis=UsdGeom.Tokens.y, frames=smoke.frames, fps=smoke.fps)

    emitter = UsdGeom.Sphere.Define(stage, EMITTER)
    emitter.CreateRadiusAttr(smoke.emitter_radius)
    _extent(emitter)
    emitter.CreateDisplayColorAttr(Vt.Vec3fArray([Gf.Vec3f(0.95, 0.55, 0.15)]))
    translate = emitter.AddTranslateOp()
    for frame in range(smoke.frames + 1):
        translate.Set(Gf.Vec3d(*emitter_path(frame / smoke.fps, smoke)), frame)
    emitter.GetPrim().CreateAttribute(RATE_ATTR, Sdf.ValueTypeNames.Double).Set(smoke.emitter_rate)

    obstacle = UsdGeom.Sphere.Define(stage, OBSTACLE)
    obstacle.CreateRadiusAttr(smoke.obstacle_radius)
    _extent(obstacle)
    obstacle.AddTranslateOp().Set(Gf.Vec3d(*smoke.obstacle_centre))
    obstacle.CreateDisplayColorAttr(Vt.Vec3fArray([Gf.Vec3f(0.3, 0.45, 0.7)]))
    _box(stage, smoke)
    _camera_and_lights(stage, smoke)
    _fluid(stage, wasm_path, smoke)
    stage.GetRootLayer().Save()


def _fluid(stage: Usd.Stage, wasm_path: str, smoke: Smoke) -> None:
    prim = WasmFluidSchema.Define(stage, FLUID)
    prim.GetAttribute(WasmFluidSchema.ATTR_WASM_PATH).Set(Sdf.AssetPath(wasm_path))
    prim.GetAttribute(WasmFluidSchema.ATTR_MODULE_ID).Set("smoke")
    prim.GetAttribute(WasmFluidSchema.ATTR_SIMULATION_FUNCTION).Set("step")
    prim.GetAttribute(WasmFluidSchema.ATTR_UPDATE_RATE).Set(smoke.fps)
    prim.GetAttribute(WasmFluidSchema.ATTR_TIME_STEP).Set(1.0 / smoke.fps)
    prim.GetAttribute(WasmFluidSchema.ATTR_GRID_RESOLUTION).Set(Gf.Vec3i(*smoke.grid))
    prim.GetAttribute(WasmFluidSchema.ATTR_VISCOSITY).Set(smoke.viscosity)
    prim.GetAttribute(WasmFluidSchema.ATTR_DENSITY).Set(smoke.density)
    add_input(prim, "cell_size", "double", smoke.cell_size)
    add_input(prim, "origin", "double3", Gf.Vec3d(*smoke.origin))
    add_input(prim, "emitter", "double3", connect=f"{EMITTER}.xformOp:translate")
    add_input(prim, "emitter_radius", "double", connect=f"{EMITTER}.radius")
    add_input(prim, "emitter_rate", "double", connect=f"{EMITTER}.{RATE_ATTR}")
    add_input(prim, "buoyancy", "double", smoke.buoyancy)
    add_input(prim, "pressure_iterations", "int", smoke.pressure_iterations)
    add_input(prim, "diffusion_iterations", "int", smoke.diffusion_iterations)
    obstacle = voxelise_sphere(smoke, smoke.obstacle_centre, smoke.obstacle_radius)
    add_input(prim, "solid", "uchar[]", Vt.UCharArray.FromNumpy(obstacle))
    for name in FIGURES:
        add_output(prim, name, "double")
    add_output(prim, "smoke", "float[]")


def _box(stage: Usd.Stage, smoke: Smoke) -> None:
    """The box's twelve edges, so the domain is visible."""
    lo = np.array(smoke.origin)
    hi = lo + np.array(smoke.size)
    corners = [(x, y, z) for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])]
    edges = [
        (a, b)
        for a in range(8)
        for b in range(a + 1, 8)
        if sum(ca != cb for ca, cb in zip(corners[a], corners[b], strict=True)) == 1
    ]
    curves = UsdGeom.BasisCurves.Define(stage, "/World/Box")
    curves.CreateTypeAttr(UsdGeom.Tokens.linear)
    curves.CreateCurveVertexCountsAttr(Vt.IntArray([2] * len(edges)))
    points = [Gf.Vec3f(*corners[i]) for edge in edges for i in edge]
    curves.CreatePointsAttr(Vt.Vec3fArray(points))
    curves.CreateWidthsAttr(Vt.FloatArray([0.01]))
    curves.SetWidthsInterpolation(UsdGeom.Tokens.constant)
    curves.CreateDisplayColorAttr(Vt.Vec3fArray([Gf.Vec3f(0.4, 0.4, 0.45)]))
    _extent(curves)


def _extent(geometry: UsdGeom.Boundable) -> None:
    """The extent USD computes for the prim (what the asset validator checks against)."""
    geometry.CreateExtentAttr(
        UsdGeom.Boundable.ComputeExtentFromPlugins(geometry, Usd.TimeCode.Default())
    )


def _camera_and_lights(stage: Usd.Stage, smoke: Smoke) -> None:
    sx, sy, _ = smoke.size
    camera = UsdGeom.Camera.Define(stage, "/World/Camera")
    camera.CreateFocalLengthAttr(35.0)
    camera.AddTranslateOp().Set(Gf.Vec3d(0.0, sy / 2.0, 2.2 * max(sx, sy)))
    sun = UsdLux.DistantLight.Define(stage, "/World/Sun")
    sun.CreateIntensityAttr(3000.0)
    sun.AddRotateXYZOp().Set(Gf.Vec3f(-50.0, 30.0, 0.0))
    sky = UsdLux.DomeLight.Define(stage, "/World/Sky")
    sky.CreateIntensityAttr(400.0)


# -- after the run ----------------------------------------------------------------------------


def read_frames(result: Path, smoke: Smoke) -> Frames:
    """The recorded outputs, per frame (frame 0, before the first step, is left out)."""
    stage = Usd.Stage.Open(str(result))
    prim = stage.GetPrimAtPath(FLUID)
    field_attr = prim.GetAttribute("outputs:smoke")
    times = [t for t in field_attr.GetTimeSamples() if t > 0]
    figures = {
        name: np.array([prim.GetAttribute(f"outputs:{name}").Get(t) for t in times])
        for name in FIGURES
    }
    fields = np.array([np.asarray(field_attr.Get(t)) for t in times]).reshape(
        len(times), *smoke.grid
    )
    solid = np.asarray(prim.GetAttribute("inputs:solid").Get()).reshape(smoke.grid)
    return Frames(np.array(times), fields, solid, **figures)


def cloud(field: np.ndarray, smoke: Smoke) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cells above the threshold: centres (n, 3), opacities (n,), colours (n, 3)."""
    cells = np.argwhere(field > smoke.threshold)
    values = field[field > smoke.threshold]
    centres = np.array(smoke.origin) + (cells + 0.5) * smoke.cell_size
    opacity = np.clip(values / (4.0 * smoke.threshold), 0.0, 1.0) * 0.6
    # thin smoke is a cool grey, dense smoke a warm white
    warmth = np.clip(values / (20.0 * smoke.threshold), 0.0, 1.0)[:, None]
    colour = (1.0 - warmth) * np.array([0.55, 0.58, 0.62]) + warmth * np.array([0.98, 0.95, 0.9])
    return centres.astype(np.float32), opacity.astype(np.float32), colour.astype(np.float32)


def finish(out_dir: Path, smoke: Smoke | None = None) -> list[str]:
    """Add ``/World/Smoke`` (a Points cloud per frame) to the result layer, written
    atomically like the bake's own output."""
    smoke = smoke or Smoke()
    result = out_dir / RESULT_FILE
    frames = read_frames(result, smoke)
    layer = Sdf.Layer.FindOrOpen(str(result))
    stage = Usd.Stage.Open(layer)
    points = UsdGeom.Points.Define(stage, SMOKE)
    # Per-point widths: USD computes a Points prim's extent only from one width per point.
    points.SetWidthsInterpolation(UsdGeom.Tokens.vertex)
    opacity_var = points.CreateDisplayOpacityPrimvar(UsdGeom.Tokens.vertex)
    colour_var = points.CreateDisplayColorPrimvar(UsdGeom.Tokens.vertex)
    largest = 0
    half = smoke.cell_size / 2.0
    for t, field in zip(frames.times, frames.fields, strict=True):
        centres, opacity, colour = cloud(field, smoke)
        largest = max(largest, len(centres))
        widths = Vt.FloatArray.FromNumpy(np.full(len(centres), smoke.cell_size, np.float32))
        points.GetPointsAttr().Set(Vt.Vec3fArray.FromNumpy(centres), t)
        points.GetWidthsAttr().Set(widths, t)
        _set_indexed(opacity_var, opacity, t)
        _set_indexed(colour_var, colour, t)
        if len(centres):
            lo, hi = centres.min(axis=0) - half, centres.max(axis=0) + half
        else:
            lo = hi = np.array(smoke.origin, np.float32)
        extent = np.array([lo, hi], np.float32)
        points.GetExtentAttr().Set(Vt.Vec3fArray.FromNumpy(extent), t)
        if t == frames.times[0]:  # what a reader asking for no time in particular sees
            points.GetPointsAttr().Set(Vt.Vec3fArray.FromNumpy(centres))
            points.GetWidthsAttr().Set(widths)
            _set_indexed(opacity_var, opacity, Usd.TimeCode.Default())
            _set_indexed(colour_var, colour, Usd.TimeCode.Default())
            points.GetExtentAttr().Set(Vt.Vec3fArray.FromNumpy(extent))
    _replace(layer, result)
    return [f"{SMOKE}: up to {largest:,} points a frame (cells above {smoke.threshold:g})"]


def _set_indexed(primvar: UsdGeom.Primvar, values: np.ndarray, time: Any) -> None:
    """Per-point values as an indexed primvar: the distinct values once, an index per point
    (dense smoke saturates, so many points share a colour and an opacity)."""
    distinct, index = np.unique(values, axis=0, return_inverse=True)
    array = Vt.FloatArray if distinct.ndim == 1 else Vt.Vec3fArray
    primvar.Set(array.FromNumpy(np.ascontiguousarray(distinct)), time)
    primvar.SetIndices(Vt.IntArray.FromNumpy(index.reshape(-1).astype(np.int32)), time)


def _replace(layer: Sdf.Layer, path: Path) -> None:
    """Export beside ``path``, then rename over it: never half a file."""
    from portalis.sim.bake import layer_format

    temp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    args = {"format": layer_format(layer)} if path.suffix == ".usd" else {}
    try:
        if not layer.Export(str(temp), args=args):
            raise SceneError(f"{path}: USD could not write the smoke points")
        os.replace(temp, path)
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


def make_preview(out_dir: Path, wasm: Path, smoke: Smoke | None = None) -> tuple[Any, list[str]]:
    """The picture of the run: smoke slices over time, divergence before and after each
    projection, and the smoke's mass."""
    smoke = smoke or Smoke()
    frames = read_frames(out_dir / RESULT_FILE, smoke)
    worst = float(np.max(frames.div_after / np.maximum(frames.div_before, 1e-300)))
    findings = [
        f"{len(frames.times)} steps of {smoke.grid[0]}×{smoke.grid[1]}×{smoke.grid[2]} cells, "
        f"{smoke.pressure_iterations} red-black SOR sweeps each (ω = 1.5)",
        f"divergence after projection ≤ {worst:.3g} × before, every step "
        f"(largest after: {frames.div_after.max():.3g} /s)",
        f"smoke in the box at the end: {frames.mass[-1]:.4g} density units · m³, every bit "
        "the emitter put in (the transport is conservative)",
    ]
    return render(frames, smoke.fps), findings
