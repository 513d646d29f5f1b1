"""Records: classes whose instances are values, and ``complex`` — lowered to plain numbers
before the rest of the front end sees the kernel (scalar replacement).

A record class is a ``@dataclass`` or a plain class with annotated fields (or an
``__init__`` that assigns annotated parameters to them); its fields are numbers, bools or
other records. The lowering rewrites the module's syntax tree:

* a record local ``v`` of a ``Vec3`` becomes the locals ``v.x``, ``v.y``, ``v.z`` (names no
  Python code can spell, so they never collide), a record parameter one parameter per field,
  a record result a multi-value result (``tuple[float, float, float]``);
* ``Vec3(x, y, z)`` is its fields' values (a dataclass) or a call of the class's
  ``__init__`` lowered to a function returning the fields (a plain class);
* a method is a function ``Vec3.dot`` taking the receiver's fields first; ``a + b``,
  ``2.0 * v``, ``-v``, ``abs(z)`` are calls of ``__add__``, ``__rmul__``, ``__neg__``,
  ``__abs__`` chosen by the operand types, as CPython would choose them;
* ``complex`` is such a record (real, imag), its arithmetic written in kernel Python with
  CPython's algorithms (prelude/complex_numbers.py).

The IR and both back ends therefore see only numbers and tuples: records live in wasm
locals, with no heap. Python evaluates operands left to right; where a record value must be
computed by a statement of its own (a call returning several values), everything evaluated
before it in the same statement is computed first into a temporary, so side effects and
errors keep CPython's order.

Aliasing. CPython's instances are shared references, these are values. The two agree
whenever no record is changed after it could have been shared, so a field assignment
(``v.x = 1.0``) is accepted only on a local that nothing else can see: every value bound to
it is new (a constructor, or a call whose result shares nothing with its arguments), and it
is never copied to another name, stored in another record, or passed where the result could
keep it. Parameters (``self`` included, outside ``__init__``), frozen dataclasses and complex
numbers are never changed. Anything else is refused with a located error that says what to
write instead.
"""

from __future__ import annotations

import ast
import math
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from portalis.lang.frontend.diagnostics import Diagnostics, shown

N = TypeVar("N", bound=ast.AST)

COMPLEX_SOURCE = Path(__file__).resolve().parent.parent / "prelude" / "complex_numbers.py"

#: Scalar annotations a field may have (the front end reads them again on the leaves).
SCALAR_FIELD_TYPES = {"float", "int", "bool", "f64", "f32", "i64", "i32"}

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
#: Methods that would change an instance in place: records are values, so they are refused.
IN_PLACE = {"__iadd__", "__isub__", "__imul__", "__itruediv__", "__setattr__", "__setitem__"}


@dataclass(eq=False)
class RecordClass:
    name: str
    node: ast.ClassDef
    fields: list[str] = field(default_factory=list)
    annotations: dict[str, ast.expr] = field(default_factory=dict)
    kinds: dict[str, RecordClass | None] = field(default_factory=dict)
    defaults: dict[str, ast.expr] = field(default_factory=dict)
    methods: dict[str, ast.FunctionDef] = field(default_factory=dict)
    properties: dict[str, ast.FunctionDef] = field(default_factory=dict)  # @property
    statics: dict[str, ast.FunctionDef] = field(default_factory=dict)  # @staticmethod
    #: other decorated methods: refused where they are used (compiled only when called)
    refused: dict[str, ast.expr] = field(default_factory=dict)
    init: ast.FunctionDef | None = None
    is_dataclass: bool = False
    frozen: bool = False
    builtin: bool = False  # complex: immutable, promotes numbers in arithmetic
    _leaves: list[tuple[str, ast.expr]] | None = None

    def leaves(self) -> list[tuple[str, ast.expr]]:
        """(suffix, scalar annotation) of every number the record holds: ``.x``,
        ``.origin.x`` …, in field order."""
        if self._leaves is None:
            out: list[tuple[str, ast.expr]] = []
            for f in self.fields:
                k = self.kinds[f]
                if k is None:
                    out.append(("." + f, self.annotations[f]))
                else:
                    out += [("." + f + s, a) for s, a in k.leaves()]
            self._leaves = out
        return self._leaves

    def __str__(self) -> str:
        return self.name


@dataclass(eq=False)
class TupleKind:
    """A tuple holding records (a function's result, unpacked by the caller)."""

    items: list[Kind]
    annotations: list[ast.expr | None]  # scalar items' annotations

    def flat(self) -> list[ast.expr]:
        out: list[ast.expr] = []
        for k, a in zip(self.items, self.annotations, strict=True):
            if isinstance(k, RecordClass):
                out += [ann for _, ann in k.leaves()]
            else:
                assert a is not None
                out.append(a)
        return out


@dataclass(eq=False)
class UnionKind:
    """A parameter annotated with a union holding records (``other: Vec3 | float``): each
    call compiles a copy of the function for the argument's type, in which
    ``isinstance(other, Vec3)`` is a constant and the other branch is dropped."""

    options: list[RecordClass | None]
    annotations: list[ast.expr]  # for each option: the scalar annotation, or the class's

    def choose(self, k: Kind) -> ast.expr | None:
        """The annotation of the option taking an argument of kind ``k`` (None: none)."""
        for option, ann in zip(self.options, self.annotations, strict=True):
            if option is k:
                return ann
        return None


Kind = RecordClass | TupleKind | UnionKind | None


@dataclass(eq=False)
class Signature:
    name: str  # the lowered function's name (``Vec3.dot`` for a method)
    node: ast.FunctionDef
    owner: RecordClass | None
    params: list[tuple[str, Kind, ast.expr | None]]
    defaults: dict[str, ast.expr]
    result: Kind
    result_annotation: ast.expr | None
    is_init: bool = False
    library: bool = False  # complex arithmetic: traps report the caller's line
    env: dict[str, Kind] | None = None
    #: record parameters the function changes (``rec.t = t``, ``self.x += 1.0``, or passed
    #: on to a function that does): returned after the results and written back by the
    #: caller into the local it passed, so the caller sees the change as in CPython
    inout: list[str] = field(default_factory=list)
    #: copies for the argument types of union parameters, by those types' names
    copies: dict[tuple[str, ...], Signature] = field(default_factory=dict)
    _nodes: list[ast.AST] | None = None

    def nodes(self) -> list[ast.AST]:
        """Every node of the body (not entering nested definitions), walked once."""
        if self._nodes is None:
            self._nodes = list(walk_body(self.node.body))
        return self._nodes

    @property
    def generic(self) -> bool:
        return any(isinstance(k, UnionKind) for _, k, _ in self.params)


@dataclass
class Lowered:
    tree: ast.Module
    #: functions that are never exported (methods, functions taking or returning records)
    internal: set[str]
    #: functions whose errors report the calling line (complex arithmetic)
    library: set[str]


#: Text every tree :func:`uses_records` accepts must contain: ``class``, ``complex``, the
#: module names, or an imaginary literal (a digit or point right before ``j``: ``2j``, ``1.j``).
_RECORD_TEXT = re.compile(r"class|complex|cmath|dataclasses|[0-9.][jJ]")


def uses_records(tree: ast.Module, source: str | None = None) -> bool:
    """Whether the lowering has anything to do (it leaves other kernels untouched).
    ``source``, the text ``tree`` was parsed from, answers most kernels without a walk:
    each thing looked for below needs one of :data:`_RECORD_TEXT`'s words in the text."""
    if source is not None and _RECORD_TEXT.search(source) is None:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, complex):
            return True
        if isinstance(node, ast.Name) and node.id == "complex":
            return True
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            if any(n.split(".")[0] in ("cmath", "dataclasses") for n in names):
                return True
    return False


def lower_records(tree: ast.Module, diag: Diagnostics, source: str | None = None) -> Lowered:
    if not uses_records(tree, source):
        return Lowered(tree, set(), set())
    return ModuleLowering(tree, diag).run()


def located(new: N, old: ast.AST) -> N:
    """Give ``new`` and the nodes under it that have no position ``old``'s position (a
    subtree that has one was placed already, and is not walked again)."""
    todo: list[ast.AST] = [new]
    while todo:
        n = todo.pop()
        if isinstance(n, ast.expr | ast.stmt | ast.arg | ast.keyword):
            if getattr(n, "lineno", None) is not None and n is not new:
                continue
            if getattr(n, "lineno", None) is None:
                ast.copy_location(n, old)
        todo.extend(ast.iter_child_nodes(n))
    return new


def name_node(ident: str, old: ast.AST, store: bool = False) -> ast.Name:
    n = ast.Name(id=ident, ctx=ast.Store() if store else ast.Load())
    return ast.copy_location(n, old)


def is_trivial(e: ast.expr) -> bool:
    return isinstance(e, ast.Constant) or (isinstance(e, ast.Name) and "." in e.id)


def annotation_name(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.strip()
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def walk_body(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of a function body, not entering nested definitions."""
    todo: list[ast.AST] = list(reversed(body))
    while todo:
        n = todo.pop()
        yield n
        if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.Lambda | ast.AsyncFunctionDef):
            continue
        todo.extend(reversed(list(ast.iter_child_nodes(n))))


class ModuleLowering:
    def __init__(self, tree: ast.Module, diag: Diagnostics) -> None:
        self.tree = tree
        self.d = diag
        self.classes: dict[str, RecordClass] = {}
        self.sigs: dict[str, Signature] = {}  # by lowered name
        self.functions: dict[str, Signature] = {}  # module-level functions by Python name
        self.constants: dict[str, RecordClass] = {}  # NAME = Vec3(...) at module level
        self.tables: dict[str, tuple[RecordClass, int]] = {}  # NAME = (Vec3(...), ...)
        self.dataclass_names: set[str] = set()
        self.field_names: set[str] = set()  # dataclasses.field
        self.cmath_modules: set[str] = set()
        self.cmath_names: dict[str, str] = {}  # from cmath import exp → {"exp": "exp"}
        self.fresh_memo: dict[str, bool] = {}

    # -- module level ---------------------------------------------------------------------

    def run(self) -> Lowered:
        from portalis.lang.frontend.record_bodies import FunctionLowering

        body: list[ast.stmt] = []
        classes: list[ast.ClassDef] = []
        defs: list[ast.FunctionDef] = []
        for stmt in self.tree.body:
            if isinstance(stmt, ast.Import | ast.ImportFrom) and self._import(stmt):
                continue
            if isinstance(stmt, ast.ClassDef):
                classes.append(stmt)
                continue
            body.append(stmt)
        prelude = self._load_complex() if self._uses_complex() else []
        for c in classes:
            self._declare_class(c)
        for c in classes:
            self._resolve_fields(self.classes[c.name])
        for cls in self.classes.values():
            self._check_recursion(cls, [])
        out: list[ast.stmt] = list(prelude)
        for stmt in body:
            if isinstance(stmt, ast.FunctionDef):
                defs.append(stmt)
                self._declare_function(stmt, None)
        for cls in self.classes.values():
            if cls.builtin:
                continue  # complex: declared with the library (_load_complex)
            for m in [*cls.methods.values(), *cls.properties.values()]:
                self._declare_function(m, cls)
            for m in cls.statics.values():
                self._declare_function(m, None, prefix=cls.name)
            if cls.init is not None:
                self._declare_function(cls.init, cls)
        for stmt in body:
            if isinstance(stmt, ast.Assign | ast.AnnAssign) and self._module_record(stmt, out):
                continue
            if not isinstance(stmt, ast.FunctionDef):
                out.append(stmt)
        self._find_inout()
        internal: set[str] = set()
        library: set[str] = set()
        # Module-level functions are lowered as the front end would compile them; methods
        # and the complex library only when something lowered calls them (so `__repr__`
        # returning a str, or a @classmethod nobody calls, never stops a build).
        lowered: dict[str, ast.FunctionDef] = {}
        todo = [
            s
            for s in self.sigs.values()
            if s.name in self.functions and not s.library and not s.generic
        ]
        while todo:
            sig = todo.pop()
            if sig.name in lowered:
                continue
            new = FunctionLowering(self, sig).run()  # frontend/record_bodies.py
            lowered[sig.name] = new
            for n in ast.walk(new):
                called = (
                    n.func.id if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) else ""
                )
                if called in self.sigs and called not in lowered:
                    todo.append(self.sigs[called])
        for sig in self.sigs.values():
            if sig.name not in lowered:
                continue
            out.append(lowered[sig.name])
            if sig.owner is not None or self._has_records(sig) or sig.library:
                internal.add(sig.name)
            if sig.library:
                library.add(sig.name)
        tree = ast.Module(body=out, type_ignores=[])
        ast.fix_missing_locations(tree)
        return Lowered(tree, internal, library)

    def _find_inout(self) -> None:
        """Which record parameters each function changes, directly or by passing them on
        (to a fixed point: recursion included)."""
        for sig in self.sigs.values():
            record_params = self._record_params(sig)
            for n in sig.nodes():
                targets: list[ast.expr] = []
                if isinstance(n, ast.Assign):
                    for t in n.targets:
                        targets += t.elts if isinstance(t, ast.Tuple) else [t]
                elif isinstance(n, ast.AugAssign | ast.AnnAssign):
                    targets = [n.target]
                for t in targets:
                    root = t
                    while isinstance(root, ast.Attribute):
                        root = root.value
                    name = root.id if isinstance(root, ast.Name) and t is not root else ""
                    if name in record_params and name not in sig.inout:
                        sig.inout.append(name)
        changed = True
        while changed:
            changed = False
            for sig in self.sigs.values():
                record_params = self._record_params(sig)
                env = record_locals(self, sig)
                for n in sig.nodes():
                    if not isinstance(n, ast.Call | ast.BinOp | ast.UnaryOp):
                        continue
                    target = resolve_call(self, n, env)
                    if not isinstance(target, Signature) or not target.inout:
                        continue
                    bound = bind_call(self, target, n, env)
                    for p in target.inout:
                        arg = bound.get(p)
                        if (
                            isinstance(arg, ast.Name)
                            and arg.id in record_params
                            and arg.id not in sig.inout
                        ):
                            sig.inout.append(arg.id)
                            changed = True
        for sig in self.sigs.values():  # in parameter order
            order = [p for p, _, _ in sig.params]
            sig.inout.sort(key=order.index)

    @staticmethod
    def _record_params(sig: Signature) -> set[str]:
        return {
            p
            for p, k, _ in sig.params
            if isinstance(k, RecordClass) and not k.builtin and not (sig.is_init and p == "self")
        }

    def _has_records(self, sig: Signature) -> bool:
        return sig.result is not None or any(k is not None for _, k, _ in sig.params)

    def _import(self, stmt: ast.Import | ast.ImportFrom) -> bool:
        """Handle imports of ``dataclasses`` and ``cmath`` (True: consumed)."""
        if isinstance(stmt, ast.Import):
            names = [a.name for a in stmt.names]
            if not any(n in ("dataclasses", "cmath") for n in names):
                return False
            if len(names) > 1:
                raise self.d.error(stmt, "import dataclasses and cmath on lines of their own")
            a = stmt.names[0]
            local = a.asname or a.name
            if a.name == "cmath":
                self.cmath_modules.add(local)
            else:
                self.dataclass_names.add(local + ".dataclass")
                self.field_names.add(local + ".field")
            return True
        if stmt.module not in ("dataclasses", "cmath") or stmt.level:
            return False
        for a in stmt.names:
            local = a.asname or a.name
            if stmt.module == "cmath":
                if a.name not in CMATH:
                    raise self.d.error(
                        stmt,
                        f"`cmath.{a.name}` is not supported in kernels",
                        "supported: " + ", ".join(sorted(CMATH)),
                    )
                self.cmath_names[local] = a.name
            elif a.name == "dataclass":
                self.dataclass_names.add(local)
            elif a.name == "field":
                self.field_names.add(local)
            else:
                raise self.d.error(
                    stmt,
                    f"`dataclasses.{a.name}` is not supported in kernels",
                    "records use @dataclass (and field(default=...))",
                )
        return True

    def _uses_complex(self) -> bool:
        if self.cmath_modules or self.cmath_names:
            return True
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, complex):
                return True
            if isinstance(node, ast.Name) and node.id == "complex":
                return True
        return False

    def _load_complex(self) -> list[ast.stmt]:
        """The ``complex`` record (prelude/complex_numbers.py), its module-level names
        respelled ``complex.NAME`` so they cannot meet the kernel's, and the special-value
        tables of ``cmath.exp`` taken from this CPython."""
        tree = ast.parse(COMPLEX_SOURCE.read_text(encoding="utf-8"), str(COMPLEX_SOURCE))
        top = {
            n.name if isinstance(n, ast.FunctionDef) else shown(n.targets[0])
            for n in tree.body
            if isinstance(n, ast.FunctionDef)
            or (isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name))
        }

        class Respell(ast.NodeTransformer):
            def visit_Name(self, node: ast.Name) -> ast.Name:
                if node.id == "Complex":
                    node.id = "complex"
                elif node.id in top:
                    node.id = "complex." + node.id
                return node

            def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
                if node.name in top:
                    node.name = "complex." + node.name
                self.generic_visit(node)
                return node

        Respell().visit(tree)
        real, imag, raises = exp_special_values()
        tables: dict[str, tuple[float, ...] | tuple[int, ...] | float] = {
            "complex.EXP_SPECIAL_REAL": real,
            "complex.EXP_SPECIAL_IMAG": imag,
            "complex.EXP_RAISES": raises,
            "complex.LOG_LARGE_DOUBLE": math.log(sys.float_info.max / 4.0),
        }
        out: list[ast.stmt] = [ast.Import(names=[ast.alias(name="math")])]
        for stmt in tree.body:
            if isinstance(stmt, ast.ClassDef) and stmt.name == "Complex":
                cls = self._declare_class(stmt, name="complex", builtin=True)
                self._resolve_fields(cls)
                for m in cls.methods.values():
                    self._declare_function(m, cls).library = True
            elif isinstance(stmt, ast.FunctionDef):
                self._declare_function(stmt, None).library = True
            elif isinstance(stmt, ast.Assign):
                name = shown(stmt.targets[0])
                if name in tables:
                    value = tables[name]
                    stmt.value = (
                        ast.Tuple(elts=[ast.Constant(v) for v in value], ctx=ast.Load())
                        if isinstance(value, tuple)
                        else ast.Constant(value)
                    )
                out.append(stmt)
        for s in out:
            for n in ast.walk(s):
                if isinstance(n, ast.stmt | ast.expr):
                    n.lineno, n.col_offset = 1, 0
                    n.end_lineno, n.end_col_offset = 1, 0
        return out

    # -- classes --------------------------------------------------------------------------

    def _decorator(self, dec: ast.expr) -> tuple[bool, bool]:
        """(is @dataclass, frozen) for a class decorator; anything else is refused."""
        call = dec if isinstance(dec, ast.Call) else None
        target = call.func if call is not None else dec
        name = shown(target)
        if name not in self.dataclass_names:
            raise self.d.error(
                dec,
                f"class decorator `{name}` is not supported in kernels",
                "records are written with @dataclass (from dataclasses import dataclass) "
                "or as a plain class",
            )
        frozen = False
        for kw in call.keywords if call is not None else []:
            if kw.arg == "frozen" and isinstance(kw.value, ast.Constant):
                frozen = bool(kw.value.value)
            elif kw.arg in ("eq", "repr", "slots", "order", "unsafe_hash", "init", "match_args"):
                if kw.arg == "init" and isinstance(kw.value, ast.Constant) and not kw.value.value:
                    raise self.d.error(kw.value, "@dataclass(init=False) is not supported")
            else:
                raise self.d.error(kw.value, f"@dataclass({kw.arg}=...) is not supported")
        return True, frozen

    def _declare_class(
        self, node: ast.ClassDef, name: str | None = None, builtin: bool = False
    ) -> RecordClass:
        d = self.d
        name = name or node.name
        bases = [b for b in node.bases if not (isinstance(b, ast.Name) and b.id == "object")]
        if bases or node.keywords:
            raise d.error(
                node,
                f"class `{node.name}` inherits from `{shown(bases[0] if bases else node)}`: "
                "inheritance is not supported in kernels",
                "write a record as a @dataclass with its own fields and methods; "
                "share code through module-level functions",
            )
        if name in self.classes:
            raise d.error(node, f"class `{name}` is defined twice")
        cls = RecordClass(name, node, builtin=builtin, is_dataclass=builtin)
        for dec in [] if builtin else node.decorator_list:
            cls.is_dataclass, cls.frozen = self._decorator(dec)
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        for stmt in body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                f = stmt.target.id
                cls.fields.append(f)
                cls.annotations[f] = stmt.annotation
                if stmt.value is not None:
                    cls.defaults[f] = self._field_default(stmt.value, f)
            elif isinstance(stmt, ast.FunctionDef):
                self._declare_method(cls, stmt)
            elif isinstance(stmt, ast.Pass):
                continue
            else:
                raise d.error(
                    stmt,
                    f"class `{node.name}`: only annotated fields (`x: float`) and methods "
                    "are supported in a record class",
                    "class-level constants belong at module level",
                )
        if cls.init is not None and cls.is_dataclass:
            raise d.error(cls.init, "a @dataclass with its own __init__ is not supported")
        if cls.init is not None:
            self._fields_from_init(cls)
        if not cls.fields:
            raise d.error(
                node,
                f"class definition `{node.name}` has no fields: a record class needs them",
                "annotate them: x: float",
            )
        if not cls.is_dataclass and cls.init is None:
            raise d.error(
                node,
                f"class `{node.name}` has neither @dataclass nor an __init__",
                "add @dataclass (from dataclasses import dataclass)",
            )
        self.classes[name] = cls
        return cls

    def _field_default(self, value: ast.expr, f: str) -> ast.expr:
        if isinstance(value, ast.Call) and shown(value.func) in self.field_names:
            for kw in value.keywords:
                if kw.arg == "default":
                    return kw.value
            raise self.d.error(
                value,
                f"field `{f}`: only field(default=...) is supported",
                "write `x: float = 0.0`",
            )
        return value

    def _declare_method(self, cls: RecordClass, node: ast.FunctionDef) -> None:
        if node.decorator_list:
            kind = shown(node.decorator_list[0])
            if len(node.decorator_list) == 1 and kind == "staticmethod":
                cls.statics[node.name] = node
            elif len(node.decorator_list) == 1 and kind == "property":
                if len(node.args.args) != 1:
                    raise self.d.error(node, f"property `{node.name}` takes only `self`")
                cls.properties[node.name] = node
            else:
                cls.refused[node.name] = node.decorator_list[0]
            return
        if node.name in IN_PLACE or node.name in ("__post_init__", "__getattr__", "__del__"):
            raise self.d.error(
                node,
                f"`{cls.node.name}.{node.name}` is not supported: records are values in kernels",
                "operators return new records (define __add__, not __iadd__)",
            )
        a = node.args
        if not a.args or (a.args[0].arg != "self" and node.name != "__init__"):
            raise self.d.error(node, f"method `{node.name}` must take `self` first")
        if node.name == "__init__":
            cls.init = node
        else:
            cls.methods[node.name] = node

    def _fields_from_init(self, cls: RecordClass) -> None:
        """A plain class's fields: annotated at class level, or ``self.x: float = ...`` /
        ``self.x = x`` with ``x`` an annotated parameter, in ``__init__``."""
        init = cls.init
        assert init is not None
        params = {a.arg: a.annotation for a in init.args.args[1:]}
        assigned: list[str] = []
        for n in walk_body(init.body):
            target: ast.expr | None = None
            ann: ast.expr | None = None
            if isinstance(n, ast.AnnAssign):
                target, ann = n.target, n.annotation
            elif isinstance(n, ast.Assign) and len(n.targets) == 1:
                target = n.targets[0]
                if isinstance(n.value, ast.Name) and n.value.id in params:
                    ann = params[n.value.id]
            elif isinstance(n, ast.AugAssign):
                target = n.target
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
            ):
                f = target.attr
                if f not in assigned:
                    assigned.append(f)
                if f not in cls.annotations:
                    if ann is None:
                        raise self.d.error(
                            n,
                            f"field `{f}` of `{cls.node.name}` has no type",
                            f"annotate it at class level (`{f}: float`) or here "
                            f"(`self.{f}: float = ...`)",
                        )
                    cls.fields.append(f)
                    cls.annotations[f] = ann
        for f in cls.fields:
            if f not in assigned:
                raise self.d.error(init, f"`{cls.node.name}.__init__` does not set field `{f}`")

    def _resolve_fields(self, cls: RecordClass) -> None:
        for f in cls.fields:
            ann = cls.annotations[f]
            n = annotation_name(ann)
            if n in self.classes or (n == cls.name) or (n == cls.node.name):
                cls.kinds[f] = self.classes.get(n or "", cls)
                continue
            if n in SCALAR_FIELD_TYPES:
                cls.kinds[f] = None
                continue
            raise self.d.error(
                ann,
                f"field `{f}` of `{cls.node.name}` has type `{shown(ann)}`: record fields are "
                "float, int, bool (f32, i32 …) or other record classes",
                "arrays and lists cannot be fields; pass them as parameters",
            )

    def _check_recursion(self, cls: RecordClass, path: list[RecordClass]) -> None:
        if cls in path:
            chain = " → ".join(c.node.name for c in [*path[path.index(cls) :], cls])
            raise self.d.error(
                cls.node,
                f"record `{cls.node.name}` contains itself ({chain}): recursion through "
                "records is not supported",
                "records are stored by value; link items through array indices instead",
            )
        for k in cls.kinds.values():
            if k is not None:
                self._check_recursion(k, [*path, cls])

    # -- kinds ----------------------------------------------------------------------------

    def union_of_annotation(self, ann: ast.expr | None) -> UnionKind | None:
        """``Vec3 | float``, ``Union[Vec3, float]`` (or either as a string) on a parameter."""
        if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
            try:
                inner = ast.parse(ann.value, mode="eval").body
            except SyntaxError:
                return None
            for sub in ast.walk(inner):
                ast.copy_location(sub, ann)
            return self.union_of_annotation(inner)
        items: list[ast.expr] = []
        if isinstance(ann, ast.Subscript) and shown(ann.value) in ("Union", "typing.Union"):
            items = list(ann.slice.elts) if isinstance(ann.slice, ast.Tuple) else [ann.slice]
        elif isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):
            todo: list[ast.expr] = [ann]
            while todo:
                x = todo.pop(0)
                if isinstance(x, ast.BinOp) and isinstance(x.op, ast.BitOr):
                    todo[:0] = [x.left, x.right]
                else:
                    items.append(x)
        if not items:
            return None
        options: list[RecordClass | None] = []
        for item in items:
            k = self.kind_of_annotation(item, item)
            if isinstance(k, RecordClass):
                options.append(k)
            elif annotation_name(item) in SCALAR_FIELD_TYPES:
                if None in options:
                    raise self.d.error(
                        item, "one number type per union parameter", "write Vec3 | float"
                    )
                options.append(None)
            else:
                raise self.d.error(
                    item,
                    f"`{shown(item)}` in a union parameter: unions hold records and one "
                    "number type",
                )
        if not any(isinstance(o, RecordClass) for o in options):
            return None
        return UnionKind(options, items)

    def kind_of_annotation(self, ann: ast.expr | None, where: ast.AST) -> Kind:
        if ann is None:
            return None
        n = annotation_name(ann)
        if n in self.classes:
            return self.classes[n]
        if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
            try:
                inner = ast.parse(ann.value, mode="eval").body
            except SyntaxError:
                return None
            ast.copy_location(inner, ann)
            for sub in ast.walk(inner):
                ast.copy_location(sub, ann)
            return self.kind_of_annotation(inner, where)
        if isinstance(ann, ast.Subscript) and shown(ann.value) in (
            "tuple",
            "typing.Tuple",
            "Tuple",
        ):
            items = ann.slice.elts if isinstance(ann.slice, ast.Tuple) else [ann.slice]
            kinds = [self.kind_of_annotation(i, where) for i in items]
            if any(isinstance(k, TupleKind) for k in kinds):
                raise self.d.error(ann, "nested tuples are not supported")
            if any(k is not None for k in kinds):
                return TupleKind(
                    kinds, [None if k is not None else i for k, i in zip(kinds, items, strict=True)]
                )
        if n in ("Optional", "None") or (isinstance(ann, ast.BinOp)):
            raise self.d.error(
                ann,
                f"`{shown(ann)}`: a result that may be None is not supported",
                "return a flag with the record: -> tuple[bool, Hit]",
            )
        return None

    def _declare_function(
        self, node: ast.FunctionDef, owner: RecordClass | None, prefix: str = ""
    ) -> Signature:
        params: list[tuple[str, Kind, ast.expr | None]] = []
        a = node.args
        defaults: dict[str, ast.expr] = {}
        for arg, default in zip(reversed(a.args), reversed(a.defaults), strict=False):
            defaults[arg.arg] = default
        for i, arg in enumerate(a.args):
            if i == 0 and owner is not None:
                params.append((arg.arg, owner, None))
                continue
            union = self.union_of_annotation(arg.annotation)
            k = union if union is not None else self.kind_of_annotation(arg.annotation, arg)
            if isinstance(k, TupleKind):
                raise self.d.error(arg, "tuple parameters are not supported")
            if k is not None and arg.arg in defaults:
                raise self.d.error(
                    defaults[arg.arg], f"record parameter `{arg.arg}` cannot have a default"
                )
            params.append((arg.arg, k, arg.annotation))
        is_init = owner is not None and node.name == "__init__"
        if is_init:
            result: Kind = owner
            ann = None
            params = params[1:]
        else:
            result = self.kind_of_annotation(node.returns, node)
            ann = node.returns
        name = f"{owner.name}.{node.name}" if owner is not None else node.name
        if prefix:  # a static method: a function under its class's name
            name = f"{prefix}.{node.name}"
        sig = Signature(name, node, owner, params, defaults, result, ann, is_init)
        if is_init:
            sig.params = [("self", owner, None), *params]  # self is a local, not a parameter
        self.sigs[name] = sig
        if owner is None and not prefix:
            self.functions[node.name] = sig
        return sig

    def specialize(self, sig: Signature, kinds: dict[str, Kind], where: ast.AST) -> Signature:
        """The copy of ``sig`` for arguments of ``kinds`` at its union parameters."""
        params: list[tuple[str, Kind, ast.expr | None]] = []
        names: list[str] = []
        for p, k, ann in sig.params:
            if isinstance(k, UnionKind):
                got = kinds.get(p)
                if isinstance(got, UnionKind | TupleKind):
                    got = None
                chosen = k.choose(got)
                if chosen is None:
                    raise self.d.error(
                        where,
                        f"argument `{p}` of `{sig.node.name}` must be one of "
                        f"{shown(ann) if ann is not None else 'its union'}, got "
                        f"{got or 'a number'}",
                    )
                params.append((p, got, chosen))
                names.append(str(got) if got is not None else annotation_name(chosen) or "")
            else:
                params.append((p, k, ann))
        key = tuple(names)
        if key not in sig.copies:
            copy = Signature(
                f"{sig.name}:{'|'.join(names)}",
                sig.node,
                sig.owner,
                params,
                sig.defaults,
                sig.result,
                sig.result_annotation,
                sig.is_init,
                sig.library,
                inout=list(sig.inout),
            )
            sig.copies[key] = copy
            self.sigs[copy.name] = copy
        return sig.copies[key]

    def method(self, cls: RecordClass, name: str) -> Signature | None:
        """A method or static method (called as ``v.m(...)`` or ``Cls.m(...)``)."""
        known = name in cls.methods or name in cls.statics
        return self.sigs.get(f"{cls.name}.{name}") if known else None

    def property(self, cls: RecordClass, name: str) -> Signature | None:
        return self.sigs.get(f"{cls.name}.{name}") if name in cls.properties else None

    def refuse_decorated(self, cls: RecordClass, name: str, where: ast.AST) -> None:
        if name in cls.refused:
            raise self.d.error(
                where,
                f"`{cls.node.name}.{name}` has decorator `@{shown(cls.refused[name])}`, "
                "which kernels do not support",
                "methods may be plain, @staticmethod or @property; write a module-level "
                "function instead",
            )

    # -- module-level records ---------------------------------------------------------------

    def _module_record(self, stmt: ast.Assign | ast.AnnAssign, out: list[ast.stmt]) -> bool:
        """``ORIGIN = Vec3(0.0, 0.0, 0.0)`` → one constant per field; ``SPHERES =
        (Sphere(...), ...)`` → one constant table per field (True: handled)."""
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
        value = stmt.value
        if value is None or not isinstance(target, ast.Name):
            return False
        name = target.id
        kind = self.const_kind(value)
        items = value.elts if isinstance(value, ast.Tuple) else None
        if kind is None and items and all(self.const_kind(e) is not None for e in items):
            kind = self.const_kind(items[0])
            if any(self.const_kind(e) is not kind for e in items):
                raise self.d.error(value, f"`{name}`: a table of records holds one record class")
            assert isinstance(kind, RecordClass)
            columns: list[list[ast.expr]] = [[] for _ in kind.leaves()]
            for e in items:
                for col, leaf in zip(columns, self.const_leaves(e, kind), strict=True):
                    col.append(leaf)
            for (suffix, _), col in zip(kind.leaves(), columns, strict=True):
                tup = located(ast.Tuple(elts=col, ctx=ast.Load()), value)
                out.append(
                    located(
                        ast.Assign(targets=[name_node(name + suffix, stmt, True)], value=tup), stmt
                    )
                )
            self.tables[name] = (kind, len(items))
            return True
        if not isinstance(kind, RecordClass):
            return False
        if isinstance(stmt, ast.AnnAssign):
            raise self.d.error(
                stmt,
                f"persistent record `{name}` is not supported",
                "write its fields as persistent numbers (`cam_x: float = 0.0`), "
                "or drop the annotation for a constant record",
            )
        for (suffix, _), leaf in zip(kind.leaves(), self.const_leaves(value, kind), strict=True):
            out.append(
                located(
                    ast.Assign(targets=[name_node(name + suffix, stmt, True)], value=leaf), stmt
                )
            )
        self.constants[name] = kind
        return True

    def const_kind(self, e: ast.expr) -> RecordClass | None:
        if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id in self.classes:
            return self.classes[e.func.id]
        if isinstance(e, ast.Constant) and isinstance(e.value, complex):
            return self.classes.get("complex")
        if isinstance(e, ast.Name) and e.id in self.constants:
            return self.constants[e.id]
        return None

    def const_leaves(self, e: ast.expr, cls: RecordClass) -> list[ast.expr]:
        """The field values of a module-level record, as constant expressions."""
        if isinstance(e, ast.Name) and e.id in self.constants:
            return [name_node(e.id + s, e) for s, _ in cls.leaves()]
        if isinstance(e, ast.Constant) and isinstance(e.value, complex):
            return [located(ast.Constant(e.value.real), e), located(ast.Constant(e.value.imag), e)]
        assert isinstance(e, ast.Call)
        if not cls.is_dataclass:
            raise self.d.error(
                e,
                f"a module-level `{cls.node.name}` needs a @dataclass "
                "(its __init__ cannot run at compile time)",
            )
        bound = self.bind_fields(cls, e)
        out: list[ast.expr] = []
        for f in cls.fields:
            v = bound[f]
            k = cls.kinds[f]
            if k is not None:
                if self.const_kind(v) is not k:
                    raise self.d.error(v, f"field `{f}` of `{cls.node.name}` must be a {k}")
                out += self.const_leaves(v, k)
            else:
                out.append(self.float_leaf(v, cls.annotations[f]))
        return out

    @staticmethod
    def float_leaf(v: ast.expr, ann: ast.expr) -> ast.expr:
        if annotation_name(ann) in ("float", "f64"):
            return located(ast.Call(func=name_node("float", v), args=[v], keywords=[]), v)
        return v

    def bind_fields(self, cls: RecordClass, call: ast.Call) -> dict[str, ast.expr]:
        """A dataclass constructor's arguments (and defaults) by field."""
        d = self.d
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

    # -- freshness: may a result share an object with anything that existed before? ---------

    def fresh_function(self, sig: Signature) -> bool:
        if sig.name in self.fresh_memo:
            return self.fresh_memo[sig.name]
        self.fresh_memo[sig.name] = True  # recursion: assume fresh, the other paths decide
        env = record_locals(self, sig)
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
                            and not self.fresh_expr(n.value, env, sig, set())
                        ):
                            ok = False
        else:
            for n in sig.nodes():
                if isinstance(n, ast.Return) and n.value is not None and sig.result is not None:
                    items = n.value.elts if isinstance(n.value, ast.Tuple) else [n.value]
                    for item in items:
                        if kind_of(self, item, env) is not None and not self.fresh_expr(
                            item, env, sig, set()
                        ):
                            ok = False
        self.fresh_memo[sig.name] = ok
        return ok

    def fresh_expr(self, e: ast.expr, env: dict[str, Kind], sig: Signature, seen: set[str]) -> bool:
        if isinstance(e, ast.Constant):
            return True
        if isinstance(e, ast.IfExp):
            return self.fresh_expr(e.body, env, sig, seen) and self.fresh_expr(
                e.orelse, env, sig, seen
            )
        if isinstance(e, ast.Name):
            if e.id in seen:
                return True
            if e.id in {p for p, _, _ in sig.params} and not (sig.is_init and e.id == "self"):
                return False
            if e.id not in env:
                return False  # a module-level record, shared by every use
            values = bindings(sig, e.id)
            return all(
                b is not None and self.fresh_expr(b, env, sig, seen | {e.id}) for b in values
            )
        target = resolve_call(self, e, env)
        if target is None:
            return False
        if isinstance(target, RecordClass):  # a dataclass constructor
            if target.builtin:
                return True
            assert isinstance(e, ast.Call)
            bound = self.bind_fields(target, e)
            return all(
                self.fresh_expr(bound[f], env, sig, seen)
                for f in target.fields
                if target.kinds[f] is not None
            )
        return (target.owner is not None and target.owner.builtin) or self.fresh_function(target)


def copy_expr(node: ast.expr) -> ast.expr:
    """A fresh copy of an expression (a default or annotation used in several places)."""
    copy = _copy_node(node)
    assert isinstance(copy, ast.expr)
    return copy


def _copy_node(node: ast.AST) -> ast.AST:
    fields: dict[str, object] = {}
    for name, value in ast.iter_fields(node):
        if isinstance(value, ast.AST):
            fields[name] = _copy_node(value)
        elif isinstance(value, list):
            fields[name] = [_copy_node(v) if isinstance(v, ast.AST) else v for v in value]
        else:
            fields[name] = value
    return ast.copy_location(type(node)(**fields), node)


CMATH = {"exp": "complex._cmath_exp"}


def exp_special_values() -> tuple[tuple[float, ...], tuple[float, ...], tuple[int, ...]]:
    """cmath.exp at one representative of each class of real and imaginary part (-inf,
    negative, -0.0, +0.0, positive, +inf, nan), from this CPython: its C code takes them from
    a table, so every member of a class gives the representative's answer."""
    import cmath

    reps = (-math.inf, -1.0, -0.0, 0.0, 1.0, math.inf, math.nan)
    real: list[float] = []
    imag: list[float] = []
    raises: list[int] = []
    for x in reps:
        for y in reps:
            try:
                z = cmath.exp(complex(x, y))
            except ValueError:
                real.append(0.0)
                imag.append(0.0)
                raises.append(1)
                continue
            except OverflowError:  # finite representatives only; never for these
                z = complex(math.inf, math.inf)
            real.append(z.real)
            imag.append(z.imag)
            raises.append(0)
    return tuple(real), tuple(imag), tuple(raises)


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
    if not (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Name)
        and test.func.id == "isinstance"
        and len(test.args) == 2
        and isinstance(test.args[0], ast.Name)
    ):
        return None
    types = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
    names = {annotation_name(t) for t in types}
    k = env.get(test.args[0].id)
    if isinstance(k, RecordClass):
        return k.name in names or k.node.name in names
    if k is None and all(n in low.classes for n in names):
        return False
    return None


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
                k = low.kind_of_annotation(s.annotation, s)
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


__all__ = ["Lowered", "RecordClass", "lower_records", "uses_records"]
