"""Vectorisation: innermost counted loops whose iterations are independent run two at a time
in WebAssembly's 128-bit SIMD (``f64x2``), with a scalar loop for the last odd iteration.

The pass (:func:`vectorise`, listed in pipeline.py) only decides; the emitter
(:class:`VectorLoops`) writes the loop. A loop ``for j in range(start, stop)`` is vectorised
when all of this holds, checked on the IR:

* it counts up by 1 and has no loop inside; its body is only assignments to ``float`` locals,
  stores into ``float64`` arrays and counts (below) — no call, no ``break`` — and
  ``if a < b:`` (any comparison of two floats: ``==`` is false for NaN in both), with or
  without ``else``, around stores, counts and float locals read only in that branch (a
  stencil's sum, a stored value's temporary): a store becomes a per-lane select of the new
  value or the element's own, a local is assigned in every lane (nobody else reads it);
* a count ``n += e`` / ``n -= e`` (an int local assigned and read nowhere else in the body,
  ``e`` an int unchanged in the loop), under a branch or not, is kept per lane in an
  ``i64x2`` and added to ``n`` after the vector rounds: int64 addition wraps, so the sum in
  any order is the scalar loop's;
* every array index is ``j + c`` on the last axis (unit stride) with the other indices
  unchanged in the loop (``a[i, j + 1]``, ``row[j]``), and ``j`` appears nowhere else;
* every value is computed lane by lane with the operation the scalar code uses: ``+ - *``,
  ``/`` by a value unchanged in the loop, unary ``-``, ``abs``/``math.fabs``, ``math.sqrt``
  of a value known not to be negative, constants and locals unchanged in the loop, and
  elements of ``uint8`` arrays used as floats (``u[j] * mask[j]``, converted exactly). IEEE-754
  makes each lane's result exactly the scalar result: nothing is reassociated, so a
  reduction (``total += a[j]``: a local read before it is assigned in the body) is refused;
* no loop-carried dependence through memory: a row (one array, one set of leading indices)
  that the loop writes is read and written at one column only, ``a[i, j + c]`` with the
  same ``c`` everywhere, so iteration ``j`` touches only what iteration ``j`` touches in
  that row (``grid[i, j] = grid[i, j - 1] + …``, a Gauss–Seidel sweep, is refused).

Loops stepping by 2 (a red-black sweep) are left scalar: two lanes ``j`` and ``j + 2`` were
built and measured (bit-identical, every test green) and ran slower than the scalar loop —
the fluid's pressure sweep 17.0 → 17.6 ms, a 1-D red-black sweep 1.19 → 1.64 ms — because
a lane pair of a row read at one parity takes two 16-byte loads and a shuffle, and the
shuffles and lane stores queue on one port (docs/language.md, "Vectorisation").

What the IR cannot know is checked once when the loop starts, and the loop as it always was
(every check in place, one iteration at a time) runs when any of it fails:

* every access stays in bounds for every ``j`` (backend/versioning.py's guards), so an
  ``IndexError`` is raised by the scalar loop at the iteration CPython raises it;
* a divisor unchanged in the loop is not zero (``ZeroDivisionError`` likewise);
* the bytes a written row covers over the whole loop do not overlap any other row's (two
  parameters may be views of one NumPy array, and ``a[i - 1]`` and ``a[i]`` are different
  rows of one array only when the row is at least as long as the loop). Two rows of one
  array whose leading indices differ by a constant (``p[i - 1, j]``, ``p[i, j]``) need no
  test: every index is in bounds once the first check holds, so they are different rows.
  Two rows of different arrays need no test of their own when the two arrays' whole byte
  ranges lie apart, which :func:`hoist_apart` has tested once before the loop nest (the
  row test is then made only when the arrays' bytes overlap: views of one buffer).

Under those conditions lane ``k`` of every vector operation computes what iteration
``j + k`` computes, and every element is read before or after it is written exactly as in the
scalar order, so the arrays, the locals after the loop (``j`` and each assigned local hold
the last iteration's values) and any error are CPython's. docs/language.md "Vectorisation"
states the same rules for kernel authors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portalis.lang import ir
from portalis.lang.backend import hoist, rows, signs, unroll, versioning
from portalis.lang.backend import instructions as I
from portalis.lang.backend.loops import LoopPasses
from portalis.lang.backend.plan import FunctionPlan
from portalis.lang.types import F64, I64, ArrayType
from portalis.lang.walk import substitute_local
from portalis.lang.walk import walk as nodes

#: Iterations per vector: f64x2 holds two float64 lanes.
LANES = 2
#: Vector rounds per back-edge of a body unroll.py gives copies (it says why more than one):
#: 8 for its small bodies, 4 for the medium ones. Eight rounds of a stencil or a row update
#: (``ci[j] += aik * bk[j]``) are still a few hundred bytes of code, and each back-edge costs
#: the epoch check and the reload of what it spilled: matmul and laplace ran 4-9% faster
#: with 8 than with 4.
ROUNDS = {unroll.SMALL_COPIES: 8, unroll.MEDIUM_COPIES: 4}

#: Element types whose loads widen exactly to two float64 lanes, and how: ``uint8`` masks
#: (two bytes, zero-extended to 32-bit lanes, converted).
WIDENED = {
    "uint8": (
        "v128.load16_splat",
        "i16x8.extend_low_i8x16_u",
        "i32x4.extend_low_i16x8_u",
        "f64x2.convert_low_i32x4_u",
    ),
}

_LANEWISE = {"add": "f64x2.add", "sub": "f64x2.sub", "mul": "f64x2.mul", "div": "f64x2.div"}


@dataclass
class Plan:
    """What the emitter needs beyond the loop itself: the float locals the body assigns (each
    becomes a v128 local), the invariant values broadcast to both lanes before the loop, the
    divisors that must not be zero, and the pairs of rows whose bytes must not overlap."""

    temps: list[str] = field(default_factory=list)
    invariants: list[ir.Expr] = field(default_factory=list)
    divisors: list[ir.Expr] = field(default_factory=list)
    #: (row key of a written row, row key of another row it must not overlap)
    disjoint: list[tuple[object, object]] = field(default_factory=list)
    #: row key → the largest column offset ``c`` of its accesses ``row[j + c]``
    high: dict[object, int] = field(default_factory=dict)
    #: int locals the body only counts with (``n += 1``, maybe under an ``if``): each lane
    #: counts in an i64x2, added to the local after the vector rounds
    counts: list[str] = field(default_factory=list)


def vectorise(module: ir.Module) -> ir.Module:
    """Mark every loop of the module's own functions that :func:`plan` accepts as running
    :data:`LANES` iterations at a time (``ForRange.lanes``). One walk per function finds
    the innermost counted loops; only those are analysed."""
    for fn in module.functions:
        if fn.library:
            continue
        loops: list[ir.ForRange] = []
        for stmt in fn.body:
            _find_innermost(stmt, loops)
        if not loops:
            continue
        temps = _TempUses(fn)
        for loop in loops:
            forward_index_temps(loop, temps)
            if plan(loop, fn) is not None:
                loop.lanes = LANES
    return module


def hoist_apart(module: ir.Module, plans: dict[str, FunctionPlan]) -> None:
    """Plan the whole-array tests that stand in for vectorised loops' row overlap tests.

    A vectorised loop tests that each row it writes overlaps no other row it accesses
    (:meth:`VectorLoops._disjoint_test`). When the two rows belong to two different arrays
    ``a`` and ``b`` (two parameters, which may be views of one NumPy array), the bytes of
    ``a`` lying apart from those of ``b`` (``end(a) <= base(b)`` or ``end(b) <= base(a)``)
    implies every pair of their rows does: each row lies in its array (the loop's bounds
    test holds before the overlap test is made). That test changes only where ``a`` or
    ``b`` is bound (made, taken from a call, swapped: hoist.bound_arrays), so it is made
    once before the outermost loop around the vectorised loop that binds neither, and kept
    in a local (:class:`~portalis.lang.backend.plan.LoopPlan` ``apart``). A loop with no
    such loop around it keeps its own test as it was. The row test stays as the fallback
    when the arrays' bytes overlap (a view's rows may still lie apart)."""
    for fn in module.functions:
        fp = plans.get(fn.symbol)
        if fn.library or fp is None:
            continue
        _place_apart(fn, fp, fn.body, [])


def _place_apart(
    fn: ir.Function,
    fp: FunctionPlan,
    body: list[ir.Stmt],
    outer: list[tuple[ir.ForRange | ir.While, set[str]]],
) -> None:
    """Walk ``body`` (inside the loops ``outer``, outermost first, each with the arrays it
    binds) as :func:`_find_innermost` does, placing each vectorised loop's array pairs."""
    for s in body:
        if isinstance(s, ir.ForRange) and s.lanes > 1:
            lp = fp.loops.get(id(s))
            vector = plan(s, fn)
            if lp is None or vector is None:
                continue
            lp.vector = vector
            for a, b in _array_pairs(s, vector):
                for loop, bound in outer:
                    if a.name in bound or b.name in bound:
                        continue
                    hoisted = fp.loops[id(loop)].apart
                    if not any((x.name, y.name) == (a.name, b.name) for x, y in hoisted):
                        hoisted.append((a, b))
                    break
        elif isinstance(s, ir.ForRange | ir.While):
            _place_apart(fn, fp, s.body, [*outer, (s, hoist.bound_arrays(s.body))])
        elif isinstance(s, ir.If):
            _place_apart(fn, fp, s.body, outer)
            _place_apart(fn, fp, s.orelse, outer)


def _array_pairs(loop: ir.ForRange, vector: Plan) -> list[tuple[ir.ArrayRef, ir.ArrayRef]]:
    """The pairs of different arrays among ``vector.disjoint``'s rows, each once, its two
    arrays in name order."""
    refs = {
        n.array.name: n.array
        for stmt in loop.body
        for n in nodes(stmt)
        if isinstance(n, ir.Load | ir.Store)
    }
    names = {apart_key(written, other) for written, other in vector.disjoint}
    return [(refs[a], refs[b]) for a, b in sorted(k for k in names if k is not None)]


def apart_key(written: object, other: object) -> tuple[str, str] | None:
    """The names of the two arrays of a pair of row keys (:func:`row_key`) in name order,
    or None when both rows are of one array."""
    assert isinstance(written, tuple) and isinstance(other, tuple)
    a, b = written[0], other[0]
    if a == b:
        return None
    return (a, b) if a < b else (b, a)


def vector_loops(wat: str) -> int:
    """How many loops of a module's text run vectorised (each has one ``$vectors`` block:
    see :meth:`VectorLoops._rounds`); for reports such as ``portalis bench compiler``."""
    return wat.count("block $vectors")


def _find_innermost(stmt: ir.Stmt, found: list[ir.ForRange]) -> bool:
    """Append the innermost ``for … in range`` loops among ``stmt`` and the statements
    nested in it to ``found``; returns whether ``stmt`` holds a loop. Expressions are not
    searched (an inlined function's loop inside one is missed, and the loop around it is
    then refused by :func:`plan`, which looks everywhere)."""
    inner = False
    for body in _bodies(stmt):
        for s in body:
            inner = _find_innermost(s, found) or inner
    if isinstance(stmt, ir.ForRange) and not inner:
        found.append(stmt)
    return inner or isinstance(stmt, ir.ForRange | ir.While)


def _bodies(stmt: ir.Stmt) -> list[list[ir.Stmt]]:
    if isinstance(stmt, ir.If):
        return [stmt.body, stmt.orelse]
    if isinstance(stmt, ir.ForRange | ir.While):
        return [stmt.body]
    return []


class _TempUses:
    """How many times each compiler temporary (``~name``) of a function is read and
    written, counted once per function and kept up to date as temporaries are forwarded."""

    def __init__(self, fn: ir.Function) -> None:
        self.fn = fn
        self.counted = False
        self.reads: dict[str, int] = {}
        self.writes: dict[str, int] = {}

    def count(self) -> None:
        """The counts, made the first time a loop has a temporary to forward."""
        if self.counted:
            return
        self.counted = True
        for stmt in self.fn.body:
            for n in nodes(stmt):
                if isinstance(n, ir.LocalGet) and n.name.startswith("~"):
                    self.reads[n.name] = self.reads.get(n.name, 0) + 1
                elif isinstance(n, ir.SetLocal | ir.LocalTee) and n.name.startswith("~"):
                    self.writes[n.name] = self.writes.get(n.name, 0) + 1


def forward_index_temps(loop: ir.ForRange, temps: _TempUses) -> None:
    """``a[i, j] += x`` evaluates its indices once into compiler temporaries (``~t10 = j``,
    then ``a[i, ~t10] = a[i, ~t10] + x``), which hides from the loop passes that the
    access is at column ``j``. In a loop body, a temporary assigned once from the loop
    variable plus a constant (the variable itself not assigned in the body) and read
    nowhere else in the function is replaced by that expression at its reads, and its
    assignment dropped: the same value, computed where it is used. Likewise a temporary
    assigned from locals the body never assigns (``~t9 = i``)."""
    if not any(isinstance(s, ir.SetLocal) and s.name.startswith("~") for s in loop.body):
        return
    temps.count()
    candidates = [
        s for s in loop.body if isinstance(s, ir.SetLocal) and temps.writes.get(s.name) == 1
    ]
    if not candidates:
        return
    changing = versioning.assigned(loop.body)
    if loop.var in changing:
        return
    changing.add(loop.var)
    for stmt in candidates:
        name, value = stmt.name, stmt.value
        if versioning.var_offset(value, loop.var) is None and not versioning.invariant(
            value, changing
        ):
            continue
        after = loop.body[loop.body.index(stmt) + 1 :]
        inside = [
            n for s in after for n in nodes(s) if isinstance(n, ir.LocalGet) and n.name == name
        ]
        if temps.reads.get(name, 0) != len(inside):
            continue  # read somewhere else too (or before its assignment)
        for s in after:
            for n in nodes(s):
                substitute_local(n, name, value)
        for n in nodes(value):  # the copies read what the expression reads
            if isinstance(n, ir.LocalGet) and n.name.startswith("~"):
                temps.reads[n.name] = temps.reads.get(n.name, 0) + len(inside)
        temps.reads[name] = 0
        temps.writes[name] = 0
        loop.body.remove(stmt)


def plan(loop: ir.ForRange, fn: ir.Function) -> Plan | None:
    """The vector plan for ``loop``, or None when its iterations cannot be proven to run two
    at a time with the scalar loop's results (:func:`refusal` says why)."""
    result = _Analysis(loop, fn).run()
    return result if isinstance(result, Plan) else None


def refusal(loop: ir.ForRange, fn: ir.Function) -> str:
    """Why ``loop`` is not vectorised ("" when it is)."""
    result = _Analysis(loop, fn).run()
    return "" if isinstance(result, Plan) else result


def row_key(access: ir.Load | ir.Store) -> object:
    """Which row an access is in: its array and the shape of its leading indices."""
    prefix = tuple(versioning.shape_of(e) for e in access.indices[:-1])
    return (access.array.name, access.array.offset, prefix)


class _Refused(Exception):
    pass


class _Analysis:
    def __init__(self, loop: ir.ForRange, fn: ir.Function) -> None:
        self.loop = loop
        self.fn = fn
        self.plan = Plan()
        self.changing: set[str] = set()
        self.defined: set[str] = set()  # float locals assigned so far in the body
        #: row key → columns accessed, whether written
        self.columns: dict[object, set[int]] = {}
        self.written: set[object] = set()
        #: row key → its leading indices
        self.prefixes: dict[object, list[ir.Expr]] = {}

    def run(self) -> Plan | str:
        try:
            self.check_loop()
            for stmt in self.loop.body:
                self.statement(stmt)
            self.check_rows()
        except _Refused as why:
            return str(why)
        return self.plan

    def check_loop(self) -> None:
        loop = self.loop
        if not (isinstance(loop.step, ir.Const) and int(loop.step.value) == 1):
            raise _Refused("the loop does not count up by 1")
        for s in loop.body:
            if not isinstance(s, ir.SetLocal | ir.Store | ir.If):
                raise _Refused(f"the body has a {type(s).__name__} statement")
        self.changing = versioning.assigned(loop.body)
        if loop.var in self.changing:
            raise _Refused(f"the body assigns the loop variable {loop.var!r}")
        for stmt in loop.body:
            for n in nodes(stmt):
                if isinstance(n, ir.ForRange | ir.While):
                    raise _Refused("the loop contains a loop")
        if not loop.body:
            raise _Refused("the body is empty")
        self.find_counts()

    def find_counts(self) -> None:
        """The int locals the body assigns only by ``n = n + e`` / ``n = n - e`` (``e`` an
        int unchanged in the loop) and reads nowhere else: int64 addition wraps, so it is
        associative and commutative, and the sum of each lane's count added to ``n`` after
        the loop is the number the scalar loop's additions leave in ``n``."""
        shaped: dict[str, int] = {}
        for stmt in self.loop.body:
            for n in nodes(stmt):
                if isinstance(n, ir.SetLocal) and self.count_shaped(n):
                    shaped[n.name] = shaped.get(n.name, 0) + 1
        for name, times in shaped.items():
            reads = writes = 0
            for stmt in self.loop.body:
                for n in nodes(stmt):
                    if isinstance(n, ir.LocalGet) and n.name == name:
                        reads += 1
                    elif isinstance(n, ir.SetLocal | ir.LocalTee) and n.name == name:
                        writes += 1
                    elif isinstance(n, ir.Unpack | ir.Logical):
                        writes += 1  # assigns locals its own way: not a plain count
            if reads == writes == times:
                self.plan.counts.append(name)

    def count_shaped(self, s: ir.SetLocal) -> bool:
        """Whether ``s`` is ``n = n + e`` or ``n = n - e`` for an int local ``n`` and an
        int ``e`` unchanged in the loop."""
        v = s.value
        ty: object = self.fn.locals.get(s.name)
        if ty is None:
            ty = next((p.type for p in self.fn.params if p.name == s.name), None)
        return (
            ty == I64
            and isinstance(v, ir.Binary)
            and v.op in ("add", "sub")
            and v.ty == I64
            and isinstance(v.left, ir.LocalGet)
            and v.left.name == s.name
            and versioning.invariant(v.right, self.changing | {self.loop.var})
        )

    def statement(self, s: ir.Stmt) -> None:
        if isinstance(s, ir.SetLocal) and s.name in self.plan.counts:
            return
        if isinstance(s, ir.SetLocal):
            if self.fn.locals.get(s.name) != F64:
                raise _Refused(f"{s.name!r} is not a float local")
            self.value(s.value)
            if s.name not in self.defined:
                self.defined.add(s.name)
                self.plan.temps.append(s.name)
        elif isinstance(s, ir.Store):
            self.access(s)
            self.value(s.value)
        elif isinstance(s, ir.If) and _lanewise_test(s.cond):
            # ``if test: a[i, j] = v`` becomes ``a[i, j] = v if test else a[i, j]`` per
            # lane: the element keeps its bits where the test fails, and computing ``v``
            # anyway cannot trap (every operation here is trap-free once the checks made
            # before the loop hold); the ``else`` branch likewise where the test fails,
            # and a count (``n += 1``) adds its increment only in the lanes that take it
            assert isinstance(s.cond, ir.Compare)
            self.value(s.cond.left)
            self.value(s.cond.right)
            for branch in (s.body, s.orelse):
                for inner in branch:
                    if isinstance(inner, ir.SetLocal) and inner.name in self.plan.counts:
                        continue
                    if isinstance(inner, ir.SetLocal) and self.private_local(inner.name, branch):
                        self.statement(inner)
                        continue
                    if not isinstance(inner, ir.Store):
                        raise _Refused("an `if` in the body does more than store into arrays")
                    self.access(inner)
                    self.value(inner.value)
        else:
            raise _Refused(f"the body has a {type(s).__name__} statement")

    def private_local(self, name: str, branch: list[ir.Stmt]) -> bool:
        """Whether ``name`` is read nowhere in the function but inside ``branch`` (one
        branch of an ``if`` in the body: a compiler temporary that holds a stored value,
        or a local such as a stencil's sum): assigning it on every lane, the branch taken
        or not, then changes nothing anyone reads. (Its reads there are checked as any
        other: after its assignment in the iteration.)"""
        inside = sum(
            1 for s in branch for n in nodes(s) if isinstance(n, ir.LocalGet) and n.name == name
        )
        everywhere = sum(
            1
            for s in self.fn.body
            for n in nodes(s)
            if isinstance(n, ir.LocalGet) and n.name == name
        )
        return inside == everywhere

    def access(self, a: ir.Load | ir.Store, widened: bool = False) -> None:
        element = a.array.element.numpy if isinstance(a.array.type, ArrayType) else ""
        if not (element == "float64" or (widened and element in WIDENED)):
            raise _Refused(f"{a.array.name!r} is not a float64 array")
        column = versioning.var_offset(a.indices[-1], self.loop.var)
        if column is None:
            raise _Refused(f"the last index of {a.array.name!r} is not the loop variable + c")
        changing = self.changing | {self.loop.var}
        if not all(versioning.invariant(e, changing) for e in a.indices[:-1]):
            raise _Refused(f"a leading index of {a.array.name!r} changes in the loop")
        key = row_key(a)
        self.columns.setdefault(key, set()).add(column)
        self.prefixes.setdefault(key, a.indices[:-1])
        if isinstance(a, ir.Store):
            self.written.add(key)

    def value(self, e: ir.Expr) -> None:
        """Check that ``e`` is computed lane by lane; record what it needs."""
        if self.invariant(e):
            self.plan.invariants.append(e)
            return
        if isinstance(e, ir.LocalGet):
            if e.name not in self.defined:  # read before it is assigned: loop-carried
                raise _Refused(f"{e.name!r} carries a value from one iteration to the next")
            return
        if isinstance(e, ir.Load):
            self.access(e)
            return
        if (
            isinstance(e, ir.Cast)
            and e.kind == "convert"
            and e.ty == F64
            and isinstance(e.value, ir.Load)
            and e.value.array.element.numpy in WIDENED
        ):
            self.access(e.value, widened=True)  # ``float(mask[j])``: exact
            return
        if isinstance(e, ir.Binary) and e.ty == F64 and e.op in _LANEWISE:
            self.value(e.left)
            if e.op == "div" and not e.numpy:  # NumPy's division needs no zero test
                if not self.invariant(e.right):
                    raise _Refused("a divisor changes in the loop")
                self.plan.divisors.append(e.right)
            self.value(e.right)
            return
        if isinstance(e, ir.Unary) and e.ty == F64 and e.op == "neg":
            self.value(e.operand)
            return
        if isinstance(e, ir.BuiltinCall) and e.ty == F64 and e.lowering in ("fabs", "abs"):
            self.value(e.args[0])
            return
        if (
            isinstance(e, ir.BuiltinCall)
            and e.lowering == "sqrt"
            and signs.sign(e.args[0]) >= signs.NONNEG
        ):
            self.value(e.args[0])
            return
        raise _Refused(f"{_describe(e)} is not computed lane by lane")

    def invariant(self, e: ir.Expr) -> bool:
        """A float value the same in every iteration whose evaluation cannot trap: constants,
        locals the body never assigns, and ``+ - *``, negation and int→float conversion of
        those."""
        if isinstance(e, ir.Const):
            return True
        if isinstance(e, ir.LocalGet):
            return e.name not in self.changing and e.name != self.loop.var
        if isinstance(e, ir.Binary) and e.ty == F64 and e.op in ("add", "sub", "mul"):
            return self.invariant(e.left) and self.invariant(e.right)
        if isinstance(e, ir.Unary) and e.ty == F64 and e.op == "neg":
            return self.invariant(e.operand)
        if isinstance(e, ir.Cast) and e.kind == "convert" and e.ty == F64:
            return versioning.invariant(e.value, self.changing | {self.loop.var})
        return False

    def check_rows(self) -> None:
        self.plan.high = {key: max(columns) for key, columns in self.columns.items()}
        for key in sorted(self.written, key=repr):
            if len(self.columns[key]) > 1:
                raise _Refused(
                    "a row the loop writes is also accessed at another column "
                    "(a dependence between iterations)"
                )
            for other in sorted(self.columns, key=repr):
                if other == key or (other, key) in self.plan.disjoint:
                    continue
                if self.other_row(key, other):
                    continue
                self.plan.disjoint.append((key, other))

    def other_row(self, key: object, other: object) -> bool:
        """Whether rows ``key`` and ``other`` are two rows of one array whose leading
        indices differ by a constant on some axis (``p[i - 1, j]`` and ``p[i, j]``): every
        index is in bounds in the vector loop (the guards), so no element of one is an
        element of the other, and no overlap test is needed."""
        a, b = self.prefixes[key], self.prefixes[other]
        assert isinstance(key, tuple) and isinstance(other, tuple)
        if key[:2] != other[:2] or len(a) != len(b):
            return False
        return any(_constant_difference(x, y) for x, y in zip(a, b, strict=True))


def _constant_difference(x: ir.Expr, y: ir.Expr) -> bool:
    """Whether int64 ``x - y`` is a non-zero constant: the same local terms but for
    constants that add up differently (``i + 1`` and ``i``; int64 addition wraps, so any
    order of the terms gives the same number, and small different constants differ)."""
    sums, rests = [], []
    for e in (x, y):
        constant, rest = 0, []
        for sign, term in versioning.terms(e):
            if isinstance(term, ir.Const) and type(term.value) is int:
                constant += sign * term.value
            elif isinstance(term, ir.LocalGet):
                rest.append((sign, term.name))
            else:
                return False
        sums.append(constant)
        rests.append(sorted(rest))
    return rests[0] == rests[1] and sums[0] != sums[1] and abs(sums[0] - sums[1]) < 1 << 32


def _lanewise_test(cond: ir.Expr) -> bool:
    """A comparison of two floats (f64x2 compares each lane as f64 compares a pair)."""
    return isinstance(cond, ir.Compare) and cond.left.ty == F64 and cond.right.ty == F64


def _describe(e: ir.Expr) -> str:
    if isinstance(e, ir.BuiltinCall):
        return f"the builtin {e.lowering!r}"
    if isinstance(e, ir.Binary | ir.Unary):
        return f"the operation {e.op!r} on {e.ty}"
    return f"a {type(e).__name__}"


class VectorLoops(LoopPasses):
    """Emits loops that :func:`vectorise` marked: two iterations per vector round, then the
    remaining one in scalar code, or the unchanged scalar loop when a check made at the
    start fails."""

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
        a loop around this one has tested (:func:`hoist_apart`, ``self.apart``) need no
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
        span = iterations - 1
        self.emit(
            I.local_get(s.counter),
            I.local_get(s.limit),
            I.i64_const(span),
            I.i64_sub(),
            I.i64_const(-(1 << 63)),
            I.local_get(s.limit),
            I.i64_const(-(1 << 63) + span),
            I.i64_ge_s(),
            I.select(),
            I.i64_lt_s(),
        )

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
    """:func:`row_key` of the accesses a row pointer serves."""
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


__all__ = ["LANES", "Plan", "VectorLoops", "plan", "refusal", "vector_loops", "vectorise"]
