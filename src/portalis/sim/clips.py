"""Value clips: per-frame arrays too big to keep in one layer (LiDAR clouds, fluid fields)
streamed to disk a chunk of frames at a time.

A recording keeps every other output in memory until the run ends (see
:class:`portalis.sim.writer.Recorder`); a 100K-point cloud per frame would make a 1,000-frame
run hold gigabytes and write one giant file. An array output at least
:attr:`ClipPolicy.min_elements` long instead goes through a :class:`ClipWriter`: its samples
are written into the current *clip layer*, which is saved (binary crate) and dropped once it
holds :attr:`ClipPolicy.max_clip_bytes` of values, so memory stays bounded by one chunk of
frames, whatever the length of the run.

The layout is USD's own (https://openusd.org/release/api/_usd__page__value_clips.html), so
every USD tool reads the result without knowing Portalis::

    result.usd                    the result layer: on each clipped prim, the clip set
                                  ``clips = {"default": {assetPaths, primPath, active, times,
                                  manifestAssetPath}}``
    result.clips/manifest.usda    which attributes the clips hold (types only, no values)
    result.clips/0000.usdc …      frames [a, b] of every clipped attribute, one file per chunk

Every clip holds the same frames for every clipped attribute, so one ``active`` list serves
all clip sets. Geometry whose ``points`` are clipped gets its ``extent`` in the same clips,
computed per frame (a validator and every renderer need bounds that move with the points).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pxr import Sdf, Tf, Usd, UsdGeom, Vt

from portalis.errors import SceneError

MiB = 1 << 20

#: The clip set's name in the ``clips`` dictionary: USD's default, which tools show first.
CLIP_SET = "default"
MANIFEST = "manifest.usda"


@dataclass(frozen=True)
class ClipPolicy:
    """When an output goes to value clips, and how many frames one clip holds.

    ``min_elements``: an array output with at least this many numbers per frame is clipped
    (10,000 numbers: a 3,334-point cloud; smaller arrays cost little to keep until the end).
    ``max_clip_bytes``: a clip is closed once its values reach this size, so the bake's
    memory holds at most about this much of clip data (plus one frame).
    """

    min_elements: int = 10_000
    max_clip_bytes: int = 32 * MiB

    def wants(self, value: Any) -> bool:
        return isinstance(value, np.ndarray) and value.size >= self.min_elements


@dataclass
class _Clipped:
    """One attribute the clips hold."""

    path: Sdf.Path
    type_name: Sdf.ValueTypeName
    extent_of: Sdf.Path | None = None  # the ``points`` attribute this extent is computed from
    widths: Vt.FloatArray | None = None  # a Points prim's per-point widths, as authored
    #: The latest (time code, points) this extent was computed from: widths written later in
    #: the same frame (a module writing both) recompute it with that frame's widths.
    points_at: tuple[float, Any] | None = None


class ClipWriter:
    """Writes the clips of one result layer: :meth:`add` per sample, :meth:`finish` once.

    ``folder`` is where the clip files end up; ``anchor`` is the folder of the layer that
    will hold the clip sets (asset paths are written relative to it, so the result can be
    moved with its clips). ``stage`` is the scene being run, read for prim types and widths.
    Files are written to a hidden staging folder beside ``folder`` and moved into place by
    :meth:`publish`, so a run that fails never replaces the clips of an earlier result.
    """

    def __init__(
        self, folder: Path, anchor: Path, stage: Usd.Stage, policy: ClipPolicy | None = None
    ) -> None:
        self.folder = folder
        self.anchor = anchor
        self.policy = policy or ClipPolicy()
        self._stage = stage
        self._attrs: dict[Sdf.Path, _Clipped] = {}
        self._clips: list[tuple[float, Path]] = []  # (first time code, file) per saved clip
        self._layer: Sdf.Layer | None = None
        self._first: float | None = None
        self._bytes = 0
        self._last_time: float | None = None
        # Created with the first clip: a run with nothing to clip leaves no folder behind.
        self._staging = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")

    def add(
        self, path: Sdf.Path, type_name: Sdf.ValueTypeName, time_code: float, value: Any
    ) -> None:
        """Record ``value`` (a Vt array) for attribute ``path`` at ``time_code``."""
        # A clip closes between frames only, never inside one.
        if self._last_time is not None and time_code > self._last_time and self._full():
            self._close_clip()
        if self._last_time is None or time_code > self._last_time:
            self._last_time = time_code
        layer = self._open_clip(time_code)
        attr = self._attrs.get(path)
        if attr is None:
            attr = self._attrs[path] = _Clipped(path, type_name)
            self._declare_extent(path)
        _set(layer, attr, time_code, value, self._stage)
        self._bytes += _nbytes(value)
        extent = self._attrs.get(path.GetPrimPath().AppendProperty("extent"))
        if extent is None:
            return
        if extent.extent_of == path:
            extent.points_at = (time_code, value)
        elif path.name == UsdGeom.Tokens.widths:
            extent.widths = value  # per-frame widths: the extent takes this frame's
        else:
            return
        if extent.points_at is not None and extent.points_at[0] == time_code:
            _set(
                layer,
                extent,
                time_code,
                _extent(extent.points_at[1], extent.widths),
                self._stage,
            )

    def finish(self, result: Sdf.Layer, start: float, end: float) -> None:
        """Save the last clip, write the manifest, and author a clip set on every clipped
        prim of ``result`` covering time codes ``start`` … ``end``."""
        if self._layer is not None:
            self._close_clip()
        if not self._attrs:
            return
        manifest = _new_layer(".usda", self._stage)
        for attr in self._attrs.values():
            _spec(manifest, attr, self._stage)
        _export(manifest, self._staging / MANIFEST)
        assets = [Sdf.AssetPath(self._relative(path)) for _, path in self._clips]
        active = [(first, float(k)) for k, (first, _) in enumerate(self._clips)]
        for prim_path in sorted({a.path.GetPrimPath() for a in self._attrs.values()}):
            prim = Sdf.CreatePrimInLayer(result, prim_path)
            prim.SetInfo(
                "clips",
                {
                    CLIP_SET: {
                        "assetPaths": Sdf.AssetPathArray(assets),
                        "primPath": str(prim_path),
                        "active": Vt.Vec2dArray(active),
                        "times": Vt.Vec2dArray([(start, start), (end, end)]),
                        "manifestAssetPath": Sdf.AssetPath(self._relative(self.folder / MANIFEST)),
                    }
                },
            )

    def publish(self) -> None:
        """Move the clips into ``folder``, replacing an earlier run's (whose result this run's
        replaces); with nothing clipped, an earlier run's clips are removed. A folder there
        that holds no clip manifest is not ours: it is left alone and the run refused."""
        if self.folder.exists():
            if not (self.folder / MANIFEST).is_file():
                self.discard()
                raise SceneError(
                    f"{self.folder} exists and is not a folder of value clips",
                    hint="move it away, or write the result under another name",
                )
            shutil.rmtree(self.folder)
        if not self._attrs:
            self.discard()
            return
        os.replace(self._staging, self.folder)

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            shutil.rmtree(self._staging)

    @property
    def clip_files(self) -> list[Path]:
        return [path for _, path in self._clips]

    def _full(self) -> bool:
        return self._bytes >= self.policy.max_clip_bytes

    def _open_clip(self, time_code: float) -> Sdf.Layer:
        if self._layer is None:
            self._layer = _new_layer(".usdc", self._stage)
            self._first = time_code
            self._bytes = 0
        return self._layer

    def _close_clip(self) -> None:
        assert self._layer is not None and self._first is not None
        name = f"{len(self._clips):04d}.usdc"
        if not self._clips:
            try:
                if self._staging.exists():
                    shutil.rmtree(self._staging)
                self._staging.mkdir(parents=True)
            except OSError as e:
                raise SceneError(
                    f"{self.folder}: cannot write the result's value clips: {e.strerror}"
                ) from None
        _export(self._layer, self._staging / name)
        self._clips.append((self._first, self.folder / name))
        self._layer = None  # dropped: its samples are on disk now
        self._first = None

    def _declare_extent(self, points: Sdf.Path) -> None:
        """A PointBased prim whose ``points`` are clipped gets its extent clipped beside them."""
        if points.name != UsdGeom.Tokens.points:
            return
        prim = self._stage.GetPrimAtPath(points.GetPrimPath())
        if not prim or not prim.IsA(UsdGeom.PointBased):
            return
        widths = UsdGeom.Points(prim).GetWidthsAttr().Get() if prim.IsA(UsdGeom.Points) else None
        path = points.GetPrimPath().AppendProperty(UsdGeom.Tokens.extent)
        self._attrs[path] = _Clipped(path, Sdf.ValueTypeNames.Float3Array, points, widths)

    def _relative(self, path: Path) -> str:
        return Path(_relpath(path, self.anchor)).as_posix()


def _relpath(path: Path, start: Path) -> str:
    try:
        return os.path.relpath(path, start)
    except ValueError:  # another drive (Windows): keep it absolute
        return str(path)


def _new_layer(extension: str, stage: Usd.Stage) -> Sdf.Layer:
    """A clip (or manifest) layer carrying the stage metadata a layer opened on its own needs
    (the validator checks every file): the scene's upAxis and metersPerUnit. Composition
    ignores them in a clip, as it ignores everything there but attribute values."""
    layer = Sdf.Layer.CreateAnonymous(extension)
    layer.pseudoRoot.SetInfo(UsdGeom.Tokens.upAxis, UsdGeom.GetStageUpAxis(stage))
    layer.pseudoRoot.SetInfo(UsdGeom.Tokens.metersPerUnit, UsdGeom.GetStageMetersPerUnit(stage))
    return layer


def _spec(layer: Sdf.Layer, attr: _Clipped, stage: Usd.Stage) -> Sdf.AttributeSpec:
    spec = layer.GetAttributeAtPath(attr.path)
    if spec is None:
        prim_path = attr.path.GetPrimPath()
        prim = Sdf.CreatePrimInLayer(layer, prim_path)
        # Defined with the scene's types, not left as overs: a clip opened alone is then a
        # valid stage of those prims (no dangling overs, every prim typed, a default prim).
        # A value clip contributes attribute values only, so specifiers and types here change
        # nothing in the composed result.
        for path in prim_path.GetPrefixes():
            held = layer.GetPrimAtPath(path)
            if held.specifier != Sdf.SpecifierDef:
                held.specifier = Sdf.SpecifierDef
                scene_prim = stage.GetPrimAtPath(path)
                if scene_prim and scene_prim.GetTypeName():
                    held.typeName = scene_prim.GetTypeName()
        if not layer.defaultPrim:
            layer.defaultPrim = prim_path.GetPrefixes()[0].name
        spec = Sdf.AttributeSpec(prim, attr.path.name, attr.type_name)
    return spec


def _set(layer: Sdf.Layer, attr: _Clipped, time_code: float, value: Any, stage: Usd.Stage) -> None:
    layer.SetTimeSample(_spec(layer, attr, stage).path, time_code, value)


def _nbytes(value: Any) -> int:
    return int(np.asarray(value).nbytes)  # a Vt array exposes its buffer: no copy


def _extent(points: Any, widths: Vt.FloatArray | None) -> Vt.Vec3fArray:
    """The bounds of ``points`` (a Vt array of 3-vectors) as USD's own extent function for
    the prim type computes them: per-point widths count (UsdGeomPoints), other widths do not
    (USD computes no extent for them, so the points' bounds are the best there is)."""
    if widths is not None and len(widths) == len(points):
        extent = UsdGeom.Points.ComputeExtent(points, widths)
        if extent is not None:
            return extent
    extent = UsdGeom.PointBased.ComputeExtent(points)
    return extent if extent is not None else Vt.Vec3fArray([(0.0, 0.0, 0.0)] * 2)


def _export(layer: Sdf.Layer, path: Path) -> None:
    try:
        written = layer.Export(str(path))
    except Tf.ErrorException as e:
        raise SceneError(f"{path}: USD could not write this clip: {e}") from None
    if not written:
        raise SceneError(f"{path}: USD could not write this clip")
