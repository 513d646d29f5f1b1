"""What a record expression is and what it calls, as CPython would decide: the kind of an
expression (a record class, a tuple holding records, or a number), the function, method,
operator method or constructor a call or operator runs, which argument each parameter
gets, and the kind of every record local of a function.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from portalis.lang.frontend.record_complex import CMATH
from portalis.lang.frontend.record_model import Kind, RecordClass, Signature, TupleKind, UnionKind
from portalis.lang.frontend.record_signatures import kind_of_annotation
from portalis.lang.frontend.record_syntax import copy_expr, isinstance_test, located

if TYPE_CHECKING:
    from portalis.lang.frontend.records import ModuleLowering

#: Binary operator → (method, reflected method).
BINARY_METHODS: dict[type, tuple[str, str]] = {
    ast.Add: ("__add__", "__radd__"),
    ast.Sub: ("__sub__", "__rsub__"),
    ast.Mult: ("__mul__", "__rmul__"),
    ast.Div: ("__truediv__", "__rtruediv__"),
    ast.FloorDiv: ("__floordiv__", "__rfloordiv__"),
    ast.Mod: ("__mod__", "__rmod__"),
    ast.Pow: ("__pow__", "__rpow__"),
    ast.MatMult: ("__matmul__", "__rmatmul__"),
}
UNARY_METHODS: dict[type, str] = {
    ast.USub: "__neg__",
    ast.UAdd: "__pos__",
    ast.Invert: "__invert__",
}
COMPARE_METHODS: dict[type, tuple[str, str]] = {
    ast.Lt: ("__lt__", "__gt__"),
    ast.LtE: ("__le__", "__ge__"),
    ast.Gt: ("__gt__", "__lt__"),
    ast.GtE: ("__ge__", "__le__"),
    ast.Eq: ("__eq__", "__eq__"),
    ast.NotEq: ("__ne__", "__ne__"),
}


def resolve_call(
    low: ModuleLowering, e: ast.expr, env: dict[str, Kind]
) -> Signature | RecordClass | None:
    """The function (or dataclass) an expression calls, when it is a call of a kernel
    function, a method, a record operator or a record constructor."""
    if isinstance(e, ast.Call):
        f = e.func
        if isinstance(f, ast.Name):
            if f.id in low.classes:
                cls = low.classes[f.id]
                if cls.is_dataclass or cls.builtin:
                    return cls
                return low.sigs[f"{cls.name}.__init__"]
            if f.id in low.functions:
                return low.functions[f.id]
            if f.id == "abs" and len(e.args) == 1:
                k = kind_of(low, e.args[0], env)
                if isinstance(k, RecordClass):
                    return low.method(k, "__abs__")
            if f.id in low.cmath_names:
                return low.functions.get(CMATH[low.cmath_names[f.id]])
            return None
        if isinstance(f, ast.Attribute):
            if isinstance(f.value, ast.Name) and f.value.id in low.cmath_modules:
                return low.functions.get(CMATH.get(f.attr, ""))
            if (
                isinstance(f.value, ast.Name)
                and f.value.id in low.classes
                and f.value.id not in env
            ):
                return low.method(low.classes[f.value.id], f.attr)
            k = kind_of(low, f.value, env)
            if isinstance(k, RecordClass):
                return low.method(k, f.attr)
        return None
    if isinstance(e, ast.BinOp) and type(e.op) in BINARY_METHODS:
        lk, rk = kind_of(low, e.left, env), kind_of(low, e.right, env)
        choice = binary_method(low, e, lk, rk)
        return choice[0] if choice else None
    if isinstance(e, ast.UnaryOp) and type(e.op) in UNARY_METHODS:
        k = kind_of(low, e.operand, env)
        if isinstance(k, RecordClass):
            return low.method(k, UNARY_METHODS[type(e.op)])
    return None


def bind_call(
    low: ModuleLowering, sig: Signature, e: ast.expr, env: dict[str, Kind]
) -> dict[str, ast.expr]:
    """The argument expression each parameter of ``sig`` gets at call ``e`` (the receiver
    for ``self``; the operands of an operator, reflected ones swapped)."""
    if isinstance(e, ast.UnaryOp):
        return {sig.params[0][0]: e.operand}
    if isinstance(e, ast.BinOp):
        choice = binary_method(low, e, kind_of(low, e.left, env), kind_of(low, e.right, env))
        operands = [e.right, e.left] if choice is not None and choice[1] else [e.left, e.right]
        return {p: a for (p, _, _), a in zip(sig.params, operands, strict=False)}
    assert isinstance(e, ast.Call)
    params = [p for p, _, _ in sig.params]
    args: list[ast.expr] = list(e.args)
    if sig.is_init:
        params = params[1:]
    elif sig.owner is not None and isinstance(e.func, ast.Attribute):
        receiver = e.func.value
        if not (isinstance(receiver, ast.Name) and receiver.id in low.classes):
            args = [receiver, *args]
    bound = dict(zip(params, args, strict=False))
    for kw in e.keywords:
        if kw.arg is not None:
            bound[kw.arg] = kw.value
    return bound


def bind_fields(low: ModuleLowering, cls: RecordClass, call: ast.Call) -> dict[str, ast.expr]:
    """A dataclass constructor's arguments (and defaults) by field."""
    d = low.d
    if len(call.args) > len(cls.fields):
        raise d.error(
            call, f"`{cls.node.name}` takes {len(cls.fields)} arguments, got {len(call.args)}"
        )
    bound: dict[str, ast.expr] = {}
    for f, a in zip(cls.fields, call.args, strict=False):
        if isinstance(a, ast.Starred):
            raise d.error(a, "starred arguments (*x) are not supported")
        bound[f] = a
    for kw in call.keywords:
        if kw.arg not in cls.fields:
            raise d.error(kw.value, f"`{cls.node.name}` has no field `{kw.arg}`")
        if kw.arg in bound:
            raise d.error(kw.value, f"`{cls.node.name}` got two values for `{kw.arg}`")
        bound[kw.arg] = kw.value
    for f in cls.fields:
        if f not in bound:
            if f not in cls.defaults:
                raise d.error(call, f"`{cls.node.name}` is missing field `{f}`")
            bound[f] = located(copy_expr(cls.defaults[f]), call)
    return bound


def binary_method(
    low: ModuleLowering, e: ast.BinOp, lk: Kind, rk: Kind
) -> tuple[Signature, bool, str] | None:
    """(method, reflected?, promote) for ``a OP b`` with a record operand, chosen as CPython
    chooses: the left operand's method when it accepts the right one, else the right
    operand's reflected method. ``promote`` names the operand a number is turned into a
    complex for ("left"/"right"/"")."""
    if not isinstance(lk, RecordClass) and not isinstance(rk, RecordClass):
        return None
    name, rname = BINARY_METHODS[type(e.op)]

    def accepts(sig: Signature | None, k: Kind) -> bool:
        if sig is None or len(sig.params) != 2:
            return False
        param = sig.params[1][1]
        return param is k or (isinstance(param, UnionKind) and param.choose(k) is not None)

    if isinstance(lk, RecordClass):
        m = low.method(lk, name)
        if accepts(m, rk):
            assert m is not None
            return m, False, ""
        if lk.builtin and rk is None and m is not None:
            return m, False, "right"
    if isinstance(rk, RecordClass):
        m = low.method(rk, rname)
        if accepts(m, lk):
            assert m is not None
            return m, True, ""
        if rk.builtin and lk is None:
            m = low.method(rk, name)
            if m is not None:
                return m, False, "left"
    return None


def kind_of(low: ModuleLowering, e: ast.expr, env: dict[str, Kind]) -> Kind:
    """Whether ``e`` is a record (which class), a tuple holding records, or neither."""
    if isinstance(e, ast.Name):
        if e.id in env:
            return env[e.id]
        return low.constants.get(e.id)
    if isinstance(e, ast.Constant):
        return low.classes["complex"] if isinstance(e.value, complex) else None
    if isinstance(e, ast.Attribute):
        k = kind_of(low, e.value, env)
        if isinstance(k, RecordClass) and e.attr in k.kinds:
            return k.kinds[e.attr]
        if isinstance(k, RecordClass) and (prop := low.property(k, e.attr)) is not None:
            return prop.result
        return None
    if isinstance(e, ast.Subscript):
        if isinstance(e.value, ast.Name) and e.value.id in low.tables and e.value.id not in env:
            return low.tables[e.value.id][0]
        return None
    if isinstance(e, ast.IfExp):
        known = _isinstance_of_known(low, e.test, env)
        if known is not None:
            return kind_of(low, e.body if known else e.orelse, env)
        return kind_of(low, e.body, env)
    if isinstance(e, ast.Tuple):
        kinds = [kind_of(low, i, env) for i in e.elts]
        if any(k is not None for k in kinds):
            return TupleKind(kinds, [None] * len(kinds))
        return None
    if isinstance(e, ast.Call | ast.BinOp | ast.UnaryOp):
        target = resolve_call(low, e, env)
        if isinstance(target, RecordClass):
            return target
        if isinstance(target, Signature):
            return target.result
        if (
            isinstance(e, ast.Call)
            and isinstance(e.func, ast.Name)
            and e.func.id == "complex"
            and "complex" in low.classes
        ):
            return low.classes["complex"]
    return None


def _isinstance_of_known(low: ModuleLowering, test: ast.expr, env: dict[str, Kind]) -> bool | None:
    """``isinstance(v, Vec3)`` where ``v``'s type is known here: a record local, or a name
    that holds no record tested against record classes only."""
    tested = isinstance_test(test)
    if tested is None:
        return None
    subject, names = tested
    k = env.get(subject)
    if isinstance(k, RecordClass):
        return k.name in names or k.node.name in names
    if k is None and all(n in low.classes for n in names):
        return False
    return None


def record_locals(low: ModuleLowering, sig: Signature) -> dict[str, Kind]:
    """The kind of every record local of a function, from its first binding in source order
    (as the front end types every local)."""
    if sig.env is not None:
        return sig.env
    env: dict[str, Kind] = {p: k for p, k, _ in sig.params if k is not None}
    sig.env = env

    def bind(target: ast.expr, k: Kind, where: ast.AST) -> None:
        if isinstance(target, ast.Name):
            old = env.get(target.id, "unset")
            if old == "unset":
                if k is not None:
                    env[target.id] = k
                    if target.id in {p for p, _, _ in sig.params}:
                        pass
            elif old is not k and not (isinstance(old, TupleKind) or isinstance(k, TupleKind)):
                raise low.d.error(
                    where,
                    f"`{target.id}` holds a {old} and is assigned "
                    f"{'a number' if k is None else 'a ' + str(k)} here",
                    "a local keeps one type; use another name",
                )
        elif (
            isinstance(target, ast.Tuple)
            and isinstance(k, TupleKind)
            and len(k.items) == len(target.elts)
        ):
            for t, ik in zip(target.elts, k.items, strict=True):
                bind(t, ik, where)

    def visit(body: list[ast.stmt]) -> None:
        for s in body:
            if isinstance(s, ast.Assign):
                for t in s.targets:
                    if isinstance(t, ast.Tuple) and isinstance(s.value, ast.Tuple):
                        for x, v in zip(t.elts, s.value.elts, strict=False):
                            bind(x, kind_of(low, v, env), s)
                    else:
                        bind(t, kind_of(low, s.value, env), s)
            elif isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name):
                k = kind_of_annotation(low, s.annotation, s)
                if k is None and s.value is not None:
                    k = kind_of(low, s.value, env) if s.target.id in env else None
                if k is not None:
                    bind(s.target, k, s)
            elif isinstance(s, ast.For):
                it = table_iteration(low, s.iter, env)
                if it is not None:
                    cls, enumerated = it
                    if enumerated and isinstance(s.target, ast.Tuple) and len(s.target.elts) == 2:
                        bind(s.target.elts[1], cls, s)
                    elif not enumerated:
                        bind(s.target, cls, s)
                visit(s.body)
                visit(s.orelse)
            elif isinstance(s, ast.If | ast.While):
                visit(s.body)
                visit(s.orelse)

    visit(sig.node.body)
    return env


def table_iteration(
    low: ModuleLowering, it: ast.expr, env: dict[str, Kind]
) -> tuple[RecordClass, bool] | None:
    """``for s in TABLE`` / ``for i, s in enumerate(TABLE)`` over a module-level tuple of
    records: (its class, enumerated?)."""
    enumerated = False
    if (
        isinstance(it, ast.Call)
        and isinstance(it.func, ast.Name)
        and it.func.id == "enumerate"
        and len(it.args) == 1
        and not it.keywords
    ):
        it, enumerated = it.args[0], True
    if isinstance(it, ast.Name) and it.id in low.tables and it.id not in env:
        return low.tables[it.id][0], enumerated
    return None
