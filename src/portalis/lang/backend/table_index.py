"""Constant-table reads in the math library that are in range by construction.

The table-driven functions index their tables with a mask: exp's ``idx = k & 127`` into
128-entry tables, log's and pow's likewise. Such an index is in ``[0, c]`` whatever ``k``
is, so the read needs neither the wrap of a negative index nor the bounds check (about a
dozen instructions and a branch per read, in functions called once per element). The value
ranges pass (backend/ranges.py) would prove it too, but it is not run on library
functions: it costs more build time than the checks it removes would. This is the one
fact those reads need, in one walk: an index that is ``x & c`` with ``0 <= c < len``, or a
local that only ever holds such a value (before its first assignment a local reads 0, which
is in range too).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from portalis.lang import ir
from portalis.lang.walk import walk

Access = tuple[int, int]


def masked_table_reads(fn: ir.Function, found: Iterable[Any] | None = None) -> frozenset[Access]:
    """``(id(read), 0)`` for each :class:`~portalis.lang.ir.TableLoad` in ``fn`` whose index
    is a mask below the table's length, directly or through such a local. ``found``: every
    node of ``fn`` (in any order), when the caller has walked it already."""
    reads: list[ir.TableLoad] = []
    values: dict[str, list[ir.Expr]] = {}
    other = {p.name for p in fn.params}  # locals set otherwise than by SetLocal/LocalTee
    if found is None:
        found = (n for stmt in fn.body for n in walk(stmt))
    for n in found:
        cls = n.__class__  # IR node classes have no subclasses: this runs per node
        if cls is ir.TableLoad:
            reads.append(n)
        elif cls is ir.SetLocal or cls is ir.LocalTee:
            values.setdefault(n.name, []).append(n.value)
        elif cls is ir.Unpack:
            other.update(n.names)
        elif cls is ir.Logical:
            other.add(n.temp)
        elif cls is ir.ForRange:
            other.update((n.var, n.counter, n.limit, n.stride))
        elif cls is ir.UnpackResults:
            other.update(t for t in n.targets if isinstance(t, str))
    proven = set()
    for read in reads:
        index = read.index
        if isinstance(index, ir.LocalGet):
            set_to = values.get(index.name)
            if index.name in other or not set_to:
                continue
            if all(_below(v, read.length) for v in set_to):
                proven.add((id(read), 0))
        elif _below(index, read.length):
            proven.add((id(read), 0))
    return frozenset(proven)


def _below(e: ir.Expr, length: int) -> bool:
    """``e`` is an integer ``x & c`` (either side) with a constant ``0 <= c < length``."""
    if not (isinstance(e, ir.Binary) and e.op == "and"):
        return False
    return any(
        isinstance(side, ir.Const) and type(side.value) is int and 0 <= side.value < length
        for side in (e.left, e.right)
    )
