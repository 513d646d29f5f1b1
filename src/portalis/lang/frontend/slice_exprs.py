"""Arithmetic on whole 1-D views: ``a[i, k + 1:] -= f * a[k, k + 1:]``, ``s *= 2.0``,
``a[lo:hi] = b[lo:hi] + c[lo:hi]`` — NumPy's elementwise semantics, as one loop.

NumPy evaluates the right side into a temporary array (every scalar in it once, before any
element is written), then applies the operator in place (``t -= tmp``) or copies it in
(``t = tmp``); extents must be equal (else ValueError). The compiler writes the loop that
gives the same elements without the temporary::

    a[i, k + 1:] -= f * a[k, k + 1:]        ~t = a[i, k + 1:]     (the target first, as
                                            ~x = f                 Python evaluates an
                                            ~s = a[k, k + 1:]      augmented target)
                                            if len(~s) != len(~t): raise ValueError(...)
                                            for ~j in range(len(~t)):
                                                ~t[~j] -= ~x * ~s[~j]

Element ``j`` is computed exactly as NumPy computes it (the same IEEE operations in the same
order; no fused multiply-add), so the only question is whether a source element is read
after the loop overwrote it. Element ``j`` reads source position ``j`` after writing target
positions ``0 … j - 1``; a slice of a row lies along its base's last axis, so a source can
meet the target only when both are views of the same array with the same leading indices,
and then a forward loop reads only unwritten elements when the source starts at or after the
target, a backward loop when it starts at or before. So:

* a source of another array, or the target itself, needs nothing (a NumPy argument is
  copied into its own block; two parameters given views of one block placed by the host,
  ``ArrayView``, are taken as distinct — docs/language.md says so);
* a source written with the target's very slice on the same array (``a[k, k + 1:]`` against
  ``a[i, k + 1:]``: the same pure bounds, any leading indices) is proven to be either the
  target itself or disjoint from it (rows differ) — no test, the forward loop;
* one other source of the same array: the loop's direction is chosen at run time from the
  two views' leading indices and starts (``a[1:] += a[:-1]`` runs backwards, as if through
  NumPy's temporary);
* two or more such sources (``u[1:-1] = u[:-2] + u[2:]``), or one where a view is strided
  (a column, a step), may need the temporary, and get it: a hidden array as long as the
  target's axis, made when the function starts (the target must be a parameter or a
  module array, whose extents are known then; else a located error names the fix), the
  value computed into it, then applied — NumPy's own order.

The operators are ``+ - * /`` and unary ``-``/``+``, on float64 and int64 views; each
operand is a 1-D view or a scalar. Extents follow NumPy's rule for 1-D operands: each
source has the target's extent or one element (broadcast: read once, before the loop);
anything else raises ValueError before any element is written. The loop where every extent
is equal (proven in range, vectorisable) is chosen at run time over the broadcasting one.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from portalis.lang import ir
from portalis.lang.frontend import rewrite, slice_rows
from portalis.lang.frontend.diagnostics import shown
from portalis.lang.types import ArrayType

if TYPE_CHECKING:
    from portalis.lang.frontend.exprs import View
    from portalis.lang.frontend.stmts import FunctionLowerer

#: The elementwise operators a whole-view expression may use.
_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div)
_UNARY = (ast.USub, ast.UAdd)
#: Element types whose NumPy arithmetic is the kernel's element arithmetic. float32 and
#: narrow ints are not: NumPy casts a Python number to the array's type first (NEP 50) and
#: computes in that type, where a kernel computes a float32 element times a float in double.
_ELEMENTS = ("float64", "int64")
_LOOP_HINT = "write the loop: for j in range(len(t)): t[j] -= f * s[j]"


@dataclass
class _Source:
    name: str  # the hidden name the view is bound to
    view: View
    node: ast.expr


@dataclass
class _Plan:
    """The statements binding the operands (in Python's order) and what the loop needs."""

    lw: FunctionLowerer
    stmt: ast.stmt
    views: dict[int, View]  # every view-valued operand node, by id
    frame: _Frame
    #: An operator is applied (not a plain fill or copy of a strided view)
    arithmetic: bool
    before: list[ir.Stmt] = field(default_factory=list)
    sources: list[_Source] = field(default_factory=list)

    def hidden(self, hint: str) -> str:
        return self.lw.hidden(hint)

    def element(self, e: ast.expr, j: str) -> ast.expr:
        """The expression computing element ``j`` of ``e``, its operands bound first."""
        if id(e) in self.views:
            name = self.hidden("s")
            view = self.views[id(e)]
            self.bind(name, view, e)
            self.sources.append(_Source(name, view, e))
            return ast.copy_location(ast.Name(_PLACEHOLDER + name, ast.Load()), e)
        if not _contains(e, self.views):
            if isinstance(e, ast.Constant):
                return e
            name = self.hidden("x")  # a scalar: evaluated once, before any element
            hoist = rewrite.statements("x = e", e, {"x": name}, {"e": e})
            self.before += self.lw.block(hoist)
            return rewrite.expression("x", e, {"x": name})
        if isinstance(e, ast.BinOp) and isinstance(e.op, _OPERATORS):
            left = self.element(e.left, j)
            right = self.element(e.right, j)
            return ast.copy_location(ast.BinOp(left, e.op, right), e)
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, _UNARY):
            return ast.copy_location(ast.UnaryOp(e.op, self.element(e.operand, j)), e)
        raise self.lw.err(
            e,
            f"`{shown(e)}` on whole arrays is not supported: elementwise expressions over "
            "views take + - * / and unary -",
            _LOOP_HINT,
        )

    def bind(self, name: str, view: View, node: ast.expr) -> None:
        if view.type.ndim != 1:
            raise self.lw.err(
                node,
                f"`{shown(node)}` is a {view.type.ndim}-D view: arithmetic on whole views "
                "takes 1-D views (a[lo:hi], m[i], m[i, lo:hi])",
                "loop over the rows: for i in range(m.shape[0]): m[i, lo:hi] += ...",
            )
        if self.arithmetic and view.type.element.numpy not in _ELEMENTS:
            raise self.lw.err(
                node,
                f"`{shown(node)}` holds {view.type.element.numpy}: arithmetic on whole views "
                "takes float64 and int64 arrays",
                "NumPy computes narrower types with its own casting rules for Python numbers; "
                + _LOOP_HINT,
            )
        target = rewrite.expression("v", node, {"v": name})
        assert isinstance(target, ast.Name)
        self.before += self.lw.bind_view(target, view, node)


@dataclass
class _Frame:
    """How the loop counts and addresses elements. Where the target is written as a slice of
    a named array (``a[i, k + 1:]``), the loop counts the base array's own column ``~j``
    from the slice's start and indexes the array itself (``a[~t.i0, ~j]``, as a
    hand-written loop does: the vectoriser takes it); sources written with the same slice
    of the same array index it the same way (their start and length are the target's),
    other sources are indexed ``s[~j - start]``. Otherwise ``~j`` counts from 0 and every
    operand is indexed through its view."""

    t: str  # the target view's hidden name
    j: str  # the loop counter's
    target: View
    node: ast.expr  # the target as written
    array: str | None  # the base array's name where the loop indexes it directly
    #: NumPy's temporary, where the compiler cannot order the reads (_scratch)
    scratch: str | None = None

    @property
    def start(self) -> str:
        return f"{self.t}.start" if self.array and self.target.start is not None else "0"

    def indexed(self, name: str, depth: int) -> str:
        """``array[name.i0, …, ~j]`` in template form."""
        assert self.array is not None
        lead = [f"{name}.i{k}" for k in range(depth)]
        return f"{self.array}[{', '.join([*lead, self.j])}]"

    def access(self, source: _Source, single: str | None = None) -> ast.expr:
        """Element ``~j`` of ``source``; with ``single`` (a local holding its element when
        it has just one, which NumPy broadcasts) that local where it has one."""
        name, view, node = source.name, source.view, source.node
        if self.same(view, node):
            return _text(self.indexed(name, view.depth), node)
        k = f"{self.j} - {self.start}" if self.start != "0" else self.j
        if single is not None:
            return _text(f"{single} if len({name}) == 1 else {name}[{k}]", node)
        return _text(f"{name}[{k}]", node)

    def same(self, view: View, node: ast.expr) -> bool:
        """Whether ``node`` is the target's own slice of the same array (same elements)."""
        return (
            self.array is not None
            and view.base.name == self.target.base.name
            and _same_slice(node, self.node)
        )

    def store(self) -> str:
        return self.indexed(self.t, self.target.depth) if self.array else f"{self.t}[{self.j}]"


def _text(template: str, at: ast.AST) -> ast.expr:
    """``template``'s names are hidden ones (``~t3.i0``) written with a placeholder dot."""
    names: dict[str, str] = {}

    def placeholder(word: str) -> str:
        key = "P" + str(len(names))
        names[key] = word
        return key

    text = re.sub(r"~[\w.~]*", lambda m: placeholder(m.group(0)), template)
    return rewrite.expression(text, at, names)


def _contains(e: ast.expr, views: dict[int, View]) -> bool:
    return any(id(n) in views for n in ast.walk(e))


def _operands(lw: FunctionLowerer, e: ast.expr, views: dict[int, View]) -> None:
    """Every view-valued operand of ``e`` into ``views`` (not inside an index: ``a[b[i]]``
    is an element)."""
    if isinstance(e, ast.Name | ast.Subscript):
        view = lw.view_of(e)
        if view is not None:
            views[id(e)] = view
        return
    for child in ast.iter_child_nodes(e):
        if isinstance(child, ast.expr):
            _operands(lw, child, views)


def lower(
    lw: FunctionLowerer,
    stmt: ast.Assign | ast.AugAssign,
    target: ast.Name | ast.Subscript,
    target_view: View,
) -> list[ir.Stmt] | None:
    """``stmt``, which assigns to ``target``, the view ``target_view`` (stmts.py's
    ``whole_view`` found it so), as an elementwise loop when its value involves views (or,
    augmented, anything); None when it is not such a statement (an element store, a fill
    or copy: assign_views.py)."""
    views: dict[int, View] = {}
    _operands(lw, stmt.value, views)
    plain = isinstance(stmt, ast.Assign) and (not views or id(stmt.value) in views)
    if plain and not _strided(target_view) and not any(map(_strided, views.values())):
        return None  # a fill (a[lo:hi] = 0.0) or a copy (a[lo:hi] = b): assign_views.py
    if isinstance(stmt, ast.AugAssign) and not isinstance(stmt.op, _OPERATORS):
        raise lw.err(
            stmt,
            f"`{shown(target)} {_SYMBOLS.get(type(stmt.op), '?')}= ...` on a whole view is not "
            "supported: elementwise expressions over views take + - * / and unary -",
            _LOOP_HINT,
        )
    if target_view.type.ndim == 2:  # m *= 0.5, x -= mean: the 1-D statement on each row
        return slice_rows.by_rows(lw, stmt, target, target_view, views)
    direct = (
        not _strided(target_view)
        and isinstance(target, ast.Subscript)
        and isinstance(target.value, ast.Name)
        and target.value.id not in lw.views
        and lw.array_of(target.value) is not None
    )
    frame = _Frame(
        lw.hidden("t"), lw.hidden("j"), target_view, target,
        target.value.id if direct else None,  # type: ignore[union-attr]
    )  # fmt: skip
    plan = _Plan(lw, stmt, views, frame, arithmetic=not plain)
    if isinstance(stmt, ast.AugAssign):  # Python evaluates an augmented target first
        plan.bind(frame.t, target_view, target)
    value = plan.element(stmt.value, frame.j)
    if isinstance(stmt, ast.Assign):
        plan.bind(frame.t, target_view, target)
    unordered = [
        s
        for s in plan.sources
        if s.view.base.name == target_view.base.name and not _same_slice(s.node, target)
    ]
    if len(unordered) > 1 or (
        unordered and (_strided(target_view) or any(_strided(u.view) for u in unordered))
    ):  # no loop order reads only unwritten elements: NumPy's temporary it is
        frame.scratch = _scratch(lw, target_view, stmt, unordered)
        unordered = []
    out = list(plan.before)
    t, line, col = frame.t, stmt.lineno, stmt.col_offset
    checked = [s for s in plan.sources if not frame.same(s.view, s.node)]
    for s in checked:  # NumPy's rule for 1-D operands: the target's extent, or one element
        out += lw.block(
            rewrite.statements(
                "if len(S) != len(T) and len(S) != 1:\n"
                "    raise ValueError(f'operands could not be broadcast together with shapes "
                "({len(S)},) ({len(T)},)')",
                stmt,
                {"T": t, "S": s.name},
            )
        )
    unit = {s.name: frame.access(s) for s in plan.sources}
    if not checked:
        return out + lw.block(_loops(lw, stmt, frame, value, unit, unordered))
    # Every extent equal (the loop a kernel means): indices proven in range, vectorisable.
    # Otherwise some source has one element, broadcast: its index times a stride of 0.
    equal = " and ".join(f"len({s.name}) == len({t})" for s in checked)
    test = lw.truth(lw.lower_scalar(_text(equal, stmt)), stmt)
    saved = dict(lw.same_extents)
    root = lw.same_extents.get((t, 0), (t, 0))
    for s in checked:
        lw.same_extents[(s.name, 0)] = root
    lw.same_extents[(t, 0)] = root
    fast = lw.block(_loops(lw, stmt, frame, value, unit, unordered))
    lw.same_extents.clear()
    lw.same_extents.update(saved)
    # A one-element source is read once, before the loop writes anything (NumPy reads it
    # into its temporary), so no direction or overlap matters for it.
    singles = {s.name: lw.hidden("e") for s in checked}
    broadcast: list[ast.stmt] = []
    for name, single in singles.items():
        broadcast += rewrite.statements(
            "E = S[0] if len(S) == 1 else 0", stmt, {"E": single, "S": name}
        )
    accesses = {**unit, **{s.name: frame.access(s, singles[s.name]) for s in checked}}
    broadcast += _loops(lw, stmt, frame, value, accesses, unordered)
    general = lw.block(broadcast)
    return [*out, ir.If(line, col, test, fast, general)]


def _loops(
    lw: FunctionLowerer,
    stmt: ast.Assign | ast.AugAssign,
    frame: _Frame,
    value: ast.expr,
    accesses: dict[str, ast.expr],
    unordered: list[_Source],
) -> list[ast.stmt]:
    """The loop over the target, its sources read through ``accesses``; two, chosen at run
    time, where one source of the target's array is not proven apart from it."""
    t, first, length = frame.t, frame.start, f"len({frame.t})"
    if first == "0":
        counts, back = f"range({length})", f"range({length} - 1, -1, -1)"
    else:
        counts = f"range({first}, {first} + {length})"
        back = f"range({first} + {length} - 1, {first} - 1, -1)"
    element = _Sources(accesses).visit(copy.deepcopy(value))
    if frame.scratch is not None:  # the value into the temporary, then onto the target
        k = f"{frame.j} - {first}" if first != "0" else frame.j
        held = _text(f"{frame.scratch}[{k}]", stmt)
        into = rewrite.statements("H = value", stmt, {}, {"H": held, "value": element})
        counter = _text(frame.j, stmt)
        assert isinstance(counter, ast.Name)
        counter.ctx = ast.Store()
        fill = ast.copy_location(ast.For(counter, _text(counts, stmt), into, []), stmt)
        return [fill, *_loop(stmt, held, frame, counts)]
    forward = _loop(stmt, element, frame, counts)
    if not unordered:
        return forward
    backward = _loop(stmt, element, frame, back)
    ahead = _starts_ahead(lw, unordered[0], t, frame.target, stmt)
    return [ast.copy_location(ast.If(ahead, forward, backward), stmt)]


#: Marks a source's element in the value before the loop's form of it is chosen (no Python
#: name starts with it).
_PLACEHOLDER = "@"


class _Sources(ast.NodeTransformer):
    def __init__(self, accesses: dict[str, ast.expr]) -> None:
        self.accesses = accesses

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id.startswith(_PLACEHOLDER):
            return copy.deepcopy(self.accesses[node.id[len(_PLACEHOLDER) :]])
        return node


_SYMBOLS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
    ast.Mod: "%", ast.Pow: "**", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
}  # fmt: skip


def _loop(stmt: ast.stmt, value: ast.expr, frame: _Frame, counts: str) -> list[ast.stmt]:
    """``for ~j in <counts>: <target element> (op)= value``."""
    op = _SYMBOLS[type(stmt.op)] if isinstance(stmt, ast.AugAssign) else ""
    loop = _text(f"{counts}", stmt)
    body = rewrite.statements(
        f"T {op}= value", stmt, {}, {"T": _text(frame.store(), stmt), "value": value}
    )
    counter = _text(frame.j, stmt)
    assert isinstance(counter, ast.Name)
    counter.ctx = ast.Store()
    return [ast.copy_location(ast.For(counter, loop, body, []), stmt)]


def _scratch(lw: FunctionLowerer, target: View, stmt: ast.stmt, unordered: list[_Source]) -> str:
    """A hidden array as long as the target's axis, made when the function starts (from the
    parameter's extent, so once per call, freed on return like any array it makes): the
    value is computed into it, then applied to the target, as NumPy does."""
    base = target.base
    parameter = lw.arrays.get(base.name) is base and base.name not in lw.owned
    state = base.name in lw.unit.state_arrays and base.name not in lw.scope
    if not (parameter or state):
        raise lw.err(
            stmt,
            f"`{shown(stmt)}` reads `{base.name}` through views that may overlap the target "
            f"(`{shown(unordered[0].node)}`): NumPy evaluates them into a temporary first, "
            "made here only for parameters and module arrays",
            f"copy one first at the top level (c = {shown(unordered[0].node)}.copy()), or "
            "write the loop",
        )
    line, col = stmt.lineno, stmt.col_offset
    name = lw.hidden("tmp")
    ref = ir.ArrayRef(name, ArrayType(base.type.element, 1))
    lw.arrays[name] = ref
    extent = lw.dim(stmt, base, target.depth)
    zero = ir.Const(line, col, base.type.element.value, 0)
    lw.prologue.append(ir.AllocArray(line, col, ref, [extent], zero))
    return name


def _strided(view: View) -> bool:
    """A column or a stepped slice: read and written element by element only."""
    return view.column is not None or view.step is not None


#: Node kinds a slice bound may contain and still be known to give the same value when
#: written twice in one statement (nothing in it assigns or calls anything but len).
_PURE = (
    ast.Name, ast.Constant, ast.BinOp, ast.UnaryOp, ast.Attribute, ast.Subscript, ast.Load,
    ast.operator, ast.unaryop, ast.Slice, ast.Tuple,
)  # fmt: skip


def _same_slice(source: ast.expr, target: ast.expr) -> bool:
    """Whether ``source`` is written as ``target``'s slice of the same array: the same
    array name, the same number of leading indices, the same pure slice — so the two are
    the same elements (equal leading indices) or disjoint (a 1-D view lies in one row)."""
    if not (isinstance(source, ast.Subscript) and isinstance(target, ast.Subscript)):
        return False
    if not (isinstance(source.value, ast.Name) and isinstance(target.value, ast.Name)):
        return False
    if source.value.id != target.value.id:
        return False
    a, b = _parts(source.slice), _parts(target.slice)
    if len(a) != len(b) or not a or not isinstance(a[-1], ast.Slice):
        return False
    if any(isinstance(x, ast.Slice) for x in a[:-1] + b[:-1]):
        return False
    return _pure(a[-1]) and ast.dump(a[-1]) == ast.dump(b[-1])


def _parts(index: ast.expr) -> list[ast.expr]:
    return list(index.elts) if isinstance(index, ast.Tuple) else [index]


def _pure(node: ast.AST) -> bool:
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            if not (isinstance(n.func, ast.Name) and n.func.id == "len" and not n.keywords):
                return False
        elif not isinstance(n, _PURE):
            return False
    return True


def _starts_ahead(lw: FunctionLowerer, s: _Source, t: str, target: View, at: ast.stmt) -> ast.expr:
    """The test that the forward loop is exact: ``s`` lies in another row than ``~t`` (a
    leading index differs), or starts at or after it."""
    tests = [f"S_i{k} != T_i{k}" for k in range(target.depth)]
    tests.append(
        f"{'S_start' if s.view.start is not None else '0'} >= "
        f"{'T_start' if target.start is not None else '0'}"
    )
    names = {"S_start": f"{s.name}.start", "T_start": f"{t}.start"}
    for k in range(target.depth):
        names[f"S_i{k}"], names[f"T_i{k}"] = f"{s.name}.i{k}", f"{t}.i{k}"
    return rewrite.expression(" or ".join(tests), at, names)
