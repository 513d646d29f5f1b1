"""A bound call: one exported function with every argument's source decided once, so that a
call is a few list stores and the runtime's fast path.

Two binding rules (docs/usd.md):

* **by name**, for modules built by Portalis (their ABI names every parameter): parameter
  ``NAME`` reads ``inputs:NAME``; else the runner's ``time``, ``dt``, ``frame``; else the
  prim's attribute ``NAME`` (or its camelCase form: ``force_multiplier`` →
  ``forceMultiplier``), so schema attributes reach the function; ``NAME_x`` / ``_y`` /
  ``_z`` / ``_w`` take one component of a vector; else the parameter's default.
* **by position**, for other modules: the prim's ``inputs:*`` in authored order fill the
  parameters, a scalar taking one, a vector one per component, an array two (offset and
  element count). An input named ``time``, ``dt`` or ``frame`` with no value is the runner's.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable
from typing import Any, TypeGuard

from pxr import Sdf, Usd

from portalis.abi import Array, Function
from portalis.errors import SceneError
from portalis.runtime import DTYPES, Instance, TypedFunction
from portalis.sim import values
from portalis.sim.arrays import ArraySlot
from portalis.sim.geometry import geometry_source
from portalis.sim.sources import (
    CLOCK_NAMES,
    Animated,
    Clock,
    ClockValue,
    Constant,
    Produced,
    ProducerMap,
    Source,
    attribute_source,
    authored_inputs,
    input_attribute,
)
from portalis.usd import tokens as t

Getter = Callable[[], Any]
_FLOAT_TYPES = frozenset({"f64", "f32"})


class BoundCall:
    """One function of one instance with its argument plan."""

    def __init__(self, name: str, fn: TypedFunction, nargs: int, where: str) -> None:
        self.name = name
        self.fn = fn
        self.where = where
        self.argv: list[Any] = [0] * nargs
        self.dynamic: list[tuple[int, Getter]] = []
        #: For each dynamic slot: its source, the component it takes, its wasm type (the fast
        #: lane reads these to inline clock values and results of modules run just before).
        self.dynamic_sources: dict[int, tuple[Source | None, int | None, str]] = {}
        self.constants: list[tuple[int, Constant, Callable[[Any], Any]]] = []
        #: Vector inputs read once per call and spread over the slots of their components.
        self.vector_reads: list[VectorRead] = []
        self._reads_by_source: dict[Any, VectorRead] = {}
        #: Each scalar parameter bound to a source: (source, wasm type, component, label).
        self._plans: dict[int, tuple[Source, str, int | None, str]] = {}
        self.arrays: list[ArraySlot] = []
        self.result_count = len(fn.results)
        #: Paths of the module prims whose outputs this call reads (they must run first).
        self.producers: set[str] = set()

    def watched(self) -> set[Sdf.Path]:
        """Every attribute this call's arguments read, connections followed."""
        paths: set[Sdf.Path] = set()
        for source, *_ in self._plans.values():
            paths |= source.watch
        for slot in self.arrays:
            if slot.source is not None:
                paths |= slot.source.watch
        return paths

    def note(self, source: Source | None) -> None:
        if isinstance(source, Produced):
            self.producers.add(source.producer)

    def __call__(self, instance: Instance) -> tuple[Any, ...]:
        argv = self.argv
        for i, get in self.dynamic:
            argv[i] = get()
        for read in self.vector_reads:
            read.fill(argv)
        for slot in self.arrays:
            slot.place(instance, argv)
        result = self.fn(*argv)
        if self.result_count == 1:
            return (result,)
        return result if result is not None else ()

    def arguments(self) -> tuple[Any, ...]:
        """The arguments the next call would get (for on_demand change detection)."""
        argv = list(self.argv)
        for i, get in self.dynamic:
            argv[i] = get()
        for read in self.vector_reads:
            read.fill(argv)
        for slot in self.arrays:  # where an array sits is not an argument: its content is
            argv[slot.arg_index : slot.arg_index + slot.wasm_arity] = [None] * slot.wasm_arity
        arrays = tuple(slot.key() for slot in self.arrays if slot.source is not None)
        return (*argv, *arrays)

    def refresh(self, changed: set[Sdf.Path]) -> bool:
        """Bring the plan up to date with edits to the attributes in ``changed`` (USD change
        notices): each input whose attribute, or an attribute its connections go through,
        changed is decided again — a new constant value goes into place, an animated
        attribute is queried afresh, and an input that changed kind (a constant that got
        time samples, a connection moved to another module's output) is bound anew.
        Returns whether the plan's shape changed (the fast lane must be rebuilt)."""
        touched = [i for i, plan in self._plans.items() if plan[0].watch & changed]
        reshaped = False
        rebind: list[tuple[int, Source]] = []
        for i in touched:
            old, wasm_type, component, label = self._plans[i]
            new = old.resolve() if old.resolve is not None else None
            if new is None:
                continue  # the attribute lost its value: keep the last one
            if _same_animation(old, new):
                old.refresh()  # the same reader (the fast lane holds it), queried afresh
                continue
            if isinstance(new, Constant) and isinstance(old, Constant):
                convert = _scalar_converter(new, wasm_type, component, label, self.where, self.name)
                self.argv[i] = convert(new.get())
                self.constants = [c for c in self.constants if c[0] != i]
                self.constants.append((i, new, convert))
                self._plans[i] = (new, wasm_type, component, label)
                continue
            rebind.append((i, new))
        for i, _ in rebind:  # all first: components of one vector share a reader
            self._unbind(i)
        for i, new in rebind:
            _, wasm_type, component, label = self._plans[i]
            self.bind_scalar(i, new, wasm_type, component, label)
            reshaped = True
        for slot in self.arrays:
            source = slot.source
            if source is None or not (source.watch & changed) or source.resolve is None:
                continue
            new = source.resolve()
            if new is None:
                continue
            if _same_animation(source, new):
                source.refresh()
                continue
            slot.source = new
            self.note(new)
            reshaped = reshaped or not isinstance(new, Constant | Animated)
        return reshaped

    def _unbind(self, index: int) -> None:
        self.constants = [c for c in self.constants if c[0] != index]
        self.dynamic = [d for d in self.dynamic if d[0] != index]
        self.dynamic_sources.pop(index, None)
        for read in list(self.vector_reads):
            read.targets = [target for target in read.targets if target[0] != index]
            if not read.targets:
                self.vector_reads.remove(read)
                key = read.source.identity()
                if self._reads_by_source.get(key) is read:
                    del self._reads_by_source[key]

    # -- building --------------------------------------------------------------------------

    def bind_scalar(
        self, index: int, source: Source, wasm_type: str, component: int | None, label: str
    ) -> None:
        self.note(source)
        self._plans[index] = (source, wasm_type, component, label)
        convert = _scalar_converter(source, wasm_type, component, label, self.where, self.name)
        if isinstance(source, Constant):
            self.argv[index] = convert(source.get())
            self.constants.append((index, source, convert))
        elif component is None and not source.allowed_tokens and wasm_type in _FLOAT_TYPES:
            get = source.get

            def as_float() -> float:
                value = get()
                # anything but a float (an int, a string) goes through the converter, which
                # casts numbers and names the input holding anything else
                return value if type(value) is float else float(convert(value))

            self.dynamic.append((index, as_float))
            self.dynamic_sources[index] = (source, None, wasm_type)
        elif component is not None and not source.allowed_tokens:
            key = source.identity()
            read = self._reads_by_source.get(key) if key is not None else None
            if read is None:
                read = VectorRead(source)
                self.vector_reads.append(read)
                if key is not None:
                    self._reads_by_source[key] = read
            # an integer component is checked (NaN, inf, out of range) like a scalar input
            cast = (
                float
                if wasm_type in _FLOAT_TYPES
                else _scalar_converter(source, wasm_type, None, label, self.where, self.name)
            )
            read.targets.append((index, component, cast, convert))
        else:
            get = source.get
            self.dynamic.append((index, lambda: convert(get())))
            self.dynamic_sources[index] = (source, component, wasm_type)

    def bind_getter(self, index: int, get: Getter, wasm_type: str) -> None:
        cast = float if wasm_type in _FLOAT_TYPES else int
        self.dynamic.append((index, lambda: cast(get())))
        self.dynamic_sources[index] = (None, None, wasm_type)


def _same_animation(old: Source, new: Source) -> TypeGuard[Animated]:
    """Whether ``old`` and ``new`` both read the same animated attribute."""
    return (
        isinstance(old, Animated) and isinstance(new, Animated) and old.attr_path == new.attr_path
    )


class VectorRead:
    """A vector input whose components feed several parameters (``target_x``, ``target_y``,
    ``target_z``): read once per call, then spread, rather than read once per component."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self._get = source.get
        #: (argument index, component, cast, converter that checks and explains a bad value)
        self.targets: list[tuple[int, int, Callable[[Any], Any], Callable[[Any], Any]]] = []

    def fill(self, argv: list[Any]) -> None:
        value = self._get()
        if type(value) in values.GF_VECTORS:
            parts = value[:]  # one call for all components: indexing is a call per component
            n = len(parts)
            for index, component, cast, convert in self.targets:
                argv[index] = cast(parts[component]) if component < n else convert(value)
        else:  # quaternions, matrices, tuples, or a value that is not a vector (an error)
            for index, _, _, convert in self.targets:
                argv[index] = convert(value)


def _scalar_converter(
    source: Source, wasm_type: str, component: int | None, label: str, where: str, function: str
) -> Callable[[Any], Any]:
    """A function turning one value of ``source`` into the argument of a ``wasm_type``
    parameter, or raising a :class:`SceneError` that says which input holds what."""
    tokens = source.allowed_tokens
    # "parameter 'damping' of step expects a number (f64); inputs:damping holds …", or for a
    # positional label (the input itself), "step expects a number (f64); inputs:damping …"
    if label.startswith(t.INPUTS):
        expects, holder = function, label
    else:
        expects = label
        holder = source.attr_path.name if source.attr_path is not None else "its source"
    bounds = values.WASM_INTEGER_RANGES.get(wasm_type)

    def refuse(holds: str, hint: str = "") -> SceneError:
        return SceneError(
            f"{expects} expects a number ({wasm_type}); {holder} holds {holds}",
            prim_path=where,
            hint=hint,
        )

    def number(value: Any) -> Any:
        if bounds is None:
            return float(value)
        problem = values.integer_problem(value, *bounds)
        # a count or an index: 2.5 is a mistake, not 2 (CPython's range(2.5) raises); no
        # problem so far means a real number
        if (
            problem is None
            and not isinstance(value, bool | numbers.Integral)
            and not float(value).is_integer()
        ):
            problem = f"{value!r}, not a whole number"
        if problem is not None:
            raise refuse(problem)
        return int(value)

    def convert(value: Any) -> Any:
        if value is None:
            raise SceneError(f"{label} has no value", prim_path=where)
        if isinstance(value, str):
            if value in tokens:
                return tokens.index(value)
            if tokens:
                raise SceneError(
                    f"{label}: {holder} is {value!r}; allowed: {', '.join(tokens)}",
                    prim_path=where,
                )
            raise refuse(
                f"the string {value!r}",
                "author a number type (double, float, int), not a string or token",
            )
        if component is not None:
            parts = values.components(value)
            if component >= len(parts):
                raise SceneError(
                    f"{label}: component {component} of a {len(parts)}-component value",
                    prim_path=where,
                )
            return number(parts[component])
        if not isinstance(value, bool | int | float):
            raise SceneError(
                f"{label} is a {type(value).__name__}, but the parameter takes one number",
                prim_path=where,
                hint="bind one component (NAME_x, NAME_y, NAME_z) or use an array parameter",
            )
        return number(value)

    return convert


# -- by name -------------------------------------------------------------------------------

_COMPONENT = re.compile(r"^(?P<base>.+)_(?P<axis>[xyzw])$")


def camel_case(name: str) -> str:
    """``force_multiplier`` → ``forceMultiplier``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def named_source(
    prim: Usd.Prim, name: str, clock: Clock, producers: ProducerMap
) -> tuple[Source, int | None] | None:
    """Where parameter ``name`` reads from, and which component; None when nowhere."""
    where = str(prim.GetPath())
    attr = input_attribute(prim, name)
    if attr is not None:
        source = attribute_source(attr, clock, producers, where=where)
        if source is not None:
            return source, None
    geometry = geometry_source(prim, name, clock, t.INPUTS)
    if geometry is not None:
        return geometry, None
    match = _COMPONENT.match(name)
    if match:
        attr = input_attribute(prim, match["base"])
        if attr is not None:
            source = attribute_source(attr, clock, producers, where=where)
            if source is not None:
                return source, values.COMPONENT_SUFFIXES["_" + match["axis"]]
    if name in CLOCK_NAMES:
        return ClockValue(clock, name), None
    for candidate, component in _candidates(name):
        attr = prim.GetAttribute(candidate)
        if attr and ":" not in candidate:
            source = attribute_source(attr, clock, producers, where=where)
            if source is not None:
                return source, component
    return None


def dry_connection(prim: Usd.Prim, name: str, producers: ProducerMap) -> str | None:
    """Why a connected ``inputs:NAME`` gives no value, naming the connection's source: its
    module prim failed (or is disabled), or it does not produce that output. ``None`` when the
    input is not connected."""
    attr = prim.GetAttribute(t.INPUTS + name)
    if not attr or not attr.HasAuthoredConnections():
        return None
    target = attr.GetConnections()[0]
    said = f"inputs:{name} is connected to {target}, which has no value"
    source = prim.GetStage().GetPrimAtPath(target.GetPrimPath())
    if not source or not source.IsA(t.WASM_MODULE):
        return said
    owner = str(source.GetPath())
    if source.GetAttribute(t.ENABLED).Get() is False:
        return f"{said}: its module prim {owner} is disabled"
    if any(production.producer == owner for production in producers.values()):
        return f"{said}: its module prim {owner} does not produce {target.name}"
    return f"{said}: its module prim {owner} failed (its own failure in the report says why)"


def _candidates(name: str) -> list[tuple[str, int | None]]:
    found: list[tuple[str, int | None]] = [(name, None), (camel_case(name), None)]
    match = _COMPONENT.match(name)
    if match:
        axis = values.COMPONENT_SUFFIXES["_" + match["axis"]]
        found += [(match["base"], axis), (camel_case(match["base"]), axis)]
    return found


def bind_by_name(
    call: BoundCall,
    abi: Function,
    prim: Usd.Prim,
    clock: Clock,
    producers: ProducerMap,
    *,
    extra: dict[str, Getter] | None = None,
    buffer_shape: Callable[[Array], tuple[int, ...] | None] | None = None,
) -> None:
    """Fill ``call``'s plan from the ABI's parameter names. ``extra`` offers values that win
    over the scene (a collision handler's view of the step's results)."""
    where = call.where
    index = 0
    for param in abi.params:
        label = f"parameter '{param.name}' of {abi.name}"
        if isinstance(param, Array):
            found = named_source(prim, param.name, clock, producers)
            shape = None
            if found is None:
                # a connection that gives nothing is the scene's mistake or its source's
                # failure: never silently a zeroed buffer in its place
                if dry := dry_connection(prim, param.name, producers):
                    raise SceneError(f"{label}: {dry}", prim_path=where)
                shape = param.shape or (buffer_shape(param) if buffer_shape else None)
                if shape is None:
                    raise SceneError(
                        f"{label} is an array and the prim has no inputs:{param.name}",
                        prim_path=where,
                    )
            slot = ArraySlot(
                param.name,
                DTYPES[param.dtype],
                param.ndim,
                index,
                source=found[0] if found else None,
                shape=shape,
                where=where,
                writes=param.writes,
            )
            call.arrays.append(slot)
            call.note(slot.source)
            index += 1 + param.ndim
            continue
        wasm_type = "i32" if param.type == "bool" else param.type
        if extra and param.name in extra:
            call.bind_getter(index, extra[param.name], wasm_type)
        else:
            found = named_source(prim, param.name, clock, producers)
            if found is not None:
                call.bind_scalar(index, found[0], wasm_type, found[1], label)
            elif dry := dry_connection(prim, param.name, producers):
                # not the default in its place: the prim would run on a value nobody gave it
                raise SceneError(f"{label}: {dry}", prim_path=where)
            elif param.default is not None:
                call.argv[index] = (float if wasm_type in _FLOAT_TYPES else int)(param.default)
            else:
                raise SceneError(
                    f"{label} has no inputs:{param.name}, no attribute of that name and no default",
                    prim_path=where,
                    hint=f"author inputs:{param.name} on the prim, or connect it",
                )
        index += 1


# -- by position ---------------------------------------------------------------------------


def _positional_dtype(element: str) -> str:
    """The element type a signature-bound module gets for a USD array of ``element``s."""
    if element.startswith("int64"):
        return "i64"
    if element.startswith("int"):
        return "i32"
    if element in ("bool", "uchar"):
        return "u8"
    if element.startswith("double") or element.endswith("d") or element == "timecode":
        return "f64"
    return "f32"


def positional_array_names(prim: Usd.Prim) -> set[str]:
    """Names of array-valued inputs (passed as offset and count to signature-bound modules)."""
    return {
        attr.GetName()[len(t.INPUTS) :]
        for attr in authored_inputs(prim)
        if attr.GetTypeName().isArray
    }


def bind_by_position(
    call: BoundCall,
    params: tuple[str, ...],
    prim: Usd.Prim,
    clock: Clock,
    producers: ProducerMap,
) -> None:
    """Fill ``call``'s plan from the prim's inputs in authored order."""
    where = call.where
    index = 0
    supplied: list[str] = []
    for attr in authored_inputs(prim):
        name = attr.GetName()[len(t.INPUTS) :]
        type_name = attr.GetTypeName()
        has_value = attr.HasAuthoredValue() or attr.HasAuthoredConnections()
        if not has_value and name in CLOCK_NAMES:
            source: Source | None = ClockValue(clock, name)
        else:
            source = attribute_source(attr, clock, producers, where=where)
        if source is None:
            raise SceneError(f"inputs:{name} has no value and no connection", prim_path=where)
        if type_name.isArray:
            dtype = _positional_dtype(values.element_type(type_name))
            slot = ArraySlot(
                name, DTYPES[dtype], 1, index, source=source, where=where, count_only=True
            )
            call.arrays.append(slot)
            call.note(source)
            supplied.append(f"inputs:{name} (offset, count)")
            index += 2
            continue
        n = values.width(type_name) if type_name.type.typeName != "TfToken" else 1
        if n == 0:
            raise SceneError(f"inputs:{name} is a {type_name}, not numbers", prim_path=where)
        for k in range(n):
            if index < len(params):
                call.bind_scalar(
                    index,
                    source,
                    params[index],
                    k if n > 1 else None,
                    f"inputs:{name}",
                )
            index += 1
        supplied.append(f"inputs:{name} ({n})" if n > 1 else f"inputs:{name}")
    if index != len(params):
        raise SceneError(
            f"{call.name} takes {len(params)} parameter(s) ({', '.join(params) or 'none'}), "
            f"but the prim's inputs supply {index}: {', '.join(supplied) or 'none'}",
            prim_path=where,
            hint="signature-bound modules take the prim's inputs:* in authored order",
        )
