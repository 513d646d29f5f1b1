"""Constant indices checked once before a loop: ``x = pts[i, 0]``, ``y = pts[i, 1]``,
``z = pts[i, 2]`` at the top of ``for i in range(n)`` check their columns (0, 1, 2 against
the array's second extent, known only at run time) before the loop, when it runs at least
once, instead of on every iteration.

Why this behaves exactly as before: the extent of an array the loop does not bind is the
same on every iteration, and so is a constant index, so the check passes on every iteration
or fails on the first. The accesses hoisted are those of the body's leading statements that
only read arrays into locals: no store, call, branch or other check (each of their other
indices proven in range by backend/ranges.py) comes before them on the first iteration, so
when one fails there, the same IndexError, on the same line, is raised with the same memory
written as if it had failed in the loop. The checks before the loop run in the order the
statements would, and a statement whose hoisted checks lie on different lines ends the
prefix (so the first failing check is the one Python would report). Only constant indices
``0 <= c < 2**31`` are hoisted (a negative one counts from the end: its address is not a
constant offset)."""

from __future__ import annotations

from portalis.lang import ir
from portalis.lang.types import F32, F64
from portalis.lang.walk import walk

#: (id of a Load, axis)
Access = tuple[int, int]

#: Statements and expressions that cannot bind an array (so its extents are invariant).
_BINDS = (ir.AllocArray, ir.BindArray, ir.UnpackResults, ir.SwapArrays)


def _pure(e: ir.Expr, proven: frozenset[Access], found: list[tuple[ir.Load, int]]) -> bool:
    """Whether ``e`` neither writes nor raises anything but the checks it appends to
    ``found`` (constant indices of arrays with run-time extents, in evaluation order)."""
    if isinstance(e, ir.Const | ir.LocalGet):
        return True
    if isinstance(e, ir.Cast):
        return (
            e.kind == "convert"
            and e.ty in (F32, F64)
            and e.value.ty in (F32, F64)
            and _pure(e.value, proven, found)
        )
    if isinstance(e, ir.Binary):
        return (
            e.op in ("add", "sub", "mul")
            and e.ty in (F32, F64)
            and _pure(e.left, proven, found)
            and _pure(e.right, proven, found)
        )
    if isinstance(e, ir.Unary):
        return e.op == "neg" and e.ty in (F32, F64) and _pure(e.operand, proven, found)
    if isinstance(e, ir.Load):
        arr = e.array
        if arr.shape is not None:
            return False
        for k, index in enumerate(e.indices):
            if (e.safe and e.safe[k]) or (id(e), k) in proven:
                if not _index_pure(index):
                    return False
            elif (
                isinstance(index, ir.Const)
                and type(index.value) is int
                and 0 <= index.value < 1 << 31
            ):
                found.append((e, k))
            else:
                return False
        return True
    return False


def _index_pure(e: ir.Expr) -> bool:
    """An index expression made of locals, constants and wrapping int64 ``+ - *``."""
    if isinstance(e, ir.Const | ir.LocalGet):
        return True
    if isinstance(e, ir.Binary):
        return e.op in ("add", "sub", "mul") and _index_pure(e.left) and _index_pure(e.right)
    return False


def hoisted(loop: ir.ForRange, proven: frozenset[Access]) -> list[tuple[ir.Load, int]]:
    """The (access, axis) checks of ``loop``'s leading statements that one check each
    before the loop stands in for, in the order the loop would make them."""
    if not isinstance(loop.step, ir.Const):
        return []
    out: list[tuple[ir.Load, int]] = []
    for stmt in loop.body:
        if not isinstance(stmt, ir.SetLocal):
            break
        found: list[tuple[ir.Load, int]] = []
        if not _pure(stmt.value, proven, found):
            break
        if len({load.line for load, _ in found}) > 1:
            break
        out.extend(found)
    if not out:
        return out
    bound = bound_arrays(loop.body)
    for m, (load, _) in enumerate(out):
        if load.array.name in bound:
            return out[:m]  # the checks after it would run before its own
    return out


def bound_arrays(body: list[ir.Stmt]) -> set[str]:
    """The arrays ``body`` may bind (make, take from a call, or swap): every other array's
    address and extents are the same throughout it."""
    return {
        a.name
        for stmt in body
        for n in walk(stmt)
        if isinstance(n, _BINDS)
        for a in (
            [n.first, n.second]
            if isinstance(n, ir.SwapArrays)
            else [t for t in n.targets if isinstance(t, ir.ArrayRef)]
            if isinstance(n, ir.UnpackResults)
            else [n.array]
        )
    }
