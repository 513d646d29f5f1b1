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

from portalis.lang import ir, library_cache
from portalis.lang.library_cache import LibraryKey
from portalis.lang.types import ArrayType, ResultTuple, Scalar
from portalis.lang.walk import ANY, LAYOUTS, LIST, ONE, layout, walk

MAX_NODES = 64  # size limit of a straight-line callee, in IR nodes
MAX_BLOCK_NODES = 160  # size limit of a callee with control flow
ROUNDS = 3
_LOCAL_FIELDS = ("name", "temp", "var", "counter", "limit", "stride")
_LOCAL_FIELDS_OF: dict[type, tuple[str, ...]] = {}


def _local_fields(cls: type) -> tuple[str, ...]:
    """Those of _LOCAL_FIELDS a node class has (they may name a local to rename)."""
    names = _LOCAL_FIELDS_OF.get(cls)
    if names is None:
        present = {f.name for f in dataclasses.fields(cls)}
        names = _LOCAL_FIELDS_OF[cls] = tuple(a for a in _LOCAL_FIELDS if a in present)
    return names


def inline_small_functions(
    functions: list[ir.Function], roots: set[str], library: LibraryKey | None = None
) -> list[ir.Function]:
    """Inline, then keep only the functions reachable from exports, the kernel's own
    functions, and ``roots`` (library functions the math wrappers call).

    Block labels are numbered per function, across rounds (never from a process-wide or
    module-wide counter), so the same functions always inline to the same module:
    ``wasmSha256`` pins and the compile cache depend on it.

    ``library``: the module's math-library functions, in order, when every one came
    from lang/library_cache.py. What a round does to them depends on nothing else (they
    call no kernel function, and their labels are their own), so the first build with
    these functions records it and later ones replay it (the kernel's functions are
    inlined as ever, seeing the library bodies each round as they were)."""
    labels: dict[str, Iterator[int]] = {}
    shapes = _Shapes()
    library_symbols = frozenset(library[1]) if library is not None else frozenset()
    replayed = library_cache.inlined(library) if library is not None else None
    if replayed is not None:
        for f in functions:
            if f.symbol in library_symbols:
                shapes.seed(f, replayed.shapes[f.symbol])
    recorded = {
        f.symbol: dataclasses.replace(shapes.of(f), body=())
        for f in functions
        if replayed is None and f.symbol in library_symbols
    }
    rounds: list[library_cache.RoundWork] = []
    for round_number in range(ROUNDS):
        candidates = {f.symbol: f for f in functions if shapes.of(f).inlinable}
        if not candidates:
            break
        changed = False
        work: library_cache.RoundWork = {}
        for fn in functions:
            if replayed is not None and fn.symbol in library_symbols:
                if round_number < len(replayed.rounds):
                    done = replayed.rounds[round_number].get(fn.symbol)
                    if done is not None:
                        fn.body, fn.locals = list(done.body), dict(done.locals)
                        shapes.made(fn, done.calls)
                        shapes.seed(fn, done.shape)
                        changed = True
                continue
            if shapes.of(fn).calls.isdisjoint(candidates):
                continue  # nothing to inline here: skip the walk
            counter = labels.setdefault(fn.symbol, itertools.count(1))
            inliner = _Inliner(fn, candidates, counter, shapes)
            if inliner.run():
                changed = True
                if fn.symbol in library_symbols:
                    shape = dataclasses.replace(_shape(fn), body=())
                    work[fn.symbol] = library_cache.Inlined(
                        tuple(fn.body), dict(fn.locals), frozenset(inliner.calls), shape
                    )
        rounds.append(work)
        if not changed:
            break
    if library is not None and replayed is None:
        library_cache.keep_inlined(library, library_cache.Inlining(recorded, tuple(rounds)))
    return _reachable(functions, roots, shapes)


@dataclasses.dataclass(frozen=True)
class _Shape:
    """What the inliner needs to know about a function's body, computed once per body."""

    body: list[ir.Stmt]  # the body it describes (compared by identity)
    inlinable: bool
    straight: bool
    assigned: frozenset[str]
    block_labels: tuple[str, ...]  # labels of its blocks, in walk order
    calls: frozenset[str]  # symbols it calls
    #: False for a body found too big to inline after a short look: ``assigned`` and
    #: ``block_labels`` were not collected (the calls came from the round that made it)
    complete: bool = True


class _Shapes:
    """Shapes of function bodies, recomputed only when a body was replaced (an inlining
    round rebuilds a body only when it inlined something into it)."""

    def __init__(self) -> None:
        self._by_symbol: dict[str, _Shape] = {}
        #: symbol → (a body an inlining round made, the symbols it calls)
        self._calls: dict[str, tuple[list[ir.Stmt], frozenset[str]]] = {}

    def of(self, fn: ir.Function, complete: bool = False) -> _Shape:
        """The shape of ``fn``'s body; ``complete``: with what inlining it needs."""
        shape = self._by_symbol.get(fn.symbol)
        if shape is None or shape.body is not fn.body or (complete and not shape.complete):
            known = self._calls.get(fn.symbol)
            calls = known[1] if known is not None and known[0] is fn.body else None
            shape = _shape(fn, None if complete else calls)
            self._by_symbol[fn.symbol] = shape
        return shape

    def seed(self, fn: ir.Function, shape: _Shape) -> None:
        """``shape`` describes ``fn``'s body (taken from lang/library_cache.py: the shape
        a build that walked the same body found)."""
        self._by_symbol[fn.symbol] = dataclasses.replace(shape, body=fn.body)

    def made(self, fn: ir.Function, calls: frozenset[str]) -> None:
        """An inlining round gave ``fn`` a new body calling exactly ``calls``."""
        self._calls[fn.symbol] = (fn.body, calls)


#: Nodes that make a block the function frees on return: it needs a frame of its own.
_FRAME_CLASSES = frozenset([ir.AllocArray, ir.BindArray, ir.UnpackResults, ir.ListNew])
#: Nodes that rename or write whole views of arrays: a function with array parameters
#: holding one is not inlined (substituting the caller's array there is not worth the risk).
_ARRAY_REFUSED = frozenset([ir.SwapArrays, ir.FillView, ir.CopyView])
#: Nodes naming a list's locals by the list's name (ListRef), which inlining cannot rename.
_LIST_NODES = (ir.ListLen, ir.ListGet, ir.ListPop, ir.ListAppend, ir.ListSet, ir.ListAdopt)


def _shape(fn: ir.Function, calls_known: frozenset[str] | None = None) -> _Shape:
    """The shape of ``fn``'s body. With its calls known, a body too big to inline is only
    walked as far as the size limit (big kernel functions, rebuilt by every round, are
    never inlined, and their calls are all the next round needs)."""
    straight = bool(fn.body) and _straight_line(fn)
    if calls_known is not None:
        limit = MAX_NODES if straight else MAX_BLOCK_NODES
        seen = 0
        for stmt in fn.body:
            for _ in walk(stmt):
                seen += 1
                if seen > limit:
                    return _Shape(fn.body, False, straight, frozenset(), (), calls_known, False)
    labels: list[str] = []
    calls: set[str] = set()
    assigned: set[str] = set()
    recursive = frame = views_written = False
    size = 0
    Call, Block, SetLocal, LocalTee = ir.Call, ir.Block, ir.SetLocal, ir.LocalTee
    for stmt in fn.body:  # one pass: this runs for every body an inlining round makes
        for n in walk(stmt):
            size += 1
            cls = n.__class__  # IR node classes have no subclasses
            if cls is Call:
                calls.add(n.symbol)
                recursive = recursive or n.symbol == fn.symbol
            elif cls is SetLocal or cls is LocalTee:
                assigned.add(n.name)  # a parameter it assigns cannot be replaced by the argument
            elif cls is Block:
                labels.append(n.label)
            elif cls is ir.ForRange:
                assigned.add(n.var)
            elif cls is ir.Unpack:
                assigned.update(n.names)
            elif cls in _FRAME_CLASSES:
                frame = True  # needs a frame of its own (blocks freed on its return)
            elif cls in _ARRAY_REFUSED:
                views_written = True
            elif cls in _LIST_NODES:
                frame = True  # lists live in locals named by the list: inlining cannot rename them
    inlinable = (
        bool(fn.body)
        and not (views_written and any(isinstance(p.type, ArrayType) for p in fn.params))
        and not recursive
        and not frame
        and not any(p.name.endswith(".cap") for p in fn.params)  # a list parameter
        and not isinstance(fn.result, ArrayType | ResultTuple)  # blocks handed over by a return
        and size <= (MAX_NODES if straight else MAX_BLOCK_NODES)
    )
    return _Shape(
        fn.body, inlinable, straight, frozenset(assigned), tuple(labels), frozenset(calls)
    )


def _straight_line(fn: ir.Function) -> bool:
    """Local assignments, then one ``return EXPR``."""
    return (
        isinstance(fn.body[-1], ir.Return)
        and fn.body[-1].value is not None
        and all(isinstance(s, ir.SetLocal) for s in fn.body[:-1])
    )


_PLAIN_CLASSES: set[type] = set()


def _replace(node: Any, changes: dict[str, Any]) -> Any:
    """A shallow copy of ``node`` with ``changes`` to its fields: what
    ``dataclasses.replace`` does for IR nodes (plain dataclasses, no ``__post_init__``),
    without going through ``__init__`` field by field — the inliner makes one per copied
    node. A node class with ``__post_init__`` or ``__slots__`` goes through ``replace``."""
    cls = type(node)
    if cls not in _PLAIN_CLASSES:
        if hasattr(cls, "__post_init__") or not hasattr(node, "__dict__"):
            return dataclasses.replace(node, **changes)
        _PLAIN_CLASSES.add(cls)
    new = object.__new__(cls)
    new.__dict__ = node.__dict__ | changes
    return new


def _transform(node: Any, fn: Callable[[ir.Call], Any]) -> Any:
    """Rebuild ``node`` bottom-up, replacing each call ``c`` below it by ``fn(c)``. Only
    nodes on the path to a replacement are rebuilt: an unchanged subtree is returned as it
    is, so a round that inlines one call copies one path, not the whole function."""
    changes: dict[str, Any] | None = None
    cls = node.__class__
    for name, kind in LAYOUTS.get(cls) or layout(cls):
        v = getattr(node, name)
        if kind == ONE or (kind == ANY and isinstance(v, ir.Node)):
            if v is not None:
                new = _transform(v, fn)
                if new is not v:
                    if changes is None:
                        changes = {}
                    changes[name] = new
        elif v and (kind == LIST or (isinstance(v, list) and isinstance(v[0], ir.Node))):
            items = [_transform(x, fn) for x in v]
            for x, y in zip(items, v, strict=True):
                if x is not y:
                    if changes is None:
                        changes = {}
                    changes[name] = items
                    break
    if changes is not None:
        node = _replace(node, changes)
    return fn(node) if cls is ir.Call else node


#: Per node class, what copying a callee's node needs: (child layout, fields naming a local,
#: is a LocalGet, is an Unpack, carries a label (Block, Exit), is a Return).
_CopyPlan = tuple[tuple[tuple[str, int], ...], tuple[str, ...], bool, bool, bool, bool]
_COPY_PLANS: dict[type, _CopyPlan] = {}


def _copy_plan(cls: type) -> _CopyPlan:
    plan = _COPY_PLANS.get(cls)
    if plan is None:
        plan = _COPY_PLANS[cls] = (
            layout(cls),
            _local_fields(cls),
            cls is ir.LocalGet,
            cls is ir.Unpack,
            cls is ir.Block or cls is ir.Exit,
            cls is ir.Return,
        )
    return plan


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
        #: the symbols the new body calls: those left in place, and the inlined bodies'
        self.calls: set[str] = set()

    def run(self) -> bool:
        body = [_transform(s, self.visit) for s in self.fn.body]
        if self.changed:
            self.fn.body = body
            self.shapes.made(self.fn, frozenset(self.calls))
        return self.changed

    def fresh(self, t: Scalar, hint: str) -> str:
        self._n += 1
        name = f"~i{self._n}.{hint}"
        while name in self.fn.locals:
            self._n += 1
            name = f"~i{self._n}.{hint}"
        self.fn.locals[name] = t
        return name

    def visit(self, node: ir.Call) -> Any:
        if node.symbol not in self.candidates or node.symbol == self.fn.symbol:
            self.calls.add(node.symbol)
            return node
        callee = self.candidates[node.symbol]
        arrays = _array_arguments(callee, node)
        if arrays is None:  # an array argument is a view: the call stays
            self.calls.add(node.symbol)
            return node
        self.changed = True
        rename: dict[str, str] = {}
        direct: dict[str, ir.Expr] = {}
        stmts: list[ir.Stmt] = []
        shape = self.shapes.of(callee, complete=True)
        self.calls |= shape.calls
        assigned = shape.assigned
        for p, arg in zip(callee.params, node.args, strict=True):
            if not isinstance(p.type, Scalar):
                continue  # an array: its uses name the caller's array (``arrays``)
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

        plans, node_class = _COPY_PLANS, ir.Node

        def copy(n: Any) -> Any:
            """A fresh copy of the callee's ``n``, bottom-up, renamed for this call site.
            Inlined bodies are always copied: the back end keys facts by node identity
            (proven bounds, row pointers), so one callee node must never stand at two call
            sites (a leaf with nothing to rename is the one node left shared)."""
            cls = n.__class__
            plan = plans.get(cls) or _copy_plan(cls)
            children, local_fields, is_get, is_unpack, labelled, is_return = plan
            changes: dict[str, Any] = {}
            for name, kind in children:
                v = getattr(n, name)
                if kind == ONE or (kind == ANY and isinstance(v, node_class)):
                    if v is not None:
                        changes[name] = copy(v)
                elif v and (kind == LIST or (isinstance(v, list) and isinstance(v[0], node_class))):
                    changes[name] = [copy(x) for x in v]
            if is_get and n.name in direct:
                return direct[n.name]
            for attr in local_fields:
                value = getattr(n, attr)
                if isinstance(value, str) and value in rename:
                    changes[attr] = rename[value]
            if is_unpack:
                changes["names"] = [rename.get(x, x) for x in n.names]
            if labelled and n.label in labels:
                changes["label"] = labels[n.label]
            if arrays:
                _substitute_arrays(n, arrays, changes)
            if relocate:
                changes["line"], changes["col"] = line, col
            if changes:
                n = _replace(n, changes)
            if is_return:
                return ir.Exit(n.line, n.col, exit_label, n.value)
            return n

        if straight:
            stmts += [copy(s) for s in callee.body[:-1]]
            ret = callee.body[-1]
            assert isinstance(ret, ir.Return) and ret.value is not None
            body = copy(ret.value)
            return ir.Seq(line, col, node.ty, stmts, body) if stmts else body
        block = ir.Block(line, col, node.ty, exit_label, [copy(s) for s in callee.body])
        return ir.Seq(line, col, node.ty, stmts, block) if stmts else block


def _array_arguments(callee: ir.Function, call: ir.Call) -> dict[str, ir.ArrayRef] | None:
    """The caller's arrays standing for ``callee``'s array parameters at ``call``, by
    parameter name; None when one is a view (a row, a slice): those calls stay calls.

    A whole array passed by name is its :class:`~portalis.lang.ir.ArrayRef` (address and
    extents in the caller's locals, or a state array's fixed place), so the inlined body
    reads and writes the caller's array directly: the caller's bounds proofs and row plans
    (backend/ranges.py, backend/rows) see its own array. Two parameters given one array
    become two uses of one name, which is what Python's aliasing means."""
    arrays: dict[str, ir.ArrayRef] = {}
    for p, arg in zip(callee.params, call.args, strict=True):
        if isinstance(p.type, ArrayType):
            if not (
                isinstance(arg, ir.ArrayArg)
                and not arg.prefix
                and arg.start is None
                and arg.count is None
                and arg.array.type == p.type
            ):
                return None
            arrays[p.name] = arg.array
    return arrays


#: Per node class, its fields holding an :class:`~portalis.lang.ir.ArrayRef`.
_ARRAY_FIELDS: dict[type, tuple[str, ...]] = {}


def _substitute_arrays(n: Any, arrays: dict[str, ir.ArrayRef], changes: dict[str, Any]) -> None:
    """Record in ``changes`` the caller's array for each of ``n``'s array fields naming a
    parameter of the callee. A callee's array parameter is never a state array (those are
    named by no parameter of the function), so the name alone says which it is."""
    cls = n.__class__
    names = _ARRAY_FIELDS.get(cls)
    if names is None:
        names = _ARRAY_FIELDS[cls] = tuple(
            f.name for f in dataclasses.fields(cls) if "ArrayRef" in str(f.type)
        )
    for attr in names:
        ref = getattr(n, attr)
        if isinstance(ref, ir.ArrayRef) and ref.offset is None and ref.name in arrays:
            changes[attr] = arrays[ref.name]


def _reachable(functions: list[ir.Function], roots: set[str], shapes: _Shapes) -> list[ir.Function]:
    """The functions reachable from the kernel's own, the exported ones and ``roots``, by
    the calls their bodies make (from the shapes, walked once per body)."""
    by_symbol = {f.symbol: f for f in functions}
    seen: set[str] = set()
    todo = [f.symbol for f in functions if f.exported or not f.library] + sorted(roots)
    while todo:
        sym = todo.pop()
        if sym in seen or sym not in by_symbol:
            continue
        seen.add(sym)
        todo.extend(shapes.of(by_symbol[sym]).calls)
    return [f for f in functions if f.symbol in seen]
