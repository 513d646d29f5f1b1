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
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from portalis.lang.frontend.lists import locate

if TYPE_CHECKING:
    from portalis.lang.frontend.exprs import ExprLowerer
    from portalis.lang.frontend.unit import Table


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


__all__ = ["rewrite"]
