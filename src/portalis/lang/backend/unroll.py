"""How many copies of an innermost ``for … in range(…)`` body to emit per loop iteration.

Why unroll at all: wasmtime's epoch interruption puts a check on every loop back-edge, and
its slow path is a call that clobbers every floating-point register. Cranelift's register
allocator answers by keeping loop-carried values (an accumulator, array bases, row offsets)
in stack slots across the whole loop, so each iteration pays loads and stores on its
critical path. With the body emitted ``k`` times per back-edge those costs are paid once per
``k`` iterations. The copies run exactly the iterations the loop would, in order (the
back end assigns the loop variable before each copy and counts on between them), so nothing
observable changes; only loops with no loop inside are unrolled, and only small bodies, so
the module stays small. A ``while`` loop's copies each test the condition first, exactly as
the loop would before each iteration.

Large bodies (up to LARGE_BODY nodes: the fluid's advection, a ray tracer's hit test) get 2
copies too: their spills and the epoch check are a smaller share of an iteration, but still
~10% of it there (docs/language.md, "Unrolling"); beyond LARGE_BODY the module's size would
grow by more than the copies save. A small body whose loop steps by more than 1 (a
red-black sweep, which is never a vector loop) gets 8: the fluid's pressure sweep keeps 7
row pointers that Cranelift spills and moves on at every back-edge (~7% of the sweep).
"""

from __future__ import annotations

from portalis.lang import ir
from portalis.lang.types import F64
from portalis.lang.walk import walk as nodes

#: Body sizes (IR nodes) up to which a loop gets SMALL_COPIES, MEDIUM_COPIES and
#: LARGE_COPIES copies; a larger body is emitted once.
SMALL_BODY = 80
MEDIUM_BODY = 200
LARGE_BODY = 1500
SMALL_COPIES = 4
MEDIUM_COPIES = 2
LARGE_COPIES = 2
#: Copies of a small body whose loop steps by more than 1 (a red-black sweep: never a
#: vector loop, backend/simd.py)
STRIDED_COPIES = 8


def factor(loop: ir.ForRange | ir.While) -> int:
    """Copies of ``loop``'s body per back-edge: 1 (no unrolling) unless the loop contains no
    loop, its body (and a ``while``'s condition) is small, and a ``for`` counts up by a
    constant step."""
    parts: list[ir.Node] = list(loop.body)
    if isinstance(loop, ir.ForRange):
        if not (isinstance(loop.step, ir.Const) and int(loop.step.value) > 0):
            return 1
    else:
        parts.append(loop.cond)
    size = 0
    for stmt in parts:
        for n in nodes(stmt):
            if isinstance(n, ir.ForRange | ir.While):
                return 1
            size += 1
    if size <= SMALL_BODY:
        strided = (
            isinstance(loop, ir.ForRange)
            and isinstance(loop.step, ir.Const)
            and int(loop.step.value) > 1
        )
        return STRIDED_COPIES if strided else SMALL_COPIES
    if size <= MEDIUM_BODY:
        return SMALL_COPIES if carries_float(loop.body) else MEDIUM_COPIES
    if size <= LARGE_BODY:
        return LARGE_COPIES
    return 1


def carries_float(body: list[ir.Stmt]) -> bool:
    """Whether a float local flows from one iteration into the next: read by a statement of
    the body before any statement assigns it, and assigned somewhere in it (``w *= w_step``,
    an FFT's twiddle factor; ``acc += ...``). Such a value is on the loop's critical path and
    is stored to and reloaded from its stack slot at every back-edge, so a medium body that
    carries one gets as many copies as a small body (the FFT's butterfly loop ran ~12%
    faster with 4 copies than with 2)."""
    assigned: set[str] = set()
    read_first: set[str] = set()
    for stmt in body:
        for n in nodes(stmt):
            if isinstance(n, ir.LocalGet) and n.ty == F64 and n.name not in assigned:
                read_first.add(n.name)
        for n in nodes(stmt):
            if isinstance(n, ir.SetLocal):
                assigned.add(n.name)
    return bool(read_first & assigned)
