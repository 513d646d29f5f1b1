"""Augmented stores at a neighbouring element see their indices' constant offsets.

``f[a + 1, b, c] += w`` evaluates its indices once, into compiler temporaries (``~t35 = a
+ 1``, ``~t36 = b``, ``~t37 = c``; then ``f[~t35, ~t36, ~t37] = f[~t35, ~t36, ~t37] +
w``). The back end writes a read such as ``f[a + 1, b, c]`` as ``f[a, b, c]``'s element
number plus the stride of the first axis (backend/bounds.py, ``shared_base``), so the eight
corners of a trilinear gather share one multiplied-out base, which the engine computes
once. Behind a temporary the ``+ 1`` is hidden: each corner of a trilinear *scatter* (the
conservative smoke advection's weights, ``share[a + 1, b, c] += tx * sy * sz``) multiplies
out its own ``(a + 1) * d1``, and the engine does not see that ``(a + 1) * d1`` is ``a *
d1 + d1`` — measured, hoisting those products by hand made the 64³ smoke advection ~6%
faster, while the gather's repeated base, already shared, gained nothing.

This pass puts the offsets back where the back end sees them: when the statements just
before a store are the assignments of the temporaries it indexes with, each a local or a
local plus or minus a constant, each temporary assigned once and read only in that store,
and the store assigns nothing (no ``:=``, no statements inside its value), the temporaries
are replaced by their expressions and their assignments dropped. The store then reads its
indices' locals where it used the temporaries — the same values, as nothing between
assigns those locals — and int64 index arithmetic wraps, so an index computed twice is the
same number. Only stores where some index but the last carries a constant offset are
rewritten (the case ``shared_base`` turns into a shared base), and stores with an index
``k * x + c`` (a constant ``k``: ``sums[3 * v + 1] += y``, interleaved x, y, z), which loop
versioning (backend/versioning.py) can then check once before an innermost loop over
``x`` rather than at every store; any other module is built byte for byte as before.
Library functions are left alone (they are shared between builds, lang/library_cache.py).
"""

from __future__ import annotations

from portalis.lang import ir
from portalis.lang.backend import versioning
from portalis.lang.types import I64
from portalis.lang.walk import LAYOUTS, LIST, layout, substitute_local, walk


def forward_store_offsets(module: ir.Module) -> None:
    """Rewrite, in place, the augmented stores of ``module``'s own functions whose index
    temporaries hide a constant offset on a leading axis (see the module's docstring)."""
    for fn in module.functions:
        if not fn.library:
            _function(fn)


def _function(fn: ir.Function) -> None:
    # Only statement lists are searched (an ``if``'s arms, a loop's body; not the
    # statements inside expressions): a store is a statement, and a build walks every
    # expression node of a function several times already.
    bodies = _statement_lists(fn.body)
    if not any(isinstance(s, ir.Store) and any(map(_temp, s.indices)) for b in bodies for s in b):
        return  # no store indexed through a temporary (most functions)
    reads: dict[str, int] = {}
    writes: dict[str, int] = {}
    for stmt in fn.body:
        for n in walk(stmt):
            if isinstance(n, ir.LocalGet):
                if n.name.startswith("~"):
                    reads[n.name] = reads.get(n.name, 0) + 1
            elif isinstance(n, ir.SetLocal | ir.LocalTee) and n.name.startswith("~"):
                writes[n.name] = writes.get(n.name, 0) + 1
    for body in bodies:
        _body(fn, body, reads, writes)


def _statement_lists(body: list[ir.Stmt]) -> list[list[ir.Stmt]]:
    """``body`` and the lists of statements nested in its statements."""
    out = [body]
    for stmts in out:  # grows as it goes
        for s in stmts:
            for name, kind in LAYOUTS.get(type(s)) or layout(type(s)):
                v = getattr(s, name)
                if kind == LIST and v and isinstance(v[0], ir.Stmt):
                    out.append(v)
    return out


def _temp(index: ir.Expr) -> str | None:
    return index.name if isinstance(index, ir.LocalGet) and index.name.startswith("~") else None


def _local_plus_constant(value: ir.Expr) -> tuple[str, int] | None:
    """``x`` → (x, 0); ``x + c`` / ``x - c`` (int64, a small constant ``c``) → (x, ±c)."""
    if isinstance(value, ir.LocalGet) and value.ty == I64:
        return value.name, 0
    if (
        isinstance(value, ir.Binary)
        and value.op in ("add", "sub")
        and value.ty == I64
        and isinstance(value.left, ir.LocalGet)
        and isinstance(value.right, ir.Const)
        and type(value.right.value) is int
        and abs(value.right.value) < 1 << 31
    ):
        c = value.right.value
        return value.left.name, c if value.op == "add" else -c
    return None


def _scaled_local(value: ir.Expr) -> str | None:
    """``x`` when ``value`` is ``k * x``, ``x * k``, ``k * x + c`` or ``k * x - c`` (int64,
    small constants; what backend/versioning.py versions)."""
    found = versioning.scaled_local(value)
    return found[1].name if found is not None and found[1].ty == I64 else None


def _body(
    fn: ir.Function, body: list[ir.Stmt], reads: dict[str, int], writes: dict[str, int]
) -> None:
    dropped: set[int] = set()
    for p, store in enumerate(body):
        if not isinstance(store, ir.Store):
            continue
        names = [_temp(i) for i in store.indices]
        temps = {n for n in names if n is not None}
        # the assignments right before the store, of its own temporaries
        defs: dict[str, tuple[int, ir.Expr]] = {}
        q = p - 1
        while q >= 0 and isinstance(s := body[q], ir.SetLocal) and s.name in temps:
            defs.setdefault(s.name, (q, s.value))
            q -= 1
        if not temps or set(defs) != temps:
            continue
        offsets = {}
        scaled = False
        for t, (_, value) in defs.items():
            form = _local_plus_constant(value)
            if form is not None and form[0] not in temps:
                offsets[t] = form[1]
            elif (x := _scaled_local(value)) is not None and x not in temps:
                offsets[t] = 0
                scaled = True
        if len(offsets) != len(temps):
            continue  # not a local (±c, or scaled), or reads another of the store's temporaries
        if not scaled and not any(n is not None and offsets[n] for n in names[:-1]):
            continue  # no offset on a leading axis, no scaled index: nothing to gain
        inside = list(walk(store))
        if any(isinstance(n, ir.Stmt | ir.LocalTee) for n in inside[1:]):
            continue  # the value may assign a local the indices read
        counts = {t: 0 for t in temps}
        for n in inside:
            if isinstance(n, ir.LocalGet) and n.name in counts:
                counts[n.name] += 1
        if any(writes.get(t) != 1 or reads.get(t) != counts[t] for t in temps):
            continue
        for n in inside:
            for t in temps:
                substitute_local(n, t, defs[t][1])
        for t in temps:
            dropped.add(defs[t][0])
            writes[t] = reads[t] = 0
            fn.locals.pop(t, None)
    if dropped:
        body[:] = [s for k, s in enumerate(body) if k not in dropped]
