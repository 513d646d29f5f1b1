"""Vector loops: writes the loops backend/simd.py's ``vectorise`` pass marked
(``ForRange.lanes``) in WebAssembly's 128-bit SIMD. Before the loop, one test of what the IR
cannot know (every access in bounds, no divisor zero, no written row overlapping another);
when it holds, vector rounds running :data:`~portalis.lang.backend.simd.LANES` iterations
at a time (``f64x2`` values, ``v128`` loads and stores at row pointers), then the last odd
iteration in scalar code; when it fails, the loop as it always was.

What may be vectorised, and why each lane then computes CPython's result, is decided and
argued in backend/simd.py (:func:`~portalis.lang.backend.simd.plan`); its
:class:`~portalis.lang.backend.simd.Plan` is what this module needs beyond the loop itself.
"""

from __future__ import annotations

from portalis.lang import ir
from portalis.lang.backend import instructions as I
from portalis.lang.backend import rows, unroll, versioning
from portalis.lang.backend.loops import LoopPasses
from portalis.lang.backend.simd import (
    _LANEWISE,
    LANES,
    WIDENED,
    Plan,
    apart_key,
    plan,
    row_key,
)
from portalis.lang.walk import walk as nodes

#: Vector rounds per back-edge of a body unroll.py gives copies (it says why more than one):
#: 8 for its small bodies, 4 for the medium ones. Eight rounds of a stencil or a row update
#: (``ci[j] += aik * bk[j]``) are still a few hundred bytes of code, and each back-edge costs
#: the epoch check and the reload of what it spilled: matmul and laplace ran 4-9% faster
#: with 8 than with 4.
ROUNDS = {unroll.SMALL_COPIES: 8, unroll.MEDIUM_COPIES: 4}


class VectorLoops(LoopPasses):
    """Emits loops that :func:`~portalis.lang.backend.simd.vectorise` marked: two iterations
    per vector round, then the remaining one in scalar code, or the unchanged scalar loop
    when a check made at the start fails."""

    def s_ForRange(self, s: ir.ForRange) -> None:
        lp = self.loop_plans.get(id(s))
        vector = None
        if s.lanes > 1 and not self.fn.library:
            vector = lp.vector if lp is not None and lp.vector is not None else plan(s, self.fn)
        if vector is None:
            super().s_ForRange(s)
            return
        self.expr(s.start)
        self.emit(I.local_set(s.counter))
        self.expr(s.stop)
        self.emit(I.local_set(s.limit))
        if lp is not None and lp.hoisted:
            self._hoisted_checks(s, 1, lp)
        c, lim = I.local_get(s.counter), I.local_get(s.limit)
        test = [c, lim, I.i64_ge_s()]
        advance = [c, I.i64_const(1), I.i64_add(), I.local_set(s.counter)]
        first = [c, I.local_set(s.var)]
        guards = versioning.guards(s, self.proven)
        self._bounds_test(s, guards)
        for divisor in vector.divisors:
            self.expr(divisor)
            self.emit(I.f64_const(0.0), I.f64_ne(), I.i32_and())
        self.emit(I.if_())
        saved_proven, saved_rows = self.proven, self.rows
        self.proven = saved_proven | {(id(g.access), g.axis) for g in guards}
        found, uses = rows.plan(s, self.proven)
        self._row_addresses(s, found)
        pointers = list({id(u.row): u.row for u in uses.values()}.values())
        self._disjoint_test(s, vector, pointers)
        self.emit(I.if_())
        self.rows = {**saved_rows, **uses}
        self._vector_rounds(s, vector, pointers)
        # The last odd iteration, if any: straight-line code, not a loop, so the engine
        # puts no epoch check here (see _vector_rounds).
        self.emit(c, lim, I.i64_lt_s(), I.if_(), *first)
        self.block(s.body)
        self.emit(*advance, I.end())
        self.rows = saved_rows
        self.emit(I.else_())  # rows overlap: in bounds, but one iteration at a time
        self._loop(test, None, s.body, first, advance)
        self.proven = saved_proven
        self.emit(I.end())
        self.emit(I.else_())  # some access out of bounds, or a zero divisor: as it always was
        self._loop(test, None, s.body, first, advance)
        self.emit(I.end())

    def _bounds_test(self, s: ir.ForRange, guards: list[versioning.Guard]) -> None:
        """Push an i32: whether every guarded access stays in bounds for every iteration
        (LoopPasses._guard_tests, the test the scalar versioned loop makes too)."""
        self.emit(I.i32_const(1))
        for _ in self._guard_tests(s, guards):
            self.emit(I.i32_and())

    def _disjoint_test(self, s: ir.ForRange, vector: Plan, pointers: list[rows.Row]) -> None:
        """Push an i32: whether, over the whole loop, the bytes each written row covers lie
        apart from every other row's. Pairs of rows of two arrays whose whole byte ranges
        a loop around this one has tested
        (:func:`~portalis.lang.backend.simd.hoist_apart`, ``self.apart``) need no
        test of their own when those tests held; when one failed (the arrays' bytes
        overlap), every pair is tested as below."""
        flags = sorted(
            {
                self.apart[key]
                for pair in vector.disjoint
                if (key := apart_key(*pair)) is not None and key in self.apart
            }
        )
        if not flags:
            self._row_tests(s, vector, pointers, vector.disjoint)
            return
        rest = [
            pair
            for pair in vector.disjoint
            if (key := apart_key(*pair)) is None or key not in self.apart
        ]
        ok = self.fresh("i32")
        self.emit(I.local_get(flags[0]))
        for flag in flags[1:]:
            self.emit(I.local_get(flag), I.i32_and())
        self.emit(I.if_())
        self._row_tests(s, vector, pointers, rest)
        self.emit(I.local_set(ok), I.else_())
        self._row_tests(s, vector, pointers, vector.disjoint)
        self.emit(I.local_set(ok), I.end(), I.local_get(ok))

    def _row_tests(
        self,
        s: ir.ForRange,
        vector: Plan,
        pointers: list[rows.Row],
        pairs: list[tuple[object, object]],
    ) -> None:
        """Push an i32: whether the rows of each of ``pairs`` (a written row, another) lie
        apart over the whole loop. A row's pointer is at column ``start + low``; the row
        covers ``stop - start + high - low`` elements from there (only evaluated when the
        bounds test held, so every one of those elements is in its array)."""
        self.emit(I.i32_const(1))
        spans: dict[object, tuple[str, str]] = {}
        by_key = {_key_of_row(row): row for row in pointers}
        needed = {k for pair in pairs for k in pair}
        for key in sorted(needed, key=repr):
            # in int64: a row may end exactly at 4 GiB, where an i32 address would wrap
            row, high = by_key[key], vector.high[key]
            start, end = self.fresh("i64"), self.fresh("i64")
            self.emit(I.local_get(row.local), I.i64_extend_i32_u(), I.local_tee(start))
            self.emit(I.local_get(s.limit), I.local_get(s.counter), I.i64_sub())
            size = row.array.element.size
            self.emit(I.i64_const(high - row.low), I.i64_add(), I.i64_const(size), I.i64_mul())
            self.emit(I.i64_add(), I.local_set(end))
            spans[key] = (start, end)
        for written, other in pairs:
            (a0, a1), (b0, b1) = spans[written], spans[other]
            # apart: one ends before the other starts
            self.emit(I.local_get(a1), I.local_get(b0), I.i64_le_s())
            self.emit(I.local_get(b1), I.local_get(a0), I.i64_le_s(), I.i32_or(), I.i32_and())

    def _vector_rounds(self, s: ir.ForRange, vector: Plan, pointers: list[rows.Row]) -> None:
        """While two iterations remain: both at once, then the row pointers move on two
        columns. Afterwards the loop variable and the body's locals hold the last
        iteration's values, as the scalar loop leaves them, and each count local has the
        lanes' counts added (before the last odd iteration, which counts on its own)."""
        splat: dict[int, str] = {}
        for e in vector.invariants:
            local = self.fresh("v128")
            self.expr(e)
            self.emit(I.simd("f64x2.splat"), I.local_set(local))
            splat[id(e)] = local
        counts: dict[str, str] = {}
        for name in vector.counts:
            counts[name] = self.fresh("v128")
            self.emit(I.i64_const(0), I.simd("i64x2.splat"), I.local_set(counts[name]))
        for stmt in s.body:
            for n in nodes(stmt):
                if isinstance(n, ir.SetLocal) and n.name in counts:
                    assert isinstance(n.value, ir.Binary)
                    local = self.fresh("v128")
                    self.expr(n.value.right)
                    self.emit(I.simd("i64x2.splat"), I.local_set(local))
                    splat[id(n)] = local
        lanes = {name: self.fresh("v128") for name in vector.temps}
        first = self.fresh("i64")
        self.emit(I.local_get(s.counter), I.local_set(first))
        written = {row_key(n) for stmt in s.body for n in nodes(stmt) if isinstance(n, ir.Store)}
        read_only = {row.local for row in pointers if _key_of_row(row) not in written}
        emitter = _Lanes(self, splat, lanes, read_only, counts)
        # Small bodies run ROUNDS vector rounds per back-edge, then what is left in
        # straight-line code: half as many rounds, ..., one round. The engine puts an epoch
        # check (the sandbox's deadline) at every loop header, and its slow path is a
        # call that clobbers the vector registers, so values live across the loop go to
        # the stack: fewer back-edges, and no loop at all for what is left, make that
        # cost rarer (backend/unroll.py).
        most = ROUNDS.get(unroll.factor(s), 1)
        if most > 1:
            self._rounds(s, most, emitter, pointers)
            rounds = most // 2
            while rounds:  # fewer than most * LANES iterations are left
                self._room_for(s, rounds * LANES)
                self.emit(I.if_())
                self._round(s, rounds, emitter, pointers)
                self.emit(I.end())
                rounds //= 2
        else:
            self._rounds(s, 1, emitter, pointers)
        for name, local in counts.items():  # int64 addition wraps: any order, one sum
            self.emit(I.local_get(name), I.local_get(local), I.i64x2_extract_lane(0))
            self.emit(I.i64_add(), I.local_get(local), I.i64x2_extract_lane(1), I.i64_add())
            self.emit(I.local_set(name))
        self.emit(I.local_get(s.counter), I.local_get(first), I.i64_ne(), I.if_())
        self.emit(I.local_get(s.counter), I.i64_const(1), I.i64_sub(), I.local_set(s.var))
        for name, local in lanes.items():
            self.emit(I.local_get(local), I.f64x2_extract_lane(1), I.local_set(name))
        self.emit(I.end())

    def _rounds(
        self, s: ir.ForRange, rounds: int, emitter: _Lanes, pointers: list[rows.Row]
    ) -> None:
        """A loop running ``rounds`` vector rounds per back-edge while that many pairs of
        iterations remain."""
        brk, top = self.label("vectors"), self.label("vector")
        self.emit(I.block(brk), I.loop(top))
        self._room_for(s, rounds * LANES)
        self.emit(I.i32_eqz(), I.br_if(brk))
        self._round(s, rounds, emitter, pointers)
        self.emit(I.br(top), I.end(), I.end())

    def _room_for(self, s: ir.ForRange, iterations: int) -> None:
        """Push an i32: whether ``iterations`` more iterations remain, ``counter <
        limit - (iterations - 1)`` computed without wrapping (when ``limit - (iterations -
        1)`` would wrap, none remain)."""
        self.emit(I.local_get(s.counter))
        self.limit_less(s, iterations - 1)
        self.emit(I.i64_lt_s())

    def _round(
        self, s: ir.ForRange, rounds: int, emitter: _Lanes, pointers: list[rows.Row]
    ) -> None:
        """``rounds`` vector rounds, then the counter and the row pointers move on."""
        emitter.forget(s.body, rounds)  # loads reused only within one pointer position
        for k in range(rounds):
            self.row_step = k * LANES  # this round's columns are k pairs past the pointers
            for stmt in s.body:
                emitter.statement(stmt)
        self.row_step = 0
        self.emit(I.local_get(s.counter), I.i64_const(rounds * LANES), I.i64_add())
        self.emit(I.local_set(s.counter))
        for row in pointers:
            step = row.array.element.size * rounds * LANES
            self.emit(I.local_get(row.local), I.i32_const(step), I.i32_add())
            self.emit(I.local_set(row.local))


def _key_of_row(row: rows.Row) -> object:
    """:func:`~portalis.lang.backend.simd.row_key` of the accesses a row pointer serves."""
    prefix = tuple(versioning.shape_of(e) for e in row.prefix)
    return (row.array.name, row.array.offset, prefix)


class _Lanes:
    """Writes one vector round of a planned body: each value an f64x2, each access a
    v128 load or store at its row pointer.

    A row the loop never writes is loaded once per pointer position and column: a stencil's
    ``u[i, j + 1]`` in one round is ``u[i, j - 1]`` in the next, and the
    second read takes the first's v128 local. Nothing can have changed those bytes in
    between: the loop stores only into written rows, and the disjointness test
    (VectorLoops._disjoint_test) has shown that no written row overlaps any other row."""

    def __init__(
        self,
        out: VectorLoops,
        splat: dict[int, str],
        lanes: dict[str, str],
        read_only: set[str] | None = None,
        counts: dict[str, str] | None = None,
    ) -> None:
        self.out = out
        self.splat = splat
        self.lanes = lanes
        #: row-pointer locals of the rows the loop never writes
        self.read_only = read_only or set()
        #: count local → its i64x2 of per-lane counts
        self.counts = counts or {}
        #: (row pointer, column past it) → the v128 local holding those two elements
        self.loaded: dict[tuple[str, int], str] = {}
        #: v128 locals made for reused loads, handed out again after :meth:`forget`
        self.spare: list[str] = []
        self.used = 0
        #: the loads of the rounds being written that are read more than once
        self.again: set[tuple[str, int]] = set()

    def forget(self, body: list[ir.Stmt], rounds: int) -> None:
        """The row pointers are about to move to where ``rounds`` rounds of ``body`` run
        next: no load is reused across that, and a local is kept only for the loads those
        rounds will read more than once."""
        self.loaded.clear()
        self.used = 0
        reads: dict[tuple[str, int], int] = {}
        for k in range(rounds):
            self.out.row_step = k * LANES
            for stmt in body:
                for n in nodes(stmt):
                    key = self._reusable(n) if isinstance(n, ir.Load) else None
                    if key is not None:
                        reads[key] = reads.get(key, 0) + 1
        self.out.row_step = 0
        self.again = {key for key, count in reads.items() if count > 1}

    def _reusable(self, e: ir.Load) -> tuple[str, int] | None:
        use = self.out.rows.get(id(e))
        if use is None or use.row.local not in self.read_only:
            return None
        return use.row.local, self.out.row_step + use.offset

    def statement(self, s: ir.Stmt, mask: str = "", inverted: bool = False) -> None:
        """One statement for both lanes; ``mask``: under an ``if``, the v128 local whose
        lanes are all ones where the test holds (``inverted``: in the ``else`` branch, so
        the statement takes effect where they are zeros)."""
        out = self.out
        if isinstance(s, ir.SetLocal) and s.name in self.counts:
            # n ± e: each lane's count moves by e where the statement runs
            assert isinstance(s.value, ir.Binary)
            acc = self.counts[s.name]
            out.emit(I.local_get(acc), I.local_get(self.splat[id(s)]))
            if mask:
                out.emit(I.local_get(mask), I.simd("v128.andnot" if inverted else "v128.and"))
            out.emit(I.simd("i64x2.add" if s.value.op == "add" else "i64x2.sub"))
            out.emit(I.local_set(acc))
            return
        if isinstance(s, ir.SetLocal):
            self.value(s.value)
            out.emit(I.local_set(self.lanes[s.name]))
            return
        if isinstance(s, ir.If):
            assert isinstance(s.cond, ir.Compare)
            taken = out.fresh("v128")
            self.value(s.cond.left)
            self.value(s.cond.right)
            out.emit(I.simd(f"f64x2.{s.cond.op}"), I.local_set(taken))
            for inner in s.body:
                self.statement(inner, taken)
            for inner in s.orelse:
                self.statement(inner, taken, inverted=True)
            return
        assert isinstance(s, ir.Store)
        if not mask:
            offset = out.address(s.array, s.indices, s, s.safe, s.nonneg)
            self.value(s.value)
            out.emit(I.store("v128.store", offset))
            return
        # the new value in the lanes where the branch runs, the element's own bits elsewhere
        offset = out.address(s.array, s.indices, s, [], [])
        self.value(s.value)
        out.address(s.array, s.indices, s, [], [])
        out.emit(I.load("v128.load", offset), I.local_get(mask))
        if inverted:
            out.emit(I.simd("v128.not"))
        out.emit(I.simd("v128.bitselect"), I.store("v128.store", offset))

    def value(self, e: ir.Expr) -> None:
        emit = self.out.emit
        if id(e) in self.splat:
            emit(I.local_get(self.splat[id(e)]))
        elif isinstance(e, ir.LocalGet):
            emit(I.local_get(self.lanes[e.name]))
        elif isinstance(e, ir.Load):
            key = self._reusable(e)
            if key is not None and key in self.loaded:
                emit(I.local_get(self.loaded[key]))
                return
            offset = self.out.address(e.array, e.indices, e, e.safe, e.nonneg)
            emit(I.load("v128.load", offset))
            if key in self.again:
                if self.used == len(self.spare):
                    self.spare.append(self.out.fresh("v128"))
                self.loaded[key] = self.spare[self.used]
                self.used += 1
                emit(I.local_tee(self.loaded[key]))
        elif isinstance(e, ir.Cast):
            assert isinstance(e.value, ir.Load)
            load = e.value
            offset = self.out.address(load.array, load.indices, load, load.safe, load.nonneg)
            first, *widen = WIDENED[load.array.element.numpy]
            emit(I.load(first, offset), *(I.simd(op) for op in widen))
        elif isinstance(e, ir.Binary):
            self.value(e.left)
            self.value(e.right)
            emit(I.simd(_LANEWISE[e.op]))
        elif isinstance(e, ir.Unary):
            self.value(e.operand)
            emit(I.simd("f64x2.neg"))
        elif isinstance(e, ir.BuiltinCall):
            self.value(e.args[0])
            emit(I.simd("f64x2.sqrt" if e.lowering == "sqrt" else "f64x2.abs"))
        else:
            raise AssertionError(f"unplanned {type(e).__name__} in a vector loop")


__all__ = ["VectorLoops"]
