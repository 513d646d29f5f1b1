"""Loop versioning for bounds checks: one test before an innermost counted loop instead of
one per access per iteration.

An access inside the loop whose index (on some axis) is either

* the loop variable plus a constant, ``a[j + c]`` (the variable not assigned in the body), or
* invariant in the loop: constants and locals the body never assigns, added and subtracted,
  ``out[i, 0]``, or
* the loop variable plus such an invariant sum, ``x[start + k + half]`` (int64 addition
  wraps, so the index is ``k + (start + half)`` whatever the order of the terms), or
* a constant multiple of the loop variable plus a constant, ``sums[3 * v + 2]`` (an
  interleaved x, y, z array), or
* a counter instead of the loop variable, ``out[3 * count + 1]`` with ``count`` changed in
  the body only by one ``count += 1`` outside any nested loop: it grows by at most 1 per
  iteration and never falls, so over the loop it stays within ``[count0, count0 + trips]``
  (``count0`` its value when the loop starts, ``trips <= stop - start``), and within
  ``count0 + trips - 1`` where the access comes before the increment in the body,

is in bounds on every iteration exactly when a condition on the loop's start, stop and the
array's extent holds — extents never change during a call, invariant values don't change in
the loop. (For a shift ``s``, the test is ``start + s >= 0`` and ``stop + s <= extent``
once ``-2**40 <= s <= 2**40`` holds, which keeps the test's own arithmetic from wrapping; a
larger shift fails the test, and the loop with every check runs.) The back end tests the
conjunction of those conditions once, after the range is evaluated, and runs either a copy
of the loop without those checks (the condition held: no check could have failed) or the
loop as it always was (every check in place, so IndexError is raised at the same
iteration, line and after the same writes as in CPython). Nothing observable differs
between the two; only the time does.
"""

from __future__ import annotations

from dataclasses import dataclass

from portalis.lang import ir
from portalis.lang.types import I64
from portalis.lang.walk import walk as nodes

#: Offsets beyond this are left alone, so the guard's arithmetic cannot overflow (extents
#: are below 2**32).
_MAX_OFFSET = 1 << 31
#: An invariant shift is tested to lie within ±this before its other tests are trusted.
MAX_SHIFT = 1 << 40
#: The largest constant factor of a scaled index (``3 * v``) versioned: times MAX_SHIFT, and
#: plus an offset, it stays far below 2**63.
MAX_SCALE = 1 << 16


@dataclass(frozen=True)
class Guard:
    """Index ``k`` of ``access`` is in bounds on every iteration if: ``offset`` is not None:
    ``start + offset >= 0`` and ``stop + offset <= extent`` (a loop-variable index); with
    ``shift`` (the index is the loop variable plus these signed invariant terms, and
    ``offset`` is None): the same with the terms' sum ``s`` for the offset, once
    ``|s| <= MAX_SHIFT``; otherwise ``0 <= invariant < extent``."""

    access: ir.Load | ir.Store
    axis: int
    offset: int | None
    invariant: ir.Expr | None
    shift: tuple[tuple[int, ir.Expr], ...] = ()
    #: the index is ``scale * var + offset`` (``sums[3 * v + 1]``): with ``scale > 1`` the
    #: test is ``scale * start + offset >= 0`` and ``scale * (stop - 1) + offset < extent``,
    #: once start and stop lie within ±MAX_SHIFT (so the products cannot wrap)
    scale: int = 1
    #: the index is ``scale * counter + offset`` for this counter local (see
    #: :func:`counters`) rather than the loop variable
    counter: str | None = None
    #: whether the access may come after the counter's increment in an iteration (the
    #: counter's largest value there is one more)
    after: bool = False


def counters(loop: ir.ForRange) -> dict[str, int]:
    """The int64 locals ``loop``'s body changes only by one ``c += 1`` (a statement outside
    any nested loop, so it runs at most once per iteration), each with the position of its
    increment in the body's pre-order walk."""
    increments: dict[str, int] = {}
    writes: dict[str, int] = {}
    nested: list[ir.Stmt] = []
    position = 0
    for stmt in loop.body:
        for n in nodes(stmt):
            for name in written(n):
                writes[name] = writes.get(name, 0) + 1
            if isinstance(n, ir.While | ir.ForRange):
                nested.append(n)
            elif is_increment(n):
                increments[n.name] = position
            position += 1
    in_loops = assigned(nested)
    return {
        name: at
        for name, at in increments.items()
        if writes[name] == 1 and name not in in_loops and name != loop.var
    }


def is_increment(n: object) -> bool:
    """Whether ``n`` is ``c += 1`` (``c = c + 1``) for an int64 local ``c``."""
    return (
        isinstance(n, ir.SetLocal)
        and isinstance(n.value, ir.Binary)
        and n.value.ty == I64
        and n.value.op == "add"
        and isinstance(n.value.left, ir.LocalGet)
        and n.value.left.name == n.name
        and isinstance(n.value.right, ir.Const)
        and type(n.value.right.value) is int
        and n.value.right.value == 1
    )


def written(n: object) -> list[str]:
    """The locals IR node ``n`` itself assigns."""
    if isinstance(n, ir.SetLocal | ir.LocalTee):
        return [n.name]
    if isinstance(n, ir.Unpack):
        return list(n.names)
    if isinstance(n, ir.UnpackResults):
        return [t for t in n.targets if isinstance(t, str)]
    if isinstance(n, ir.Logical):
        return [n.temp]
    if isinstance(n, ir.ForRange):
        return [n.var, n.counter, n.limit, n.stride]
    return []


def assigned(body: list[ir.Stmt]) -> set[str]:
    """Every local the body may write."""
    names: set[str] = set()
    for stmt in body:
        for n in nodes(stmt):
            if isinstance(n, ir.SetLocal | ir.LocalTee):
                names.add(n.name)
            elif isinstance(n, ir.Unpack):
                names.update(n.names)
            elif isinstance(n, ir.Logical):
                names.add(n.temp)
            elif isinstance(n, ir.ForRange):
                names.update((n.var, n.counter, n.limit, n.stride))
    return names


def var_offset(index: ir.Expr, var: str) -> int | None:
    """``c`` when ``index`` is ``var``, ``var + c`` or ``var - c``."""
    if isinstance(index, ir.LocalGet) and index.name == var:
        return 0
    if (
        isinstance(index, ir.Binary)
        and index.op in ("add", "sub")
        and isinstance(index.left, ir.LocalGet)
        and index.left.name == var
        and isinstance(index.right, ir.Const)
        and type(index.right.value) is int
        and abs(index.right.value) < _MAX_OFFSET
    ):
        return index.right.value if index.op == "add" else -index.right.value
    return None


def var_scaled(index: ir.Expr, var: str) -> tuple[int, int] | None:
    """``(k, c)`` when ``index`` is ``k * var``, ``k * var + c`` or ``k * var - c`` (either
    order of the product) with a constant ``2 <= k <= MAX_SCALE``."""
    found = scaled_local(index)
    if found is None or found[1].name != var:
        return None
    return found[0], found[2]


def scaled_local(index: ir.Expr) -> tuple[int, ir.LocalGet, int] | None:
    """``(k, x, c)`` when ``index`` is ``k * x``, ``k * x + c`` or ``k * x - c`` (either
    order of the product) for a local ``x`` and constants ``2 <= k <= MAX_SCALE``, ``|c| <
    2**31`` (passes/store_offsets.py keeps such indices where versioning sees them)."""
    c = 0
    if (
        isinstance(index, ir.Binary)
        and index.op in ("add", "sub")
        and isinstance(index.right, ir.Const)
        and type(index.right.value) is int
        and abs(index.right.value) < _MAX_OFFSET
    ):
        c = index.right.value if index.op == "add" else -index.right.value
        index = index.left
    if not (isinstance(index, ir.Binary) and index.op == "mul" and index.ty == I64):
        return None
    for k, v in ((index.left, index.right), (index.right, index.left)):
        if (
            isinstance(k, ir.Const)
            and type(k.value) is int
            and 2 <= k.value <= MAX_SCALE
            and isinstance(v, ir.LocalGet)
        ):
            return k.value, v, c
    return None


def terms(index: ir.Expr, sign: int = 1) -> list[tuple[int, ir.Expr]]:
    """``index`` as signed terms of an int64 sum: ``a + b - c`` → ``[(1, a), (1, b),
    (-1, c)]`` (int64 addition wraps, so any order of the terms gives the same number)."""
    if isinstance(index, ir.Binary) and index.op in ("add", "sub") and index.ty == I64:
        right = sign if index.op == "add" else -sign
        return terms(index.left, sign) + terms(index.right, right)
    return [(sign, index)]


def var_shift(
    index: ir.Expr, var: str, changing: set[str]
) -> tuple[tuple[int, ir.Expr], ...] | None:
    """The other terms of ``index`` when it is ``var`` plus a sum of invariant terms
    (``start + k + half`` for ``k``), else None."""
    found = terms(index)
    loop_var = [(sign, t) for sign, t in found if isinstance(t, ir.LocalGet) and t.name == var]
    if len(loop_var) != 1 or loop_var[0][0] != 1:
        return None
    rest = tuple((sign, t) for sign, t in found if t is not loop_var[0][1])
    if not rest or not all(invariant(t, changing) for _, t in rest):
        return None
    return rest


def invariant(index: ir.Expr, changing: set[str]) -> bool:
    """Whether ``index`` is computed from constants and unchanging locals by + and -
    (evaluating it cannot trap and gives the same value anywhere in the loop)."""
    if isinstance(index, ir.Const):
        return index.ty == I64
    if isinstance(index, ir.LocalGet):
        return index.ty == I64 and index.name not in changing
    if isinstance(index, ir.Binary) and index.op in ("add", "sub") and index.ty == I64:
        return invariant(index.left, changing) and invariant(index.right, changing)
    return False


def shift_shape(shift: tuple[tuple[int, ir.Expr], ...]) -> object:
    """A shift's terms without their source positions (see :func:`shape_of`)."""
    return tuple((sign, shape_of(t)) for sign, t in shift)


def shape_of(e: ir.Expr | None) -> object:
    """``e`` without its source positions, to recognise the same guard twice."""
    if isinstance(e, ir.Const):
        return ("const", e.value)
    if isinstance(e, ir.LocalGet):
        return ("local", e.name)
    if isinstance(e, ir.Binary):
        return (e.op, shape_of(e.left), shape_of(e.right))
    return None


def guards(loop: ir.ForRange, proven: frozenset[tuple[int, int]] = frozenset()) -> list[Guard]:
    """The checks of ``loop``'s body that one test before the loop can stand in for (only
    for loops counting up by a constant step); ``proven``: (id, axis) of indices already
    known to be in bounds, which need no guard."""
    if not (isinstance(loop.step, ir.Const) and int(loop.step.value) > 0):
        return []
    changing = assigned(loop.body)
    if loop.var in changing:
        return []
    changing.add(loop.var)
    counted = counters(loop)
    found: list[Guard] = []
    position = -1
    for stmt in loop.body:
        for n in nodes(stmt):
            position += 1
            if not isinstance(n, ir.Load | ir.Store):
                continue
            for k, index in enumerate(n.indices):
                if (n.safe and n.safe[k]) or (id(n), k) in proven:
                    continue
                offset = var_offset(index, loop.var)
                if offset is not None:
                    found.append(Guard(n, k, offset, None))
                elif invariant(index, changing):
                    found.append(Guard(n, k, None, index))
                else:
                    shift = var_shift(index, loop.var, changing)
                    if shift is not None:
                        found.append(Guard(n, k, None, None, shift))
                        continue
                    scaled = var_scaled(index, loop.var)
                    if scaled is not None:
                        found.append(Guard(n, k, scaled[1], None, scale=scaled[0]))
                        continue
                    counter = counter_index(index, counted)
                    if counter is not None:
                        name, scale, offset = counter
                        after = position > counted[name]
                        found.append(Guard(n, k, offset, None, (), scale, name, after))
    return found


def counter_index(index: ir.Expr, counted: dict[str, int]) -> tuple[str, int, int] | None:
    """``(c, k, offset)`` when ``index`` is ``k * c + offset`` (``k`` may be 1: ``c``,
    ``c + 1``) for a counter ``c`` of :func:`counters`."""
    for name in counted:
        offset = var_offset(index, name)
        if offset is not None:
            return name, 1, offset
    found = scaled_local(index)
    if found is not None and found[1].name in counted:
        return found[1].name, found[0], found[2]
    return None
