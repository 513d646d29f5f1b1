"""Value ranges of integer indices, so that an index the code itself keeps in range needs
neither the negative-index fix-up nor the bounds check.

Semi-Lagrangian advection computes its indices as ``a = min(int(max(x, 1.0)), n - 3)``
and reads ``f[a + 1, b, c]``: the loops' and the clamps' arithmetic already keep every
index inside the array, which a check per index per sample (24 per trilinear sample) only
repeats. This pass walks a function's statements in order and, for every integer local,
keeps lower and upper bounds of its value at that point, each either a constant or an
array extent plus a constant (``(("f", 0), -3)`` stands for ``f.shape[0] - 3``).

What it knows:

* constants; ``a.shape[k]`` of an array parameter (at least 0, exactly that extent);
* ``+`` and ``-`` of bounded values, ``x % m`` (``0 <= x % m < m`` for ``m`` known to be
  at least 1: a constant, or a count a condition bounded), ``min``/``max`` of ints and
  floats, ``int(x)``, ``float(i)``, a local's last assignment in straight-line code;
* the variable of ``for v in range(start, stop, step)`` with a step known positive (a
  constant, or ``stride = max(1, …)``): at least ``start``'s lower bound and below
  ``stop``'s upper bounds; with a step known negative, above ``stop``'s lower bounds and
  at most ``start``'s upper bounds (``range(n, 0, -1)``: ``v - 1 >= 0``); and (positive
  step) because the body only runs when ``start < stop``, an extent in ``stop`` is known
  to be large enough there (``range(1, n - 1)`` runs only when ``n >= 3``, so inside it
  ``n - 3 >= 0``);
* top-level ``assert a.shape[0] == n and …``: after it, those extents are equal.
* top-level guards ``if len(a) < n or …: raise`` (``assert len(a) >= n``): after them an
  extent is at least a constant, or at least another extent plus a constant;
* ``x & m`` with ``m >= 0`` (a hash masked to its table), ``c * x`` for ``c, x >= 0``;
* a condition narrows its branches (``if v < 0: … else: v >= 0``), and after
  ``if …: continue`` (``break``, ``return``, ``raise``) what follows has the else branch's;
* across a loop, a local it assigns keeps what holds before the loop and after every one of
  its assignments there (``slot = (slot + 1) & mask``); a counter ``c += 1`` its lower bound;
* ``a[i] += x``: the load needs no check once the store's (made first) covers it.

Soundness: at a join (after an ``if``) only bounds valid on both paths stay; entering a
loop, every local the loop may assign keeps only the bounds all its assignments share (each
judged without the loop's other changing locals, except those an earlier round bounded
that way), and every local assigned inside an expression (inlined calls, ``:=``) forgets
its bounds. Floats: a NaN bound is never claimed — the
bounds hold for every non-NaN value, and ``int(nan)`` raises before it could become an
index. ``max(x, 1.0)`` is at least 1.0 or NaN: Python's ``max`` keeps its first
argument unless a later one is greater, and nothing is greater than NaN, but 1.0 replaces
any smaller number. Bounds carry constants below 2**40 and extents are below 2**32, so the
wasm arithmetic that computes a bounded value cannot have wrapped.

Floats known never to be NaN (``Interval.number``: constants, ``float(i)``, sums of such
bounded on both sides, ``min``/``max`` whose first argument is one) lend their bounds to
``min``/``max`` as constants do, so ``min(max(x, 1.0), n - 2.0)`` is in ``[1, n - 2]``
(or NaN). A float → int conversion (``int(x)``, ``math.floor(x)``, …) whose operand is
bounded on both sides cannot overflow int64: backend/integers.py then tests only NaN,
and where its range also keeps it at least 1 (or at most -1), so that no number converts
to 0, it tells NaN by the saturating conversion's 0.

The result is the set of (access, axis) proven in range and the set proven non-negative
(only the upper bound then needs a check): backend/bounds.py skips what is proven; the
conversions that fit in int64; and the accesses whose last index ``x + c`` (``c > 0``) has
``x >= 0``, which bounds.py addresses as ``x`` with ``c`` elements in the offset; and, per
access, the extents of its array that a top-level assert has made equal to another array's,
which bounds.py reads from that array instead (one set of strides for arrays of one shape).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from portalis.lang import ir
from portalis.lang.types import C128_PAIRS, ArrayType, Scalar
from portalis.lang.walk import children, walk

#: An array extent: (array name, axis).
Key = tuple[str, int]
#: A bound: ``extent + c`` (key given) or the constant ``c`` (key None).
Bound = tuple[Key | None, int | float]

_LIMIT = 1 << 40


@dataclass(frozen=True)
class Interval:
    lo: frozenset[Bound] = frozenset()
    hi: frozenset[Bound] = frozenset()
    exact: Bound | None = None  # the value equals this bound
    #: a float known never to be NaN (a constant, an int converted, a sum of such bounded
    #: on both sides, ``min``/``max`` whose first argument is one)
    number: bool = False


TOP = Interval()


@dataclass
class _Facts:
    """Per-point knowledge shared by a walk: extents known equal and extents' lower bounds."""

    root: dict[Key, Key] = field(default_factory=dict)
    extent_lo: dict[Key, int] = field(default_factory=dict)
    #: ``at_least[a]`` holds ``(b, d)``: extent ``a >= b + d`` (from a guard that raised
    #: otherwise, ``if len(a) < len(b) + d: raise``)
    at_least: dict[Key, set[tuple[Key, int]]] = field(default_factory=dict)

    def canon(self, k: Key) -> Key:
        while k in self.root and self.root[k] != k:
            k = self.root[k]
        return k

    def lowest(self, b: Bound) -> int | float:
        """The smallest value bound ``b`` can stand for (extents are at least 0)."""
        key, c = b
        if key is None:
            return c
        k = self.canon(key)
        lo = max((v for e, v in self.extent_lo.items() if self.canon(e) == k), default=0)
        return c + lo


def _const_hi(iv: Interval) -> int | float | None:
    """The smallest constant upper bound of ``iv`` (None without one)."""
    values = [c for k, c in iv.hi if k is None]
    return min(values) if values else None


def _bound(key: Key | None, c: int | float) -> Bound | None:
    if isinstance(c, float) and not (math.isfinite(c) and c == int(c)):
        return None
    return (key, c) if abs(c) < _LIMIT else None


def _shift(bounds: frozenset[Bound], d: int | float) -> frozenset[Bound]:
    out = (_bound(k, c + d) for k, c in bounds)
    return frozenset(b for b in out if b is not None)


class RangeAnalysis:
    """One function's walk; ``proven`` and ``nonneg`` hold (id(access), axis) pairs."""

    def __init__(self, fn: ir.Function, allocated: set[str]) -> None:
        self.params = {p.name for p in fn.params if not isinstance(p.type, Scalar)}
        self.allocated = allocated  # arrays made in the function: extents may change
        self.facts = _Facts()
        self.cache: dict[int, frozenset[str]] = {}
        self.proven: set[tuple[int, int]] = set()
        self.nonneg: set[tuple[int, int]] = set()
        # A node may sit in several places (passes share unchanged subtrees): a claim
        # stands only if it holds at every one of them.
        self.unproven: set[tuple[int, int]] = set()
        self.negative: set[tuple[int, int]] = set()
        # Loads whose check the store of the same statement makes (see ``store``): how
        # often each was judged, and how often covered so.
        self.judged: dict[tuple[int, int], int] = {}
        self.covered: dict[tuple[int, int], int] = {}
        #: float → int conversions (``int(x)``, ``math.floor(x)``, …) whose operand, NaN
        #: aside, is bounded on both sides: it cannot overflow int64 (by id; a claim stands
        #: only if it holds wherever the node sits)
        self.fits: set[int] = set()
        self.unfit: set[int] = set()
        #: those of them whose result, NaN aside, is never 0 (the operand is at least 1, or
        #: at most -1): backend/integers.py then tells NaN by the saturating conversion's 0
        self.nonzero: set[int] = set()
        self.maybe_zero: set[int] = set()
        #: (access, last axis) whose index is ``x + c`` (``c > 0``) with ``x >= 0``: the
        #: element ``c`` before it is in the array too (backend/bounds.py then addresses
        #: that one and puts ``c`` elements in the load's or store's offset)
        self.offset_last: set[tuple[int, int]] = set()
        self.offset_unknown: set[tuple[int, int]] = set()
        #: by id of an access: its array's extents that an assert made equal to another
        #: array's (the first of them, by name), which the address may use instead, so
        #: that the arrays asserted to one shape share their strides (None where the node's
        #: places disagree)
        self.pairs = {
            p.name
            for p in fn.params
            if isinstance(p.type, ArrayType) and p.type.element is C128_PAIRS
        }
        self.same: dict[int, dict[Key, Key] | None] = {}
        self.block(fn.body, {}, top=True)
        self.fits -= self.unfit
        self.nonzero -= self.maybe_zero
        self.nonzero &= self.fits
        self.offset_last -= self.offset_unknown
        self.proven -= self.unproven
        self.nonneg -= self.negative
        self.proven |= {
            at for at, k in self.covered.items() if k == self.judged[at] and at in self.nonneg
        }

    # -- intervals --------------------------------------------------------------------------

    def key(self, arr: ir.ArrayRef, axis: int) -> Key | None:
        if arr.name in self.params and arr.name not in self.allocated and arr.shape is None:
            return (arr.name, axis)
        return None

    def const_lo(self, iv: Interval) -> int | float | None:
        values = [self.facts.lowest(b) for b in iv.lo]
        return max(values) if values else None

    def interval(self, e: ir.Expr, env: dict[str, Interval]) -> Interval:
        if isinstance(e, ir.Const):
            if isinstance(e.value, bool):
                return TOP
            b = _bound(None, e.value)
            number = not (isinstance(e.value, float) and math.isnan(e.value))
            if b is None:
                return Interval(number=number)
            return Interval(frozenset({b}), frozenset({b}), b, number)
        if isinstance(e, ir.LocalGet):
            return env.get(e.name, TOP)
        if isinstance(e, ir.LocalTee):
            return self.interval(e.value, env)
        if isinstance(e, ir.Dim):
            if e.array.shape is not None:
                return self.interval(ir.Const(0, 0, e.ty, e.array.shape[e.axis]), env)
            k = self.key(e.array, e.axis)
            if k is None:
                return Interval(frozenset({(None, 0)}))
            b = (k, 0)
            return Interval(frozenset({b}), frozenset({b}), b)
        if isinstance(e, ir.Cast) and e.kind in ("convert", "py_int"):
            inner = self.interval(e.value, env)
            src, dst = e.value.ty, e.ty
            if not (isinstance(src, Scalar) and isinstance(dst, Scalar)) or src.is_bool:
                return TOP
            if not src.is_float and dst.is_float:  # int → float: exact below 2**53
                return Interval(inner.lo, inner.hi, inner.exact, True)
            if src.is_float and not dst.is_float:  # int(x) truncates; monotonic
                lo = self.const_lo(inner)
                b = _bound(None, math.floor(lo)) if lo is not None else None
                return Interval(frozenset({b}) if b else frozenset())
            return TOP
        if isinstance(e, ir.Binary) and e.op in ("add", "sub"):
            return self.add(e, env)
        if isinstance(e, ir.Binary) and e.op == "mod" and _is_int(e.ty):
            return self.remainder(e, env)
        if isinstance(e, ir.BuiltinCall) and e.lowering in ("min", "max"):
            return self.minmax(e, env)
        if isinstance(e, ir.Binary) and e.op == "and" and _is_int(e.ty):
            return self.bit_and(e, env)
        if isinstance(e, ir.Binary) and e.op == "mul" and _is_int(e.ty):
            return self.scaled(e, env)
        if isinstance(e, ir.Binary) and e.op == "shr" and isinstance(e.right, ir.Const):
            return self.halved(e, e.right.value, env)
        return TOP

    def remainder(self, e: ir.Binary, env: dict[str, Interval]) -> Interval:
        """``x % m`` by a divisor known positive (a constant, or ``voxels`` where it is at
        least 1): Python's remainder takes the divisor's sign, so ``0 <= x % m < m``."""
        m = self.interval(e.right, env)
        lo = self.const_lo(m)
        if lo is None or lo < 1:
            return TOP
        return Interval(frozenset({(None, 0)}), _shift(m.hi, -1))

    def halved(self, e: ir.Binary, c: object, env: dict[str, Interval]) -> Interval:
        """``x >> c`` of ``x >= 0`` (a heap's parent, ``(i - 1) >> 1``): between its constant
        bounds shifted, and never above ``x`` itself."""
        x = self.interval(e.left, env)
        lo = self.const_lo(x)
        if not _is_int(e.ty) or type(c) is not int or not 0 <= c < 64 or lo is None or lo < 0:
            return TOP
        hi = {(k, h) if k is not None else (None, int(h) >> c) for k, h in x.hi}
        if c == 0:
            return x
        return Interval(frozenset({(None, int(lo) >> c)}), frozenset(hi))

    def scaled(self, e: ir.Binary, env: dict[str, Interval]) -> Interval:
        """``c * x`` (or ``x * c``) for a constant ``c >= 0`` and ``x >= 0``: at least ``c``
        times ``x``'s lowest, at most ``c`` times its constant highest (bounds stay below
        2**40, so the product has not wrapped): ``sums[3 * v + 1]``."""
        if isinstance(e.left, ir.Const):
            c, x = e.left.value, self.interval(e.right, env)
        elif isinstance(e.right, ir.Const):
            c, x = e.right.value, self.interval(e.left, env)
        else:
            return TOP
        lo = self.const_lo(x)
        if type(c) is not int or c < 0 or lo is None or lo < 0:
            return TOP
        low = _bound(None, c * lo)
        high = {b for k, h in x.hi if k is None for b in [_bound(None, c * h)] if b}
        return Interval(frozenset({low}) if low else frozenset(), frozenset(high))

    def bit_and(self, e: ir.Binary, env: dict[str, Interval]) -> Interval:
        """``x & m`` with ``m >= 0`` is in ``[0, m]`` whatever ``x`` is (two's complement, as
        Python's ints behave): a hash masked to a table, ``h & (size - 1)``."""
        hi: set[Bound] = set()
        masked = False
        for side in (e.left, e.right):
            iv = self.interval(side, env)
            lo = self.const_lo(iv)
            if lo is not None and lo >= 0:
                masked = True
                hi |= iv.hi
        if not masked:
            return TOP
        return Interval(frozenset({(None, 0)}), frozenset(hi))

    def add(self, e: ir.Binary, env: dict[str, Interval]) -> Interval:
        a, b = self.interval(e.left, env), self.interval(e.right, env)
        # a float sum or difference is a number when both sides are numbers bounded on both
        # sides (finite: inf - inf is NaN)
        number = a.number and b.number and all(v.lo and v.hi for v in (a, b))
        if e.op == "sub":  # a - b = a + (-b): b's bounds swap and negate, constants only
            b = Interval(
                frozenset((None, -c) for k, c in b.hi if k is None),
                frozenset((None, -c) for k, c in b.lo if k is None),
                (None, -b.exact[1]) if b.exact and b.exact[0] is None else None,
            )
        if b.exact is None and a.exact is not None and a.exact[0] is None:
            a, b = b, a  # the constant on the right
        if b.exact is not None and b.exact[0] is None:
            d = b.exact[1]
            ex = _bound(a.exact[0], a.exact[1] + d) if a.exact else None
            return Interval(_shift(a.lo, d), _shift(a.hi, d), ex, number)
        lo = frozenset(
            b2
            for ka, ca in a.lo
            for kb, cb in b.lo
            if ka is None or kb is None
            for b2 in [_bound(ka or kb, ca + cb)]
            if b2
        )
        hi = frozenset(
            b2
            for ka, ca in a.hi
            for kb, cb in b.hi
            if ka is None or kb is None
            for b2 in [_bound(ka or kb, ca + cb)]
            if b2
        )
        return Interval(lo, hi, number=number)

    def minmax(self, e: ir.BuiltinCall, env: dict[str, Interval]) -> Interval:
        args = [self.interval(a, env) for a in e.args]
        is_float = isinstance(e.ty, Scalar) and e.ty.is_float
        # The result is one of the arguments: every bound all of them share holds; and
        # the smallest of their constant lower (largest upper) bounds.
        lows = [self.const_lo(a) for a in args]
        lo: set[Bound] = set(frozenset.intersection(*(a.lo for a in args)))
        hi: set[Bound] = set(frozenset.intersection(*(a.hi for a in args)))
        if all(v is not None for v in lows):
            b = _bound(None, min(v for v in lows if v is not None))
            if b:
                lo.add(b)
        if e.lowering == "min":
            # min is at most each argument (or NaN): every argument's upper bounds hold;
            # for floats only a number's (a NaN argument may be what comes out)
            for a, arg in zip(args, e.args, strict=True):
                if not is_float or isinstance(arg, ir.Const) or a.number:
                    hi |= a.hi
        else:
            for a, arg in zip(args, e.args, strict=True):
                if not is_float or isinstance(arg, ir.Const) or a.number:
                    lo |= a.lo
        # Python's min and max keep the first argument unless a later one compares below
        # (above) it, and nothing compares so with NaN: a number first gives a number.
        return Interval(frozenset(lo), frozenset(hi), number=args[0].number)

    def join(self, a: dict[str, Interval], b: dict[str, Interval]) -> dict[str, Interval]:
        out: dict[str, Interval] = {}
        for name in a.keys() & b.keys():
            x, y = a[name], b[name]
            lo = set(x.lo & y.lo)
            lx, ly = self.const_lo(x), self.const_lo(y)
            if lx is not None and ly is not None:
                lo.add((None, min(lx, ly)))
            exact = x.exact if x.exact == y.exact else None
            out[name] = Interval(frozenset(lo), x.hi & y.hi, exact, x.number and y.number)
        return out

    # -- statements -------------------------------------------------------------------------

    def block(self, stmts: list[ir.Stmt], env: dict[str, Interval], top: bool = False) -> None:
        """Walk ``stmts`` in order, updating ``env`` in place."""
        for s in stmts:
            self.stmt(s, env)
            if top and isinstance(s, ir.If):
                self.assertion(s, env)
                self.guard(s, env)

    def forget(self, env: dict[str, Interval], node: ir.Node) -> None:
        """Every local ``node`` may assign loses its bounds."""
        for name in self.assigned(node):
            env.pop(name, None)

    def assigned(self, node: ir.Node) -> frozenset[str]:
        """The locals ``node`` (and everything in it) may assign; once per node."""
        known = self.cache.get(id(node))
        if known is not None:
            return known
        names: set[str] | None = None  # none yet: most nodes assign nothing
        cls = node.__class__  # IR node classes have no subclasses: this runs per node
        if cls is ir.SetLocal or cls is ir.LocalTee:
            names = {node.name}  # type: ignore[attr-defined]
        elif cls in _SETS_DIRECTLY:
            names = _assigns_directly(node)
        for child in children(node):
            below = self.assigned(child)
            if below:
                if names is None:
                    names = set(below)
                else:
                    names |= below
        out = frozenset(names) if names else _NOTHING
        self.cache[id(node)] = out
        return out

    def stmt(self, s: ir.Stmt, env: dict[str, Interval]) -> None:
        if isinstance(s, ir.ForRange):
            self.for_range(s, env)
            return
        if isinstance(s, ir.While):
            carried = self.carried(s, env)
            self.forget(env, s)
            env.update(carried)
            self.expr(s.cond, env)
            body = dict(env)
            self.refine(s.cond, True, body)
            self.block(s.body, body)
            return
        if isinstance(s, ir.If):
            self.expr(s.cond, env)
            self.forget(env, s.cond)
            then, orelse = dict(env), dict(env)
            self.refine(s.cond, True, then)
            self.refine(s.cond, False, orelse)
            self.block(s.body, then)
            self.block(s.orelse, orelse)
            env.clear()
            if _leaves(s.body) and not _leaves(s.orelse):
                env.update(orelse)  # ``if …: continue``: what follows runs on the else path
            elif _leaves(s.orelse) and not _leaves(s.body):
                env.update(then)
            else:
                env.update(self.join(then, orelse))
            return
        # A simple statement: its expressions see no bounds for what they assign.
        before = env
        if any(self.assigned(e) for e in _children(s)):
            before = dict(env)
            self.forget(before, s)
        if isinstance(s, ir.Store):
            self.access(s, before)
            self.cover(s)
        for n in _children(s):
            self.expr(n, before)
        value = self.interval(s.value, before) if isinstance(s, ir.SetLocal) else None
        self.forget(env, s)
        if isinstance(s, ir.SetLocal) and value is not None:
            env[s.name] = value

    def for_range(self, s: ir.ForRange, env: dict[str, Interval]) -> None:
        for e in (s.start, s.stop, s.step):
            self.expr(e, env)
        start, stop = self.interval(s.start, env), self.interval(s.stop, env)
        # range() reads its step once, before the first iteration
        step_lo = self.const_lo(self.interval(s.step, env))
        step_hi = _const_hi(self.interval(s.step, env))
        carried = self.carried(s, env)
        self.forget(env, s)
        env.update(carried)
        body = dict(env)
        saved = dict(self.facts.extent_lo)
        if step_hi is not None and step_hi < 0:
            # counting down: stop < v <= start
            body[s.var] = Interval(_shift(stop.lo, 1), start.hi)
        if step_lo is not None and step_lo > 0:
            body[s.var] = Interval(start.lo, _shift(stop.hi, -1))
            # The body runs only when start < stop: stop >= lowest(start) + 1.
            lo = self.const_lo(start)
            if lo is not None and stop.exact is not None:
                key, c = stop.exact
                if key is not None:
                    need = int(lo) + 1 - int(c)
                    if need > self.facts.lowest((key, 0)):
                        self.facts.extent_lo[key] = need
        self.block(s.body, body)
        self.facts.extent_lo = saved

    def carried(
        self, loop: ir.While | ir.ForRange, env: dict[str, Interval]
    ) -> dict[str, Interval]:
        """Bounds that hold everywhere in ``loop`` (and after it) for locals it assigns: a
        local holds its value from before the loop or from one of its assignments in it, so
        the join of those is true throughout — each assignment judged by what is true
        throughout the loop: locals it does not assign, then (a second round) the locals the
        first round bounded. A counter ``c += 1`` keeps its lower bound (counting to 2**63
        would take centuries). Hash probes ``slot = (slot + 1) & mask`` and table sizes
        ``mask = size - 1`` then keep their bounds across the probe loop."""
        values: dict[str, list[ir.Expr]] = {}
        unknown: set[str] = set()
        todo: list[ir.Node] = [loop]
        while todo:
            n = todo.pop()
            cls = n.__class__  # IR node classes have no subclasses: this runs per node
            if cls is ir.SetLocal or cls is ir.LocalTee:
                values.setdefault(n.name, []).append(n.value)  # type: ignore[attr-defined]
            elif cls in _SETS_DIRECTLY:
                unknown |= _assigns_directly(n)
            todo += children(n)
        changing = self.assigned(loop)
        known = {k: v for k, v in env.items() if k not in changing}
        out: dict[str, Interval] = {}
        for _ in range(2):
            found: dict[str, Interval] = {}
            for name in sorted(changing - unknown - out.keys()):
                iv = env.get(name)
                for value in values.get(name, []):
                    if iv is None:
                        break
                    if _counts_up(value, name):
                        iv = Interval(iv.lo)
                    else:
                        iv = self.join({name: iv}, {name: self.interval(value, known)}).get(name)
                if iv is not None and (iv.lo or iv.hi):
                    found[name] = Interval(iv.lo, iv.hi)
            if not found:
                break
            out.update(found)
            known.update(found)
        return out

    def refine(self, cond: ir.Expr, truth: bool, env: dict[str, Interval]) -> None:
        """Narrow ``env`` by ``cond`` having been ``truth``: ``if v < 0: … else: …`` knows
        ``v >= 0`` in its else branch. Locals the condition itself assigns are left alone."""
        if isinstance(cond, ir.Unary) and cond.op == "not":
            self.refine(cond.operand, not truth, env)
        elif isinstance(cond, ir.Logical) and _is_bool(cond.ty) and (cond.op == "and") == truth:
            self.refine(cond.left, truth, env)  # both sides held (and) / failed (or)
            self.refine(cond.right, truth, env)
        elif isinstance(cond, ir.Compare) and cond.op in _FLIP:
            op = cond.op if truth else _NEGATE[cond.op]
            for local, other, rel in (
                (cond.left, cond.right, op),
                (cond.right, cond.left, _FLIP[op]),
            ):
                if (
                    isinstance(local, ir.LocalGet)
                    and _is_int(local.ty)
                    and _is_int(other.ty)
                    and not self.assigned(cond)
                ):
                    env[local.name] = self.narrow(
                        env.get(local.name, TOP), rel, self.interval(other, env)
                    )

    def narrow(self, iv: Interval, op: str, other: Interval) -> Interval:
        """``iv`` knowing that the value ``op`` (lt le gt ge) a value in ``other``."""
        if op in ("lt", "le"):
            d = -1 if op == "lt" else 0
            return Interval(iv.lo, iv.hi | _shift(other.hi, d), iv.exact)
        d = 1 if op == "gt" else 0
        return Interval(iv.lo | _shift(other.lo, d), iv.hi, iv.exact)

    def guard(self, s: ir.If, env: dict[str, Interval]) -> None:
        """``if len(a) < n or …: raise`` (or ``assert len(a) >= n``): after it, every such
        comparison is known false (true): ``a``'s extent is at least ``n``'s lower bound, or
        at least another extent plus a constant."""
        if not (_only_raises(s.body) and not s.orelse):
            return
        self.extent_facts(s.cond, False, env)

    def extent_facts(self, cond: ir.Expr, truth: bool, env: dict[str, Interval]) -> None:
        if isinstance(cond, ir.Unary) and cond.op == "not":
            self.extent_facts(cond.operand, not truth, env)
        elif isinstance(cond, ir.Logical) and _is_bool(cond.ty) and (cond.op == "and") == truth:
            self.extent_facts(cond.left, truth, env)
            self.extent_facts(cond.right, truth, env)
        elif isinstance(cond, ir.Compare) and cond.op in _FLIP and _is_int(cond.left.ty):
            op = cond.op if truth else _NEGATE[cond.op]
            big, small = (cond.left, cond.right) if op in ("gt", "ge") else (cond.right, cond.left)
            d = 1 if op in ("gt", "lt") else 0  # big >= small + d
            extent = self.interval(big, env).exact
            if extent is None or extent[0] is None:
                return
            key, c = self.facts.canon(extent[0]), int(extent[1])
            other = self.interval(small, env)
            lo = self.const_lo(other)
            if lo is not None and not isinstance(lo, float):  # key + c >= small + d >= lo + d
                self.facts.extent_lo[key] = max(self.facts.extent_lo.get(key, 0), lo + d - c)
            if other.exact is not None and other.exact[0] is not None:
                self.facts.at_least.setdefault(key, set()).add(
                    (other.exact[0], int(other.exact[1]) + d - c)
                )

    def cover(self, s: ir.Store) -> None:
        """``a[i] += x``: the store's address (and its check) is computed before the value,
        so a load of the same element in the value, on the same line, needs no check of its
        own — if the index were out of range the store's check would already have raised
        the same IndexError on the same line. Only where the load's index is known
        non-negative (no fix-up to repeat); counted per occurrence of the load."""
        names = _locals_in(s.indices)
        if names is None or names & self.assigned(s.value):
            return
        shape = [_shape_of(i) for i in s.indices]
        todo: list[ir.Expr] = [s.value]
        while todo:
            e = todo.pop()
            if isinstance(e, ir.Seq | ir.Block):
                continue  # statements of an inlined call: not followed
            if (
                isinstance(e, ir.Load)
                and e.array.name == s.array.name
                and e.line == s.line
                and [_shape_of(i) for i in e.indices] == shape
            ):
                for axis in range(len(e.indices)):
                    at = (id(e), axis)
                    self.covered[at] = self.covered.get(at, 0) + 1
            todo += _children(e)

    def assertion(self, s: ir.If, env: dict[str, Interval]) -> None:
        """``if not (a.shape[0] == n and …): raise``: after it those extents are equal."""
        if not (
            _only_raises(s.body)
            and not s.orelse
            and isinstance(s.cond, ir.Unary)
            and s.cond.op == "not"
        ):
            return
        parts: list[ir.Expr] = [s.cond.operand]
        while parts:
            p = parts.pop()
            if isinstance(p, ir.Logical) and p.op == "and":
                parts += [p.left, p.right]
            elif isinstance(p, ir.Compare) and p.op == "eq":
                a = self.interval(p.left, env).exact
                b = self.interval(p.right, env).exact
                if a and b and a[0] and b[0] and a[1] == b[1] == 0:
                    ra, rb = self.facts.canon(a[0]), self.facts.canon(b[0])
                    if ra != rb:
                        self.facts.root[max(ra, rb)] = min(ra, rb)

    # -- expressions: find the accesses ----------------------------------------------------

    def expr(self, e: ir.Expr, env: dict[str, Interval]) -> None:
        """Judge every access in ``e`` by ``env`` (statements inside inlined calls run in
        order on a copy)."""
        cls = e.__class__  # IR node classes have no subclasses: this runs per node
        if cls is ir.Seq:
            inner = dict(env)
            self.block(e.stmts, inner)  # type: ignore[attr-defined]
            self.expr(e.value, inner)  # type: ignore[attr-defined]
            return
        if cls is ir.Block:
            self.block(e.stmts, dict(env))  # type: ignore[attr-defined]
            return
        if cls is ir.Load:
            self.access(e, env)  # type: ignore[arg-type]
        elif cls is ir.TableLoad:
            self.table_access(e, env)  # type: ignore[arg-type]
        elif cls is ir.Cast or cls is ir.BuiltinCall:  # only these round a float to an int
            operand = _rounded_operand(e)
            if operand is not None:
                iv = self.interval(operand, env)
                (self.fits if iv.lo and iv.hi else self.unfit).add(id(e))
                positive = any(self.facts.lowest(b) >= 1 for b in iv.lo)
                negative = any(k is None and c <= -1 for k, c in iv.hi)
                (self.nonzero if positive or negative else self.maybe_zero).add(id(e))
        for n in _children(e):
            self.expr(n, env)

    def access(self, n: ir.Load | ir.Store, env: dict[str, Interval]) -> None:
        arr = n.array
        same: dict[Key, Key] = {}
        for axis in range(len(n.indices)):
            k = self.key(arr, axis)
            c = self.facts.canon(k) if k is not None else None
            if k is not None and c is not None and c != k and not self.pairs & {k[0], c[0]}:
                same[k] = c
        if self.same.setdefault(id(n), same) != same:
            self.same[id(n)] = None
        last = len(n.indices) - 1
        split = _positive_offset(n.indices[last]) if last >= 0 else None
        if split is not None:
            lo = self.const_lo(self.interval(split, env))
            ok = lo is not None and lo >= 0
            (self.offset_last if ok else self.offset_unknown).add((id(n), last))
        for axis, index in enumerate(n.indices):
            at = (id(n), axis)
            self.judged[at] = self.judged.get(at, 0) + 1
            iv = self.interval(index, env)
            lo = self.const_lo(iv)
            if lo is None or lo < 0:
                self.negative.add(at)
                self.unproven.add(at)
                continue
            self.nonneg.add(at)
            if self.below_extent(iv, arr, axis):
                self.proven.add(at)
            else:
                self.unproven.add(at)

    def table_access(self, n: ir.TableLoad, env: dict[str, Interval]) -> None:
        """A read of a constant tuple (``AROUND_X[k]`` in ``for k in range(27)``): its
        length is a constant."""
        at = (id(n), 0)
        iv = self.interval(n.index, env)
        lo = self.const_lo(iv)
        if lo is None or lo < 0:
            self.negative.add(at)
            self.unproven.add(at)
            return
        self.nonneg.add(at)
        hi = _const_hi(iv)
        if hi is not None and hi < n.length:
            self.proven.add(at)
        else:
            self.unproven.add(at)

    def below_extent(self, iv: Interval, arr: ir.ArrayRef, axis: int) -> bool:
        if arr.shape is not None:
            return any(k is None and c < arr.shape[axis] for k, c in iv.hi)
        key = self.key(arr, axis)
        if key is None:
            return False
        root = self.facts.canon(key)
        if any(k is None and c < self.facts.lowest((key, 0)) for k, c in iv.hi):
            return True
        # The extent is at least itself, and at least ``b + d`` for every guard that said so:
        # an index ``<= b + c`` with ``c <= d - 1`` is below it.
        known = [(root, 0)] + [
            (self.facts.canon(b), d)
            for a, smaller in self.facts.at_least.items()
            if self.facts.canon(a) == root
            for b, d in smaller
        ]
        return any(
            k is not None and self.facts.canon(k) == b and c <= d - 1
            for k, c in iv.hi
            for b, d in known
        )


_FLIP = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}  # a < b is b > a
_NEGATE = {"lt": "ge", "le": "gt", "gt": "le", "ge": "lt"}  # not a < b is a >= b (ints)


def _is_int(ty: object) -> bool:
    return isinstance(ty, Scalar) and not ty.is_float and not ty.is_bool


def _is_bool(ty: object) -> bool:
    return isinstance(ty, Scalar) and ty.is_bool


_NOTHING: frozenset[str] = frozenset()

#: The nodes that set locals other than by ``SetLocal``/``LocalTee`` (:func:`_assigns_directly`)
_SETS_DIRECTLY = frozenset([ir.Unpack, ir.Logical, ir.ForRange])


def _assigns_directly(n: ir.Node) -> set[str]:
    """Locals ``n`` itself sets other than by ``SetLocal``/``LocalTee``: unpacked names, an
    ``and``/``or``'s temporary, a ``for``'s variable and hidden counters."""
    if isinstance(n, ir.Unpack):
        return set(n.names)
    if isinstance(n, ir.Logical):
        return {n.temp}
    if isinstance(n, ir.ForRange):
        return {n.var, n.counter, n.limit, n.stride}
    return set()


def _only_raises(stmts: list[ir.Stmt]) -> bool:
    """``raise E`` or ``raise E(message)`` (the message's values to the host, then the raise:
    frontend/messages.py), nothing else."""
    return (
        bool(stmts)
        and isinstance(stmts[-1], ir.Raise)
        and all(isinstance(s, ir.Message) for s in stmts[:-1])
    )


def _leaves(stmts: list[ir.Stmt]) -> bool:
    """Whether running ``stmts`` never reaches what follows them (they end in a jump)."""
    return bool(stmts) and isinstance(
        stmts[-1], ir.Continue | ir.Break | ir.Return | ir.Exit | ir.Raise
    )


def _counts_up(value: ir.Expr, name: str) -> bool:
    """``name + 1``."""
    return (
        isinstance(value, ir.Binary)
        and value.op == "add"
        and isinstance(value.left, ir.LocalGet)
        and value.left.name == name
        and isinstance(value.right, ir.Const)
        and value.right.value == 1
        and type(value.right.value) is int
    )


def _locals_in(exprs: list[ir.Expr]) -> set[str] | None:
    """The locals read by index expressions built from constants and locals by ``+ - *``
    (None for anything else: a load, a call, an assignment)."""
    names: set[str] = set()
    todo = list(exprs)
    while todo:
        e = todo.pop()
        if isinstance(e, ir.LocalGet):
            names.add(e.name)
        elif isinstance(e, ir.Binary) and e.op in ("add", "sub", "mul"):
            todo += [e.left, e.right]
        elif not isinstance(e, ir.Const):
            return None
    return names


def _shape_of(e: ir.Expr) -> object:
    """``e`` without source positions (for expressions ``_locals_in`` accepts)."""
    if isinstance(e, ir.Const):
        return ("const", e.value, str(e.ty))
    if isinstance(e, ir.LocalGet):
        return ("local", e.name)
    if isinstance(e, ir.Binary):
        return (e.op, _shape_of(e.left), _shape_of(e.right))
    return ("other", id(e))


def _positive_offset(index: ir.Expr) -> ir.Expr | None:
    """``x`` of an index ``x + c`` (a small constant ``c > 0``, as backend/bounds.py splits
    it), else None."""
    if (
        isinstance(index, ir.Binary)
        and index.op == "add"
        and _is_int(index.ty)
        and isinstance(index.right, ir.Const)
        and type(index.right.value) is int
        and 0 < index.right.value < 1 << 16
    ):
        return index.left
    return None


#: builtins that round a float to an int (backend/lowerings.py: ``_to_int``)
_ROUNDINGS = ("floor", "ceil", "trunc", "round")


def _rounded_operand(e: ir.Expr) -> ir.Expr | None:
    """The float that ``e`` turns into an int64 (``int(x)``, ``math.floor(x)``, …), or None.
    Bounds on both sides keep it inside int64: they are below 2**40 plus an extent below
    2**32 (and rounding moves a value by less than 1)."""
    if isinstance(e, ir.Cast) and e.kind == "py_int":
        src = e.value.ty
        return e.value if isinstance(src, Scalar) and src.is_float else None
    if isinstance(e, ir.BuiltinCall) and e.lowering in _ROUNDINGS and len(e.args) == 1:
        src = e.args[0].ty
        return e.args[0] if isinstance(src, Scalar) and src.is_float else None
    return None


#: Node class → the names of its fields that may hold expressions (:func:`_children`)
_EXPR_FIELDS: dict[type, tuple[str, ...]] = {}


def _children(node: ir.Node) -> list[ir.Expr]:
    """The expressions directly inside a simple statement or an expression."""
    out: list[ir.Expr] = []
    names = _EXPR_FIELDS.get(node.__class__)
    if names is None:
        skipped = ("line", "col", "ty", "array", "safe", "nonneg")
        names = tuple(n for n in node.__dataclass_fields__ if n not in skipped)
        _EXPR_FIELDS[node.__class__] = names
    for name in names:
        v = getattr(node, name)
        if isinstance(v, ir.Expr):
            out.append(v)
        elif isinstance(v, list):
            out += [x for x in v if isinstance(x, ir.Expr)]
    return out


def analyse(
    fn: ir.Function,
    found: Iterable[Any] | None = None,
) -> tuple[
    frozenset[tuple[int, int]],
    frozenset[tuple[int, int]],
    frozenset[int],
    frozenset[tuple[int, int]],
    dict[int, dict[Key, Key]],
    frozenset[int],
]:
    """(access id, axis) pairs of ``fn`` proven in range, and proven non-negative, and the
    ids of its float → int conversions that cannot overflow int64, and of those whose
    result is never 0 but for NaN (nothing to do, and no time spent, for a function with
    neither). ``found``: every node of ``fn`` (in any order), when the caller has walked it
    already."""
    accesses, allocated = False, set()
    Load, Store, AllocArray, Cast, Call = ir.Load, ir.Store, ir.AllocArray, ir.Cast, ir.BuiltinCall
    if found is None:
        found = (n for stmt in fn.body for n in walk(stmt))
    for n in found:
        cls = n.__class__  # IR node classes have no subclasses: this runs per node
        if cls is Load or cls is Store or cls is ir.TableLoad:
            accesses = True
        elif cls is AllocArray:
            allocated.add(n.array.name)
        elif (cls is Cast or cls is Call) and not accesses:
            accesses = _rounded_operand(n) is not None
    if not accesses:
        return frozenset(), frozenset(), frozenset(), frozenset(), {}, frozenset()
    r = RangeAnalysis(fn, allocated)
    same = {at: s for at, s in r.same.items() if s}
    return (
        frozenset(r.proven),
        frozenset(r.nonneg),
        frozenset(r.fits),
        frozenset(r.offset_last),
        same,
        frozenset(r.nonzero),
    )
