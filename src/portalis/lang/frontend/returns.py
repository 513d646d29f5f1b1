"""Whether a function can reach the end of its body, as a type checker decides it.

A function declared ``-> float`` that falls off its end returns None under CPython; a
compiled one has no None to return. mypy calls this "Missing return statement" and so does
the compiler, at build time, rather than trapping when it happens. The rules are mypy's:
``return`` and ``raise`` end a path, an ``if`` ends it when both branches do, ``while True``
without a ``break`` never finishes, ``assert False`` ends it; a ``for`` loop may always run
zero times.
"""

from __future__ import annotations

import ast


def always_exits(body: list[ast.stmt]) -> bool:
    """True when no path through ``body`` reaches its end."""
    return any(_exits(stmt) for stmt in body)


def _exits(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Return | ast.Raise):
        return True
    if isinstance(stmt, ast.If):
        return always_exits(stmt.body) and always_exits(stmt.orelse)
    if isinstance(stmt, ast.While):
        return _constant_truth(stmt.test) is True and not _breaks(stmt.body)
    if isinstance(stmt, ast.Assert):
        return _constant_truth(stmt.test) is False
    return False


def _constant_truth(test: ast.expr) -> bool | None:
    if isinstance(test, ast.Constant):
        return bool(test.value)
    return None


def _breaks(body: list[ast.stmt]) -> bool:
    """Whether a ``break`` in ``body`` leaves the loop ``body`` belongs to (a ``break`` in
    a nested loop leaves only that one)."""
    todo: list[ast.AST] = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Break):
            return True
        if isinstance(node, ast.For | ast.While | ast.AsyncFor):
            todo.extend(node.orelse)  # a break there belongs to the outer loop
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        todo.extend(ast.iter_child_nodes(node))
    return False
