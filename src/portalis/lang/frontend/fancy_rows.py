"""Rows picked by a literal list of indices on both sides: ``a[[k, p]] = a[[p, k]]`` (the row
swap of Gaussian elimination), ``perm[[i, j, l]] = perm[[j, l, i]]``, ``b[[0, 1]] = a[[2, 3]]``.

NumPy's semantics (fancy indexing): the right side is a *copy* of the rows it names, taken
before anything is written; then the target's rows are written in list order (a repeated
target index keeps the last value). Every index is checked (IndexError, negative counts
from the end) before any element is written. The compiler writes, for a 2-D array::

    a[[k, p]] = a[[p, k]]       ~s0 = a[p]; ~s1 = a[k]      (row views, checked: the
                                ~d0 = a[k]; ~d1 = a[p]       right side first, as Python)
                                for ~j in range(len(~d0)):
                                    ~v0 = ~s0[~j]; ~v1 = ~s1[~j]
                                    ~d0[~j] = ~v0; ~d1[~j] = ~v1

Column ``j`` of every source row is read before column ``j`` of any target row is written,
and a column's writes never touch another column, so this is the copy's result without
the copy (whether or not the rows repeat or coincide). A 1-D array swaps elements the same
way. Other fancy indexing (an index array, a list as a value elsewhere, lists on a later
axis, a list target with a number or a slice as the value) stays a located error.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from portalis.lang import ir
from portalis.lang.frontend import rewrite
from portalis.lang.frontend.diagnostics import shown

if TYPE_CHECKING:
    from portalis.lang.frontend.stmts import FunctionLowerer

_HINT = "swap rows as a[[k, p]] = a[[p, k]] (literal lists of equal length on both sides)"


def _picked(node: ast.expr) -> tuple[ast.Name, list[ast.expr]] | None:
    """``x[[e0, e1, …]]`` or ``x[[e0, …], :]``: (x, [e0, …]); None for other subscripts."""
    if not isinstance(node, ast.Subscript):
        return None
    index = node.slice
    rest: list[ast.expr] = []
    if isinstance(index, ast.Tuple) and index.elts:
        rest = list(index.elts[1:])
        index = index.elts[0]
    if not isinstance(index, ast.List):
        return None
    whole = all(isinstance(r, ast.Slice) and r.lower is r.upper is r.step is None for r in rest)
    if not isinstance(node.value, ast.Name) or not index.elts or not whole:
        return None
    if any(isinstance(e, ast.Starred) for e in index.elts):
        return None
    return node.value, list(index.elts)


def lower(lw: FunctionLowerer, stmt: ast.Assign) -> list[ir.Stmt] | None:
    """``stmt`` as element or row copies when it assigns rows picked by a list; None when
    its target is no such thing."""
    target = stmt.targets[0]
    if len(stmt.targets) != 1 or (picked := _picked(target)) is None:
        return None
    x, into = picked
    source = _picked(stmt.value)
    if source is None:
        raise lw.err(
            stmt.value,
            f"`{shown(target)} = {shown(stmt.value)}`: assigning to rows picked by a list "
            "takes rows picked by a list of the same length as the value",
            _HINT,
        )
    y, out_of = source
    if len(out_of) != len(into):
        raise lw.err(
            stmt.value,
            f"`{shown(stmt.value)}` picks {len(out_of)} rows for {len(into)}: NumPy would "
            "broadcast or raise; the lists must have the same length",
            _HINT,
        )
    xv, yv = lw.view_of(x), lw.view_of(y)
    for name, view in ((x, xv), (y, yv)):
        if view is None:
            raise lw.err(name, f"`{name.id}` is not an array: it cannot be indexed by a list")
        if view.type.ndim > 2 or view.start is not None or view.column is not None:
            raise lw.err(
                name,
                f"`{name.id}`: rows picked by a list work on whole 1-D and 2-D arrays",
                "loop over the elements to move",
            )
    assert xv is not None and yv is not None
    if xv.type.ndim != yv.type.ndim:
        raise lw.err(
            stmt,
            f"`{shown(target)} = {shown(stmt.value)}` copies {yv.type} rows into {xv.type}",
            "pick rows of arrays with the same number of dimensions",
        )
    m = len(into)
    names = {"X": x.id, "Y": y.id, "J": lw.hidden("j")}
    exprs: dict[str, ast.expr] = {}
    for i in range(m):
        names |= {f"S{i}": lw.hidden("s"), f"D{i}": lw.hidden("d"), f"V{i}": lw.hidden("v")}
        names[f"I{i}"] = lw.hidden("i")
        exprs[f"F{i}"], exprs[f"E{i}"] = out_of[i], into[i]
    lines = [f"S{i} = Y[F{i}]" for i in range(m)]  # Python evaluates the value first
    if xv.type.ndim == 1:  # elements: every target index checked before any store
        lines = [f"V{i} = Y[F{i}]" for i in range(m)]
        lines += [f"I{i} = E{i}" for i in range(m)]
        lines += [f"C = X[I{i}]" for i in range(m)]
        lines += [f"X[I{i}] = V{i}" for i in range(m)]
        names["C"] = lw.hidden("c")
        return lw.block(rewrite.statements("\n".join(lines), stmt, names, exprs))
    lines += [f"D{i} = X[E{i}]" for i in range(m)]
    if x.id != y.id:  # rows of one array have one length
        lines.append("if len(S0) != len(D0):\n    raise ValueError('rows of different lengths')")
    lines.append("for J in range(len(D0)):")
    lines += [f"    V{i} = S{i}[J]" for i in range(m)]
    lines += [f"    D{i}[J] = V{i}" for i in range(m)]
    statements = rewrite.statements("\n".join(lines), stmt, names, exprs)
    out = lw.block(statements[: 2 * m + (x.id != y.id)])
    root = (names["D0"], 0)  # every row as long as the loop's count: no index checks
    for i in range(m):
        lw.same_extents[(names[f"S{i}"], 0)] = root
        lw.same_extents[(names[f"D{i}"], 0)] = root
    return out + lw.block(statements[2 * m + (x.id != y.id) :])
