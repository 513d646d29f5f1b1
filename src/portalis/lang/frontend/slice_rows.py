"""Arithmetic on whole 2-D views, row by row: ``m *= 0.5``, ``x -= mean`` (a 1-D ``mean``
broadcast to every row), ``u[1:] += 2.0 * v[1:]``, ``m = a * b + c`` into a view.

NumPy broadcasts 2-D operands against the target: a 2-D operand has the target's rows or
one row (repeated), a 1-D operand is one row for all (``m - mean``), each row has the
target's length or one element. So the statement is the same statement on each row::

    m[lo:hi] -= f * mean                   ~T = m[lo:hi]       (the target first)
                                           ~x = f              (each scalar once)
                                           ~S = mean           (1-D: every row)
                                           for ~r in range(len(~T)):
                                               ~T[~r] -= ~x * ~S

and each row's statement is a 1-D one (slice_exprs.py: its extents, broadcasting, order,
temporary). A 2-D operand's row is ``~X[~r]``, or ``~X[0]`` where it has one row (checked
first: any other count raises ValueError, NumPy's broadcast error).

Rows make the order question a row question: row ``r`` reads operand rows after rows
``0 … r - 1`` of the target were written, so an operand that is another view of the
target's array (``m[1:] += m[:-1]``, ``m -= m[0]``) would read written rows where NumPy
reads its temporary: refused with a located error (copy it first). The target itself as an
operand (``m *= m``, ``m[lo:hi] += 2.0 * m[lo:hi]``, written the same pure way) reads only
its own row: allowed.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from portalis.lang import ir
from portalis.lang.frontend import rewrite
from portalis.lang.frontend.diagnostics import shown

if TYPE_CHECKING:
    from portalis.lang.frontend.exprs import View
    from portalis.lang.frontend.stmts import FunctionLowerer


def by_rows(
    lw: FunctionLowerer,
    stmt: ast.Assign | ast.AugAssign,
    target: ast.Name | ast.Subscript,
    view: View,
    views: dict[int, View],
) -> list[ir.Stmt]:
    """``stmt`` (its target ``target`` a 2-D ``view``; ``views`` its view operands) as one
    1-D statement per row."""
    from portalis.lang.frontend.slice_exprs import _pure

    for node_id, seen in views.items():
        node = next(n for n in ast.walk(stmt.value) if id(n) == node_id)
        if seen.type.ndim > 2:
            raise lw.err(node, f"`{shown(node)}`: whole-view arithmetic takes 1-D and 2-D views")
        same = ast.unparse(node) == ast.unparse(target) and _pure(node)
        if seen.base.name == view.base.name and not same:
            raise lw.err(
                node,
                f"`{shown(node)}` is another view of `{view.base.name}`, the array "
                f"`{shown(target)}` writes: row by row it would read rows already written, "
                "where NumPy reads its temporary",
                f"copy it first at the top level (c = {shown(node)}.copy()), or write the loop",
            )
    out: list[ir.Stmt] = []
    r = lw.hidden("r")
    whole = isinstance(target, ast.Name) and target.id not in lw.views
    t = target.id if isinstance(target, ast.Name) and whole else lw.hidden("T")
    if not whole and isinstance(stmt, ast.AugAssign):  # Python evaluates this target first
        out += _bind(lw, t, view, target)
    rows: list[str] = []  # 2-D operands: indexed by row
    lines: list[str] = []  # 1-D operands: one row for all

    def operand(e: ast.expr) -> ast.expr:
        if id(e) in views:
            name = lw.hidden("X")
            nonlocal out
            out += _bind(lw, name, views[id(e)], e)
            if views[id(e)].type.ndim == 1:
                lines.append(name)
                return rewrite.expression("X", e, {"X": name})  # one row for all rows
            rows.append(name)
            return rewrite.expression("X[0 if len(X) == 1 else R]", e, {"X": name, "R": r})
        if not any(id(n) in views for n in ast.walk(e)):
            if isinstance(e, ast.Constant):
                return e
            name = lw.hidden("x")  # a scalar: once, before any row
            out += lw.block(rewrite.statements("x = e", e, {"x": name}, {"e": e}))
            return rewrite.expression("x", e, {"x": name})
        if isinstance(e, ast.BinOp):
            left = operand(e.left)
            return ast.copy_location(ast.BinOp(left, e.op, operand(e.right)), e)
        if isinstance(e, ast.UnaryOp):
            return ast.copy_location(ast.UnaryOp(e.op, operand(e.operand)), e)
        return e  # the row statement says what is not supported

    value = operand(stmt.value)
    if not whole and isinstance(stmt, ast.Assign):
        out += _bind(lw, t, view, target)
    # NumPy's broadcast errors come before any row is written, zero rows included.
    checks = [("len(X)", "len(T)", name) for name in rows]
    checks += [("X.shape[1]", "T.shape[1]", name) for name in rows]
    checks += [("len(X)", "T.shape[1]", name) for name in lines]
    for mine, theirs, name in checks:
        out += lw.block(
            rewrite.statements(
                f"if {mine} != {theirs} and {mine} != 1:\n"
                f"    raise ValueError(f'operands could not be broadcast together: "
                f"{{{mine}}} and {{{theirs}}}')",
                stmt,
                {"X": name, "T": t},
            )
        )
    row_target = rewrite.expression("T[R]", target, {"T": t, "R": r})
    if isinstance(stmt, ast.AugAssign):
        assert isinstance(row_target, ast.Subscript)  # T[R]
        row_stmt: ast.stmt = ast.AugAssign(row_target, stmt.op, value)
    else:
        row_stmt = ast.Assign([row_target], value)
    loop = rewrite.statements("for R in range(len(T)):\n    pass", stmt, {"R": r, "T": t})
    assert isinstance(loop[0], ast.For)
    loop[0].body = [ast.copy_location(row_stmt, stmt)]
    return out + lw.block(loop)


def _bind(lw: FunctionLowerer, name: str, view: View, node: ast.expr) -> list[ir.Stmt]:
    target = rewrite.expression("v", node, {"v": name})
    assert isinstance(target, ast.Name)
    return lw.bind_view(target, view, node)
