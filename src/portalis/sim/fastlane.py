"""The fast lane: consecutive continuous prims of one rate, compiled into one Python function.

Most per-frame logic in a scene is scalars in, scalars out, chained from prim to prim. For
such prims the general path (:meth:`ModulePrim.run`: a getter per argument, a loop over
ports, a branch for contacts and events) costs several times the module call itself. A
:class:`FastGroup` generates, once, straight-line code for a whole run of them — the way the
runner generates each typed call — in which constants are list reads, the runner's clock
values are locals, a result feeding the next prim is a local, and each result is stored
once into its port::

    def tick(dt, time, frame):
        cur = 0
        try:
            cur = 0
            r0 = F0(A0[0], A0[1], dt)
            P0_0.value = r0
            cur = 1
            r1 = F1(r0, A1[1], dt)
            ...
        except Exception as error:
            return cur, error
        return None

Anything the lane cannot inline (animated inputs, another group's outputs) is still read
through its getter, so the results are the general path's. Prims with arrays, collision
handlers, contacts or events take the general path. Members of a group advance in lockstep:
every member's k-th call of a step happens before any member's (k+1)-th.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portalis.sim.binding import ModulePrim
from portalis.sim.schedule import CatchUp
from portalis.sim.sources import Clock, ClockValue, Produced
from portalis.usd import tokens as t

_FLOAT = frozenset({"f64", "f32"})


def eligible(prim: ModulePrim) -> bool:
    """Whether ``prim`` can run in the fast lane."""
    entry = prim.entry
    return (
        entry is not None
        and prim.mode == t.CONTINUOUS
        and prim.enabled
        and not prim.failed
        and not entry.arrays
        and prim.decoder is None  # array results are copied out of the module
        and prim.handler is None
        and not (prim.schema == t.WASM_PHYSICS and prim.contact_port is not None)
        and not prim.event_ports
        and not prim.readback_ports
    )


def group_key(prim: ModulePrim) -> tuple[float, float, float, float, bool]:
    """Prims with equal keys tick together."""
    return (*prim.cadence.key(), prim.fixed_dt)


#: In a group, performanceMonitoring times every call of the first TIMED_FIRST steps, then
#: every TIME_EVERY-th step: two clock reads per call would otherwise cost a module call's
#: worth of time. Means and percentiles come from the timed calls; counts are exact.
TIMED_FIRST = 64
TIME_EVERY = 8


@dataclass(frozen=True)
class Stumble:
    """A member failed inside a group's step: the scheduler reports it and finishes the step
    on the general path. ``done`` calls of ``due`` completed for every member; call ``done``
    completed for ``members[:failed_at]`` only."""

    done: int
    due: int
    failed_at: int
    error: BaseException


class FastGroup:
    """A run of eligible prims, in dependency order, sharing one cadence and clock.

    Bookkeeping is lazy: calls are counted per group and credited to the members' statistics
    (and the group's cadence handed back to them) by :meth:`book`, which the scheduler calls
    before anyone reads them. The group knows nothing of the scheduler: :meth:`run` says
    what happened, and the scheduler decides what follows."""

    def __init__(self, members: list[ModulePrim]) -> None:
        self.members = members
        self.cadence = members[0].cadence.copy()
        self.ports = [port for m in members for port in m.result_ports]
        #: The ports' values after the latest call, as one tuple in the order of ``ports``
        #: (built by the generated code from its locals: what a recording stores per step).
        self.row_box: list[tuple[Any, ...]] = [()]
        self.ticks = 0
        self._unbooked = 0
        self._ready = False
        self._tick_timed = _generate(members, self.row_box, timed=True)
        self._tick_plain = _generate(members, self.row_box, timed=False)

    def run(self, clock: Clock, dt: float, rule: CatchUp) -> bool | Stumble:
        """Advance by the host's ``dt``: run every member once per call due. True when the
        whole group ran (its outputs are then written as one), False when nothing was due,
        a :class:`Stumble` when a member failed."""
        cadence = self.cadence
        due = cadence.advance(dt, rule)
        if due <= 0:
            return False
        step_dt = cadence.step_dt
        frame = clock.frame
        done = 0
        for done in rule.calls(due):
            ticks = self.ticks
            tick = (
                self._tick_timed
                if ticks < TIMED_FIRST or ticks % TIME_EVERY == 0
                else self._tick_plain
            )
            clock.dt = step_dt
            clock.time = cadence.sim_time
            failure = tick(step_dt, cadence.sim_time, frame)
            if failure is not None:
                return Stumble(done, due, *failure)
            cadence.sim_time += step_dt
            self.ticks = ticks + 1
            self._unbooked += 1
        if not self._ready:
            for port in self.ports:
                port.ready = True
            self._ready = True
        return True

    def book(self) -> None:
        """Credit counted calls to the members and hand them the group's cadence."""
        calls, self._unbooked = self._unbooked, 0
        for member in self.members:
            member.stats.calls += calls
            member.cadence.take(self.cadence)

    def settle(self, stumble: Stumble) -> list[ModulePrim]:
        """After :meth:`run` stumbled: bring the members' statistics, clocks and ports up to
        date with the calls that completed. Returns the members that ran in this step."""
        members = self.members
        done, failed_at = stumble.done, stumble.failed_at
        self.book()
        if done and not self._ready:
            for port in self.ports:
                port.ready = True
        for member in members[:failed_at]:  # they made call ``done`` before the failure
            member.stats.calls += 1
            member.cadence.sim_time = self.cadence.sim_time + self.cadence.step_dt
            for port in member.result_ports:
                port.ready = True
        return members if done else members[:failed_at]


def _generate(
    members: list[ModulePrim], row_box: list[tuple[Any, ...]], *, timed: bool
) -> Callable[[float, float, int], Any]:
    index_of = {m.path: i for i, m in enumerate(members)}
    namespace: dict[str, Any] = {
        "_pc": _time.perf_counter,
        "_float": float,
        "_int": int,
        "ROW": row_box,
    }
    row: list[str] = []
    lines = ["def tick(dt, time, frame):", "    cur = 0", "    try:"]
    for i, member in enumerate(members):
        entry = member.entry
        assert entry is not None
        namespace[f"F{i}"] = entry.fn
        namespace[f"A{i}"] = entry.argv
        params = tuple(entry.fn.params)
        args = []
        for j, wasm_type in enumerate(params):
            args.append(_argument(i, j, wasm_type, member, index_of, members, namespace))
        lines.append(f"        cur = {i}")
        for n, read in enumerate(entry.vector_reads):  # fills A{i} at its components' slots
            namespace[f"V{i}_{n}"] = read.fill
            lines.append(f"        V{i}_{n}(A{i})")
        call = f"F{i}({', '.join(args)})"
        if timed and member.monitoring:
            namespace[f"T{i}"] = member.stats.pending.append
            lines += ["        t0 = _pc()", f"        r{i} = {call}", f"        T{i}(_pc() - t0)"]
        else:
            lines.append(f"        r{i} = {call}")
        single = entry.result_count == 1
        stores = []
        for p, port in enumerate(member.result_ports):
            namespace[f"P{i}_{p}"] = port
            if port.count == 1:
                value = f"r{i}" if single else f"r{i}[{port.first}]"
            else:
                value = f"r{i}[{port.first}:{port.first + port.count}]"
            if port.check is not None:  # every value checked before any is stored
                namespace[f"C{i}_{p}"] = port.check
                lines.append(f"        C{i}_{p}({value})")
            stores.append(f"        P{i}_{p}.value = {value}")
            row.append(value)
        lines += stores
    lines.append(f"        ROW[0] = ({''.join(value + ', ' for value in row)})")
    lines += ["    except Exception as error:", "        return cur, error", "    return None"]
    source = "\n".join(lines)
    exec(compile(source, f"<portalis fast lane: {members[0].path} …>", "exec"), namespace)
    return namespace["tick"]  # type: ignore[no-any-return]


def _argument(
    i: int,
    j: int,
    wasm_type: str,
    member: ModulePrim,
    index_of: dict[str, int],
    members: list[ModulePrim],
    namespace: dict[str, Any],
) -> str:
    """The expression for argument ``j`` of member ``i``."""
    entry = member.entry
    assert entry is not None
    found = entry.dynamic_sources.get(j)
    if found is None:
        # a constant (refreshed in place when the scene changes), or a vector component
        # stored by its V line just before the call
        return f"A{i}[{j}]"
    source, component, _ = found
    if isinstance(source, ClockValue) and component is None:
        produced_float = source.name != "frame"
        return _cast(source.name, produced_float, wasm_type)
    if isinstance(source, Produced) and component is None and source.production.index is None:
        k = index_of.get(source.producer)
        port = source.production.port
        if k is not None and k < i and port.kind == "result" and port.count == 1:
            producer = members[k]
            assert producer.entry is not None
            value = f"r{k}" if producer.entry.result_count == 1 else f"r{k}[{port.first}]"
            result_type = producer.entry.fn.results[port.first]
            return _cast(value, result_type in _FLOAT, wasm_type)
    getter = dict(entry.dynamic)[j]
    namespace[f"G{i}_{j}"] = getter
    return f"G{i}_{j}()"


def _cast(expression: str, is_float: bool, wasm_type: str) -> str:
    wants_float = wasm_type in _FLOAT
    if wants_float == is_float:
        return expression
    return f"_float({expression})" if wants_float else f"_int({expression})"
