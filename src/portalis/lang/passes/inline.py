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

import collections
import dataclasses
import itertools
from collections.abc import Callable, Iterator
from typing import Any

from portalis.lang import builtins, ir, library_cache
from portalis.lang.library_cache import LibraryKey
from portalis.lang.types import ArrayType, ResultTuple, Scalar
from portalis.lang.walk import ANY, LAYOUTS, LIST, ONE, layout, walk

MAX_NODES = 64  # size limit of a straight-line callee, in IR nodes
MAX_BLOCK_NODES = 160  # size limit of a callee with control flow
#: size limit of a math-library callee inlined into another library function (either shape)
MAX_LIBRARY_NODES = 600
#: ... up to this many call sites of the callee in the caller
MAX_LIBRARY_SITES = 2
#: size limit of a math-library function (after its own inlining) inlined where a kernel
#: calls it as ``math.NAME``: exp (200 nodes) and log (416) are in, erfc (1,007), pow
#: (692), atan2 (885), sin and cos (~1,350) stay calls. Inlining a body costs build time
#: in every later pass and in Cranelift, and saves a call (~2 ns) plus the spills around
#: it: with the limit at 2,000, kde ran 10% faster and black_scholes 4% more than at this
#: limit, but black_scholes built in 73 ms instead of 25 and the robot arm (sin/cos in
#: its IK loop, no measurable gain) in 118 ms instead of 54 (CPU, library cache off).
MAX_MATH_NODES = 450
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
    functions: list[ir.Function],
    roots: set[str],
    library: LibraryKey | None = None,
    math_links: dict[str, str] | None = None,
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
    inlined as ever, seeing the library bodies each round as they were).

    ``math_links``: ``libm:NAME`` → symbol of the library function providing ``math.NAME``;
    when given, after the rounds each kernel function's ``math.NAME`` calls take the library
    function's final body, up to MAX_MATH_NODES (:func:`_inline_math_calls`)."""
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
        candidates = {f.symbol: f for f in functions if shapes.of(f).candidate}
        if not candidates:
            break
        changed = False
        work: library_cache.RoundWork = {}
        for fn in functions:
            if replayed is not None and fn.symbol in library_symbols:
                if round_number < len(replayed.rounds):
                    done = replayed.rounds[round_number].get(fn.symbol)
                    if done is not None:  # its body unpickled only if read (a stored one)
                        library_cache.set_body(fn, done.body)
                        fn.locals = dict(done.locals)
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
    if math_links:
        _inline_math_calls(functions, math_links, labels, shapes)
    return _reachable(functions, roots, shapes)


def _inline_math_calls(
    functions: list[ir.Function],
    links: dict[str, str],
    labels: dict[str, Iterator[int]],
    shapes: _Shapes,
) -> None:
    """Inline ``math.NAME`` calls (``libm:NAME`` builtin calls) of kernel functions.

    Why: in a loop calling erfc four times per element (Black–Scholes) each call is a wasm
    call: a frame, a stack check, an epoch check and spills of every float live across it.
    A kernel's math call takes the library function's body as the rounds left it (with its
    own helpers inlined); what stays a call there stays a call (cold paths, big helpers).
    The result keeps CPython's exception rule: the call becomes the builtin
    ``libm_inlined:NAME`` whose first argument is the inlined body and the others the
    call's arguments, held in locals first (the back end's slow path gets them).

    Only calls in innermost loops (loops holding no loop), where a kernel spends its time,
    and only library functions without loops of their own (the loop stays innermost: it
    keeps its unrolling and row plans): a call elsewhere runs rarely, and each inlined
    call adds its body's build time (Cranelift's too)."""
    by_symbol = {f.symbol: f for f in functions}
    math: dict[str, ir.Function] = {}
    for key, symbol in links.items():
        callee = by_symbol.get(symbol)
        if not key.startswith("libm:") or callee is None:
            continue
        shape = shapes.of(callee, complete=True)
        if shape.possible and shape.size <= MAX_MATH_NODES and not _has_loop(callee.body):
            math[key] = callee
    if not math:
        return
    for fn in functions:
        if fn.library:
            continue
        sites = _innermost_math_calls(fn.body, math)
        if sites:
            counter = labels.setdefault(fn.symbol, itertools.count(1))
            _MathInliner(fn, math, counter, shapes, sites).run()


_LOOPS = (ir.ForRange, ir.While)


def _has_loop(body: list[ir.Stmt]) -> bool:
    return any(n.__class__ in _LOOPS for stmt in body for n in walk(stmt))


def _innermost_math_calls(body: list[ir.Stmt], math: dict[str, ir.Function]) -> set[int]:
    """The ids of the ``math.NAME`` calls (to functions of ``math``) inside loops that hold
    no loop."""
    found: set[int] = set()
    loops = [n for stmt in body for n in walk(stmt) if n.__class__ in _LOOPS]
    for loop in loops:
        inside = [n for n in walk(loop) if n is not loop]
        if any(n.__class__ in _LOOPS for n in inside):
            continue
        found.update(id(n) for n in inside if n.__class__ is ir.BuiltinCall and n.lowering in math)
    return found


@dataclasses.dataclass(frozen=True)
class _Shape:
    """What the inliner needs to know about a function's body, computed once per body."""

    body: object  # the body it describes (library_cache.body_token: compared by identity)
    inlinable: bool  # into any caller
    straight: bool
    assigned: frozenset[str]
    block_labels: tuple[str, ...]  # labels of its blocks, in walk order
    calls: frozenset[str]  # symbols it calls
    #: False for a body found too big to inline after a short look: ``assigned`` and
    #: ``block_labels`` were not collected (the calls came from the round that made it)
    complete: bool = True
    #: into a caller that is itself a library function (a library callee up to
    #: MAX_LIBRARY_NODES)
    library_inlinable: bool = False
    #: nothing but its size keeps it from being inlined
    possible: bool = False
    size: int = 0

    @property
    def candidate(self) -> bool:
        return self.inlinable or self.library_inlinable


class _Shapes:
    """Shapes of function bodies, recomputed only when a body was replaced (an inlining
    round rebuilds a body only when it inlined something into it)."""

    def __init__(self) -> None:
        self._by_symbol: dict[str, _Shape] = {}
        #: symbol → (a body an inlining round made, the symbols it calls)
        self._calls: dict[str, tuple[object, frozenset[str]]] = {}

    def of(self, fn: ir.Function, complete: bool = False) -> _Shape:
        """The shape of ``fn``'s body; ``complete``: with what inlining it needs."""
        shape = self._by_symbol.get(fn.symbol)
        body = library_cache.body_token(fn)
        if shape is None or shape.body is not body or (complete and not shape.complete):
            known = self._calls.get(fn.symbol)
            calls = known[1] if known is not None and known[0] is body else None
            shape = _shape(fn, None if complete else calls)
            self._by_symbol[fn.symbol] = shape
        return shape

    def seed(self, fn: ir.Function, shape: _Shape) -> None:
        """``shape`` describes ``fn``'s body (taken from lang/library_cache.py: the shape
        a build that walked the same body found)."""
        self._by_symbol[fn.symbol] = dataclasses.replace(shape, body=library_cache.body_token(fn))

    def made(self, fn: ir.Function, calls: frozenset[str]) -> None:
        """An inlining round gave ``fn`` a new body calling exactly ``calls``."""
        self._calls[fn.symbol] = (library_cache.body_token(fn), calls)


#: Nodes that make a block the function frees on return: it needs a frame of its own.
_FRAME_CLASSES = frozenset([ir.AllocArray, ir.BindArray, ir.UnpackResults, ir.ListNew])
#: Nodes that rename or write whole views of arrays: a function with array parameters
#: holding one is not inlined (substituting the caller's array there is not worth the risk).
_ARRAY_REFUSED = frozenset([ir.SwapArrays, ir.FillView, ir.CopyView])
#: Nodes naming a list's locals by the list's name (ListRef), which inlining cannot rename.
_LIST_NODES = (ir.ListLen, ir.ListGet, ir.ListPop, ir.ListAppend, ir.ListSet, ir.ListAdopt)
#: What _shape notes of each node class (one dict lookup per node; most are in none).
_CALL, _SETS, _BLOCK, _LOOP, _UNPACK, _FRAME, _VIEWS = range(7)
_SHAPE_KINDS: dict[type, int] = {
    **{cls: _VIEWS for cls in _ARRAY_REFUSED},
    **{cls: _FRAME for cls in (*_FRAME_CLASSES, *_LIST_NODES)},
    ir.Call: _CALL,
    ir.SetLocal: _SETS,
    ir.LocalTee: _SETS,
    ir.Block: _BLOCK,
    ir.ForRange: _LOOP,
    ir.Unpack: _UNPACK,
}


def _shape(fn: ir.Function, calls_known: frozenset[str] | None = None) -> _Shape:
    """The shape of ``fn``'s body. With its calls known, a body too big to inline is only
    walked as far as the size limit (big kernel functions, rebuilt by every round, are
    never inlined, and their calls are all the next round needs)."""
    token = library_cache.body_token(fn)
    straight = bool(fn.body) and _straight_line(fn)
    if calls_known is not None:
        limit = MAX_NODES if straight else MAX_BLOCK_NODES
        if fn.library:
            limit = max(limit, MAX_LIBRARY_NODES)
        seen = 0
        for stmt in fn.body:
            for _ in walk(stmt):
                seen += 1
                if seen > limit:
                    return _Shape(token, False, straight, frozenset(), (), calls_known, False)
    labels: list[str] = []
    calls: set[str] = set()
    assigned: set[str] = set()
    recursive = frame = views_written = False
    size = 0
    kinds = _SHAPE_KINDS
    for stmt in fn.body:  # one pass: this runs for every body an inlining round makes
        for n in walk(stmt):
            size += 1
            kind = kinds.get(n.__class__)  # IR node classes have no subclasses
            if kind is None:  # most nodes: nothing to note but their number
                continue
            if kind == _CALL:
                calls.add(n.symbol)
                recursive = recursive or n.symbol == fn.symbol
            elif kind == _SETS:
                assigned.add(n.name)  # a parameter it assigns cannot be replaced by the argument
            elif kind == _BLOCK:
                labels.append(n.label)
            elif kind == _LOOP:
                assigned.add(n.var)
            elif kind == _UNPACK:
                assigned.update(n.names)
            elif kind == _FRAME:
                # Needs a frame of its own (blocks freed on its return), or names a list's
                # locals by the list (inlining cannot rename them).
                frame = True
            else:
                views_written = True
    possible = (
        bool(fn.body)
        and not (views_written and any(isinstance(p.type, ArrayType) for p in fn.params))
        and not recursive
        and not frame
        and not any(p.name.endswith(".cap") for p in fn.params)  # a list parameter
        and not isinstance(fn.result, ArrayType | ResultTuple)  # blocks handed over by a return
    )
    inlinable = possible and size <= (MAX_NODES if straight else MAX_BLOCK_NODES)
    library_inlinable = possible and fn.library and size <= MAX_LIBRARY_NODES
    return _Shape(
        token,
        inlinable,
        straight,
        frozenset(assigned),
        tuple(labels),
        frozenset(calls),
        library_inlinable=library_inlinable,
        possible=possible,
        size=size,
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


def _transform(node: Any, fn: Callable[[Any], Any], target: type = ir.Call) -> Any:
    """Rebuild ``node`` bottom-up, replacing each call ``c`` below it by ``fn(c)``. Only
    nodes on the path to a replacement are rebuilt: an unchanged subtree is returned as it
    is, so a round that inlines one call copies one path, not the whole function.
    ``target``: the class of the nodes replaced (calls, or builtin calls)."""
    changes: dict[str, Any] | None = None
    cls = node.__class__
    for name, kind in LAYOUTS.get(cls) or layout(cls):
        v = getattr(node, name)
        if kind == ONE or (kind == ANY and isinstance(v, ir.Node)):
            if v is not None:
                new = _transform(v, fn, target)
                if new is not v:
                    if changes is None:
                        changes = {}
                    changes[name] = new
        elif v and (kind == LIST or (isinstance(v, list) and isinstance(v[0], ir.Node))):
            items = [_transform(x, fn, target) for x in v]
            for x, y in zip(items, v, strict=True):
                if x is not y:
                    if changes is None:
                        changes = {}
                    changes[name] = items
                    break
    if changes is not None:
        node = _replace(node, changes)
    return fn(node) if cls is target else node


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
        #: inline any candidate, whatever its size (``math.NAME`` calls: _MathInliner)
        self.force = False
        #: a library caller's call sites per callee
        self.sites: collections.Counter[str] = collections.Counter()

    def run(self) -> bool:
        if self.fn.library:
            self.sites = collections.Counter(
                n.symbol for stmt in self.fn.body for n in walk(stmt) if n.__class__ is ir.Call
            )
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
        if not (self.force or self.shapes.of(callee).inlinable) and (
            not self.fn.library or self.sites[node.symbol] > MAX_LIBRARY_SITES
        ):
            # A big library function stays a call in kernel code, and in a library function
            # calling it at many places (rare paths would multiply it).
            self.calls.add(node.symbol)
            return node
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


class _MathInliner(_Inliner):
    """Inlines a kernel function's ``math.NAME`` calls (:func:`_inline_math_calls`)."""

    def __init__(
        self,
        fn: ir.Function,
        math: dict[str, ir.Function],
        labels: Iterator[int],
        shapes: _Shapes,
        sites: set[int],
    ) -> None:
        super().__init__(fn, {f.symbol: f for f in math.values()}, labels, shapes)
        self.math = math
        self.sites_inlined = sites  # ids of the calls to inline
        self.force = True
        self.calls = set(shapes.of(fn).calls)  # its calls stay; only builtin calls change

    def run(self) -> bool:
        body = [_transform(s, self.visit_math, ir.BuiltinCall) for s in self.fn.body]
        if self.changed:
            self.fn.body = body
            self.shapes.made(self.fn, frozenset(self.calls))
        return self.changed

    def visit_math(self, node: ir.BuiltinCall) -> Any:
        callee = self.math.get(node.lowering)
        if callee is None or id(node) not in self.sites_inlined:
            return node
        line, col = node.line, node.col
        stmts: list[ir.Stmt] = []
        args: list[ir.Expr] = []
        for p, arg in zip(callee.params, node.args, strict=True):
            if isinstance(arg, ir.Const | ir.LocalGet):
                args.append(arg)
                continue
            assert isinstance(p.type, Scalar)
            tmp = self.fresh(p.type, p.name)
            stmts.append(ir.SetLocal(line, col, tmp, arg))
            args.append(ir.LocalGet(line, col, p.type, tmp))
        value = self.visit(ir.Call(line, col, node.ty, callee.symbol, args))
        name = node.lowering.removeprefix("libm:")
        if builtins.BUILTINS[f"math.{name}"].errors != "none":
            value = ir.BuiltinCall(line, col, node.ty, builtins.INLINED_MATH + name, [value, *args])
        return ir.Seq(line, col, node.ty, stmts, value) if stmts else value


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
