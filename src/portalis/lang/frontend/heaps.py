"""``heapq`` on a typed list: ``heappush``, ``heappop``, ``heapify``, ``heapreplace`` and
``heappushpop``, on a list of numbers or of tuples of numbers (frontend/tuple_lists.py).

Each function is CPython's own algorithm (Modules/_heapqmodule.c: ``siftdown`` moves an
item up towards the root while it is ``<`` its parent; ``siftup`` moves the smaller child up
until it reaches a leaf, the smaller being the right one unless ``left < right``, then sifts
the item back down), so the list holds the very same order as under CPython after every
call, not merely some valid heap: a kernel that reads ``heap[0]``, iterates the heap or pops
items that compare equal sees what CPython shows. Only ``<`` is used, as CPython's does, and
tuples compare as CPython compares them: the first position whose items differ (``!=``)
decides with ``<``, so NaN behaves as it does there (except that CPython counts the very
same float object as equal to itself: see docs/language.md).

The functions are templates of kernel Python over the list primitives, generated for the
tuple width and lowered like the user's code (the pattern of frontend/list_methods.py). Every
index a template uses lies inside the list by the algorithm itself (``pos < len``, children
below ``len``), so its reads and writes skip the bounds check (``ir.ListGet.checked``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from portalis.lang import ir
from portalis.lang.frontend.tuple_lists import TupleList, as_tuple, item_values
from portalis.lang.walk import walk

if TYPE_CHECKING:
    from portalis.lang.frontend.exprs import ExprLowerer

#: The functions of ``heapq`` a kernel may call, and whether each returns an item.
FUNCTIONS = {
    "heappush": False,
    "heapify": False,
    "heappop": True,
    "heapreplace": True,
    "heappushpop": True,
}
#: Names the templates use that are not locals.
_GLOBALS = {"len", "IndexError"}


def called(lw: ExprLowerer, node: ast.expr) -> str | None:
    """``heappush`` … when ``node`` calls a function of ``heapq``; None otherwise."""
    if not isinstance(node, ast.Call):
        return None
    name = lw.unit.builtin_name(node.func)
    if name is None or not name.startswith("heapq."):
        return None
    return name[len("heapq.") :]


def _less(a: list[str], b: list[str]) -> str:
    """``a < b`` for tuples of ``len(a)`` items, as CPython compares them."""
    text = f"{a[-1]} < {b[-1]}"
    for k in reversed(range(len(a) - 1)):
        text = f"{a[k]} < {b[k]} or ({a[k]} == {b[k]} and ({text}))"
    return text


def _cols(width: int, at: str) -> list[str]:
    return [f"C{k}[{at}]" for k in range(width)]


def _each(width: int, line: str) -> list[str]:
    """``line`` once per column (``#`` standing for the column number)."""
    return [line.replace("#", str(k)) for k in range(width)]


def _siftdown(width: int, start: str) -> list[str]:
    """Move item ``N`` (held in ``N0``…) from the hole at ``pos`` towards ``start``."""
    news = [f"N{k}" for k in range(width)]
    parents = ["P0", *_cols(width, "par")[1:]]  # the first position read once
    return [
        f"while pos > {start}:",
        "    par = (pos - 1) >> 1",
        "    P0 = C0[par]",
        f"    if {_less(news, parents)}:",
        *["        " + s for s in _each(width, "C#[pos] = C#[par]")],
        "        pos = par",
        "    else:",
        "        break",
        *_each(width, "C#[pos] = N#"),
    ]


def _siftup(width: int) -> list[str]:
    """CPython's ``siftup(heap, pos)``: the item at ``pos`` taken out, the smaller child
    moved up until a leaf is reached, then the item sifted back down from there."""
    right_first = _less(["A0", *_cols(width, "child")[1:]], ["B0", *_cols(width, "child + 1")[1:]])
    return [
        "end = len(C0)",
        "start = pos",
        *_each(width, "N# = C#[pos]"),
        "limit = end >> 1",
        "while pos < limit:",
        "    child = 2 * pos + 1",
        "    if child + 1 < end:",
        "        A0 = C0[child]",
        "        B0 = C0[child + 1]",
        f"        if not ({right_first}):",
        "            child += 1",
        *["    " + s for s in _each(width, "C#[pos] = C#[child]")],
        "    pos = child",
        *_siftdown(width, "start"),
    ]


def _indent(lines: list[str], by: int = 1) -> list[str]:
    return ["    " * by + s for s in lines]


def _template(name: str, width: int) -> list[str]:
    empty = ["if len(C0) == 0:", "    raise IndexError('index out of range')"]
    if name == "heappush":
        return [
            *_each(width, "C#.append(V#)"),
            "pos = len(C0) - 1",
            *_each(width, "N# = V#"),
            *_siftdown(width, "0"),
        ]
    if name == "heappop":
        return [
            *empty,
            *_each(width, "R# = C#.pop()"),
            "if len(C0) > 0:",
            *_indent(_each(width, "T# = C#[0]")),
            *_indent(_each(width, "C#[0] = R#")),
            *_indent(_each(width, "R# = T#")),
            "    pos = 0",
            *_indent(_siftup(width)),
        ]
    if name == "heapreplace":
        return [
            *empty,
            *_each(width, "R# = C#[0]"),
            *_each(width, "C#[0] = V#"),
            "pos = 0",
            *_siftup(width),
        ]
    if name == "heappushpop":
        values = [f"V{k}" for k in range(width)]
        return [
            *_each(width, "R# = V#"),
            f"if len(C0) > 0 and ({_less(_cols(width, '0'), values)}):",
            *_indent(_each(width, "R# = C#[0]")),
            *_indent(_each(width, "C#[0] = V#")),
            "    pos = 0",
            *_indent(_siftup(width)),
        ]
    assert name == "heapify"
    return [
        "i = (len(C0) >> 1) - 1",
        "while i >= 0:",
        "    pos = i",
        *_indent(_siftup(width)),
        "    i -= 1",
    ]


def statement(lw: ExprLowerer, node: ast.Call) -> list[ir.Stmt]:
    """``heapq.NAME(xs, ...)`` as a statement (any item it returns is dropped)."""
    done = _call(lw, node, statement=True)
    assert isinstance(done, list)
    return done


def value(lw: ExprLowerer, node: ast.Call) -> ir.Expr:
    """``heapq.NAME(xs, ...)`` as a value: the item it returns (a number, or a tuple to
    unpack: ``f, g = heapq.heappop(heap)``)."""
    done = _call(lw, node, statement=False)
    assert isinstance(done, ir.Expr)
    return done


def _call(lw: ExprLowerer, node: ast.Call, statement: bool) -> ir.Expr | list[ir.Stmt]:
    """``heapq.NAME(xs, ...)``: the template run on ``xs``'s columns."""
    from portalis.lang.frontend import lists, tuple_lists

    name = called(lw, node)
    assert name is not None
    if name not in FUNCTIONS:
        raise lw.err(
            node,
            f"`heapq.{name}` is not supported yet",
            "kernels may call heapq." + ", heapq.".join(FUNCTIONS) + " on a typed list",
        )
    wants_item = name not in ("heappop", "heapify")
    if node.keywords or len(node.args) != 1 + wants_item:
        raise lw.err(node, f"heapq.{name} takes {1 + wants_item} positional arguments")
    if FUNCTIONS[name] is False and not statement:
        raise lw.err(node, f"`heapq.{name}` returns None: call it as a statement")
    target = node.args[0]
    heap = tuple_lists.named(lw, target)
    scalar = heap is None
    if heap is None:
        ref = lists.list_named(lw, target)
        if ref is None:
            raise lw.err(
                target,
                f"heapq.{name} needs a typed list here, got `{ast.unparse(target)}`",
                "make the heap a list: heap: list[tuple[int, int]] = []",
            )
        heap = TupleList(ref.name, [ref])
    stmts: list[ir.Stmt] = []
    table = {f"C{k}": c.name for k, c in enumerate(heap.columns)}
    if wants_item:
        item = node.args[1]
        if scalar:
            ref = heap.columns[0]
            v = lw.coerce(lw.lower_scalar(item), ref.element, item, "heap item")
            tmp = lw.temp(ref.element)
            stmts.append(ir.SetLocal(node.lineno, node.col_offset, tmp, v))
            table["V0"] = tmp
        else:
            before, values = item_values(lw, heap, item, "heap item")
            stmts += before
            for k, v in enumerate(values):
                assert isinstance(v, ir.LocalGet)
                table[f"V{k}"] = v.name
    body = _lower(lw, "\n".join(_template(name, len(heap.columns))) + "\n", node, table, heap)
    stmts += body
    if statement or not FUNCTIONS[name]:
        return stmts
    results = [table[f"R{k}"] for k in range(len(heap.columns))]
    if scalar:
        ty = heap.columns[0].element
        value = ir.LocalGet(node.lineno, node.col_offset, ty, results[0])
        return ir.Seq(node.lineno, node.col_offset, ty, stmts, value)
    return as_tuple(heap, stmts, results, node)


def _lower(
    lw: ExprLowerer, text: str, node: ast.Call, table: dict[str, str], heap: TupleList
) -> list[ir.Stmt]:
    """The template's statements, its own names made hidden locals (added to ``table``),
    at the call's position; its reads and writes of the heap unchecked (module docstring)."""
    from portalis.lang.frontend.lists import locate, rename

    tree = ast.parse(text)
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and n.id not in table and n.id not in _GLOBALS:
            # (the "_" keeps "T1" + counter 5 apart from the temporary "~t15")
            table[n.id] = lw.hidden(n.id.lower() + "_")
    body = [rename(table, s) for s in tree.body]
    for s in body:
        locate(s, node, force=True)
    stmts = lw.block(body)
    columns = {c.name for c in heap.columns}
    for stmt in stmts:
        for n in walk(stmt):
            if isinstance(n, ir.ListGet | ir.ListSet) and n.ref.name in columns:
                n.checked = False
    return stmts


__all__ = ["FUNCTIONS", "called", "statement", "value"]
