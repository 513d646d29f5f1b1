"""Record classes: a ``@dataclass`` or plain class of the kernel read into a
:class:`~portalis.lang.frontend.record_model.RecordClass` — its fields (annotated at class
level, or assigned from annotated parameters in ``__init__``), defaults, methods — and
everything a class may not be in a kernel refused where it is written.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from portalis.lang.frontend.diagnostics import shown
from portalis.lang.frontend.record_model import SCALAR_FIELD_TYPES, RecordClass
from portalis.lang.frontend.record_syntax import annotation_name, walk_body

if TYPE_CHECKING:
    from portalis.lang.frontend.records import ModuleLowering

#: Methods that would change an instance in place: records are values, so they are refused.
IN_PLACE = {"__iadd__", "__isub__", "__imul__", "__itruediv__", "__setattr__", "__setitem__"}


def _decorator(low: ModuleLowering, dec: ast.expr) -> tuple[bool, bool]:
    """(is @dataclass, frozen) for a class decorator; anything else is refused."""
    call = dec if isinstance(dec, ast.Call) else None
    target = call.func if call is not None else dec
    name = shown(target)
    if name not in low.dataclass_names:
        raise low.d.error(
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
                raise low.d.error(kw.value, "@dataclass(init=False) is not supported")
        else:
            raise low.d.error(kw.value, f"@dataclass({kw.arg}=...) is not supported")
    return True, frozen


def declare_class(
    low: ModuleLowering, node: ast.ClassDef, name: str | None = None, builtin: bool = False
) -> RecordClass:
    d = low.d
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
    if name in low.classes:
        raise d.error(node, f"class `{name}` is defined twice")
    cls = RecordClass(name, node, builtin=builtin, is_dataclass=builtin)
    for dec in [] if builtin else node.decorator_list:
        cls.is_dataclass, cls.frozen = _decorator(low, dec)
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    for stmt in body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            f = stmt.target.id
            cls.fields.append(f)
            cls.annotations[f] = stmt.annotation
            if stmt.value is not None:
                cls.defaults[f] = _field_default(low, stmt.value, f)
        elif isinstance(stmt, ast.FunctionDef):
            _declare_method(low, cls, stmt)
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
        _fields_from_init(low, cls)
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
    low.classes[name] = cls
    return cls


def _field_default(low: ModuleLowering, value: ast.expr, f: str) -> ast.expr:
    if isinstance(value, ast.Call) and shown(value.func) in low.field_names:
        for kw in value.keywords:
            if kw.arg == "default":
                return kw.value
        raise low.d.error(
            value,
            f"field `{f}`: only field(default=...) is supported",
            "write `x: float = 0.0`",
        )
    return value


def _declare_method(low: ModuleLowering, cls: RecordClass, node: ast.FunctionDef) -> None:
    if node.decorator_list:
        kind = shown(node.decorator_list[0])
        if len(node.decorator_list) == 1 and kind == "staticmethod":
            cls.statics[node.name] = node
        elif len(node.decorator_list) == 1 and kind == "property":
            if len(node.args.args) != 1:
                raise low.d.error(node, f"property `{node.name}` takes only `self`")
            cls.properties[node.name] = node
        else:
            cls.refused[node.name] = node.decorator_list[0]
        return
    if node.name in IN_PLACE or node.name in ("__post_init__", "__getattr__", "__del__"):
        raise low.d.error(
            node,
            f"`{cls.node.name}.{node.name}` is not supported: records are values in kernels",
            "operators return new records (define __add__, not __iadd__)",
        )
    a = node.args
    if not a.args or (a.args[0].arg != "self" and node.name != "__init__"):
        raise low.d.error(node, f"method `{node.name}` must take `self` first")
    if node.name == "__init__":
        cls.init = node
    else:
        cls.methods[node.name] = node


def _fields_from_init(low: ModuleLowering, cls: RecordClass) -> None:
    """A plain class's fields: annotated at class level, or ``low.x: float = ...`` /
    ``low.x = x`` with ``x`` an annotated parameter, in ``__init__``."""
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
                    raise low.d.error(
                        n,
                        f"field `{f}` of `{cls.node.name}` has no type",
                        f"annotate it at class level (`{f}: float`) or here "
                        f"(`low.{f}: float = ...`)",
                    )
                cls.fields.append(f)
                cls.annotations[f] = ann
    for f in cls.fields:
        if f not in assigned:
            raise low.d.error(init, f"`{cls.node.name}.__init__` does not set field `{f}`")


def resolve_fields(low: ModuleLowering, cls: RecordClass) -> None:
    for f in cls.fields:
        ann = cls.annotations[f]
        n = annotation_name(ann)
        if n in low.classes or (n == cls.name) or (n == cls.node.name):
            cls.kinds[f] = low.classes.get(n or "", cls)
            continue
        if n in SCALAR_FIELD_TYPES:
            cls.kinds[f] = None
            continue
        raise low.d.error(
            ann,
            f"field `{f}` of `{cls.node.name}` has type `{shown(ann)}`: record fields are "
            "float, int, bool (f32, i32 …) or other record classes",
            "arrays and lists cannot be fields; pass them as parameters",
        )


def check_recursion(low: ModuleLowering, cls: RecordClass, path: list[RecordClass]) -> None:
    if cls in path:
        chain = " → ".join(c.node.name for c in [*path[path.index(cls) :], cls])
        raise low.d.error(
            cls.node,
            f"record `{cls.node.name}` contains itself ({chain}): recursion through "
            "records is not supported",
            "records are stored by value; link items through array indices instead",
        )
    for k in cls.kinds.values():
        if k is not None:
            check_recursion(low, k, [*path, cls])
