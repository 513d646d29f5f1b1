"""Function bodies under the records lowering (frontend/records.py): every statement and
expression rewritten so that records become their fields' numbers.

An expression of a record type lowers to the list of its numbers (``record``), each
evaluated once, in order, by whoever uses them: a local's field names, a constructor's
arguments, or temporaries filled by a statement of their own (a call returning several
values). Such statements go into ``pre``, the statements run before the one being lowered;
``ordered`` keeps Python's left-to-right evaluation when a later operand needs them.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from portalis.lang.frontend.diagnostics import shown
from portalis.lang.frontend.record_model import Kind, RecordClass, Signature, TupleKind
from portalis.lang.frontend.record_resolution import (
    BINARY_METHODS,
    COMPARE_METHODS,
    UNARY_METHODS,
    binary_method,
    bind_fields,
    kind_of,
    record_locals,
    resolve_call,
    table_iteration,
)
from portalis.lang.frontend.record_sharing import check_mutations, fresh_expr
from portalis.lang.frontend.record_signatures import kind_of_annotation, specialize
from portalis.lang.frontend.record_syntax import (
    annotation_name,
    copy_expr,
    is_trivial,
    isinstance_test,
    located,
    name_node,
)
from portalis.lang.frontend.returns import always_exits

if TYPE_CHECKING:
    from portalis.lang.frontend.records import ModuleLowering

Pre = list[ast.stmt]


class FunctionLowering:
    """Rewrites one function (or method) so that it holds numbers only."""

    def __init__(self, low: ModuleLowering, sig: Signature) -> None:
        self.low = low
        self.sig = sig
        self.d = low.d
        self.env = record_locals(low, sig)
        self.temps = 0
        self.declared: dict[str, ast.expr] = {}  # record leaf locals and their annotations

    # -- helpers ----------------------------------------------------------------------------

    def temp(self) -> str:
        self.temps += 1
        return f"~rec{self.temps}"

    def leaf_names(
        self, base: str, cls: RecordClass, where: ast.AST, store: bool = False
    ) -> list[ast.expr]:
        return [name_node(base + s, where, store) for s, _ in cls.leaves()]

    def declare(self, base: str, cls: RecordClass) -> None:
        for s, ann in cls.leaves():
            self.declared.setdefault(base + s, ann)

    def kind(self, e: ast.expr) -> Kind:
        return kind_of(self.low, e, self.env)

    def spill(self, e: ast.expr, pre: Pre) -> ast.expr:
        if is_trivial(e):
            return e
        t = self.temp()
        pre.append(located(ast.Assign(targets=[name_node(t, e, True)], value=e), e))
        return name_node(t, e)

    def ordered(
        self, parts: Sequence[Callable[[Pre], list[ast.expr]]], pre: Pre
    ) -> list[list[ast.expr]]:
        """Evaluate ``parts`` (each giving its expressions) in order; when a later part
        needs statements of its own, the earlier parts' expressions are first stored in
        temporaries, so they are still evaluated first."""
        results: list[list[ast.expr]] = []
        marks: list[int] = []
        for p in parts:
            results.append(p(pre))
            marks.append(len(pre))
        for k in reversed(range(len(parts))):
            if marks[-1] > marks[k]:
                spills: Pre = []
                results[k] = [self.spill(e, spills) for e in results[k]]
                pre[marks[k] : marks[k]] = spills
        return results

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
        return _returns_nothing(self.sig)

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

    def no_field(self, node: ast.Attribute, k: RecordClass) -> Exception:
        return self.d.error(
            node,
            f"`{k.node.name}` has no field `{node.attr}`: records cannot gain attributes "
            "in kernels",
            "declare every field in the class (x: float), fields: " + ", ".join(k.fields),
        )

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
        names = [self.temp() for _ in range(n)]
        targets = ast.Tuple(elts=[name_node(x, where, True) for x in names], ctx=ast.Store())
        pre.append(located(ast.Assign(targets=[targets], value=call), where))
        return [name_node(x, where) for x in names]

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

    # -- expressions ------------------------------------------------------------------------

    def values(self, e: ast.expr, pre: Pre, hoist: bool = False) -> list[ast.expr]:
        """``e``'s numbers: its fields' values for a record, itself for a number."""
        k = self.kind(e)
        if isinstance(k, RecordClass):
            return self.record(e, pre, k)
        if isinstance(k, TupleKind):
            call = self.call_value(e, pre)
            names = []
            for _ in k.flat():
                names.append(self.temp())
            pre.append(
                located(
                    ast.Assign(
                        targets=[
                            ast.Tuple(elts=[name_node(n, e, True) for n in names], ctx=ast.Store())
                        ],
                        value=call,
                    ),
                    e,
                )
            )
            return [name_node(n, e) for n in names]
        return [self.scalar(e, pre)]

    def record(self, e: ast.expr, pre: Pre, k: RecordClass) -> list[ast.expr]:
        """The field values of record expression ``e`` (of class ``k``), each evaluated
        once, in order, by whoever uses them."""
        if isinstance(e, ast.IfExp) and (known := self.static_truth(e.test)) is not None:
            return self.record(e.body if known else e.orelse, pre, k)
        if isinstance(e, ast.Name):
            return [name_node(e.id + s, e) for s, _ in k.leaves()]
        if isinstance(e, ast.Attribute):
            base = self.kind(e.value)
            if isinstance(base, RecordClass) and (prop := self.low.property(base, e.attr)):
                return self.results(self.invoke(prop, [e.value], [], e, pre), k, e, pre)
            if isinstance(e.value, ast.Name | ast.Attribute) and self.is_path(e.value):
                return [name_node(self.path(e) + s, e) for s, _ in k.leaves()]
            assert isinstance(base, RecordClass)
            whole = [self.spill(x, pre) for x in self.record(e.value, pre, base)]
            start = next(
                i
                for i, (s, _) in enumerate(base.leaves())
                if s.startswith("." + e.attr + ".") or s == "." + e.attr
            )
            return whole[start : start + len(k.leaves())]
        if isinstance(e, ast.Constant) and isinstance(e.value, complex):
            return [located(ast.Constant(e.value.real), e), located(ast.Constant(e.value.imag), e)]
        if isinstance(e, ast.Subscript):
            assert isinstance(e.value, ast.Name)
            index = self.spill(self.scalar(e.slice, pre), pre)
            return [
                located(
                    ast.Subscript(value=name_node(e.value.id + s, e), slice=index, ctx=ast.Load()),
                    e,
                )
                for s, _ in k.leaves()
            ]
        if isinstance(e, ast.IfExp):
            t = self.temp()
            self.declare(t, k)
            stmts = self.assign(name_node(t, e, True), e, located(ast.Expr(value=e), e), pre)
            pre.extend(stmts)
            self.env[t] = k
            return self.leaf_names(t, k, e)
        if (
            isinstance(e, ast.Call)
            and isinstance(e.func, ast.Name)
            and e.func.id == "complex"
            and k.builtin
        ):
            return self.complex_ctor(e, pre)
        target = resolve_call(self.low, e, self.env)
        if isinstance(target, RecordClass):
            assert isinstance(e, ast.Call)
            bound = bind_fields(self.low, target, e)
            order = [f for f in target.fields]
            # evaluate in the order written (positional, then keywords), then defaults
            written = [f for f, a in zip(target.fields, e.args, strict=False)] + [
                kw.arg for kw in e.keywords
            ]
            order = [f for f in written if f] + [f for f in target.fields if f not in written]
            groups = self.ordered(
                [partial(self.field_value, target, f, bound[f]) for f in order], pre
            )
            by_field = dict(zip(order, groups, strict=True))
            return [x for f in target.fields for x in by_field[f]]
        return self.results(self.call_value(e, pre), k, e, pre)

    def results(self, call: ast.expr, k: RecordClass, e: ast.expr, pre: Pre) -> list[ast.expr]:
        """The numbers of a call returning a record: the call itself for a one-number
        record, else temporaries filled by a statement of their own."""
        n = len(k.leaves())
        if n == 1:
            return [call]
        names = [self.temp() for _ in range(n)]
        pre.append(
            located(
                ast.Assign(
                    targets=[
                        ast.Tuple(elts=[name_node(x, e, True) for x in names], ctx=ast.Store())
                    ],
                    value=call,
                ),
                e,
            )
        )
        return [name_node(x, e) for x in names]

    def field_value(self, cls: RecordClass, f: str, arg: ast.expr, pre: Pre) -> list[ast.expr]:
        fk = cls.kinds[f]
        got = self.kind(arg)
        if got is not fk:
            if cls.builtin and fk is None:
                pass
            else:
                raise self.d.error(
                    arg,
                    f"field `{f}` of `{cls.node.name}` is {fk or 'a number'}, "
                    f"got {got or 'a number'}",
                )
        if isinstance(fk, RecordClass):
            return self.record(arg, pre, fk)
        return [self.scalar(arg, pre)]

    def complex_ctor(self, e: ast.Call, pre: Pre) -> list[ast.expr]:
        """``complex(x)``, ``complex(x, y)``, ``complex(z)``: as CPython for numbers."""
        if e.keywords or not 1 <= len(e.args) <= 2:
            raise self.d.error(e, "write complex(real) or complex(real, imag)")
        if len(e.args) == 1 and isinstance(self.kind(e.args[0]), RecordClass):
            return self.values(e.args[0], pre)
        for a in e.args:
            if self.kind(a) is not None:
                raise self.d.error(a, "complex(real, imag) takes numbers here")
        parts = self.ordered([partial(self.one_float, a) for a in e.args], pre)
        leaves = [p[0] for p in parts]
        if len(leaves) == 1:
            leaves.append(located(ast.Constant(0.0), e))
        return leaves

    def one(self, e: ast.expr, pre: Pre) -> list[ast.expr]:
        return [self.scalar(e, pre)]

    def one_float(self, e: ast.expr, pre: Pre) -> list[ast.expr]:
        return [self.float_of(self.scalar(e, pre), e)]

    def promoted(self, e: ast.expr, pre: Pre) -> list[ast.expr]:
        """A number where a complex is expected: ``complex(x, 0.0)``, as CPython makes it."""
        return [*self.one_float(e, pre), located(ast.Constant(0.0), e)]

    @staticmethod
    def float_of(e: ast.expr, where: ast.AST) -> ast.expr:
        if isinstance(e, ast.Constant) and isinstance(e.value, float):
            return e
        return located(ast.Call(func=name_node("float", where), args=[e], keywords=[]), where)

    def is_path(self, e: ast.expr) -> bool:
        """``v``, ``r.origin`` …: a record local (or module constant) and fields of it."""
        if isinstance(e, ast.Name):
            return self.kind(e) is not None
        if isinstance(e, ast.Attribute):
            k = self.kind(e.value)
            return self.is_path(e.value) and isinstance(k, RecordClass) and e.attr in k.kinds
        return False

    def path(self, e: ast.expr) -> str:
        if isinstance(e, ast.Name):
            return e.id
        assert isinstance(e, ast.Attribute)
        return self.path(e.value) + "." + e.attr

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
        if sig.result is None and not _returns_nothing(sig):
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

    def scalar(self, e: ast.expr, pre: Pre) -> ast.expr:
        """``e`` where a number is expected (record operations inside lowered)."""
        k = self.kind(e)
        if isinstance(k, RecordClass | TupleKind) and not isinstance(e, ast.Tuple):
            raise self.d.error(
                e,
                f"`{shown(e)}` is a {k}, expected a number here"
                if isinstance(k, RecordClass)
                else f"`{shown(e)}` is a tuple holding records: unpack it (a, b = ...)",
                f"use one of its fields (v.x) or pass it to a function taking a {k}"
                if isinstance(k, RecordClass)
                else "",
            )
        if isinstance(e, ast.Name | ast.Constant):
            return e
        if isinstance(e, ast.Attribute):
            bk = self.kind(e.value)
            if isinstance(bk, RecordClass):
                if e.attr not in bk.kinds:
                    if (prop := self.low.property(bk, e.attr)) is not None:
                        return self.invoke(prop, [e.value], [], e, pre)
                    self.low.refuse_decorated(bk, e.attr, e)
                    if e.attr in bk.methods:
                        raise self.d.error(
                            e, f"method `{bk.node.name}.{e.attr}` must be called: {shown(e)}()"
                        )
                    raise self.no_field(e, bk)
                if self.is_path(e.value):
                    return name_node(self.path(e), e)
                return self.pick(e, pre)
            return ast.copy_location(
                ast.Attribute(
                    value=self.scalar(e.value, pre)
                    if not isinstance(e.value, ast.Name)
                    else e.value,
                    attr=e.attr,
                    ctx=e.ctx,
                ),
                e,
            )
        if isinstance(e, ast.Call):
            if (
                isinstance(e.func, ast.Name)
                and e.func.id == "len"
                and len(e.args) == 1
                and isinstance(e.args[0], ast.Name)
                and e.args[0].id in self.low.tables
                and e.args[0].id not in self.env
            ):
                return located(ast.Constant(self.low.tables[e.args[0].id][1]), e)
            return self.call_value(e, pre)
        if isinstance(e, ast.BinOp):
            if isinstance(self.kind(e.left), RecordClass) or isinstance(
                self.kind(e.right), RecordClass
            ):
                return self.binop(e, pre)
            g = self.ordered(
                [lambda p: [self.scalar(e.left, p)], lambda p: [self.scalar(e.right, p)]], pre
            )
            return ast.copy_location(ast.BinOp(left=g[0][0], op=e.op, right=g[1][0]), e)
        if isinstance(e, ast.UnaryOp):
            if isinstance(self.kind(e.operand), RecordClass):
                return self.call_value(e, pre)
            return ast.copy_location(ast.UnaryOp(op=e.op, operand=self.scalar(e.operand, pre)), e)
        if isinstance(e, ast.Compare):
            return self.compare(e, pre)
        if isinstance(e, ast.BoolOp):
            return self.boolop(e, pre)
        if isinstance(e, ast.IfExp) and (known := self.static_truth(e.test)) is not None:
            return self.scalar(e.body if known else e.orelse, pre)
        if (known := self.static_truth(e)) is not None:
            return located(ast.Constant(known), e)
        if isinstance(e, ast.IfExp):
            test = self.scalar(e.test, pre)
            body_pre: Pre = []
            else_pre: Pre = []
            body, orelse = self.scalar(e.body, body_pre), self.scalar(e.orelse, else_pre)
            if not body_pre and not else_pre:
                return ast.copy_location(ast.IfExp(test=test, body=body, orelse=orelse), e)
            # A branch needs statements of its own: only the branch Python takes runs them.
            t = self.temp()
            assign_body = located(ast.Assign(targets=[name_node(t, e, True)], value=body), e)
            assign_else = located(ast.Assign(targets=[name_node(t, e, True)], value=orelse), e)
            pre.append(
                located(
                    ast.If(
                        test=test, body=[*body_pre, assign_body], orelse=[*else_pre, assign_else]
                    ),
                    e,
                )
            )
            return name_node(t, e)
        if isinstance(e, ast.Subscript):
            g = self.ordered(
                [lambda p: [self.scalar(e.value, p)], lambda p: [self.scalar(e.slice, p)]], pre
            )
            return ast.copy_location(ast.Subscript(value=g[0][0], slice=g[1][0], ctx=e.ctx), e)
        if isinstance(e, ast.Tuple):
            groups = self.ordered([partial(self.values, x) for x in e.elts], pre)
            return ast.copy_location(ast.Tuple(elts=[x for g in groups for x in g], ctx=e.ctx), e)
        return self.generic(e)

    def boolop(self, e: ast.BoolOp, pre: Pre) -> ast.expr:
        """``a and b``: later operands run only when Python would evaluate them; one that
        needs statements of its own turns the rest into ifs around a temporary."""
        first = self.scalar(e.values[0], pre)
        parts: list[tuple[Pre, ast.expr]] = []
        for v in e.values[1:]:
            p: Pre = []
            parts.append((p, self.scalar(v, p)))
        if not any(p for p, _ in parts):
            return ast.copy_location(ast.BoolOp(op=e.op, values=[first, *(x for _, x in parts)]), e)
        t = self.temp()
        inner: list[ast.stmt] = []
        for p, x in reversed(parts):
            assign = located(ast.Assign(targets=[name_node(t, e, True)], value=x), e)
            test: ast.expr = name_node(t, e)
            if isinstance(e.op, ast.Or):
                test = ast.UnaryOp(op=ast.Not(), operand=test)
            inner = [located(ast.If(test=test, body=[*p, assign, *inner], orelse=[]), e)]
        pre.append(located(ast.Assign(targets=[name_node(t, e, True)], value=first), e))
        pre.extend(inner)
        return name_node(t, e)

    def static_truth(self, e: ast.expr) -> bool | None:
        """The value of a test about types known here: ``isinstance(p, Vec3)`` of a
        parameter in a copy made for one type of a union (and ``not``/``and``/``or`` of
        such tests); None for anything else."""
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not):
            inner = self.static_truth(e.operand)
            return None if inner is None else not inner
        if isinstance(e, ast.BoolOp):
            values = [self.static_truth(v) for v in e.values]
            if any(v is None for v in values):
                return None
            return all(values) if isinstance(e.op, ast.And) else any(values)
        tested = isinstance_test(e)
        if tested is None:
            return None
        subject, names = tested
        declared = {p: (k, ann) for p, k, ann in self.sig.params}
        local = self.env.get(subject)
        if subject not in declared and isinstance(local, RecordClass):
            return local.name in names or local.node.name in names  # a record local
        if subject not in declared:
            return None
        k, ann = declared[subject]
        if isinstance(k, RecordClass):
            return k.name in names or k.node.name in names
        if k is None:
            scalar = annotation_name(ann)
            return scalar in names or (scalar == "bool" and "int" in names)
        return None

    def pick(self, e: ast.Attribute, pre: Pre) -> ast.expr:
        """A scalar field of a record that is not a local: ``(a - b).x``."""
        bk = self.kind(e.value)
        assert isinstance(bk, RecordClass)
        whole = [self.spill(x, pre) for x in self.record(e.value, pre, bk)]
        i = [s for s, _ in bk.leaves()].index("." + e.attr)
        return whole[i]

    def conditional(self, e: ast.expr) -> ast.expr:
        """An operand Python evaluates only sometimes (``and``/``or``, a branch of ``x if c
        else y``): it may not need statements of its own."""
        pre: Pre = []
        out = self.scalar(e, pre)
        if pre:
            raise self.d.error(
                e,
                f"`{shown(e)}` computes a record inside `and`/`or`/`x if c else y`, "
                "which Python evaluates only sometimes",
                "compute it into a local first (inside an if statement)",
            )
        return out

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

    def generic(self, e: ast.expr) -> ast.expr:
        """Any other expression (a comprehension, a list, a slice …): fields of record
        locals become their names; record values are refused, the front end judges the rest."""
        outer = self

        class Fields(ast.NodeTransformer):
            def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
                if outer.is_path(node.value):
                    bk = outer.kind(node.value)
                    assert isinstance(bk, RecordClass)
                    if node.attr not in bk.kinds:
                        raise outer.no_field(node, bk)
                    if bk.kinds[node.attr] is None:
                        return name_node(outer.path(node), node)
                return self.generic_visit(node)

            def visit_Name(self, node: ast.Name) -> ast.AST:
                if outer.kind(node) is not None:
                    raise outer.d.error(node, f"record `{node.id}` cannot be used here")
                return node

        lowered = Fields().visit(copy_expr(e))
        assert isinstance(lowered, ast.expr)
        return lowered


def op_text(op: ast.AST) -> str:
    return {
        ast.Add: "+",
        ast.Sub: "-",
        ast.Mult: "*",
        ast.Div: "/",
        ast.FloorDiv: "//",
        ast.Mod: "%",
        ast.Pow: "**",
        ast.MatMult: "@",
        ast.USub: "-",
        ast.UAdd: "+",
        ast.Invert: "~",
    }.get(type(op), type(op).__name__)


def shown_signature(sig: Signature) -> str:
    if sig.is_init and sig.owner is not None:
        return sig.owner.node.name
    if sig.owner is not None:
        return f"{sig.owner.node.name}.{sig.node.name}"
    return sig.node.name


def _returns_nothing(sig: Signature) -> bool:
    ann = sig.result_annotation
    return sig.result is None and (
        ann is None or (isinstance(ann, ast.Constant) and ann.value is None)
    )
