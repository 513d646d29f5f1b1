"""Calls under the records lowering (frontend/records.py): a call of a kernel function,
method, property or operator method (``a + b``, ``-v``, ``a < b``) with its record
arguments flattened to their fields; a function that changes a record parameter has the
change copied back into the local passed. Which function a call runs is
record_resolution.py's decision.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from functools import partial

from portalis.lang.frontend.diagnostics import operator_text, shown
from portalis.lang.frontend.record_exprs import ExpressionLowering, Pre
from portalis.lang.frontend.record_model import Kind, RecordClass, Signature, TupleKind
from portalis.lang.frontend.record_resolution import (
    BINARY_METHODS,
    COMPARE_METHODS,
    UNARY_METHODS,
    binary_method,
    resolve_call,
)
from portalis.lang.frontend.record_sharing import fresh_expr
from portalis.lang.frontend.record_signatures import specialize
from portalis.lang.frontend.record_syntax import is_trivial, located, name_node


class CallLowering(ExpressionLowering):
    """Calls and operators, for :class:`~portalis.lang.frontend.record_bodies.FunctionLowering`."""

    def call_value(self, e: ast.expr, pre: Pre) -> ast.expr:
        """A call (of a function, method or operator) with its arguments flattened; the
        expression itself, whatever it returns."""
        target = resolve_call(self.low, e, self.env)
        if isinstance(e, ast.BinOp):
            return self.binop(e, pre)
        if isinstance(e, ast.UnaryOp):
            k = self.kind(e.operand)
            assert isinstance(k, RecordClass)
            m = self.low.method(k, UNARY_METHODS[type(e.op)])
            if m is None:
                raise self.d.error(
                    e,
                    f"bad operand type for unary {op_text(e.op)}: '{k}'",
                    f"define {UNARY_METHODS[type(e.op)]} in `{k}`",
                )
            return self.invoke(m, [e.operand], [], e, pre)
        if not isinstance(e, ast.Call):
            raise self.d.error(e, f"`{shown(e)}` cannot be used here")
        if isinstance(target, Signature):
            f = e.func
            receiver: list[ast.expr] = []
            if (
                isinstance(f, ast.Attribute)
                and target.owner is not None
                and not (
                    isinstance(f.value, ast.Name)
                    and f.value.id in self.low.classes
                    and f.value.id not in self.env
                )
            ):
                receiver = [f.value]
            if target.is_init:
                return self.invoke(target, e.args, e.keywords, e, pre, skip_self=True)
            return self.invoke(target, receiver + list(e.args), e.keywords, e, pre)
        if isinstance(e.func, ast.Attribute):
            k = self.kind(e.func.value)
            if isinstance(e.func.value, ast.Name) and e.func.value.id in self.low.classes:
                k = k or self.low.classes[e.func.value.id]
            if isinstance(k, RecordClass):
                self.low.refuse_decorated(k, e.func.attr, e)
                raise self.d.error(
                    e,
                    f"`{k.node.name}` has no method `{e.func.attr}`",
                    "methods: " + (", ".join(sorted(k.methods)) or "none"),
                )
        if isinstance(e.func, ast.Name) and e.func.id == "abs" and len(e.args) == 1:
            k = self.kind(e.args[0])
            if isinstance(k, RecordClass):
                raise self.d.error(
                    e, f"bad operand type for abs(): '{k}'", f"define __abs__ in `{k}`"
                )
        if (
            isinstance(e.func, ast.Attribute)
            and isinstance(e.func.value, ast.Name)
            and e.func.value.id in self.low.cmath_modules
        ):
            raise self.d.error(
                e, f"`cmath.{e.func.attr}` is not supported in kernels", "supported: cmath.exp"
            )
        for a in [*e.args, *(kw.value for kw in e.keywords)]:
            k = self.kind(a)
            if k is not None:
                raise self.d.error(a, f"`{shown(e.func)}` cannot take a {k}")
        groups = self.ordered(
            [partial(self.one, a) for a in e.args]
            + [partial(self.one, kw.value) for kw in e.keywords],
            pre,
        )
        args = [g[0] for g in groups[: len(e.args)]]
        kws = [
            ast.keyword(arg=kw.arg, value=g[0])
            for kw, g in zip(e.keywords, groups[len(e.args) :], strict=True)
        ]
        func = e.func
        if isinstance(func, ast.Attribute):
            func = ast.copy_location(
                ast.Attribute(value=self.scalar(func.value, pre), attr=func.attr, ctx=ast.Load()),
                func,
            )
        return ast.copy_location(ast.Call(func=func, args=args, keywords=kws), e)

    def invoke(
        self,
        sig: Signature,
        args: list[ast.expr],
        keywords: list[ast.keyword],
        e: ast.expr,
        pre: Pre,
        skip_self: bool = False,
        promote: int = -1,
    ) -> ast.expr:
        """A call of ``sig`` with record arguments flattened to their fields."""
        if sig.generic:  # a union parameter: the copy for these arguments' types
            order = [p for p, _, _ in (sig.params[1:] if skip_self else sig.params)]
            given = dict(zip(order, args, strict=False))
            given.update({kw.arg: kw.value for kw in keywords if kw.arg is not None})
            kinds = {p: self.kind(a) for p, a in given.items()}
            if 0 <= promote < len(order):
                kinds[order[promote]] = self.low.classes.get("complex")
            sig = specialize(self.low, sig, kinds, e)
        params = sig.params[1:] if skip_self else sig.params
        if len(args) > len(params):
            raise self.d.error(
                e, f"`{shown_signature(sig)}` takes {len(params)} arguments, got {len(args)}"
            )
        by_kw = {kw.arg: kw for kw in keywords}
        names = {p for p, _, _ in params}
        for kw in keywords:
            if kw.arg not in names:
                raise self.d.error(
                    kw.value, f"`{shown_signature(sig)}` has no parameter `{kw.arg}`"
                )
        parts: list[Callable[[Pre], list[ast.expr]]] = []
        slots: list[tuple[str, Kind, bool]] = []  # name, kind, keyword?
        arg_of: dict[str, ast.expr] = {}
        for i, (pname, pk, _) in enumerate(params):
            if i < len(args):
                a = args[i]
                if pname in by_kw:
                    raise self.d.error(
                        by_kw[pname].value, f"`{shown_signature(sig)}` got two values for `{pname}`"
                    )
            elif pname in by_kw:
                a = by_kw[pname].value
            else:
                if pname in sig.defaults:
                    continue
                raise self.d.error(e, f"`{shown_signature(sig)}` is missing argument `{pname}`")
            got = self.kind(a)
            if i == promote and got is None and isinstance(pk, RecordClass):
                parts.append(partial(self.promoted, a))
            else:
                if got is not pk:
                    raise self.d.error(
                        a,
                        f"argument `{pname}` of `{shown_signature(sig)}` must be "
                        f"{pk or 'a number'}, "
                        f"got {got or 'a number'}",
                    )
                parts.append(partial(self.values, a))
            slots.append((pname, pk, i >= len(args)))
            arg_of[pname] = a
        groups = self.ordered(parts, pre)
        flat_args: list[ast.expr] = []
        kws: list[ast.keyword] = []
        for (pname, pk, is_kw), g in zip(slots, groups, strict=True):
            if not is_kw:
                flat_args += g
            elif isinstance(pk, RecordClass):
                kws += [
                    ast.keyword(arg=pname + s, value=v)
                    for (s, _), v in zip(pk.leaves(), g, strict=True)
                ]
            else:
                kws.append(ast.keyword(arg=pname, value=g[0]))
        call = ast.copy_location(
            ast.Call(func=name_node(sig.name, e), args=flat_args, keywords=kws), e
        )
        return self.write_back(sig, call, arg_of, e, pre) if sig.inout else call

    def write_back(
        self, sig: Signature, call: ast.Call, arg_of: dict[str, ast.expr], e: ast.expr, pre: Pre
    ) -> ast.expr:
        """A call of a function that changes record parameters: its results go to
        temporaries, the changed records back into the locals passed (a new record passed
        there is dropped, as CPython drops it); the temporaries are the call's value."""
        back: list[ast.expr] = []
        kinds = {p: k for p, k, _ in sig.params}
        for p in sig.inout:
            k = kinds[p]
            assert isinstance(k, RecordClass)
            arg = arg_of.get(p)
            if isinstance(arg, ast.Name) and self.kind(arg) is k and arg.id in self.env:
                back += self.leaf_names(arg.id, k, e, store=True)
            elif arg is not None and fresh_expr(self.low, arg, self.env, self.sig, set()):
                back += [name_node(self.temp(), e, True) for _ in k.leaves()]
            else:
                where = arg if arg is not None else e
                raise self.d.error(
                    where,
                    f"`{shown_signature(sig)}` changes its `{p}`, so it must be given a local "
                    f"record (got `{shown(where)}`): the change is copied back into it",
                    f"copy it into a local first: tmp = {k.node.name}(...), then pass tmp",
                )
        n = 0 if sig.result is None else len(self.flat_kind(sig))
        if sig.result is None and not returns_none(sig):
            n = 1
        temps = [self.temp() for _ in range(n)]
        targets = [name_node(t, e, True) for t in temps] + back
        target: ast.expr = (
            targets[0] if len(targets) == 1 else ast.Tuple(elts=targets, ctx=ast.Store())
        )
        pre.append(located(ast.Assign(targets=[target], value=call), e))
        if n == 0:
            return located(ast.Constant(None), e)
        if n == 1:
            return name_node(temps[0], e)
        return located(ast.Tuple(elts=[name_node(t, e) for t in temps], ctx=ast.Load()), e)

    @staticmethod
    def flat_kind(sig: Signature) -> list[str]:
        k = sig.result
        if isinstance(k, RecordClass):
            return [suffix for suffix, _ in k.leaves()]
        if isinstance(k, TupleKind):
            return ["" for _ in k.flat()]
        return []

    def binop(self, e: ast.BinOp, pre: Pre) -> ast.expr:
        lk, rk = self.kind(e.left), self.kind(e.right)
        choice = binary_method(self.low, e, lk, rk)
        if choice is None:
            raise self.d.error(
                e,
                f"unsupported operand types for {op_text(e.op)}: "
                f"'{lk or 'number'}' and '{rk or 'number'}'",
                "define the operator method (" + "/".join(BINARY_METHODS[type(e.op)]) + ") "
                "taking that type",
            )
        m, reflected, promote = choice
        if reflected and m.generic:
            m = specialize(self.low, m, {m.params[1][0]: lk}, e)
        if reflected:
            # CPython evaluates the left operand first, then calls right.__rop__(left).
            groups = self.ordered(
                [lambda p: [self.scalar(e.left, p)], lambda p: self.values(e.right, p)], pre
            )
            left = self.spill(groups[0][0], pre) if not is_trivial(groups[0][0]) else groups[0][0]
            right_leaves = [self.spill(x, pre) for x in groups[1]]
            return ast.copy_location(
                ast.Call(func=name_node(m.name, e), args=[*right_leaves, left], keywords=[]), e
            )
        return self.invoke(
            m, [e.left, e.right], [], e, pre, promote={"left": 0, "right": 1}.get(promote, -1)
        )

    def compare(self, e: ast.Compare, pre: Pre) -> ast.expr:
        kinds = [self.kind(x) for x in [e.left, *e.comparators]]
        if not any(isinstance(k, RecordClass) for k in kinds):
            first = self.scalar(e.left, pre)
            if len(e.comparators) == 1:
                g = self.ordered(
                    [lambda p: [first], lambda p: [self.scalar(e.comparators[0], p)]], pre
                )
                return ast.copy_location(
                    ast.Compare(left=g[0][0], ops=e.ops, comparators=[g[1][0]]), e
                )
            return ast.copy_location(
                ast.Compare(
                    left=first, ops=e.ops, comparators=[self.conditional(c) for c in e.comparators]
                ),
                e,
            )
        if len(e.ops) != 1:
            raise self.d.error(e, "chained comparisons of records are not supported")
        lk, rk = kinds
        name, rname = COMPARE_METHODS.get(type(e.ops[0]), ("", ""))
        if isinstance(lk, RecordClass) and lk.builtin and name in ("__eq__", "__ne__"):
            m = self.low.method(lk, name)
            assert m is not None
            return self.invoke(
                m, [e.left, e.comparators[0]], [], e, pre, promote=1 if rk is None else -1
            )
        if (
            isinstance(rk, RecordClass)
            and rk.builtin
            and lk is None
            and name in ("__eq__", "__ne__")
        ):
            m = self.low.method(rk, name)
            assert m is not None
            return self.invoke(m, [e.comparators[0], e.left], [], e, pre, promote=1)
        if (
            isinstance(lk, RecordClass)
            and (m := self.low.method(lk, name)) is not None
            and m.params[1][1] is rk
        ):
            return self.invoke(m, [e.left, e.comparators[0]], [], e, pre)
        if (
            isinstance(rk, RecordClass)
            and (m := self.low.method(rk, rname)) is not None
            and m.params[1][1] is lk
        ):
            g = self.ordered(
                [lambda p: self.values(e.left, p), lambda p: self.values(e.comparators[0], p)], pre
            )
            return ast.copy_location(
                ast.Call(
                    func=name_node(m.name, e),
                    args=[*[self.spill(x, pre) for x in g[1]], *g[0]],
                    keywords=[],
                ),
                e,
            )
        raise self.d.error(
            e,
            f"`{shown(e)}` compares records: {'define ' + name if name else 'not supported'}"
            f" in `{lk or rk}`",
            "dataclass equality compares fields with an identity shortcut that value records "
            "cannot reproduce: compare the fields (a.x == b.x and ...)",
        )


def op_text(op: ast.AST) -> str:
    return operator_text(op)


def shown_signature(sig: Signature) -> str:
    if sig.is_init and sig.owner is not None:
        return sig.owner.node.name
    if sig.owner is not None:
        return f"{sig.owner.node.name}.{sig.node.name}"
    return sig.node.name


def returns_none(sig: Signature) -> bool:
    ann = sig.result_annotation
    return sig.result is None and (
        ann is None or (isinstance(ann, ast.Constant) and ann.value is None)
    )
