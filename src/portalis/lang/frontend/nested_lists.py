"""Lists of lists of numbers: ``adj: list[list[int]] = [[] for _ in range(n)]``,
``rows = [[1.0, 2.0], [3.0]]``, then ``adj[u].append(v)``, ``adj[u][k]``, ``len(adj[u])``,
``for v in adj[u]``, ``sum(rows[i])`` …

The outer list is kept as three columns of int64 (frontend/tuple_lists.py's idea): each inner
list's block address, length and capacity, named ``NAME.b``, ``NAME.n`` and ``NAME.c``.
An operation on an inner list ``adj[u]`` *borrows* it: the index is evaluated and checked
as Python does, the inner list's three values are loaded into a hidden list (the same
locals every list has, so every list operation of frontend/lists.py applies unchanged),
the operation runs, and the three values are stored back; the hidden list then lets go of
the block (its locals set to 0, which the function's cleanup ignores), so each block has one
owner, the outer list. Arguments are evaluated before the borrow (after the index check, as
Python evaluates ``adj[u]`` first), so an argument that itself changes ``adj[u]``
(``adj[u].append(adj[u].pop())``) is seen by the borrow that follows it.

The outer list frees every inner block, then its columns, when the function returns or the
list is made again (backend/lists.py, ``ListRef.owns_blocks``). Not supported yet, each a
located error: binding an inner list to a name (``row = adj[u]``: two names for one
block), ``for row in adj``, removing or replacing inner lists (``adj.pop()``,
``adj[u] = [...]``), passing a list of lists to a function, deeper nesting.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from portalis.lang import ir
from portalis.lang.frontend.diagnostics import shown
from portalis.lang.frontend.lists import ELEMENTS, list_item
from portalis.lang.types import BOOL, F64, I32, I64, Scalar, TupleType

if TYPE_CHECKING:
    from portalis.lang.frontend.exprs import ExprLowerer

_ROW = TupleType((I32, I64, I64))


@dataclass
class NestedList:
    """A list of lists: the inner lists' blocks, lengths and capacities as three columns."""

    name: str
    element: Scalar
    blocks: ir.ListRef
    lengths: ir.ListRef
    capacities: ir.ListRef

    @property
    def columns(self) -> list[ir.ListRef]:
        return [self.blocks, self.lengths, self.capacities]

    def __str__(self) -> str:
        return f"list[list[{'float' if self.element.is_float else 'int'}]]"


def annotation_element(annotation: ast.expr | None) -> Scalar | None:
    """``float``/``int`` of a ``list[list[float]]`` annotation; None for anything else."""
    inner = list_item(list_item(annotation))
    if isinstance(inner, ast.Name) and inner.id in ELEMENTS:
        return ELEMENTS[inner.id]
    return None


def named(lw: ExprLowerer, node: ast.expr) -> NestedList | None:
    return lw.nested_lists.get(node.id) if isinstance(node, ast.Name) else None


def inner_of(lw: ExprLowerer, node: ast.expr) -> tuple[NestedList, ast.expr] | None:
    """(the list of lists, the index) when ``node`` is ``adj[u]``; None otherwise."""
    if isinstance(node, ast.Subscript) and (made := named(lw, node.value)) is not None:
        if isinstance(node.slice, ast.Slice):
            raise unsupported(lw, node, "a slice of a list of lists")
        return made, node.slice
    return None


def unsupported(lw: ExprLowerer, node: ast.AST, what: str) -> Exception:
    return lw.err(
        node,
        f"{what} is not supported yet on a list of lists",
        "lists of lists support making them (literal, comprehension, append([...])), len, "
        "and on an inner list adj[u]: its methods, adj[u][k] read and assigned, len, sum/min/"
        "max, for v in adj[u] (docs/language.md)",
    )


def makes(lw: ExprLowerer, target: ast.expr, value: ast.expr | None) -> bool:
    if not isinstance(target, ast.Name):
        return False
    if isinstance(value, ast.ListComp):
        return isinstance(value.elt, ast.List) or target.id in lw.nested_lists
    if isinstance(value, ast.List):
        if not value.elts:
            return target.id in lw.nested_lists
        return all(isinstance(e, ast.List) for e in value.elts)
    return False


def create(
    lw: ExprLowerer,
    target: ast.Name,
    value: ast.expr | None,
    element: Scalar | None,
    node: ast.stmt,
) -> list[ir.Stmt]:
    """``adj: list[list[int]] = []``, ``rows = [[1.0], [2.0, 3.0]]`` or an annotated
    comprehension ``[[] for _ in range(n)]``."""
    from portalis.lang.frontend.lists import comprehension_loop

    n, line, col = target.id, node.lineno, node.col_offset
    if n in lw.arrays or n in lw.views or n in lw.locals or n in lw.lists or n in lw.tuple_lists:
        raise lw.err(target, f"`{n}` already names something else")
    if element is None and n in lw.nested_lists:
        element = lw.nested_lists[n].element
    rows: list[ast.expr] = []
    loop: ast.For | None = None
    if isinstance(value, ast.ListComp):
        loop = comprehension_loop(lw, target, value)
        if element is None:
            raise lw.err(
                node,
                f"`{n}`: annotate a comprehension's item type",
                f"write {n}: list[list[float]] = [...]",
            )
    elif isinstance(value, ast.List):
        rows = list(value.elts)
    elif value is not None:
        raise unsupported(lw, value, "making a list of lists other than by a literal")
    if element is None:
        items = [e for r in rows if isinstance(r, ast.List) for e in r.elts]
        if not items:
            raise lw.err(
                node, f"`{n}`: the item type is unknown", f"write {n}: list[list[float]] = []"
            )
        kinds = [lw.scalar(lw.lower_scalar(e), e) for e in items]
        element = F64 if any(t.is_float for t in kinds) else I64
    made = _bind(lw, target, element)
    again = id(node) not in lw.top_level or lw.store_counts.get(n, 0) != 1
    out: list[ir.Stmt] = [ir.ListNew(line, col, c, [], again) for c in made.columns]
    for r in rows:
        out += append_row(lw, made, r)
    if loop is not None:
        out += lw.block([loop])
    return out


def _bind(lw: ExprLowerer, target: ast.Name, element: Scalar) -> NestedList:
    made = lw.nested_lists.get(target.id)
    if made is None:
        n = target.id
        made = NestedList(
            n,
            element,
            ir.ListRef(f"{n}.b", I64, owns_blocks=True),
            ir.ListRef(f"{n}.n", I64),
            ir.ListRef(f"{n}.c", I64),
        )
        lw.nested_lists[n] = made
        for c in made.columns:
            lw.lists[c.name] = c
    elif made.element != element:
        raise lw.err(target, f"`{target.id}` is a {made}; a name keeps one item type")
    return made


def append_row(lw: ExprLowerer, made: NestedList, row: ast.expr) -> list[ir.Stmt]:
    """``adj.append([a, b])``: the items evaluated, a new inner list made holding them,
    its block, length and capacity appended to the columns."""
    if not isinstance(row, ast.List):
        raise unsupported(lw, row, "appending anything but a list literal")
    line, col = row.lineno, row.col_offset
    values: list[ir.Stmt] = []
    temps = []
    for e in row.elts:
        t = lw.temp(made.element)
        v = lw.coerce(lw.lower_scalar(e), made.element, e, "list item")
        values.append(ir.SetLocal(line, col, t, v))
        temps.append(t)
    ref = _hidden_list(lw, made)
    out = values + _release(ref, line, col)  # an empty list: no block yet
    for t in temps:
        out.append(ir.ListAppend(line, col, ref, ir.LocalGet(line, col, made.element, t)))
    for column, part in zip(made.columns, _parts(ref, line, col), strict=True):
        out.append(ir.ListAppend(line, col, column, part))
    return out + _release(ref, line, col)


def _hidden_list(lw: ExprLowerer, made: NestedList) -> ir.ListRef:
    ref = ir.ListRef(lw.hidden("row"), made.element)
    lw.lists[ref.name] = ref
    return ref


def _parts(ref: ir.ListRef, line: int, col: int) -> list[ir.Expr]:
    """A list's block (as int64), length and capacity."""
    block = ir.Cast(line, col, I64, "convert", ir.LocalGet(line, col, I32, ref.name))
    return [
        block,
        ir.LocalGet(line, col, I64, f"{ref.name}.len"),
        ir.LocalGet(line, col, I64, f"{ref.name}.cap"),
    ]


def _release(ref: ir.ListRef, line: int, col: int) -> list[ir.Stmt]:
    """``ref`` holds no block any more (an empty list; its cleanup frees nothing)."""
    zeros: list[ir.Expr] = [
        ir.Const(line, col, I32, 0),
        ir.Const(line, col, I64, 0),
        ir.Const(line, col, I64, 0),
    ]
    return [ir.ListAdopt(line, col, ref, ir.TupleExpr(line, col, _ROW, zeros), [], False)]


def _position(
    lw: ExprLowerer, made: NestedList, index: ast.expr, at: ast.AST
) -> tuple[list[ir.Stmt], str]:
    """``index`` evaluated and checked as a position of ``made`` (negative counts from the
    end; IndexError otherwise), into a hidden local."""
    from portalis.lang.frontend.lists import locate

    k = lw.hidden("k")
    load, store = ast.Load(), ast.Store()
    size = ast.Call(ast.Name("len", load), [ast.Name(made.lengths.name, load)], [])
    tree = [
        ast.Assign([ast.Name(k, store)], index),
        ast.If(
            ast.Compare(ast.Name(k, load), [ast.Lt()], [ast.Constant(0)]),
            [ast.AugAssign(ast.Name(k, store), ast.Add(), size)],
            [],
        ),
        ast.If(
            ast.BoolOp(
                ast.Or(),
                [
                    ast.Compare(ast.Name(k, load), [ast.Lt()], [ast.Constant(0)]),
                    ast.Compare(ast.Name(k, load), [ast.GtE()], [size]),
                ],
            ),
            [
                ast.Raise(
                    ast.Call(
                        ast.Name("IndexError", load), [ast.Constant("list index out of range")], []
                    ),
                    None,
                )
            ],
            [],
        ),
    ]
    for s in tree:
        locate(s, at)
    return lw.block(tree), k


def _borrow(lw: ExprLowerer, made: NestedList, k: str, at: ast.AST) -> tuple[ir.ListRef, ir.Stmt]:
    line, col = at.lineno, at.col_offset  # type: ignore[attr-defined]
    ref = _hidden_list(lw, made)
    position = ir.LocalGet(line, col, I64, k)
    parts: list[ir.Expr] = [
        ir.ListGet(line, col, I64, c, position, checked=False) for c in made.columns
    ]
    parts[0] = ir.Cast(line, col, I32, "convert", parts[0])
    return ref, ir.ListAdopt(line, col, ref, ir.TupleExpr(line, col, _ROW, parts), [], False)


def _give_back(made: NestedList, ref: ir.ListRef, k: str, at: ast.AST) -> list[ir.Stmt]:
    line, col = at.lineno, at.col_offset  # type: ignore[attr-defined]
    position = ir.LocalGet(line, col, I64, k)
    out: list[ir.Stmt] = [
        ir.ListSet(line, col, c, position, part, checked=False)
        for c, part in zip(made.columns, _parts(ref, line, col), strict=True)
    ]
    return out + _release(ref, line, col)


def _arguments(
    lw: ExprLowerer, args: list[ast.expr], at: ast.AST
) -> tuple[list[ir.Stmt], list[ast.expr]]:
    """Each argument evaluated into a hidden local, in order; the names to use instead."""
    stmts: list[ir.Stmt] = []
    names: list[ast.expr] = []
    line, col = at.lineno, at.col_offset  # type: ignore[attr-defined]
    for a in args:
        v = lw.lower_scalar(a)
        t = lw.temp(lw.scalar(v, a))
        stmts.append(ir.SetLocal(line, col, t, v))
        names.append(ast.copy_location(ast.Name(t, ast.Load()), a))
    return stmts, names


def call(lw: ExprLowerer, node: ast.Call, statement: bool) -> ir.Expr | list[ir.Stmt] | None:
    """``adj[u].method(...)``, ``len/sum/min/max(adj[u])`` and ``len(adj)``; None when
    ``node`` is none of these."""
    from portalis.lang.frontend import lists

    f = node.func
    line, col = node.lineno, node.col_offset
    if (
        isinstance(f, ast.Name)
        and f.id == "len"
        and len(node.args) == 1
        and (made := named(lw, node.args[0])) is not None
    ):
        return ir.ListLen(line, col, I64, made.lengths)
    if isinstance(f, ast.Attribute) and (made := named(lw, f.value)) is not None:
        if f.attr == "append" and len(node.args) == 1 and not node.keywords:
            if not statement:
                raise lw.err(node, "`append` returns None: call it as a statement")
            return append_row(lw, made, node.args[0])
        raise unsupported(lw, node, f"`{made.name}.{f.attr}(...)`")
    inner: tuple[NestedList, ast.expr] | None = None
    method: str | None = None
    if isinstance(f, ast.Attribute):
        inner, method = inner_of(lw, f.value), f.attr
    elif isinstance(f, ast.Name) and f.id in ("len", "sum", "min", "max") and node.args:
        inner = inner_of(lw, node.args[0])
    if inner is None:
        if isinstance(f, ast.Name) and node.args and named(lw, node.args[0]) is not None:
            raise unsupported(lw, node, f"`{f.id}(...)` of a list of lists")
        return None
    made, index = inner
    stmts, k = _position(lw, made, index, node)
    if method is None and isinstance(f, ast.Name) and f.id == "len":
        if len(node.args) != 1 or node.keywords:
            raise lw.err(node, "len() takes exactly one argument")
        read = ir.ListGet(
            line, col, I64, made.lengths, ir.LocalGet(line, col, I64, k), checked=False
        )
        return ir.Seq(line, col, I64, stmts, read)
    if method is not None:
        before, names = _arguments(lw, node.args, node)
        stmts += before
        ref, borrow = _borrow(lw, made, k, node)
        stmts.append(borrow)
        rewritten = ast.Call(
            ast.Attribute(ast.Name(ref.name, ast.Load()), method, ast.Load()), names, node.keywords
        )
        ast.copy_location(rewritten, node)
        ast.copy_location(rewritten.func, node)
        ast.copy_location(rewritten.func.value, node)  # type: ignore[attr-defined]
        done = lists.method(lw, ref, rewritten, statement)
    else:
        assert isinstance(f, ast.Name)
        ref, borrow = _borrow(lw, made, k, node)
        stmts.append(borrow)
        done = lists.builtin(lw, f.id, ref, node)
    give_back = _give_back(made, ref, k, node)
    if isinstance(done, list):
        return stmts + done + give_back
    if isinstance(done, ir.Stmt):
        return [*stmts, done, *give_back]
    assert isinstance(done, ir.Expr)
    ty = done.ty
    assert isinstance(ty, Scalar)
    if statement:
        return [*stmts, ir.ExprStmt(line, col, done), *give_back]
    t = lw.temp(ty)
    stmts.append(ir.SetLocal(line, col, t, done))
    return ir.Seq(line, col, ty, stmts + give_back, ir.LocalGet(line, col, ty, t))


def contains(lw: ExprLowerer, value: ast.expr, node: ast.Compare) -> ir.Expr | None:
    """``v in adj[u]``: ``v`` first, then ``adj[u]`` (checked), as Python evaluates them;
    None when the right side is not an inner list."""
    from portalis.lang.frontend.list_methods import contains as list_contains

    inner = inner_of(lw, node.comparators[0])
    if inner is None:
        return None
    made, index = inner
    line, col = node.lineno, node.col_offset
    stmts, names = _arguments(lw, [value], node)
    found, k = _position(lw, made, index, node)
    ref, borrow = _borrow(lw, made, k, node)
    stmts += [*found, borrow]
    t = lw.temp(BOOL)
    stmts.append(ir.SetLocal(line, col, t, list_contains(lw, ref, names[0], node)))
    stmts += _release(ref, line, col)
    return ir.Seq(line, col, BOOL, stmts, ir.LocalGet(line, col, BOOL, t))


def item(lw: ExprLowerer, node: ast.Subscript) -> ir.Expr | None:
    """``adj[u][k]`` read; None when ``node`` is not of that form. ``adj[u]`` alone as a
    value is refused (it would be a second name for the inner list)."""
    if inner_of(lw, node) is not None:
        raise unsupported(lw, node, f"`{shown(node)}` as a value (index it: {shown(node)}[k])")
    inner = inner_of(lw, node.value)
    if inner is None:
        return None
    if isinstance(node.slice, ast.Slice):
        raise unsupported(lw, node, "a slice of an inner list")
    made, index = inner
    line, col = node.lineno, node.col_offset
    stmts, k = _position(lw, made, index, node)
    before, names = _arguments(lw, [_at(node)], node)
    ref, borrow = _borrow(lw, made, k, node)
    stmts += [*before, borrow]
    t = lw.temp(made.element)
    read = ir.ListGet(line, col, made.element, ref, ast_value(lw, names[0]))
    stmts.append(ir.SetLocal(line, col, t, read))
    stmts += _release(ref, line, col)
    return ir.Seq(line, col, made.element, stmts, ir.LocalGet(line, col, made.element, t))


def _at(node: ast.Subscript) -> ast.expr:
    """The index of an inner list's item (a slice of it is refused by the caller)."""
    return node.slice


def ast_value(lw: ExprLowerer, name: ast.expr) -> ir.Expr:
    e = lw.lower_scalar(name)
    if lw.scalar(e, name).is_float:
        raise lw.err(name, "list indices must be integers, not float")
    return lw.coerce(e, I64, name, "list index")


def refuse_replacing(lw: ExprLowerer, target: ast.Subscript) -> None:
    """``adj[u] = ...``: refused before its value is looked at."""
    if (made := named(lw, target.value)) is not None:
        raise unsupported(lw, target, f"replacing an inner list of `{made.name}`")


def store(lw: ExprLowerer, target: ast.Subscript, value: ir.Expr) -> list[ir.Stmt] | None:
    """``adj[u][k] = v`` (``v`` already evaluated, as Python evaluates it first); None when
    ``target`` is not of that form."""
    if inner_of(lw, target) is not None:
        made = named(lw, target.value)
        raise unsupported(lw, target, f"replacing an inner list of `{made.name if made else ''}`")
    inner = inner_of(lw, target.value)
    if inner is None:
        return None
    made, index = inner
    line, col = target.lineno, target.col_offset
    v = lw.temp(made.element)
    stmts: list[ir.Stmt] = [
        ir.SetLocal(line, col, v, lw.coerce(value, made.element, target, "stored value"))
    ]
    found, k = _position(lw, made, index, target)
    stmts += found
    before, names = _arguments(lw, [_at(target)], target)
    ref, borrow = _borrow(lw, made, k, target)
    stmts += [*before, borrow]
    stored = ir.LocalGet(line, col, made.element, v)
    stmts.append(ir.ListSet(line, col, ref, ast_value(lw, names[0]), stored))
    return stmts + _release(ref, line, col)


def aug_store(
    lw: ExprLowerer, target: ast.Subscript, op: str, node: ast.AugAssign
) -> list[ir.Stmt] | None:
    """``adj[u][k] += v``: ``adj[u]``, ``k`` and the item read first, then ``v``, then the
    store, as Python does."""
    inner = inner_of(lw, target.value)
    if inner is None:
        return None
    made, index = inner
    line, col = node.lineno, node.col_offset
    stmts, k = _position(lw, made, index, target)
    before, names = _arguments(lw, [_at(target)], target)
    stmts += before
    ref, borrow = _borrow(lw, made, k, target)
    current = lw.temp(made.element)
    stmts += [borrow]
    read = ir.ListGet(line, col, made.element, ref, ast_value(lw, names[0]))
    stmts.append(ir.SetLocal(line, col, current, read))
    stmts += _release(ref, line, col)
    value = lw.arith(
        op, ir.LocalGet(line, col, made.element, current), lw.lower_scalar(node.value), node
    )
    result = lw.temp(made.element)
    stmts.append(
        ir.SetLocal(line, col, result, lw.coerce(value, made.element, node, "stored value"))
    )
    ref, borrow = _borrow(lw, made, k, target)
    stmts.append(borrow)
    stored = ir.LocalGet(line, col, made.element, result)
    stmts.append(ir.ListSet(line, col, ref, ast_value(lw, names[0]), stored))
    return stmts + _release(ref, line, col)


def for_each(lw: ExprLowerer, node: ast.For) -> list[ir.Stmt] | None:
    """``for v in adj[u]``: ``adj[u]`` evaluated once (its index checked), then each item
    read afresh (the length re-read before each, as CPython's list iterator);
    ``for row in adj`` is refused. None when the loop is neither."""
    from portalis.lang.frontend.lists import locate

    if (made := named(lw, node.iter)) is not None:
        raise unsupported(
            lw,
            node.iter,
            f"`for row in {made.name}` (a name for an inner list): "
            f"write for i in range(len({made.name})): ... {made.name}[i][k]",
        )
    inner = inner_of(lw, node.iter)
    if inner is None:
        return None
    made, index = inner
    stmts, k = _position(lw, made, index, node.iter)
    i = lw.hidden("i")
    load, store = ast.Load(), ast.Store()
    row = ast.Subscript(ast.Name(made.name, load), ast.Name(k, load), load)
    length = ast.Call(ast.Name("len", load), [row], [])
    read = ast.Subscript(row, ast.Name(i, load), load)
    start = ast.Assign([ast.Name(i, store)], ast.Constant(0))
    loop = ast.While(
        ast.Compare(ast.Name(i, load), [ast.Lt()], [length]),
        [
            ast.Assign([node.target], read),
            ast.AugAssign(ast.Name(i, store), ast.Add(), ast.Constant(1)),
            *node.body,
        ],
        node.orelse,
    )
    locate(start, node)
    locate(loop, node)
    return stmts + lw.block([start, loop])


__all__ = [
    "NestedList",
    "annotation_element",
    "append_row",
    "call",
    "contains",
    "create",
    "for_each",
    "inner_of",
    "item",
    "makes",
    "named",
    "refuse_replacing",
    "store",
]
