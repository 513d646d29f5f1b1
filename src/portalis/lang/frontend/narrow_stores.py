"""Storing an int into a narrow integer array (``u8``, ``i32``) the way CPython and NumPy do.

NumPy 2 raises OverflowError for an int out of the element's range ("Python integer 300
out of bounds for uint8") — always for a signed element (``i32``: it converts NumPy
integers through a Python int too), but for an unsigned one (``u8``) only when the value
is a *Python* int (``a[i] = 300``): a *NumPy* integer (``a[i] = b[j]``, or any arithmetic on
an array element) wraps. A compiled kernel has only 64-bit ints, so for ``u8`` the compiler
decides from the source which one a stored value would be under CPython:

* a NumPy value: anything that reads an array element (``b[j]``, ``row[k]``, a view), a
  local assigned such a value anywhere in the function, a loop variable over anything but
  ``range``, an item of a list, the result of a call of the module's functions or of a
  method — and everything computed from these (arithmetic keeps NumPy's type);
* a Python value: literals, parameters, ``range`` loop variables, ``len``, ``int(...)``,
  ``round``, ``math.floor``/``ceil``/``trunc``, constant tables, state, and arithmetic on
  these only.

When in doubt the value counts as NumPy's (the store wraps, as it did before): the only
mismatch left is a Python int that reaches the store through a local that is also, on
another path, given a NumPy value — there CPython raises and the kernel wraps.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from portalis.lang import ir
from portalis.lang.frontend.messages import out_of_bounds
from portalis.lang.types import BOOL, I64, Element

if TYPE_CHECKING:
    from portalis.lang.frontend.exprs import ExprLowerer

#: Element → (smallest, largest) value, NumPy's dtype name.
NARROW = {"u8": (0, 255, "uint8"), "i32": (-(1 << 31), (1 << 31) - 1, "int32")}
#: Elements NumPy wraps a NumPy integer into (it raises for a signed one, as for Python ints:
#: NumPy 2 converts a NumPy integer for a signed array through a Python int).
WRAPS_NUMPY_INTS = {"u8"}
#: Calls whose result is a Python number whatever their argument.
_PYTHON_RESULTS = {"int", "float", "len", "round", "bool", "math.floor", "math.ceil", "math.trunc"}


def _is_numpy(lw: ExprLowerer, node: ast.AST, tainted: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in tainted or node.id in lw.arrays or node.id in lw.views
    if isinstance(node, ast.Subscript):
        base = node.value
        while isinstance(base, ast.Subscript):
            base = base.value
        if isinstance(base, ast.Name) and lw.table_of(base) is not None:
            return any(_is_numpy(lw, c, tainted) for c in ast.iter_child_nodes(node.slice))
        return True  # an array element, a view, a list item
    if isinstance(node, ast.Call):
        name = lw.unit.builtin_name(node.func)
        if name in _PYTHON_RESULTS:
            return False
        if name in ("min", "max", "abs"):
            return any(_is_numpy(lw, a, tainted) for a in node.args)
        return True  # the module's functions, methods, anything else: NumPy's, to be safe
    return any(_is_numpy(lw, c, tainted) for c in ast.iter_child_nodes(node))


def numpy_locals(lw: ExprLowerer) -> set[str]:
    """Locals that may hold a NumPy scalar under CPython (see the module doc), to a fixed
    point over every assignment in the function."""
    cached: set[str] | None = getattr(lw, "_numpy_locals", None)
    if cached is not None:
        return cached
    tainted: set[str] = set()
    body = lw.sig.node.body
    changed = True
    while changed:
        changed = False
        for node in (n for stmt in body for n in ast.walk(stmt)):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign) and _is_numpy(lw, node.value, tainted):
                targets = list(node.targets)
            elif isinstance(node, ast.AugAssign | ast.AnnAssign) and node.value is not None:
                if _is_numpy(lw, node.value, tainted):
                    targets = [node.target]
            elif isinstance(node, ast.For | ast.comprehension):
                it = node.iter
                if not (isinstance(it, ast.Call) and lw.unit.builtin_name(it.func) == "range"):
                    targets = [node.target]
            for t in targets:
                for name in ast.walk(t):
                    if isinstance(name, ast.Name) and name.id not in tainted:
                        tainted.add(name.id)
                        changed = True
    lw._numpy_locals = tainted  # type: ignore[attr-defined]
    return tainted


def checked(
    lw: ExprLowerer, value: ir.Expr, element: Element, source: ast.expr | None, node: ast.AST
) -> ir.Expr:
    """``value`` to be stored into an array of ``element``: with NumPy's OverflowError
    check when it is a Python int out of the element's range."""
    bounds = NARROW.get(element.abi)
    if bounds is None or value.ty != I64 or source is None:
        return value
    if element.abi in WRAPS_NUMPY_INTS and _is_numpy(lw, source, numpy_locals(lw)):
        return value  # NumPy wraps its own integers into unsigned arrays
    low, high, dtype = bounds
    line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
    tmp = lw.temp(I64)
    at = ir.LocalGet(line, col, I64, tmp)
    outside = ir.Logical(
        line,
        col,
        BOOL,
        "or",
        ir.Compare(line, col, BOOL, "lt", at, ir.Const(line, col, I64, low)),
        ir.Compare(line, col, BOOL, "gt", at, ir.Const(line, col, I64, high)),
        lw.temp(BOOL),
    )
    fail = out_of_bounds(lw, tmp, dtype, node)
    stmts: list[ir.Stmt] = [ir.SetLocal(line, col, tmp, value), ir.If(line, col, outside, fail, [])]
    return ir.Seq(line, col, I64, stmts, at)


__all__ = ["NARROW", "WRAPS_NUMPY_INTS", "checked", "numpy_locals"]
