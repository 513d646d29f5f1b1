"""Lists passed to and returned by a module's helpers (``def _fill(xs: list[float], n: int)``,
``def _primes(n: int) -> list[int]``).

A list is three values: its block, length and capacity (ir.ListRef). A helper taking a list
gets the three as parameters and gives them back after its own results, and the caller
stores them back into its list: copy in, copy out. Since nothing else can reach the
caller's list while the helper runs (one list may not be passed twice in a call), this is
exactly Python's passing by reference: the helper's appends, pops, sorts and item stores
are seen by the caller, and when an append moves the list to a bigger block, the caller
gets the new block (the old one was freed by the append).

A helper returning a list hands over the block of a list it made: that list is not freed
by its return (its pointer is cleared first, and freeing a null pointer does nothing); the
caller's ``ys = _helper(...)`` takes it (ir.ListAdopt), freeing ``ys``'s previous block,
and frees it when it returns, as any list it made. A helper returns a list it made, never
one it was passed (two names would then own one block).

Helpers only: a public function is exported, and the host passes arrays, not lists.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from portalis.lang import ir
from portalis.lang.types import I32, I64, NONE, ListType, Scalar, TupleType, Type

if TYPE_CHECKING:
    from portalis.lang.frontend.exprs import ExprLowerer
    from portalis.lang.frontend.unit import FunctionSig

_TRIPLE = (I32, I64, I64)


def names(list_name: str) -> list[str]:
    """The three locals of a list (backend/lists.py)."""
    return [list_name, f"{list_name}.len", f"{list_name}.cap"]


def wire_params(sig: FunctionSig) -> list[ir.Param]:
    """The parameters as the module sees them: each list parameter as its three values."""
    out: list[ir.Param] = []
    for p in sig.params:
        if isinstance(p.type, ListType):
            out += [ir.Param(n, t) for n, t in zip(names(p.name), _TRIPLE, strict=True)]
        else:
            out.append(p)
    return out


def wire_result(sig: FunctionSig) -> Type:
    """The results as the module sees them: the declared ones (a list as three values), then
    each list parameter's three values."""
    items: list[Scalar] = []
    if isinstance(sig.result, ListType):
        items += _TRIPLE
    elif isinstance(sig.result, TupleType):
        items += sig.result.items
    elif isinstance(sig.result, Scalar):
        items.append(sig.result)
    for p in sig.params:
        if isinstance(p.type, ListType):
            items += _TRIPLE
    if not items:
        return NONE
    return items[0] if len(items) == 1 else TupleType(tuple(items))


def _passed_back(lw: ExprLowerer, line: int, col: int) -> list[ir.Expr]:
    out: list[ir.Expr] = []
    for p in lw.sig.params:
        if isinstance(p.type, ListType):
            out += [
                ir.LocalGet(line, col, t, n) for n, t in zip(names(p.name), _TRIPLE, strict=True)
            ]
    return out


def _wire_return(lw: ExprLowerer, line: int, col: int, items: list[ir.Expr]) -> ir.Return:
    items = items + _passed_back(lw, line, col)
    ty = wire_result(lw.sig)
    if not items:
        return ir.Return(line, col, None)
    if len(items) == 1:
        return ir.Return(line, col, items[0])
    assert isinstance(ty, TupleType)
    return ir.Return(line, col, ir.TupleExpr(line, col, ty, items))


def returning(lw: ExprLowerer, node: ast.Return) -> list[ir.Stmt]:
    """``return ...`` in a helper that takes or returns lists."""
    from portalis.lang.frontend.lists import list_named

    line, col = node.lineno, node.col_offset
    want = lw.sig.result
    value = node.value
    if value is None or (isinstance(value, ast.Constant) and value.value is None):
        if want != NONE:
            raise lw.err(node, f"`{lw.sig.name}` must return {want}")
        return [_wire_return(lw, line, col, [])]
    if want == NONE:
        raise lw.err(node, f"`{lw.sig.name}` returns a value but is annotated -> None")
    if isinstance(want, ListType):
        ref = list_named(lw, value)
        if ref is None or ref.element != want.element:
            raise lw.err(value, f"`{lw.sig.name}` returns a {want}: return a list it made")
        if any(p.name == ref.name for p in lw.sig.params):
            raise lw.err(
                value,
                f"`{lw.sig.name}` returns its parameter `{ref.name}`",
                "the caller's list already sees every change: return nothing, or a new list",
            )
        block = lw.temp(I32)
        ptr, length, cap = names(ref.name)
        handover: list[ir.Stmt] = [  # the return's free skips a cleared pointer
            ir.SetLocal(line, col, block, ir.LocalGet(line, col, I32, ptr)),
            ir.SetLocal(line, col, ptr, ir.Const(line, col, I32, 0)),
        ]
        items: list[ir.Expr] = [
            ir.LocalGet(line, col, I32, block),
            ir.LocalGet(line, col, I64, length),
            ir.LocalGet(line, col, I64, cap),
        ]
        return [*handover, _wire_return(lw, line, col, items)]
    if isinstance(want, TupleType):
        if not isinstance(value, ast.Tuple) or len(value.elts) != len(want.items):
            raise lw.err(node, f"`{lw.sig.name}` returns {len(want.items)} values")
        items = [
            lw.coerce(lw.lower_scalar(e), t, e, "returned value")
            for e, t in zip(value.elts, want.items, strict=True)
        ]
        return [_wire_return(lw, line, col, items)]
    assert isinstance(want, Scalar)
    v = lw.coerce(lw.lower_scalar(value), want, value, "returned value")
    return [_wire_return(lw, line, col, [v])]


def falls_off(lw: ExprLowerer, node: ast.FunctionDef) -> list[ir.Stmt]:
    """A ``-> None`` helper's end: its list parameters go back to the caller."""
    return [_wire_return(lw, node.end_lineno or node.lineno, 0, [])]


def call(
    lw: ExprLowerer,
    node: ast.Call,
    sig: FunctionSig,
    args: list[ir.Expr | ir.ListRef],
    target: ir.ListRef | None = None,
) -> ir.Expr | tuple[ir.Call, list[str]]:
    """A call of a helper taking or returning lists. ``args`` are the lowered arguments,
    lists as their refs. Returns the expression (the call, its lists stored back), or for a
    list result (``target``, from ``ys = _helper(...)``) the call and the names its
    copied-back lists go to (ir.ListAdopt)."""
    line, col = node.lineno, node.col_offset
    wire: list[ir.Expr] = []
    back: list[str] = []
    for a in args:
        if isinstance(a, ir.ListRef):
            if a.name in back:
                raise lw.err(node, f"list `{a.name}` is passed twice to `{sig.name}`")
            if target is not None and a.name == target.name:
                raise lw.err(node, f"list `{a.name}` is made anew from a call it is passed to")
            wire += [
                ir.LocalGet(line, col, t, n) for n, t in zip(names(a.name), _TRIPLE, strict=True)
            ]
            back.append(a.name)
        else:
            wire.append(a)
    ty = wire_result(sig)
    made = ir.Call(line, col, ty, sig.symbol, wire)
    rest = [n for name in back for n in names(name)]
    if isinstance(sig.result, ListType):
        if target is None:
            raise lw.err(
                node,
                f"`{sig.name}` returns a list: assign it to a name",
                f"ys = {sig.name}(...)",
            )
        return made, rest
    if not back:
        return made
    results = sig.result.items if isinstance(sig.result, TupleType) else ()
    if isinstance(sig.result, Scalar):
        results = (sig.result,)
    temps = [lw.temp(t) for t in results]
    unpack = ir.Unpack(line, col, temps + rest, made)
    got: list[ir.Expr] = [ir.LocalGet(line, col, t, n) for n, t in zip(temps, results, strict=True)]
    if isinstance(sig.result, TupleType):
        return ir.Seq(line, col, sig.result, [unpack], ir.TupleExpr(line, col, sig.result, got))
    if got:
        return ir.Seq(line, col, got[0].ty, [unpack], got[0])
    empty = TupleType(())
    return ir.Seq(line, col, empty, [unpack], ir.TupleExpr(line, col, empty, []))


def list_argument(lw: ExprLowerer, a: ast.expr, want: ListType, what: str) -> ir.ListRef:
    from portalis.lang.frontend.lists import list_named

    ref = list_named(lw, a)
    if ref is None or ref.element != want.element:
        raise lw.err(a, f"{what} must be a {want} (a list named in this function)")
    return ref


__all__ = [
    "call",
    "falls_off",
    "list_argument",
    "names",
    "returning",
    "wire_params",
    "wire_result",
]
