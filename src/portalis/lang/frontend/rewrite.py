"""Statements the front end writes for the user's code, from Python templates.

A construct lowered by rewriting it into plainer statements (frontend/fancy_rows.py,
frontend/slice_exprs.py) writes each piece as a short Python template whose names are
placeholders; :func:`statements` parses it, renames the placeholders to hidden names (``~``
first, which no Python name can be) or splices in copies of the user's own expressions, and
puts the user's statement's position on every node the template made, so any error points
at the line the user wrote (a spliced expression keeps its own position).
"""

from __future__ import annotations

import ast
import copy


class _Fill(ast.NodeTransformer):
    def __init__(self, names: dict[str, str], exprs: dict[str, ast.expr]) -> None:
        self.names = names
        self.exprs = exprs

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in self.exprs:
            return copy.deepcopy(self.exprs[node.id])
        if node.id in self.names:
            node.id = self.names[node.id]
        return node


def statements(
    template: str,
    at: ast.AST,
    names: dict[str, str] | None = None,
    exprs: dict[str, ast.expr] | None = None,
) -> list[ast.stmt]:
    """``template`` parsed, placeholder names in ``names`` renamed, those in ``exprs``
    replaced by copies of the given expressions, every node of the template placed at
    ``at``."""
    body = ast.parse(template).body
    kept = [n for stmt in body for n in ast.walk(stmt)]  # alive, so their ids stay theirs
    made = {id(n) for n in kept}
    filled = [_Fill(names or {}, exprs or {}).visit(stmt) for stmt in body]
    for stmt in filled:
        for node in ast.walk(stmt):
            if id(node) in made and "lineno" in node._attributes:
                ast.copy_location(node, at)
    return filled


def expression(
    template: str,
    at: ast.AST,
    names: dict[str, str] | None = None,
    exprs: dict[str, ast.expr] | None = None,
) -> ast.expr:
    """One expression, as :func:`statements` makes statements."""
    stmt = statements(template, at, names, exprs)[0]
    assert isinstance(stmt, ast.Expr)
    return stmt.value
