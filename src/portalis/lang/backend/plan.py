"""The back end's analysis passes: what each function and loop will be emitted as, decided
over the IR before a single instruction is made. pipeline.py runs them in this order, each
timed on its own (``portalis build --timings``):

1. ``ranges``      the value ranges of integer indices: which array accesses need no
                   bounds check, and which never see a negative index (backend/ranges.py)
2. ``unroll``      copies of each loop's body per back-edge (backend/unroll.py)
3. ``versioning``  for each unrolled or innermost counted loop, the checks one test before
                   the loop can stand in for (backend/versioning.py), and so which accesses
                   the guarded copy may leave unchecked
4. ``rows``        for each unrolled counted loop, the row pointers its accesses use
                   (backend/rows.py), given the checks proven in the copy that uses them

The emitter (backend/loops.py, backend/bounds.py) follows the :class:`Plan`: it decides
nothing about loops itself; it only keeps track of which copy and which version of a loop it
is writing. Facts are keyed by node identity (``id``), as the inliner guarantees one node
never stands at two places (passes/inline.py); each :class:`LoopPlan` keeps its loop alive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portalis.lang import ir
from portalis.lang.backend import hoist, ranges, rows, table_index, unroll, versioning
from portalis.lang.backend.rows import Row, Use
from portalis.lang.types import ArrayType
from portalis.lang.walk import walk

#: (id of a Load/Store, axis)
Access = tuple[int, int]


@dataclass
class LoopPlan:
    """How one loop is emitted."""

    loop: ir.ForRange | ir.While
    #: copies of the body per back-edge (1: a plain loop)
    copies: int = 1
    #: the checks a test before the loop stands in for (none: no guarded version)
    guards: list[versioning.Guard] = field(default_factory=list)
    #: accesses in bounds in the copy that runs when the guards hold (the function's
    #: proven accesses and the guarded ones)
    guarded_proven: frozenset[Access] = frozenset()
    #: row pointers of the unrolled copy, and the accesses that use them, by id
    rows: list[Row] = field(default_factory=list)
    row_uses: dict[int, Use] = field(default_factory=dict)
    #: constant-index checks made once before the loop when it runs at least once
    #: (backend/hoist.py), in order; the function's ``proven`` holds them
    hoisted: list[tuple[ir.Load, int]] = field(default_factory=list)
    #: pairs of arrays whose whole byte ranges are tested once, before this loop, to lie
    #: apart: the vectorised loops inside it then skip their rows' overlap test when the
    #: test held (backend/simd.py, :func:`~portalis.lang.backend.simd.hoist_apart`)
    apart: list[tuple[ir.ArrayRef, ir.ArrayRef]] = field(default_factory=list)
    #: the vector plan of a loop that runs two iterations at a time (a simd.Plan)
    vector: Any = None


@dataclass
class FunctionPlan:
    #: accesses proven in bounds, and proven never negative, in the whole function
    proven: frozenset[Access] = frozenset()
    nonneg: frozenset[Access] = frozenset()
    #: float → int conversions that cannot overflow int64 (by id): only NaN is checked
    fits: frozenset[int] = frozenset()
    #: those of them that are never 0 but for NaN (the operand is >= 1 or <= -1): NaN is
    #: told by the saturating conversion's 0, not by a float compare
    nonzero: frozenset[int] = frozenset()
    #: (access, last axis) indexed ``x + c`` with ``x >= 0`` known: addressed as ``x`` with
    #: ``c`` elements in the instruction's offset
    offset_last: frozenset[Access] = frozenset()
    #: by id of an access: extents asserted equal to another array's, (array, axis) → the
    #: (array, axis) whose extent the address uses instead (backend/ranges.py)
    same_extents: dict[int, dict[tuple[str, int], tuple[str, int]]] = field(default_factory=dict)
    #: by id of the loop (a loop without a plan is emitted plain)
    loops: dict[int, LoopPlan] = field(default_factory=dict)
    #: the arrays and lists the function makes (and frees on every return), in walk
    #: order; None until the ``unroll`` pass, which walks the kernel's functions, has
    #: looked (a library function's stays None: the emitter looks itself)
    made: (
        list[ir.AllocArray | ir.BindArray | ir.UnpackResults | ir.ListNew | ir.ListAdopt] | None
    ) = None
    #: the function's nodes in walk order, as the ``ranges`` pass listed them (one walk
    #: that pass and the ``unroll`` pass right after it share: nothing between them changes
    #: the IR); None for a function that pass did not look at
    nodes: list[Any] | None = None


#: By function symbol.
Plan = dict[str, FunctionPlan]


def value_ranges(module: ir.Module, emitted_once: frozenset[str] = frozenset()) -> Plan:
    """The math library and prelude index no arrays (they take and return numbers), so only
    the kernel's own functions are analysed: a function without facts keeps every check,
    which is always correct. Library functions get only their masked table reads
    (:func:`library_plan`). ``emitted_once``: library functions whose text the emitter may
    take from lang/library_cache.py; they get no plan here, the emitter makes theirs if it
    emits them."""
    plan: Plan = {}
    for fn in module.functions:
        if fn.library and not any(isinstance(p.type, ArrayType) for p in fn.params):
            if fn.symbol not in emitted_once:
                plan[fn.symbol] = library_plan(fn)
            continue
        found = [n for stmt in fn.body for n in walk(stmt)]  # one walk for both, and unroll
        proven, nonneg, fits, offset_last, same, nonzero = ranges.analyse(fn, found)
        # Library code inlined here (a kernel's math.NAME calls: passes/inline.py) keeps its
        # masked table reads in range by construction, which the analysis may not see.
        masked = table_index.masked_table_reads(fn, found)
        plan[fn.symbol] = FunctionPlan(
            proven | masked,
            nonneg | masked,
            fits,
            nonzero=nonzero,
            offset_last=offset_last,
            same_extents=same,
            nodes=found,
        )
    return plan


def library_plan(fn: ir.Function) -> FunctionPlan:
    """A library function's plan: its masked table reads (backend/table_index.py)."""
    masked = table_index.masked_table_reads(fn)
    return FunctionPlan(masked, masked)


def unroll_loops(module: ir.Module, plan: Plan) -> None:
    """Plan every loop of the kernel's functions. Library functions keep their loops as
    written (they are small and tested as such): a loop without a plan is emitted plain,
    and they are not walked here (their text is usually made once per process:
    lang/library_cache.py; the emitter looks for what one makes when it emits it). The
    same walk notes the arrays and lists each kernel function makes."""
    loop_classes = (ir.ForRange, ir.While)
    made_classes = (ir.AllocArray, ir.BindArray, ir.UnpackResults, ir.ListNew, ir.ListAdopt)
    for fn in module.functions:
        if fn.library:
            continue
        fp = plan[fn.symbol]
        fp.made = made = []
        found = fp.nodes if fp.nodes is not None else [n for s in fn.body for n in walk(s)]
        fp.nodes = None  # not kept past this pass
        for n in found:
            cls = n.__class__  # IR node classes have no subclasses: this runs per node
            if cls in loop_classes:
                fp.loops[id(n)] = LoopPlan(n, unroll.factor(n))
            elif cls in made_classes:
                made.append(n)  # blocks it frees on return
        hoist_checks(fp)


def hoist_checks(fp: FunctionPlan) -> None:
    """Move the constant-index checks of each counted loop's leading reads before it
    (backend/hoist.py); the accesses count as proven from then on (each stands in one loop,
    so the check before that loop covers every place it is emitted)."""
    extra: set[Access] = set()
    for lp in fp.loops.values():
        if isinstance(lp.loop, ir.ForRange):
            lp.hoisted = hoist.hoisted(lp.loop, fp.proven)
            extra.update((id(load), axis) for load, axis in lp.hoisted)
    if extra:
        fp.proven = fp.proven | extra


def _unrolled_counted(fp: FunctionPlan) -> list[tuple[ir.ForRange, LoopPlan]]:
    """The loops emitted with copies and a constant step: the ones versioning and row
    pointers apply to."""
    return [
        (lp.loop, lp)
        for lp in fp.loops.values()
        if lp.copies > 1 and isinstance(lp.loop, ir.ForRange) and isinstance(lp.loop.step, ir.Const)
    ]


def _versioned_counted(fp: FunctionPlan) -> list[tuple[ir.ForRange, LoopPlan]]:
    """The loops versioning applies to: the unrolled counted loops, innermost counted
    loops left with one copy (a body too large to unroll, such as nbody's pair loop with
    its inlined ``** -1.5``: its checks run on every iteration all the same), and counted
    loops whose body holds only ``while`` loops (a hash-table probe per item) and is at
    most unroll.LARGE_BODY nodes: the body is emitted twice, so only a body that size."""
    return [
        (lp.loop, lp)
        for lp in fp.loops.values()
        if isinstance(lp.loop, ir.ForRange)
        and isinstance(lp.loop.step, ir.Const)
        and (lp.copies > 1 or _innermost_or_probe(lp.loop))
    ]


def _innermost_or_probe(loop: ir.ForRange) -> bool:
    """Whether ``loop``'s body holds no counted loop, and either no ``while`` loop either
    or at most unroll.LARGE_BODY nodes (one walk)."""
    size = 0
    whiles = False
    for stmt in loop.body:
        for n in walk(stmt):
            if isinstance(n, ir.ForRange):
                return False
            whiles = whiles or isinstance(n, ir.While)
            size += 1
    return not whiles or size <= unroll.LARGE_BODY


def version_loops(module: ir.Module, plan: Plan) -> None:
    for fp in plan.values():
        for loop, lp in _versioned_counted(fp):
            lp.guards = versioning.guards(loop, fp.proven)
            lp.guarded_proven = fp.proven | {(id(g.access), g.axis) for g in lp.guards}


def plan_rows(module: ir.Module, plan: Plan) -> None:
    for fp in plan.values():
        for loop, lp in _unrolled_counted(fp):
            proven = lp.guarded_proven if lp.guards else fp.proven
            lp.rows, lp.row_uses = rows.plan(loop, proven)
