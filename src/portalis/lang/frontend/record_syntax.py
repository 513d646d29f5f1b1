"""Syntax-tree helpers the records lowering (frontend/records.py) builds with: new nodes placed
at the line they stand for, names that only the lowering can spell (``v.x``), copies of
subtrees used in several places, and the few patterns it reads in several modules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TypeVar

N = TypeVar("N", bound=ast.AST)


def located(new: N, old: ast.AST) -> N:
    """Give ``new`` and the nodes under it that have no position ``old``'s position (a
    subtree that has one was placed already, and is not walked again)."""
    todo: list[ast.AST] = [new]
    while todo:
        n = todo.pop()
        if isinstance(n, ast.expr | ast.stmt | ast.arg | ast.keyword):
            if getattr(n, "lineno", None) is not None and n is not new:
                continue
            if getattr(n, "lineno", None) is None:
                ast.copy_location(n, old)
        todo.extend(ast.iter_child_nodes(n))
    return new


def name_node(ident: str, old: ast.AST, store: bool = False) -> ast.Name:
    n = ast.Name(id=ident, ctx=ast.Store() if store else ast.Load())
    return ast.copy_location(n, old)


def is_trivial(e: ast.expr) -> bool:
    return isinstance(e, ast.Constant) or (isinstance(e, ast.Name) and "." in e.id)


def annotation_name(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.strip()
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def walk_body(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of a function body, not entering nested definitions."""
    todo: list[ast.AST] = list(reversed(body))
    while todo:
        n = todo.pop()
        yield n
        if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.Lambda | ast.AsyncFunctionDef):
            continue
        todo.extend(reversed(list(ast.iter_child_nodes(n))))


def copy_expr(node: ast.expr) -> ast.expr:
    """A fresh copy of an expression (a default or annotation used in several places)."""
    copy = _copy_node(node)
    assert isinstance(copy, ast.expr)
    return copy


def _copy_node(node: ast.AST) -> ast.AST:
    fields: dict[str, object] = {}
    for name, value in ast.iter_fields(node):
        if isinstance(value, ast.AST):
            fields[name] = _copy_node(value)
        elif isinstance(value, list):
            fields[name] = [_copy_node(v) if isinstance(v, ast.AST) else v for v in value]
        else:
            fields[name] = value
    return ast.copy_location(type(node)(**fields), node)


def assigned_targets(n: ast.AST) -> list[ast.expr]:
    """What an assignment statement stores into, tuple targets taken apart (empty for any
    other node)."""
    targets: list[ast.expr] = []
    if isinstance(n, ast.Assign):
        for t in n.targets:
            targets += t.elts if isinstance(t, ast.Tuple) else [t]
    elif isinstance(n, ast.AugAssign | ast.AnnAssign):
        targets = [n.target]
    return targets


def isinstance_test(e: ast.expr) -> tuple[str, set[str | None]] | None:
    """``isinstance(v, Vec3)`` or ``isinstance(v, (Vec3, float))`` of a name: (that name,
    the names of the types); None for any other expression."""
    if not (
        isinstance(e, ast.Call)
        and isinstance(e.func, ast.Name)
        and e.func.id == "isinstance"
        and len(e.args) == 2
        and isinstance(e.args[0], ast.Name)
    ):
        return None
    types = e.args[1].elts if isinstance(e.args[1], ast.Tuple) else [e.args[1]]
    return e.args[0].id, {annotation_name(t) for t in types}
