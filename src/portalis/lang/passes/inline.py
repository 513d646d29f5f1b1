"""Inline small functions at their call sites.

A straight-line function (local assignments, then one ``return EXPR``: the math library's
bit helpers and error-free transformations, a kernel's ``dot``) becomes an expression; a
small function with control flow (``clamp`` with an ``if``, the library's polynomial kernels
and argument reductions) becomes a :class:`~portalis.lang.ir.Block` whose ``return``s exit
the block with their value.

Why: a wasm call costs a stack check, a frame, and spills of every float live across it
(all vector registers are caller-saved), which dominates small helpers. Arguments are bound
to fresh locals first (Python evaluates them before the body), except constants and plain
locals, which are substituted directly. Unused internal functions are dropped afterwards.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator
from typing import Any

from portalis.lang import ir
from portalis.lang.types import ArrayType, Scalar

MAX_NODES = 64  # size limit of a straight-line callee, in IR nodes
MAX_BLOCK_NODES = 160  # size limit of a callee with control flow
ROUNDS = 3
_LOCAL_FIELDS = ("name", "temp", "var", "counter", "limit", "stride")


def inline_small_functions(functions: list[ir.Function], roots: set[str]) -> list[ir.Function]:
    """Inline, then keep only the functions reachable from exports, the kernel's own
    functions, and ``roots`` (library functions the math wrappers call).

    Block labels are numbered per build (never from a process-wide counter), so the same
    functions always inline to the same module: ``wasmSha256`` pins and the compile cache
    depend on it."""
    labels = itertools.count(1)
    shapes = _Shapes()
    for _ in range(ROUNDS):
        candidates = {f.symbol: f for f in functions if shapes.of(f).inlinable}
        if not candidates:
            break
        changed = False
        for fn in functions:
            if shapes.of(fn).calls.isdisjoint(candidates):
                continue  # nothing to inline here: skip the walk
            changed |= _Inliner(fn, candidates, labels, shapes).run()
        if not changed:
            break
    return _reachable(functions, roots)


@dataclasses.dataclass(frozen=True)
class _Shape:
    """What the inliner needs to know about a function's body, computed once per body."""

    body: list[ir.Stmt]  # the body it describes (compared by identity)
    inlinable: bool
    straight: bool
    assigned: frozenset[str]
    block_labels: tuple[str, ...]  # labels of its blocks, in walk order
    calls: frozenset[str]  # symbols it calls


class _Shapes:
    """Shapes of function bodies, recomputed only when a body was replaced (an inlining
    round rebuilds a body only when it inlined something into it)."""

    def __init__(self) -> None:
        self._by_symbol: dict[str, _Shape] = {}

    def of(self, fn: ir.Function) -> _Shape:
        shape = self._by_symbol.get(fn.symbol)
        if shape is None or shape.body is not fn.body:
            shape = _shape(fn)
            self._by_symbol[fn.symbol] = shape
        return shape


#: Nodes naming a list's locals by the list's name (ListRef), which inlining cannot rename.
_LIST_NODES = (ir.ListLen, ir.ListGet, ir.ListPop, ir.ListAppend, ir.ListSet, ir.ListAdopt)


def _shape(fn: ir.Function) -> _Shape:
    nodes = [n for s in fn.body for n in walk(s)]
    straight = bool(fn.body) and _straight_line(fn)
    inlinable = (
        bool(fn.body)
        and not any(isinstance(p.type, ArrayType) for p in fn.params)
        and not any(isinstance(n, ir.Call) and n.symbol == fn.symbol for n in nodes)
        and not any(isinstance(n, ir.AllocArray | ir.ListNew) for n in nodes)  # needs a frame
        and not any(isinstance(n, _LIST_NODES) for n in nodes)  # lists live in named locals
        and not any(p.name.endswith(".cap") for p in fn.params)  # a list parameter
        and len(nodes) <= (MAX_NODES if straight else MAX_BLOCK_NODES)
    )
    return _Shape(
        fn.body,
        inlinable,
        straight,
        frozenset(_assigned_locals(nodes)),
        tuple(n.label for n in nodes if isinstance(n, ir.Block)),
        frozenset(n.symbol for n in nodes if isinstance(n, ir.Call)),
    )


def _assigned_locals(nodes: list[Any]) -> set[str]:
    """Locals a function (given as all its nodes) writes: a parameter it assigns cannot be
    replaced by the argument."""
    out: set[str] = set()
    for n in nodes:
        if isinstance(n, ir.SetLocal | ir.LocalTee):
            out.add(n.name)
        elif isinstance(n, ir.ForRange):
            out.add(n.var)
        elif isinstance(n, ir.Unpack):
            out.update(n.names)
    return out


def _straight_line(fn: ir.Function) -> bool:
    """Local assignments, then one ``return EXPR``."""
    return (
        isinstance(fn.body[-1], ir.Return)
        and fn.body[-1].value is not None
        and all(isinstance(s, ir.SetLocal) for s in fn.body[:-1])
    )


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(node: Any) -> tuple[str, ...]:
    """Names of the fields of ``node``'s class that may hold IR nodes (cached per class)."""
    cls = type(node)
    names = _CHILD_FIELDS.get(cls)
    if names is None:
        names = tuple(
            f.name
            for f in dataclasses.fields(cls)
            if f.name
            not in (
                "line",
                "col",
                "ty",
                "name",
                "symbol",
                "op",
                "temp",
                "kind",
                "lowering",
                "exception",
                "label",
                "counter",
                "limit",
                "stride",
                "var",
                "names",
                "offset",
                "length",
                "array",
                "safe",
                "nonneg",
            )
        )
        _CHILD_FIELDS[cls] = names
    return names


def walk(node: Any) -> Iterator[Any]:
    """``node`` and every IR node below it, in pre-order (an explicit stack: walking is the
    inliner's hottest loop, and nested generators cost a frame per level)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        children: list[Any] = []
        for name in _child_fields(n):
            v = getattr(n, name)
            if isinstance(v, ir.Node):
                children.append(v)
            elif isinstance(v, list):
                children.extend(item for item in v if isinstance(item, ir.Node))
        stack.extend(reversed(children))


def _transform(node: Any, fn: Callable[[Any], Any]) -> Any:
    """Rebuild ``node`` bottom-up, replacing each sub-node ``n`` by ``fn(n)``. Only nodes on
    the path to a replacement are rebuilt: an unchanged subtree is returned as it is, so a
    round that inlines one call copies one path, not the whole function."""
    changes: dict[str, Any] = {}
    for name in _child_fields(node):
        v = getattr(node, name)
        if isinstance(v, ir.Node):
            new = _transform(v, fn)
            if new is not v:
                changes[name] = new
        elif isinstance(v, list) and v and isinstance(v[0], ir.Node):
            items = [_transform(x, fn) for x in v]
            if any(a is not b for a, b in zip(items, v, strict=True)):
                changes[name] = items
    return fn(dataclasses.replace(node, **changes) if changes else node)


def _copy(node: Any, fn: Callable[[Any], Any]) -> Any:
    """A fresh copy of ``node``'s tree with ``fn`` applied to each node bottom-up. Inlined
    bodies are always copied: the back end keys facts by node identity (proven bounds, row
    pointers), so one callee node must never stand at two call sites."""
    changes: dict[str, Any] = {}
    for name in _child_fields(node):
        v = getattr(node, name)
        if isinstance(v, ir.Node):
            changes[name] = _copy(v, fn)
        elif isinstance(v, list) and v and isinstance(v[0], ir.Node):
            changes[name] = [_copy(x, fn) for x in v]
    return fn(dataclasses.replace(node, **changes) if changes else node)


class _Inliner:
    def __init__(
        self,
        fn: ir.Function,
        candidates: dict[str, ir.Function],
        labels: Iterator[int],
        shapes: _Shapes,
    ) -> None:
        self.fn = fn
        self.labels = labels
        self.shapes = shapes
        self.candidates = candidates
        self.changed = False
        self._n = 0

    def run(self) -> bool:
        body = [_transform(s, self.visit) for s in self.fn.body]
        if self.changed:
            self.fn.body = body
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
        shape = self.shapes.of(callee)
        assigned = shape.assigned
        for p, arg in zip(callee.params, node.args, strict=True):
            assert isinstance(p.type, Scalar)
            if isinstance(arg, ir.Const | ir.LocalGet) and p.name not in assigned:
                direct[p.name] = arg
            else:
                tmp = self.fresh(p.type, p.name)
                stmts.append(ir.SetLocal(node.line, node.col, tmp, arg))
                rename[p.name] = tmp
        for name, t in callee.locals.items():
            rename[name] = self.fresh(t, name.lstrip("~"))
        relocate = callee.library and not self.fn.library
        line, col = node.line, node.col
        straight = shape.straight
        exit_label = "" if straight else f"~inl{next(self.labels)}"
        labels = {label: f"~inl{next(self.labels)}" for label in shape.block_labels}

        def copy(n: Any) -> Any:
            if isinstance(n, ir.LocalGet) and n.name in direct:
                return direct[n.name]
            changes: dict[str, Any] = {}
            for attr in _LOCAL_FIELDS:
                value = getattr(n, attr, None)
                if isinstance(value, str) and value in rename:
                    changes[attr] = rename[value]
            if isinstance(n, ir.Unpack):
                changes["names"] = [rename.get(x, x) for x in n.names]
            if isinstance(n, ir.Block | ir.Exit) and n.label in labels:
                changes["label"] = labels[n.label]
            if relocate:
                changes["line"], changes["col"] = line, col
            n = dataclasses.replace(n, **changes) if changes else n
            if isinstance(n, ir.Return):
                return ir.Exit(n.line, n.col, exit_label, n.value)
            return n

        if straight:
            stmts += [_copy(s, copy) for s in callee.body[:-1]]
            ret = callee.body[-1]
            assert isinstance(ret, ir.Return) and ret.value is not None
            body = _copy(ret.value, copy)
            return ir.Seq(line, col, node.ty, stmts, body) if stmts else body
        block = ir.Block(line, col, node.ty, exit_label, [_copy(s, copy) for s in callee.body])
        return ir.Seq(line, col, node.ty, stmts, block) if stmts else block


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
            for n in walk(stmt):
                if isinstance(n, ir.Call):
                    todo.append(n.symbol)
    return [f for f in functions if f.symbol in seen]
