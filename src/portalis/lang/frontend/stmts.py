"""Statements and whole functions: a table from AST statement type to its handler.

Python's scoping rule is kept: a name assigned anywhere in a function is local to all of it
unless declared ``global``. A local's type is fixed by its first assignment (or annotation);
later assignments may widen into it (int → float) but never silently narrow.
"""

from __future__ import annotations

import ast
import copy
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from portalis.errors import CompileError
from portalis.lang import ir
from portalis.lang.frontend import (
    astwalk,
    bounds,
    lazy,
    lists,
    messages,
    narrow_stores,
    rebind,
    results,
    returns,
)
from portalis.lang.frontend.diagnostics import operator_text, shown
from portalis.lang.frontend.exprs import BINARY_OPS, ExprLowerer, View
from portalis.lang.frontend.unit import FunctionSig
from portalis.lang.types import (
    BOOL,
    ELEMENT_NAMES,
    F32,
    I32,
    I64,
    NONE,
    ArrayType,
    ListType,
    ResultTuple,
    Scalar,
    TupleType,
)

if TYPE_CHECKING:
    from portalis.lang.frontend import fancy_rows, heaps, list_calls, nested_lists, tuple_lists
    from portalis.lang.frontend.program import Program
else:  # imported once a kernel uses them (frontend/lazy.py)
    fancy_rows = lazy.module("portalis.lang.frontend.fancy_rows")
    heaps = lazy.module("portalis.lang.frontend.heaps")
    list_calls = lazy.module("portalis.lang.frontend.list_calls")
    nested_lists = lazy.module("portalis.lang.frontend.nested_lists")
    tuple_lists = lazy.module("portalis.lang.frontend.tuple_lists")


def lower_function(program: Program, sig: FunctionSig) -> ir.Function:
    return FunctionLowerer(program, sig).run()


class _BodyNames:
    """What one walk of a function's body finds (:func:`_assigned_names`). A plain class:
    a NamedTuple would cost a process's first build (which imports this module) ~0.2 ms."""

    __slots__ = ("assigned", "assigns", "bindings", "counts", "declared", "returns")

    def __init__(
        self,
        assigned: set[str],
        declared: set[str],
        counts: dict[str, int],
        returns: list[ast.Return],
        assigns: list[ast.Assign],
        bindings: list[ast.AST],
    ) -> None:
        self.assigned = assigned  # names it assigns (Python makes them local), less declared
        self.declared = declared  # names it declares global
        self.counts = counts  # how many times each name is bound (bounds.assigned_names)
        self.returns = returns  # its return statements (for _result_names)
        self.assigns = assigns  # its assignments (for rebind.count_swaps)
        #: its assignments, augmented and annotated assignments, for loops and
        #: comprehensions, in walk order (for provenance.numpy_locals)
        self.bindings = bindings


def _assigned_names(body: list[ast.stmt]) -> _BodyNames:
    """The names a function's body assigns and declares, and the statements later steps
    look at, in one walk."""
    assigned: set[str] = set()
    declared: set[str] = set()
    counts: dict[str, int] = {}
    returns: list[ast.Return] = []
    assigns: list[ast.Assign] = []
    bindings: list[ast.AST] = []
    Name, Store = ast.Name, ast.Store
    binding = _BINDINGS
    for stmt in body:
        for n in astwalk.nodes(stmt):
            cls = n.__class__
            if cls is Name:
                if n.ctx.__class__ is Store:  # type: ignore[attr-defined]
                    ident = n.id  # type: ignore[attr-defined]
                    assigned.add(ident)
                    counts[ident] = counts.get(ident, 0) + 1
            elif cls in binding:
                bindings.append(n)
                if cls is ast.Assign:
                    assigns.append(n)  # type: ignore[arg-type]
            elif cls is ast.Global:
                declared.update(n.names)  # type: ignore[attr-defined]
            elif cls is ast.Return:
                returns.append(n)  # type: ignore[arg-type]
    return _BodyNames(assigned - declared, declared, counts, returns, assigns, bindings)


def _list_indexed(node: ast.Subscript) -> bool:
    """Whether ``node`` indexes with a list first (``a[[k, p]]``, ``a[[k, p], :]``): only
    then may it pick rows (frontend/fancy_rows.py)."""
    index = node.slice
    if isinstance(index, ast.Tuple) and index.elts:
        index = index.elts[0]
    return isinstance(index, ast.List)


#: The nodes provenance.numpy_locals looks at (AST classes have no subclasses).
_BINDINGS = frozenset({ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.comprehension})


#: NumPy's array constructors a function may call (``a = np.zeros(n)``), by what they fill.
ARRAY_MAKERS = {
    "numpy.zeros": "zeros",
    "numpy.empty": "empty",
    "numpy.ones": "ones",
    "numpy.full": "full",
    "numpy.zeros_like": "zeros_like",
    "numpy.empty_like": "empty_like",
    "numpy.ones_like": "ones_like",
    "numpy.full_like": "full_like",
    "zeros": "zeros",
}


class FunctionLowerer(ExprLowerer):
    def __init__(self, program: Program, sig: FunctionSig) -> None:
        super().__init__(program, sig)
        self.loop_depth = 0
        self.swapped: Counter[str] = Counter()
        #: per enclosing `for x in <arrays>` loop: the arrays it walks
        self.iterating: list[set[str]] = []
        #: arrays made with one shape (a copy or *_like of one another): swappable
        self.shape_groups: dict[str, str] = {}
        #: statements run when the function starts, before its body: the scratch arrays
        #: whole-view arithmetic needs (frontend/slice_exprs.py), sized from parameters
        self.prologue: list[ir.Stmt] = []
        #: the body's binding statements, found by run()'s walk (provenance.numpy_locals)
        self.binding_nodes: list[ast.AST] | None = None

    def run(self) -> ir.Function:
        sig, node = self.sig, self.sig.node
        for p in sig.params:
            if isinstance(p.type, ArrayType):
                self.arrays[p.name] = ir.ArrayRef(p.name, p.type)
            elif isinstance(p.type, ListType):  # its three values are parameters
                self.lists[p.name] = ir.ListRef(p.name, p.type.element)
            else:
                self.locals[p.name] = p.type
        names = _assigned_names(node.body)
        self.scope, self.globals_declared, self.store_counts = (
            names.assigned,
            names.declared,
            names.counts,
        )
        self.swapped = rebind.count_swaps(names.assigns)  # u, new = new, u: not a re-make
        self.binding_nodes = names.bindings
        self.scope |= {p.name for p in sig.params}
        for g in self.globals_declared:
            if g not in self.sig.unit.state_scalars and g not in self.sig.unit.state_arrays:
                raise self.err(
                    node,
                    f"`global {g}`: no module-level state named `{g}`",
                    f"declare it at module level, e.g. `{g}: float = 0.0`",
                )
        body = node.body
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            body = body[1:]
        self.top_level = {id(stmt) for stmt in body}
        stmts = self.block(body)
        stmts = self.prologue + stmts
        if sig.result != NONE and not returns.always_exits(body):
            raise self.err(
                node,
                f"function `{sig.name}` is declared `-> {sig.result}` but can reach the end "
                "of its body without returning (missing return statement)",
                "return a value (or raise) on every path; Python would return None there",
            )
        params, result = list(sig.params), sig.result
        if sig.passes_lists:  # lists in and out as three values each (list_calls.py)
            params, result = list_calls.wire_params(sig), list_calls.wire_result(sig)
            if sig.result == NONE and not returns.always_exits(body):
                stmts += list_calls.falls_off(self, node)
        local_types = {k: v for k, v in self.locals.items() if k not in {p.name for p in params}}
        return ir.Function(
            name=sig.name,
            symbol=sig.symbol,
            params=params,
            result=result,
            body=stmts,
            locals=local_types,
            exported=sig.exported,
            library=bool(sig.unit.prefix) or sig.name in sig.unit.library_functions,
            line=node.lineno,
            doc=sig.doc,
            result_names=_result_names(names.returns),
        )

    def block(self, body: list[ast.stmt]) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for stmt in body:
            handler = self.stmt_handlers.get(type(stmt))
            if handler is None:
                raise self.d.unsupported(stmt)
            out.extend(handler(self, stmt))
        return out

    # -- assignment ---------------------------------------------------------------------

    def assign_to(self, target: ast.expr, value: ir.Expr, node: ast.AST) -> list[ir.Stmt]:
        line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
        if isinstance(target, ast.Name):
            n = target.id
            if n in self.globals_declared:
                if n in self.unit.state_scalars:
                    s = self.unit.state_scalars[n]
                    return [
                        ir.SetGlobal(
                            line, col, s.symbol, self.coerce(value, s.type, target, f"`{n}`")
                        )
                    ]
                raise self.err(
                    target,
                    f"persistent array `{n}` cannot be rebound",
                    f"assign its elements instead: {n}[i] = ...",
                )
            if n in self.arrays:
                raise self.err(target, f"array parameter `{n}` cannot be rebound")
            if n in self.views:
                raise self.err(target, f"`{n}` names an array view and cannot hold a number")
            if n in self.lists or n in self.tuple_lists or n in self.nested_lists:
                raise self.err(target, f"`{n}` names a list and cannot hold a number")
            if isinstance(value.ty, TupleType):
                raise self.err(target, "a tuple must be unpacked: a, b = ...")
            t = self.scalar(value, target, f"value assigned to `{n}`")
            if n not in self.locals:
                self.locals[n] = t
                self.typed_at[n] = node
            elif t.is_float and not self.locals[n].is_float:
                raise self.int_local_gets_float(n, target)
            return [
                ir.SetLocal(
                    line,
                    col,
                    n,
                    self.coerce(value, self.locals[n], target, f"value assigned to `{n}`"),
                )
            ]
        if isinstance(target, ast.Subscript):
            ref = lists.list_named(self, target.value)
            if ref is not None:
                return [lists.store(self, ref, target, value)]
            if self.tuple_lists and tuple_lists.named(self, target.value) is not None:
                raise self.err(target, "store a tuple into a list of tuples as xs[i] = (a, b)")
            if (
                self.nested_lists
                and (stored := nested_lists.store(self, target, value)) is not None
            ):
                return stored
            whole = self.view_of(target)
            if whole is not None:  # a[lo:hi] = 0.0, m[i] = v: every element of the view
                from portalis.lang.frontend import assign_views

                return assign_views.fill(self, target, whole, value)
            base, idx_nodes = self.split_subscript(target)
            view = self.view_of(base)
            if view is None:
                if self.table_of(base) is not None:
                    raise self.err(
                        target,
                        "constant tables are read-only",
                        "use a persistent array (zeros(...)) for mutable data",
                    )
                raise self.err(target, f"`{shown(base)}` cannot be assigned into")
            arr = view.base
            # Python evaluates the value before the indices.
            elem = arr.element.value
            source = (
                node.value if isinstance(node, ast.Assign) and node.targets == [target] else None
            )
            value = narrow_stores.checked(self, value, arr.element, source, target)
            v = self.coerce(value, elem, target, "stored value", narrowing=True)
            tmp = self.temp(elem)
            out: list[ir.Stmt] = [ir.SetLocal(line, col, tmp, v)]
            indices, safe, nonneg = self.view_access(view, idx_nodes, target)
            out.append(
                ir.Store(
                    line,
                    col,
                    arr,
                    indices,
                    ir.LocalGet(line, col, elem, tmp),
                    safe,
                    nonneg,
                )
            )
            return out
        if isinstance(target, ast.Tuple | ast.List):
            raise self.err(target, "nested tuple targets are not supported")
        raise self.err(
            target,
            f"cannot assign to {shown(target)}",
            "assign to a name or an array element",
        )

    def assign(self, node: ast.Assign) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        if len(node.targets) > 1:
            value = self.lower_scalar(node.value)
            tmp = self.temp(self.scalar(value, node.value))
            out.append(ir.SetLocal(node.lineno, node.col_offset, tmp, value))
            for t in node.targets:
                out += self.assign_to(
                    t, ir.LocalGet(node.lineno, node.col_offset, value.ty, tmp), node
                )
            return out
        target = node.targets[0]
        if (swap := rebind.swap(self, node)) is not None:
            return swap
        if isinstance(target, ast.Tuple | ast.List):
            return self.unpack(target, node.value, node)
        if (
            isinstance(target, ast.Subscript)
            and self.tuple_lists
            and (made := tuple_lists.named(self, target.value))
        ):
            return tuple_lists.store(self, made, target, node.value)
        if isinstance(target, ast.Subscript) and self.nested_lists:
            nested_lists.refuse_replacing(self, target)
        if isinstance(target, ast.Subscript) and (
            (_list_indexed(target) and (rows := fancy_rows.lower(self, node)) is not None)
            or (rows := self.whole_view(node)) is not None
        ):  # a[[k, p]] = a[[p, k]]; a[lo:hi] = b[lo:hi] * 2.0 (elementwise over views)
            return rows
        if isinstance(target, ast.Name) and lists.makes_list(self, node.value):
            return lists.create(self, target, node.value, None, node)
        if isinstance(target, ast.Name) and isinstance(node.value, ast.Call):
            kind = self.array_maker(node.value)
            if kind is not None and (own := rebind.copy_param(self, target, node.value, node)):
                return own
            if kind is not None:
                return self.local_array(target, node.value, kind, node)
            call = results.array_call(self, node.value)
            if call is not None:
                return results.bind(self, target, call, node)
        if isinstance(target, ast.Name) and isinstance(node.value, ast.Name | ast.Subscript):
            view = self.view_of(node.value)
            if view is not None:
                return self.bind_view(target, view, node)
        if (
            isinstance(target, ast.Subscript)
            and (view := self.view_of(target)) is not None
            and (source := self.view_of(node.value)) is not None
        ):  # new[:, :] = u, m[k] = m[p]: a copy into the view
            from portalis.lang.frontend import assign_views

            return assign_views.copy(self, target, view, node.value, source)
        self.note_extent_alias(target, node.value)
        return self.assign_to(target, self.lower(node.value), node)

    def local_array(
        self, target: ast.Name, call: ast.Call, kind: str, node: ast.Assign
    ) -> list[ir.Stmt]:
        """``a = np.zeros(shape)`` and friends: a new array of run-time size, for this call
        (ir.AllocArray). It is made once, at the top level of the function, so its address
        and extents never change while the function runs (what the bounds and loop
        analyses rely on) and it is freed on every return."""
        self.check_made_once(target, node)
        group = rebind.group_of(self, rebind.maker_source(call, kind))
        alloc = self.make_array(target.id, call, kind)
        self.owned.add(target.id)
        if group is not None:
            self.shape_groups[target.id] = group
        return [alloc]

    def check_made_once(self, target: ast.Name, node: ast.Assign) -> None:
        """A local array is bound once, at the top level, under a name bound nowhere else."""
        n = target.id
        if id(node) not in self.top_level or self.store_counts.get(n, 0) - self.swapped[n] != 1:
            raise self.err(
                node,
                f"`{n}`: a local array is created once, at the top level of the function",
                "create it before loops and branches (reuse it inside them), under a name "
                "assigned nowhere else",
            )
        if n in self.arrays or n in self.views or n in self.locals:
            raise self.err(target, f"`{n}` already names something else")

    def array_maker(self, node: ast.expr) -> str | None:
        """What ``node`` makes if it is an array constructor (``np.zeros`` …, ``a.copy()``,
        ``np.copy(a)``): its kind; else None."""
        if not isinstance(node, ast.Call):
            return None
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr == "copy" and self.view_of(f.value):
            return "copy"
        maker = self.unit.builtin_name(f)
        return "copy" if maker == "numpy.copy" else ARRAY_MAKERS.get(maker or "")

    def make_array(self, n: str, call: ast.Call, kind: str) -> ir.AllocArray:
        """The :class:`ir.AllocArray` for array ``n`` made by ``call`` (of ``kind``)."""
        line, col = call.lineno, call.col_offset
        if kind == "copy":
            return self.array_copy(n, call)
        args = list(call.args)
        keywords = {k.arg: k.value for k in call.keywords}
        if None in keywords or not set(keywords) <= {"dtype", "fill_value", "shape"}:
            raise self.err(call, f"{kind}(): only shape, fill_value and dtype are supported")
        like = kind.endswith("_like")
        want = 2 if kind.startswith("full") else 1
        if len(args) + len(keywords) < want or len(args) > want + 1:
            raise self.err(call, f"write {kind}(shape{', fill_value' if want == 2 else ''})")
        dtype = args[want] if len(args) > want else keywords.get("dtype")
        fill_node = (
            (args[1] if len(args) > 1 else keywords.get("fill_value")) if want == 2 else None
        )
        if like:
            source = self.view_of(args[0])
            if source is None:
                raise self.err(args[0], f"{kind}() takes an array")
            dims = [self.view_dim(call, source, k) for k in range(source.type.ndim)]
            element = source.type.element
        elif (same := self.shape_of(args[0] if args else keywords["shape"])) is not None:
            dims = same  # np.zeros(a.shape)
            element = ELEMENT_NAMES["f64"]
        else:
            shape = args[0] if args else keywords["shape"]
            items = shape.elts if isinstance(shape, ast.Tuple) else [shape]
            if not 1 <= len(items) <= 8:
                raise self.err(shape, "an array has 1 to 8 dimensions")
            dims = []
            for item in items:
                d = self.lower_scalar(item)
                if self.scalar(d, item).is_float:
                    raise self.err(item, "array dimensions are ints (NumPy raises TypeError)")
                dims.append(self.coerce(d, I64, item, "array dimension"))
            element = ELEMENT_NAMES["f64"]
        fill: ir.Expr | None = None
        if fill_node is not None:
            fill = self.lower_scalar(fill_node)
            if dtype is None and not like:
                t = self.scalar(fill, fill_node)
                element = ELEMENT_NAMES["f64" if t.is_float else ("bool" if t.is_bool else "i64")]
        if dtype is not None:
            element = self.unit.parse_element(dtype)
        value = element.value
        if fill is None:
            fill = ir.Const(line, col, value, 1 if kind.startswith("ones") else 0)
        else:
            fill = self.coerce(fill, value, fill_node or call, "fill value")
        ref = ir.ArrayRef(n, ArrayType(element, len(dims)))
        self.arrays[n] = ref
        return ir.AllocArray(line, col, ref, dims, fill)

    def array_copy(self, n: str, call: ast.Call) -> ir.AllocArray:
        """``a.copy()`` / ``np.copy(a)``: a new C-contiguous array with ``a``'s elements."""
        f = call.func
        method = isinstance(f, ast.Attribute) and f.attr == "copy" and not call.args
        if call.keywords or (method and call.args) or (not method and len(call.args) != 1):
            raise self.err(call, "write a.copy() or np.copy(a) (no other arguments)")
        source_node = f.value if method and isinstance(f, ast.Attribute) else call.args[0]
        view = self.view_of(source_node)
        if view is None:
            raise self.err(source_node, f"`{shown(source_node)}` is not an array to copy")
        dims = [self.view_dim(call, view, k) for k in range(view.type.ndim)]
        ref = ir.ArrayRef(n, view.type)
        self.arrays[n] = ref
        line, col = call.lineno, call.col_offset
        from portalis.lang.frontend import slices

        source = slices.array_arg(self, call, view)
        zero = ir.Const(line, col, view.type.element.value, 0)
        return ir.AllocArray(line, col, ref, dims, zero, source)

    def bind_view(self, target: ast.Name, view: View, node: ast.AST) -> list[ir.Stmt]:
        """``row = a[i]``: ``row`` names row ``i`` of ``a`` (no copy, as in NumPy). Its
        leading indices are checked now and kept in locals ``row.i0`` …, so rebinding it in
        a loop moves it. A name is a view of one array at one depth throughout the function,
        so its extents never change (the bounds and loop analyses rely on that)."""
        n = target.id
        line, col = node.lineno, node.col_offset  # type: ignore[attr-defined]
        if n in self.locals or n in self.arrays or n in self.globals_declared:
            raise self.err(target, f"`{n}` is not an array here and cannot name one")
        old = self.views.get(n)

        def kind(v: View) -> tuple[object, ...]:
            return (
                v.base.name,
                v.depth,
                v.start is not None,
                v.column is not None,
                v.step is not None,
            )

        if old is not None and kind(old) != kind(view):
            sliced = "a slice" if old.start is not None else "a view"
            raise self.err(
                target,
                f"`{n}` is already {sliced} of `{old.base.name}` with {old.type.ndim} "
                "dimension(s); a name stays a view of one array (sliced or not)",
                "use another name for a view of another array",
            )
        out: list[ir.Stmt] = []
        prefix: list[ir.Expr] = []
        for k, index in enumerate(view.prefix):
            local = f"{n}.i{k}"
            self.locals[local] = I64
            out.append(ir.SetLocal(line, col, local, index))
            prefix.append(ir.LocalGet(line, col, I64, local))
        named = View(n, view.base, prefix, view.type)
        if view.column is not None:  # m[:, j]: j checked now, kept in a local
            out += view.setup
            self.locals[f"{n}.j"] = I64
            out.append(ir.SetLocal(line, col, f"{n}.j", view.column))
            named.column = ir.LocalGet(line, col, I64, f"{n}.j")
        if view.start is not None:
            sliced_view = View(
                n, view.base, prefix, view.type, view.start, view.length, view.setup,
                step=view.step,
            )  # fmt: skip
            from portalis.lang.frontend import slices

            bound, named = slices.bind(self, n, sliced_view, line, col)
            out += bound
            # Proofs about its length hold where it is never rebound while they are used:
            # bound once at the top level (or a name the compiler made for one loop).
            named.stable = n.startswith("~") or (
                id(node) in self.top_level and self.store_counts.get(n, 0) == 1
            )
        self.views[n] = named
        return out

    def note_extent_alias(self, target: ast.expr, value: ast.expr) -> None:
        """``n = len(a)`` (n bound nowhere else, not a parameter): ``range(n)`` ranges over
        ``a``'s indices."""
        if (
            isinstance(target, ast.Name)
            and self.store_counts.get(target.id) == 1
            and target.id not in {p.name for p in self.sig.params}
            and target.id not in self.globals_declared
        ):
            extent = bounds.extent_of(value, self.array_names(), self.aliases)
            if extent is not None and extent.array is not None:
                self.aliases[target.id] = extent

    def unpack(
        self, target: ast.Tuple | ast.List, value_node: ast.expr, node: ast.AST
    ) -> list[ir.Stmt]:
        line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
        if isinstance(value_node, ast.Call) and isinstance(node, ast.Assign):
            unpacked = results.unpack_call(self, target, value_node, node)
            if unpacked is not None:
                return unpacked
        if isinstance(value_node, ast.Tuple):
            for e in value_node.elts:
                if self.view_of(e) is not None or self.array_maker(e) is not None:
                    raise self.err(
                        e,
                        "a tuple of arrays is not supported (swapping rows as "
                        "`a[i], a[k] = a[k].copy(), a[i].copy()`)",
                        "swap rows element by element: for j in range(a.shape[1]): "
                        "a[i, j], a[k, j] = a[k, j], a[i, j]",
                    )
            items = [self.lower_scalar(e) for e in value_node.elts]
        elif (shape := self.shape_of(value_node)) is not None:
            items = shape  # n, m = a.shape: each name an extent alias, as n = a.shape[0]
            assert isinstance(value_node, ast.Attribute)
            for k, tgt in enumerate(target.elts[: len(shape)]):
                index = ast.copy_location(ast.Constant(k), value_node)
                axis = ast.copy_location(ast.Subscript(value_node, index, ast.Load()), value_node)
                self.note_extent_alias(tgt, axis)
        else:
            v = self.lower(value_node)
            if not isinstance(v.ty, TupleType):
                raise self.err(
                    value_node,
                    f"cannot unpack {v.ty}",
                    "unpack a tuple literal or a call returning a tuple",
                )
            items = [v]
        n_values = (
            len(items)
            if len(items) > 1 or not isinstance(items[0].ty, TupleType)
            else len(items[0].ty.items)
        )
        if len(target.elts) != n_values:
            raise self.err(node, f"cannot unpack {n_values} values into {len(target.elts)} targets")
        out: list[ir.Stmt] = []
        temps: list[str] = []
        if len(items) == 1 and isinstance(items[0].ty, TupleType):
            temps = [self.temp(t) for t in items[0].ty.items]
            out.append(ir.Unpack(line, col, temps, items[0]))
            types = list(items[0].ty.items)
        else:
            types = [self.scalar(i, node) for i in items]
            for item, t in zip(items, types, strict=False):
                tmp = self.temp(t)
                temps.append(tmp)
                out.append(ir.SetLocal(line, col, tmp, item))
        for tgt, tmp, t in zip(target.elts, temps, types, strict=False):
            out += self.assign_to(tgt, ir.LocalGet(line, col, t, tmp), node)
        return out

    def ann_assign(self, node: ast.AnnAssign) -> list[ir.Stmt]:
        if not isinstance(node.target, ast.Name):
            raise self.err(node, "annotate plain names only: x: float = 0.0")
        if lists.is_list_annotation(node.annotation):
            return lists.create(self, node.target, node.value, node.annotation, node)
        t = self.unit.parse_type(node.annotation, f"`{node.target.id}`")
        if not isinstance(t, Scalar):
            raise self.err(node.annotation, f"local `{node.target.id}` must be a number or bool")
        n = node.target.id
        if n in self.locals and self.locals[n] != t:
            raise self.err(node, f"`{n}` already has type {self.locals[n]}")
        self.locals[n] = t
        if node.value is None:
            return []
        self.note_extent_alias(node.target, node.value)
        return self.assign_to(node.target, self.lower(node.value), node)

    def int_local_gets_float(self, name: str, target: ast.expr) -> CompileError:
        """A local typed int by its first assignment (``acc = 0``) is given a float: the fix
        is almost always a float initial value, not ``int(...)``, which truncates."""
        first = self.typed_at.get(name)
        origin = (
            f"its first assignment, line {first.lineno}"
            if first is not None and hasattr(first, "lineno")
            else "its annotation"
        )
        return self.err(
            target,
            f"`{name}` is an {self.locals[name]} (from {origin}) and is given a float here",
            f"initialise {name} as 0.0 (a float) if it holds floats; "
            "int(...) would truncate the value",
        )

    def whole_view(self, stmt: ast.Assign | ast.AugAssign) -> list[ir.Stmt] | None:
        """``stmt`` as an elementwise loop when it assigns to a whole view
        (frontend/slice_exprs.py), else None. That module is imported only for a statement
        whose target is a view: a kernel without one (the robot arm) does not pay its
        import, ~2 ms of a first build."""
        target = stmt.target if isinstance(stmt, ast.AugAssign) else stmt.targets[0]
        if not isinstance(target, ast.Name | ast.Subscript):
            return None
        if isinstance(stmt, ast.Assign) and (
            len(stmt.targets) != 1 or isinstance(target, ast.Name)
        ):
            return None  # s = a[lo:hi] binds a view
        target_view = self.view_of(target)
        if target_view is None:
            return None
        from portalis.lang.frontend import slice_exprs

        return slice_exprs.lower(self, stmt, target, target_view)

    def aug_assign(self, node: ast.AugAssign) -> list[ir.Stmt]:
        op = BINARY_OPS.get(type(node.op))
        if op is None:
            raise self.err(node, f"operator `{operator_text(node.op)}=` is not supported")
        line, col = node.lineno, node.col_offset
        t = node.target
        if (whole := self.whole_view(node)) is not None:
            return whole  # a[i, k + 1:] -= f * a[k, k + 1:]: elementwise over views
        if isinstance(t, ast.Name):
            current = self.name(ast.copy_location(ast.Name(t.id, ast.Load()), t))
            value = self.arith(op, current, self.lower_scalar(node.value), node)
            return self.assign_to(t, self.narrow_back(value, current.ty, node), node)
        if isinstance(t, ast.Subscript) and (ref := lists.list_named(self, t.value)):
            return lists.aug_store(self, ref, t, op, node)
        if (
            isinstance(t, ast.Subscript)
            and self.nested_lists
            and (done := nested_lists.aug_store(self, t, op, node))
        ):
            return done
        if isinstance(t, ast.Subscript):
            base, idx_nodes = self.split_subscript(t)
            view = self.view_of(base)
            if (
                view is None
                or len(idx_nodes) != view.type.ndim
                or any(isinstance(i, ast.Slice) for i in idx_nodes)
            ):
                if self.view_of(t) is not None:  # said before the value is looked at
                    raise self.err(
                        t,
                        f"`{shown(t)} {_AUG_SYMBOLS.get(op, op)}= ...` on a slice or row (a "
                        "whole-array operation) is not supported",
                        "write a loop over the elements: for k in range(lo, hi): a[k] += ...",
                    )
                return self.assign_to(t, self.lower(node.value), node)  # reports the error
            arr = view.base
            out: list[ir.Stmt] = []
            temps: list[ir.Expr] = list(view.prefix)  # a view's indices are locals already
            if view.start is not None or view.column is not None:  # computed, checked once
                indices, safe, nonneg = self.view_access(view, idx_nodes, t)
                temps = []
                for index in indices:
                    tmp = self.temp(I64)
                    out.append(ir.SetLocal(line, col, tmp, index))
                    temps.append(ir.LocalGet(line, col, I64, tmp))
                idx_nodes = []
            for i in idx_nodes:
                tmp = self.temp(I64)
                out.append(ir.SetLocal(line, col, tmp, self.index(i)))
                temps.append(ir.LocalGet(line, col, I64, tmp))
            if view.start is None and view.column is None:
                fixed = [True] * view.depth
                safe = fixed + self.safe_flags(view.as_ref(), idx_nodes)
                nonneg = fixed + self.nonneg_flags(idx_nodes)
            current = ir.Load(line, col, arr.element.value, arr, temps, safe, nonneg)
            value = self.arith(op, current, self.lower_scalar(node.value), node)
            value = self.coerce(value, arr.element.value, node, "stored value", narrowing=True)
            out.append(ir.Store(line, col, arr, temps, value, safe, nonneg))
            return out
        raise self.err(t, f"cannot assign to {shown(t)}")

    def narrow_back(self, value: ir.Expr, to: Any, node: ast.AST) -> ir.Expr:
        """``x += 1.0`` on an f32 ``x`` computes in f32 already; keep i32/f32 targets."""
        if (
            to in (F32, I32)
            and isinstance(value.ty, Scalar)
            and value.ty != to
            and (value.ty.is_float == to.is_float)
        ):
            return self.coerce(value, to, node, narrowing=True)
        return value

    # -- control flow -------------------------------------------------------------------

    def if_(self, node: ast.If) -> list[ir.Stmt]:
        test = lists.condition(self, node.test)
        cond = self.truth(self.lower_scalar(test), test)
        return [
            ir.If(
                node.lineno, node.col_offset, cond, self.block(node.body), self.block(node.orelse)
            )
        ]

    def while_(self, node: ast.While) -> list[ir.Stmt]:
        if node.orelse:
            return self.loop_else(node)
        test = lists.condition(self, node.test)
        cond = self.truth(self.lower_scalar(test), test)
        self.loop_depth += 1
        body = self.block(node.body)
        self.loop_depth -= 1
        return [ir.While(node.lineno, node.col_offset, cond, body)]

    def for_(self, node: ast.For) -> list[ir.Stmt]:
        line, col = node.lineno, node.col_offset
        if node.orelse:
            return self.loop_else(node)
        it = node.iter
        if (ref := lists.list_named(self, it)) is not None:
            return lists.for_each(self, ref, node)
        if self.tuple_lists and (made := tuple_lists.named(self, it)) is not None:
            return tuple_lists.for_each(self, made, node)
        if (copied := lists.for_over_copy(self, node)) is not None:
            return self.block(copied)
        if self.nested_lists and (walked := nested_lists.for_each(self, node)) is not None:
            return walked
        if (table := self.table_of(it)) is not None:
            from portalis.lang.frontend import table_loops

            if (rows := table_loops.unrolled(self, node, table)) is not None:
                return self.block(rows)
            return self.for_(table_loops.rewrite(self, node, table))
        if not (isinstance(it, ast.Call) and self.unit.builtin_name(it.func) == "range"):
            return self.for_each(node)
        if it.keywords or not 1 <= len(it.args) <= 3:
            raise self.err(it, "range() takes 1 to 3 positional arguments")
        if not isinstance(node.target, ast.Name):
            raise self.err(node.target, "the loop variable must be a plain name")
        args = []
        for a in it.args:
            e = self.lower_scalar(a)
            if self.scalar(e, a).is_float:
                raise self.err(
                    a, "range() arguments must be int, got float", "convert with int(...)"
                )
            args.append(self.coerce(e, I64, a, "range() argument"))
        start, stop, step = (
            (ir.Const(line, col, I64, 0), args[0], ir.Const(line, col, I64, 1))
            if len(args) == 1
            else (args[0], args[1], args[2] if len(args) == 3 else ir.Const(line, col, I64, 1))
        )
        if isinstance(step, ir.Const) and step.value == 0:
            raise self.err(it, "range() step must not be zero")
        var = node.target.id
        if var in self.globals_declared:
            raise self.err(node.target, "the loop variable cannot be a global")
        if var in self.locals and self.locals[var] != I64:
            raise self.err(
                node.target, f"loop variable `{var}` already has type {self.locals[var]}"
            )
        self.locals[var] = I64
        counter, limit, stride = self.temp(I64), self.temp(I64), self.temp(I64)
        saved = self.ranges.pop(var, None)
        if (
            isinstance(step, ir.Const)
            and int(step.value) > 0
            and var not in (bounds.assigned_names(node.body))
        ):
            lo = bounds.lower_bound(it.args[0], self.ranges) if len(it.args) > 1 else 0
            stop_node = it.args[0] if len(it.args) == 1 else it.args[1]
            extent = bounds.extent_of(stop_node, self.array_names(), self.aliases)
            if lo is not None:
                self.ranges[var] = bounds.Range(lo, extent)
        self.loop_depth += 1
        body = self.block(node.body)
        self.loop_depth -= 1
        self.ranges.pop(var, None)
        if saved is not None:
            self.ranges[var] = saved
        return [ir.ForRange(line, col, var, start, stop, step, body, counter, limit, stride)]

    def loop_else(self, node: ast.For | ast.While) -> list[ir.Stmt]:
        """``for … else`` / ``while … else``: the ``else`` runs when the loop ends without
        ``break`` (zero iterations included). Lowered with a flag, set before the loop and
        cleared by each ``break`` of this loop (not of loops nested in it)."""
        self._temps += 1
        flag = f"~else{self._temps}"

        def at(new: ast.AST) -> Any:
            for child in ast.walk(new):
                if "lineno" in child._attributes:
                    ast.copy_location(child, node)
            return new

        class Breaks(ast.NodeTransformer):
            def visit_Break(self, b: ast.Break) -> Any:
                clear = ast.Assign([ast.Name(flag, ast.Store())], ast.Constant(False))
                return [ast.copy_location(at(clear), b), b]

            def visit_For(self, loop: ast.For) -> Any:
                loop.orelse = [self.visit(s) for s in loop.orelse]  # its body: its own breaks
                return loop

            visit_While = visit_For  # type: ignore[assignment]

            def visit_FunctionDef(self, f: ast.FunctionDef) -> Any:
                return f

        loop = copy.deepcopy(node)
        loop.orelse = []
        loop.body = [Breaks().visit(stmt) for stmt in loop.body]
        loop.body = [x for s in loop.body for x in (s if isinstance(s, list) else [s])]
        start = at(ast.Assign([ast.Name(flag, ast.Store())], ast.Constant(True)))
        after = at(ast.If(ast.Name(flag, ast.Load()), node.orelse, []))
        return self.block([start, loop, after])

    def for_each(self, node: ast.For) -> list[ir.Stmt]:
        """``for x in a``, ``enumerate``, ``zip``, ``reversed``: rewritten as a counted loop
        (frontend/iteration.py), then lowered as one."""
        from portalis.lang.frontend import iteration

        try:
            plan = iteration.rewrite(
                node,
                self.unit.builtin_name,
                lambda e: self.view_of(e) is not None,
                self.hidden,
            )
        except iteration.NotIterable as e:
            raise self.err(e.node, e.reason, "write for i in range(len(a)): ... a[i] ...") from None
        out: list[ir.Stmt] = []
        for stmt in plan.before:
            out += self.block([stmt])
        # Arrays this loop walks: Python's iterator keeps the object, so no swap may rename
        # them inside it (frontend/rebind.py).
        walked = {n.id for n in ast.walk(node.iter) if isinstance(n, ast.Name)}
        self.iterating.append({self.arrays[n].name for n in walked if n in self.arrays})
        try:
            return out + self.for_(plan.loop)
        finally:
            self.iterating.pop()

    def break_(self, node: ast.Break) -> list[ir.Stmt]:
        if not self.loop_depth:
            raise self.err(node, "`break` outside a loop")
        return [ir.Break(node.lineno, node.col_offset)]

    def continue_(self, node: ast.Continue) -> list[ir.Stmt]:
        if not self.loop_depth:
            raise self.err(node, "`continue` outside a loop")
        return [ir.Continue(node.lineno, node.col_offset)]

    def return_(self, node: ast.Return) -> list[ir.Stmt]:
        if self.sig.passes_lists:
            return list_calls.returning(self, node)
        line, col = node.lineno, node.col_offset
        want = self.sig.result
        if node.value is None or (
            isinstance(node.value, ast.Constant) and node.value.value is None
        ):
            if want != NONE:
                raise self.err(node, f"`{self.sig.name}` must return {want}")
            return [ir.Return(line, col, None)]
        if isinstance(want, ArrayType):
            return results.lower_return(self, node, want)
        if isinstance(want, ResultTuple):
            return results.lower_tuple_return(self, node, want)
        if (wrong := results.wrong_annotation(self, node)) is not None:
            raise wrong
        if want == NONE:
            raise self.err(
                node,
                f"`{self.sig.name}` returns a value but is annotated -> None",
                "add a return annotation such as -> float",
            )
        if isinstance(want, TupleType):
            if isinstance(node.value, ast.Tuple):
                if len(node.value.elts) != len(want.items):
                    raise self.err(node, f"`{self.sig.name}` returns {len(want.items)} values")
                items = [
                    self.coerce(self.lower_scalar(e), t, e, "returned value")
                    for e, t in zip(node.value.elts, want.items, strict=False)
                ]
                return [ir.Return(line, col, ir.TupleExpr(line, col, want, items))]
            v = self.lower(node.value)
            if v.ty != want:
                raise self.err(node, f"`{self.sig.name}` must return {want}, got {v.ty}")
            return [ir.Return(line, col, v)]
        assert isinstance(want, Scalar)
        v = self.lower_scalar(node.value)
        got = self.scalar(v, node.value)
        if got.is_float and not want.is_float and not isinstance(v, ir.Const):
            raise self.err(  # the fix is usually the annotation: int(...) would truncate
                node.value,
                f"`{self.sig.name}` is declared -> {want} but returns a float here",
                "declare it -> float if it returns floats; int(...) would truncate the value",
            )
        return [ir.Return(line, col, self.coerce(v, want, node.value, "returned value"))]

    def expr_stmt(self, node: ast.Expr) -> list[ir.Stmt]:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return []  # a docstring or a comment-like string
        call = node.value
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and (ref := lists.list_named(self, call.func.value))
        ):
            done = lists.method(self, ref, call, statement=True)
            if isinstance(done, ir.Stmt):
                return [done]
            if isinstance(done, list):
                return done
        if isinstance(call, ast.Call) and self.heapq and heaps.called(self, call):
            return heaps.statement(self, call)
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and self.tuple_lists
            and (made := tuple_lists.named(self, call.func.value))
        ):
            return tuple_lists.statement(self, made, call)
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and self.nested_lists
        ):
            nested = nested_lists.call(self, call, statement=True)
            if isinstance(nested, list):
                return nested
        if messages.is_print(self, call):
            assert isinstance(call, ast.Call)
            return messages.print_(self, call)
        return [ir.ExprStmt(node.lineno, node.col_offset, self.lower(node.value))]

    def assert_(self, node: ast.Assert) -> list[ir.Stmt]:
        cond = self.truth(self.lower_scalar(node.test), node.test)
        if any(node is s for s in self.sig.node.body):  # top level: a fact from here on
            bounds.asserted_equal_extents(
                node.test, self.array_names(), self.aliases, self.same_extents
            )
        neg = ir.Unary(node.lineno, node.col_offset, BOOL, "not", cond)
        return [
            ir.If(
                node.lineno,
                node.col_offset,
                neg,
                messages.assertion(self, node),
                [],
            )
        ]

    def raise_(self, node: ast.Raise) -> list[ir.Stmt]:
        return messages.raise_(self, node)

    def global_(self, node: ast.Global) -> list[ir.Stmt]:
        return []  # collected by _assigned_names

    stmt_handlers: ClassVar[dict[type, Callable[[Any, Any], list[ir.Stmt]]]] = {
        ast.Assign: assign,
        ast.AnnAssign: ann_assign,
        ast.AugAssign: aug_assign,
        ast.If: if_,
        ast.While: while_,
        ast.For: for_,
        ast.Break: break_,
        ast.Continue: continue_,
        ast.Return: return_,
        ast.Expr: expr_stmt,
        ast.Assert: assert_,
        ast.Raise: raise_,
        ast.Global: global_,
        ast.Pass: lambda self, node: [],
    }


__all__ = ["FunctionLowerer", "lower_function"]


#: How an augmented operator is written, for messages (the inverse of BINARY_OPS).
_AUG_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "floordiv": "//", "mod": "%",
                "pow": "**", "and": "&", "or": "|", "xor": "^", "shl": "<<",
                "shr": ">>"}  # fmt: skip


def _result_names(returns: list[ast.Return]) -> tuple[str, ...]:
    """The names results are returned under, if every ``return`` (of the function's body,
    found by :func:`_assigned_names`) agrees: ``return x, y`` everywhere gives ("x", "y");
    any other shape (an expression, a mismatch) gives ()."""
    seen: set[tuple[str, ...]] = set()
    for child in returns:  # any order: the answer is the same
        if child.value is None:
            continue
        value = child.value
        items = value.elts if isinstance(value, ast.Tuple) else [value]
        ids = [item.id for item in items if isinstance(item, ast.Name)]
        if len(ids) != len(items):
            return ()
        seen.add(tuple(ids))
    if len(seen) != 1:
        return ()
    names = next(iter(seen))
    return names if len(set(names)) == len(names) else ()
