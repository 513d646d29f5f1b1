"""Lists whose items are tuples of numbers: ``heap: list[tuple[int, int, int]] = []``,
``pairs = [(0.5, 1), (x, k)]``.

A list of ``K``-tuples is kept as ``K`` typed lists side by side (its *columns*, one per
tuple position, named ``NAME.0`` … ``NAME.K-1``: no Python name has a dot), made, grown and
freed together by the ordinary list primitives (backend/lists.py). Python sees one list of
tuples; the compiler sees ``K`` lists of numbers that always have the same length. Since
tuples of numbers are values (immutable, compared item by item), nothing a kernel can do
tells the two apart, and every operation below keeps the columns in step.

Supported: making one (a literal of tuple literals, or ``[]`` with an annotation),
``xs.append((a, b))``, ``xs.pop()``, ``xs[i]`` read (a tuple: unpack it, ``a, b = xs[i]``)
and ``xs[i] = (a, b)``, ``len(xs)``, truthiness (``while xs:``), ``for a, b in xs``, and
``heapq`` (frontend/heaps.py). A tuple item's values are evaluated in order, before the list
changes, as Python evaluates the tuple before the call. Anything else done with such a list
is refused with a located error.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from portalis.lang import ir
from portalis.lang.frontend.diagnostics import shown
from portalis.lang.frontend.lists import ELEMENTS, ITEM_NAMES, list_item
from portalis.lang.types import BOOL, F64, I64, Scalar, TupleType

if TYPE_CHECKING:
    from portalis.lang.frontend.exprs import ExprLowerer


@dataclass
class TupleList:
    """A list of tuples, as its columns (one typed list per tuple position)."""

    name: str
    columns: list[ir.ListRef]

    @property
    def types(self) -> tuple[Scalar, ...]:
        return tuple(c.element for c in self.columns)

    @property
    def item_type(self) -> TupleType:
        return TupleType(self.types)

    def __str__(self) -> str:
        return "list[tuple[" + ", ".join(ITEM_NAMES[t] for t in self.types) + "]]"


def annotation_items(lw: ExprLowerer, annotation: ast.expr | None) -> tuple[Scalar, ...] | None:
    """The item types of a ``list[tuple[int, float, ...]]`` annotation; None when the
    annotation is not a list of tuples."""
    item = list_item(annotation)
    if not (
        isinstance(item, ast.Subscript)
        and isinstance(item.value, ast.Name)
        and item.value.id in ("tuple", "Tuple")
    ):
        return None
    assert annotation is not None  # list_item found the item in it
    parts = item.slice.elts if isinstance(item.slice, ast.Tuple) else [item.slice]
    types = []
    for p in parts:
        if not (isinstance(p, ast.Name) and p.id in ELEMENTS):
            raise lw.err(
                p,
                f"`{shown(annotation)}`: tuple items of float or int only "
                "(not supported yet: other items, `...`)",
                "write list[tuple[int, float]] with one name per position",
            )
        types.append(ELEMENTS[p.id])
    return tuple(types)


def named(lw: ExprLowerer, node: ast.expr) -> TupleList | None:
    return lw.tuple_lists.get(node.id) if isinstance(node, ast.Name) else None


def makes(lw: ExprLowerer, target: ast.expr, value: ast.expr | None) -> bool:
    """Whether ``target = value`` makes a list of tuples: a list literal of tuple literals,
    or ``[]`` for a name that already holds one."""
    if isinstance(value, ast.ListComp) and isinstance(target, ast.Name):
        return isinstance(value.elt, ast.Tuple) or target.id in lw.tuple_lists
    if _copy_of(lw, value) is not None:
        return True
    if not isinstance(value, ast.List) or not isinstance(target, ast.Name):
        return False
    if not value.elts:
        return target.id in lw.tuple_lists
    return all(isinstance(e, ast.Tuple) for e in value.elts)


def unsupported(lw: ExprLowerer, node: ast.AST, what: str) -> Exception:
    return lw.err(
        node,
        f"{what} is not supported yet on a list of tuples",
        "lists of tuples support literals, append((...)), pop(), xs[i] (unpacked), "
        "xs[i] = (...), len, `while xs:`, `for a, b in xs` and heapq (docs/language.md)",
    )


def create(
    lw: ExprLowerer,
    target: ast.Name,
    value: ast.expr | None,
    types: tuple[Scalar, ...] | None,
    node: ast.stmt,
) -> list[ir.Stmt]:
    """``xs = [(a, b), ...]`` or ``xs: list[tuple[int, float]] = []`` (a name made again
    frees its previous blocks first, as any list)."""
    n, line, col = target.id, node.lineno, node.col_offset
    if n in lw.arrays or n in lw.views or n in lw.locals or n in lw.lists:
        raise lw.err(target, f"`{n}` already names something else")
    if isinstance(value, ast.ListComp):
        return comprehension(lw, target, value, types, node)
    if isinstance(value, ast.Call) and (source := _copy_of(lw, value)) is not None:
        return copied(lw, target, value, source, types, node)
    if value is not None and not isinstance(value, ast.List):
        raise unsupported(
            lw, value, "making a list of tuples other than from a literal or comprehension"
        )
    rows = list(value.elts) if value is not None else []
    for r in rows:
        if not isinstance(r, ast.Tuple):
            raise lw.err(r, "every item of a list of tuples must be a tuple literal")
    if types is None and n in lw.tuple_lists:
        types = lw.tuple_lists[n].types
    lowered = [[lw.lower_scalar(e) for e in r.elts] for r in rows]  # type: ignore[attr-defined]
    if types is None:
        if not rows:
            raise lw.err(node, f"`{n} = []`: the item type is unknown", _annotate_hint(n))
        width = len(lowered[0])
        if any(len(r) != width for r in lowered):
            raise lw.err(value or node, "the tuples of a list must all have the same length")
        guessed = []
        for k in range(width):
            kinds = [lw.scalar(r[k], rows[i]) for i, r in enumerate(lowered)]
            if any(t.is_bool for t in kinds):
                raise lw.err(value or node, "tuples holding bools are not supported yet")
            guessed.append(F64 if any(t.is_float for t in kinds) else I64)
        types = tuple(guessed)
    out: list[ir.Stmt] = []
    held: list[list[ir.Expr]] = [[] for _ in types]
    for r, row in zip(rows, lowered, strict=True):
        if len(row) != len(types):
            raise lw.err(r, f"a list of {len(types)}-tuples cannot hold {len(row)} values")
        for k, (e, t) in enumerate(zip(row, types, strict=True)):
            tmp = lw.temp(t)  # Python evaluates every item before the list exists
            out.append(ir.SetLocal(line, col, tmp, lw.coerce(e, t, r, "tuple item")))
            held[k].append(ir.LocalGet(line, col, t, tmp))
    made = _bind(lw, target, types)
    again = id(node) not in lw.top_level or lw.store_counts.get(n, 0) != 1
    for column, items in zip(made.columns, held, strict=True):
        out.append(ir.ListNew(line, col, column, items, again))
    return out


def comprehension(
    lw: ExprLowerer,
    target: ast.Name,
    comp: ast.ListComp,
    types: tuple[Scalar, ...] | None,
    node: ast.stmt,
) -> list[ir.Stmt]:
    """``xs: list[tuple[float, int]] = [(d[i], i) for i in range(n) if ...]``: empty
    columns, then the loop appending each tuple (frontend/lists.py's comprehension)."""
    from portalis.lang.frontend.lists import comprehension_loop

    n = target.id
    if types is None and n in lw.tuple_lists:
        types = lw.tuple_lists[n].types
    loop = comprehension_loop(lw, target, comp)
    if types is None:
        raise lw.err(
            node,
            f"`{n}`: annotate a comprehension's item type",
            f"write {n}: list[tuple[float, int]] = [...]",
        )
    made = _bind(lw, target, types)
    again = id(node) not in lw.top_level or lw.store_counts.get(n, 0) != 1
    out: list[ir.Stmt] = [
        ir.ListNew(node.lineno, node.col_offset, c, [], again) for c in made.columns
    ]
    return out + lw.block([loop])


def _copy_of(lw: ExprLowerer, value: ast.expr | None) -> TupleList | None:
    """The list of tuples ``sorted(xs, ...)`` or ``list(xs)`` copies; None otherwise."""
    if not (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in ("sorted", "list")
        and value.func.id not in lw.scope
        and value.args
    ):
        return None
    return named(lw, value.args[0])


def copied(
    lw: ExprLowerer,
    target: ast.Name,
    call: ast.Call,
    source: TupleList,
    types: tuple[Scalar, ...] | None,
    node: ast.stmt,
) -> list[ir.Stmt]:
    """``ys = list(xs)`` / ``ys = sorted(xs, key=..., reverse=...)``: the items copied into
    new columns (read with the length taken once), then sorted (frontend/keyed_sort.py)."""
    assert isinstance(call.func, ast.Name)
    what = call.func.id
    if len(call.args) != 1 or (what == "list" and call.keywords):
        raise unsupported(lw, call, f"`{what}(...)` with other arguments than one list")
    if target.id == source.name:
        raise unsupported(lw, call, f"making list `{target.id}` anew from itself")
    if types is not None and types != source.types:
        raise lw.err(node, f"`{source.name}` is a {source}")
    made = _bind(lw, target, source.types)
    again = id(node) not in lw.top_level or lw.store_counts.get(target.id, 0) != 1
    line, col = node.lineno, node.col_offset
    out: list[ir.Stmt] = [ir.ListNew(line, col, c, [], again) for c in made.columns]
    count, at = lw.temp(I64), lw.temp(I64)
    out.append(ir.SetLocal(line, col, count, length(source, node)))
    out.append(ir.SetLocal(line, col, at, ir.Const(line, col, I64, 0)))
    copy_items: list[ir.Stmt] = []
    position = ir.LocalGet(line, col, I64, at)
    for new, old in zip(made.columns, source.columns, strict=True):
        read = ir.ListGet(line, col, old.element, old, position, checked=False)
        copy_items.append(ir.ListAppend(line, col, new, read))
    step = ir.Binary(line, col, I64, "add", position, ir.Const(line, col, I64, 1))
    copy_items.append(ir.SetLocal(line, col, at, step))
    more = ir.Compare(line, col, BOOL, "lt", position, ir.LocalGet(line, col, I64, count))
    out.append(ir.While(line, col, more, copy_items))
    if what == "sorted":
        from portalis.lang.frontend import keyed_sort
        from portalis.lang.frontend.list_methods import sort_options

        key, reverse = sort_options(lw, call, "sorted")
        out += keyed_sort.sort(lw, made.columns, key, reverse, True, call)
    return out


def _annotate_hint(n: str) -> str:
    return f"write {n}: list[tuple[int, int]] = []"


def _bind(lw: ExprLowerer, target: ast.Name, types: tuple[Scalar, ...]) -> TupleList:
    made = lw.tuple_lists.get(target.id)
    if made is None:
        columns = [ir.ListRef(f"{target.id}.{k}", t) for k, t in enumerate(types)]
        made = lw.tuple_lists[target.id] = TupleList(target.id, columns)
        for c in columns:  # the list primitives find a column by its (dotted) name
            lw.lists[c.name] = c
    elif made.types != types:
        new = TupleList(target.id, [ir.ListRef("", t) for t in types])
        raise lw.err(
            target,
            f"`{target.id}` is a {made}; it cannot become a {new}",
            "a name keeps one item type: use another name",
        )
    return made


def item_values(
    lw: ExprLowerer, made: TupleList, node: ast.expr, what: str
) -> tuple[list[ir.Stmt], list[ir.Expr]]:
    """The values of a tuple ``node`` to be stored in ``made``, evaluated in order into
    hidden locals: a tuple literal, or anything of a tuple type (``ys[i]``, a call)."""
    line, col = node.lineno, node.col_offset
    stmts: list[ir.Stmt] = []
    names: list[str] = []
    if isinstance(node, ast.Tuple):
        if len(node.elts) != len(made.types):
            raise lw.err(node, f"{what}: `{made.name}` holds {len(made.types)}-tuples")
        for e, t in zip(node.elts, made.types, strict=True):
            tmp = lw.temp(t)
            stmts.append(ir.SetLocal(line, col, tmp, lw.coerce(lw.lower_scalar(e), t, e, what)))
            names.append(tmp)
    else:
        if isinstance(node, ast.Name) and node.id in lw.tuple_lists:
            raise unsupported(lw, node, f"using list `{node.id}` as a value")
        v = lw.lower(node)
        if not isinstance(v.ty, TupleType):
            raise lw.err(node, f"{what} must be a tuple: `{made.name}` is a {made}")
        if len(v.ty.items) != len(made.types):
            raise lw.err(node, f"{what}: `{made.name}` holds {len(made.types)}-tuples")
        raw = [lw.temp(t) for t in v.ty.items]
        stmts.append(ir.Unpack(line, col, raw, v))
        for name, have, want in zip(raw, v.ty.items, made.types, strict=True):
            tmp = lw.temp(want)
            value = lw.coerce(ir.LocalGet(line, col, have, name), want, node, what)
            stmts.append(ir.SetLocal(line, col, tmp, value))
            names.append(tmp)
    return stmts, [ir.LocalGet(line, col, t, n) for n, t in zip(names, made.types, strict=True)]


def as_tuple(made: TupleList, stmts: Sequence[ir.Stmt], names: list[str], node: ast.AST) -> ir.Expr:
    """``stmts``, then the tuple of locals ``names`` (one per column)."""
    line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
    items: list[ir.Expr] = [
        ir.LocalGet(line, col, t, n) for n, t in zip(names, made.types, strict=True)
    ]
    value = ir.TupleExpr(line, col, made.item_type, items)
    return ir.Seq(line, col, made.item_type, list(stmts), value)


def length(made: TupleList, node: ast.AST) -> ir.Expr:
    return ir.ListLen(
        getattr(node, "lineno", 0), getattr(node, "col_offset", 0), I64, made.columns[0]
    )


def get(lw: ExprLowerer, made: TupleList, node: ast.Subscript) -> ir.Expr:
    """``xs[i]``: the index evaluated once, checked (negative counts from the end) by the
    first column's read, then each position read."""
    from portalis.lang.frontend.lists import index

    line, col = node.lineno, node.col_offset
    at = lw.temp(I64)
    stmts: list[ir.Stmt] = [ir.SetLocal(line, col, at, index(lw, node))]
    names = []
    for column in made.columns:
        tmp = lw.temp(column.element)
        read = ir.ListGet(line, col, column.element, column, ir.LocalGet(line, col, I64, at))
        stmts.append(ir.SetLocal(line, col, tmp, read))
        names.append(tmp)
    return as_tuple(made, stmts, names, node)


def item(lw: ExprLowerer, node: ast.Subscript) -> ir.Expr | None:
    """``xs[i][k]`` (``k`` a constant): position ``k`` of item ``i``, read from column ``k``
    alone (``while heap and heap[0][0] < limit``); None when ``node`` is not of that form."""
    from portalis.lang.frontend.lists import index

    outer = node.value
    if not isinstance(outer, ast.Subscript) or (made := named(lw, outer.value)) is None:
        return None
    try:  # a literal: 0, -1
        k = ast.literal_eval(node.slice)
    except ValueError:
        k = None
    width = len(made.columns)
    if not isinstance(k, int) or isinstance(k, bool) or not -width <= k < width:
        raise lw.err(
            node.slice,
            f"`{shown(node)}`: index a tuple item with a constant from {-width} to {width - 1}",
            f"or unpack it: a, b = {made.name}[i]",
        )
    column = made.columns[k % width]
    return ir.ListGet(node.lineno, node.col_offset, column.element, column, index(lw, outer))


def store(
    lw: ExprLowerer, made: TupleList, target: ast.Subscript, value: ast.expr
) -> list[ir.Stmt]:
    """``xs[i] = (a, b)``: the tuple first, then the index, as Python evaluates them."""
    from portalis.lang.frontend.lists import index

    line, col = target.lineno, target.col_offset
    stmts, values = item_values(lw, made, value, "stored value")
    at = lw.temp(I64)
    stmts.append(ir.SetLocal(line, col, at, index(lw, target)))
    for column, v in zip(made.columns, values, strict=True):
        stmts.append(ir.ListSet(line, col, column, ir.LocalGet(line, col, I64, at), v))
    return stmts


def statement(lw: ExprLowerer, made: TupleList, node: ast.Call) -> list[ir.Stmt]:
    """``xs.append((a, b))``, ``xs.pop()``, ``xs.clear()`` as statements."""
    done = method(lw, made, node, statement=True)
    assert isinstance(done, list)
    return done


def method(
    lw: ExprLowerer, made: TupleList, node: ast.Call, statement: bool
) -> ir.Expr | list[ir.Stmt]:
    """``xs.append((a, b))`` (a statement) and ``xs.pop()``."""
    assert isinstance(node.func, ast.Attribute)
    name, line, col = node.func.attr, node.lineno, node.col_offset
    if name == "append" and len(node.args) == 1 and not node.keywords:
        if not statement:
            raise lw.err(node, "`append` returns None: call it as a statement")
        before, values = item_values(lw, made, node.args[0], "appended value")
        return before + [
            ir.ListAppend(line, col, c, v) for c, v in zip(made.columns, values, strict=True)
        ]
    if name == "pop" and not node.args and not node.keywords:
        stmts: list[ir.Stmt] = []
        names = []
        for column in made.columns:  # the first raises IndexError on an empty list
            tmp = lw.temp(column.element)
            stmts.append(ir.SetLocal(line, col, tmp, ir.ListPop(line, col, column.element, column)))
            names.append(tmp)
        value = as_tuple(made, stmts, names, node)
        if statement:
            return [ir.ExprStmt(line, col, value)]
        return value
    if name == "sort" and not node.args and statement:
        from portalis.lang.frontend import keyed_sort
        from portalis.lang.frontend.list_methods import sort_options

        key, reverse = sort_options(lw, node, f"{made.name}.sort")
        return keyed_sort.sort(lw, made.columns, key, reverse, True, node)
    if name == "clear" and not node.args and not node.keywords and statement:
        from portalis.lang.frontend.list_methods import expand

        out: list[ir.Stmt] = []
        for column in made.columns:
            out += expand(lw, column, "while len(xs) > 0:\n    xs.pop()\n", node)[0]
        return out
    raise unsupported(lw, node, f"`{made.name}.{name}(...)`")


def for_each(lw: ExprLowerer, made: TupleList, node: ast.For) -> list[ir.Stmt]:
    """``for a, b in xs``: as ``for x in xs`` over a list of numbers (frontend/lists.py):
    the length read afresh before each item, each item unpacked into the target."""
    if not isinstance(node.target, ast.Tuple | ast.List):
        raise lw.err(
            node.target,
            f"each item of `{made.name}` is a tuple: unpack it (for a, b in {made.name})",
        )
    from portalis.lang.frontend.lists import for_each as list_for_each

    return list_for_each(lw, made.columns[0], node, source=made.name)


__all__ = [
    "TupleList",
    "annotation_items",
    "as_tuple",
    "call",
    "create",
    "for_each",
    "get",
    "item",
    "item_values",
    "length",
    "makes",
    "method",
    "named",
    "statement",
    "store",
]


def call(lw: ExprLowerer, node: ast.Call) -> ir.Expr | None:
    """``xs.pop()`` and ``len(xs)`` as values; None when ``node`` is neither on a list of
    tuples."""
    f = node.func
    if isinstance(f, ast.Attribute) and (made := named(lw, f.value)) is not None:
        e = method(lw, made, node, statement=False)
        assert isinstance(e, ir.Expr)
        return e
    if isinstance(f, ast.Name) and f.id == "len" and node.args:
        made = named(lw, node.args[0])
        if made is not None:
            if len(node.args) != 1 or node.keywords:
                raise lw.err(node, "len() takes exactly one argument")
            return length(made, node)
    if (
        isinstance(f, ast.Name)
        and node.args
        and (made := named(lw, node.args[0])) is not None
        and f.id not in lw.unit.functions
    ):
        raise unsupported(lw, node, f"`{f.id}(...)` of a list of tuples")
    return None
