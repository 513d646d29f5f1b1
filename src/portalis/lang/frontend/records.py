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
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from portalis.lang.frontend.diagnostics import Diagnostics, shown

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


Kind = RecordClass | TupleKind | None


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


@dataclass
class Lowered:
    tree: ast.Module
    #: functions that are never exported (methods, functions taking or returning records)
    internal: set[str]
    #: functions whose errors report the calling line (complex arithmetic)
    library: set[str]


def uses_records(tree: ast.Module) -> bool:
    """Whether the lowering has anything to do (it leaves other kernels untouched)."""
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


def lower_records(tree: ast.Module, diag: Diagnostics) -> Lowered:
    if not uses_records(tree):
        return Lowered(tree, set(), set())
    return _Lowering(tree, diag).run()


def _loc(new: ast.AST, old: ast.AST) -> ast.AST:
    """Give ``new`` (and every node under it without a position) ``old``'s position."""
    for n in ast.walk(new):
        if getattr(n, "lineno", None) is None and hasattr(old, "lineno"):
            ast.copy_location(n, old)
    return new


def _name(ident: str, old: ast.AST, store: bool = False) -> ast.Name:
    n = ast.Name(id=ident, ctx=ast.Store() if store else ast.Load())
    return ast.copy_location(n, old)


def _trivial(e: ast.expr) -> bool:
    return isinstance(e, ast.Constant) or (isinstance(e, ast.Name) and "." in e.id)


def _annotation_name(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.strip()
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _walk_body(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of a function body, not entering nested definitions."""
    todo: list[ast.AST] = list(reversed(body))
    while todo:
        n = todo.pop()
        yield n
        if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.Lambda | ast.AsyncFunctionDef):
            continue
        todo.extend(reversed(list(ast.iter_child_nodes(n))))


class _Lowering:
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
            for m in cls.methods.values():
                self._declare_function(m, cls)
            if cls.init is not None:
                self._declare_function(cls.init, cls)
        for stmt in body:
            if isinstance(stmt, ast.Assign | ast.AnnAssign) and self._module_record(stmt, out):
                continue
            if not isinstance(stmt, ast.FunctionDef):
                out.append(stmt)
        internal: set[str] = set()
        library: set[str] = set()
        for sig in self.sigs.values():
            new = _FunctionLowering(self, sig).run()
            out.append(new)
            if sig.owner is not None or self._has_records(sig) or sig.library:
                internal.add(sig.name)
            if sig.library:
                library.add(sig.name)
        tree = ast.Module(body=out, type_ignores=[])
        ast.fix_missing_locations(tree)
        return Lowered(tree, internal, library)

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
                if a.name not in _CMATH:
                    raise self.d.error(
                        stmt,
                        f"`cmath.{a.name}` is not supported in kernels",
                        "supported: " + ", ".join(sorted(_CMATH)),
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
            n.name if isinstance(n, ast.FunctionDef) else n.targets[0].id  # type: ignore[attr-defined]
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
        real, imag, raises = _exp_special_values()
        tables = {
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
                name = stmt.targets[0].id  # type: ignore[attr-defined]
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
                n.lineno, n.col_offset = 1, 0  # type: ignore[attr-defined]
                n.end_lineno, n.end_col_offset = 1, 0  # type: ignore[attr-defined]
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
            raise self.d.error(
                node.decorator_list[0],
                f"method decorators (`@{shown(node.decorator_list[0])}`) are not supported",
                "write a module-level function instead of a static or class method; "
                "call a method instead of a property",
            )
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
        for n in _walk_body(init.body):
            target, ann = None, None
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
            n = _annotation_name(ann)
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

    def kind_of_annotation(self, ann: ast.expr | None, where: ast.AST) -> Kind:
        if ann is None:
            return None
        n = _annotation_name(ann)
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

    def _declare_function(self, node: ast.FunctionDef, owner: RecordClass | None) -> Signature:
        params: list[tuple[str, Kind, ast.expr | None]] = []
        a = node.args
        defaults: dict[str, ast.expr] = {}
        for arg, default in zip(reversed(a.args), reversed(a.defaults), strict=False):
            defaults[arg.arg] = default
        for i, arg in enumerate(a.args):
            if i == 0 and owner is not None:
                params.append((arg.arg, owner, None))
                continue
            k = self.kind_of_annotation(arg.annotation, arg)
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
        sig = Signature(name, node, owner, params, defaults, result, ann, is_init)
        if is_init:
            sig.params = [("self", owner, None), *params]  # self is a local, not a parameter
        self.sigs[name] = sig
        if owner is None:
            self.functions[node.name] = sig
        return sig

    def method(self, cls: RecordClass, name: str) -> Signature | None:
        return self.sigs.get(f"{cls.name}.{name}") if name in cls.methods else None

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
                tup = _loc(ast.Tuple(elts=col, ctx=ast.Load()), value)
                out.append(
                    _loc(ast.Assign(targets=[_name(name + suffix, stmt, True)], value=tup), stmt)
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
                _loc(ast.Assign(targets=[_name(name + suffix, stmt, True)], value=leaf), stmt)
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
            return [_name(e.id + s, e) for s, _ in cls.leaves()]
        if isinstance(e, ast.Constant) and isinstance(e.value, complex):
            return [_loc(ast.Constant(e.value.real), e), _loc(ast.Constant(e.value.imag), e)]
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
        if _annotation_name(ann) in ("float", "f64"):
            return _loc(ast.Call(func=_name("float", v), args=[v], keywords=[]), v)  # type: ignore[return-value]
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
                bound[f] = _loc(_copy(cls.defaults[f]), call)  # type: ignore[assignment]
        return bound

    # -- freshness: may a result share an object with anything that existed before? ---------

    def fresh_function(self, sig: Signature) -> bool:
        if sig.name in self.fresh_memo:
            return self.fresh_memo[sig.name]
        self.fresh_memo[sig.name] = True  # recursion: assume fresh, the other paths decide
        env = _env_of(self, sig)
        ok = True
        if sig.is_init:
            for n in _walk_body(sig.node.body):
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
            for n in _walk_body(sig.node.body):
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
            bindings = _bindings(sig, e.id)
            return all(
                b is not None and self.fresh_expr(b, env, sig, seen | {e.id}) for b in bindings
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


def _copy(node: ast.AST) -> ast.AST:
    return ast.parse(ast.unparse(node), mode="eval").body if isinstance(node, ast.expr) else node


_CMATH = {"exp": "complex._cmath_exp"}


def _exp_special_values() -> tuple[tuple[float, ...], tuple[float, ...], tuple[int, ...]]:
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
    low: _Lowering, e: ast.expr, env: dict[str, Kind]
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
                return low.functions.get(_CMATH[low.cmath_names[f.id]])
            return None
        if isinstance(f, ast.Attribute):
            if isinstance(f.value, ast.Name) and f.value.id in low.cmath_modules:
                return low.functions.get(_CMATH.get(f.attr, ""))
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


def binary_method(
    low: _Lowering, e: ast.BinOp, lk: Kind, rk: Kind
) -> tuple[Signature, bool, str] | None:
    """(method, reflected?, promote) for ``a OP b`` with a record operand, chosen as CPython
    chooses: the left operand's method when it accepts the right one, else the right
    operand's reflected method. ``promote`` names the operand a number is turned into a
    complex for ("left"/"right"/"")."""
    if not isinstance(lk, RecordClass) and not isinstance(rk, RecordClass):
        return None
    name, rname = BINARY_METHODS[type(e.op)]

    def accepts(sig: Signature | None, k: Kind) -> bool:
        return sig is not None and len(sig.params) == 2 and sig.params[1][1] is k

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


def kind_of(low: _Lowering, e: ast.expr, env: dict[str, Kind]) -> Kind:
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
        return None
    if isinstance(e, ast.Subscript):
        if isinstance(e.value, ast.Name) and e.value.id in low.tables and e.value.id not in env:
            return low.tables[e.value.id][0]
        return None
    if isinstance(e, ast.IfExp):
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


def _bindings(sig: Signature, name: str) -> list[ast.expr | None]:
    """Every value bound to local ``name`` in ``sig``'s body (None: not a plain value — a
    loop variable, an item unpacked from a call)."""
    out: list[ast.expr | None] = []
    for n in _walk_body(sig.node.body):
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


def _env_of(low: _Lowering, sig: Signature) -> dict[str, Kind]:
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
                it = _table_iteration(low, s.iter, env)
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


def _table_iteration(
    low: _Lowering, it: ast.expr, env: dict[str, Kind]
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


Pre = list[ast.stmt]


class _FunctionLowering:
    """Rewrites one function (or method) so that it holds numbers only."""

    def __init__(self, low: _Lowering, sig: Signature) -> None:
        self.low = low
        self.sig = sig
        self.d = low.d
        self.env = _env_of(low, sig)
        self.temps = 0
        self.declared: dict[str, ast.expr] = {}  # record leaf locals and their annotations

    # -- helpers ----------------------------------------------------------------------------

    def temp(self) -> str:
        self.temps += 1
        return f"~rec{self.temps}"

    def leaf_names(
        self, base: str, cls: RecordClass, where: ast.AST, store: bool = False
    ) -> list[ast.expr]:
        return [_name(base + s, where, store) for s, _ in cls.leaves()]

    def declare(self, base: str, cls: RecordClass) -> None:
        for s, ann in cls.leaves():
            self.declared.setdefault(base + s, ann)

    def kind(self, e: ast.expr) -> Kind:
        return kind_of(self.low, e, self.env)

    def spill(self, e: ast.expr, pre: Pre) -> ast.expr:
        if _trivial(e):
            return e
        t = self.temp()
        pre.append(_loc(ast.Assign(targets=[_name(t, e, True)], value=e), e))  # type: ignore[arg-type]
        return _name(t, e)

    def ordered(
        self, parts: list[Callable[[Pre], list[ast.expr]]], pre: Pre
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
                        ast.copy_location(ast.arg(arg=name + s, annotation=_copy(leaf_ann)), node)
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
        for n, k in self.env.items():
            if isinstance(k, RecordClass) and n not in {p for p, _, _ in sig.params}:
                self.declare(n, k)
        decls: list[ast.stmt] = [
            _loc(
                ast.AnnAssign(
                    target=_name(n, node, True), annotation=_copy(a), value=None, simple=1
                ),
                node,
            )  # type: ignore[arg-type]
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
        return _loc(ast.copy_location(new, node), node)  # type: ignore[return-value]

    def result_annotation(self, node: ast.FunctionDef) -> ast.expr | None:
        k = self.sig.result
        if k is None:
            return self.sig.result_annotation
        anns = [a for _, a in k.leaves()] if isinstance(k, RecordClass) else k.flat()
        if len(anns) == 1:
            return _copy(anns[0])  # type: ignore[return-value]
        tup = ast.Subscript(
            value=_name("tuple", node),
            slice=ast.Tuple(elts=[_copy(a) for a in anns], ctx=ast.Load()),
            ctx=ast.Load(),
        )
        return _loc(tup, node)  # type: ignore[return-value]

    def init_return(self, where: ast.AST) -> ast.stmt:
        assert self.sig.owner is not None
        leaves = self.leaf_names("self", self.sig.owner, where)
        value = leaves[0] if len(leaves) == 1 else ast.Tuple(elts=leaves, ctx=ast.Load())
        return _loc(ast.Return(value=value), where)  # type: ignore[return-value]

    def block(self, body: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for s in body:
            out += self.stmt(s)
        return out

    # -- statements -------------------------------------------------------------------------

    def stmt(self, s: ast.stmt) -> list[ast.stmt]:
        pre: Pre = []
        handler = getattr(self, "s_" + type(s).__name__, None)
        if handler is None:
            return [s]
        done: list[ast.stmt] = handler(s, pre)
        return [_loc(x, s) for x in pre + done]  # type: ignore[misc]

    def s_Expr(self, s: ast.Expr, pre: Pre) -> list[ast.stmt]:
        k = self.kind(s.value)
        if isinstance(k, RecordClass | TupleKind):
            self.values(s.value, pre, hoist=True)  # computed for its effects, then dropped
            return []
        return [ast.Expr(value=self.scalar(s.value, pre))]

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
            if isinstance(value, ast.IfExp):
                test = self.scalar(value.test, pre)
                return [
                    ast.If(
                        test=test,
                        body=self.stmt(_loc(ast.Assign(targets=[target], value=value.body), s)),  # type: ignore[arg-type]
                        orelse=self.stmt(_loc(ast.Assign(targets=[target], value=value.orelse), s)),  # type: ignore[arg-type]
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
            return _name(self.target_base(t, t), t, True)
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
            groups = self.ordered([lambda p, v=v: self.values(v, p) for v in value.elts], pre)
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
        k = self.low.kind_of_annotation(s.annotation, s)
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
            load = _copy(s.target)
            binop = _loc(ast.BinOp(left=load, op=s.op, right=s.value), s)
            return self.assign(s.target, binop, s, pre)  # type: ignore[arg-type]
        if isinstance(s.target, ast.Attribute):
            target = self.target(s.target, pre)
            return [ast.AugAssign(target=target, op=s.op, value=self.scalar(s.value, pre))]
        parts = self.ordered(
            [lambda p: [self.target(s.target, p)], lambda p: [self.scalar(s.value, p)]], pre
        )
        return [ast.AugAssign(target=parts[0][0], op=s.op, value=parts[1][0])]

    def s_Return(self, s: ast.Return, pre: Pre) -> list[ast.stmt]:
        sig = self.sig
        if sig.is_init:
            if s.value is not None and not (
                isinstance(s.value, ast.Constant) and s.value.value is None
            ):
                raise self.d.error(s, "__init__ returns None")
            return [self.init_return(s)]
        if s.value is None:
            return [s]
        want = sig.result
        if want is None:
            if self.kind(s.value) is not None:
                raise self.d.error(
                    s,
                    f"`{sig.node.name}` returns a {self.kind(s.value)} but its annotation says "
                    f"{shown(sig.result_annotation) if sig.result_annotation else 'nothing'}",
                    f"annotate it -> {self.kind(s.value)}",
                )
            return [ast.Return(value=self.scalar(s.value, pre))]
        if isinstance(s.value, ast.IfExp) and isinstance(want, RecordClass):
            test = self.scalar(s.value.test, pre)
            return [
                ast.If(
                    test=test,
                    body=self.stmt(_loc(ast.Return(value=s.value.body), s)),  # type: ignore[arg-type]
                    orelse=self.stmt(_loc(ast.Return(value=s.value.orelse), s)),  # type: ignore[arg-type]
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
                groups = self.ordered([lambda p, v=v: self.values(v, p) for v in s.value.elts], pre)
                items = [x for g in groups for x in g]
            else:
                got = self.kind(s.value)
                if not isinstance(got, TupleKind) or [*got.items] != [*want.items]:
                    raise self.d.error(
                        s, f"`{sig.node.name}` must return a tuple of {len(want.items)}"
                    )
                return [ast.Return(value=self.call_value(s.value, pre))]
        value = items[0] if len(items) == 1 else ast.Tuple(elts=items, ctx=ast.Load())
        return [ast.Return(value=value)]

    def s_If(self, s: ast.If, pre: Pre) -> list[ast.stmt]:
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
        stop = _loc(
            ast.If(test=ast.UnaryOp(op=ast.Not(), operand=test), body=[ast.Break()], orelse=[]), s
        )
        return [ast.While(test=ast.Constant(True), body=[*test_pre, stop, *body], orelse=[])]  # type: ignore[list-item]

    def s_For(self, s: ast.For, pre: Pre) -> list[ast.stmt]:
        it = _table_iteration(self.low, s.iter, self.env)
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
        table = s.iter.args[0] if enumerated else s.iter  # type: ignore[attr-defined]
        assert isinstance(table, ast.Name)
        n = self.low.tables[table.id][1]
        index = self.temp()
        if enumerated:
            if not (isinstance(s.target, ast.Tuple) and len(s.target.elts) == 2):
                raise self.d.error(s.target, "write `for i, item in enumerate(TABLE)`")
            counter, item = s.target.elts
            bind_counter: list[ast.stmt] = [
                _loc(ast.Assign(targets=[counter], value=_name(index, s)), s)
            ]  # type: ignore[list-item]
        else:
            item, bind_counter = s.target, []
        if not isinstance(item, ast.Name):
            raise self.d.error(s.target, "the loop variable over a table of records must be a name")
        names = self.leaf_names(item.id, cls, s, store=True)
        loads = [
            _loc(
                ast.Subscript(
                    value=_name(table.id + suf, s), slice=_name(index, s), ctx=ast.Load()
                ),
                s,
            )
            for suf, _ in cls.leaves()
        ]
        bind: ast.stmt = _loc(  # type: ignore[assignment]
            ast.Assign(
                targets=[ast.Tuple(elts=names, ctx=ast.Store())],
                value=ast.Tuple(elts=loads, ctx=ast.Load()),
            )
            if len(names) > 1
            else ast.Assign(targets=names, value=loads[0]),
            s,
        )
        rng = _loc(ast.Call(func=_name("range", s), args=[ast.Constant(n)], keywords=[]), s)
        body = [*bind_counter, bind, *self.block(s.body)]
        return [
            ast.For(
                target=_name(index, s, True),
                iter=rng,
                body=body,
                orelse=self.block(s.orelse),
                type_comment=None,
            )
        ]  # type: ignore[arg-type]

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
                _loc(
                    ast.Assign(
                        targets=[
                            ast.Tuple(elts=[_name(n, e, True) for n in names], ctx=ast.Store())
                        ],
                        value=call,
                    ),
                    e,
                )
            )  # type: ignore[arg-type]
            return [_name(n, e) for n in names]
        return [self.scalar(e, pre)]

    def record(self, e: ast.expr, pre: Pre, k: RecordClass) -> list[ast.expr]:
        """The field values of record expression ``e`` (of class ``k``), each evaluated
        once, in order, by whoever uses them."""
        if isinstance(e, ast.Name):
            return [_name(e.id + s, e) for s, _ in k.leaves()]
        if isinstance(e, ast.Attribute):
            base = self.kind(e.value)
            if isinstance(e.value, ast.Name | ast.Attribute) and self.is_path(e.value):
                return [_name(self.path(e) + s, e) for s, _ in k.leaves()]
            assert isinstance(base, RecordClass)
            whole = [self.spill(x, pre) for x in self.record(e.value, pre, base)]
            start = next(
                i
                for i, (s, _) in enumerate(base.leaves())
                if s.startswith("." + e.attr + ".") or s == "." + e.attr
            )
            return whole[start : start + len(k.leaves())]
        if isinstance(e, ast.Constant) and isinstance(e.value, complex):
            return [_loc(ast.Constant(e.value.real), e), _loc(ast.Constant(e.value.imag), e)]
        if isinstance(e, ast.Subscript):
            assert isinstance(e.value, ast.Name)
            index = self.spill(self.scalar(e.slice, pre), pre)
            return [
                _loc(ast.Subscript(value=_name(e.value.id + s, e), slice=index, ctx=ast.Load()), e)
                for s, _ in k.leaves()
            ]
        if isinstance(e, ast.IfExp):
            t = self.temp()
            self.declare(t, k)
            stmts = self.assign(_name(t, e, True), e, _loc(ast.Expr(value=e), e), pre)  # type: ignore[arg-type]
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
            bound = self.low.bind_fields(target, e)
            order = [f for f in target.fields]
            # evaluate in the order written (positional, then keywords), then defaults
            written = [f for f, a in zip(target.fields, e.args, strict=False)] + [
                kw.arg for kw in e.keywords
            ]
            order = [f for f in written if f] + [f for f in target.fields if f not in written]
            groups = self.ordered(
                [lambda p, f=f: self.field_value(target, f, bound[f], p) for f in order], pre
            )
            by_field = dict(zip(order, groups, strict=True))
            return [x for f in target.fields for x in by_field[f]]
        call = self.call_value(e, pre)
        n = len(k.leaves())
        if n == 1:
            return [call]
        names = [self.temp() for _ in range(n)]
        pre.append(
            _loc(
                ast.Assign(
                    targets=[ast.Tuple(elts=[_name(x, e, True) for x in names], ctx=ast.Store())],
                    value=call,
                ),
                e,
            )
        )  # type: ignore[arg-type]
        return [_name(x, e) for x in names]

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
        parts = self.ordered(
            [lambda p, a=a: [self.float_of(self.scalar(a, p), a)] for a in e.args], pre
        )
        leaves = [p[0] for p in parts]
        if len(leaves) == 1:
            leaves.append(_loc(ast.Constant(0.0), e))  # type: ignore[arg-type]
        return leaves

    @staticmethod
    def float_of(e: ast.expr, where: ast.AST) -> ast.expr:
        if isinstance(e, ast.Constant) and isinstance(e.value, float):
            return e
        return _loc(ast.Call(func=_name("float", where), args=[e], keywords=[]), where)  # type: ignore[return-value]

    def is_path(self, e: ast.expr) -> bool:
        """``v``, ``r.origin`` …: a record local (or module constant) and fields of it."""
        if isinstance(e, ast.Name):
            return self.kind(e) is not None
        if isinstance(e, ast.Attribute):
            return self.is_path(e.value) and isinstance(self.kind(e.value), RecordClass)
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
                    f"bad operand type for unary {_op_text(e.op)}: '{k}'",
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
            if isinstance(k, RecordClass):
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
            [lambda p, a=a: [self.scalar(a, p)] for a in e.args]
            + [lambda p, kw=kw: [self.scalar(kw.value, p)] for kw in e.keywords],
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
        params = sig.params[1:] if skip_self else sig.params
        if len(args) > len(params):
            raise self.d.error(
                e, f"`{_shown_sig(sig)}` takes {len(params)} arguments, got {len(args)}"
            )
        by_kw = {kw.arg: kw for kw in keywords}
        names = {p for p, _, _ in params}
        for kw in keywords:
            if kw.arg not in names:
                raise self.d.error(kw.value, f"`{_shown_sig(sig)}` has no parameter `{kw.arg}`")
        parts: list[Callable[[Pre], list[ast.expr]]] = []
        slots: list[tuple[str, Kind, bool]] = []  # name, kind, keyword?
        for i, (pname, pk, _) in enumerate(params):
            if i < len(args):
                a = args[i]
                if pname in by_kw:
                    raise self.d.error(
                        by_kw[pname].value, f"`{_shown_sig(sig)}` got two values for `{pname}`"
                    )
            elif pname in by_kw:
                a = by_kw[pname].value
            else:
                if pname in sig.defaults:
                    continue
                raise self.d.error(e, f"`{_shown_sig(sig)}` is missing argument `{pname}`")
            got = self.kind(a)
            if i == promote and got is None and isinstance(pk, RecordClass):
                parts.append(
                    lambda p, a=a: [self.float_of(self.scalar(a, p), a), _loc(ast.Constant(0.0), a)]
                )  # type: ignore[list-item]
            else:
                if got is not pk:
                    raise self.d.error(
                        a,
                        f"argument `{pname}` of `{_shown_sig(sig)}` must be {pk or 'a number'}, "
                        f"got {got or 'a number'}",
                    )
                parts.append(lambda p, a=a: self.values(a, p))
            slots.append((pname, pk, i >= len(args)))
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
        return ast.copy_location(ast.Call(func=_name(sig.name, e), args=flat_args, keywords=kws), e)

    def binop(self, e: ast.BinOp, pre: Pre) -> ast.expr:
        lk, rk = self.kind(e.left), self.kind(e.right)
        choice = binary_method(self.low, e, lk, rk)
        if choice is None:
            raise self.d.error(
                e,
                f"unsupported operand types for {_op_text(e.op)}: "
                f"'{lk or 'number'}' and '{rk or 'number'}'",
                "define the operator method (" + "/".join(BINARY_METHODS[type(e.op)]) + ") "
                "taking that type",
            )
        m, reflected, promote = choice
        if reflected:
            # CPython evaluates the left operand first, then calls right.__rop__(left).
            groups = self.ordered(
                [lambda p: [self.scalar(e.left, p)], lambda p: self.values(e.right, p)], pre
            )
            left = self.spill(groups[0][0], pre) if not _trivial(groups[0][0]) else groups[0][0]
            right_leaves = [self.spill(x, pre) for x in groups[1]]
            return ast.copy_location(
                ast.Call(func=_name(m.name, e), args=[*right_leaves, left], keywords=[]), e
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
                    if e.attr in bk.methods:
                        raise self.d.error(
                            e, f"method `{bk.node.name}.{e.attr}` must be called: {shown(e)}()"
                        )
                    raise self.no_field(e, bk)
                if self.is_path(e.value):
                    return _name(self.path(e), e)
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
                return _loc(ast.Constant(self.low.tables[e.args[0].id][1]), e)  # type: ignore[return-value]
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
        if isinstance(e, ast.IfExp):
            test = self.scalar(e.test, pre)
            body_pre: Pre = []
            else_pre: Pre = []
            body, orelse = self.scalar(e.body, body_pre), self.scalar(e.orelse, else_pre)
            if not body_pre and not else_pre:
                return ast.copy_location(ast.IfExp(test=test, body=body, orelse=orelse), e)
            # A branch needs statements of its own: only the branch Python takes runs them.
            t = self.temp()
            assign_body = _loc(ast.Assign(targets=[_name(t, e, True)], value=body), e)
            assign_else = _loc(ast.Assign(targets=[_name(t, e, True)], value=orelse), e)
            pre.append(
                _loc(
                    ast.If(
                        test=test, body=[*body_pre, assign_body], orelse=[*else_pre, assign_else]
                    ),  # type: ignore[list-item]
                    e,
                )  # type: ignore[arg-type]
            )
            return _name(t, e)
        if isinstance(e, ast.Subscript):
            g = self.ordered(
                [lambda p: [self.scalar(e.value, p)], lambda p: [self.scalar(e.slice, p)]], pre
            )
            return ast.copy_location(ast.Subscript(value=g[0][0], slice=g[1][0], ctx=e.ctx), e)
        if isinstance(e, ast.Tuple):
            groups = self.ordered([lambda p, x=x: self.values(x, p) for x in e.elts], pre)
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
            assign = _loc(ast.Assign(targets=[_name(t, e, True)], value=x), e)
            test: ast.expr = _name(t, e)
            if isinstance(e.op, ast.Or):
                test = ast.UnaryOp(op=ast.Not(), operand=test)
            inner = [_loc(ast.If(test=test, body=[*p, assign, *inner], orelse=[]), e)]  # type: ignore[list-item]
        pre.append(_loc(ast.Assign(targets=[_name(t, e, True)], value=first), e))  # type: ignore[arg-type]
        pre.extend(inner)
        return _name(t, e)

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
                    func=_name(m.name, e),
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
                        return _name(outer.path(node), node)
                return self.generic_visit(node)

            def visit_Name(self, node: ast.Name) -> ast.AST:
                if outer.kind(node) is not None:
                    raise outer.d.error(node, f"record `{node.id}` cannot be used here")
                return node

        return Fields().visit(_copy(e))  # type: ignore[no-any-return]


def _op_text(op: ast.AST) -> str:
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


def _shown_sig(sig: Signature) -> str:
    if sig.is_init and sig.owner is not None:
        return sig.owner.node.name
    if sig.owner is not None:
        return f"{sig.owner.node.name}.{sig.node.name}"
    return sig.node.name


# -- field assignment: only where CPython's sharing cannot be observed ----------------------


def check_mutations(fl: _FunctionLowering, body: list[ast.stmt]) -> None:
    low, sig, d = fl.low, fl.sig, fl.d
    params = {p for p, _, _ in sig.params}
    written: dict[str, ast.AST] = {}
    for n in _walk_body(body):
        targets: list[ast.expr] = []
        if isinstance(n, ast.Assign):
            for t in n.targets:
                targets += t.elts if isinstance(t, ast.Tuple) else [t]
        elif isinstance(n, ast.AnnAssign | ast.AugAssign):
            targets = [n.target]
        for t in targets:
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
            if name in params and not is_self_in_init:
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
    for name, where in written.items():
        if sig.is_init and name == "self":
            continue
        for b in _bindings(sig, name):
            if b is None or _names_another(b) or not low.fresh_expr(b, fl.env, sig, set()):
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
    _check_whole_uses(fl, body, set(written) - ({"self"} if sig.is_init else set()), written)


def _names_another(e: ast.expr) -> bool:
    """``w = v`` (or ``w = v if c else u``): a second name for an object that stays live."""
    if isinstance(e, ast.IfExp):
        return _names_another(e.body) or _names_another(e.orelse)
    return isinstance(e, ast.Name | ast.Attribute | ast.Subscript)


def _check_whole_uses(
    fl: _FunctionLowering, body: list[ast.stmt], names: set[str], written: dict[str, ast.AST]
) -> None:
    """A changed record may be read field by field, passed to calls whose result cannot
    keep it, and returned; anything else would make a second name for it."""
    d = fl.d
    parents: dict[int, ast.AST] = {}
    for n in _walk_body(body):
        for c in ast.iter_child_nodes(n):
            parents[id(c)] = n
    for n in _walk_body(body):
        if not (isinstance(n, ast.Name) and n.id in names and isinstance(n.ctx, ast.Load)):
            continue
        p = parents.get(id(n))
        if isinstance(p, ast.Attribute):
            gp = parents.get(id(p))
            if isinstance(gp, ast.Call) and gp.func is p:
                if _keeps_nothing(fl, gp):
                    continue
            else:
                continue
        elif isinstance(p, ast.Call | ast.BinOp | ast.UnaryOp | ast.Compare):
            if isinstance(p, ast.Compare) or _keeps_nothing(fl, p):
                continue
        elif isinstance(p, ast.Return) or (
            isinstance(p, ast.Tuple) and isinstance(parents.get(id(p)), ast.Return)
        ):
            continue
        raise d.error(
            n,
            f"`{n.id}` is changed by field assignment (line "
            f"{getattr(written[n.id], 'lineno', '?')}), so it cannot also be shared here: "
            f"`{shown(p) if p is not None else n.id}` would give CPython a second name for "
            "the same object",
            f"copy it: {n.id}2 = Cls({n.id}.x, ...), or do not assign its fields",
        )


def _keeps_nothing(fl: _FunctionLowering, call: ast.expr) -> bool:
    """Whether a call's result can hold none of its arguments: it is a number, or a new
    record sharing nothing with them."""
    k = fl.kind(call)
    if k is None:
        return True
    target = resolve_call(fl.low, call, fl.env)
    if isinstance(target, RecordClass):
        return target.builtin
    if isinstance(target, Signature):
        return fl.low.fresh_function(target) or (target.owner is not None and target.owner.builtin)
    return False


__all__ = ["Lowered", "RecordClass", "lower_records", "uses_records"]
