"""One module prim, bound: its settings read from the schema, its instance, its calls, and
its output ports.

Binding happens in two passes over the stage, because an input may read another prim's
output: :class:`ModulePrim` first loads the module and lays out its outputs (so every
producer is known), then :meth:`ModulePrim.bind_inputs` decides each argument's source.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from pxr import Sdf, Usd

from portalis.abi import PAIR_TYPES, STATE_GLOBAL_PREFIX, Array, Function, Value
from portalis.errors import SceneError, SignatureError
from portalis.runtime import TypedFunction
from portalis.runtime.results import ResultDecoder
from portalis.sim import events as ev
from portalis.sim import values
from portalis.sim.arrays import ArraySlot
from portalis.sim.calls import (
    BoundCall,
    bind_by_name,
    bind_by_position,
    positional_array_names,
)
from portalis.sim.loader import LoadedModule
from portalis.sim.outputs import OutputPort, make_port
from portalis.sim.schedule import Cadence
from portalis.sim.sources import (
    Clock,
    ProducerMap,
    Production,
    attribute_source,
    authored_outputs,
    input_attribute,
)
from portalis.sim.stats import PrimStatistics
from portalis.usd import tokens as t

#: How :meth:`ModulePrim._result_signature` marks an array result: ``array:f64``.
_ARRAY_RESULT = "array:"
#: The attribute type an unauthored output gets for an array result (flattened).
_ARRAY_USD_TYPES = {
    "f64": Sdf.ValueTypeNames.DoubleArray,
    "f32": Sdf.ValueTypeNames.FloatArray,
    "i64": Sdf.ValueTypeNames.Int64Array,
    "i32": Sdf.ValueTypeNames.IntArray,
    "u8": Sdf.ValueTypeNames.UCharArray,
    "bool": Sdf.ValueTypeNames.BoolArray,
}
_GENERIC_RESULT = re.compile(r"^(result|r|ret|return|_)\d*$")


class ModulePrim:
    """A WasmModule prim the runner drives."""

    def __init__(self, prim: Usd.Prim, loaded: LoadedModule) -> None:
        self.prim = prim
        self.path = str(prim.GetPath())
        self.loaded = loaded
        self.instance = loaded.instance
        self.module_id = loaded.module.name
        self.schema = str(prim.GetTypeName())

        self.enabled = bool(_get(prim, t.ENABLED, True))
        self.mode = str(_get(prim, t.EXECUTION_MODE, t.CONTINUOUS))
        period = 1.0 / float(_get(prim, t.UPDATE_RATE, 60.0))
        self.triggers = frozenset(str(e) for e in (_get(prim, t.TRIGGER_EVENTS, None) or ()))
        self.monitoring = bool(_get(prim, t.PERFORMANCE_MONITORING, True))
        time_step = float(_get(prim, t.TIME_STEP, 0.0)) if self.schema == t.WASM_FLUID else 0.0
        #: The prim's own clock (owned by the scheduler). Simulated seconds per call: the
        #: fluid's timeStep when set, else 1 / updateRate.
        self.cadence = Cadence(period, time_step if time_step > 0 else period)
        self.fixed_dt = time_step > 0

        self.function_name = called_function(prim)
        handler = str(_get(prim, t.COLLISION_HANDLER, "")) if self.schema == t.WASM_PHYSICS else ""
        self.handler_name = handler

        abi = loaded.module.abi
        self.abi: Function | None = abi.function(self.function_name) if abi else None
        self.handler_abi: Function | None = abi.function(handler) if abi and handler else None
        self.fn = self.instance.function(self.function_name)
        self.handler_fn = self.instance.function(handler) if handler else None
        for fn, name in ((self.fn, self.function_name), (self.handler_fn, handler)):
            if fn is not None:
                _refuse_non_numbers(fn, name, self.path)

        #: Turns the raw results of a function returning arrays into NumPy arrays (copied
        #: out of the module, blocks freed: runtime/results.py); None for numbers only.
        self.decoder: ResultDecoder | None = None
        if self.abi is not None and self.abi.array_results:
            try:
                self.decoder = ResultDecoder(self.instance, self.abi, tuple(self.fn.results))
            except SignatureError as e:
                raise SceneError(e.message, prim_path=self.path) from None
        self.stats = PrimStatistics(self.path, self.module_id, self.function_name, self.monitoring)
        self.results: tuple[Any, ...] = ()
        self.ports = self._layout_outputs()
        self.result_ports = [p for p in self.ports if p.kind == "result"]
        self.readback_ports = [p for p in self.ports if p.kind != "result"]
        self.checked_ports = [p for p in self.ports if p.check is not None]
        self.contact_port = next((p for p in self.ports if p.name == "contact"), None)
        self.event_ports = [
            (p, p.name[len(ev.EVENT_OUTPUT_PREFIX) :])
            for p in self.ports
            if p.name.startswith(ev.EVENT_OUTPUT_PREFIX)
        ]
        self.entry: BoundCall | None = None
        self.handler: BoundCall | None = None

        # scheduling state, owned by the scheduler
        self.last_run: float | None = None
        self.last_arguments: tuple[Any, ...] | None = None
        self.requested = False
        self.failed = False
        self.ran_in = -1

    # -- outputs ---------------------------------------------------------------------------

    def _result_signature(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(names, wasm types) of the entry function's results."""
        types = tuple(self.fn.results)
        if self.abi is not None:
            names = tuple(r.name for r in self.abi.results)
            abi_types = tuple(
                _ARRAY_RESULT + r.dtype if isinstance(r, Array) else r.type
                for r in self.abi.results
            )
            return names, abi_types
        if len(types) == 1:
            return ("result",), types
        return tuple(f"result{i}" for i in range(len(types))), types

    def _layout_outputs(self) -> list[OutputPort]:
        prim = self.prim
        names, types = self._result_signature()
        array_names = (
            {p.name for p in self.abi.params if isinstance(p, Array)}
            if self.abi is not None
            else positional_array_names(prim)
        )
        state = self.loaded.module.abi.state if self.loaded.module.abi else ()
        state_names = {s.name for s in state if isinstance(s, Value)}
        ports: list[OutputPort] = []
        consuming: list[Usd.Attribute] = []
        for attr in authored_outputs(prim):
            name = attr.GetName()[len(t.OUTPUTS) :]
            if name in array_names:
                port = make_port(prim, name, attr.GetTypeName(), kind="array", source_name=name)
                port.length_result = _length_result(name, names)
                ports.append(port)
            elif name in state_names and name not in names:
                ports.append(
                    make_port(prim, name, attr.GetTypeName(), kind="state", source_name=name)
                )
            else:
                consuming.append(attr)
        used: set[int] = set()
        named = [n for n in names if not _GENERIC_RESULT.match(n)]
        by_name = (
            bool(consuming)
            and bool(named)
            and all(
                _result_indices(a, names) is not None
                or (a.GetTypeName().isArray and a.GetName()[len(t.OUTPUTS) :] in names)
                for a in consuming
            )
        )
        cursor = 0
        for attr in consuming:
            name = attr.GetName()[len(t.OUTPUTS) :]
            type_name = attr.GetTypeName()
            if type_name.isArray and name in names:
                index = names.index(name)
                if not types[index].startswith(_ARRAY_RESULT):
                    raise SceneError(
                        f"outputs:{name} is an array, but {self.function_name}'s result "
                        f"'{name}' is a number",
                        prim_path=self.path,
                        hint=f"author outputs:{name} as a scalar attribute",
                    )
                used.add(index)
                ports.append(make_port(prim, name, type_name, first=index))
                continue
            if type_name.isArray:
                raise SceneError(
                    f"outputs:{name} is an array, but {self.function_name} has no array "
                    f"parameter '{name}' to read it from",
                    prim_path=self.path,
                )
            if by_name:
                indices = _result_indices(attr, names)
                assert indices is not None
                if indices != list(range(indices[0], indices[0] + len(indices))):
                    raise SceneError(
                        f"outputs:{name} takes results {', '.join(names[i] for i in indices)}, "
                        "which must be consecutive",
                        prim_path=self.path,
                    )
            else:
                width = values.width(type_name)
                if width == 0:
                    raise SceneError(
                        f"outputs:{name} is a {type_name}, not numbers", prim_path=self.path
                    )
                indices = list(range(cursor, cursor + width))
                cursor += width
                if indices[-1] >= len(types):
                    raise SceneError(
                        f"{self.function_name} returns {len(types)} result(s), but the "
                        f"outputs in authored order need {cursor} (outputs:{name} is a "
                        f"{type_name})",
                        prim_path=self.path,
                    )
            used.update(indices)
            ports.append(make_port(prim, name, type_name, first=indices[0], count=len(indices)))
        for i, (name, wasm_type) in enumerate(zip(names, types, strict=True)):
            if i not in used:
                usd_type = (
                    _ARRAY_USD_TYPES[wasm_type[len(_ARRAY_RESULT) :]]
                    if wasm_type.startswith(_ARRAY_RESULT)
                    else values.usd_type_for_wasm(wasm_type)
                )
                ports.append(make_port(prim, name, usd_type, first=i))
        return ports

    def producers(self) -> ProducerMap:
        """Every attribute this prim's outputs write, with readers of the in-memory value."""
        found: ProducerMap = {}
        for port in self.ports:
            for sink in port.sinks:
                found[sink.path] = Production(port, sink.index, sink.type_name, self.path)
        return found

    # -- inputs ----------------------------------------------------------------------------

    def bind_inputs(self, clock: Clock, producers: ProducerMap) -> None:
        """Decide every argument's source (second pass, once all producers are known)."""
        self._refuse_complex_arrays()
        self.entry = self._bind(self.function_name, self.fn, self.abi, clock, producers, {})
        if self.handler_fn is not None:
            # the handler may take the step's results: by result name, or by the name of the
            # output a result went to (compiled kernels name their results result0, result1 …)
            names, _ = self._result_signature()
            results = {name: _result_getter(self, i) for i, name in enumerate(names)}
            for port in self.result_ports:
                if port.count == 1:
                    results[port.name] = _result_getter(self, port.first)
            self.handler = self._bind(
                self.handler_name,
                self.handler_fn,
                self.handler_abi,
                clock,
                producers,
                results,
                handler=True,
            )
            if self.handler.result_count > len(names):
                raise SceneError(
                    f"collisionHandler {self.handler_name} returns {self.handler.result_count} "
                    f"result(s), more than {self.function_name}'s {len(names)} it replaces",
                    prim_path=self.path,
                )
        self._check_buffer_memory()
        for slot in self.entry.arrays:
            if slot.is_buffer:
                slot.allocate_buffer(self.instance, self.entry.argv)
        self._initialise_state(clock, producers)

    def _refuse_complex_arrays(self) -> None:
        """A complex128 array (ABI ``c128``) has no USD attribute type to come from or go
        to: refused by name before anything is bound."""
        for fn_name, fn_abi in (
            (self.function_name, self.abi),
            (self.handler_name, self.handler_abi),
        ):
            if fn_abi is None:
                continue
            for kind, entries in (("parameter", fn_abi.params), ("result", fn_abi.results)):
                for entry in entries:
                    if isinstance(entry, Array) and entry.dtype in PAIR_TYPES:
                        raise SceneError(
                            f"{fn_name}: {kind} '{entry.name}' is a complex128 array, which "
                            "has no USD attribute type (inputs and outputs are real numbers)",
                            prim_path=self.path,
                            hint="split it into two float64 arrays (real and imaginary parts) "
                            "in a function the scene calls",
                        )

    def _check_buffer_memory(self) -> None:
        """Refuse, before allocating anything, working buffers that cannot fit under the
        sandbox's memory cap (a fluid's ``gridResolution`` set too fine), naming the sizes,
        rather than failing on whichever allocation happens to cross the cap."""
        assert self.entry is not None
        cap = self.instance.sandbox.max_memory_bytes
        buffers = [slot for slot in self.entry.arrays if slot.is_buffer]
        needed = sum(math.prod(slot.shape) * slot.dtype.itemsize for slot in buffers)
        if cap is None or needed <= cap:
            return
        shape = "×".join(str(n) for n in buffers[0].shape)
        raise SceneError(
            f"{len(buffers)} working arrays ({', '.join(s.name for s in buffers)}) of up to "
            f"{shape} elements need {needed / 2**20:.1f} MiB, more than the sandbox's "
            f"{cap / 2**20:.0f} MiB memory cap",
            prim_path=self.path,
            hint=f"lower {t.GRID_RESOLUTION}"
            if self.schema == t.WASM_FLUID
            else "lower the buffer sizes, or raise the memory cap (portalis run --max-memory)",
        )

    def _initialise_state(self, clock: Clock, producers: ProducerMap) -> None:
        """An ``inputs:NAME`` naming a persistent state variable of a built module (and no
        parameter) gives that variable its value before the first call."""
        module_abi = self.loaded.module.abi
        if module_abi is None:
            return
        params = {p.name for p in self.abi.params} if self.abi is not None else set()
        for entry in module_abi.state:
            if not isinstance(entry, Value) or entry.name in params:
                continue
            attr = input_attribute(self.prim, entry.name)
            if attr is None:
                continue
            source = attribute_source(attr, clock, producers, where=self.path)
            value = source.get() if source is not None else None
            if value is None:
                continue
            cast = float if entry.type in ("f64", "f32") else int
            try:
                self.instance.set_global(STATE_GLOBAL_PREFIX + entry.name, cast(value))
            except (TypeError, ValueError) as e:
                raise SceneError(
                    f"inputs:{entry.name} cannot set state '{entry.name}' ({entry.type}): {e}",
                    prim_path=self.path,
                ) from None

    def _bind(
        self,
        name: str,
        fn: TypedFunction,
        abi: Function | None,
        clock: Clock,
        producers: ProducerMap,
        results: dict[str, Any],
        *,
        handler: bool = False,
    ) -> BoundCall:
        call = BoundCall(name, fn, len(fn.params), self.path)
        if abi is not None:
            bind_by_name(
                call,
                abi,
                self.prim,
                clock,
                producers,
                extra=results,
                buffer_shape=self._buffer_shape,
            )
        elif handler:
            # a signature-bound handler takes the step's results, in order
            getters = [_result_getter(self, i) for i in range(len(self.fn.results))]
            if len(fn.params) > len(getters):
                raise SceneError(
                    f"collisionHandler {name} takes {len(fn.params)} parameter(s); the step "
                    f"returns {len(getters)} result(s) to give it",
                    prim_path=self.path,
                )
            for i, wasm_type in enumerate(fn.params):
                call.bind_getter(i, getters[i], wasm_type)
        else:
            bind_by_position(call, tuple(fn.params), self.prim, clock, producers)
        return call

    def _buffer_shape(self, param: Array) -> tuple[int, ...] | None:
        """The shape of a working buffer the scene does not supply, from the schema."""
        if self.schema == t.WASM_SENSOR and param.ndim == 1:
            return (int(_get(self.prim, t.DATA_BUFFER_SIZE, 0)),)
        if self.schema == t.WASM_FLUID:
            grid = tuple(int(n) for n in _get(self.prim, t.GRID_RESOLUTION, (1, 1, 1)))
            if param.ndim == 3:
                return grid
            if param.ndim == 1:
                return (int(np.prod(grid)),)
        return None

    def refresh(self, changed: set[Sdf.Path]) -> bool:
        """Take edits to the scene into the calls' plans; whether a plan changed shape."""
        reshaped = False
        for call in (self.entry, self.handler):
            if call is not None:
                reshaped = call.refresh(changed) or reshaped
        return reshaped

    # -- calling ---------------------------------------------------------------------------

    def run(self) -> list[str]:
        """Call the entry function (and the collision handler on contact); publish results.
        Returns the names of the events the call raised."""
        assert self.entry is not None
        self.results = self.entry(self.instance)
        if self.decoder is not None:
            self.results = self.decoder.each(self.results)
        self._publish()
        raised: list[str] = []
        contact = self.contact_port
        if self.schema == t.WASM_PHYSICS and contact is not None and contact.value:
            if self.handler is not None:
                replaced = self.handler(self.instance)
                self.results = (*replaced, *self.results[len(replaced) :])
                self._publish()
                self.stats.handler_calls += 1
            raised.append(ev.COLLISION)
        for port, name in self.event_ports:
            if port.value:
                raised.append(name)
        return raised

    def _publish(self) -> None:
        """Hand the results to the output ports, every value checked before any is stored
        (a value its attribute cannot hold fails this call, and no output takes it)."""
        results = self.results
        readback = (
            [self._read_back(port) for port in self.readback_ports] if self.readback_ports else ()
        )
        if self.checked_ports:
            self._check(results, readback)
        for port in self.result_ports:
            if port.count == 1:
                port.value = results[port.first]
            else:
                port.value = results[port.first : port.first + port.count]
            port.ready = True
        for port, value in zip(self.readback_ports, readback, strict=True):
            port.value = value
            port.ready = True

    def _check(self, results: tuple[Any, ...], readback: Sequence[Any]) -> None:
        for port in self.result_ports:
            if port.check is not None:
                port.check(
                    results[port.first]
                    if port.count == 1
                    else results[port.first : port.first + port.count]
                )
        for port, value in zip(self.readback_ports, readback, strict=True):
            if port.check is not None:
                port.check(value)

    def _read_back(self, port: OutputPort) -> Any:
        if port.kind == "state":
            return self.instance.global_value(STATE_GLOBAL_PREFIX + port.source_name)
        assert self.entry is not None
        for slot in self.entry.arrays:
            if slot.name == port.source_name:
                if port.length_result is None:
                    flat = slot.read_flat(self.instance)
                    return port.pool.copy(flat, slot.shape)
                return self._read_prefix(port, slot)
        raise SceneError(f"outputs:{port.name}: no array '{port.source_name}'", prim_path=self.path)

    def _read_prefix(self, port: OutputPort, slot: ArraySlot) -> np.ndarray:
        """The first ``count`` elements of an array a function filled only partly (a
        filter's kept points), ``count`` being the result ``port.length_result``; as rows of
        the output's width (``point3f[]``: rows of 3) whatever the parameter's shape.
        ``count`` is a number the module chose: checked against the array (this slot's own
        region of linear memory, as placed) before a byte is read."""
        assert port.length_result is not None
        count = self.results[port.length_result]
        width = port.width
        flat = slot.read_flat(self.instance)
        if not 0 <= count * width <= flat.size:
            raise SceneError(
                f"outputs:{port.name}: {self.function_name} returned "
                f"{self._result_signature()[0][port.length_result]} = {count}, but "
                f"'{port.source_name}' holds {flat.size // width} element(s) of {width}",
                prim_path=self.path,
            )
        shape = (count, width) if width > 1 else (count,)
        return port.pool.copy(flat[: count * width], shape)

    def output(self, name: str) -> Any:
        """The latest value of ``outputs:NAME`` (None before the first call)."""
        for port in self.ports:
            if port.name == name:
                return port.value if port.ready else None
        raise SceneError(f"has no output '{name}'", prim_path=self.path)

    def arguments(self) -> tuple[Any, ...]:
        assert self.entry is not None
        return self.entry.arguments()

    def close(self) -> None:
        self.instance.close()


def _length_result(array: str, names: tuple[str, ...]) -> int | None:
    """The result saying how much of array ``array`` an output takes: ``ARRAY_count``;
    None when the function returns no such result (the whole array is the output)."""
    name = array + "_count"
    return names.index(name) if name in names else None


_NUMBER_TYPES = frozenset({"i32", "i64", "f32", "f64"})


def _refuse_non_numbers(fn: TypedFunction, name: str, where: str) -> None:
    """Parameters and results travel as numbers (arrays as offsets into memory): a reference
    or vector type has no attribute to come from or go to."""
    for kind, types in (("parameter", fn.params), ("result", fn.results)):
        for i, wasm_type in enumerate(types):
            if wasm_type not in _NUMBER_TYPES:
                raise SceneError(
                    f"{name}'s {kind} {i} is a {wasm_type}; the runner passes only numbers "
                    "(i32, i64, f32, f64)",
                    prim_path=where,
                )


def _result_getter(prim: ModulePrim, index: int) -> Any:
    return lambda: prim.results[index]


def _result_indices(attr: Usd.Attribute, names: tuple[str, ...]) -> list[int] | None:
    """The results an output takes by name: ``NAME``, or ``NAME_x``, ``NAME_y`` … for a
    vector output. None when the names do not match."""
    name = attr.GetName()[len(t.OUTPUTS) :]
    width = values.width(attr.GetTypeName())
    if name in names and width == 1:
        return [names.index(name)]
    axes = "xyzw"[:width] if 1 < width <= 4 else ""
    parts = [f"{name}_{a}" for a in axes]
    if parts and all(p in names for p in parts):
        return [names.index(p) for p in parts]
    return None


def called_function(prim: Usd.Prim) -> str:
    """The function the prim's schema says to call: its role attribute when set
    (``physicsFunction``, ``kinematicsFunction`` …), else ``entryFunction`` (``update``)."""
    role = t.ROLE_FUNCTIONS.get(str(prim.GetTypeName()))
    role_name = _get(prim, role, "") if role else ""
    if isinstance(role_name, str) and role_name:
        return role_name
    entry = _get(prim, t.ENTRY_FUNCTION, "update")
    return entry if isinstance(entry, str) and entry else "update"


def _get(prim: Usd.Prim, name: str | None, default: Any) -> Any:
    if not name:
        return default
    attr = prim.GetAttribute(name)
    value = attr.Get() if attr else None
    return default if value is None else value
