"""Vectorisation: innermost counted loops whose iterations are independent run two at a time
in WebAssembly's 128-bit SIMD (``f64x2``), with a scalar loop for the last odd iteration.

This module is the pass (:func:`vectorise`, listed in pipeline.py) and the analysis behind
it (:func:`plan`, :func:`refusal`): it only decides; the emitter (backend/simd_emit.py,
:class:`~portalis.lang.backend.simd_emit.VectorLoops`) writes the loop. A loop
``for j in range(start, stop)`` is vectorised when all of this holds, checked on the IR:

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
from portalis.lang.backend import hoist, signs, versioning
from portalis.lang.backend.plan import FunctionPlan
from portalis.lang.types import F64, I64, ArrayType
from portalis.lang.walk import substitute_local
from portalis.lang.walk import walk as nodes

#: Iterations per vector: f64x2 holds two float64 lanes.
LANES = 2

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
    (:meth:`~portalis.lang.backend.simd_emit.VectorLoops._disjoint_test`). When the two rows
    belong to two different arrays ``a`` and ``b`` (two parameters, which may be views of
    one NumPy array), the bytes of ``a`` lying apart from those of ``b`` (``end(a) <=
    base(b)`` or ``end(b) <= base(a)``) implies every pair of their rows does: each row lies
    in its array (the loop's bounds test holds before the overlap test is made). That test
    changes only where ``a`` or ``b`` is bound (made, taken from a call, swapped:
    hoist.bound_arrays), so it is made once before the outermost loop around the vectorised
    loop that binds neither, and kept in a local
    (:class:`~portalis.lang.backend.plan.LoopPlan` ``apart``). A loop with no such loop
    around it keeps its own test as it was. The row test stays as the fallback when the
    arrays' bytes overlap (a view's rows may still lie apart)."""
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
    see :meth:`~portalis.lang.backend.simd_emit.VectorLoops._rounds`); for reports such as
    ``portalis bench compiler``."""
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


__all__ = ["LANES", "Plan", "plan", "refusal", "vector_loops", "vectorise"]
