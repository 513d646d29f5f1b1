"""The list methods beyond ``append``/``pop()``, and ``x in xs``: ``insert``, ``index``,
``count``, ``remove``, ``pop(i)``, ``reverse``, ``clear``, ``extend`` and ``sort`` (also
behind ``sorted``).

Each is a template of kernel Python over the list primitives (``len``, ``xs[i]``,
``append``, ``pop()``), lowered like the user's own code: the arguments are evaluated first,
in order, into hidden locals, then the template runs with its own hidden names. So every
method keeps CPython's argument order, index clamping and errors without a second
implementation in each backend.

``sort`` is stable, which makes it CPython's answer whenever ``<`` orders the items (ints,
and floats without NaN): a stable sort of a strictly weakly ordered sequence has exactly one
result, so any stable algorithm gives the permutation CPython's timsort gives, equal items
(``0.0`` and ``-0.0`` included) in their original order. NaN breaks that order and CPython's
result then depends on timsort's exact sequence of comparisons; the compiled sort refuses a
list holding NaN with ValueError rather than give a different order silently.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING

from portalis.lang import ir
from portalis.lang.types import BOOL, I64, Scalar

if TYPE_CHECKING:
    from portalis.lang.frontend.exprs import ExprLowerer

#: CPython's ``PY_SSIZE_T_MAX``: ``index``'s default stop.
_NO_STOP = (1 << 63) - 1

# list.insert(at, v): ``at`` is clamped to [0, len] after counting negatives from the end.
_INSERT = """
n = len(xs)
if at < 0:
    at += n
    if at < 0:
        at = 0
elif at > n:
    at = n
xs.append(v)
k = n
while k > at:
    xs[k] = xs[k - 1]
    k -= 1
xs[at] = v
"""

# list.index(v, lo, hi): lo and hi clamped as slice bounds; the list is read afresh.
_INDEX = """
n = len(xs)
if lo < 0:
    lo += n
    if lo < 0:
        lo = 0
if hi < 0:
    hi += n
    if hi < 0:
        hi = 0
found = -1
i = lo
while i < hi and i < len(xs):
    if xs[i] == v:
        found = i
        break
    i += 1
if found < 0:
    raise ValueError(f"{v!r} is not in list")
"""

_COUNT = """
found = 0
i = 0
while i < len(xs):
    if xs[i] == v:
        found += 1
    i += 1
"""

_CONTAINS = """
found = False
i = 0
while i < len(xs):
    if xs[i] == v:
        found = True
        break
    i += 1
"""

_REMOVE = """
i = 0
while i < len(xs):
    if xs[i] == v:
        break
    i += 1
if i == len(xs):
    raise ValueError("list.remove(x): x not in list")
while i + 1 < len(xs):
    xs[i] = xs[i + 1]
    i += 1
xs.pop()
"""

_POP_AT = """
n = len(xs)
if n == 0:
    raise IndexError("pop from empty list")
if at < 0:
    at += n
if at < 0 or at >= n:
    raise IndexError("pop index out of range")
found = xs[at]
while at + 1 < n:
    xs[at] = xs[at + 1]
    at += 1
xs.pop()
"""

_REVERSE = """
i = 0
j = len(xs) - 1
while i < j:
    x = xs[i]
    xs[i] = xs[j]
    xs[j] = x
    i += 1
    j -= 1
"""

_CLEAR = """
while len(xs) > 0:
    xs.pop()
"""

# extend from a list: its length is read once (``xs.extend(xs)`` doubles xs, as in CPython).
_EXTEND = """
n = len(ys)
i = 0
while i < n:
    xs.append(ys[i])
    i += 1
"""

_REFUSE_NAN = """
i = 0
while i < len(xs):
    if xs[i] != xs[i]:
        raise ValueError("cannot sort a list holding NaN (see docs/language.md)")
    i += 1
"""

# A stable sort: insertion sort on runs of RUN items, then bottom-up merges of neighbouring
# runs (the left run copied out to a scratch list, merged back in place; the right item is
# taken only when strictly smaller, which keeps equal items in order). ``LT(a, b)`` is the
# order: ``a < b`` here, a comparison of keys in frontend/keyed_sort.py. The scratch list is
# made anew at each sort, freeing the previous one (frontend/lists.py: a list made again).
RUN = 16
_SORT = f"""
n = len(xs)
lo = 0
while lo < n:
    hi = min(lo + {RUN}, n)
    i = lo + 1
    while i < hi:
        x = xs[i]
        j = i
        while j > lo and LT(x, xs[j - 1]):
            xs[j] = xs[j - 1]
            j -= 1
        xs[j] = x
        i += 1
    lo = hi
if n > {RUN}:
    scratch: list[ITEM] = []
    while len(scratch) < n:
        scratch.append(xs[0])
    width = {RUN}
    while width < n:
        lo = 0
        while lo + width < n:
            mid = lo + width
            hi = min(mid + width, n)
            if LT(xs[mid], xs[mid - 1]):
                k = 0
                while k < width:
                    scratch[k] = xs[lo + k]
                    k += 1
                i = 0
                j = mid
                at = lo
                while i < width and j < hi:
                    if LT(xs[j], scratch[i]):
                        xs[at] = xs[j]
                        j += 1
                    else:
                        xs[at] = scratch[i]
                        i += 1
                    at += 1
                while i < width:
                    xs[at] = scratch[i]
                    i += 1
                    at += 1
            lo = hi
        width *= 2
"""

_HIDDEN = ("n", "k", "i", "j", "x", "lo", "hi", "mid", "at", "found", "width", "scratch")


def expand(
    lw: ExprLowerer,
    ref: ir.ListRef,
    template: str,
    node: ast.AST,
    arguments: dict[str, ir.Expr] | None = None,
    names: dict[str, str] | None = None,
    less: Callable[[ast.expr, ast.expr], ast.expr] | None = None,
) -> tuple[list[ir.Stmt], dict[str, str]]:
    """Lower ``template`` for list ``ref`` (``xs``): ``arguments`` are evaluated first, in
    order, into hidden locals named by their placeholders; the template's own names become
    hidden locals; ``LT(a, b)`` becomes ``less(a, b)`` (``a < b`` by default). Returns the
    statements and the names used."""
    from portalis.lang.frontend.lists import locate, rename

    line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
    table = {v: lw.hidden(v) for v in _HIDDEN}
    table["xs"] = ref.name
    table.update(names or {})
    stmts: list[ir.Stmt] = []
    for placeholder, value in (arguments or {}).items():
        tmp = lw.temp(lw.scalar(value, node))
        stmts.append(ir.SetLocal(line, col, tmp, value))
        table[placeholder] = tmp
    text = template.replace("ITEM", "float" if ref.element.is_float else "int")
    order = Order(less or (lambda a, b: ast.Compare(a, [ast.Lt()], [b])))
    body = [order.visit(rename(table, s)) for s in ast.parse(text).body]
    for s in body:
        locate(s, node, force=True)
    return stmts + lw.block(body), table


class Order(ast.NodeTransformer):
    """``LT(a, b)`` in a template as the comparison ``less(a, b)`` builds."""

    def __init__(self, less: Callable[[ast.expr, ast.expr], ast.expr]) -> None:
        self.less = less

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == "LT":
            return ast.copy_location(self.less(node.args[0], node.args[1]), node)
        return node


def _result(stmts: list[ir.Stmt], table: dict[str, str], ty: Scalar, node: ast.AST) -> ir.Expr:
    line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
    return ir.Seq(line, col, ty, stmts, ir.LocalGet(line, col, ty, table["found"]))


def _value(lw: ExprLowerer, arg: ast.expr) -> ir.Expr:
    return lw.lower_scalar(arg)


def _int(lw: ExprLowerer, arg: ast.expr, what: str) -> ir.Expr:
    e = lw.lower_scalar(arg)
    if lw.scalar(e, arg).is_float:
        raise lw.err(arg, f"{what} must be an int, got float", "convert with int(...)")
    return lw.coerce(e, I64, arg, what)


def contains(lw: ExprLowerer, ref: ir.ListRef, value: ast.expr, node: ast.AST) -> ir.Expr:
    """``v in xs`` (``==`` item by item, as CPython's, which also counts the very same
    object: see docs/language.md on NaN)."""
    stmts, table = expand(lw, ref, _CONTAINS, node, {"v": _value(lw, value)})
    return _result(stmts, table, BOOL, node)


def sort(lw: ExprLowerer, ref: ir.ListRef, reverse: bool, node: ast.AST) -> list[ir.Stmt]:
    """``xs.sort()`` / ``xs.sort(reverse=True)``: descending keeps equal items in their
    original order, as CPython's (reverse, stable sort, reverse)."""
    out: list[ir.Stmt] = []
    if ref.element.is_float:
        out += expand(lw, ref, _REFUSE_NAN, node)[0]
    if reverse:
        out += expand(lw, ref, _REVERSE, node)[0]
    out += expand(lw, ref, _SORT, node)[0]
    if reverse:
        out += expand(lw, ref, _REVERSE, node)[0]
    return out


def sort_options(lw: ExprLowerer, call: ast.Call, what: str) -> tuple[ast.expr | None, bool]:
    """``key=`` (None when not given or ``key=None``) and ``reverse=`` of a sort."""
    key: ast.expr | None = None
    reverse = False
    for kw in call.keywords:
        if kw.arg == "key":
            given = kw.value
            key = None if isinstance(given, ast.Constant) and given.value is None else given
            continue
        if kw.arg != "reverse":
            raise lw.err(
                call,
                f"`{what}(...)` with `{kw.arg or '**'}` is not supported",
                "a sort takes key= and reverse=",
            )
        if not (isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, bool)):
            raise lw.err(kw.value, "reverse= must be True or False written in the source")
        reverse = kw.value.value
    return key, reverse


def sort_by(
    lw: ExprLowerer, ref: ir.ListRef, options: tuple[ast.expr | None, bool], node: ast.AST
) -> list[ir.Stmt]:
    """``xs.sort(key=..., reverse=...)`` of a list of numbers: by value without a key
    (:func:`sort`), by the key's values with one (frontend/keyed_sort.py)."""
    key, reverse = options
    if key is None:
        return sort(lw, ref, reverse, node)
    from portalis.lang.frontend import keyed_sort

    return keyed_sort.sort(lw, [ref], key, reverse, False, node)


def method(
    lw: ExprLowerer, ref: ir.ListRef, call: ast.Call, statement: bool
) -> ir.Node | list[ir.Stmt] | None:
    """``xs.NAME(...)`` for the methods above; None for a name this module does not know."""
    from portalis.lang.frontend.lists import list_named, unsupported

    assert isinstance(call.func, ast.Attribute)
    name, args = call.func.attr, call.args
    if name == "sort" and not args and statement:
        return sort_by(lw, ref, sort_options(lw, call, f"{ref.name}.sort"), call)
    if call.keywords:
        raise unsupported(lw, call, f"`{ref.name}.{name}(...)` with keywords")
    if name in ("index", "count") and 1 <= len(args) <= (3 if name == "index" else 1):
        v = _value(lw, args[0])
        bounds = [_int(lw, a, f"{name}() bound") for a in args[1:]]
        line, col = call.lineno, call.col_offset
        lo = bounds[0] if bounds else ir.Const(line, col, I64, 0)
        hi = bounds[1] if len(bounds) > 1 else ir.Const(line, col, I64, _NO_STOP)
        if name == "count":
            stmts, table = expand(lw, ref, _COUNT, call, {"v": v})
        else:
            stmts, table = expand(lw, ref, _INDEX, call, {"v": v, "lo": lo, "hi": hi})
        return _result(stmts, table, I64, call)
    if name == "pop" and len(args) == 1:
        at = _int(lw, args[0], "pop() index")
        stmts, table = expand(lw, ref, _POP_AT, call, {"at": at})
        return _result(stmts, table, ref.element, call)
    if not statement:
        if name in ("insert", "remove", "reverse", "clear", "extend", "sort"):
            raise lw.err(call, f"`{name}` returns None: call it as a statement")
        return None
    if name == "insert" and len(args) == 2:
        at = _int(lw, args[0], "insert() index")
        v = lw.coerce(_value(lw, args[1]), ref.element, args[1], "inserted value")
        return expand(lw, ref, _INSERT, call, {"at": at, "v": v})[0]
    if name == "remove" and len(args) == 1:
        return expand(lw, ref, _REMOVE, call, {"v": _value(lw, args[0])})[0]
    if name == "reverse" and not args:
        return expand(lw, ref, _REVERSE, call)[0]
    if name == "clear" and not args:
        return expand(lw, ref, _CLEAR, call)[0]
    if name == "extend" and len(args) == 1:
        other = list_named(lw, args[0])
        if other is not None:
            return expand(lw, ref, _EXTEND, call, names={"ys": other.name})[0]
        item = lw.hidden("x")
        load = ast.Load()
        loop = ast.For(
            ast.Name(item, ast.Store()),
            args[0],
            [
                ast.Expr(
                    ast.Call(
                        ast.Attribute(ast.Name(ref.name, load), "append", load),
                        [ast.Name(item, load)],
                        [],
                    )
                )
            ],
            [],
        )
        from portalis.lang.frontend.lists import locate

        locate(loop, call)
        return lw.block([loop])
    raise unsupported(lw, call, f"`{ref.name}.{name}(...)` on a list")


__all__ = ["RUN", "Order", "contains", "expand", "method", "sort", "sort_by", "sort_options"]
