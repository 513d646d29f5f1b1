"""Function bodies under the records lowering (frontend/records.py): a function (or
method) rewritten statement by statement so that it holds numbers only — record
parameters become one parameter per field, a record result several results, and the
record parameters it changes are returned after them for the caller to copy back.
Expressions are record_exprs.py's, calls record_calls.py's.
"""

from __future__ import annotations

import ast
from functools import partial

from portalis.lang.frontend.diagnostics import shown
from portalis.lang.frontend.record_calls import CallLowering, returns_none
from portalis.lang.frontend.record_exprs import Pre
from portalis.lang.frontend.record_model import Kind, RecordClass, TupleKind
from portalis.lang.frontend.record_resolution import table_iteration
from portalis.lang.frontend.record_sharing import check_mutations
from portalis.lang.frontend.record_signatures import kind_of_annotation
from portalis.lang.frontend.record_syntax import copy_expr, located, name_node
from portalis.lang.frontend.returns import always_exits


class FunctionLowering(CallLowering):
    """Rewrites one function (or method) so that it holds numbers only: its statements
    here, on :class:`CallLowering` (record_calls.py), on ``ExpressionLowering``
    (record_exprs.py), which holds the function's state."""

    # -- the function -----------------------------------------------------------------------

    def run(self) -> ast.FunctionDef:
        sig, node = self.sig, self.sig.node
        args: list[ast.arg] = []
        defaults: list[ast.expr] = []
        for name, k, ann in sig.params:
            if sig.is_init and name == "self":
                continue
            if isinstance(k, RecordClass):
                for s, leaf_ann in k.leaves():
                    args.append(
                        ast.copy_location(
                            ast.arg(arg=name + s, annotation=copy_expr(leaf_ann)), node
                        )
                    )
            else:
                args.append(ast.copy_location(ast.arg(arg=name, annotation=ann), node))
                if name in sig.defaults:
                    defaults.append(sig.defaults[name])
        if sig.is_init:
            assert sig.owner is not None
            self.declare("self", sig.owner)
        body = node.body
        doc: list[ast.stmt] = []
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            doc, body = body[:1], body[1:]
        new_body = self.block(body)
        if sig.is_init:
            new_body.append(self.init_return(node))
        elif sig.inout and self.returns_nothing():
            new_body.append(self.returning([], node))  # falling off the end
        for n, k in self.env.items():
            if isinstance(k, RecordClass) and n not in {p for p, _, _ in sig.params}:
                self.declare(n, k)
        decls: list[ast.stmt] = [
            located(
                ast.AnnAssign(
                    target=name_node(n, node, True), annotation=copy_expr(a), value=None, simple=1
                ),
                node,
            )
            for n, a in self.declared.items()
        ]
        check_mutations(self, body)
        returns = self.result_annotation(node)
        new = ast.FunctionDef(
            name=sig.name,
            args=ast.arguments(
                posonlyargs=[],
                args=args,
                vararg=None,
                kwonlyargs=[],
                kw_defaults=[],
                kwarg=None,
                defaults=defaults,
            ),
            body=doc + decls + (new_body or [ast.Pass()]),
            decorator_list=[],
            returns=returns,
            type_comment=None,
        )
        return located(ast.copy_location(new, node), node)

    def result_annotation(self, node: ast.FunctionDef) -> ast.expr | None:
        k = self.sig.result
        extra = [a for _, a in self.inout_leaves(node, annotations=True)]
        if k is None and not extra:
            return self.sig.result_annotation
        anns = [] if self.returns_nothing() else self.result_annotations(k, node)
        anns = anns + extra
        if len(anns) == 1:
            return copy_expr(anns[0])
        tup = ast.Subscript(
            value=name_node("tuple", node),
            slice=ast.Tuple(elts=[copy_expr(a) for a in anns], ctx=ast.Load()),
            ctx=ast.Load(),
        )
        return located(tup, node)

    def returns_nothing(self) -> bool:
        return returns_none(self.sig)

    def result_annotations(self, k: Kind, node: ast.FunctionDef) -> list[ast.expr]:
        if isinstance(k, RecordClass):
            return [a for _, a in k.leaves()]
        if isinstance(k, TupleKind):
            return k.flat()
        assert self.sig.result_annotation is not None
        return [self.sig.result_annotation]

    def inout_leaves(
        self, where: ast.AST, annotations: bool = False
    ) -> list[tuple[ast.expr, ast.expr]]:
        """(value, annotation) of every number of the record parameters this function
        changes: returned after its results, for the caller to write back."""
        kinds = {p: k for p, k, _ in self.sig.params}
        out: list[tuple[ast.expr, ast.expr]] = []
        for p in self.sig.inout:
            k = kinds[p]
            assert isinstance(k, RecordClass)
            out += [(name_node(p + suffix, where), ann) for suffix, ann in k.leaves()]
        return out

    def returning(self, items: list[ast.expr], where: ast.AST) -> ast.Return:
        """``return`` of ``items`` (the results' numbers), and the changed parameters'."""
        values = items + [v for v, _ in self.inout_leaves(where)]
        if not values:
            return located(ast.Return(value=None), where)
        value = values[0] if len(values) == 1 else ast.Tuple(elts=values, ctx=ast.Load())
        return located(ast.Return(value=value), where)

    def init_return(self, where: ast.AST) -> ast.stmt:
        assert self.sig.owner is not None
        return self.returning(self.leaf_names("self", self.sig.owner, where), where)

    def block(self, body: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for s in body:
            out += self.stmt(s)
            known = self.static_truth(s.test) if isinstance(s, ast.If) else None
            if (
                isinstance(s, ast.If)
                and known is not None
                and always_exits(s.body if known else s.orelse)
            ):
                break  # the branch taken in this copy returns: the rest is for other types
        return out

    # -- statements -------------------------------------------------------------------------

    def stmt(self, s: ast.stmt) -> list[ast.stmt]:
        pre: Pre = []
        handler = getattr(self, "s_" + type(s).__name__, None)
        if handler is None:
            return [s]
        done: list[ast.stmt] = handler(s, pre)
        return [located(x, s) for x in pre + done]

    def s_Expr(self, s: ast.Expr, pre: Pre) -> list[ast.stmt]:
        k = self.kind(s.value)
        if isinstance(k, RecordClass | TupleKind):
            self.values(s.value, pre, hoist=True)  # computed for its effects, then dropped
            return []
        value = self.scalar(s.value, pre)
        if isinstance(value, ast.Constant) and value.value is None:
            return []  # a call that changed records, already a statement of its own
        return [ast.Expr(value=value)]

    def s_Assign(self, s: ast.Assign, pre: Pre) -> list[ast.stmt]:
        if len(s.targets) > 1:
            if self.kind(s.value) is not None:
                raise self.d.error(
                    s,
                    "chained assignment of a record (a = b = v) is not supported",
                    "assign each name on its own line",
                )
            value = self.scalar(s.value, pre)
            targets = [self.target(t, pre) for t in s.targets]
            return [ast.Assign(targets=targets, value=value)]
        return self.assign(s.targets[0], s.value, s, pre)

    def assign(self, target: ast.expr, value: ast.expr, s: ast.stmt, pre: Pre) -> list[ast.stmt]:
        k = self.kind(value)
        if isinstance(target, ast.Tuple):
            return self.unpack(target, value, s, pre)
        if isinstance(k, TupleKind):
            raise self.d.error(s, "a tuple holding records must be unpacked: a, b = ...")
        if isinstance(k, RecordClass):
            tk = self.target_kind(target)
            if tk is not k:
                raise self.d.error(
                    s, f"cannot assign a {k} to `{shown(target)}` ({tk or 'a number'})"
                )
            base = self.target_base(target, s)
            if isinstance(value, ast.IfExp) and self.static_truth(value.test) is None:
                test = self.scalar(value.test, pre)
                return [
                    ast.If(
                        test=test,
                        body=self.stmt(located(ast.Assign(targets=[target], value=value.body), s)),
                        orelse=self.stmt(
                            located(ast.Assign(targets=[target], value=value.orelse), s)
                        ),
                    )
                ]
            leaves = self.record(value, pre, k)
            names = self.leaf_names(base, k, s, store=True)
            if len(names) == 1:
                return [ast.Assign(targets=names, value=leaves[0])]
            return [
                ast.Assign(
                    targets=[ast.Tuple(elts=names, ctx=ast.Store())],
                    value=ast.Tuple(elts=leaves, ctx=ast.Load()),
                )
            ]
        if self.target_kind(target) is not None:
            raise self.d.error(s, f"cannot assign a number to record `{shown(target)}`")
        parts = self.ordered(
            [lambda p: [self.scalar(value, p)], lambda p: [self.target(target, p)]], pre
        )
        return [ast.Assign(targets=[parts[1][0]], value=parts[0][0])]

    def target_kind(self, t: ast.expr) -> Kind:
        if isinstance(t, ast.Name):
            return self.env.get(t.id)
        if isinstance(t, ast.Attribute):
            return self.kind(t)
        return None

    def target_base(self, t: ast.expr, where: ast.AST) -> str:
        """The flattened name a record target stands for (``v``, ``r.origin``)."""
        if isinstance(t, ast.Name):
            return t.id
        if isinstance(t, ast.Attribute):
            return self.target_base(t.value, where) + "." + t.attr
        raise self.d.error(where, f"cannot assign a record to `{shown(t)}`")

    def target(self, t: ast.expr, pre: Pre) -> ast.expr:
        if isinstance(t, ast.Attribute):
            k = self.kind(t.value)
            if not isinstance(k, RecordClass):
                raise self.d.error(t, f"cannot assign to `{shown(t)}`")
            if t.attr not in k.kinds:
                raise self.no_field(t, k)
            return name_node(self.target_base(t, t), t, True)
        if isinstance(t, ast.Subscript):
            return ast.copy_location(
                ast.Subscript(
                    value=self.scalar(t.value, pre),
                    slice=self.scalar(t.slice, pre),
                    ctx=ast.Store(),
                ),
                t,
            )
        if isinstance(t, ast.Tuple):
            return ast.copy_location(
                ast.Tuple(elts=[self.target(x, pre) for x in t.elts], ctx=ast.Store()), t
            )
        return t

    def unpack(self, target: ast.Tuple, value: ast.expr, s: ast.stmt, pre: Pre) -> list[ast.stmt]:
        k = self.kind(value)
        targets: list[ast.expr] = []
        if isinstance(value, ast.Tuple):
            if len(value.elts) != len(target.elts):
                return [ast.Assign(targets=[target], value=value)]  # the front end says why
            values: list[ast.expr] = []
            for t, v in zip(target.elts, value.elts, strict=True):
                vk = self.kind(v)
                if isinstance(vk, RecordClass):
                    if self.target_kind(t) is not vk:
                        raise self.d.error(s, f"cannot unpack a {vk} into `{shown(t)}`")
                    targets += self.leaf_names(self.target_base(t, s), vk, s, store=True)
                else:
                    targets.append(self.target(t, pre))
            groups = self.ordered([partial(self.values, v) for v in value.elts], pre)
            values = [x for g in groups for x in g]
            return [
                ast.Assign(
                    targets=[ast.Tuple(elts=targets, ctx=ast.Store())],
                    value=ast.Tuple(elts=values, ctx=ast.Load()),
                )
            ]
        if isinstance(k, TupleKind):
            if len(k.items) != len(target.elts):
                raise self.d.error(
                    s, f"cannot unpack {len(k.items)} values into {len(target.elts)} targets"
                )
            for t, ik in zip(target.elts, k.items, strict=True):
                if isinstance(ik, RecordClass):
                    targets += self.leaf_names(self.target_base(t, s), ik, s, store=True)
                else:
                    targets.append(self.target(t, pre))
            call = self.call_value(value, pre)
            return [ast.Assign(targets=[ast.Tuple(elts=targets, ctx=ast.Store())], value=call)]
        v = self.scalar(value, pre)
        return [ast.Assign(targets=[self.target(target, pre)], value=v)]

    def s_AnnAssign(self, s: ast.AnnAssign, pre: Pre) -> list[ast.stmt]:
        k = kind_of_annotation(self.low, s.annotation, s)
        if isinstance(k, RecordClass):
            if s.value is None:
                return []
            return self.assign(s.target, s.value, s, pre)
        if isinstance(s.target, ast.Attribute):  # self.x: float = x in __init__
            if s.value is None:
                return []
            return self.assign(s.target, s.value, s, pre)
        value = self.scalar(s.value, pre) if s.value is not None else None
        return [
            ast.AnnAssign(target=s.target, annotation=s.annotation, value=value, simple=s.simple)
        ]

    def s_AugAssign(self, s: ast.AugAssign, pre: Pre) -> list[ast.stmt]:
        tk = self.kind(s.target) if isinstance(s.target, ast.Name | ast.Attribute) else None
        if isinstance(tk, RecordClass):
            load = copy_expr(s.target)
            binop = located(ast.BinOp(left=load, op=s.op, right=s.value), s)
            return self.assign(s.target, binop, s, pre)
        if isinstance(s.target, ast.Attribute):
            target = self.target(s.target, pre)
            assert isinstance(target, ast.Name)
            return [ast.AugAssign(target=target, op=s.op, value=self.scalar(s.value, pre))]
        parts = self.ordered(
            [lambda p: [self.target(s.target, p)], lambda p: [self.scalar(s.value, p)]], pre
        )
        aug_target = parts[0][0]
        assert isinstance(aug_target, ast.Name | ast.Attribute | ast.Subscript)
        if isinstance(s.target, ast.Name) and aug_target is not s.target:
            # The name's value was read into a temporary before the operand's own
            # statements (Python's order): the result still goes to the name.
            load = ast.Name(id=aug_target.id, ctx=ast.Load())  # type: ignore[union-attr]
            binop = ast.BinOp(left=load, op=s.op, right=parts[1][0])
            return [ast.Assign(targets=[ast.Name(id=s.target.id, ctx=ast.Store())], value=binop)]
        return [ast.AugAssign(target=aug_target, op=s.op, value=parts[1][0])]

    def s_Return(self, s: ast.Return, pre: Pre) -> list[ast.stmt]:
        sig = self.sig
        if sig.is_init:
            if s.value is not None and not (
                isinstance(s.value, ast.Constant) and s.value.value is None
            ):
                raise self.d.error(s, "__init__ returns None")
            return [self.init_return(s)]
        if s.value is None or (isinstance(s.value, ast.Constant) and s.value.value is None):
            return [self.returning([], s) if sig.inout else s]
        want = sig.result
        if want is None:
            if self.kind(s.value) is not None:
                raise self.d.error(
                    s,
                    f"`{sig.node.name}` returns a {self.kind(s.value)} but its annotation says "
                    f"{shown(sig.result_annotation) if sig.result_annotation else 'nothing'}",
                    f"annotate it -> {self.kind(s.value)}",
                )
            return [self.returning([self.scalar(s.value, pre)], s)]
        if (
            isinstance(s.value, ast.IfExp)
            and isinstance(want, RecordClass)
            and self.static_truth(s.value.test) is None
        ):
            test = self.scalar(s.value.test, pre)
            return [
                ast.If(
                    test=test,
                    body=self.stmt(located(ast.Return(value=s.value.body), s)),
                    orelse=self.stmt(located(ast.Return(value=s.value.orelse), s)),
                )
            ]
        if isinstance(want, RecordClass):
            got = self.kind(s.value)
            if got is not want:
                raise self.d.error(
                    s, f"`{sig.node.name}` must return a {want}, got {got or 'a number'}"
                )
            items = self.record(s.value, pre, want)
        else:
            assert isinstance(want, TupleKind)
            if isinstance(s.value, ast.Tuple):
                if len(s.value.elts) != len(want.items):
                    raise self.d.error(s, f"`{sig.node.name}` returns {len(want.items)} values")
                for v, wk in zip(s.value.elts, want.items, strict=True):
                    if self.kind(v) is not wk:
                        raise self.d.error(
                            v, f"expected {wk or 'a number'}, got {self.kind(v) or 'a number'}"
                        )
                groups = self.ordered([partial(self.values, v) for v in s.value.elts], pre)
                items = [x for g in groups for x in g]
            else:
                got = self.kind(s.value)
                if not isinstance(got, TupleKind) or [*got.items] != [*want.items]:
                    raise self.d.error(
                        s, f"`{sig.node.name}` must return a tuple of {len(want.items)}"
                    )
                call = self.call_value(s.value, pre)
                if not sig.inout:
                    return [ast.Return(value=call)]
                items = self.values_of_tuple(call, len(want.flat()), s, pre)
        return [self.returning(items, s)]

    def values_of_tuple(self, call: ast.expr, n: int, where: ast.AST, pre: Pre) -> list[ast.expr]:
        if isinstance(call, ast.Tuple):
            return list(call.elts)
        return self.temporaries(call, n, where, pre)

    def s_If(self, s: ast.If, pre: Pre) -> list[ast.stmt]:
        known = self.static_truth(s.test)
        if known is not None:  # isinstance on a union parameter: only one branch exists
            return self.block(s.body if known else s.orelse)
        return [
            ast.If(
                test=self.scalar(s.test, pre), body=self.block(s.body), orelse=self.block(s.orelse)
            )
        ]

    def s_While(self, s: ast.While, pre: Pre) -> list[ast.stmt]:
        test_pre: Pre = []
        test = self.scalar(s.test, test_pre)
        body, orelse = self.block(s.body), self.block(s.orelse)
        if not test_pre:
            return [ast.While(test=test, body=body, orelse=orelse)]
        if s.orelse:
            raise self.d.error(
                s.test,
                "a `while … else` whose condition computes a record is not supported",
                "compute the record into a local before the loop and at the end of its body",
            )
        stop = located(
            ast.If(test=ast.UnaryOp(op=ast.Not(), operand=test), body=[ast.Break()], orelse=[]), s
        )
        return [ast.While(test=ast.Constant(True), body=[*test_pre, stop, *body], orelse=[])]

    def s_For(self, s: ast.For, pre: Pre) -> list[ast.stmt]:
        it = table_iteration(self.low, s.iter, self.env)
        if it is None:
            iter_ = self.scalar(s.iter, pre)
            return [
                ast.For(
                    target=self.target(s.target, pre),
                    iter=iter_,
                    body=self.block(s.body),
                    orelse=self.block(s.orelse),
                    type_comment=None,
                )
            ]
        cls, enumerated = it
        table = s.iter.args[0] if isinstance(s.iter, ast.Call) and enumerated else s.iter
        assert isinstance(table, ast.Name)
        n = self.low.tables[table.id][1]
        index = self.temp()
        if enumerated:
            if not (isinstance(s.target, ast.Tuple) and len(s.target.elts) == 2):
                raise self.d.error(s.target, "write `for i, item in enumerate(TABLE)`")
            counter, item = s.target.elts
            bind_counter: list[ast.stmt] = [
                located(ast.Assign(targets=[counter], value=name_node(index, s)), s)
            ]
        else:
            item, bind_counter = s.target, []
        if not isinstance(item, ast.Name):
            raise self.d.error(s.target, "the loop variable over a table of records must be a name")
        names = self.leaf_names(item.id, cls, s, store=True)
        loads: list[ast.expr] = [
            located(
                ast.Subscript(
                    value=name_node(table.id + suf, s), slice=name_node(index, s), ctx=ast.Load()
                ),
                s,
            )
            for suf, _ in cls.leaves()
        ]
        bind: ast.stmt = located(
            ast.Assign(
                targets=[ast.Tuple(elts=names, ctx=ast.Store())],
                value=ast.Tuple(elts=loads, ctx=ast.Load()),
            )
            if len(names) > 1
            else ast.Assign(targets=names, value=loads[0]),
            s,
        )
        rng = located(ast.Call(func=name_node("range", s), args=[ast.Constant(n)], keywords=[]), s)
        body = [*bind_counter, bind, *self.block(s.body)]
        return [
            ast.For(
                target=name_node(index, s, True),
                iter=rng,
                body=body,
                orelse=self.block(s.orelse),
                type_comment=None,
            )
        ]

    def s_Assert(self, s: ast.Assert, pre: Pre) -> list[ast.stmt]:
        return [ast.Assert(test=self.scalar(s.test, pre), msg=s.msg)]
