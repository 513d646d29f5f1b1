"""Writing outputs to USD: live (every step, into the stage's edit target) or recorded (time
samples buffered in memory and written to a layer at :meth:`Recorder.flush`).

Both write through Sdf into one layer inside a change block, and create the attribute
specs they need (``over`` prims in that layer), so the scene's own layers are never edited
unless the host made one of them the edit target.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from pxr import Sdf, Usd

from portalis.sim.binding import ModulePrim
from portalis.sim.outputs import OutputPort


class Writer(Protocol):
    def commit(self, prims: Iterable[ModulePrim], time_code: float | None) -> None: ...
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

    def commit(self, prims: Iterable[ModulePrim], time_code: float | None) -> None:
        layer = self.layer
        with Sdf.ChangeBlock():
            for prim in prims:
                for port in prim.ports:
                    if not port.ready:
                        continue
                    for sink in port.sinks:
                        spec = self._specs.get(sink.path, sink.type_name)
                        value = sink.usd_value(port.value)
                        if time_code is None:
                            spec.default = value
                        else:
                            layer.SetTimeSample(spec.path, time_code, value)

    def flush(self) -> None:
        """Nothing is buffered."""

    def written_paths(self) -> set[Sdf.Path]:
        return set(self._specs._specs)


class Recorder:
    """Outputs kept in memory as (time code, value) series, one per port, and written as time
    samples by :meth:`flush`: a step costs one list append per output."""

    def __init__(self, layer: Sdf.Layer) -> None:
        self.layer = layer
        self._specs = _Specs(layer)
        self._series: dict[int, tuple[OutputPort, list[tuple[float, Any]]]] = {}
        self._initial: list[tuple[Sdf.Path, Sdf.ValueTypeName, Any]] = []
        self._hold_time = 0.0

    def commit(self, prims: Iterable[ModulePrim], time_code: float | None) -> None:
        if time_code is None:
            raise ValueError("a recording needs a time code for every step")
        series = self._series
        for prim in prims:
            for port in prim.ports:
                if port.ready:
                    entry = series.get(id(port))
                    if entry is None:
                        entry = series[id(port)] = (port, [])
                    entry[1].append((time_code, port.value))

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
                for sink in port.sinks:
                    path = self._specs.get(sink.path, sink.type_name).path
                    convert = sink.usd_value
                    for time_code, value in samples:
                        layer.SetTimeSample(path, time_code, convert(value))
        self._series.clear()
        self._initial.clear()

    @property
    def sample_count(self) -> int:
        return sum(len(s) for _, s in self._series.values())
