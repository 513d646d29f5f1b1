"""``for`` over a module's constant table: ``for w in WEIGHTS`` and, over a table of rows,
``for dr, dc in MOVES`` (``MOVES = ((1, 0), (-1, 0), (0, 1), (0, -1))``).

The loop is rewritten, on the AST, into a counted loop over the table's first axis with
the target bound from the table at the top of each iteration::

    for dr, dc in MOVES:             for ~k in range(4):
                                         dr = MOVES[~k][0]
                                         dc = MOVES[~k][1]

so the rest is the ordinary ``range`` loop and table reads (whose indices are in range by
construction). A table is constant, so reading it item by item is what Python's tuple
iterator gives; ``break``, ``continue`` and ``else`` keep their meaning.

A short table (at most :data:`UNROLL_ROWS` rows) walked by a loop with no ``break``,
``continue`` or ``else`` of its own is unrolled instead: the body once per row, after the
target is bound to that row's numbers (``dr = 1; dc = 0; ...``), which is what the loop does
when it runs, without the counter or the table reads — the compiled code then adds
constants, as Numba's (LLVM's) unrolled loop over a constant tuple does.
"""

from __future__ import annotations

import ast
import copy
from typing import TYPE_CHECKING

from portalis.lang.frontend.lists import locate

if TYPE_CHECKING:
    from portalis.lang.frontend.exprs import ExprLowerer
    from portalis.lang.frontend.unit import Table


#: Tables of at most this many rows are unrolled (when the loop allows it).
UNROLL_ROWS = 8


def unrolled(lw: ExprLowerer, node: ast.For, table: Table) -> list[ast.stmt] | None:
    """``node``'s body once per row of ``table``, each after binding the target to that
    row; None when the loop must stay a loop (a long table, its own ``break``/``continue``,
    an ``else``)."""
    if table.shape[0] > UNROLL_ROWS or node.orelse or _leaves_early(node.body):
        return None
    loop = rewrite(lw, node, table)  # the target checked as for the loop
    del loop
    rows = table.nested if len(table.shape) > 1 else [(v,) for v in table.nested]
    target = node.target
    names = list(target.elts) if isinstance(target, ast.Tuple | ast.List) else [target]
    out: list[ast.stmt] = []
    for row in rows:
        for name, value in zip(names, row, strict=True):
            number = float(value) if table.element.is_float else value  # the table's type
            bind = ast.Assign([copy.deepcopy(name)], ast.Constant(number))
            locate(bind, node)
            out.append(bind)
        out += copy.deepcopy(node.body)
    return out


def _leaves_early(body: list[ast.stmt]) -> bool:
    """Whether ``body`` holds a ``break`` or ``continue`` of the loop around it (not of a
    loop nested inside)."""
    stack: list[ast.AST] = list(body)
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Break | ast.Continue):
            return True
        if isinstance(n, ast.For | ast.While):
            stack += n.orelse  # a nested loop's own break/continue belongs to it
            continue
        if isinstance(n, ast.FunctionDef | ast.Lambda):
            continue
        stack += ast.iter_child_nodes(n)
    return False


def rewrite(lw: ExprLowerer, node: ast.For, table: Table) -> ast.For:
    """``node`` (iterating ``table``) as a counted loop binding its target from the table."""
    assert isinstance(node.iter, ast.Name)
    name = node.iter.id
    k = lw.hidden("k")
    load = ast.Load()
    row = ast.Subscript(ast.Name(name, load), ast.Name(k, load), load)
    target = node.target
    bind: list[ast.stmt]
    if len(table.shape) == 1 or isinstance(target, ast.Name):
        if len(table.shape) > 1:
            raise lw.err(
                target,
                f"each item of `{name}` is a tuple of {table.shape[1]}: unpack it "
                f"(for a, b in {name}) or index the table ({name}[i][j])",
            )
        if not isinstance(target, ast.Name):
            raise lw.err(target, f"each item of `{name}` is one number: bind it to a name")
        bind = [ast.Assign([target], row)]
    else:
        if not isinstance(target, ast.Tuple | ast.List) or not all(
            isinstance(t, ast.Name) for t in target.elts
        ):
            raise lw.err(target, "the loop target must be a name or a tuple of names")
        if len(target.elts) != table.shape[1] or len(table.shape) > 2:
            width = table.shape[1] if len(table.shape) == 2 else "rows"
            raise lw.err(
                target,
                f"each item of `{name}` holds {width} values: cannot unpack it into "
                f"{len(target.elts)} names",
            )
        bind = [
            ast.Assign([t], ast.Subscript(row, ast.Constant(j), load))
            for j, t in enumerate(target.elts)
        ]
    counted = ast.Call(ast.Name("range", load), [ast.Constant(table.shape[0])], [])
    loop = ast.For(ast.Name(k, ast.Store()), counted, bind + node.body, node.orelse)
    locate(loop, node)
    return loop


__all__ = ["UNROLL_ROWS", "rewrite", "unrolled"]
