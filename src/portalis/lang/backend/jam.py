"""Unroll-and-jam: an accumulation into one row of a fresh array, repeated by an outer loop,
runs 8 (or 4, :data:`FACTORS`) outer iterations per pass over the row.

The shape (``matmul``'s i-k-j order, a row update ``ci[j] += aik * bk[j]`` for each ``k``)::

    for k in range(start, stop):       # K: its body is the preamble, then J
        aik = a[i, k]                  # the preamble: assignments to locals
        bk = b[k]
        for j in range(js, je):        # J: an innermost loop
            ci[j] += aik * bk[j]       # its one store, into the row W, at column j

becomes, when the conditions below hold, ``F`` preambles (for ``k``, ``k + 1``, ...,
each into its own copies of the locals) followed by one ``j`` loop that loads ``ci[j]``
once, applies the ``F`` updates in the order of ``k``, and stores it once, then the
original loop for the ``(stop - start) % F`` iterations left. Each element of the row
sees exactly the operations, in exactly the order, it saw before (the updates for ``k``,
then ``k + 1``, ...), so the values are bit for bit the same; only the order *between*
elements changes, which nothing can observe when:

* W's array is made in the function (``np.zeros`` and the like, :class:`ir.AllocArray`, and
  never rebound) and nothing else in the loop nest reads it except W's own element
  ``W[..., j]``: every other array read is a parameter, a persistent array or another
  array made in the function, none of which can share W's bytes, and none is written in
  the nest (J's store is its only store). So the rows read (``bk``) never see a write to W;
* W's leading indices are unchanged in K; every other access in J is at column ``j + c``
  or does not change in J (``a[i, k]`` in ``c[i, j] += a[i, k] * b[k, j]``: each copy
  reads it once, at the end of its preamble, into a local); every index other than the
  column is unchanged in J and proven in bounds (views such as ``bk = b[k]`` check theirs
  when made, in the preamble), or is a constant, ``k`` or a local K does not assign, and
  then tested at run time (below);
* the preamble only assigns locals from loads, views, arithmetic and locals (no call, no
  store), each assigned once and not read before it is assigned in the iteration, and J
  only computes ``+ - *`` and unary ``-`` into ``float`` locals of its own (assigned
  before they are read) and W's element, stored as a ``float64`` (the value kept between
  the updates is the one stored: no narrowing);
* nothing K assigns (``k``, the preamble's and J's locals, the counters) is read outside K
  (the copies write other locals, so those would not hold CPython's values afterwards);
* and, checked when the nest starts: ``0 <= start <= stop``, and every access of J stays
  in bounds for every ``j`` of ``range(js, je)`` (``js + c >= 0``, ``je <= extent - c``,
  ``js >= 0``) and every ``k`` (``stop <= extent`` for an index ``k``, ``0 <= x <
  extent`` for an unchanging ``x``), so J cannot raise, nor can the reads moved out of it
  (also where J would not have run). Otherwise the loop runs as it always was.

Errors: J cannot raise once the test held. Only a
preamble may raise (``IndexError`` for ``b[k]``, a ``ZeroDivisionError``), and the
preambles are evaluated in the order of ``k`` either way, each from the values it read
before (the preamble reads no array J writes), so the first error is the same error at the
same line. What differs at that moment is only how far W's row got, and W, made in the
call, is lost with it.

The pass (:func:`jam_loops`, ``jam`` in pipeline.py) runs before ``vectorise``, which then
runs the jammed J in f64x2 like any other loop (its rows are checked apart at run time).
docs/language.md ("Speed") says the same for kernel authors.
"""

from __future__ import annotations

import copy
import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from typing import TypeVar

from portalis.lang import ir
from portalis.lang.backend import versioning
from portalis.lang.types import BOOL, F64, I64, ArrayType, Scalar
from portalis.lang.walk import walk as nodes

#: Outer iterations per pass over the row (a power of two): 8 when each iteration brings at
#: most two changing things into J (matmul: the row ``bk`` and the value ``aik``), else 4,
#: so that the jammed loop's row pointers and broadcast values stay in registers. matmul
#: 80×80, CPU time ÷ Numba's: 1.87× unjammed, 1.46× with 2, 1.25× with 4, 1.14× with 8.
FACTORS = (8, 4)

#: Expressions a preamble may assign from: nothing that calls, stores or assigns.
_PURE = (ir.Const, ir.LocalGet, ir.Load, ir.CheckedIndex, ir.Binary, ir.Unary, ir.Cast, ir.Dim)
#: Expressions J may compute: nothing that can raise once its accesses are in bounds.
_SAFE_OPS = ("add", "sub", "mul")


def jam_loops(module: ir.Module) -> int:
    """Unroll-and-jam every loop nest of the module's own functions that :func:`_Nest`
    accepts; returns how many."""
    done = 0
    for fn in module.functions:
        if fn.library:
            continue
        fresh = _Fresh(fn)
        done += _walk(fn.body, fn, fresh)
    return done


def _walk(body: list[ir.Stmt], fn: ir.Function, fresh: _Fresh) -> int:
    done = 0
    for index, stmt in enumerate(list(body)):
        if isinstance(stmt, ir.If):
            done += _walk(stmt.body, fn, fresh) + _walk(stmt.orelse, fn, fresh)
        elif isinstance(stmt, ir.While):
            done += _walk(stmt.body, fn, fresh)
        elif isinstance(stmt, ir.ForRange):
            nest = _Nest.of(stmt, fn)
            if nest is None:
                done += _walk(stmt.body, fn, fresh)
                continue
            at = body.index(stmt, index)
            body[at : at + 1] = nest.rewrite(fresh)
            done += 1
    return done


class _Fresh:
    """New locals of a function: ``~jamN.name``, typed like the local they copy."""

    def __init__(self, fn: ir.Function) -> None:
        self.fn = fn
        self.n = 0

    def copy_of(self, name: str, ty: Scalar) -> str:
        self.n += 1
        new = f"~jam{self.n}.{name.lstrip('~')}"
        self.fn.locals[new] = ty
        return new

    def local(self, hint: str, ty: Scalar) -> str:
        return self.copy_of(hint, ty)


@dataclass
class _Nest:
    loop: ir.ForRange  # K
    pre: list[ir.SetLocal]
    inner: ir.ForRange  # J
    store: ir.Store  # J's store into W
    fn: ir.Function
    #: indices the run-time test must show in bounds for every k: (array, axis, index),
    #: the index None for k itself
    checks: list[tuple[ir.ArrayRef, int, ir.Expr | None]] = field(default_factory=list)
    #: the locals K assigns, and those J assigns (with ``j``)
    assigned: set[str] = field(default_factory=set)
    in_inner: set[str] = field(default_factory=set)
    #: the function's array names by how they are bound (:func:`_bindings`)
    bindings: tuple[set[str], set[str], set[str]] = field(
        default_factory=lambda: (set(), set(), set())
    )

    @staticmethod
    def of(loop: ir.ForRange, fn: ir.Function) -> _Nest | None:
        """The nest ``loop`` heads when it has the shape and meets the static conditions
        of the module docstring, else None."""
        body = loop.body
        if not (_step_one(loop) and body and isinstance(body[-1], ir.ForRange)):
            return None
        inner = body[-1]
        pre = body[:-1]
        if not _step_one(inner) or not all(isinstance(s, ir.SetLocal) for s in pre):
            return None
        if not all(isinstance(s, ir.SetLocal | ir.Store) for s in inner.body):
            return None
        _forward_temps(inner, fn)
        stores = [s for s in inner.body if isinstance(s, ir.Store)]
        if len(stores) != 1 or inner.body[-1] is not stores[0]:
            return None
        nest = _Nest(loop, [s for s in pre if isinstance(s, ir.SetLocal)], inner, stores[0], fn)
        return nest if nest.accepted() else None

    def accepted(self) -> bool:
        loop, inner, store, fn = self.loop, self.inner, self.store, self.fn
        w = store.array
        if w.offset is not None or w.type.element.numpy != "float64" or store.value.ty != F64:
            return False
        self.bindings = _bindings(fn)
        if not _made_here(w.name, self.bindings):
            return False
        assigned = versioning.assigned(loop.body) | {loop.var, loop.counter, loop.limit}
        assigned.add(loop.stride)
        if loop.var in versioning.assigned(loop.body):
            return False
        # the range of j, and W's row, are the same for every k
        for e in (inner.start, inner.stop):
            if not isinstance(e, ir.Const | ir.LocalGet):
                return False
            if isinstance(e, ir.LocalGet) and e.name in assigned:
                return False
        if not all(versioning.invariant(e, assigned) for e in store.indices[:-1]):
            return False
        self.assigned = assigned
        self.in_inner = versioning.assigned(inner.body) | {inner.var}
        if not _is_var(store.indices[-1], inner.var):
            return False
        if not all(self._index_ok(store, a, e) for a, e in enumerate(store.indices[:-1])):
            return False
        # the preamble: pure, each local assigned once, none read before it is assigned
        pre_names = [s.name for s in self.pre]
        if len(set(pre_names)) != len(pre_names):
            return False
        seen = {loop.var}
        for s in self.pre:
            for n in nodes(s.value):
                if not isinstance(n, _PURE):
                    return False
                if isinstance(n, ir.LocalGet) and n.name in assigned and n.name not in seen:
                    return False
                if isinstance(n, ir.Load) and n.array.name == w.name:
                    return False
            seen.add(s.name)
        # J: safe operations on its own locals, the preamble's, invariant locals, W's element
        # and other arrays' elements at column j + c
        inner_names: set[str] = set()
        for stmt in inner.body:
            assert isinstance(stmt, ir.SetLocal | ir.Store)
            for n in nodes(stmt.value):
                if isinstance(n, ir.Load):
                    if not self._access_ok(n):
                        return False
                elif isinstance(n, ir.LocalGet):
                    if n.name == inner.var:
                        continue  # only inside indices (checked by _access_ok)
                    if n.name in assigned and n.name not in seen and n.name not in inner_names:
                        return False
                elif isinstance(n, ir.Binary):
                    if n.op not in _SAFE_OPS:
                        return False
                elif isinstance(n, ir.Unary):
                    if n.op != "neg":
                        return False
                elif not isinstance(n, ir.Const):
                    return False
            if isinstance(stmt, ir.SetLocal):
                if stmt.name in seen or stmt.name in (loop.var, inner.var) or stmt.value.ty != F64:
                    return False  # (int arithmetic only in indices: j + c)
                inner_names.add(stmt.name)
        if any(
            isinstance(n, ir.LocalGet) and n.name == inner.var
            for s in inner.body
            for n in _outside_indices(s)
        ):
            return False
        # nothing K assigns is read after it (the copies would leave other values)
        inside = Counter(n.name for n in nodes(loop) if isinstance(n, ir.LocalGet))
        total = Counter(n.name for s in fn.body for n in nodes(s) if isinstance(n, ir.LocalGet))
        return all(total[name] == inside[name] for name in assigned)

    def _access_ok(self, load: ir.Load) -> bool:
        """A load in J: W's own element, another array's at column ``j + c``, or another
        array's element that J does not change (``a[i, k]``: read once per ``k``, at the end
        of the preamble's copy); its other indices unchanged in J, each proven in bounds or
        tested to be for every ``k`` (:meth:`_index_ok`), so that read cannot raise even
        where J would not have run."""
        w, inner = self.store.array, self.inner
        if load.array.name == w.name:
            return _shape(load.indices) == _shape(self.store.indices)
        if not _independent(load.array, w, self.bindings):
            return False
        lead = load.indices
        if versioning.var_offset(load.indices[-1], inner.var) is not None:
            lead = load.indices[:-1]
        return all(self._index_ok(load, axis, e) for axis, e in enumerate(lead))

    def _index_ok(self, access: ir.Load | ir.Store, axis: int, e: ir.Expr) -> bool:
        """An index unchanged in J: proven in bounds, or ``k``, or a sum of constants and
        locals K does not assign (``i + i0``), which the run-time test then shows in bounds
        for every ``k``."""
        safe = axis < len(access.safe) and access.safe[axis]
        if isinstance(e, ir.LocalGet) and e.name == self.loop.var:
            if not safe:
                self.checks.append((access.array, axis, None))
            return True
        if isinstance(e, ir.LocalGet) and e.name not in self.in_inner and safe:
            return True  # (a preamble's view index, checked when the view was made)
        if not versioning.invariant(e, self.assigned | self.in_inner):
            return False
        if not safe:
            self.checks.append((access.array, axis, e))
        return True

    def _hoist(
        self,
        e: ir.Expr,
        j: str,
        hoisted: dict[object, str],
        fresh: _Fresh,
        preamble: list[ir.Stmt],
    ) -> ir.Expr:
        """``e`` with each load J does not change (no ``j`` in its indices; W's element
        aside) read into a local at the end of ``preamble`` (this copy's) instead."""
        if isinstance(e, ir.Load):
            w = self.store.array.name
            if e.array.name == w or versioning.var_offset(e.indices[-1], j) is not None:
                return e
            key = (e.array.name, _shape(e.indices))
            if key not in hoisted:
                assert isinstance(e.ty, Scalar)
                hoisted[key] = fresh.local("element", e.ty)
                preamble.append(ir.SetLocal(e.line, e.col, hoisted[key], e))
            return ir.LocalGet(e.line, e.col, e.ty, hoisted[key])
        for f in dataclasses.fields(e):
            v = getattr(e, f.name)
            if isinstance(v, ir.Expr):
                setattr(e, f.name, self._hoist(v, j, hoisted, fresh, preamble))
        return e

    def factor(self) -> int:
        """:data:`FACTORS`' first when J reads at most two things that change with ``k``
        (rows whose leading indices, and locals, the preamble assigns), else its second."""
        pre = {s.name for s in self.pre} | {self.loop.var}
        changing: set[object] = set()
        for stmt in self.inner.body:
            assert isinstance(stmt, ir.SetLocal | ir.Store)
            for n in nodes(stmt.value):
                if isinstance(n, ir.Load) and n.array.name != self.store.array.name:
                    lead = n.indices[:-1]
                    if any(isinstance(e, ir.LocalGet) and e.name in pre for e in lead):
                        changing.add((n.array.name, _shape(lead)))
                elif isinstance(n, ir.LocalGet) and n.name in pre:
                    changing.add(n.name)
        # (the leading indices' locals were counted with their rows)
        rows = {k for k in changing if isinstance(k, tuple)}
        for _, lead in rows:
            changing -= {x[1] for x in lead if isinstance(x, tuple) and x[0] == "local"}
        return FACTORS[0] if len(changing) <= 2 else FACTORS[1]

    def rewrite(self, fresh: _Fresh) -> list[ir.Stmt]:
        """``~s = start; ~e = stop; if <test>: <jammed>; <rest> else: <the loop>``."""
        loop, inner = self.loop, self.inner
        line, col = loop.line, loop.col
        start_value, stop_value = loop.start, loop.stop
        start = fresh.local("start", I64)
        stop = fresh.local("stop", I64)
        split = fresh.local("split", I64)

        def get(name: str, ty: Scalar = I64) -> ir.LocalGet:
            return ir.LocalGet(line, col, ty, name)

        def const(v: int) -> ir.Const:
            return ir.Const(line, col, I64, v)

        def cmp(op: str, a: ir.Expr, b: ir.Expr) -> ir.Expr:
            return ir.Compare(line, col, BOOL, op, a, b)

        def both(a: ir.Expr, b: ir.Expr) -> ir.Expr:
            return ir.Binary(line, col, BOOL, "and", a, b)

        def i64(op: str, a: ir.Expr, b: ir.Expr) -> ir.Expr:
            return ir.Binary(line, col, I64, op, a, b)

        test = both(cmp("le", const(0), get(start)), cmp("le", get(start), get(stop)))
        js, je = inner.start, inner.stop
        test = both(test, cmp("ge", copy.deepcopy(js), const(0)))
        seen: set[object] = set()
        for access in [self.store, *(n for s in inner.body for n in nodes(s))]:
            if not isinstance(access, ir.Load | ir.Store):
                continue
            c = versioning.var_offset(access.indices[-1], inner.var)
            if c is None:
                continue  # an element J does not change: its indices are in self.checks
            key = (access.array.name, c)
            if key in seen:
                continue
            seen.add(key)
            dim = ir.Dim(line, col, I64, access.array, access.array.type.ndim - 1)
            test = both(test, cmp("ge", copy.deepcopy(js), const(-c)))
            test = both(test, cmp("le", copy.deepcopy(je), i64("sub", dim, const(c))))
        for array, axis, index in self.checks:
            dim = ir.Dim(line, col, I64, array, axis)
            if index is None:  # k, from start >= 0 to stop - 1
                test = both(test, cmp("le", get(stop), dim))
            else:
                test = both(test, cmp("ge", copy.deepcopy(index), const(0)))
                test = both(test, cmp("lt", copy.deepcopy(index), dim))

        # the jammed loop: F preambles, then J updating each element F times
        factor = self.factor()
        q = fresh.local(loop.var, I64)
        preambles: list[list[ir.Stmt]] = []
        maps: list[dict[str, str]] = []
        for u in range(factor):
            names = {loop.var: fresh.copy_of(loop.var, I64)}
            for s in self.pre:
                names[s.name] = fresh.copy_of(s.name, self.fn.locals[s.name])
            for stmt in inner.body:
                if isinstance(stmt, ir.SetLocal):
                    names[stmt.name] = fresh.copy_of(stmt.name, self.fn.locals[stmt.name])
            maps.append(names)
            k = ir.SetLocal(line, col, names[loop.var], i64("add", get(q), const(u)))
            preambles.append([k, *(_renamed(s, names) for s in self.pre)])
        element = fresh.local("element", F64)
        j = fresh.copy_of(inner.var, I64)
        w = self.store
        j_body: list[ir.Stmt] = [
            ir.SetLocal(line, col, element, _renamed(_load_of(w), {inner.var: j}))
        ]
        for u, names in enumerate(maps):
            names = {**names, inner.var: j}
            hoisted: dict[object, str] = {}
            for stmt in inner.body:
                new = _renamed(stmt, names)
                assert isinstance(new, ir.SetLocal | ir.Store)
                new.value = self._hoist(new.value, j, hoisted, fresh, preambles[u])
                if isinstance(new, ir.Store):
                    value = _replace_loads(new.value, w.array.name, get(element, F64))
                    j_body.append(ir.SetLocal(line, col, element, value))
                else:
                    assert isinstance(new, ir.SetLocal)
                    new.value = _replace_loads(new.value, w.array.name, get(element, F64))
                    j_body.append(new)
        j_body.append(
            ir.Store(
                w.line,
                w.col,
                w.array,
                [_renamed(e, {inner.var: j}) for e in w.indices],
                get(element, F64),
                list(w.safe),
                list(w.nonneg),
            )
        )
        jammed_inner = ir.ForRange(
            inner.line,
            inner.col,
            j,
            copy.deepcopy(js),
            copy.deepcopy(je),
            const(1),
            j_body,
            fresh.local("counter", I64),
            fresh.local("limit", I64),
            fresh.local("stride", I64),
        )
        jammed_body = [*(s for p in preambles for s in p), jammed_inner]
        jammed = ir.ForRange(
            line,
            col,
            q,
            get(start),
            get(split),
            const(factor),
            jammed_body,
            fresh.local("counter", I64),
            fresh.local("limit", I64),
            fresh.local("stride", I64),
        )
        # the iterations left: the loop itself, on copies of its locals
        rest_names = {
            name: fresh.copy_of(name, self.fn.locals[name])
            for name in sorted(versioning.assigned(loop.body) | {loop.var})
            if name in self.fn.locals
        }
        rest = _renamed(loop, rest_names)
        assert isinstance(rest, ir.ForRange)
        rest.start, rest.stop = get(start), get(stop)
        rest.counter = fresh.local("counter", I64)
        rest.limit = fresh.local("limit", I64)
        rest.stride = fresh.local("stride", I64)
        # a multiple of F iterations jammed (stop - start >= 0: no wrapping)
        whole = i64("and", i64("sub", get(stop), get(start)), const(-factor))
        then: list[ir.Stmt] = [
            ir.SetLocal(line, col, split, i64("add", get(start), whole)),
            jammed,
        ]
        rest.start = get(split)
        then.append(rest)
        original = loop
        original.start, original.stop = get(start), get(stop)
        return [
            ir.SetLocal(line, col, start, start_value),
            ir.SetLocal(line, col, stop, stop_value),
            ir.If(line, col, test, then, [original]),
        ]


def _step_one(loop: ir.ForRange) -> bool:
    return isinstance(loop.step, ir.Const) and loop.step.value == 1 and loop.lanes == 1


def _is_var(e: ir.Expr, var: str) -> bool:
    return isinstance(e, ir.LocalGet) and e.name == var


def _outside_indices(s: ir.Stmt) -> list[ir.Node]:
    """The nodes of ``s``'s value that are not inside an access's indices."""
    out: list[ir.Node] = []
    stack: list[ir.Node] = [s.value] if isinstance(s, ir.SetLocal | ir.Store) else []
    while stack:
        n = stack.pop()
        out.append(n)
        if isinstance(n, ir.Load):
            continue
        for f in dataclasses.fields(n):
            v = getattr(n, f.name)
            if isinstance(v, ir.Expr):
                stack.append(v)
    return out


def _bindings(fn: ir.Function) -> tuple[set[str], set[str], set[str]]:
    """Array names of ``fn``: (parameters, bound by AllocArray, bound any other way)."""
    params = {p.name for p in fn.params if isinstance(p.type, ArrayType)}
    made: set[str] = set()
    other: set[str] = set()
    for stmt in fn.body:
        for n in nodes(stmt):
            if isinstance(n, ir.AllocArray):
                made.add(n.array.name)
            elif isinstance(n, ir.BindArray):
                other.add(n.array.name)
            elif isinstance(n, ir.UnpackResults):
                other.update(t.name for t in n.targets if isinstance(t, ir.ArrayRef))
            elif isinstance(n, ir.SwapArrays):
                other.update((n.first.name, n.second.name))
    return params, made, other


def _made_here(name: str, bindings: tuple[set[str], set[str], set[str]]) -> bool:
    """Whether array ``name`` is only ever a fresh array made in the function whose
    :func:`_bindings` these are."""
    params, made, other = bindings
    return name in made and name not in other and name not in params


def _independent(
    array: ir.ArrayRef, w: ir.ArrayRef, bindings: tuple[set[str], set[str], set[str]]
) -> bool:
    """Whether ``array`` cannot share bytes with ``w`` (made in the function, never rebound):
    another name that is a persistent array, a parameter or an array made here, never
    bound to anything else (a call's result may be a view of ``w``)."""
    if array.name == w.name:
        return False
    if array.offset is not None:
        return True
    params, made, other = bindings
    return (array.name in params or array.name in made) and array.name not in other


def _shape(indices: list[ir.Expr]) -> tuple[object, ...]:
    return tuple(versioning.shape_of(e) for e in indices)


def _forward_temps(inner: ir.ForRange, fn: ir.Function) -> None:
    """``ci[j] += x`` keeps its indices in temporaries; see them as ``j`` (simd.py)."""
    from portalis.lang.backend.simd import _TempUses, forward_index_temps

    forward_index_temps(inner, _TempUses(fn))


N = TypeVar("N", bound=ir.Node)


def _renamed(node: N, names: dict[str, str]) -> N:
    """A copy of ``node`` with the locals in ``names`` renamed (reads and writes)."""
    new = copy.deepcopy(node)
    _rename_in(new, names)
    return new


def _rename_in(root: ir.Node, names: dict[str, str]) -> None:
    for n in nodes(root):
        if isinstance(n, ir.LocalGet | ir.SetLocal | ir.LocalTee) and n.name in names:
            n.name = names[n.name]
        elif isinstance(n, ir.ForRange):
            n.var = names.get(n.var, n.var)
            n.counter = names.get(n.counter, n.counter)
            n.limit = names.get(n.limit, n.limit)
            n.stride = names.get(n.stride, n.stride)
        elif isinstance(n, ir.Logical):
            n.temp = names.get(n.temp, n.temp)
        elif isinstance(n, ir.Unpack):
            n.names = [names.get(x, x) for x in n.names]


def _load_of(store: ir.Store) -> ir.Load:
    return ir.Load(
        store.line,
        store.col,
        F64,
        store.array,
        copy.deepcopy(store.indices),
        list(store.safe),
        list(store.nonneg),
    )


def _replace_loads(e: ir.Expr, array: str, by: ir.LocalGet) -> ir.Expr:
    """``e`` with every load from ``array`` replaced by (copies of) ``by``."""
    if isinstance(e, ir.Load) and e.array.name == array:
        return copy.deepcopy(by)
    for f in dataclasses.fields(e):
        v = getattr(e, f.name)
        if isinstance(v, ir.Expr):
            setattr(e, f.name, _replace_loads(v, array, by))
    return e


__all__ = ["FACTORS", "jam_loops"]
