"""Expressions under the records lowering (frontend/records.py): the state of one
function's lowering, and every expression rewritten so that records become their fields'
numbers.

An expression of a record type lowers to the list of its numbers (``record``), each
evaluated once, in order, by whoever uses them: a local's field names, a constructor's
arguments, or temporaries filled by a statement of their own (a call returning several
values). Such statements go into ``pre``, the statements run before the one being lowered;
``ordered`` keeps Python's left-to-right evaluation when a later operand needs them. Calls
of functions, methods and operator methods are record_calls.py's; statements and the
function as a whole record_bodies.py's.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from portalis.lang.frontend.diagnostics import shown
from portalis.lang.frontend.record_model import Kind, RecordClass, Signature, TupleKind
from portalis.lang.frontend.record_resolution import (
    bind_fields,
    kind_of,
    record_locals,
    resolve_call,
)
from portalis.lang.frontend.record_syntax import (
    annotation_name,
    copy_expr,
    is_trivial,
    isinstance_test,
    located,
    name_node,
)

if TYPE_CHECKING:
    from portalis.lang.frontend.records import ModuleLowering

Pre = list[ast.stmt]


class ExpressionLowering:
    """One function's lowering: its record locals and temporaries, and its expressions."""

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

    def temporaries(self, call: ast.expr, n: int, where: ast.AST, pre: Pre) -> list[ast.expr]:
        """``n`` temporaries, filled from ``call`` (which returns that many numbers) by a
        statement of its own."""
        names = [self.temp() for _ in range(n)]
        targets = ast.Tuple(elts=[name_node(x, where, True) for x in names], ctx=ast.Store())
        pre.append(located(ast.Assign(targets=[targets], value=call), where))
        return [name_node(x, where) for x in names]

    def no_field(self, node: ast.Attribute, k: RecordClass) -> Exception:
        return self.d.error(
            node,
            f"`{k.node.name}` has no field `{node.attr}`: records cannot gain attributes "
            "in kernels",
            "declare every field in the class (x: float), fields: " + ", ".join(k.fields),
        )

    # -- the other parts' entry points ------------------------------------------------------
    # Expressions, calls (record_calls.py) and statements (record_bodies.py) call each other;
    # FunctionLowering holds all three. These declarations let this module be type-checked
    # on its own.

    def call_value(self, e: ast.expr, pre: Pre) -> ast.expr:
        raise NotImplementedError

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
        raise NotImplementedError

    def binop(self, e: ast.BinOp, pre: Pre) -> ast.expr:
        raise NotImplementedError

    def compare(self, e: ast.Compare, pre: Pre) -> ast.expr:
        raise NotImplementedError

    def assign(self, target: ast.expr, value: ast.expr, s: ast.stmt, pre: Pre) -> list[ast.stmt]:
        raise NotImplementedError

    # -- expressions ------------------------------------------------------------------------

    def values(self, e: ast.expr, pre: Pre, hoist: bool = False) -> list[ast.expr]:
        """``e``'s numbers: its fields' values for a record, itself for a number."""
        k = self.kind(e)
        if isinstance(k, RecordClass):
            return self.record(e, pre, k)
        if isinstance(k, TupleKind):
            return self.temporaries(self.call_value(e, pre), len(k.flat()), e, pre)
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
        return self.temporaries(call, n, e, pre)

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
