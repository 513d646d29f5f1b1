"""Typed lists in a function: ``xs: list[float] = []``, literals and comprehensions,
``append``/``pop()``, ``len``, ``xs[i]`` read and assigned with Python's bounds rules,
``for x in xs``, and ``sum``/``min``/``max`` over a list.

The list primitives are IR nodes (ir.ListNew …, emitted by backend/lists.py). Everything
built from them — iteration, the reductions, comprehensions — is written here as Python
statements over those primitives and lowered like the user's own code, so it keeps
CPython's order of evaluation and its errors without a second implementation.

A list is made once, at the top level of the function, under a name bound nowhere else (as
a local array is), and lives until the function returns. Anything else done with a list is
refused with a located "not supported yet" that names the construct.
"""

from __future__ import annotations

import ast
import copy
import sys
from typing import TYPE_CHECKING

from portalis.lang import ir
from portalis.lang.frontend.diagnostics import shown
from portalis.lang.types import F64, I64, ListType, Scalar

if TYPE_CHECKING:
    from portalis.lang.frontend.exprs import ExprLowerer
    from portalis.lang.frontend.unit import FunctionSig

#: Element annotations a list may have.
ELEMENTS = {"float": F64, "int": I64}
ITEM_NAMES = {F64: "float", I64: "int"}

#: ``sum`` of floats: CPython 3.12 adds with Neumaier's compensation, earlier versions
#: left to right. Kernels give the answer of the CPython that compiles them.
COMPENSATED_SUM = sys.version_info >= (3, 12)

_SUM_INT = """
acc = 0
i = 0
while i < len(xs):
    acc += xs[i]
    i += 1
"""

_SUM_FLOAT = """
acc = 0.0
i = 0
while i < len(xs):
    acc += xs[i]
    i += 1
"""

# CPython 3.12's builtin sum over floats (Python/bltinmodule.c): Neumaier summation, the
# compensation added at the end unless it is zero or not finite.
_SUM_COMPENSATED = """
acc = 0.0
c = 0.0
i = 0
while i < len(xs):
    x = xs[i]
    i += 1
    t = acc + x
    if abs(acc) >= abs(x):
        c += (acc - t) + x
    else:
        c += (x - t) + acc
    acc = t
if c != 0.0 and c - c == 0.0:
    acc += c
"""

# min/max keep the first of equal items and compare with < / > only (NaN handling included).
_MIN_MAX = """
if len(xs) == 0:
    raise ValueError
acc = xs[0]
i = 1
while i < len(xs):
    x = xs[i]
    i += 1
    if x OP acc:
        acc = x
"""


def element_of(lw: ExprLowerer, annotation: ast.expr) -> Scalar | None:
    """The element type of a ``list[float]``/``list[int]`` annotation; None when the
    annotation is not a list."""
    base = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    if not (isinstance(base, ast.Name) and base.id in ("list", "List")):
        return None
    item = annotation.slice if isinstance(annotation, ast.Subscript) else None
    if isinstance(item, ast.Name) and item.id in ELEMENTS:
        return ELEMENTS[item.id]
    raise lw.err(
        annotation,
        f"`{shown(annotation)}`: lists of float or int only (not supported yet: other items)",
        "write list[float] or list[int]",
    )


def list_item(annotation: ast.expr | None) -> ast.expr | None:
    """``X`` of a ``list[X]``/``List[X]`` annotation; None for anything else."""
    if (
        isinstance(annotation, ast.Subscript)
        and isinstance(annotation.value, ast.Name)
        and annotation.value.id in ("list", "List")
    ):
        return annotation.slice
    return None


def is_list_annotation(annotation: ast.expr) -> bool:
    """Whether ``annotation`` spells a list (``list[...]``, ``List[...]``, ``list``)."""
    base = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    return isinstance(base, ast.Name) and base.id in ("list", "List")


def list_named(lw: ExprLowerer, node: ast.expr) -> ir.ListRef | None:
    return lw.lists.get(node.id) if isinstance(node, ast.Name) else None


def unsupported(lw: ExprLowerer, node: ast.AST, what: str) -> Exception:
    return lw.err(
        node,
        f"{what} is not supported yet",
        "lists support literals, comprehensions, sorted(...), list(...), the methods "
        "append/pop/insert/index/count/remove/reverse/clear/extend/sort, len, xs[i], "
        "x in xs, for x in xs, and sum/min/max (docs/language.md)",
    )


def makes_list(lw: ExprLowerer, value: ast.expr | None) -> bool:
    """Whether ``NAME = value`` makes a list: a literal, a comprehension, ``sorted(...)``
    or ``list(...)``."""
    if isinstance(value, ast.List | ast.ListComp):
        return True
    if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice):
        return list_named(lw, value.value) is not None
    if _list_helper(lw, value) is not None:
        return True
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in ("sorted", "list")
        and value.func.id not in lw.scope
    )


def create(
    lw: ExprLowerer,
    target: ast.Name,
    value: ast.expr | None,
    annotation: ast.expr | None,
    node: ast.stmt,
) -> list[ir.Stmt]:
    """``xs = [...]``, ``xs: list[float] = []``, ``xs = [e for v in ... if ...]``,
    ``xs = sorted(it)`` or ``xs = list(it)``. A list made again (in a loop, a branch, or
    under a name bound more than once) gives its previous block back first."""
    from portalis.lang.frontend import nested_lists, tuple_lists

    n, line, col = target.id, node.lineno, node.col_offset
    inner = nested_lists.annotation_element(annotation)
    if inner is not None or (annotation is None and nested_lists.makes(lw, target, value)):
        return nested_lists.create(lw, target, value, inner, node)
    tuple_items = tuple_lists.annotation_items(lw, annotation)
    if tuple_items is not None or (annotation is None and tuple_lists.makes(lw, target, value)):
        return tuple_lists.create(lw, target, value, tuple_items, node)
    again = id(node) not in lw.top_level or lw.store_counts.get(n, 0) != 1
    if any(
        n in taken for taken in (lw.arrays, lw.views, lw.locals, lw.tuple_lists, lw.nested_lists)
    ):
        raise lw.err(target, f"`{n}` already names something else")
    element = element_of(lw, annotation) if annotation is not None else None
    if isinstance(value, ast.Call) and (sig := _list_helper(lw, value)) is not None:
        return adopted(lw, target, value, sig, element, node, again)
    if isinstance(value, ast.Call) and makes_list(lw, value):
        return copied(lw, target, value, element, node)
    if isinstance(value, ast.Subscript) and makes_list(lw, value):
        return sliced(lw, target, value, element, node)
    if isinstance(value, ast.ListComp):
        return comprehension(lw, target, value, element, node, again)
    if not isinstance(value, ast.List):
        raise unsupported(lw, value or node, "a list from anything but a literal or comprehension")
    items = [lw.lower_scalar(e) for e in value.elts]
    if element is None:
        if not items and n not in lw.lists:
            raise lw.err(
                node, f"`{n} = []`: the item type is unknown", f"write {n}: list[float] = []"
            )
        types = [lw.scalar(i, e) for i, e in zip(items, value.elts, strict=False)]
        if any(t.is_bool for t in types):
            raise unsupported(lw, value, "a list of bools")
        if n in lw.lists:
            element = lw.lists[n].element
        else:
            element = F64 if any(t.is_float for t in types) else I64
    items = [lw.coerce(i, element, e, "list item") for i, e in zip(items, value.elts, strict=False)]
    ref = _bind(lw, target, element)
    return [ir.ListNew(line, col, ref, items, again)]


def _bind(lw: ExprLowerer, target: ast.Name, element: Scalar) -> ir.ListRef:
    """The list ``target`` names from here on (the same one when made again)."""
    ref = lw.lists.get(target.id)
    if ref is None:
        ref = lw.lists[target.id] = ir.ListRef(target.id, element)
    elif ref.element != element:
        raise lw.err(
            target,
            f"`{target.id}` is a list[{ITEM_NAMES[ref.element]}]; it cannot become "
            f"a list[{ITEM_NAMES[element]}]",
            "a name keeps one item type: use another name",
        )
    return ref


def copied(
    lw: ExprLowerer, target: ast.Name, call: ast.Call, element: Scalar | None, node: ast.stmt
) -> list[ir.Stmt]:
    """``sorted(it)`` / ``list(it)``: the comprehension ``[v for v in it]``, then sorted.
    The item type is the annotation's, else the source's (a list's, or an array's: float
    for float arrays, int for integer ones)."""
    assert isinstance(call.func, ast.Name)
    what = call.func.id
    if len(call.args) != 1 or (what == "list" and call.keywords):
        raise unsupported(lw, call, f"`{what}(...)` with other arguments than one iterable")
    options: tuple[ast.expr | None, bool] = (None, False)
    if what == "sorted":
        from portalis.lang.frontend.list_methods import sort_options

        options = sort_options(lw, call, "sorted")
    source = call.args[0]
    if element is None:
        element = _element_of_iterable(lw, source)
    item = lw.hidden("v")
    load = ast.Load()
    comp = ast.ListComp(
        ast.Name(item, load), [ast.comprehension(ast.Name(item, ast.Store()), source, [], 0)]
    )
    locate(comp, call)
    again = id(node) not in lw.top_level or lw.store_counts.get(target.id, 0) != 1
    out = comprehension(lw, target, comp, element, node, again)
    if what == "sorted":
        from portalis.lang.frontend.list_methods import sort_by

        out += sort_by(lw, lw.lists[target.id], options, call)
    return out


def sliced(
    lw: ExprLowerer, target: ast.Name, value: ast.Subscript, element: Scalar | None, node: ast.stmt
) -> list[ir.Stmt]:
    """``ys = xs[lo:hi:step]``: the bounds evaluated in order, clamped as CPython's
    ``PySlice_AdjustIndices`` does (step 0: ValueError), then the items copied."""
    from portalis.lang.frontend.list_methods import expand

    source = list_named(lw, value.value)
    assert source is not None and isinstance(value.slice, ast.Slice)
    if target.id == source.name:
        raise unsupported(lw, value, f"making list `{target.id}` anew from itself")
    if element is not None and element != source.element:
        raise lw.err(node, f"`{source.name}` holds {ITEM_NAMES[source.element]} items")
    bounds = {"lo": value.slice.lower, "hi": value.slice.upper, "step": value.slice.step}
    given = {k: _slice_bound(lw, v) for k, v in bounds.items() if v is not None}
    text = ["n = len(xs)"] + ([] if "step" in given else ["step = 1"])
    text += ["if step == 0:", "    raise ValueError('slice step cannot be zero')"]
    for b in ("lo", "hi"):
        if b in given:
            text += [f"if {b} < 0:", f"    {b} += n", f"    if {b} < 0:"]
            text += [f"        {b} = 0 if step > 0 else -1", f"elif {b} >= n:"]
            text += [f"    {b} = n if step > 0 else n - 1"]
    if "lo" not in given:
        text.append("lo = 0 if step > 0 else n - 1")
    if "hi" not in given:
        text.append("hi = n if step > 0 else -1")
    text += [f"{target.id}: list[ITEM] = []", "i = lo", "while (i < hi) if step > 0 else (i > hi):"]
    text += [f"    {target.id}.append(xs[i])", "    i += step"]
    ref = lw.lists.get(target.id)
    if ref is not None and ref.element != source.element:
        _bind(lw, target, source.element)  # raises: one item type per name
    return expand(lw, source, "\n".join(text) + "\n", node, given, names={target.id: target.id})[0]


def _slice_bound(lw: ExprLowerer, node: ast.expr) -> ir.Expr:
    e = lw.lower_scalar(node)
    if lw.scalar(e, node).is_float:
        raise lw.err(node, "slice indices must be int, got float", "convert with int(...)")
    return lw.coerce(e, I64, node, "slice index")


def _list_helper(lw: ExprLowerer, value: ast.expr | None) -> FunctionSig | None:
    """The module's function ``value`` calls, if it returns a list."""
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)):
        return None
    sig = lw.unit.functions.get(value.func.id)
    if sig is None or value.func.id in lw.locals or not isinstance(sig.result, ListType):
        return None
    return sig


def adopted(
    lw: ExprLowerer,
    target: ast.Name,
    call: ast.Call,
    sig: FunctionSig,
    element: Scalar | None,
    node: ast.stmt,
    again: bool,
) -> list[ir.Stmt]:
    """``ys = _helper(...)``: ``ys`` takes the list the helper made (frontend/list_calls.py)."""
    from portalis.lang.frontend import list_calls

    assert isinstance(sig.result, ListType)
    if element is not None and element != sig.result.element:
        raise lw.err(node, f"`{sig.name}` returns a {sig.result}")
    args = lw.call_args(call, sig)
    lw.program.request(sig)
    ref = _bind(lw, target, sig.result.element)
    made = list_calls.call(lw, call, sig, args, target=ref)
    assert isinstance(made, tuple)
    value, rest = made
    return [ir.ListAdopt(node.lineno, node.col_offset, ref, value, rest, again)]


def _element_of_iterable(lw: ExprLowerer, source: ast.expr) -> Scalar:
    ref = list_named(lw, source)
    if ref is not None:
        return ref.element
    if isinstance(source, ast.Call) and lw.unit.builtin_name(source.func) == "range":
        return I64  # sorted(range(n), key=...): the positions, ordered by a key
    view = lw.view_of(source) if isinstance(source, ast.Name) else None
    if view is not None and view.type.ndim == 1:
        scalar = view.type.element.value
        if not scalar.is_bool:
            return F64 if scalar.is_float else I64
    raise lw.err(
        source,
        f"`{shown(source)}`: the item type is unknown",
        "annotate the list: ys: list[float] = sorted(...)",
    )


def comprehension(
    lw: ExprLowerer,
    target: ast.Name,
    comp: ast.ListComp,
    element: Scalar | None,
    node: ast.stmt,
    again: bool = False,
) -> list[ir.Stmt]:
    """``[e for v in it if c]``: an empty list, then a loop appending ``e`` (``v`` renamed to
    a hidden local: a comprehension's variable does not leak into the function)."""
    if element is None and target.id in lw.lists:
        element = lw.lists[target.id].element
    loop = comprehension_loop(lw, target, comp)
    if element is None:
        raise lw.err(
            node,
            f"`{target.id}`: annotate a comprehension's item type",
            f"write {target.id}: list[float] = [...]",
        )
    ref = _bind(lw, target, element)
    return [ir.ListNew(node.lineno, node.col_offset, ref, [], again), *lw.block([loop])]


def comprehension_loop(lw: ExprLowerer, target: ast.Name, comp: ast.ListComp) -> ast.For:
    """The loop appending a comprehension's items to ``target`` (made empty before it)."""
    if len(comp.generators) != 1 or comp.generators[0].is_async:
        raise unsupported(lw, comp, "a comprehension with more than one `for`")
    gen = comp.generators[0]
    if not isinstance(gen.target, ast.Name):
        raise unsupported(lw, gen.target, "a comprehension variable that is not a plain name")
    made = target.id in lw.lists or target.id in lw.tuple_lists
    for name in ast.walk(comp):
        if isinstance(name, ast.Name) and name.id == target.id and made:
            raise unsupported(lw, name, f"making list `{target.id}` anew from itself")
        if isinstance(name, ast.Name) and name.id == target.id:  # NameError in Python
            raise lw.err(name, f"local variable `{target.id}` is used before it is assigned")
    hidden = lw.hidden("c")
    rename = Rename(gen.target.id, hidden)
    # (on copies: the function's AST is the user's, and may be lowered again)
    elt = rename.visit(copy.deepcopy(comp.elt))
    conds = [rename.visit(copy.deepcopy(c)) for c in gen.ifs]
    append: ast.stmt = ast.Expr(
        ast.Call(ast.Attribute(ast.Name(target.id, ast.Load()), "append", ast.Load()), [elt], [])
    )
    for cond in reversed(conds):
        append = ast.If(cond, [append], [])
    loop = ast.For(ast.Name(hidden, ast.Store()), gen.iter, [append], [])
    locate(loop, comp)
    return loop


def get(lw: ExprLowerer, ref: ir.ListRef, node: ast.Subscript) -> ir.Expr:
    return ir.ListGet(node.lineno, node.col_offset, ref.element, ref, index(lw, node))


def index(lw: ExprLowerer, node: ast.Subscript) -> ir.Expr:
    if isinstance(node.slice, ast.Slice):
        raise unsupported(lw, node, "a list slice (other than `ys = xs[a:b]`)")
    if isinstance(node.value, ast.Subscript):
        raise unsupported(lw, node, "indexing a list item")
    return lw.index(node.slice)


def store(lw: ExprLowerer, ref: ir.ListRef, target: ast.Subscript, value: ir.Expr) -> ir.Stmt:
    v = lw.coerce(value, ref.element, target, "stored value")
    return ir.ListSet(target.lineno, target.col_offset, ref, index(lw, target), v)


def aug_store(
    lw: ExprLowerer, ref: ir.ListRef, target: ast.Subscript, op: str, node: ast.AugAssign
) -> list[ir.Stmt]:
    """``xs[i] += v``: the index is evaluated once, the item read, then ``v``."""
    line, col = node.lineno, node.col_offset
    tmp = lw.temp(I64)
    at = ir.LocalGet(line, col, I64, tmp)
    current = ir.ListGet(line, col, ref.element, ref, at)
    value = lw.arith(op, current, lw.lower_scalar(node.value), node)
    value = lw.coerce(value, ref.element, node, "stored value")
    return [ir.SetLocal(line, col, tmp, index(lw, target)), ir.ListSet(line, col, ref, at, value)]


def method(
    lw: ExprLowerer, ref: ir.ListRef, node: ast.Call, statement: bool
) -> ir.Node | list[ir.Stmt]:
    """``xs.append(v)`` (a statement) and ``xs.pop()`` (an expression) here, the other
    methods in frontend/list_methods.py."""
    assert isinstance(node.func, ast.Attribute)
    name, line, col = node.func.attr, node.lineno, node.col_offset
    if name == "append" and len(node.args) == 1 and not node.keywords:
        if not statement:
            raise lw.err(node, "`append` returns None: call it as a statement")
        v = lw.coerce(lw.lower_scalar(node.args[0]), ref.element, node.args[0], "appended value")
        return ir.ListAppend(line, col, ref, v)
    if name == "pop" and not node.args and not node.keywords:
        return ir.ListPop(line, col, ref.element, ref)
    from portalis.lang.frontend import list_methods

    done = list_methods.method(lw, ref, node, statement)
    if done is None:
        raise unsupported(lw, node, f"`{ref.name}.{name}(...)` on a list")
    return done


def builtin(lw: ExprLowerer, name: str, ref: ir.ListRef, node: ast.Call) -> ir.Expr:
    """``len``/``sum``/``min``/``max`` of a list."""
    line, col = node.lineno, node.col_offset
    if len(node.args) != 1 or node.keywords:
        raise unsupported(lw, node, f"`{name}` of a list with more arguments")
    if name == "len":
        return ir.ListLen(line, col, I64, ref)
    if name == "sum":
        if ref.element.is_float:
            template, result = (_SUM_COMPENSATED if COMPENSATED_SUM else _SUM_FLOAT), F64
        else:
            template, result = _SUM_INT, I64
    elif name in ("min", "max"):
        template, result = _MIN_MAX.replace("OP", "<" if name == "min" else ">"), ref.element
    else:
        raise unsupported(lw, node, f"`{name}` of a list")
    names = {v: lw.hidden(v) for v in ("acc", "c", "i", "x", "t")}
    names["xs"] = ref.name
    body = [Rename(names).visit(s) for s in ast.parse(template).body]
    for s in body:
        locate(s, node, force=True)
    stmts = lw.block(body)
    return ir.Seq(line, col, result, stmts, ir.LocalGet(line, col, result, names["acc"]))


def for_each(
    lw: ExprLowerer, ref: ir.ListRef, node: ast.For, source: str | None = None
) -> list[ir.Stmt]:
    """``for x in xs``: CPython's list iterator, which reads the length afresh before each
    item (appending in the loop extends it, popping shortens it). The item is fetched and
    the position advanced before the body, so ``continue`` moves on. ``source``: the name
    the items are read through, when not ``ref``'s (a list of tuples, frontend/tuple_lists.py)."""
    i = lw.hidden("i")
    load, store = ast.Load(), ast.Store()
    name = source or ref.name
    length = ast.Call(ast.Name("len", load), [ast.Name(name, load)], [])
    item = ast.Subscript(ast.Name(name, load), ast.Name(i, load), load)
    start = ast.Assign([ast.Name(i, store)], ast.Constant(0))
    loop = ast.While(
        ast.Compare(ast.Name(i, load), [ast.Lt()], [length]),
        [
            ast.Assign([node.target], item),
            ast.AugAssign(ast.Name(i, store), ast.Add(), ast.Constant(1)),
            *node.body,
        ],
        [],
    )
    locate(start, node)
    locate(loop, node)
    return lw.block([start, loop])


def condition(lw: ExprLowerer, test: ast.expr) -> ast.expr:
    """``test`` with each list in a truth position (``while xs:``, ``if not xs or k:``) as
    ``len(xs) != 0``, as Python takes a list's truth value; ``test`` itself when it has none
    (the user's tree is never changed: a copy is rewritten)."""

    def is_list(node: ast.expr) -> bool:
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            return node.value.id in lw.nested_lists  # an inner list: adj[u]
        return isinstance(node, ast.Name) and (
            node.id in lw.lists or node.id in lw.tuple_lists or node.id in lw.nested_lists
        )

    def truth(node: ast.expr) -> ast.expr:
        if is_list(node):
            size = ast.Call(ast.Name("len", ast.Load()), [node], [])
            out: ast.expr = ast.Compare(size, [ast.NotEq()], [ast.Constant(0)])
            locate(out, node)
            return out
        if isinstance(node, ast.BoolOp):
            return ast.copy_location(ast.BoolOp(node.op, [truth(v) for v in node.values]), node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return ast.copy_location(ast.UnaryOp(node.op, truth(node.operand)), node)
        return node

    if not any(isinstance(n, ast.Name | ast.Subscript) and is_list(n) for n in ast.walk(test)):
        return test
    return truth(test)


def for_over_copy(lw: ExprLowerer, node: ast.For) -> list[ast.stmt] | None:
    """``for x in sorted(xs, ...)`` / ``for a, b in list(pairs)``: the new list bound to a
    hidden name first (Python makes it once, before the loop), then iterated; None when
    the loop iterates something else."""
    it = node.iter
    if not (
        isinstance(it, ast.Call)
        and isinstance(it.func, ast.Name)
        and it.func.id in ("sorted", "list")
        and it.func.id not in lw.scope
        and len(it.args) == 1
    ):
        return None
    from portalis.lang.frontend import tuple_lists

    source = it.args[0]
    is_range = isinstance(source, ast.Call) and lw.unit.builtin_name(source.func) == "range"
    if list_named(lw, source) is None and tuple_lists.named(lw, source) is None and not is_range:
        return None
    hidden = lw.hidden("sorted")
    bind = ast.Assign([ast.Name(hidden, ast.Store())], it)
    loop = ast.For(node.target, ast.Name(hidden, ast.Load()), node.body, node.orelse)
    locate(bind, node)
    locate(loop, node)
    return [bind, loop]


class Rename(ast.NodeTransformer):
    def __init__(self, names: dict[str, str] | str, to: str = "") -> None:
        self.names = names if isinstance(names, dict) else {names: to}

    def visit_Name(self, node: ast.Name) -> ast.Name:
        new = self.names.get(node.id)
        return ast.copy_location(ast.Name(new, node.ctx), node) if new else node


def rename(names: dict[str, str], tree: ast.stmt) -> ast.stmt:
    """``tree`` with names replaced by ``names`` (a template's placeholders)."""
    out = Rename(names).visit(tree)
    assert isinstance(out, ast.stmt)
    return out


def locate(tree: ast.AST, at: ast.AST, force: bool = False) -> None:
    """Give generated code the position of the Python it stands for (the user's own
    sub-expressions keep theirs unless ``force``: code parsed from a template)."""
    for child in ast.walk(tree):
        if "lineno" in child._attributes and (force or not hasattr(child, "lineno")):
            ast.copy_location(child, at)


__all__ = [
    "COMPENSATED_SUM",
    "ELEMENTS",
    "ITEM_NAMES",
    "condition",
    "create",
    "element_of",
    "for_over_copy",
    "is_list_annotation",
    "list_item",
    "list_named",
]
