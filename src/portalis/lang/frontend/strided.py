"""Slices with a step: ``a[lo:hi:step]``, ``a[::2]``, ``a[::-1]``, ``m[::2]`` (every other
row), ``m[i, ::-1]`` — views, no copy, as NumPy's basic slicing.

A stepped view is a :class:`View` with a ``step``: its element ``k`` is base element
``start + k * step`` of the sliced axis, ``k`` checked against the view's ``length``. The
bounds follow CPython's ``PySlice_AdjustIndices`` (``slice(lo, hi, step).indices(n)`` and
``len(range(...))`` of them), which is NumPy's too: the three expressions are evaluated in
order, a zero step raises ValueError, a negative bound counts from the end, then each bound
is clamped into ``[0, n]`` for a positive step and ``[-1, n - 1]`` for a negative one; a
missing bound is the end the step walks from or to. Out-of-range bounds never raise.

Being strided, a stepped view is read and written element by element (``s[k]``,
``len(s)``, ``for x in a[::-1]``, whole-view arithmetic and assignment: slice_exprs.py);
it is not passed to a function or copied as an array (a located error says so), as a column.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from portalis.lang import ir
from portalis.lang.frontend import rewrite
from portalis.lang.types import I64

if TYPE_CHECKING:
    from portalis.lang.frontend.exprs import ExprLowerer, View

#: PySlice_AdjustIndices for a slice with a step, on locals LO, HI, ST (the bounds as given,
#: each line kept only when that bound was given) and N; leaves START and LEN.
_ADJUST = """\
if ST == 0:
    raise ValueError('slice step cannot be zero')
LO_GIVEN
HI_GIVEN
if ST > 0:
    LEN = (HI - LO - 1) // ST + 1 if LO < HI else 0
else:
    LEN = (LO - HI - 1) // (-ST) + 1 if HI < LO else 0
"""

_GIVEN = """\
if B < 0:
    B += N
    if B < 0:
        B = 0 if ST > 0 else -1
elif B >= N:
    B = N if ST > 0 else N - 1
"""

_MISSING = {"LO": "LO = 0 if ST > 0 else N - 1", "HI": "HI = N if ST > 0 else -1"}


def stepped(lw: ExprLowerer, node: ast.Subscript, view: View, item: ast.Slice, n: ir.Expr) -> View:
    """``view`` sliced on its first axis (of extent ``n``) by ``item``, which has a step."""
    from portalis.lang.frontend.exprs import View

    line, col = node.lineno, node.col_offset
    setup = list(view.setup)
    names = {key: lw.hidden(key.lower()) for key in ("LO", "HI", "ST", "N", "LEN")}
    for key in names.values():
        lw.locals[key] = I64
    given: dict[str, str] = {}
    for key, bound in (("LO", item.lower), ("HI", item.upper), ("ST", item.step)):
        if bound is None:
            continue  # Python evaluates the given bounds in order, before any check
        value = lw.lower_scalar(bound)
        if lw.scalar(value, bound).is_float:
            raise lw.err(bound, "slice indices must be int, got float", "convert with int(...)")
        setup.append(ir.SetLocal(line, col, names[key], lw.coerce(value, I64, bound, "slice")))
        given[key] = key
    if "ST" not in given:  # a[lo:hi:] has the step None: 1
        setup.append(ir.SetLocal(line, col, names["ST"], ir.Const(line, col, I64, 1)))
    setup.append(ir.SetLocal(line, col, names["N"], n))
    text = _ADJUST
    for key in ("LO", "HI"):
        fix = _GIVEN.replace("B", key) if key in given else _MISSING[key] + "\n"
        text = text.replace(f"{key}_GIVEN\n", fix)
    setup += lw.block(rewrite.statements(text, node, names))
    lo, st, length = (ir.LocalGet(line, col, I64, names[k]) for k in ("LO", "ST", "LEN"))
    start: ir.Expr = lo
    step: ir.Expr = st
    if view.start is not None:  # a slice of a slice: positions in the base's terms
        outer = view.step if view.step is not None else ir.Const(line, col, I64, 1)
        start = ir.Binary(line, col, I64, "add", view.start, _times(lo, outer))
        step = _times(st, outer)
    return View(
        view.name, view.base, list(view.prefix), view.type, start=start, length=length,
        setup=setup, stable=False, step=step,
    )  # fmt: skip


def _times(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    if isinstance(b, ir.Const) and b.value == 1:
        return a
    return ir.Binary(a.line, a.col, I64, "mul", a, b)


def position(view: View, k: ir.Expr) -> ir.Expr:
    """Base position of element ``k`` (checked) of a sliced ``view``: ``start + k * step``."""
    assert view.start is not None
    offset = _times(k, view.step) if view.step is not None else k
    return ir.Binary(k.line, k.col, I64, "add", view.start, offset)
