"""Sorting by a key, and sorting lists of tuples: ``xs.sort(key=lambda v: abs(v))``,
``sorted(xs, key=_cost, reverse=True)``, ``pairs.sort()``, ``pairs.sort(key=lambda p: p[1])``.

CPython's ``list.sort`` calls the key once per item, in the list's order, then sorts the
items by their keys, stably (``reverse=True``: the list reversed, sorted stably, reversed
again, so equal keys keep their order). Here the same happens in four steps, each kernel
Python lowered like the user's code:

1. the keys: one typed list per key position (a key may be a number or a tuple of numbers,
   compared as CPython compares tuples), filled by evaluating the key for each item in order;
2. the positions ``0 … n-1`` in a list of ints, sorted stably by the keys (the insertion and
   merge sort of frontend/list_methods.py, its ``LT`` comparing keys);
3. each column of the list (frontend/tuple_lists.py; one for a list of numbers) rearranged
   by the sorted positions through a scratch list.

A stable sort has one result whenever ``<`` orders the keys, so this is CPython's order for
int keys and float keys without NaN; a NaN key raises ValueError, as a NaN item does for a
plain sort (docs/language.md). The scratch lists are freed by the next sort at that place or
when the function returns.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable
from typing import TYPE_CHECKING

from portalis.lang import ir
from portalis.lang.frontend.diagnostics import shown
from portalis.lang.types import I64, Scalar

if TYPE_CHECKING:
    from portalis.lang.frontend.exprs import ExprLowerer

#: Names the templates use that are not locals to hide.
_GLOBALS = {"len", "min", "ValueError", "list", "int", "float", "LT"}


def key_parts(
    lw: ExprLowerer, key: ast.expr, columns: list[ir.ListRef], is_tuple: bool, where: ast.AST
) -> tuple[list[ast.expr], list[str]]:
    """The key as expressions of hidden item locals: (key positions, the local bound to
    each column's item, or "" where the key does not read that column)."""
    bound = [""] * len(columns)
    if isinstance(key, ast.Lambda):
        a = key.args
        if len(a.args) != 1 or a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs or a.defaults:
            raise lw.err(key, "a sort key lambda takes one parameter: key=lambda v: ...")
        param = a.args[0].arg
        body = copy.deepcopy(key.body)
        if is_tuple:
            body = _TupleItems(lw, param, columns, bound).visit(body)
        else:
            bound[0] = lw.hidden("v")
            body = _Rename(param, bound[0]).visit(body)
    elif isinstance(key, ast.Name | ast.Attribute):
        if isinstance(key, ast.Name) and (
            key.id in lw.locals
            or key.id in lw.lists
            or key.id in lw.tuple_lists
            or lw.view_of(key) is not None
        ):
            raise lw.err(
                key,
                f"key={key.id}: `{key.id}` is not a function",
                "a sort key is a lambda (key=lambda v: abs(v)) or a function's name (key=_cost)",
            )
        if is_tuple:
            raise lw.err(
                key,
                f"key={shown(key)} on a list of tuples is not supported yet",
                "write the key as a lambda over the tuple's items: key=lambda p: p[1]",
            )
        bound[0] = lw.hidden("v")
        body = ast.Call(key, [ast.Name(bound[0], ast.Load())], [])
        ast.copy_location(body, key)
        ast.copy_location(body.args[0], key)
    else:
        raise lw.err(
            key,
            f"key={shown(key)} is not supported yet",
            "a sort key is a lambda (key=lambda v: abs(v)) or a function's name (key=_cost)",
        )
    parts = list(body.elts) if isinstance(body, ast.Tuple) else [body]
    if not parts:
        raise lw.err(key, "a sort key cannot be the empty tuple")
    return parts, bound


class _Rename(ast.NodeTransformer):
    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new

    def visit_Lambda(self, node: ast.Lambda) -> ast.Lambda:
        return node  # a nested lambda is refused where it is lowered

    def visit_Name(self, node: ast.Name) -> ast.Name:
        return (
            ast.copy_location(ast.Name(self.new, node.ctx), node) if node.id == self.old else node
        )


class _TupleItems(ast.NodeTransformer):
    """``p[k]`` (``k`` a constant) of a tuple item as the hidden local holding column
    ``k``'s item; any other use of ``p`` is refused."""

    def __init__(
        self, lw: ExprLowerer, param: str, columns: list[ir.ListRef], bound: list[str]
    ) -> None:
        self.lw, self.param, self.columns, self.bound = lw, param, columns, bound

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        if isinstance(node.value, ast.Name) and node.value.id == self.param:
            try:  # a literal: 1, -1
                k = ast.literal_eval(node.slice)
            except ValueError:
                k = None
            width = len(self.columns)
            if not isinstance(k, int) or isinstance(k, bool) or not -width <= k < width:
                raise self.lw.err(
                    node,
                    f"`{shown(node)}`: index the tuple with a constant from {-width} "
                    f"to {width - 1}",
                )
            k %= width
            if not self.bound[k]:
                self.bound[k] = self.lw.hidden(f"p{k}_")
            return ast.copy_location(ast.Name(self.bound[k], ast.Load()), node)
        self.generic_visit(node)
        return node

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id == self.param:
            raise self.lw.err(
                node,
                f"the key uses the tuple `{self.param}` whole: use its items ({self.param}[0], …)",
            )
        return node


def sort(
    lw: ExprLowerer,
    columns: list[ir.ListRef],
    key: ast.expr | None,
    reverse: bool,
    is_tuple: bool,
    node: ast.AST,
) -> list[ir.Stmt]:
    """Sort the list held in ``columns`` by ``key`` (None: a list of tuples by its items)."""
    from portalis.lang.frontend.list_methods import _REVERSE, _SORT

    table = {f"C{k}": c.name for k, c in enumerate(columns)}
    splice: dict[str, ast.expr] = {}
    lines = ["n = len(C0)", "ix: list[int] = []"]
    fill = ["i = 0", "while i < n:"]
    if key is None:  # the items themselves are the keys
        keys = [f"C{k}" for k in range(len(columns))]
        key_types = [c.element for c in columns]
        fill += ["    ix.append(i)", "    i += 1"]
    else:
        parts, bound = key_parts(lw, key, columns, is_tuple, node)
        for k, name in enumerate(bound):
            if name:
                lw.locals[name] = columns[k].element
                table[f"B{k}"] = name
        key_types = [_key_type(lw, p) for p in parts]
        keys = [f"K{m}" for m in range(len(parts))]
        fill += [f"    B{k} = C{k}[i]" for k in range(len(columns)) if bound[k]]
        for m, (p, t) in enumerate(zip(parts, key_types, strict=True)):
            lines.append(f"K{m}: list[{'float' if t.is_float else 'int'}] = []")
            fill.append(f"    KV{m} = KEY{m}")
            splice[f"KEY{m}"] = p
        fill += [f"    K{m}.append(KV{m})" for m in range(len(parts))]
        fill += ["    ix.append(i)", "    i += 1"]
    lines += fill
    for name, t in zip(keys, key_types, strict=True):
        if t.is_float:
            lines += ["i = 0", "while i < n:", f"    if {name}[i] != {name}[i]:"]
            what = "a key that is NaN" if key is not None else "a list holding NaN"
            lines += [f"        raise ValueError('cannot sort by {what} (see docs/language.md)')"]
            lines += ["    i += 1"]
    rev = _REVERSE.replace("xs", "ix")
    sort_text = _SORT.replace("xs", "ix").replace("ITEM", "int")
    text = "\n".join(lines) + "\n" + (rev if reverse else "") + sort_text + (rev if reverse else "")
    for k, c in enumerate(columns):
        item = "float" if c.element.is_float else "int"
        text += f"tmp{k}: list[{item}] = []\n"
        text += f"i = 0\nwhile i < n:\n    tmp{k}.append(C{k}[ix[i]])\n    i += 1\n"
        text += f"i = 0\nwhile i < n:\n    C{k}[i] = tmp{k}[i]\n    i += 1\n"

    def less(a: ast.expr, b: ast.expr) -> ast.expr:
        """Keys at positions ``a`` and ``b``, compared as CPython compares tuples."""
        load = ast.Load()

        def at(name: str, pos: ast.expr) -> ast.expr:
            return ast.Subscript(ast.Name(name, load), copy.deepcopy(pos), load)

        names = [table.get(k, k) for k in keys]
        out: ast.expr = ast.Compare(at(names[-1], a), [ast.Lt()], [at(names[-1], b)])
        for name in reversed(names[:-1]):
            lt = ast.Compare(at(name, a), [ast.Lt()], [at(name, b)])
            eq = ast.Compare(at(name, a), [ast.Eq()], [at(name, b)])
            out = ast.BoolOp(ast.Or(), [lt, ast.BoolOp(ast.And(), [eq, out])])
        return out

    return _lower(lw, text, node, table, splice, less)


def _key_type(lw: ExprLowerer, part: ast.expr) -> Scalar:
    """The type of one key position (a bool key sorts as the int it is)."""
    t = lw.scalar(lw.lower(copy.deepcopy(part)), part, "a sort key")
    return I64 if t.is_bool else t


def _lower(
    lw: ExprLowerer,
    text: str,
    node: ast.AST,
    table: dict[str, str],
    splice: dict[str, ast.expr],
    less: Callable[[ast.expr, ast.expr], ast.expr],
) -> list[ir.Stmt]:
    from portalis.lang.frontend.list_methods import Order
    from portalis.lang.frontend.lists import locate, rename

    tree = ast.parse(text)
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and n.id not in (*table, *_GLOBALS, *splice):
            # (the "_" keeps "K1" + counter 5 apart from a hidden "k" + counter 15)
            table[n.id] = lw.hidden(n.id.lower() + "_")
    body = [rename(table, s) for s in tree.body]
    for s in body:
        locate(s, node, force=True)
    order = Order(less)
    body = [order.visit(s) for s in body]
    for s in body:
        locate(s, node, force=True)
    body = [_Splice(splice).visit(s) for s in body]
    return lw.block(body)


class _Splice(ast.NodeTransformer):
    def __init__(self, parts: dict[str, ast.expr]) -> None:
        self.parts = parts

    def visit_Name(self, node: ast.Name) -> ast.expr:
        part = self.parts.get(node.id)
        return copy.deepcopy(part) if part is not None else node


__all__ = ["sort"]
