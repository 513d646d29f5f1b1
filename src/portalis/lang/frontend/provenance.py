"""Whether a value would be a *NumPy* scalar or a *Python* number under CPython, decided from
the source. A compiled kernel has one int type and one float type, but CPython gives the
two different rules: NumPy wraps its own integers into a ``uint8`` array where a Python int
raises (frontend/narrow_stores.py), and NumPy's float64 divides by zero to inf/nan where a
Python float raises ZeroDivisionError (frontend/numpy_floats.py). Both ask this module.

* a NumPy value: anything that reads an array element (``b[j]``, ``row[k]``, a view), a
  local assigned such a value anywhere in the function, a loop variable over anything but
  ``range``, an item of a list, the result of a call of the module's functions or of a
  method, ``abs``/``min``/``max`` of a NumPy value — and everything computed from these
  (arithmetic with a NumPy operand gives NumPy's type, whichever side it is on);
* a Python value: literals, parameters, ``range`` loop variables, ``len``, ``int(...)``,
  ``float(...)``, ``round``, every ``math`` function (they return Python numbers), constant
  tables, state, and arithmetic on these only.

When in doubt the value counts as NumPy's: a local given a Python value on one path and a
NumPy value on another (``acc = 0.0`` then ``acc += a[i]`` in a loop) is NumPy's everywhere.
That is the common case of an accumulator, which holds a NumPy value once the loop has run.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from portalis.lang.frontend.astwalk import children, nodes

if TYPE_CHECKING:
    from portalis.lang.frontend.exprs import ExprLowerer

#: Calls whose result is a Python number whatever their argument (and every ``math.*``).
_PYTHON_RESULTS = {"int", "float", "len", "round", "bool"}


def is_numpy(lw: ExprLowerer, node: ast.AST, tainted: set[str] | None = None) -> bool:
    """Whether ``node`` may evaluate to a NumPy scalar under CPython (see the module doc);
    ``tainted``: the function's NumPy locals (``numpy_locals``), computed when omitted."""
    if tainted is None:
        tainted = numpy_locals(lw)
    names: set[str] = set()
    return _numpy_unless(lw, node, names) or not tainted.isdisjoint(names)


def _numpy_unless(lw: ExprLowerer, node: ast.AST, names: set[str]) -> bool:
    """True when ``node`` is a NumPy value whatever its locals hold; else it is one exactly
    when one of the locals this adds to ``names`` is."""
    if isinstance(node, ast.Name):
        if node.id in lw.arrays or node.id in lw.views:
            return True
        names.add(node.id)
        return False
    if isinstance(node, ast.Subscript):
        base = node.value
        while isinstance(base, ast.Subscript):
            base = base.value
        if isinstance(base, ast.Name) and lw.table_of(base) is not None:
            return any(_numpy_unless(lw, c, names) for c in children(node.slice))
        return True  # an array element, a view, a list item
    if isinstance(node, ast.Call):
        name = lw.unit.builtin_name(node.func)
        if name in _PYTHON_RESULTS or (name is not None and name.startswith("math.")):
            return False
        if name in ("min", "max", "abs"):
            return any(_numpy_unless(lw, a, names) for a in node.args)
        return True  # the module's functions, methods, anything else: NumPy's, to be safe
    return any(_numpy_unless(lw, c, names) for c in children(node))


def numpy_locals(lw: ExprLowerer) -> set[str]:
    """Locals that may hold a NumPy scalar under CPython (see the module doc): the least set
    closed under every assignment in the function (a binding makes its names NumPy's when
    its value is a NumPy value given the set), found by propagating from the bindings
    whose values are NumPy's whatever the locals hold."""
    cached: set[str] | None = getattr(lw, "_numpy_locals", None)
    if cached is not None:
        return cached
    # The function's lowerer found the binding nodes in its walk of the body
    # (frontend/stmts.py).
    found: list[ast.AST] | None = getattr(lw, "binding_nodes", None)
    if found is None:
        found = [node for stmt in lw.sig.node.body for node in nodes(stmt)]
    tainted: set[str] = set()
    pending: list[str] = []  # names found NumPy's, their readers not yet looked at
    readers: dict[str, list[list[str]]] = {}  # local → the names bound from values reading it
    for node in found:
        value: ast.expr | None
        if isinstance(node, ast.Assign):
            value, targets = node.value, list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign) and node.value is not None:
            value, targets = node.value, [node.target]
        elif isinstance(node, ast.For | ast.comprehension):
            it = node.iter
            if isinstance(it, ast.Call) and lw.unit.builtin_name(it.func) == "range":
                continue
            value, targets = None, [node.target]  # NumPy's whatever it iterates
        else:
            continue
        # Every name in the targets (``a[i] = v`` too: ``a`` and ``i``); most are one name.
        bound = [t.id for t in targets if isinstance(t, ast.Name)]
        if len(bound) != len(targets):
            bound = [n.id for t in targets for n in nodes(t) if isinstance(n, ast.Name)]
        reads: set[str] = set()
        if value is None or _numpy_unless(lw, value, reads):
            pending += bound
        else:
            for name in reads:
                readers.setdefault(name, []).append(bound)
    while pending:
        name = pending.pop()
        if name not in tainted:
            tainted.add(name)
            for bound in readers.pop(name, ()):
                pending += bound
    lw._numpy_locals = tainted  # type: ignore[attr-defined]
    return tainted
