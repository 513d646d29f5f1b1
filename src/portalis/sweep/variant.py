"""A variant: the scene plus a tiny override layer, and what running it gives.

The override layer sublayers the scene and holds one ``over`` per varied attribute, nothing
else; the scene file is never written. It carries the scene's stage metadata (up axis, units,
time codes and rate), because a stage takes those from its root layer and would otherwise
read the scene's frames at USD's default 24 per second. :func:`check_axes` checks every value
of the design against the scene before anything runs, so a typo in ``--vary`` is one clear
error rather than N failed variants.

:func:`run_variant` is what a worker does with one variant, on any engine: write the override
beside a private result folder, bake it as ``portalis run`` would (:func:`portalis.sim.bake`),
and return an :class:`Outcome` (its status and the runner's messages, the values of every
``outputs:*`` at the last frame, the metrics, and the result files' bytes). The process that
owns the sweep's folder writes those files: a worker on another machine cannot.
"""

from __future__ import annotations

import difflib
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pxr import Sdf, Tf, Usd

import portalis.usd  # noqa: F401  (registers the schemas before any stage is opened)
from portalis.errors import PortalisError
from portalis.sweep.design import Axis, SweepError, Value, Variant

OVERRIDE_FILE = "variant.usda"
#: ``.usd``: text while small, binary crate when it holds many samples (as ``portalis run``).
RESULT_FILE = "result.usd"

#: Root-layer metadata a stage reads from its root layer only: copied from the scene.
STAGE_METADATA = (
    "upAxis", "metersPerUnit", "kilogramsPerUnit", "startTimeCode", "endTimeCode",
    "timeCodesPerSecond", "framesPerSecond", "defaultPrim",
)  # fmt: skip

#: Scalar USD value types an override can set, and the Python values each takes.
_NUMBER = (int, float)
_SETTABLE: dict[str, tuple[type, ...]] = {
    "double": _NUMBER, "float": _NUMBER, "half": _NUMBER, "timecode": _NUMBER,
    "int": (int,), "uint": (int,), "int64": (int,), "uint64": (int,), "uchar": (int,),
    "bool": (bool,), "string": (str,), "token": (str,),
}  # fmt: skip

#: Statuses of an outcome. ``ok``: every module ran; ``failed``: some module failed (the
#: others' results are kept, as ``portalis run`` exits 2); ``error``: the scene could not be
#: run at all; ``interrupted``: stopped by Ctrl-C before its last frame; ``lost``: the engine
#: gave up on it (its worker died more often than the engine retries). The last two are not
#: complete: a re-run runs them again.
OK, FAILED, ERROR, INTERRUPTED, LOST = "ok", "failed", "error", "interrupted", "lost"


@dataclass(frozen=True)
class Job:
    """What a worker needs for one variant besides the scene: the values, the run's range and
    limits, and the metrics (see :mod:`portalis.sweep.metric`)."""

    variant: Variant
    end: float | None = None
    max_memory_mib: int = 256
    deadline_s: float = 1.0
    metrics: tuple[Any, ...] = ()  # portalis.sweep.metric.Metric


@dataclass(frozen=True)
class Outcome:
    """What running one variant gave. ``columns``: the value of every ``outputs:*`` at the
    last frame (``/World/Physics.outputs:position[1]`` for a vector's components) and of each
    metric (``metric:NAME``); ``files``: the result layer (and any value clips), by their
    path relative to the variant's folder."""

    index: int
    status: str
    message: str = ""
    seconds: float = 0.0
    frames: int = 0
    columns: dict[str, Value] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Whether a re-run would give the same again (it need not run again)."""
        return self.status not in (INTERRUPTED, LOST)


# -- the override layer ----------------------------------------------------------------------


def override_layer(scene: Path, values: Mapping[str, Value], sublayer: str) -> Sdf.Layer:
    """An anonymous layer over ``scene`` (authored as ``sublayer``) setting ``values``."""
    scene_layer = Sdf.Layer.FindOrOpen(str(scene))
    if scene_layer is None:
        raise SweepError(f"{scene}: USD cannot open this file")
    layer = Sdf.Layer.CreateAnonymous(".usda")
    for key in STAGE_METADATA:
        if scene_layer.pseudoRoot.HasInfo(key):
            layer.pseudoRoot.SetInfo(key, scene_layer.pseudoRoot.GetInfo(key))
    layer.subLayerPaths.append(sublayer)
    stage = Usd.Stage.Open(str(scene))
    for attribute, value in values.items():
        attr = _scene_attribute(stage, attribute)
        type_name = attr.GetTypeName()
        spec = Sdf.AttributeSpec(
            Sdf.CreatePrimInLayer(layer, attr.GetPrim().GetPath()),
            attr.GetName(),
            type_name,
            attr.GetVariability(),
        )
        spec.default = _converted(attribute, str(type_name), value)
    return layer


def check_axes(scene: Path, axes: Sequence[Axis]) -> list[Axis]:
    """Every axis with its values as its attribute's type takes them (``[30, 45]`` for a
    double becomes 30.0, 45.0); raises :class:`SweepError` unless each names an attribute of
    ``scene`` that an override can set to each of its values."""
    try:
        stage = Usd.Stage.Open(str(scene))
    except Tf.ErrorException as e:
        from portalis.sim.bake import usd_message

        raise SweepError(f"{scene}: USD cannot open this file: {usd_message(e)}") from None
    checked = []
    for axis in axes:
        attr = _scene_attribute(stage, axis.attribute, spec=axis.spec)
        type_name = str(attr.GetTypeName())
        if axis.is_range:  # random draws are floats: the attribute must take one
            _converted(axis.attribute, type_name, float(axis.low or 0.0), spec=axis.spec)
        values = tuple(
            _converted(axis.attribute, type_name, v, spec=axis.spec) for v in axis.values
        )
        checked.append(replace(axis, values=values))
    return checked


def _scene_attribute(stage: Usd.Stage, attribute: str, spec: str = "") -> Usd.Attribute:
    where = f"--vary {spec!r}: " if spec else ""
    path = Sdf.Path(attribute)
    prim = stage.GetPrimAtPath(path.GetPrimPath())
    if not prim:
        known = [str(p.GetPath()) for p in stage.Traverse()]
        raise SweepError(
            f"{where}the scene has no prim {path.GetPrimPath()}",
            hint=_did_you_mean(str(path.GetPrimPath()), known),
        )
    attr = prim.GetAttribute(path.name)
    if not attr:
        known = [a.GetName() for a in prim.GetAttributes()]
        raise SweepError(
            f"{where}prim {prim.GetPath()} has no attribute {path.name}",
            hint=_did_you_mean(path.name, known),
        )
    return attr


def _converted(attribute: str, type_name: str, value: Value, spec: str = "") -> Value:
    """``value`` as the Python value USD takes for ``type_name``, or a SweepError."""
    where = f"--vary {spec!r}: " if spec else f"{attribute}: "
    accepted = _SETTABLE.get(type_name)
    if accepted is None:
        raise SweepError(
            f"{where}{attribute} is a {type_name}; a sweep varies scalar attributes "
            "(numbers, bool, string, token)"
        )
    if isinstance(value, bool) and bool not in accepted:
        raise SweepError(f"{where}{attribute} is a {type_name}, not a bool: {value!r}")
    if not isinstance(value, accepted):
        raise SweepError(f"{where}{attribute} is a {type_name}; {value!r} is not one")
    if accepted == (int,) and isinstance(value, float):
        if not value.is_integer():
            raise SweepError(f"{where}{attribute} is a {type_name}; {value!r} is not whole")
        return int(value)
    if accepted == _NUMBER:
        return float(value)
    return value


def _did_you_mean(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.85)
    if close:
        return "did you mean " + " or ".join(close) + "?"
    return "it has: " + ", ".join(known[:12]) if known else ""


# -- running one ----------------------------------------------------------------------------


def run_variant(job: Job, scene: Path) -> Outcome:
    """Run ``job``'s variant of ``scene`` (a path on this machine) and return its outcome.
    Never raises for anything the scene or its modules do: that is the outcome's ``error``
    status with the runner's message."""
    from portalis.runtime import MiB, Sandbox
    from portalis.sim.bake import bake

    index = job.variant.index
    work = Path(tempfile.mkdtemp(prefix=f"portalis-variant-{job.variant.name}-"))
    t0 = time.perf_counter()
    try:
        override = work / OVERRIDE_FILE
        override_layer(scene, job.variant.values, str(scene)).Export(str(override))
        result = work / RESULT_FILE
        baked = bake(
            override,
            result,
            end=job.end,
            sandbox=Sandbox(max_memory_bytes=job.max_memory_mib * MiB, deadline_s=job.deadline_s),
            comment=f"Results of variant {job.variant.name} of `portalis sweep {scene.name}`.",
        )
        seconds = time.perf_counter() - t0
        columns = last_frame_outputs(result)
        for metric in job.metrics:
            columns[f"metric:{metric.name}"] = metric.evaluate(result)
        files = {
            path.relative_to(work).as_posix(): path.read_bytes()
            for path in sorted(work.rglob("*"))
            if path.is_file() and path != override
        }
    except KeyboardInterrupt:
        return Outcome(index, INTERRUPTED, "stopped by Ctrl-C", time.perf_counter() - t0)
    except PortalisError as e:
        message = f"{e} (hint: {e.hint})" if e.hint else str(e)
        return Outcome(index, ERROR, message, time.perf_counter() - t0)
    except Exception as e:  # a bug of ours must still be reported against its variant
        return Outcome(index, ERROR, f"{type(e).__name__}: {e}", time.perf_counter() - t0)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if baked.interrupted:
        return Outcome(index, INTERRUPTED, "stopped by Ctrl-C", seconds, baked.frames)
    status = FAILED if baked.failures else OK
    message = "; ".join(str(f) for f in baked.failures)
    return Outcome(index, status, message, seconds, baked.frames, columns, files)


def last_frame_outputs(result: Path) -> dict[str, Value]:
    """The value of every time-sampled ``outputs:*`` of ``result`` at its last frame; vectors
    give one column per component (``NAME[0]`` …), arrays their length (``NAME.size``)."""
    stage = Usd.Stage.Open(str(result))
    end = Usd.TimeCode(stage.GetEndTimeCode())
    columns: dict[str, Value] = {}
    for prim in stage.Traverse():
        for attr in prim.GetAttributes():
            if not attr.GetName().startswith("outputs:") or attr.GetNumTimeSamples() == 0:
                continue
            name = str(attr.GetPath())
            value = attr.Get(end)
            columns.update(_flatten(name, value))
    return columns


def _flatten(name: str, value: Any) -> dict[str, Value]:
    if isinstance(value, bool | int | float | str):
        return {name: value}
    if value is None:
        return {name: ""}
    if type(value).__name__.startswith("Vec"):  # Gf.Vec3d and friends: a fixed size
        return {f"{name}[{k}]": float(value[k]) for k in range(len(value))}
    try:
        return {f"{name}.size": len(value)}
    except TypeError:
        return {name: str(value)}
