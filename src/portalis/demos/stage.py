"""The stage every scenario's scene starts from: a new layer with the metadata Omniverse and
NVIDIA's asset validator expect (up axis, meters per unit, time range and rates), and a
``/World`` Xform as its default prim."""

from __future__ import annotations

from pathlib import Path

from pxr import Usd, UsdGeom


def new_scene(path: Path, *, up_axis: str, frames: int, fps: float) -> Usd.Stage:
    """A new stage at ``path``: ``up_axis`` (``UsdGeom.Tokens.y`` or ``.z``), meters, time
    codes 0 … ``frames`` at ``fps``, and ``/World`` as its default prim."""
    stage = Usd.Stage.CreateNew(str(path))
    UsdGeom.SetStageUpAxis(stage, up_axis)
    UsdGeom.SetStageMetersPerUnit(stage, 1.0)
    stage.SetStartTimeCode(0)
    stage.SetEndTimeCode(frames)
    stage.SetTimeCodesPerSecond(fps)
    stage.SetFramesPerSecond(fps)
    world = UsdGeom.Xform.Define(stage, "/World")
    stage.SetDefaultPrim(world.GetPrim())
    return stage
