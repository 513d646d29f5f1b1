"""Field assignment on records, accepted only where CPython's sharing cannot be observed.

CPython's instances are references: after ``w = v``, ``v.x = 1.0`` changes ``w.x`` too. The
records lowering (frontend/records.py) makes records values, so the two agree exactly when a
record that is changed is never shared: it is a local, every value bound to it is new (a
constructor, or a call whose result shares nothing with its arguments: ``fresh``), and it is
never copied to another name, stored in another record, or passed where a record result
could keep it. Parameters (``self`` outside ``__init__``), frozen dataclasses and complex
numbers are never changed. Anything else is refused, saying what to write instead.

Whether a value is fresh (:func:`fresh_expr`, :func:`fresh_function`) is decided at the end
of this module; the body lowering asks it too, before copying a changed record back into an
argument that is not a local.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from portalis.lang.frontend.diagnostics import shown
from portalis.lang.frontend.record_model import Kind, RecordClass, Signature
from portalis.lang.frontend.record_resolution import (
    bind_call,
    bind_fields,
    kind_of,
    record_locals,
    resolve_call,
)
from portalis.lang.frontend.record_syntax import assigned_targets

if TYPE_CHECKING:
    from portalis.lang.frontend.record_bodies import FunctionLowering
    from portalis.lang.frontend.records import ModuleLowering


def check_mutations(fl: FunctionLowering, body: list[ast.stmt]) -> None:
    low, sig, d = fl.low, fl.sig, fl.d
    params = {p for p, _, _ in sig.params}
    written: dict[str, ast.AST] = {}
    for n in fl.sig.nodes():
        for t in assigned_targets(n):
            if not isinstance(t, ast.Attribute):
                continue
            root: ast.expr = t
            depth = 0
            while isinstance(root, ast.Attribute):
                root, depth = root.value, depth + 1
            if not isinstance(root, ast.Name):
                raise d.error(t, f"cannot assign to `{shown(t)}`")
            k = fl.kind(root)
            if not isinstance(k, RecordClass):
                raise d.error(t, f"cannot assign to `{shown(t)}`: `{root.id}` is not a record")
            owner = fl.kind(t.value)
            assert isinstance(owner, RecordClass)
            if t.attr not in owner.kinds:
                raise fl.no_field(t, owner)
            name = root.id
            if owner.builtin:
                raise d.error(
                    t, f"`{shown(t)}`: complex numbers are immutable (AttributeError in Python)"
                )
            if owner.frozen or k.frozen:
                raise d.error(
                    t,
                    f"`{shown(t)}`: `{owner.node.name}` is a frozen dataclass "
                    "(FrozenInstanceError in Python)",
                )
            is_self_in_init = sig.is_init and name == "self"
            if name in params and not is_self_in_init and name not in sig.inout:
                raise d.error(
                    t,
                    f"`{shown(t)}` changes "
                    f"{'the receiver' if name == 'self' else 'parameter `' + name + '`'}, "
                    "which the caller still holds: records are values in kernels, so the "
                    "caller would not see the change that CPython shows it",
                    "return a new record instead (return Vec3(self.x * s, self.y, self.z)), "
                    "or copy it into a local first: v = Vec3(p.x, p.y, p.z)",
                )
            if name not in fl.env:
                raise d.error(t, f"module-level record `{name}` is a constant")
            if depth > 1 and not is_self_in_init:
                raise d.error(
                    t,
                    f"`{shown(t)}` changes a record inside a record, which other names may "
                    "share in CPython",
                    f"assign the whole field: {shown(t.value)} = ...",
                )
            written.setdefault(name, t)
    _passed_to_change(fl, body, written)
    for name, where in written.items():
        if sig.is_init and name == "self":
            continue
        if name in sig.inout and bindings(sig, name):
            raise d.error(
                where,
                f"`{name}` is changed for the caller (it is copied back into what was passed), "
                "so it cannot be rebound in the function",
                f"use another name for the new record, or copy it: {name}.x = ... field by field",
            )
        for b in bindings(sig, name):
            if b is None or names_another(b) or not fresh_expr(low, b, fl.env, sig, set()):
                raise d.error(
                    where,
                    f"`{shown(where)}` changes `{name}`, which may share its object with another "
                    "name in CPython (it is bound to "
                    f"{shown(b) if b is not None else 'a loop item'})",
                    "records are values in kernels: change only a record made here "
                    f"(`{name} = Cls(...)`, or a copy: Vec3(w.x, w.y, w.z))",
                )
    if not written:
        return
    check_whole_uses(fl, body, set(written) - ({"self"} if sig.is_init else set()), written)


def _passed_to_change(
    fl: FunctionLowering, body: list[ast.stmt], written: dict[str, ast.AST]
) -> None:
    """Locals passed where a function changes its parameter count as changed here (the
    change is copied back into them); passing one twice to the same call would give the
    callee two names for one object, so it is refused."""
    for n in fl.sig.nodes():
        if not isinstance(n, ast.Call | ast.BinOp | ast.UnaryOp):
            continue
        target = resolve_call(fl.low, n, fl.env)
        if not isinstance(target, Signature) or not target.inout:
            continue
        bound = bind_call(fl.low, target, n, fl.env)
        for p in target.inout:
            arg = bound.get(p)
            if not isinstance(arg, ast.Name) or arg.id not in fl.env:
                continue
            others = [
                a
                for q, a in bound.items()
                if q != p and any(isinstance(x, ast.Name) and x.id == arg.id for x in ast.walk(a))
            ]
            if others:
                raise fl.d.error(
                    n,
                    f"`{arg.id}` is passed twice to `{shown(n)}`, which changes its `{p}`: in "
                    "CPython both parameters would name one object",
                    f"pass a copy for one of them: {arg.id}2 = Cls({arg.id}.x, ...)",
                )
            written.setdefault(arg.id, n)


def names_another(e: ast.expr) -> bool:
    """``w = v`` (or ``w = v if c else u``): a second name for an object that stays live."""
    if isinstance(e, ast.IfExp):
        return names_another(e.body) or names_another(e.orelse)
    return isinstance(e, ast.Name | ast.Attribute | ast.Subscript)


def check_whole_uses(
    fl: FunctionLowering, body: list[ast.stmt], names: set[str], written: dict[str, ast.AST]
) -> None:
    """A changed record may be read field by field, passed to calls whose result cannot
    keep it, and returned; anything else would make a second name for it."""
    d = fl.d
    parents: dict[int, ast.AST] = {}
    for n in fl.sig.nodes():
        for c in ast.iter_child_nodes(n):
            parents[id(c)] = n
    for n in fl.sig.nodes():
        if not (isinstance(n, ast.Name) and n.id in names and isinstance(n.ctx, ast.Load)):
            continue
        p = parents.get(id(n))
        if isinstance(p, ast.Attribute):
            gp = parents.get(id(p))
            owner = fl.kind(n)
            prop = fl.low.property(owner, p.attr) if isinstance(owner, RecordClass) else None
            if isinstance(gp, ast.Call) and gp.func is p:
                if keeps_nothing(fl, gp, n):
                    continue
            elif prop is not None:  # a property is a call: it may return its receiver
                if prop.result is None or fresh_function(fl.low, prop):
                    continue
            else:
                continue
        elif isinstance(p, ast.Call | ast.BinOp | ast.UnaryOp | ast.Compare):
            if isinstance(p, ast.Compare) or keeps_nothing(fl, p, n):
                continue
        elif (
            isinstance(p, ast.Return)
            or (isinstance(p, ast.Tuple) and isinstance(parents.get(id(p)), ast.Return))
        ) and n.id not in fl.sig.inout:
            continue
        raise d.error(
            n,
            f"`{n.id}` is changed by field assignment (line "
            f"{getattr(written[n.id], 'lineno', '?')}), so it cannot also be shared here: "
            f"`{shown(p) if p is not None else n.id}` would give CPython a second name for "
            "the same object",
            f"copy it: {n.id}2 = Cls({n.id}.x, ...), or do not assign its fields",
        )


def keeps_nothing(fl: FunctionLowering, call: ast.expr, arg: ast.Name) -> bool:
    """Whether nothing can keep ``arg`` after the call: its result is a number or a new
    record sharing nothing with its arguments, and it changes no record ``arg`` could be
    stored in (a function that changes ``rec`` may do ``rec.n = arg``)."""
    target = resolve_call(fl.low, call, fl.env)
    if isinstance(target, Signature) and target.inout:
        bound = bind_call(fl.low, target, call, fl.env)
        changed = [bound.get(p) for p in target.inout]
        if not any(isinstance(c, ast.Name) and c.id == arg.id for c in changed):
            return False
    k = fl.kind(call)
    if k is None:
        return True
    if isinstance(target, RecordClass):
        return target.builtin
    if isinstance(target, Signature):
        return fresh_function(fl.low, target) or (target.owner is not None and target.owner.builtin)
    return False


# -- freshness: may a result share an object with anything that existed before? ------------


def fresh_function(low: ModuleLowering, sig: Signature) -> bool:
    if sig.name in low.fresh_memo:
        return low.fresh_memo[sig.name]
    low.fresh_memo[sig.name] = True  # recursion: assume fresh, the other paths decide
    env = record_locals(low, sig)
    ok = True
    if sig.is_init:
        for n in sig.nodes():
            if isinstance(n, ast.Assign | ast.AnnAssign):
                targets = n.targets if isinstance(n, ast.Assign) else [n.target]
                for t in targets:
                    if (
                        isinstance(t, ast.Attribute)
                        and isinstance(t.value, ast.Name)
                        and t.value.id == "self"
                        and sig.owner is not None
                        and sig.owner.kinds.get(t.attr) is not None
                        and n.value is not None
                        and not fresh_expr(low, n.value, env, sig, set())
                    ):
                        ok = False
    else:
        for n in sig.nodes():
            if isinstance(n, ast.Return) and n.value is not None and sig.result is not None:
                items = n.value.elts if isinstance(n.value, ast.Tuple) else [n.value]
                for item in items:
                    if kind_of(low, item, env) is not None and not fresh_expr(
                        low, item, env, sig, set()
                    ):
                        ok = False
    low.fresh_memo[sig.name] = ok
    return ok


def fresh_expr(
    low: ModuleLowering, e: ast.expr, env: dict[str, Kind], sig: Signature, seen: set[str]
) -> bool:
    if isinstance(e, ast.Constant):
        return True
    if isinstance(e, ast.IfExp):
        return fresh_expr(low, e.body, env, sig, seen) and fresh_expr(low, e.orelse, env, sig, seen)
    if isinstance(e, ast.Name):
        if e.id in seen:
            return True
        if e.id in {p for p, _, _ in sig.params} and not (sig.is_init and e.id == "self"):
            return False
        if e.id not in env:
            return False  # a module-level record, shared by every use
        values = bindings(sig, e.id)
        return all(b is not None and fresh_expr(low, b, env, sig, seen | {e.id}) for b in values)
    target = resolve_call(low, e, env)
    if target is None:
        return False
    if isinstance(target, RecordClass):  # a dataclass constructor
        if target.builtin:
            return True
        assert isinstance(e, ast.Call)
        bound = bind_fields(low, target, e)
        return all(
            fresh_expr(low, bound[f], env, sig, seen)
            for f in target.fields
            if target.kinds[f] is not None
        )
    return (target.owner is not None and target.owner.builtin) or fresh_function(low, target)


def bindings(sig: Signature, name: str) -> list[ast.expr | None]:
    """Every value bound to local ``name`` in ``sig``'s body (None: not a plain value — a
    loop variable, an item unpacked from a call)."""
    out: list[ast.expr | None] = []
    for n in sig.nodes():
        if isinstance(n, ast.Assign):
            for t in n.targets:
                if isinstance(t, ast.Name) and t.id == name:
                    out.append(n.value if len(n.targets) == 1 else None)
                elif isinstance(t, ast.Tuple) and any(
                    isinstance(x, ast.Name) and x.id == name for x in t.elts
                ):
                    if isinstance(n.value, ast.Tuple):
                        i = [isinstance(x, ast.Name) and x.id == name for x in t.elts].index(True)
                        out.append(n.value.elts[i] if i < len(n.value.elts) else None)
                    else:
                        out.append(n.value)  # fresh when the call is
        elif (
            isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name) and n.target.id == name
        ):
            if n.value is not None:
                out.append(n.value)
        elif (
            isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name) and n.target.id == name
        ):
            out.append(ast.BinOp(left=n.target, op=n.op, right=n.value))
        elif isinstance(n, ast.For) and any(
            isinstance(x, ast.Name) and x.id == name for x in ast.walk(n.target)
        ):
            out.append(None)
    return out
