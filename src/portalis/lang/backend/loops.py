"""Loops, emitted as the loop passes planned them (backend/plan.py): plain, unrolled
(backend/unroll.py: ``copies`` bodies per back-edge), versioned (backend/versioning.py: one
bounds test before the loop instead of one per access) and with row addresses
(backend/rows.py: a row's address computed once, each access a constant offset). The
emitter decides nothing here; it keeps track of which version and which copy of a loop it
is writing, since that says which checks are proven and how far past its row pointer an
access is.
"""

from __future__ import annotations

from collections.abc import Iterator

from portalis.lang import ir
from portalis.lang.backend import instructions as I
from portalis.lang.backend import rows, versioning
from portalis.lang.backend.bounds import SHIFT, BoundsChecks, array_base
from portalis.lang.backend.instructions import Instr
from portalis.lang.backend.plan import FunctionPlan, LoopPlan


class LoopPasses(BoundsChecks):
    """``while`` and ``for … in range`` loops, plain, unrolled or versioned."""

    def init_loops(self, plan: FunctionPlan) -> None:
        self.labels: list[tuple[str, str]] = []  # (break, continue) of enclosing loops
        self.loop_plans = plan.loops
        #: (id of a Load/Store, axis) whose check the value ranges of the function
        #: (backend/ranges.py), or the guard of the loop version being emitted, have made
        #: redundant; and those whose index is never negative (only the upper bound is
        #: checked)
        self.proven, self.nonneg_proven = plan.proven, plan.nonneg
        #: ids of the float → int conversions that cannot overflow (backend/ranges.py)
        self.fits = plan.fits
        self.nonzero = plan.nonzero
        #: accesses whose last index ``x + c`` is addressed as ``x`` plus an offset
        self.offset_last = plan.offset_last
        self.same_extents = plan.same_extents
        #: while an access's address is made: its extents known equal to others'
        self.same_now: dict[tuple[str, int], tuple[str, int]] = {}
        #: id of a Load/Store → the row address it uses in the loop being emitted
        self.rows: dict[int, rows.Use] = {}
        #: how far (in loop-variable units) the copy being emitted is past the pointers
        self.row_step = 0
        #: (array, array) in name order → the i32 local that says whether their whole
        #: byte ranges lie apart, for the loop being emitted (LoopPlan.apart)
        self.apart: dict[tuple[str, str], str] = {}

    def _loop(
        self,
        test: list[Instr] | None,
        cond: ir.Expr | None,
        body: list[ir.Stmt],
        before_body: list[Instr],
        after_body: list[Instr],
    ) -> None:
        brk, top, cont = self.label("break"), self.label("loop"), self.label("continue")
        self.emit(I.block(brk), I.loop(top))
        if cond is not None:
            self.branch_unless(cond, brk)
        if test is not None:
            self.emit(*test, I.br_if(brk))
        self.emit(*before_body)
        self.emit(I.block(cont))
        self.labels.append((brk, cont))
        self.block(body)
        self.labels.pop()
        self.emit(I.end())
        self.emit(*after_body, I.br(top))
        self.emit(I.end(), I.end())

    def s_While(self, s: ir.While) -> None:
        plan = self.loop_plans.get(id(s))
        if plan is not None and plan.apart:
            saved = self._apart_tests(plan.apart)
            self._while(s, plan)
            self.apart = saved
        else:
            self._while(s, plan)

    def _while(self, s: ir.While, plan: LoopPlan | None) -> None:
        copies = plan.copies if plan is not None else 1
        if copies == 1:
            self._loop(None, s.cond, s.body, [], [])
            return
        # ``copies`` × (test the condition, run the body) per back-edge (backend/unroll.py).
        brk, top = self.label("break"), self.label("loop")
        self.emit(I.block(brk), I.loop(top))
        for _ in range(copies):
            cont = self.label("continue")
            self.branch_unless(s.cond, brk)
            self.emit(I.block(cont))
            self.labels.append((brk, cont))
            self.block(s.body)
            self.labels.pop()
            self.emit(I.end())
        self.emit(I.br(top), I.end(), I.end())

    def s_ForRange(self, s: ir.ForRange) -> None:
        plan = self.loop_plans.get(id(s))
        if plan is not None and plan.apart:
            saved = self._apart_tests(plan.apart)
            self._for_range(s)
            self.apart = saved
        else:
            self._for_range(s)

    def _apart_tests(
        self, pairs: list[tuple[ir.ArrayRef, ir.ArrayRef]]
    ) -> dict[tuple[str, str], str]:
        """Before a loop, test for each pair of arrays whether their whole byte ranges lie
        apart, each into a local of :attr:`apart` (backend/simd.py, ``hoist_apart``: the
        loop binds neither array, so the answer holds throughout it). Returns the
        :attr:`apart` to restore after the loop. An array's bytes are ``[base, base +
        size * extents' product)`` (its elements in C order from its base; the product
        is the element count, below 2**32, or 0, exact in wrapping int64 arithmetic)."""
        saved = self.apart
        self.apart = dict(saved)
        spans: dict[str, tuple[str, str]] = {}
        for a, b in pairs:
            for arr in (a, b):
                if arr.name in spans:
                    continue
                start, end = self.fresh("i64"), self.fresh("i64")
                self.emit(array_base(arr), I.i64_extend_i32_u(), I.local_tee(start))
                self.emit(I.i64_const(arr.element.size))
                for k in range(arr.type.ndim):
                    self.emit(self.dim(arr, k), I.i64_mul())
                self.emit(I.i64_add(), I.local_set(end))
                spans[arr.name] = (start, end)
            (a0, a1), (b0, b1) = spans[a.name], spans[b.name]
            flag = self.fresh("i32")
            self.emit(I.local_get(a1), I.local_get(b0), I.i64_le_s())
            self.emit(I.local_get(b1), I.local_get(a0), I.i64_le_s(), I.i32_or())
            self.emit(I.local_set(flag))
            self.apart[(a.name, b.name)] = flag
        return saved

    def _for_range(self, s: ir.ForRange) -> None:
        self.expr(s.start)
        self.emit(I.local_set(s.counter))
        self.expr(s.stop)
        self.emit(I.local_set(s.limit))
        c, lim, st = I.local_get(s.counter), I.local_get(s.limit), I.local_get(s.stride)
        if isinstance(s.step, ir.Const):
            step = int(s.step.value)
            test = [c, lim, I.i64_ge_s() if step > 0 else I.i64_le_s()]
            advance = [c, I.i64_const(step), I.i64_add(), I.local_set(s.counter)]
            plan = self.loop_plans.get(id(s))
            if plan is not None and plan.hoisted:
                self._hoisted_checks(s, step, plan)
            if plan is not None and plan.guards:
                self._versioned(s, step, plan, test, advance)
                return
            if plan is not None and plan.copies > 1:
                self._unrolled(s, step, plan, test, advance)
                return
        else:
            self.expr(s.step)
            self.emit(I.local_tee(s.stride), I.i64_eqz())
            self.raise_if("ValueError", self.line(s))
            ge, le = I.i64_ge_s(), I.i64_le_s()
            test = [c, lim, ge, c, lim, le, st, I.i64_const(0), I.i64_gt_s(), I.select()]
            advance = [c, st, I.i64_add(), I.local_set(s.counter)]
        self._loop(test, None, s.body, [c, I.local_set(s.var)], advance)

    def _hoisted_checks(self, s: ir.ForRange, step: int, plan: LoopPlan) -> None:
        """The checks of ``plan.hoisted`` (backend/hoist.py), made when the loop runs at
        least once, in the order its first iteration would make them."""
        c, lim = I.local_get(s.counter), I.local_get(s.limit)
        self.emit(c, lim, I.i64_lt_s() if step > 0 else I.i64_gt_s(), I.if_())
        for load, axis in plan.hoisted:
            index = load.indices[axis]
            assert isinstance(index, ir.Const)
            self.emit(I.i64_const(int(index.value)), self.dim(load.array, axis), I.i64_ge_u())
            self.raise_if("IndexError", self.line(load))
        self.emit(I.end())

    def _guard_tests(self, s: ir.ForRange, guards: list[versioning.Guard]) -> Iterator[None]:
        """Push, one at a time, an i32 per distinct guard: whether its access stays in
        bounds on every iteration of ``s``; yields after each, so the caller joins them."""
        c, lim = I.local_get(s.counter), I.local_get(s.limit)
        seen: set[tuple[object, ...]] = set()
        for g in guards:
            key = (
                g.access.array.name,
                g.axis,
                g.offset,
                g.scale,
                versioning.shape_of(g.invariant),
                versioning.shift_shape(g.shift),
                g.counter,
                g.after,
            )
            if key in seen:
                continue
            seen.add(key)
            dim = self.dim(g.access.array, g.axis)
            if g.counter is not None:
                assert g.offset is not None
                self._counter_test(c, lim, dim, g)
            elif g.offset is not None and g.scale != 1:
                self._scaled_test(c, lim, dim, g.scale, g.offset)
            elif g.offset is not None:
                # every value start + offset ... stop - 1 + offset lies in [0, extent)
                self.emit(c, I.i64_const(-g.offset), I.i64_ge_s())
                self.emit(lim, dim, I.i64_const(g.offset), I.i64_sub(), I.i64_le_s(), I.i32_and())
            elif g.shift:
                self._shift_test(c, lim, dim, g.shift)
            else:
                assert g.invariant is not None
                self.expr(g.invariant)
                self.emit(dim, I.i64_lt_u())
            yield

    def _scaled_test(self, c: Instr, lim: Instr, dim: Instr, k: int, offset: int) -> None:
        """Push whether every ``k * v + offset`` for ``v`` in ``[counter, limit)`` lies in
        ``[0, extent)``: the loop counts up, so ``v`` runs from the counter to at most
        ``limit - 1``. Counter and limit are first tested to lie within ±MAX_SHIFT, so the
        products (``k <= MAX_SCALE``) cannot wrap."""
        bound = versioning.MAX_SHIFT
        for v in (c, lim):
            self.emit(v, I.i64_const(bound), I.i64_add(), I.i64_const(2 * bound), I.i64_le_u())
        self.emit(I.i32_and())
        self.emit(c, I.i64_const(k), I.i64_mul(), I.i64_const(offset), I.i64_add())
        self.emit(I.i64_const(0), I.i64_ge_s(), I.i32_and())
        # k * (limit - 1) + offset < extent, i.e. k * limit + offset - k + 1 <= extent
        self.emit(lim, I.i64_const(k), I.i64_mul(), I.i64_const(offset - k + 1), I.i64_add())
        self.emit(dim, I.i64_le_s(), I.i32_and())

    def _counter_test(self, c: Instr, lim: Instr, dim: Instr, g: versioning.Guard) -> None:
        """Push whether every ``k * n + offset`` lies in ``[0, extent)`` for the values the
        counter ``n`` can take in the loop (backend/versioning.py, ``counters``): it starts
        at its value now, ``n0``, never falls, and grows by at most 1 an iteration, of
        which there are at most ``limit - counter``; so ``n0 <= n <= n0 + limit - counter
        - 1`` where the access comes before the increment, one more after it. ``n0``,
        counter and limit are first tested to lie within ±MAX_SHIFT, so nothing wraps."""
        assert g.counter is not None and g.offset is not None
        n0, k, offset = I.local_get(g.counter), g.scale, g.offset
        bound = versioning.MAX_SHIFT
        for v in (c, lim, n0):
            self.emit(v, I.i64_const(bound), I.i64_add(), I.i64_const(2 * bound), I.i64_le_u())
        self.emit(I.i32_and(), I.i32_and())
        self.emit(n0, I.i64_const(k), I.i64_mul(), I.i64_const(offset), I.i64_add())
        self.emit(I.i64_const(0), I.i64_ge_s(), I.i32_and())
        # k * (n0 + limit - counter - 1 + after) + offset < extent
        last = offset - k * (0 if g.after else 1) + 1
        self.emit(n0, lim, I.i64_add(), c, I.i64_sub(), I.i64_const(k), I.i64_mul())
        self.emit(I.i64_const(last), I.i64_add(), dim, I.i64_le_s(), I.i32_and())

    def _shift_test(
        self, c: Instr, lim: Instr, dim: Instr, shift: tuple[tuple[int, ir.Expr], ...]
    ) -> None:
        """Push whether every ``k + s`` for ``k`` in ``[counter, limit)`` lies in
        ``[0, extent)``, ``s`` the sum of the invariant ``shift`` terms. ``s`` is first
        tested to be within ±MAX_SHIFT, so ``-s`` and ``extent - s`` cannot wrap, nor can
        any ``k + s`` once ``counter >= -s`` and ``limit <= extent - s`` hold."""
        s = self.fresh("i64")
        self.emit(I.i64_const(0))
        for sign, term in shift:
            self.expr(term)
            self.emit(I.i64_add() if sign > 0 else I.i64_sub())
        bound = versioning.MAX_SHIFT
        self.emit(I.local_tee(s), I.i64_const(bound), I.i64_add())
        self.emit(I.i64_const(2 * bound), I.i64_le_u())
        self.emit(c, I.i64_const(0), I.local_get(s), I.i64_sub(), I.i64_ge_s(), I.i32_and())
        self.emit(lim, dim, I.local_get(s), I.i64_sub(), I.i64_le_s(), I.i32_and())

    def _versioned(
        self,
        s: ir.ForRange,
        step: int,
        plan: LoopPlan,
        test: list[Instr],
        advance: list[Instr],
    ) -> None:
        """Test once whether ``guards``' accesses stay in bounds on every iteration; if
        so run the loop without their checks (unrolled where it has copies), else the loop
        as it always was (backend/versioning.py says why both behave identically)."""
        first = True
        for _ in self._guard_tests(s, plan.guards):
            if not first:
                self.emit(I.i32_and())
            first = False
        self.emit(I.if_())
        saved = self.proven
        self.proven = plan.guarded_proven
        if plan.copies > 1:
            self._unrolled(s, step, plan, test, advance)
        else:
            self._loop(test, None, s.body, [I.local_get(s.counter), I.local_set(s.var)], advance)
        self.proven = saved
        self.emit(I.else_())
        self._loop(test, None, s.body, [I.local_get(s.counter), I.local_set(s.var)], advance)
        self.emit(I.end())

    def _unrolled(
        self, s: ir.ForRange, step: int, plan: LoopPlan, test: list[Instr], advance: list[Instr]
    ) -> None:
        """``copies`` bodies per back-edge while that many iterations remain, then the
        plain loop for the rest (backend/unroll.py says why). ``break`` in any copy leaves
        both loops; ``continue`` goes on with the next copy."""
        c, copies = I.local_get(s.counter), plan.copies
        saved_rows = self.rows
        self._row_addresses(s, plan.rows)
        self.rows = {**saved_rows, **plan.row_uses}
        pointers = {id(u.row): u.row for u in plan.row_uses.values()}.values()

        def bump(elements: int) -> list[Instr]:
            """Move every row pointer on by ``elements`` loop steps' worth of elements."""
            out: list[Instr] = []
            for row in pointers:
                nbytes = elements * step * row.array.element.size
                out += [I.local_get(row.local), I.i32_const(nbytes), I.i32_add()]
                out += [I.local_set(row.local)]
            return out

        span = (copies - 1) * step
        last = self.fresh("i64")  # the last counter value that still has ``copies`` to run
        self.limit_less(s, span)  # (no unrolled round when that would wrap)
        self.emit(I.local_set(last))
        brk, rest, top = self.label("break"), self.label("rest"), self.label("loop")
        self.emit(I.block(brk), I.block(rest), I.loop(top))
        self.emit(c, I.local_get(last), I.i64_ge_s(), I.br_if(rest))
        for k in range(copies):
            cont = self.label("continue")
            self.emit(c, I.local_set(s.var), I.block(cont))
            self.labels.append((brk, cont))
            self.row_step = k * step  # this copy's element is k steps past the pointers'
            self.block(s.body)
            self.labels.pop()
            self.emit(I.end(), *advance)
        self.row_step = 0
        self.emit(*bump(copies), I.br(top))
        self.emit(I.end(), I.end())
        self._loop(test, None, s.body, [c, I.local_set(s.var)], advance + bump(1))
        self.emit(I.end())
        self.rows = saved_rows

    def limit_less(self, s: ir.ForRange, span: int) -> None:
        """Push ``limit - span``, or the smallest int64 when that would wrap: the last
        counter value with ``span`` more after it before the limit, if any."""
        self.emit(
            I.local_get(s.limit),
            I.i64_const(span),
            I.i64_sub(),
            I.i64_const(-(1 << 63)),
            I.local_get(s.limit),
            I.i64_const(-(1 << 63) + span),
            I.i64_ge_s(),
            I.select(),
        )

    def _row_addresses(self, s: ir.ForRange, found: list[rows.Row]) -> None:
        """Point each row's pointer at its element for the loop's first iteration
        (backend/rows.py)."""
        for row in found:
            arr = row.array
            row.local = self.fresh("i32")
            for k, index in enumerate(row.prefix):
                self.expr(index)
                if k:
                    self.emit(I.i64_add())
                self.emit(self.dim(arr, k + 1), I.i64_mul())
            self.emit(I.i64_const(row.low))
            if row.prefix:
                self.emit(I.i64_add())
            self.emit(I.local_get(s.counter), I.i64_add(), I.i32_wrap_i64())
            shift = SHIFT[arr.element.size]
            if shift:
                self.emit(I.i32_const(shift), I.i32_shl())
            self.emit(array_base(arr), I.i32_add(), I.local_set(row.local))
