"""Writing outputs to USD: live (every step, into the stage's edit target) or recorded (time
samples buffered in memory and written to a layer at :meth:`Recorder.flush`; large per-frame
arrays streamed to value clips instead, when the recorder is given a
:class:`~portalis.sim.clips.ClipWriter`).

Both write through Sdf into one layer inside a change block, and create the attribute
specs they need (``over`` prims in that layer), so the scene's own layers are never edited
unless the host made one of them the edit target.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from typing import Any, Protocol

from pxr import Sdf, Usd

from portalis.sim.binding import ModulePrim
from portalis.sim.clips import ClipWriter
from portalis.sim.fastlane import FastGroup
from portalis.sim.outputs import OutputPort

#: What ran in a step: single prims, and fast-lane groups (whose ports are all their members').
Unit = ModulePrim | FastGroup


class Writer(Protocol):
    def commit(self, units: Iterable[Unit], time_code: float | None) -> None: ...
    def flush(self) -> None: ...


class _Specs:
    """Attribute specs in one layer, created on first use."""

    def __init__(self, layer: Sdf.Layer, edit_target: Usd.EditTarget | None = None) -> None:
        self.layer = layer
        self._target = edit_target
        self._specs: dict[Sdf.Path, Sdf.AttributeSpec] = {}

    def get(self, path: Sdf.Path, type_name: Sdf.ValueTypeName) -> Sdf.AttributeSpec:
        spec = self._specs.get(path)
        if spec is not None:
            return spec
        spec_path = self._target.MapToSpecPath(path) if self._target is not None else path
        spec = self.layer.GetAttributeAtPath(spec_path)
        if spec is None:
            prim_spec = Sdf.CreatePrimInLayer(self.layer, spec_path.GetPrimPath())
            spec = Sdf.AttributeSpec(prim_spec, spec_path.name, type_name)
        self._specs[path] = spec
        return spec


class LiveWriter:
    """Each step's outputs go straight into the stage's edit target: default values, or time
    samples when the host gives a time code. What Kit-like hosts want to see every frame."""

    def __init__(self, stage: Usd.Stage) -> None:
        target = stage.GetEditTarget()
        self._specs = _Specs(target.GetLayer(), target)
        self.layer = target.GetLayer()
        #: Each written attribute's path in the layer, kept: ``spec.path`` builds a new
        #: Sdf.Path at every use, which cost as much as the sample (60 robots' poses a frame).
        self._spec_paths: dict[Sdf.Path, Sdf.Path] = {}

    def commit(self, units: Iterable[Unit], time_code: float | None) -> None:
        layer = self.layer
        spec_paths = self._spec_paths
        with Sdf.ChangeBlock():
            for unit in units:
                for port in unit.ports:
                    if not port.ready:
                        continue
                    for sink, value in zip(port.sinks, port.usd_values(port.value), strict=True):
                        if time_code is None:
                            self._specs.get(sink.path, sink.type_name).default = value
                            continue
                        spec_path = spec_paths.get(sink.path)
                        if spec_path is None:
                            spec = self._specs.get(sink.path, sink.type_name)
                            spec_path = spec_paths[sink.path] = spec.path
                        layer.SetTimeSample(spec_path, time_code, value)

    def flush(self) -> None:
        """Nothing is buffered."""

    def written_paths(self) -> set[Sdf.Path]:
        return set(self._specs._specs)


class Recorder:
    """Outputs kept in memory as (time code, value) series, one per port, and written as time
    samples by :meth:`flush`: a step costs one list append per output.

    With :attr:`clips` set, an output whose first value is a large array (the clip writer's
    policy decides) is not kept: each of its values goes to the clip writer as it comes, so a
    long run with big per-frame arrays holds at most one clip of them in memory.
    """

    def __init__(self, layer: Sdf.Layer) -> None:
        self.layer = layer
        self.clips: ClipWriter | None = None
        self._specs = _Specs(layer)
        self._series: dict[int, tuple[OutputPort, list[tuple[float, Any]]]] = {}
        self._rows: dict[int, _GroupRows] = {}
        self._clipped: dict[int, bool] = {}
        self._initial: list[tuple[Sdf.Path, Sdf.ValueTypeName, Any]] = []
        self._hold_time = 0.0

    def commit(self, units: Iterable[Unit], time_code: float | None) -> None:
        if time_code is None:
            raise ValueError("a recording needs a time code for every step")
        for unit in units:
            if isinstance(unit, FastGroup):
                rows = self._rows.get(id(unit))
                if rows is None:
                    rows = self._rows[id(unit)] = _GroupRows(unit.ports)
                rows.append(time_code, unit.row_box[0])
                continue
            for port in unit.ports:
                if port.ready:
                    if self.clips is not None and self._to_clips(port):
                        made = port.usd_values(port.value)
                        for sink, value in zip(port.sinks, made, strict=True):
                            self.clips.add(sink.path, sink.type_name, time_code, value)
                        continue
                    entry = self._series.get(id(port))
                    if entry is None:
                        entry = self._series[id(port)] = (port, [])
                    entry[1].append((time_code, port.value))

    def _to_clips(self, port: OutputPort) -> bool:
        """Whether ``port`` streams to the clips: decided on its first value, once. Its held
        initial values move to the clips with it (a time sample left in the result layer
        would outrank every clip)."""
        decided = self._clipped.get(id(port))
        if decided is None:
            assert self.clips is not None
            decided = self._clipped[id(port)] = self.clips.policy.wants(port.value)
            if decided:
                paths = {sink.path for sink in port.sinks}
                for path, type_name, value in self._initial:
                    if path in paths:
                        self.clips.add(path, type_name, self._hold_time, value)
                self._initial = [i for i in self._initial if i[0] not in paths]
        return decided

    def hold(self, stage: Usd.Stage, prims: Iterable[ModulePrim], time_code: float) -> None:
        """Record, at ``time_code``, every written attribute's value as the scene has it
        before the run, so the first frame shows the scene as authored (a time sample
        before the first computed one) rather than the first computed frame held backwards."""
        for prim in prims:
            for port in prim.ports:
                for sink in port.sinks:
                    attr = stage.GetAttributeAtPath(sink.path)
                    value = attr.Get(time_code) if attr else None
                    if value is not None:
                        self._initial.append((sink.path, sink.type_name, value))
        self._hold_time = time_code

    def flush(self) -> None:
        layer = self.layer
        with Sdf.ChangeBlock():
            for attr_path, type_name, value in self._initial:
                layer.SetTimeSample(
                    self._specs.get(attr_path, type_name).path, self._hold_time, value
                )
            for port, samples in self._series.values():
                self._write(port, samples)
            for rows in self._rows.values():
                for k, port in enumerate(rows.ports):
                    self._write(port, rows.samples(k))
        self._series.clear()
        self._rows.clear()
        self._initial.clear()

    def written_paths(self) -> set[Sdf.Path]:
        """The attributes this recorder wrote into its layer (clipped ones excluded)."""
        return set(self._specs._specs)

    def _write(self, port: OutputPort, samples: list[tuple[float, Any]]) -> None:
        layer = self.layer
        paths = [self._specs.get(sink.path, sink.type_name).path for sink in port.sinks]
        if not port.shares:
            for path, sink in zip(paths, port.sinks, strict=True):
                convert = sink.usd_value
                for time_code, value in samples:
                    layer.SetTimeSample(path, time_code, convert(value))
            return
        for time_code, value in samples:
            for path, made in zip(paths, port.usd_values(value), strict=True):
                layer.SetTimeSample(path, time_code, made)


class _GroupRows:
    """A fast-lane group's recording: per step, the time code and the tuple of its ports'
    values that the group's generated code built from its locals (one list append per step,
    not a read of every port). Tuples of numbers are untracked by the garbage collector after
    its first pass over them, so a long recording does not slow collections down."""

    def __init__(self, ports: list[OutputPort]) -> None:
        self.ports = ports
        self.times = array("d")
        self.rows: list[tuple[Any, ...]] = []

    def append(self, time_code: float, row: tuple[Any, ...]) -> None:
        self.times.append(time_code)
        self.rows.append(row)

    def samples(self, k: int) -> list[tuple[float, Any]]:
        """Port ``k``'s (time code, value) series."""
        return [(time_code, row[k]) for time_code, row in zip(self.times, self.rows, strict=True)]
