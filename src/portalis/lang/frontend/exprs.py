"""Expressions: a table from AST node type to the handler that types and lowers it.

Anything not in :attr:`ExprLowerer.handlers` is refused, naming the construct. Operands are
converted here (``Cast`` nodes), so the IR is explicitly typed.
"""

from __future__ import annotations

import ast
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from portalis.errors import CompileError
from portalis.lang import builtins, ir
from portalis.lang.frontend import bounds, lazy, lists, numpy_floats
from portalis.lang.frontend.diagnostics import operator_text, shown, summarise
from portalis.lang.frontend.fixed_powers import fixed_power
from portalis.lang.frontend.unit import I64_MAX, I64_MIN, FunctionSig, Table, Unit
from portalis.lang.types import (
    BOOL,
    F32,
    F64,
    I32,
    I64,
    ArrayType,
    ListType,
    Scalar,
    TupleType,
    unify_numeric,
)

if TYPE_CHECKING:
    from portalis.lang.frontend import heaps, list_calls, nested_lists, tuple_lists
    from portalis.lang.frontend.program import Program
else:  # imported once a kernel uses them (frontend/lazy.py)
    heaps = lazy.module("portalis.lang.frontend.heaps")
    list_calls = lazy.module("portalis.lang.frontend.list_calls")
    nested_lists = lazy.module("portalis.lang.frontend.nested_lists")
    tuple_lists = lazy.module("portalis.lang.frontend.tuple_lists")

#: Python binary operator → IR operation; augmented assignment (``x += y``) uses it too.
BINARY_OPS = {
    ast.Add: "add",
    ast.Sub: "sub",
    ast.Mult: "mul",
    ast.Div: "div",
    ast.FloorDiv: "floordiv",
    ast.Mod: "mod",
    ast.Pow: "pow",
    ast.BitAnd: "and",
    ast.BitOr: "or",
    ast.BitXor: "xor",
    ast.LShift: "shl",
    ast.RShift: "shr",
}
_COMPARE = {ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge", ast.Eq: "eq", ast.NotEq: "ne"}
_WIDENS: set[tuple[Scalar, Scalar]] = {
    (BOOL, I32),
    (BOOL, I64),
    (BOOL, F32),
    (BOOL, F64),
    (I32, I64),
    (I32, F64),
    (I64, F64),
    (F32, F64),
    (I32, F32),
    (I64, F32),
}


class View:
    """An array as the code names it: a parameter or persistent array (``prefix`` empty) or a
    view into one — ``row = a[i]`` is ``a`` with the leading index ``i``, checked when the
    view was made. Every access through a view is an access of the base array, so the bounds,
    loop and ABI analyses see the array that is really read or written.

    A plain class, not a dataclass: making one (its methods generated and compiled) would
    cost a process's first build, which imports this module, ~0.4 ms."""

    __slots__ = ("base", "column", "length", "name", "prefix", "setup", "stable", "start", "step",
                 "type")  # fmt: skip

    def __init__(
        self,
        name: str,
        base: ir.ArrayRef,
        prefix: list[ir.Expr],
        type: ArrayType,
        start: ir.Expr | None = None,
        length: ir.Expr | None = None,
        setup: list[ir.Stmt] | None = None,
        stable: bool = True,
        column: ir.Expr | None = None,
        step: ir.Expr | None = None,
    ) -> None:
        self.name = name  # what bounds proofs call it ("row"), in the view's own coordinates
        self.base = base
        self.prefix = prefix
        self.type = type
        #: A slice of its first axis (``a[lo:hi]``, frontend/slices.py): that axis starts at
        #: base element ``start`` and has ``length`` elements; ``setup`` computes them (run
        #: before either is read; empty for a named view, whose are locals).
        self.start = start
        self.length = length
        self.setup: list[ir.Stmt] = [] if setup is None else setup
        #: Proofs about its first axis hold (a slice bound once, at the top level).
        self.stable = stable
        #: A column ``m[:, j]`` (frontend/slices.py): the base's last index, fixed and
        #: checked; the view walks the base's rows with a stride (so it is never passed as an
        #: array).
        self.column = column
        #: A slice with a step (frontend/strided.py): element ``k`` of the first axis is base
        #: element ``start + k * step``; strided, so never passed as an array.
        self.step = step

    def __repr__(self) -> str:
        return f"View({self.name!r}, {self.base!r}, {self.prefix!r}, {self.type!r})"

    @property
    def depth(self) -> int:
        return len(self.prefix)

    def as_ref(self) -> ir.ArrayRef:
        """The view as an array of its own, for proofs about its indices."""
        shape = self.base.shape[self.depth :] if self.base.shape is not None else None
        if self.start is not None:
            shape = None  # its first extent is the slice's length
        elif shape is not None and self.column is not None:
            shape = shape[:1]
        return ir.ArrayRef(self.name, self.type, None, shape)


def round_f32(x: float) -> float:
    return float(struct.unpack("<f", struct.pack("<f", x))[0])


class ExprLowerer:
    """Types and lowers expressions of one function (see ``stmts.FunctionLowerer``)."""

    def __init__(self, program: Program, sig: FunctionSig) -> None:
        self.program = program
        self.sig = sig
        self.unit: Unit = sig.unit
        self.d = sig.unit.diag
        self.locals: dict[str, Scalar] = {}
        #: where each local got its type (its first assignment), for hints
        self.typed_at: dict[str, ast.AST] = {}
        self.arrays: dict[str, ir.ArrayRef] = {}
        #: typed lists this function made (frontend/lists.py)
        self.lists: dict[str, ir.ListRef] = {}
        #: lists of tuples, each as its columns (frontend/tuple_lists.py)
        self.tuple_lists: dict[str, tuple_lists.TupleList] = {}
        #: lists of lists, each as three columns (frontend/nested_lists.py)
        self.nested_lists: dict[str, nested_lists.NestedList] = {}
        #: whether the unit imports ``heapq`` (else no call is to its functions: heaps.py)
        self.heapq = any(m == "heapq" or m.startswith("heapq.") for m in sig.unit.aliases.values())
        #: the function's top-level statements (ids): where lists and arrays are made
        self.top_level: set[int] = set()
        #: arrays this function made or received from a call: its own blocks, freed when it
        #: returns, the only arrays it may return (frontend/results.py)
        self.owned: set[str] = set()
        #: names bound to views (``row = a[i]``)
        self.views: dict[str, View] = {}
        self.scope: set[str] = set()  # names Python treats as local to this function
        self.globals_declared: set[str] = set()
        self._temps = 0
        # bounds-check elimination (frontend/bounds.py)
        self.ranges: dict[str, bounds.Range] = {}
        self.aliases: dict[str, bounds.Extent] = {}
        self.store_counts: dict[str, int] = {}
        self.same_extents: dict[tuple[str, int], tuple[str, int]] = {}

    # -- helpers --------------------------------------------------------------------------

    def temp(self, t: Scalar) -> str:
        self._temps += 1
        name = f"~t{self._temps}"
        self.locals[name] = t
        return name

    def hidden(self, hint: str) -> str:
        """A name for a local the compiler adds (never a Python identifier). A hint ending
        in a digit is kept apart from the counter (``t1`` + 5 is not ``t`` + 15)."""
        self._temps += 1
        return f"~{hint}{'_' if hint[-1:].isdigit() else ''}{self._temps}"

    def block(self, body: list[ast.stmt]) -> list[ir.Stmt]:
        raise NotImplementedError  # statements: stmts.FunctionLowerer

    def err(self, node: ast.AST, message: str, hint: str = "") -> CompileError:
        return self.d.error(node, message, hint)

    def scalar(self, e: ir.Expr, node: ast.AST, what: str = "this value") -> Scalar:
        if isinstance(e.ty, ArrayType):  # a call returning an array
            raise self.err(
                node,
                f"{what} is an array ({e.ty}), expected a number or bool",
                "bind it to a name first (b = f(...)), then index it or pass it on",
            )
        if not isinstance(e.ty, Scalar):
            raise self.err(node, f"{what} is {e.ty}, expected a number or bool")
        return e.ty

    def coerce(
        self, e: ir.Expr, to: Scalar, node: ast.AST, what: str = "value", narrowing: bool = False
    ) -> ir.Expr:
        """Convert ``e`` to ``to`` where Python code would expect it to just work (int →
        float, bool → int, literals to any width); refuse silent narrowing unless asked."""
        src = self.scalar(e, node, what)
        if src == to:
            return e
        if isinstance(e, ir.Const):
            v = e.value
            if to.is_float:
                fv = float(v)
                return ir.Const(e.line, e.col, to, round_f32(fv) if to == F32 else fv)
            if to.is_bool and src.is_bool:
                return e
            if not src.is_float and not to.is_bool:
                iv = int(v)
                if to == I32 and not -(1 << 31) <= iv < (1 << 31) and not narrowing:
                    raise self.err(node, f"{what}: {summarise(str(iv))} does not fit in i32")
                if to == I32:
                    iv = ((iv + (1 << 31)) % (1 << 32)) - (1 << 31)
                return ir.Const(e.line, e.col, to, iv)
        if (src, to) in _WIDENS or (narrowing and src.is_float == to.is_float and not to.is_bool):
            return ir.Cast(e.line, e.col, to, "convert", e)
        if to.is_bool:
            raise self.err(
                node,
                f"{what} must be a bool, got {src}",
                "compare explicitly (x != 0) or use bool(x)",
            )
        hint = "convert explicitly with int(...)" if src.is_float else "convert explicitly"
        raise self.err(node, f"{what} has type {src}, expected {to}", hint)

    def truth(self, e: ir.Expr, node: ast.AST) -> ir.Expr:
        t = self.scalar(e, node, "a condition")
        if t.is_bool:
            return e
        return ir.Cast(e.line, e.col, BOOL, "truth", e)

    def arith_type(self, left: ir.Expr, right: ir.Expr, node: ast.AST) -> Scalar:
        lt, rt = self.scalar(left, node), self.scalar(right, node)
        # Literals take the width of the other side (x * 2.0 stays f32 when x is f32).
        if isinstance(left, ir.Const) and rt in (F32, I32) and (rt.is_float or not lt.is_float):
            return rt
        if isinstance(right, ir.Const) and lt in (F32, I32) and (lt.is_float or not rt.is_float):
            return lt
        return unify_numeric(lt if not lt.is_bool else I64, rt if not rt.is_bool else I64)

    def lower(self, node: ast.expr) -> ir.Expr:
        handler = self.handlers.get(type(node))
        if handler is None:
            raise self.d.unsupported(node)
        return handler(self, node)

    def lower_scalar(self, node: ast.expr) -> ir.Expr:
        e = self.lower(node)
        self.scalar(e, node)
        return e

    # -- leaves -------------------------------------------------------------------------

    def constant(self, node: ast.Constant) -> ir.Expr:
        v = node.value
        if isinstance(v, bool):
            return ir.Const(node.lineno, node.col_offset, BOOL, v)
        if isinstance(v, int):
            if not I64_MIN <= v <= I64_MAX:
                raise self.err(
                    node,
                    f"integer literal {summarise(str(v))} does not fit in 64 bits",
                    "kernel ints are 64-bit; see docs/language.md",
                )
            return ir.Const(node.lineno, node.col_offset, I64, v)
        if isinstance(v, float):
            return ir.Const(node.lineno, node.col_offset, F64, v)
        what = "string" if isinstance(v, str) else type(v).__name__
        raise self.err(
            node,
            f"{what} values are not supported in kernels",
            "kernels compute with numbers, bools and arrays",
        )

    def const_value(self, node: ast.expr, value: Any) -> ir.Expr:
        if isinstance(value, bool):
            return ir.Const(node.lineno, node.col_offset, BOOL, value)
        if isinstance(value, int):
            return ir.Const(node.lineno, node.col_offset, I64, value)
        if isinstance(value, float):
            return ir.Const(node.lineno, node.col_offset, F64, value)
        raise self.err(node, "a constant table cannot be used as a value", "index it: TABLE[i]")

    def name(self, node: ast.Name) -> ir.Expr:
        n = node.id
        if n in self.locals:
            return ir.LocalGet(node.lineno, node.col_offset, self.locals[n], n)
        if n in self.lists or n in self.tuple_lists or n in self.nested_lists:
            raise lists.unsupported(
                self, node, f"using list `{n}` as a value (passed, returned, copied, compared)"
            )
        if (
            n in self.arrays
            or n in self.views
            or (n in self.unit.state_arrays and n not in self.scope)
        ):
            raise self.err(
                node,
                f"array `{n}` cannot be used as a value here",
                "index it (a[i]), take len(a), or pass it to a function",
            )
        if n in self.scope and n not in self.globals_declared:
            raise self.err(node, f"local variable `{n}` is used before it is assigned")
        u = self.unit
        if n in u.constants:
            return self.const_value(node, u.constants[n])
        if n in u.state_scalars:
            s = u.state_scalars[n]
            return ir.GlobalGet(node.lineno, node.col_offset, s.type, s.symbol)
        if n in u.tables:
            raise self.err(
                node, f"constant table `{n}` cannot be used as a value", "index it: TABLE[i]"
            )
        value = self.program.foreign_value(u, n, node)
        if value is not None:
            return self.const_value(node, value)
        return self.attribute_like(node)

    def shape_of(self, node: ast.expr) -> list[ir.Expr] | None:
        """``a.shape`` of an array or view: its extents (for ``n, m = a.shape`` and
        ``np.zeros(a.shape)``); None for anything else."""
        if not (isinstance(node, ast.Attribute) and node.attr == "shape"):
            return None
        view = self.view_of(node.value)
        if view is None:
            return None
        return [self.view_dim(node, view, k) for k in range(view.type.ndim)]

    def attribute(self, node: ast.Attribute) -> ir.Expr:
        if node.attr == "ndim" and (view := self.view_of(node.value)) is not None:
            return self.after_checks(
                view, ir.Const(node.lineno, node.col_offset, I64, view.type.ndim)
            )
        if node.attr == "shape" and self.view_of(node.value) is not None:
            raise self.err(
                node,
                f"`{shown(node)}` is a tuple of extents: unpack it (n, m = a.shape) or index "
                "it (a.shape[0])",
                "np.zeros(a.shape) and friends take it whole",
            )
        if node.attr == "size" and (view := self.view_of(node.value)) is not None:
            e: ir.Expr = self.view_dim(node, view, 0)
            for k in range(1, view.type.ndim):
                dim = self.view_dim(node, view, k)
                e = ir.Binary(node.lineno, node.col_offset, I64, "mul", e, dim)
            return e
        return self.attribute_like(node)

    def attribute_like(self, node: ast.Name | ast.Attribute) -> ir.Expr:
        q = self.unit.builtin_name(node)
        if q is not None and q in builtins.CONSTANTS:
            return ir.Const(node.lineno, node.col_offset, F64, builtins.CONSTANTS[q])
        label = shown(node)
        if isinstance(node, ast.Name):
            raise self.err(
                node,
                f"name `{label}` is not defined in this kernel",
                "kernels see their parameters, locals, module-level names and "
                "imported math/portalis.lang names",
            )
        raise self.err(
            node,
            f"`{label}` is not supported in kernels",
            "see docs/language.md for the supported attributes and functions",
        )

    # -- arrays and tables ----------------------------------------------------------------

    def array_of(self, node: ast.expr) -> ir.ArrayRef | None:
        if isinstance(node, ast.Name):
            if node.id in self.arrays:
                return self.arrays[node.id]
            if node.id in self.unit.state_arrays and node.id not in self.locals:
                return self.unit.state_arrays[node.id]
        return None

    def view_of(self, node: ast.expr) -> View | None:
        """The array ``node`` names: an array, a view bound to a name, or a partial index of
        either (``m[i]`` of a 2-D ``m``: its row ``i``)."""
        if isinstance(node, ast.Name):
            if node.id in self.views:
                return self.views[node.id]
            arr = self.array_of(node)
            return View(node.id, arr, [], arr.type) if arr is not None else None
        if not isinstance(node, ast.Subscript):
            return None
        base_node, idx_nodes = self.split_subscript(node)
        base = self.view_of(base_node)
        if base is not None and (
            base.start is not None
            or base.column is not None
            or any(isinstance(i, ast.Slice) for i in idx_nodes)
        ):
            from portalis.lang.frontend import slices  # imported where views are used

            return slices.subview(self, node, base, idx_nodes)
        if base is None or len(idx_nodes) >= base.type.ndim:
            return None
        line, col = node.lineno, node.col_offset
        prefix = list(base.prefix)
        for i in idx_nodes:
            axis = len(prefix)
            prefix.append(ir.CheckedIndex(line, col, I64, base.base, axis, self.index(i)))
        element = base.type.element
        ndim = base.type.ndim - len(idx_nodes)
        return View(f"<{shown(node)}>", base.base, prefix, ArrayType(element, ndim))

    def view_dim(self, node: ast.AST, view: View, axis: int) -> ir.Expr:
        if axis == 0 and view.length is not None:
            return self.after_checks(view, view.length)
        return self.after_checks(view, self.dim(node, view.base, view.depth + axis))

    def after_checks(self, view: View, value: ir.Expr) -> ir.Expr:
        """``value`` (an extent, ``ndim``) of a view written in place, ``len(m[i])``: its
        indices are still checked first, as Python evaluates ``m[i]`` (IndexError). A named
        view's were checked when it was bound."""
        checks: list[ir.Stmt] = list(view.setup)
        fixed = [*view.prefix, *([view.column] if view.column is not None else [])]
        checks += [ir.ExprStmt(p.line, p.col, p) for p in fixed if isinstance(p, ir.CheckedIndex)]
        return ir.Seq(value.line, value.col, value.ty, checks, value) if checks else value

    def view_access(
        self, view: View, idx_nodes: list[ast.expr], node: ast.AST
    ) -> tuple[list[ir.Expr], list[bool], list[bool]]:
        """Indices, safe and non-negative flags of a full index of ``view``, as an access of
        its base array."""
        for i in idx_nodes:
            if isinstance(i, ast.List | ast.Tuple | ast.Slice):
                self.index(i)  # fancy indexing, or a slice used as a number: says which
        if len(idx_nodes) != view.type.ndim:
            what = f"`{shown(node.value)}`" if isinstance(node, ast.Subscript) else "the array"
            raise self.err(
                node,
                f"{what} has {view.type.ndim} dimension(s); index all of them "
                f"(got {len(idx_nodes)}), or bind a row to a name: row = a[i]",
                "a[i] of a 2-D array is its row i, a 1-D array: index it (a[i][j], a[i, j]), "
                "pass it to a function, or bind it (row = a[i]); a[i, lo:hi] is a slice of it",
            )
        if view.start is not None or view.column is not None:
            from portalis.lang.frontend import slices

            return slices.access(self, view, idx_nodes)
        indices = [self.index(i) for i in idx_nodes]
        ref = view.as_ref()
        fixed = [True] * view.depth
        return (
            list(view.prefix) + indices,
            fixed + self.safe_flags(ref, idx_nodes),
            fixed + self.nonneg_flags(idx_nodes),
        )

    def table_of(self, node: ast.expr) -> Table | None:
        if not isinstance(node, ast.Name) or node.id in self.scope:
            return None
        if node.id in self.unit.tables:
            return self.unit.tables[node.id]
        value = self.program.foreign_value(self.unit, node.id, node)
        return value if isinstance(value, Table) else None

    def dim(self, node: ast.AST, arr: ir.ArrayRef, axis: int) -> ir.Expr:
        line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
        if arr.shape is not None:
            return ir.Const(line, col, I64, arr.shape[axis])
        return ir.Dim(line, col, I64, arr, axis)

    def array_names(self) -> set[str]:
        state = {n for n in self.unit.state_arrays if n not in self.scope}
        return set(self.arrays) | set(self.views) | state

    def safe_flags(self, arr: ir.ArrayRef, idx_nodes: list[ast.expr]) -> list[bool]:
        return [
            bounds.index_is_safe(n, arr.name, k, arr.shape, self.ranges, self.same_extents)
            for k, n in enumerate(idx_nodes)
        ]

    def nonneg_flags(self, idx_nodes: list[ast.expr]) -> list[bool]:
        return [bounds.index_is_nonneg(n, self.ranges) for n in idx_nodes]

    def index(self, node: ast.expr) -> ir.Expr:
        if isinstance(node, ast.Slice):
            raise self.err(
                node,
                "this slice is not supported here: a slice makes a view (an array), not a number",
                "bind it (s = a[lo:hi]), pass it to a function, or loop over the elements",
            )
        if isinstance(node, ast.List | ast.Tuple):
            raise self.err(
                node,
                "indexing with a list of indices (a[[k, p]], NumPy's fancy indexing) is "
                "supported only as rows assigned from rows: a[[k, p]] = a[[p, k]]",
                "swap rows as a[[k, p]] = a[[p, k]]; for other uses loop over the elements",
            )
        e = self.lower_scalar(node)
        if self.scalar(e, node).is_float:
            raise self.err(node, "array indices must be int, got float", "convert with int(...)")
        return self.coerce(e, I64, node, "index")

    def split_subscript(self, node: ast.Subscript) -> tuple[ast.expr, list[ast.expr]]:
        indices: list[ast.expr] = []
        base: ast.expr = node
        while isinstance(base, ast.Subscript):
            s = base.slice
            level = list(s.elts) if isinstance(s, ast.Tuple) else [s]
            if indices and any(isinstance(i, ast.Slice) for i in level):
                break  # a[lo:hi][k] indexes the slice, not a[lo:hi, k]: the slice is the base
            indices = level + indices
            base = base.value
        return base, indices

    def subscript(self, node: ast.Subscript) -> ir.Expr:
        ref = lists.list_named(self, node.value)
        if ref is not None:
            return lists.get(self, ref, node)
        if self.tuple_lists:
            if (made := tuple_lists.named(self, node.value)) is not None:
                return tuple_lists.get(self, made, node)
            if (e := tuple_lists.item(self, node)) is not None:
                return e
        if self.nested_lists and (e := nested_lists.item(self, node)) is not None:
            return e
        base, idx_nodes = self.split_subscript(node)
        line, col = node.lineno, node.col_offset
        if isinstance(base, ast.Attribute) and base.attr == "shape":
            view = self.view_of(base.value)
            if view is not None:
                arr = view.as_ref()
                if len(idx_nodes) != 1 or not (
                    isinstance(idx_nodes[0], ast.Constant) and type(idx_nodes[0].value) is int
                ):
                    raise self.err(node, "index a shape with a literal int: a.shape[0]")
                k = idx_nodes[0].value
                if not -arr.type.ndim <= k < arr.type.ndim:
                    raise self.err(node, f"`{shown(base.value)}` has {arr.type.ndim} dimension(s)")
                return self.view_dim(node, view, k % arr.type.ndim)
        view = self.view_of(base)
        if view is not None:
            indices, safe, nonneg = self.view_access(view, idx_nodes, node)
            arr = view.base
            return ir.Load(line, col, arr.element.value, arr, indices, safe, nonneg)
        table = self.table_of(base)
        if table is not None:
            if isinstance(node.slice, ast.Tuple) or len(idx_nodes) != len(table.shape):
                raise self.err(
                    node,
                    f"`{shown(base)}` is a constant table of shape {table.shape}: "
                    f"index it {'[i]' * len(table.shape)}",
                    "tuples take one index per level (T[i][j]); a tuple index is a TypeError",
                )
            indices = [self.index(i) for i in idx_nodes]
            if all(isinstance(i, ir.Const) for i in indices):
                flat = 0
                for i, n in zip(indices, table.shape, strict=True):
                    k = int(i.value)  # type: ignore[attr-defined]
                    if not -n <= k < n:
                        raise self.err(
                            node,
                            f"index {k} is out of range for `{shown(base)}` ({n} items)",
                        )
                    flat = flat * n + k % n
                return ir.Const(line, col, table.element, table.values[flat])
            self.program.use_table(table)
            if len(indices) == 1:
                index = indices[0]
            else:  # each level checked against its own length, then row by row
                index = ir.CheckedIndex(line, col, I64, None, 0, indices[0], table.shape[0])
                for i, n in zip(indices[1:], table.shape[1:], strict=True):
                    scaled = ir.Binary(line, col, I64, "mul", index, ir.Const(line, col, I64, n))
                    checked = ir.CheckedIndex(line, col, I64, None, 0, i, n)
                    index = ir.Binary(line, col, I64, "add", scaled, checked)
            return ir.TableLoad(line, col, table.element, table.symbol, 0, len(table.values), index)
        raise self.err(
            node,
            f"`{shown(base)}` cannot be indexed",
            "kernels index arrays and module-level constant tuples",
        )

    # -- operators ----------------------------------------------------------------------

    def unary(self, node: ast.UnaryOp) -> ir.Expr:
        o = node.operand
        if isinstance(node.op, ast.USub) and isinstance(o, ast.Constant) and type(o.value) is int:
            if not I64_MIN <= -o.value <= I64_MAX:  # -(2**63) is a valid int64 literal
                raise self.err(
                    node,
                    f"integer literal {summarise(str(-o.value))} does not fit in 64 bits",
                    "kernel ints are 64-bit; see docs/language.md",
                )
            return ir.Const(node.lineno, node.col_offset, I64, -o.value)
        e = self.lower_scalar(node.operand)
        t = self.scalar(e, node)
        line, col = node.lineno, node.col_offset
        if isinstance(node.op, ast.Not):
            return ir.Unary(line, col, BOOL, "not", self.truth(e, node))
        if isinstance(node.op, ast.UAdd):
            return self.coerce(e, I64, node) if t.is_bool else e
        if t.is_bool:
            e, t = self.coerce(e, I64, node), I64
        if isinstance(node.op, ast.USub):
            if isinstance(e, ir.Const):
                v = -e.value
                if isinstance(v, int) and not I64_MIN <= v <= I64_MAX:
                    raise self.err(node, "integer literal does not fit in 64 bits")
                return ir.Const(line, col, t, v)
            return ir.Unary(line, col, t, "neg", e)
        if t.is_float:
            raise self.err(node, "`~` needs an int operand, got float")
        if isinstance(e, ir.Const):
            return ir.Const(line, col, t, ~int(e.value))
        return ir.Unary(line, col, t, "invert", e)

    def binop(self, node: ast.BinOp) -> ir.Expr:
        op = BINARY_OPS.get(type(node.op))
        if op is None:
            raise self.err(node, f"operator `{operator_text(node.op)}` is not supported")
        left, right = self.lower_scalar(node.left), self.lower_scalar(node.right)
        return self.arith(op, left, right, node)

    def arith(self, op: str, left: ir.Expr, right: ir.Expr, node: ast.AST) -> ir.Expr:
        line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
        lt, rt = self.scalar(left, node), self.scalar(right, node)
        if op in ("and", "or", "xor", "shl", "shr"):
            if lt.is_float or rt.is_float:
                raise self.err(node, f"bitwise `{op}` needs int operands, got {lt} and {rt}")
            if lt.is_bool and rt.is_bool and op in ("and", "or", "xor"):
                return ir.Binary(line, col, BOOL, op, left, right)
            t = self.arith_type(left, right, node)
            if op in ("shl", "shr") and isinstance(right, ir.Const) and int(right.value) < 0:
                raise self.err(node, "negative shift count (ValueError in Python)")
            return ir.Binary(
                line, col, t, op, self.coerce(left, t, node), self.coerce(right, t, node)
            )
        if op == "div":
            t = F32 if self.arith_type(left, right, node) == F32 else F64
            quotient = ir.Binary(
                line, col, t, op, self.coerce(left, t, node), self.coerce(right, t, node)
            )
            return numpy_floats.division(self, quotient, node)
        if op == "pow":
            return self.power(left, right, node)
        t = self.arith_type(left, right, node)
        if t.is_float and op in ("floordiv", "mod"):
            t = F64  # computed with CPython's fmod-based algorithm, in double precision
            self.program.use_libm("fmod", node, self.d)  # float % and // use C fmod
            floor_or_mod = ir.Binary(
                line, col, t, op, self.coerce(left, t, node), self.coerce(right, t, node)
            )
            return numpy_floats.division(self, floor_or_mod, node)
        return ir.Binary(line, col, t, op, self.coerce(left, t, node), self.coerce(right, t, node))

    def power(self, left: ir.Expr, right: ir.Expr, node: ast.AST) -> ir.Expr:
        line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
        lt, rt = self.scalar(left, node), self.scalar(right, node)
        negative_literal = isinstance(right, ir.Const) and int(right.value) < 0
        if not lt.is_float and not rt.is_float and not negative_literal:
            t = self.arith_type(left, right, node)
            base = self.coerce(left, t, node)
            if isinstance(right, ir.Const) and int(right.value) <= 8:
                return self.small_power(base, int(right.value), t, node)
            return ir.Binary(line, col, t, "pow", base, self.coerce(right, I64, node))
        if (lt.is_float or rt.is_float) and numpy_floats.on_numpy_values(self, node):
            # NumPy's pow: inf/nan, no exceptions
            base, exponent = self.coerce(left, F64, node), self.coerce(right, F64, node)
            twice_y = self.twice_constant_exponent(right, rt)
            return numpy_floats.power(self, base, exponent, twice_y, node)
        # No algebraic shortcuts: CPython computes every float ``x ** y`` with the C library's
        # pow, which is not correctly rounded, so sqrt(x) for ``x ** 0.5`` and x*x for
        # ``x ** 2`` each differ from it by 1 ulp on ~0.1% of inputs. The in-module pow is
        # the same algorithm as glibc's, so going through it gives CPython's bits.
        if (
            isinstance(right, ir.Const)
            and not self.unit.prefix  # library code (the fast path itself) takes pow
            and not rt.is_bool
            and float(right.value) == 2.0
        ):
            # x ** 2 by an exact product where that is provably CPython's pow
            # (prelude/square.py); 2-5x faster than pow, still CPython's bits.
            symbol = self.program.use_prelude("square", self.d, node)
            return ir.Call(line, col, F64, symbol, [self.coerce(left, F64, node)])
        twice_y = self.twice_constant_exponent(right, rt)
        # x ** 3, x ** -1.5: the fast path written out for the one exponent, small enough to
        # inline into a loop (frontend/fixed_powers.py)
        fixed = fixed_power(self, self.coerce(left, F64, node), twice_y, node, numpy=False)
        if fixed is not None:
            return fixed
        if twice_y is not None and not self.unit.prefix:
            # x ** 3, x ** -1.5, …: double-double, rounded where that is provably CPython's
            # pow (prelude/power.py, libm/powers.py), else pow itself.
            symbol = self.program.use_prelude("power", self.d, node)
            twice = ir.Const(line, col, I64, twice_y)
            return ir.Call(line, col, F64, symbol, [self.coerce(left, F64, node), twice])
        symbol = self.program.use_prelude("float_pow", self.d, node)
        return ir.Call(
            line, col, F64, symbol, [self.coerce(left, F64, node), self.coerce(right, F64, node)]
        )

    @staticmethod
    def twice_constant_exponent(right: ir.Expr, rt: Scalar) -> int | None:
        """2·y for a constant exponent y that is a (half-)integer with 0 < |2·y| <= 256 other
        than 1 and 2 (``x ** 1`` and ``x ** 2`` have their own paths), else None."""
        if not isinstance(right, ir.Const) or rt.is_bool:
            return None
        twice = 2.0 * float(right.value)
        if twice != twice or abs(twice) > 256.0 or twice != float(int(twice)):
            return None
        if int(twice) in (0, 2, 4):
            return None
        return int(twice)

    def small_power(self, base: ir.Expr, n: int, t: Scalar, node: ast.AST) -> ir.Expr:
        """``i ** n`` for a literal 0 <= n <= 8: a chain of multiplications (exact in
        wrapping int64, like the general square-and-multiply)."""
        line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
        if n == 1:
            return base
        tmp = self.temp(t)
        bind: list[ir.Stmt] = [ir.SetLocal(line, col, tmp, base)]
        if n == 0:
            return ir.Seq(line, col, t, bind, ir.Const(line, col, t, 1))
        product: ir.Expr = ir.LocalGet(line, col, t, tmp)
        for _ in range(n - 1):
            product = ir.Binary(line, col, t, "mul", product, ir.LocalGet(line, col, t, tmp))
        return ir.Seq(line, col, t, bind, product)

    def compare(self, node: ast.Compare) -> ir.Expr:
        line, col = node.lineno, node.col_offset
        membership = len(node.ops) == 1 and isinstance(node.ops[0], ast.In | ast.NotIn)
        if membership and (ref := lists.list_named(self, node.comparators[0])):
            from portalis.lang.frontend import list_methods

            found = list_methods.contains(self, ref, node.left, node)
            if isinstance(node.ops[0], ast.NotIn):
                return ir.Unary(line, col, BOOL, "not", found)
            return found
        if (
            membership
            and self.nested_lists
            and (nested := nested_lists.contains(self, node.left, node)) is not None
        ):
            if isinstance(node.ops[0], ast.NotIn):
                return ir.Unary(line, col, BOOL, "not", nested)
            return nested
        left = self.lower_scalar(node.left)
        result: ir.Expr | None = None
        for i, (op_node, comp) in enumerate(zip(node.ops, node.comparators, strict=False)):
            op = _COMPARE.get(type(op_node))
            if op is None:
                raise self.err(
                    node,
                    f"comparison `{operator_text(op_node)}` is not supported",
                    "kernels compare numbers with < <= > >= == !=",
                )
            right = self.lower_scalar(comp)
            next_left = right
            if i + 1 < len(node.ops) and not isinstance(right, ir.Const | ir.LocalGet):
                tmp = self.temp(self.scalar(right, comp))
                next_left = ir.LocalGet(line, col, right.ty, tmp)
                right = ir.LocalTee(line, col, right.ty, tmp, right)
            lt, rt = self.scalar(left, node), self.scalar(right, node)
            t = BOOL if lt.is_bool and rt.is_bool else self.arith_type(left, right, node)
            c = ir.Compare(
                line, col, BOOL, op, self.coerce(left, t, node), self.coerce(right, t, node)
            )
            if result is None:
                result = c
            else:  # (a < b) and (b < c): the `and` the value-range pass takes guards from
                result = ir.Logical(line, col, BOOL, "and", result, c, self.temp(BOOL))
            left = next_left
        assert result is not None
        return result

    def boolop(self, node: ast.BoolOp) -> ir.Expr:
        op = "and" if isinstance(node.op, ast.And) else "or"
        values = [self.lower_scalar(v) for v in node.values]
        t = self.common_type(values, node)
        result = self.coerce(values[-1], t, node)
        for v in reversed(values[:-1]):
            tmp = self.temp(t)
            result = ir.Logical(
                node.lineno, node.col_offset, t, op, self.coerce(v, t, node), result, tmp
            )
        return result

    def common_type(self, values: list[ir.Expr], node: ast.AST) -> Scalar:
        types = [self.scalar(v, node) for v in values]
        if all(t.is_bool for t in types):
            return BOOL
        t = types[0] if not types[0].is_bool else I64
        for u in types[1:]:
            t = unify_numeric(t, u)
        return t

    def ifexp(self, node: ast.IfExp) -> ir.Expr:
        cond = self.truth(self.lower_scalar(node.test), node.test)
        a, b = self.lower_scalar(node.body), self.lower_scalar(node.orelse)
        t = self.common_type([a, b], node)
        return ir.IfExp(
            node.lineno, node.col_offset, t, cond, self.coerce(a, t, node), self.coerce(b, t, node)
        )

    def tuple_(self, node: ast.Tuple) -> ir.Expr:
        items = [self.lower_scalar(e) for e in node.elts]
        types = tuple(self.scalar(i, node) for i in items)
        return ir.TupleExpr(node.lineno, node.col_offset, TupleType(types), items)

    # -- calls --------------------------------------------------------------------------

    def float_of_string(self, node: ast.Call) -> float:
        """``float("inf")``, ``float("nan")``, ``float("1e-3")``: a constant, converted by
        CPython itself (so every spelling it accepts means what it means there)."""
        text = _string_argument(node)
        assert text is not None
        try:
            return float(text)
        except ValueError:
            raise self.err(
                node,
                f"float({summarise(repr(text))}) raises ValueError in Python",
                "write math.inf, -math.inf or math.nan, or a number literal",
            ) from None

    def call(self, node: ast.Call) -> ir.Expr:
        f = node.func
        if isinstance(f, ast.Attribute) and (ref := lists.list_named(self, f.value)):
            e = lists.method(self, ref, node, statement=False)
            assert isinstance(e, ir.Expr), e
            return e
        if (
            isinstance(f, ast.Name)
            and f.id in ("len", "sum", "min", "max")
            and node.args
            and (ref := lists.list_named(self, node.args[0]))
        ):
            return lists.builtin(self, f.id, ref, node)
        if self.heapq and heaps.called(self, node):
            return heaps.value(self, node)
        if self.tuple_lists and (made := tuple_lists.call(self, node)) is not None:
            return made
        if (
            self.nested_lists
            and (done := nested_lists.call(self, node, statement=False)) is not None
        ):
            assert isinstance(done, ir.Expr)
            return done
        if isinstance(f, ast.Name) and (sig := self.program.function(self.unit, f.id, node)):
            return self.user_call(node, sig)
        name = self.unit.builtin_name(f)
        if name is None:
            raise self.err(
                node,
                f"cannot call `{shown(f)}`",
                "kernels call their own functions, math functions and builtins",
            )
        if name == "len":
            return self.len_(node)
        if name == "float" and _string_argument(node) is not None:
            return ir.Const(node.lineno, node.col_offset, F64, self.float_of_string(node))
        b = builtins.lookup(name)
        if b is None:
            hint = (
                "call print as a statement (it returns None); the text goes to the host log"
                if name == "print"
                else "see the builtins table in docs/language.md"
            )
            if name == "range":
                hint = "range(...) is only supported as the iterable of a for loop"
            elif name in ("zeros", "numpy.zeros", "numpy.empty", "numpy.array"):
                hint = (
                    "bind a new array to a name at the top of the function (a = np.zeros(n)); "
                    "persistent arrays are module-level: NAME = zeros(shape)"
                )
            elif name.startswith("numpy.") and builtins.lookup("math." + name[6:]):
                hint = f"kernels compute on scalars: use math.{name[6:]}(...) in a loop"
            raise self.err(node, f"`{name}` is not supported in kernels", hint)
        if node.keywords:
            raise self.err(node, f"`{name}` takes no keyword arguments here")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise self.err(node, "starred arguments (*x) are not supported")
        args = [self.lower_scalar(a) for a in node.args]
        typed = b.typer([self.scalar(a, n) for a, n in zip(args, node.args, strict=False)])
        if isinstance(typed, str):
            raise self.err(node, f"{name}() {typed}")
        params, result = typed
        return self.lower_builtin(b, node, args, params, result)

    def lower_builtin(
        self,
        b: builtins.Builtin,
        node: ast.Call,
        args: list[ir.Expr],
        params: list[Scalar],
        result: Scalar,
    ) -> ir.Expr:
        line, col = node.lineno, node.col_offset
        low = b.lowering
        if low == "convert":
            a = args[0]
            if isinstance(a, ir.Const):
                return self.coerce(a, result, node, narrowing=True)
            if a.ty == result:
                return a
            if self.scalar(a, node).is_bool and result.is_float:
                return ir.Cast(line, col, result, "convert", a)
            return ir.Cast(line, col, result, "convert", a)
        if low == "truth":
            return self.truth(args[0], node)
        if low in ("int", "i32"):
            a = args[0]
            at = self.scalar(a, node)
            if at.is_float:
                a = ir.Cast(line, col, I64, "py_int", self.coerce(a, F64, node))
            elif isinstance(a, ir.Const):
                a = ir.Const(line, col, I64, int(a.value))
            else:
                a = self.coerce(a, I64, node) if at != I32 or low == "int" else a
            return a if result == a.ty else self.coerce(a, result, node, narrowing=True)
        if low == "round" and not params[0].is_float:
            return self.coerce(args[0], I64, node)
        conv = [self.coerce(a, p, n) for a, p, n in zip(args, params, node.args, strict=False)]
        if low.startswith("libm:"):
            self.program.use_libm(low[5:], node, self.d)
        return ir.BuiltinCall(line, col, result, low, conv)

    def len_(self, node: ast.Call) -> ir.Expr:
        if len(node.args) != 1 or node.keywords:
            raise self.err(node, "len() takes one array")
        view = self.view_of(node.args[0])
        if view is not None:
            return self.view_dim(node, view, 0)
        arg = node.args[0]
        base, idx_nodes = self.split_subscript(arg) if isinstance(arg, ast.Subscript) else (arg, [])
        table = self.table_of(base)
        if table is not None and len(idx_nodes) < len(table.shape):
            return ir.Const(node.lineno, node.col_offset, I64, table.shape[len(idx_nodes)])
        raise self.err(
            node,
            "len() of something that is not an array or constant table",
            "bind an array result to a name first (b = f(...)), then take len(b)"
            if isinstance(arg, ast.Call)
            else "",
        )

    def wrong_array_argument(
        self, a: ast.expr, view: View | None, want: ArrayType, what: str
    ) -> CompileError:
        """Passing the wrong array: the hint says how to get the right one (a row by
        partial indexing, a result bound to a name)."""
        got = str(view.type) if view is not None else "not an array"
        hint = ""
        if view is not None and view.type.element == want.element:
            extra = view.type.ndim - want.ndim
            if extra > 0:
                rows = "[i]" * extra
                hint = (
                    f"partial indexing takes a sub-array in place: `{shown(a)}{rows}` is a "
                    f"{want.ndim}-D view of it (row i)"
                )
            else:
                hint = f"`{shown(a)}` has {view.type.ndim} dimension(s); pass a {want.ndim}-D array"
        elif view is not None:
            hint = f"convert the elements in a loop into a {want.element.abi} array"
        elif isinstance(a, ast.Call) and not isinstance(a.func, ast.Attribute):
            hint = "bind an array result to a name first (b = f(...)), then pass b"
        return self.err(a, f"argument {what} must be {want}, got {got}", hint)

    def user_call(self, node: ast.Call, sig: FunctionSig) -> ir.Expr:
        args = self.call_args(node, sig)
        self.program.request(sig)
        if sig.passes_lists:
            made = list_calls.call(self, node, sig, args)
            assert isinstance(made, ir.Expr)
            return made
        plain = [a for a in args if isinstance(a, ir.Expr)]
        return ir.Call(node.lineno, node.col_offset, sig.result, sig.symbol, plain)

    def call_args(self, node: ast.Call, sig: FunctionSig) -> list[ir.Expr | ir.ListRef]:
        """The arguments of a call of the module's function ``sig``, in parameter order
        (defaults filled in); a list argument as its ref (frontend/list_calls.py)."""
        line, col = node.lineno, node.col_offset
        bound: dict[str, ast.expr] = {}
        if len(node.args) > len(sig.params):
            raise self.err(
                node, f"`{sig.name}` takes {len(sig.params)} arguments, got {len(node.args)}"
            )
        for p, a in zip(sig.params, node.args, strict=False):
            if isinstance(a, ast.Starred):
                raise self.err(a, "starred arguments (*x) are not supported")
            bound[p.name] = a
        names = {p.name for p in sig.params}
        for kw in node.keywords:
            if kw.arg is None or kw.arg not in names:
                raise self.err(kw.value, f"`{sig.name}` has no parameter `{kw.arg}`")
            if kw.arg in bound:
                raise self.err(kw.value, f"`{sig.name}` got two values for `{kw.arg}`")
            bound[kw.arg] = kw.value
        args: list[ir.Expr | ir.ListRef] = []
        for p in sig.params:
            arg = bound.get(p.name)
            if arg is None:
                if p.default is None:
                    raise self.err(node, f"`{sig.name}` is missing argument `{p.name}`")
                assert isinstance(p.type, Scalar)
                args.append(self.coerce(ir.Const(line, col, p.type, p.default), p.type, node))
                continue
            if isinstance(p.type, ArrayType):
                view = self.view_of(arg)
                if view is None or view.type != p.type:
                    raise self.wrong_array_argument(
                        arg, view, p.type, f"`{p.name}` of `{sig.name}`"
                    )
                from portalis.lang.frontend import slices

                args.append(slices.array_arg(self, arg, view))
            elif isinstance(p.type, ListType):
                what = f"argument `{p.name}` of `{sig.name}`"
                args.append(list_calls.list_argument(self, arg, p.type, what))
            else:
                args.append(
                    self.coerce(
                        self.lower_scalar(arg), p.type, arg, f"argument `{p.name}` of `{sig.name}`"
                    )
                )
        return args

    handlers: ClassVar[dict[type, Callable[[Any, Any], ir.Expr]]] = {
        ast.Constant: constant,
        ast.Name: name,
        ast.Attribute: attribute,
        ast.Subscript: subscript,
        ast.UnaryOp: unary,
        ast.BinOp: binop,
        ast.Compare: compare,
        ast.BoolOp: boolop,
        ast.IfExp: ifexp,
        ast.Call: call,
        ast.Tuple: tuple_,
    }


def _string_argument(node: ast.Call) -> str | None:
    """The string of a one-argument call with a string literal, as in ``float("inf")``."""
    if len(node.args) == 1 and not node.keywords:
        arg = node.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
    return None
