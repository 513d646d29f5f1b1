"""Loop passes, applied as each loop is emitted: unrolling (backend/unroll.py decides the
factor), loop versioning (backend/versioning.py: one bounds test before the loop instead of
one per access) and row addresses (backend/rows.py: a row's address computed once, each
access a constant offset). Their state — which checks a guard has proven redundant, which
accesses use a row pointer — depends on the version of the loop being emitted, so it lives
here, on the loop emitter, for the time one loop is emitted.
"""

from __future__ import annotations

from portalis.lang import ir
from portalis.lang.backend import ranges, rows, unroll, versioning
from portalis.lang.backend.bounds import SHIFT, BoundsChecks, array_base


class LoopPasses(BoundsChecks):
    """``while`` and ``for … in range`` loops, plain, unrolled or versioned."""

    def init_loops(self) -> None:
        self.labels: list[tuple[str, str]] = []  # (break, continue) of enclosing loops
        #: (id of a Load/Store, axis) whose check a loop version's guard, or the value
        #: ranges of the function (backend/ranges.py), have made redundant; and those
        #: whose index is never negative (only the upper bound is checked)
        self.proven, self.nonneg_proven = ranges.analyse(self.fn)
        #: id of a Load/Store → the row address it uses in the loop being emitted
        self.rows: dict[int, rows.Use] = {}
        #: how far (in loop-variable units) the copy being emitted is past the pointers
        self.row_step = 0

    def _loop(
        self,
        test: list[str] | None,
        cond: ir.Expr | None,
        body: list[ir.Stmt],
        before_body: list[str],
        after_body: list[str],
    ) -> None:
        brk, top, cont = self.label("break"), self.label("loop"), self.label("continue")
        self.emit(f"block {brk}", f"  loop {top}")
        self.depth += 2
        if cond is not None:
            self.branch_unless(cond, brk)
        if test is not None:
            self.emit(*test, f"br_if {brk}")
        self.emit(*before_body)
        self.emit(f"block {cont}")
        self.depth += 1
        self.labels.append((brk, cont))
        self.block(body)
        self.labels.pop()
        self.depth -= 1
        self.emit("end")
        self.emit(*after_body, f"br {top}")
        self.depth -= 2
        self.emit("  end", "end")

    def s_While(self, s: ir.While) -> None:
        copies = 1 if self.fn.library else unroll.factor(s)
        if copies == 1:
            self._loop(None, s.cond, s.body, [], [])
            return
        # ``copies`` × (test the condition, run the body) per back-edge (backend/unroll.py).
        brk, top = self.label("break"), self.label("loop")
        self.emit(f"block {brk}", f"  loop {top}")
        self.depth += 2
        for _ in range(copies):
            cont = self.label("continue")
            self.branch_unless(s.cond, brk)
            self.emit(f"block {cont}")
            self.depth += 1
            self.labels.append((brk, cont))
            self.block(s.body)
            self.labels.pop()
            self.depth -= 1
            self.emit("end")
        self.emit(f"br {top}")
        self.depth -= 2
        self.emit("  end", "end")

    def s_ForRange(self, s: ir.ForRange) -> None:
        self.expr(s.start)
        self.emit(f"local.set ${s.counter}")
        self.expr(s.stop)
        self.emit(f"local.set ${s.limit}")
        c, lim, st = f"local.get ${s.counter}", f"local.get ${s.limit}", f"local.get ${s.stride}"
        if isinstance(s.step, ir.Const):
            step = int(s.step.value)
            test = [c, lim, "i64.ge_s" if step > 0 else "i64.le_s"]
            advance = [c, f"i64.const {step}", "i64.add", f"local.set ${s.counter}"]
            copies = 1 if self.fn.library else unroll.factor(s)
            guards = versioning.guards(s, self.proven) if copies > 1 else []
            if guards:
                self._versioned(s, step, copies, test, advance, guards)
                return
            if copies > 1:
                self._unrolled(s, step, copies, test, advance)
                return
        else:
            self.expr(s.step)
            self.emit(f"local.tee ${s.stride}", "i64.eqz")
            self.raise_if("ValueError", self.line(s))
            test = [c, lim, "i64.ge_s", c, lim, "i64.le_s", st, "i64.const 0", "i64.gt_s", "select"]
            advance = [c, st, "i64.add", f"local.set ${s.counter}"]
        self._loop(test, None, s.body, [c, f"local.set ${s.var}"], advance)

    def _versioned(
        self,
        s: ir.ForRange,
        step: int,
        copies: int,
        test: list[str],
        advance: list[str],
        guards: list[versioning.Guard],
    ) -> None:
        """Test once whether ``guards``' accesses stay in bounds on every iteration; if
        so run the loop without their checks (unrolled), else the loop as it always was
        (backend/versioning.py says why both behave identically)."""
        c, lim = f"local.get ${s.counter}", f"local.get ${s.limit}"
        seen: set[tuple[object, ...]] = set()
        first = True
        for g in guards:
            dim = self.dim(g.access.array, g.axis)
            key = (g.access.array.name, g.axis, g.offset, versioning.shape_of(g.invariant))
            if key in seen:
                continue
            seen.add(key)
            if g.offset is not None:
                # every value start + offset ... stop - 1 + offset lies in [0, extent)
                self.emit(c, f"i64.const {-g.offset}", "i64.ge_s")
                self.emit(lim, dim, f"i64.const {g.offset}", "i64.sub", "i64.le_s", "i32.and")
            else:
                assert g.invariant is not None
                self.expr(g.invariant)
                self.emit(dim, "i64.lt_u")
            if not first:
                self.emit("i32.and")
            first = False
        self.emit("if")
        self.depth += 1
        saved = self.proven
        self.proven = saved | {(id(g.access), g.axis) for g in guards}
        self._unrolled(s, step, copies, test, advance)
        self.proven = saved
        self.depth -= 1
        self.emit("else")
        self.depth += 1
        self._loop(test, None, s.body, [c, f"local.set ${s.var}"], advance)
        self.depth -= 1
        self.emit("end")

    def _unrolled(
        self, s: ir.ForRange, step: int, copies: int, test: list[str], advance: list[str]
    ) -> None:
        """``copies`` bodies per back-edge while that many iterations remain, then the
        plain loop for the rest (backend/unroll.py says why). ``break`` in any copy leaves
        both loops; ``continue`` goes on with the next copy."""
        c = f"local.get ${s.counter}"
        saved_rows = self.rows
        uses = self._row_addresses(s)
        self.rows = {**saved_rows, **uses}
        pointers = {id(u.row): u.row for u in uses.values()}.values()

        def bump(elements: int) -> list[str]:
            """Move every row pointer on by ``elements`` loop steps' worth of elements."""
            out: list[str] = []
            for row in pointers:
                nbytes = elements * step * row.array.element.size
                out += [f"local.get ${row.local}", f"i32.const {nbytes}", "i32.add"]
                out += [f"local.set ${row.local}"]
            return out

        span = (copies - 1) * step
        last = self.fresh("i64")  # the last counter value that still has ``copies`` to run
        # limit - span, or the smallest i64 when that would wrap (then no unrolled round).
        self.emit(
            f"local.get ${s.limit}",
            f"i64.const {span}",
            "i64.sub",
            f"i64.const {-(1 << 63)}",
            f"local.get ${s.limit}",
            f"i64.const {-(1 << 63) + span}",
            "i64.ge_s",
            "select",
            f"local.set ${last}",
        )
        brk, rest, top = self.label("break"), self.label("rest"), self.label("loop")
        self.emit(f"block {brk}", f"  block {rest}", f"    loop {top}")
        self.depth += 3
        self.emit(c, f"local.get ${last}", "i64.ge_s", f"br_if {rest}")
        for k in range(copies):
            cont = self.label("continue")
            self.emit(c, f"local.set ${s.var}", f"block {cont}")
            self.depth += 1
            self.labels.append((brk, cont))
            self.row_step = k * step  # this copy's element is k steps past the pointers'
            self.block(s.body)
            self.labels.pop()
            self.depth -= 1
            self.emit("end", *advance)
        self.row_step = 0
        self.emit(*bump(copies), f"br {top}")
        self.depth -= 3
        self.emit("    end", "  end")
        self.depth += 1
        self._loop(test, None, s.body, [c, f"local.set ${s.var}"], advance + bump(1))
        self.depth -= 1
        self.emit("end")
        self.rows = saved_rows

    def _row_addresses(self, s: ir.ForRange) -> dict[int, rows.Use]:
        """Point each row's pointer at its element for the loop's first iteration
        (backend/rows.py); returns the accesses that use them, by id."""
        found, uses = rows.plan(s, self.proven)
        for row in found:
            arr = row.array
            row.local = self.fresh("i32")
            for k, index in enumerate(row.prefix):
                self.expr(index)
                if k:
                    self.emit("i64.add")
                self.emit(self.dim(arr, k + 1), "i64.mul")
            self.emit(f"i64.const {row.low}")
            if row.prefix:
                self.emit("i64.add")
            self.emit(f"local.get ${s.counter}", "i64.add", "i32.wrap_i64")
            shift = SHIFT[arr.element.size]
            if shift:
                self.emit(f"i32.const {shift}", "i32.shl")
            self.emit(array_base(arr), "i32.add", f"local.set ${row.local}")
        return uses
