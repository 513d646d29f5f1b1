"""``for`` loops over arrays, ``enumerate``, ``zip`` and ``reversed``, as counted loops.

Every iteration form the language accepts is rewritten, on the AST, into the one loop the
rest of the compiler knows — ``for k in range(...)`` — with the target bound at the top of
each iteration::

    for x in a:                      for ~k in range(len(a)):
                                         x = a[~k]
    for i, (x, y) in enumerate(zip(a, b)):
                                     ~n = min(len(a), len(b))  (inside range)
                                     for ~k in range(...):
                                         i = ~k; x = a[~k]; y = b[~k]
    for row in m:    (2-D m)         row = m[~k]   — a row view (frontend/exprs.py View)
    for i in reversed(range(a, b)):  for i in range(b - 1, a - 1, -1)

Python's order of evaluation is kept: an iterable that is not a plain name (``m[i]``) is
bound once, before the loop, to a hidden view; ``enumerate``'s start is evaluated once.
Array elements are read when the iteration reaches them, as NumPy's iterator does. Names the
rewrite introduces start with ``~``, which no Python name can.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

#: One iteration's value: an expression, or a tuple of them (``zip``, ``enumerate``).
Element = ast.expr | tuple["Element", ...]

_Node = TypeVar("_Node", bound=ast.AST)


@dataclass
class Rewrite:
    """The statements before the loop, and the loop as ``for ~k in range(...)``."""

    before: list[ast.stmt]
    loop: ast.For


class NotIterable(Exception):
    """The iterable is none of the accepted forms; ``node`` is where, ``reason`` why."""

    def __init__(self, node: ast.AST, reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason


def rewrite(
    node: ast.For,
    builtin_name: Callable[[ast.expr], str | None],
    is_array: Callable[[ast.expr], bool],
    fresh: Callable[[str], str],
) -> Rewrite:
    """``node`` as a counted loop. ``builtin_name`` resolves ``enumerate``/``zip``/…,
    ``is_array`` says whether an expression names an array or a view, ``fresh`` makes a
    hidden name. Raises :class:`NotIterable`."""
    it = node.iter
    if isinstance(it, ast.Call) and builtin_name(it.func) == "reversed":
        if len(it.args) != 1 or it.keywords:
            raise NotIterable(it, "reversed() takes one argument")
        inner = it.args[0]
        if isinstance(inner, ast.Call) and builtin_name(inner.func) == "range":
            return Rewrite([], _loop(node, node.target, _reversed_range(inner), node.body))
    before: list[ast.stmt] = []
    k = fresh("k")
    counter = _at(ast.Name(k, ast.Load()), node)
    backwards = isinstance(it, ast.Call) and builtin_name(it.func) == "reversed"
    if backwards:
        assert isinstance(it, ast.Call)
        it = it.args[0]
        if not is_array(it):  # reversed(enumerate(...)) is a TypeError in Python too
            raise NotIterable(it, "reversed() takes a range or an array")
    length, element = _walk(it, counter, builtin_name, is_array, fresh, before)
    if backwards:  # the k-th iteration reads position len - 1 - k
        last = _at(ast.BinOp(length, ast.Sub(), ast.Constant(1)), node)
        back = _at(ast.BinOp(last, ast.Sub(), counter), node)
        element = _substitute(element, counter, back)
    bind = _bind(node.target, element, node)
    loop = _loop(node, _at(ast.Name(k, ast.Store()), node), _range(node, length), bind + node.body)
    return Rewrite(before, loop)


def _walk(
    it: ast.expr,
    k: ast.expr,
    builtin_name: Callable[[ast.expr], str | None],
    is_array: Callable[[ast.expr], bool],
    fresh: Callable[[str], str],
    before: list[ast.stmt],
) -> tuple[ast.expr, Element]:
    """(length, element at index ``k``) of the iterable ``it``."""
    if isinstance(it, ast.Call):
        name = builtin_name(it.func)
        if name in ("zip", "reversed") and it.keywords:
            raise NotIterable(it, f"{name}() takes no keyword arguments here")
        if name == "enumerate":
            if not 1 <= len(it.args) <= 2 or (it.keywords and it.keywords[0].arg != "start"):
                raise NotIterable(it, "write enumerate(a) or enumerate(a, start)")
            length, inner = _walk(it.args[0], k, builtin_name, is_array, fresh, before)
            start_node = it.args[1] if len(it.args) == 2 else None
            if it.keywords:
                start_node = it.keywords[0].value
            index: ast.expr = k
            if start_node is not None:
                start = fresh("start")
                before.append(_at(ast.Assign([ast.Name(start, ast.Store())], start_node), it))
                index = _at(ast.BinOp(ast.Name(start, ast.Load()), ast.Add(), k), it)
            return length, (index, inner)
        if name == "zip":
            if not it.args:
                raise NotIterable(it, "zip() needs at least one iterable")
            parts = [_walk(a, k, builtin_name, is_array, fresh, before) for a in it.args]
            lengths = [p[0] for p in parts]
            length = lengths[0]
            if len(lengths) > 1:
                length = _at(ast.Call(ast.Name("min", ast.Load()), lengths, []), it)
            return length, tuple(p[1] for p in parts)
        if name == "reversed":
            raise NotIterable(it, "reversed() is supported around the whole iterable only")
        if name == "range":
            raise NotIterable(it, "range() inside enumerate/zip is not supported")
    if is_array(it):
        if not isinstance(it, ast.Name):  # evaluate m[i] once, as Python does
            hidden = fresh("it")
            before.append(_at(ast.Assign([ast.Name(hidden, ast.Store())], it), it))
            it = _at(ast.Name(hidden, ast.Load()), it)
        length = _at(ast.Call(ast.Name("len", ast.Load()), [it], []), it)
        return length, _at(ast.Subscript(it, k, ast.Load()), it)
    raise NotIterable(
        it,
        "for loops iterate over range(...), arrays, and enumerate/zip/reversed of arrays",
    )


def _bind(target: ast.expr, element: Element, node: ast.AST) -> list[ast.stmt]:
    if isinstance(element, tuple):
        if not isinstance(target, ast.Tuple | ast.List) or len(target.elts) != len(element):
            n = len(element)
            raise NotIterable(target, f"each item is {n} values: unpack them into {n} names")
        out: list[ast.stmt] = []
        for t, e in zip(target.elts, element, strict=True):
            out += _bind(t, e, node)
        return out
    if not isinstance(target, ast.Name):
        raise NotIterable(target, "the loop target must be a name (or a tuple of names)")
    return [_at(ast.Assign([ast.Name(target.id, ast.Store())], element), node)]


def _substitute(element: Element, old: ast.expr, new: ast.expr) -> Element:
    if isinstance(element, tuple):
        return tuple(_substitute(e, old, new) for e in element)

    class Swap(ast.NodeTransformer):
        def visit_Name(self, n: ast.Name) -> ast.expr:
            if isinstance(old, ast.Name) and n.id == old.id and isinstance(n.ctx, ast.Load):
                return new
            return n

    swapped: ast.expr = Swap().visit(element)  # NodeTransformer.visit is typed Any
    return swapped


def _reversed_range(call: ast.Call) -> ast.Call:
    """``reversed(range(a, b))`` as ``range(b - 1, a - 1, -1)`` (step 1 only)."""
    if call.keywords or not 1 <= len(call.args) <= 2:
        raise NotIterable(call, "reversed(range(...)) takes range(stop) or range(start, stop)")
    start = call.args[0] if len(call.args) == 2 else ast.Constant(0)
    stop = call.args[-1]
    one = ast.Constant(1)
    args: list[ast.expr] = [
        _at(ast.BinOp(stop, ast.Sub(), one), call),
        _at(ast.BinOp(start, ast.Sub(), one), call),
        _at(ast.UnaryOp(ast.USub(), one), call),
    ]
    return _at(ast.Call(ast.Name("range", ast.Load()), args, []), call)


def _range(node: ast.AST, length: ast.expr) -> ast.Call:
    return _at(ast.Call(ast.Name("range", ast.Load()), [length], []), node)


def _loop(node: ast.For, target: ast.expr, iterable: ast.expr, body: list[ast.stmt]) -> ast.For:
    loop = ast.For(target=target, iter=iterable, body=body, orelse=[], type_comment=None)
    return _at(loop, node)


def _at(new: _Node, ref: ast.AST) -> _Node:
    """``new`` with ``ref``'s position on it and on every node below it that has none."""
    ast.copy_location(new, ref)
    for child in ast.walk(new):
        if "lineno" in child._attributes and not hasattr(child, "lineno"):
            ast.copy_location(child, ref)
    return new
