"""Arrays as results: ``def f(n: int) -> Array[f64]`` returning an array it made (or
``-> tuple[Array[f64], int]``, arrays and numbers together).

Ownership is the whole design. A function's own arrays (``np.zeros`` …, ``a.copy()``, or
the result of a call) are blocks from the module's allocator that it frees on every
return (backend/emit.py); the one it returns is not freed but handed over:

* to a caller inside the module, which binds it (``b = f(n)``, :class:`ir.BindArray`) and
  owns it from then on — freed when *that* function returns, unless it returns it in turn;
* to the host, which copies it out and frees it (runtime/results.py, portalis/abi.py).

So only an array the function owns may be returned. Returning a parameter, a persistent
array or a view would hand out a block the function does not own (CPython returns the same
object, shared with the caller, which a copy would silently not be): that is refused with
the fix, ``return a.copy()``.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from portalis.errors import CompileError
from portalis.lang import ir
from portalis.lang.frontend.diagnostics import shown
from portalis.lang.types import ArrayType, ResultTuple

if TYPE_CHECKING:
    from portalis.lang.frontend.stmts import FunctionLowerer


def annotation_for(t: ArrayType) -> str:
    """How a kernel spells ``t`` in an annotation: ``Array[f64]``, ``Array[i64, 2]``."""
    return f"Array[{t.element.abi}]" if t.ndim == 1 else f"Array[{t.element.abi}, {t.ndim}]"


def array_call(lw: FunctionLowerer, node: ast.expr) -> ir.Call | None:
    """``f(...)`` of a kernel function returning an array, lowered; None for anything else."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        return None
    sig = lw.program.function(lw.unit, node.func.id, node)
    if sig is None or not isinstance(sig.result, ArrayType):
        return None
    call = lw.user_call(node, sig)
    assert isinstance(call, ir.Call)
    return call


def bind(lw: FunctionLowerer, target: ast.Name, call: ir.Call, node: ast.Assign) -> list[ir.Stmt]:
    """``b = f(...)``: ``b`` owns the returned block, as if it had made it."""
    n = target.id
    lw.check_made_once(target, node)
    assert isinstance(call.ty, ArrayType)
    ref = ir.ArrayRef(n, call.ty)
    lw.arrays[n] = ref
    lw.owned.add(n)
    return [ir.BindArray(node.lineno, node.col_offset, ref, call)]


def lower_return(lw: FunctionLowerer, node: ast.Return, want: ArrayType) -> list[ir.Stmt]:
    """``return a`` (an array the function owns), ``return np.zeros(n)`` / ``a.copy()``
    (made on the spot) or ``return g(...)`` (another function's result, passed on)."""
    assert node.value is not None
    before, value = array_item(lw, node.value, want)
    return [*before, ir.Return(node.lineno, node.col_offset, value)]


def lower_tuple_return(lw: FunctionLowerer, node: ast.Return, want: ResultTuple) -> list[ir.Stmt]:
    """``return pts, count``: each array item as :func:`array_item`, each number converted;
    or ``return g(...)`` of a function returning the same tuple."""
    line, col = node.lineno, node.col_offset
    value = node.value
    assert value is not None
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        sig = lw.program.function(lw.unit, value.func.id, value)
        if sig is not None and sig.result == want:
            return [ir.Return(line, col, lw.user_call(value, sig))]
    if not isinstance(value, ast.Tuple) or len(value.elts) != len(want.items):
        raise lw.err(
            value,
            f"`{lw.sig.name}` is declared `-> {want}` and returns a tuple of "
            f"{len(want.items)} items, written out: return a, n",
        )
    before: list[ir.Stmt] = []
    items: list[ir.Expr] = []
    for e, t in zip(value.elts, want.items, strict=True):
        if isinstance(t, ArrayType):
            made, item = array_item(lw, e, t)
            before += made
            items.append(item)
        else:
            items.append(lw.coerce(lw.lower_scalar(e), t, e, "returned value"))
    return [*before, ir.Return(line, col, ir.TupleExpr(line, col, want, items))]


def array_item(
    lw: FunctionLowerer, value: ast.expr, want: ArrayType
) -> tuple[list[ir.Stmt], ir.Expr]:
    """One returned array: the statements making it (for ``np.zeros(n)`` written in the
    ``return``) and the value pushing its address and extents."""
    line, col = value.lineno, value.col_offset
    name = lw.sig.name
    made = lw.array_maker(value)
    if made is not None:
        alloc = lw.make_array(lw.hidden("ret"), value, made)  # type: ignore[arg-type]
        _same_type(lw, value, alloc.array.type, want)
        return [alloc], ir.ArrayArg(line, col, want, alloc.array)
    call = array_call(lw, value)
    if call is not None:
        assert isinstance(call.ty, ArrayType)
        _same_type(lw, value, call.ty, want)
        return [], call
    if isinstance(value, ast.Name) and value.id in lw.owned:
        ref = lw.arrays[value.id]
        _same_type(lw, value, ref.type, want)
        return [], ir.ArrayArg(line, col, want, ref)
    view = lw.view_of(value)
    if view is not None:
        what = (
            "an array parameter"
            if view.depth == 0 and view.base.name in {p.name for p in lw.sig.params}
            else "a view"
            if view.depth or view.name in lw.views or view.start is not None
            else "a persistent array"
        )
        raise lw.err(
            value,
            f"`{name}` returns `{shown(value)}`, {what} it did not make: under CPython the "
            "caller would share it, a compiled caller would get a copy",
            f"return a copy: `return {shown(value)}.copy()`",
        )
    raise lw.err(
        value,
        f"`{name}` must return an array ({annotation_for(want)}) here, got `{shown(value)}`",
        "return an array the function made (np.zeros(...), a.copy(), or another "
        "function's array result)",
    )


def unpack_call(
    lw: FunctionLowerer, target: ast.Tuple | ast.List, call_node: ast.Call, node: ast.Assign
) -> list[ir.Stmt] | None:
    """``pts, n = f(...)`` of a function returning arrays and numbers: each array bound as
    ``b = g(...)`` binds one (owned, freed on return), each number assigned as usual."""
    if not isinstance(call_node.func, ast.Name):
        return None
    sig = lw.program.function(lw.unit, call_node.func.id, call_node)
    if sig is None or not isinstance(sig.result, ResultTuple):
        return None
    want = sig.result
    if len(target.elts) != len(want.items):
        raise lw.err(
            node, f"cannot unpack {len(want.items)} values into {len(target.elts)} targets"
        )
    call = lw.user_call(call_node, sig)
    assert isinstance(call, ir.Call)
    line, col = node.lineno, node.col_offset
    targets: list[ir.ArrayRef | str] = []
    after: list[ir.Stmt] = []
    for tgt, t in zip(target.elts, want.items, strict=True):
        if isinstance(t, ArrayType):
            if not isinstance(tgt, ast.Name):
                raise lw.err(tgt, "an array result is bound to a plain name: a, n = f(...)")
            lw.check_made_once(tgt, node)
            ref = ir.ArrayRef(tgt.id, t)
            lw.arrays[tgt.id] = ref
            lw.owned.add(tgt.id)
            targets.append(ref)
        else:
            tmp = lw.temp(t)
            targets.append(tmp)
            after += lw.assign_to(tgt, ir.LocalGet(line, col, t, tmp), node)
    return [ir.UnpackResults(line, col, targets, call), *after]


def _same_type(lw: FunctionLowerer, node: ast.expr, got: ArrayType, want: ArrayType) -> None:
    if got != want:
        raise lw.err(
            node,
            f"`{lw.sig.name}` is declared `-> {annotation_for(want)}` but returns "
            f"{annotation_for(got)}",
            f"declare it `-> {annotation_for(got)}`, or return a {want.ndim}-D "
            f"{want.element.abi} array",
        )


def wrong_annotation(lw: FunctionLowerer, node: ast.Return) -> CompileError | None:
    """The error for returning an array from a function annotated with something else
    (``-> float``, ``-> None``): the fix is the array annotation, not a scalar one."""
    value = node.value
    if value is None:
        return None
    view = lw.view_of(value)
    if view is not None:
        spelled = annotation_for(view.type)
    elif lw.array_maker(value) is not None:
        spelled = "Array[f64]` (with the array's element type and dimensions"
    elif (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and (sig := lw.program.function(lw.unit, value.func.id, value)) is not None
        and isinstance(sig.result, ArrayType)
    ):
        spelled = annotation_for(sig.result)
    else:
        return None
    what = "an array"
    if view is not None and isinstance(value, ast.Subscript) and view.start is not None:
        what = f"`{shown(value)}`, a slice (a {view.type.ndim}-D view, not a number)"
    elif view is not None and isinstance(value, ast.Subscript):
        ndim = view.type.ndim + view.depth
        what = (
            f"`{shown(value)}`, a {view.type.ndim}-D view (a partial index of a {ndim}-D "
            "array: index all of them for a number)"
        )
    return lw.err(
        value,
        f"`{lw.sig.name}` returns {what} but is declared `-> {lw.sig.result}`",
        f"declare it `-> {spelled}`: the caller gets a new NumPy array",
    )
