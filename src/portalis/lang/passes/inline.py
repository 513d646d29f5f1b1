"""Inline small functions: a straight-line function (local assignments, then one
``return EXPR``: the math library's bit helpers and error-free transformations, a kernel's
``clamp`` or ``dot``) is substituted at its call sites.

Why: a wasm call costs a stack check, a frame, and spills of every float live across it
(all vector registers are caller-saved), which dominates small helpers. Arguments are bound
to fresh locals first (Python evaluates them before the body), except constants and plain
locals, which are substituted directly. Unused internal functions are dropped afterwards.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from portalis.lang import ir
from portalis.lang.types import ArrayType, Scalar

MAX_NODES = 64  # a callee's size limit, in IR nodes
ROUNDS = 3


def inline_small_functions(functions: list[ir.Function], roots: set[str]) -> list[ir.Function]:
    """Inline, then keep only the functions reachable from exports, the kernel's own
    functions, and ``roots`` (library functions the math wrappers call)."""
    for _ in range(ROUNDS):
        candidates = {f.symbol: f for f in functions if _inlinable(f)}
        if not candidates:
            break
        changed = False
        for fn in functions:
            changed |= _Inliner(fn, candidates).run()
        if not changed:
            break
    return _reachable(functions, roots)


def _inlinable(fn: ir.Function) -> bool:
    """Straight-line functions: local assignments, then one ``return EXPR``."""
    if not fn.body or not isinstance(fn.body[-1], ir.Return) or fn.body[-1].value is None:
        return False
    if not all(isinstance(s, ir.SetLocal) for s in fn.body[:-1]):
        return False
    if any(isinstance(p.type, ArrayType) for p in fn.params):
        return False
    nodes = [n for s in fn.body for n in _walk(s)]
    if len(nodes) > MAX_NODES:
        return False
    return not any(isinstance(n, ir.Call) and n.symbol == fn.symbol for n in nodes)


def _walk(node: Any) -> Any:
    yield node
    for f in dataclasses.fields(node):
        v = getattr(node, f.name)
        if isinstance(v, ir.Node):
            yield from _walk(v)
        elif isinstance(v, list):
            for item in v:
                if isinstance(item, ir.Node):
                    yield from _walk(item)


def _transform(node: Any, fn: Callable[[Any], Any]) -> Any:
    """Rebuild ``node`` bottom-up, replacing each sub-node ``n`` by ``fn(n)``."""
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(node):
        v = getattr(node, f.name)
        if isinstance(v, ir.Node):
            changes[f.name] = _transform(v, fn)
        elif isinstance(v, list) and v and isinstance(v[0], ir.Node):
            changes[f.name] = [_transform(x, fn) for x in v]
    return fn(dataclasses.replace(node, **changes) if changes else node)


class _Inliner:
    def __init__(self, fn: ir.Function, candidates: dict[str, ir.Function]) -> None:
        self.fn = fn
        self.candidates = candidates
        self.changed = False
        self._n = 0

    def run(self) -> bool:
        self.fn.body = [_transform(s, self.visit) for s in self.fn.body]
        return self.changed

    def fresh(self, t: Scalar, hint: str) -> str:
        self._n += 1
        name = f"~i{self._n}.{hint}"
        while name in self.fn.locals:
            self._n += 1
            name = f"~i{self._n}.{hint}"
        self.fn.locals[name] = t
        return name

    def visit(self, node: Any) -> Any:
        if not isinstance(node, ir.Call) or node.symbol not in self.candidates:
            return node
        callee = self.candidates[node.symbol]
        if callee.symbol == self.fn.symbol:
            return node
        self.changed = True
        rename: dict[str, str] = {}
        direct: dict[str, ir.Expr] = {}
        stmts: list[ir.Stmt] = []
        for p, arg in zip(callee.params, node.args, strict=True):
            assert isinstance(p.type, Scalar)
            if isinstance(arg, ir.Const | ir.LocalGet):
                direct[p.name] = arg
            else:
                tmp = self.fresh(p.type, p.name)
                stmts.append(ir.SetLocal(node.line, node.col, tmp, arg))
                rename[p.name] = tmp
        for name, t in callee.locals.items():
            rename[name] = self.fresh(t, name.lstrip("~"))
        relocate = callee.library and not self.fn.library
        line, col = node.line, node.col

        def copy(n: Any) -> Any:
            if isinstance(n, ir.LocalGet) and n.name in direct:
                return direct[n.name]
            changes: dict[str, Any] = {}
            for attr in ("name", "temp"):
                value = getattr(n, attr, None)
                if isinstance(value, str) and value in rename and not isinstance(
                    n, ir.GlobalGet | ir.Call
                ):
                    changes[attr] = rename[value]
            if isinstance(n, ir.Unpack):
                changes["names"] = [rename.get(x, x) for x in n.names]
            if relocate:
                changes["line"], changes["col"] = line, col
            return dataclasses.replace(n, **changes) if changes else n

        stmts += [_transform(s, copy) for s in callee.body[:-1]]
        ret = callee.body[-1]
        assert isinstance(ret, ir.Return) and ret.value is not None
        body = _transform(ret.value, copy)
        return ir.Seq(line, col, node.ty, stmts, body) if stmts else body


def _reachable(functions: list[ir.Function], roots: set[str]) -> list[ir.Function]:
    by_symbol = {f.symbol: f for f in functions}
    seen: set[str] = set()
    todo = [f.symbol for f in functions if f.exported or not f.library] + sorted(roots)
    while todo:
        sym = todo.pop()
        if sym in seen or sym not in by_symbol:
            continue
        seen.add(sym)
        for stmt in by_symbol[sym].body:
            for n in _walk(stmt):
                if isinstance(n, ir.Call):
                    todo.append(n.symbol)
    return [f for f in functions if f.symbol in seen]
