"""Where each argument of a module call comes from (docs/usd.md, "Inputs").

Every parameter is fed by one :class:`Source`:

* :class:`Constant` — an authored value that is not animated; read once, and again when the
  runner is told the attribute changed (USD change notices);
* :class:`Animated` — an attribute with time samples, read at each call at the current time;
* :class:`Produced` — the output of another module prim in the same runner (directly, or
  through an attribute that output is forwarded to), taken from memory at each call;
* :class:`ClockValue` — ``time``, ``dt`` or ``frame``, supplied by the runner.

An input connected to an attribute reads that attribute (following chains of connections);
the input's own authored value stands in while a connected output has not been computed yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pxr import Sdf, Usd

from portalis.errors import SceneError
from portalis.usd import tokens as t

#: How many connections an input may follow (input → input → … → value) before giving up.
MAX_CONNECTION_HOPS = 16


@dataclass
class Clock:
    """The runner's notion of now, as modules see it; one per runner, updated per call."""

    time: float = 0.0
    dt: float = 0.0
    frame: int = 0
    #: The stage time inputs are read at.
    read_time: Usd.TimeCode = field(default_factory=lambda: Usd.TimeCode(0.0))


CLOCK_NAMES = ("time", "dt", "frame")


class Source:
    """Something that yields an attribute-like value at each call."""

    attr_path: Sdf.Path | None = None
    type_name: Sdf.ValueTypeName | None = None
    allowed_tokens: tuple[str, ...] = ()
    #: The attributes whose edits can change what this source yields: the input and every
    #: attribute its connections went through (set by :func:`attribute_source`).
    watch: frozenset[Sdf.Path] = frozenset()
    #: Decides the source again from the scene as it is now (after one of ``watch`` changed:
    #: a value edit, time samples added, a connection moved); None for sources that are not
    #: an attribute's.
    resolve: Callable[[], Source | None] | None = None

    def get(self) -> Any:
        raise NotImplementedError

    def identity(self) -> Any:
        """What this source reads, as a hashable key (two sources with one key always yield
        the same value within a call); None when it stands alone."""
        return None

    @property
    def constant(self) -> bool:
        return False


class Constant(Source):
    def __init__(self, attr: Usd.Attribute | None, value: Any, type_name: Any = None) -> None:
        self.attr = attr
        self.value = value
        self.attr_path = attr.GetPath() if attr is not None else None
        self.type_name = (
            type_name
            if type_name is not None
            else (attr.GetTypeName() if attr is not None else None)
        )
        if attr is not None:
            self.allowed_tokens = tuple(attr.GetMetadata("allowedTokens") or ())

    def get(self) -> Any:
        return self.value

    def refresh(self) -> None:
        """Read the attribute again (after a change notice)."""
        if self.attr is not None and self.attr.IsValid():
            value = self.attr.Get()
            if value is not None:
                self.value = value

    @property
    def constant(self) -> bool:
        return True


class Animated(Source):
    def __init__(self, attr: Usd.Attribute, clock: Clock) -> None:
        self._query = Usd.AttributeQuery(attr)
        self._clock = clock
        self.attr_path = attr.GetPath()
        self.type_name = attr.GetTypeName()
        self.allowed_tokens = tuple(attr.GetMetadata("allowedTokens") or ())

    def get(self) -> Any:
        return self._query.Get(self._clock.read_time)

    def refresh(self) -> None:
        """Query the attribute afresh (a query caches where the value resolves from, which
        an edit in another layer can change)."""
        if self._query.GetAttribute().IsValid():
            self._query = Usd.AttributeQuery(self._query.GetAttribute())

    def identity(self) -> Any:
        return ("animated", self.attr_path)


@dataclass(frozen=True)
class Production:
    """An attribute some module prim of the runner writes, and how to read its latest value:
    ``port`` is the producing output, ``index`` the element a spread target takes."""

    port: Any
    index: int | None
    type_name: Any
    producer: str

    def read(self) -> Any:
        value = self.port.value
        return value if self.index is None else value[self.index]

    def ready(self) -> bool:
        return bool(self.port.ready)


class Produced(Source):
    """The latest value of another module's output; ``fallback`` until it has one."""

    def __init__(self, production: Production, fallback: Source | None) -> None:
        self.production = production
        self._port = production.port
        self._index = production.index
        self._fallback = fallback
        self.type_name = production.type_name
        self.producer = production.producer

    def get(self) -> Any:
        port = self._port
        if port.ready:
            return port.value if self._index is None else port.value[self._index]
        return self._fallback.get() if self._fallback is not None else None

    def identity(self) -> Any:
        fallback = self._fallback.identity() if self._fallback is not None else None
        return ("produced", id(self._port), self._index, fallback)


class ClockValue(Source):
    def __init__(self, clock: Clock, name: str) -> None:
        self._clock = clock
        self.name = name
        self.type_name = Sdf.ValueTypeNames.Int if name == "frame" else Sdf.ValueTypeNames.Double

    def get(self) -> Any:
        return getattr(self._clock, self.name)


#: Every attribute some module in the runner writes (its ``outputs:*`` and the attributes
#: they are forwarded to), by path.
ProducerMap = dict[Sdf.Path, Production]


def attribute_source(
    attr: Usd.Attribute, clock: Clock, producers: ProducerMap, *, where: str
) -> Source | None:
    """The source of ``attr``'s value: followed through connections, from a producing module
    when one writes it. ``None`` when there is no value at all."""
    chain: list[Sdf.Path] = []
    source = _follow(attr, clock, producers, where, chain)
    if source is not None:
        source.watch = frozenset(chain)
        source.resolve = lambda: attribute_source(attr, clock, producers, where=where)
    return source


def _follow(
    attr: Usd.Attribute, clock: Clock, producers: ProducerMap, where: str, chain: list[Sdf.Path]
) -> Source | None:
    own = _plain_source(attr, clock)
    seen: set[Sdf.Path] = set()
    current = attr
    for _ in range(MAX_CONNECTION_HOPS):
        path = current.GetPath()
        chain.append(path)
        if path in producers:
            return Produced(producers[path], _plain_source(current, clock) or own)
        connections = current.GetConnections()
        if not connections:
            return _plain_source(current, clock)
        if len(connections) > 1:
            raise SceneError(
                f"{current.GetName()} is connected to {len(connections)} attributes; an input "
                "reads exactly one",
                prim_path=where,
            )
        seen.add(path)
        target = connections[0]
        if target in seen:
            raise SceneError(
                f"{attr.GetName()}: connections form a loop at {target}", prim_path=where
            )
        chain.append(target)
        source = current.GetStage().GetAttributeAtPath(target)
        if not source:
            if target in producers:  # an output of another module, not authored in the scene
                return Produced(producers[target], own)
            raise SceneError(
                f"{current.GetName()} is connected to {target}, which does not exist",
                prim_path=where,
            )
        current = source
    raise SceneError(
        f"{attr.GetName()}: more than {MAX_CONNECTION_HOPS} chained connections", prim_path=where
    )


def _plain_source(attr: Usd.Attribute, clock: Clock) -> Source | None:
    # Any time sample makes it animated: a single sample is invisible at the default time.
    if attr.GetNumTimeSamples() > 0 or attr.ValueMightBeTimeVarying():
        return Animated(attr, clock)
    value = attr.Get()
    if value is None:
        return None
    return Constant(attr, value)


def input_attribute(prim: Usd.Prim, name: str) -> Usd.Attribute | None:
    """``inputs:NAME`` when it says something (a value or a connection)."""
    attr = prim.GetAttribute(t.INPUTS + name)
    if attr and (attr.HasAuthoredValue() or attr.HasAuthoredConnections()):
        return attr
    return None


def authored_inputs(prim: Usd.Prim) -> list[Usd.Attribute]:
    """The prim's ``inputs:*`` attributes in USD's property order.

    That order is the prim's ``propertyOrder`` (``reorder properties = [...]`` in .usda) for
    the properties it lists, then dictionary order (``arg2`` before ``arg10``). It is what
    every USD tool sees and what survives saving: the .usda writer does not keep the order
    properties were written in, so signature-bound modules must not depend on it.
    :func:`portalis.usd.add_input` and :func:`~portalis.usd.add_output` extend
    ``propertyOrder`` so inputs and outputs created with them keep their creation order."""
    return [
        p
        for p in prim.GetAuthoredPropertiesInNamespace(t.INPUTS.rstrip(":"))
        if isinstance(p, Usd.Attribute)
    ]


def authored_outputs(prim: Usd.Prim) -> list[Usd.Attribute]:
    """The prim's ``outputs:*`` attributes (not the ``:targets`` relationships), in USD's
    property order (see :func:`authored_inputs`)."""
    return [
        p
        for p in prim.GetAuthoredPropertiesInNamespace(t.OUTPUTS.rstrip(":"))
        if isinstance(p, Usd.Attribute)
    ]
