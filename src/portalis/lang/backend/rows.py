"""Strength reduction of array addresses in innermost counted loops.

Inside ``for j in range(...)``, an access ``a[i, j + c]`` whose every index is known to be
in bounds (checked by the front end, or by the loop's guard: backend/versioning.py), whose
last index is the loop variable plus a constant and whose other indices don't change in the
loop, is addressed from a per-row pointer: before the loop it points at ``a[i, j0 + low]``
(``j0`` the first value of ``j``, ``low`` the smallest such ``c`` among the accesses to
that row), and it moves on by one step's worth of bytes per iteration (by ``k`` steps after
an unrolled round of ``k`` copies). Each access is then the pointer plus a constant byte
offset (``c - low`` columns, plus ``m`` steps in the ``m``-th unrolled copy) in the load's
or store's ``offset=``, instead of ``((i * m) + j + c) * 8 + a`` per access. The pointer
is only used while ``j`` is in the loop's range, where every such element is in bounds, so
no address can wrap around: the same element is read or written as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from portalis.lang import ir
from portalis.lang.backend import versioning
from portalis.lang.walk import walk as nodes


@dataclass
class Row:
    """The elements ``array[prefix..., var + c]`` of one row; ``local`` is the pointer to
    ``array[prefix..., counter + low]``."""

    array: ir.ArrayRef
    prefix: list[ir.Expr]
    var: str
    low: int
    local: str = ""


@dataclass(frozen=True)
class Use:
    row: Row
    offset: int  # c: the access is array[prefix..., var + offset]


def plan(loop: ir.ForRange, proven: frozenset[tuple[int, int]]) -> tuple[list[Row], dict[int, Use]]:
    """The rows of ``loop``'s body and, by id of each Load/Store, how it addresses one.
    ``proven``: (id, axis) of indices a guard has shown to be in bounds."""
    changing = versioning.assigned(loop.body)
    if loop.var in changing:
        return [], {}
    changing.add(loop.var)
    # Arrays whose blocks a swap moves inside the loop (u, new = new, u): no fixed row.
    changing |= {
        ref.name
        for stmt in loop.body
        for n in nodes(stmt)
        if isinstance(n, ir.SwapArrays)
        for ref in (n.first, n.second)
    }
    rows: dict[object, Row] = {}
    uses: dict[int, Use] = {}
    for stmt in loop.body:
        for n in nodes(stmt):
            if not isinstance(n, ir.Load | ir.Store):
                continue
            last = len(n.indices) - 1
            if not all((n.safe and n.safe[k]) or (id(n), k) in proven for k in range(last + 1)):
                continue
            if n.array.name in changing:
                continue
            c = versioning.var_offset(n.indices[last], loop.var)
            prefix = n.indices[:last]
            if c is None or not all(versioning.invariant(e, changing) for e in prefix):
                continue
            key = (n.array.name, n.array.offset, tuple(versioning.shape_of(e) for e in prefix))
            row = rows.setdefault(key, Row(n.array, prefix, loop.var, c))
            row.low = min(row.low, c)
            uses[id(n)] = Use(row, c)
    return list(rows.values()), uses
