"""Metrics: a reduce function in a Portalis kernel, compiled once, run on every variant's
result.

``--metric metrics.py:max_height`` names a function of a kernel file. Each of its parameters
names an output of the scene (``position`` is the ``outputs:position`` of the one module prim
that has it) and receives that output's values over every frame of the variant's run: an
``Array[float]`` for a scalar output, an ``Array[float, 2]`` (frames × components) for a
vector. It returns one ``float``, the summary's ``metric:max_height`` column. For example::

    from portalis.lang import Array

    def max_height(position: Array[float, 2]) -> float:
        best = position[0, 1]
        for i in range(len(position)):
            best = max(best, position[i, 1])
        return best

The kernel is compiled once, where the sweep starts; its bytes go to the workers like the
scene's modules (through Ray's object store when on Ray), and each worker process loads it
once (the runtime's compile cache) and calls it in the same sandbox as any module.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portalis.sweep.design import SweepError

#: Kernels this process has loaded: sha256 → the loaded kernel.
_loaded: dict[str, Any] = {}


@dataclass(frozen=True)
class Metric:
    """A compiled reduce function: its ``name`` in the kernel, the module's ``sha256``, its
    bytes (or their object reference, on Ray) and, per parameter, the output it reads."""

    name: str
    sha256: str
    outputs: tuple[tuple[str, str], ...]  # (parameter, output attribute path)
    wasm: Any

    def with_wasm(self, wasm: Any) -> Metric:
        return Metric(self.name, self.sha256, self.outputs, wasm)

    def evaluate(self, result: Path) -> float:
        """This metric of the baked layer ``result``."""
        import numpy as np
        from pxr import Usd

        kernel = _loaded.get(self.sha256)
        if kernel is None:
            from portalis.runtime.kernel import load

            wasm = self.wasm if isinstance(self.wasm, bytes) else _fetch(self.wasm)
            kernel = _loaded[self.sha256] = load(wasm, name=f"metric {self.name}")
        stage = Usd.Stage.Open(str(result))
        start, end = int(stage.GetStartTimeCode()), int(stage.GetEndTimeCode())
        arguments = {}
        for parameter, output in self.outputs:
            attr = stage.GetAttributeAtPath(output)
            series = [attr.Get(Usd.TimeCode(t)) for t in range(start, end + 1)]
            arguments[parameter] = np.ascontiguousarray(
                [tuple(v) if hasattr(v, "__len__") else v for v in series], dtype=np.float64
            )
        return float(kernel.function(self.name)(**arguments))


def compile_metric(spec: str, scene: Path) -> Metric:
    """Compile ``FILE.py:FUNCTION`` once and bind its parameters to ``scene``'s outputs."""
    from portalis.lang import build
    from portalis.runtime.kernel import load

    file, _, name = spec.rpartition(":")
    if not file or not name:
        raise SweepError(f"--metric {spec!r}: expected FILE.py:FUNCTION")
    source = Path(file)
    if not source.is_file():
        raise SweepError(f"--metric {spec!r}: no such kernel file {source}")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        wasm = build(source, Path(tmp) / "metric.wasm").read_bytes()
    with load(wasm, name=f"metric {name}") as kernel:
        function = kernel.abi.function(name) if kernel.abi is not None else None
    if function is None:
        raise SweepError(f"--metric {spec!r}: {source} has no function {name}")
    if len(function.results) != 1:
        raise SweepError(f"--metric {spec!r}: {name} must return one float")
    outputs = _scene_outputs(scene)
    bound = []
    for param in function.params:
        candidates = outputs.get(param.name, [])
        if len(candidates) != 1:
            where = " and ".join(candidates) if candidates else "no module prim"
            raise SweepError(
                f"--metric {spec!r}: parameter {param.name} of {name} names an output; "
                f"outputs:{param.name} is on {where}",
                hint="the scene's outputs: " + ", ".join(sorted(outputs)),
            )
        if getattr(param, "dtype", "f64") != "f64":
            raise SweepError(f"--metric {spec!r}: parameter {param.name} must be Array[float]")
        bound.append((param.name, candidates[0]))
    return Metric(name, hashlib.sha256(wasm).hexdigest(), tuple(bound), wasm)


def _scene_outputs(scene: Path) -> dict[str, list[str]]:
    """Output name → the attribute paths of the module prims declaring it."""
    from pxr import Usd

    found: dict[str, list[str]] = {}
    stage = Usd.Stage.Open(str(scene))  # held: its prims expire with it
    for prim in stage.Traverse():
        for attr in prim.GetAttributes():
            if attr.GetName().startswith("outputs:"):
                found.setdefault(attr.GetName()[len("outputs:") :], []).append(str(attr.GetPath()))
    return found


def _fetch(ref: Any) -> bytes:
    import ray

    data: bytes = ray.get(ref)
    return data
