"""Complex arrays (``Array[np.complex128]``): rewritten, before the records lowering, into
float64 arrays with one more axis of extent 2, the layout NumPy already uses.

A complex128 array of rank k is, in memory, a float64 array of rank k + 1 whose last extent
is 2 (real part at +0, imaginary part at +8). The ABI calls its element ``c128`` (see
portalis/abi.py), so hosts pass and receive ``np.complex128`` arrays; inside the kernel:

* ``x[i]`` read is ``complex(x[i, 0], x[i, 1])``: a complex value for the records lowering;
* ``x[i] = e`` is ``t = e`` then ``x[i, 0] = t.real`` and ``x[i, 1] = t.imag`` (Python
  evaluates the value before the target's index, so the order of errors is CPython's);
* ``x[i] op= e`` is ``x[i] = x[i] op e``, and ``x[i], x[j] = x[j], x[i]`` evaluates the
  right side into temporaries first, as Python does;
* ``np.zeros(n, dtype=np.complex128)``, ``np.empty(...)``, ``np.zeros_like(x)`` make the
  float64 pairs array.

Indices are evaluated once in CPython; here an index of a complex element is repeated, so
it must not call anything (a located error says to bind it to a name first).

Under CPython ``x[i]`` is a NumPy ``complex128`` scalar and every result computed from it
is one too. For ``+ - *``, unary minus, ``.real``, ``.imag`` and ``==`` NumPy's
complex128 arithmetic gives CPython's complex bits (the same C formulas, products and sums
commute exactly), so the lowering's CPython complex arithmetic is exact. Division, ``abs``,
``**``, ``//`` and ``%`` differ (NumPy scales by a reciprocal in division, returns inf
instead of raising OverflowError, and warns instead of raising ZeroDivisionError on
NumPy floats): on a value derived from a complex array element they are refused.
"""

from __future__ import annotations

import ast
import cmath
import copy
from typing import TypeGuard

from portalis.lang.frontend.diagnostics import Diagnostics, shown
from portalis.lang.types import C128_PAIRS_NAME

#: Annotations of a complex element inside ``Array[...]``.
COMPLEX_ELEMENTS = {"complex", "complex128", "np.complex128", "numpy.complex128", "c128"}
#: cmath's float constants (the same floats as math's).
CMATH_CONSTANTS = {"pi", "e", "tau", "inf", "nan"}
#: Makers of a new array whose dtype may be complex.
MAKERS = {"zeros", "empty"}  # np.ones would set both parts to 1
LIKE_MAKERS = {"zeros_like", "empty_like"}
#: Operations whose NumPy complex128 result differs from CPython's complex one.
NUMPY_DIFFERS = (ast.Div, ast.Pow, ast.FloorDiv, ast.Mod)


def uses_complex_arrays(tree: ast.Module) -> bool:
    return any(
        isinstance(n, ast.Attribute | ast.Name) and _dotted(n) in COMPLEX_ELEMENTS - {"complex"}
        for n in ast.walk(tree)
    ) or any(
        isinstance(n, ast.Subscript) and _is_complex_array_annotation(n) for n in ast.walk(tree)
    )


def cmath_constants(tree: ast.Module) -> ast.Module:
    """``cmath.pi``, ``cmath.e``, ``cmath.tau``, ``cmath.inf``, ``cmath.nan`` (with ``import
    cmath``): the floats themselves, which are ``math``'s."""
    if not any(
        isinstance(s, ast.Import) and any(a.name == "cmath" and a.asname is None for a in s.names)
        for s in tree.body
    ):
        return tree

    class Constants(ast.NodeTransformer):
        def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
            if (
                isinstance(node.value, ast.Name)
                and node.value.id == "cmath"
                and node.attr in CMATH_CONSTANTS
                and isinstance(node.ctx, ast.Load)
            ):
                return ast.copy_location(ast.Constant(getattr(cmath, node.attr)), node)
            return self.generic_visit(node)  # type: ignore[return-value]

    return Constants().visit(tree)  # type: ignore[no-any-return]


def lower_complex_arrays(tree: ast.Module, diag: Diagnostics) -> ast.Module:
    """Rewrite every function's complex arrays into float64 pairs arrays (in place)."""
    helpers = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            _Function(node, diag, helpers).run()
    return tree


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else base + "." + node.attr
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _is_call_of(node: ast.AST, name: str) -> TypeGuard[ast.Call]:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


def _is_complex_array_annotation(ann: ast.expr | None) -> bool:
    if not isinstance(ann, ast.Subscript) or _dotted(ann.value) not in {"Array", "lang.Array"}:
        return False
    first = ann.slice.elts[0] if isinstance(ann.slice, ast.Tuple) else ann.slice
    return _dotted(first) in COMPLEX_ELEMENTS


def _pairs_annotation(ann: ast.Subscript) -> ast.expr:
    ndim = 1
    if isinstance(ann.slice, ast.Tuple) and len(ann.slice.elts) == 2:
        second = ann.slice.elts[1]
        if isinstance(second, ast.Constant) and type(second.value) is int:
            ndim = second.value
    new = ast.Subscript(
        value=copy.deepcopy(ann.value),
        slice=ast.Tuple([ast.Constant(C128_PAIRS_NAME), ast.Constant(ndim + 1)], ast.Load()),
        ctx=ast.Load(),
    )
    return ast.copy_location(new, ann)


class _Function:
    def __init__(self, fn: ast.FunctionDef, diag: Diagnostics, helpers: set[str]) -> None:
        self.fn = fn
        self.helpers = helpers  # the module's functions: a complex array may be passed on
        self.d = diag
        self.arrays: set[str] = set()
        self.temps = 0
        self.returns_complex = _is_complex_array_annotation(fn.returns)

    def run(self) -> None:
        for arg in self.fn.args.args + self.fn.args.kwonlyargs:
            if _is_complex_array_annotation(arg.annotation):
                assert isinstance(arg.annotation, ast.Subscript)
                arg.annotation = _pairs_annotation(arg.annotation)
                self.arrays.add(arg.arg)
        if _is_complex_array_annotation(self.fn.returns):
            # An array result: the caller receives a complex128 array (runtime/results.py
            # reads the pairs the function returns as complex numbers).
            assert isinstance(self.fn.returns, ast.Subscript)
            self.fn.returns = _pairs_annotation(self.fn.returns)
        self._find_locals(self.fn.body)
        if not self.arrays and not self.returns_complex:
            return
        self._refuse_other_uses()
        self.fn.body = self._block(self.fn.body)
        self._refuse_numpy_differences()

    # -- locals made by np.zeros(n, dtype=np.complex128) and friends ------------------------
    def _find_locals(self, body: list[ast.stmt]) -> None:
        for node in ast.walk(ast.Module(body=body, type_ignores=[])):
            if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                single = len(targets) == 1 and isinstance(targets[0], ast.Name)
                if single and self._is_complex_maker(node.value):
                    self.arrays.add(targets[0].id)  # type: ignore[attr-defined]
                    if isinstance(node, ast.AnnAssign):
                        node.annotation = _pairs_annotation(node.annotation)  # type: ignore[arg-type]

    def _is_complex_maker(self, call: ast.Call) -> bool:
        name = _dotted(call.func) or ""
        last = name.rsplit(".", 1)[-1]
        dtype = next((k.value for k in call.keywords if k.arg == "dtype"), None)
        if last in MAKERS:
            if dtype is None and len(call.args) == 2:
                dtype = call.args[1]
            return dtype is not None and _dotted(dtype) in COMPLEX_ELEMENTS
        if last in LIKE_MAKERS and call.args:
            source = call.args[0]
            if dtype is not None:
                return _dotted(dtype) in COMPLEX_ELEMENTS
            return isinstance(source, ast.Name) and source.id in self.arrays
        return False

    def _maker(self, call: ast.Call) -> ast.expr:
        """``np.zeros(n, dtype=np.complex128)`` → ``np.zeros((n, 2), dtype=PAIRS)``."""
        name = _dotted(call.func) or ""
        last = name.rsplit(".", 1)[-1]
        pairs = ast.Constant(C128_PAIRS_NAME)
        if last in LIKE_MAKERS:
            source = call.args[0]
            if not (isinstance(source, ast.Name) and source.id in self.arrays):
                raise self.d.error(
                    call,
                    f"`{shown(call)}`: a complex array like a non-complex one is not supported yet",
                )
            shape: ast.expr = ast.Attribute(ast.Name(source.id, ast.Load()), "shape", ast.Load())
            func = ast.Attribute(call.func.value, last[: -len("_like")], ast.Load())  # type: ignore[attr-defined]
            new = ast.Call(func, [shape], [ast.keyword("dtype", pairs)])
            return ast.fix_missing_locations(ast.copy_location(new, call))
        size = call.args[0]
        dims = list(size.elts) if isinstance(size, ast.Tuple) else [size]
        new = ast.Call(
            call.func,
            [ast.Tuple([*dims, ast.Constant(2)], ast.Load())],
            [ast.keyword("dtype", pairs)],
        )
        return ast.fix_missing_locations(ast.copy_location(new, call))

    # -- statements -------------------------------------------------------------------------
    def _block(self, body: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in body:
            out += self._stmt(stmt)
        return out

    def _temp(self, where: ast.AST) -> str:
        self.temps += 1
        return f"element#{self.temps}"

    def _stmt(self, stmt: ast.stmt) -> list[ast.stmt]:
        for name in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, name, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                setattr(stmt, name, self._block(inner))
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if self._is_element(target):
                return self._store(target, stmt.value, stmt)  # type: ignore[arg-type]
            if (
                isinstance(target, ast.Tuple)
                and any(self._is_element(t) for t in target.elts)
                and isinstance(stmt.value, ast.Tuple)
                and len(stmt.value.elts) == len(target.elts)
            ):  # a, b = c, d: the right side first, then the stores left to right
                names = [self._temp(stmt) for _ in target.elts]
                out: list[ast.stmt] = []
                for name, value in zip(names, stmt.value.elts, strict=True):
                    out.append(self._assign(ast.Name(name, ast.Store()), self._expr(value), stmt))
                for name, t in zip(names, target.elts, strict=True):
                    out += self._stmt(self._assign(t, ast.Name(name, ast.Load()), stmt))
                return out
        if isinstance(stmt, ast.AugAssign) and self._is_element(stmt.target):
            target = stmt.target
            assert isinstance(target, ast.Subscript)
            self._check_pure_index(target)
            read = ast.Subscript(
                copy.deepcopy(target.value), copy.deepcopy(target.slice), ast.Load()
            )
            value = ast.BinOp(read, stmt.op, stmt.value)
            return self._store(target, ast.copy_location(value, stmt), stmt)
        if (
            isinstance(stmt, ast.Assign | ast.AnnAssign | ast.Return)
            and isinstance(stmt.value, ast.Call)
            and self._is_complex_maker(stmt.value)
        ):  # x = np.zeros(n, dtype=np.complex128); return np.zeros(...) (a complex result)
            stmt.value = self._maker(stmt.value)
            return [stmt]
        return [self._exprs(stmt)]

    @staticmethod
    def _assign(target: ast.expr, value: ast.expr, where: ast.stmt) -> ast.stmt:
        return ast.fix_missing_locations(ast.copy_location(ast.Assign([target], value), where))

    def _store(self, target: ast.Subscript, value: ast.expr, where: ast.stmt) -> list[ast.stmt]:
        self._check_pure_index(target)
        value = self._expr(value)
        first: list[ast.stmt] = []
        if isinstance(value, ast.Name):
            name = value.id
        else:
            name = self._temp(where)
            first.append(self._assign(ast.Name(name, ast.Store()), value, where))
        # A number stored into a complex array becomes complex(x, 0.0), as NumPy stores it.
        parts = []
        for index, part in ((0, "real"), (1, "imag")):
            element = self._part(target, index, ast.Store())
            read = ast.Attribute(
                ast.Call(ast.Name("complex", ast.Load()), [ast.Name(name, ast.Load())], []),
                part,
                ast.Load(),
            )
            parts.append(self._assign(element, read, where))
        return [*first, *parts]

    def _part(self, element: ast.Subscript, index: int, ctx: ast.expr_context) -> ast.Subscript:
        idx = copy.deepcopy(element.slice)
        dims = list(idx.elts) if isinstance(idx, ast.Tuple) else [idx]
        new = ast.Subscript(
            copy.deepcopy(element.value), ast.Tuple([*dims, ast.Constant(index)], ast.Load()), ctx
        )
        return ast.fix_missing_locations(ast.copy_location(new, element))

    def _check_pure_index(self, element: ast.Subscript) -> None:
        for node in ast.walk(element.slice):
            if isinstance(node, ast.Call | ast.NamedExpr | ast.Await | ast.Yield):
                raise self.d.error(
                    element,
                    f"`{shown(element.slice)}`: the index of a complex array element is "
                    "evaluated twice here, so it may not call anything",
                    "bind the index to a name first",
                )
            if isinstance(node, ast.Slice):
                raise self.d.error(element, "slices of complex arrays are not supported yet")

    def _is_element(self, node: ast.expr) -> bool:
        return (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id in self.arrays
        )

    # -- expressions ------------------------------------------------------------------------
    def _exprs(self, stmt: ast.stmt) -> ast.stmt:
        for name, value in ast.iter_fields(stmt):
            if isinstance(value, ast.expr):
                setattr(stmt, name, self._expr(value))
            elif isinstance(value, list):
                setattr(
                    stmt, name, [self._expr(v) if isinstance(v, ast.expr) else v for v in value]
                )
        return stmt

    def _expr(self, node: ast.expr) -> ast.expr:
        if isinstance(node, ast.Subscript) and self._is_element(node):
            self._check_pure_index(node)
            new = ast.Call(
                ast.Name("complex", ast.Load()),
                [self._part(node, 0, ast.Load()), self._part(node, 1, ast.Load())],
                [],
            )
            return ast.fix_missing_locations(ast.copy_location(new, node))
        if _is_call_of(node, "len") and len(node.args) == 1:
            return node  # len(x): the outer extent, the same in both layouts
        for name, value in ast.iter_fields(node):
            if isinstance(value, ast.expr):
                setattr(node, name, self._expr(value))
            elif isinstance(value, list):
                items = [self._expr(v) if isinstance(v, ast.expr) else v for v in value]
                setattr(node, name, items)
        return node

    def _refuse_other_uses(self) -> None:
        """A complex array may be indexed, measured with ``len``, passed to a function or
        copied by ``np.zeros_like``; anything else (iteration, ``.shape``, ``.size``, a
        whole-array operation) would see the float pairs, so it is refused at its line."""
        parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.fn):
            for child in ast.iter_child_nodes(node):
                parents[child] = node
        for node in ast.walk(self.fn):
            if not (isinstance(node, ast.Name) and node.id in self.arrays):
                continue
            parent = parents.get(node)
            if isinstance(parent, ast.Subscript) and parent.value is node:
                continue
            callee = (_dotted(parent.func) or "") if isinstance(parent, ast.Call) else ""
            if (
                isinstance(parent, ast.Call)
                and node in parent.args
                and (
                    callee in self.helpers
                    or callee == "len"
                    or callee.rsplit(".", 1)[-1] in LIKE_MAKERS
                )
            ):
                continue  # len(x), a helper taking a complex array, np.zeros_like(x)
            if isinstance(node.ctx, ast.Store) and isinstance(parent, ast.Assign | ast.AnnAssign):
                continue  # x = np.zeros(n, dtype=np.complex128)
            if isinstance(parent, ast.Return) and self.returns_complex:
                continue  # -> Array[np.complex128]: the caller gets a complex128 array
            where = parent if isinstance(parent, ast.expr | ast.stmt) else node
            raise self.d.error(
                where,
                f"`{shown(where) if isinstance(where, ast.expr) else node.id}`: a complex "
                "array may only be indexed (`x[i]`), measured (`len(x)`) or passed to a "
                "function here",
                "loop over `range(len(x))` and read `x[i]`",
            )

    # -- NumPy complex128 semantics ---------------------------------------------------------
    def _refuse_numpy_differences(self) -> None:
        """Names bound (anywhere in the function) to a value computed from a complex array
        element hold NumPy scalars under CPython; refuse the operations where NumPy's
        answer is not CPython's complex one."""
        tainted: set[str] = set()

        def derived(e: ast.AST) -> bool:
            for n in ast.walk(e):
                if self._is_element(n):  # type: ignore[arg-type]
                    return True
                if isinstance(n, ast.Name) and n.id in tainted:
                    return True
            return False

        changed = True
        while changed:
            changed = False
            for n in ast.walk(self.fn):
                if isinstance(n, ast.Assign | ast.AugAssign | ast.AnnAssign) and n.value:
                    if not derived(n.value) and not (
                        isinstance(n, ast.AugAssign) and derived(n.target)
                    ):
                        continue
                    targets = n.targets if isinstance(n, ast.Assign) else [n.target]
                    for t in targets:
                        for leaf in ast.walk(t):
                            if isinstance(leaf, ast.Name) and leaf.id not in tainted:
                                tainted.add(leaf.id)
                                changed = True
        for n in ast.walk(self.fn):
            bad: ast.AST | None = None
            if isinstance(n, ast.BinOp) and isinstance(n.op, NUMPY_DIFFERS):
                bad = n if derived(n.left) or derived(n.right) else None
            elif isinstance(n, ast.AugAssign) and isinstance(n.op, NUMPY_DIFFERS):
                bad = n if derived(n.target) or derived(n.value) else None
            elif _is_call_of(n, "abs"):
                bad = n if any(derived(a) for a in n.args) else None
            if bad is not None:
                raise self.d.error(
                    bad,
                    f"`{shown(bad)}`: on a value read from a complex128 array this is "
                    "NumPy's complex128 operation, whose result differs from CPython's "
                    "complex one (division scales by a reciprocal, abs and division by zero "
                    "do not raise); not supported yet",
                    "keep this step's parts in two float64 arrays (see docs/language.md)",
                )
