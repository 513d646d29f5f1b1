"""Records at module level: ``ORIGIN = Vec3(0.0, 0.0, 0.0)`` becomes one constant per
field, ``SPHERES = (Sphere(...), ...)`` one constant table per field (the records' arrays:
``SPHERES[i]`` and ``for s in SPHERES`` read one row of every column).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from portalis.lang.frontend.record_model import RecordClass
from portalis.lang.frontend.record_resolution import bind_fields
from portalis.lang.frontend.record_syntax import annotation_name, located, name_node

if TYPE_CHECKING:
    from portalis.lang.frontend.records import ModuleLowering


def module_record(
    low: ModuleLowering, stmt: ast.Assign | ast.AnnAssign, out: list[ast.stmt]
) -> bool:
    """``ORIGIN = Vec3(0.0, 0.0, 0.0)`` → one constant per field; ``SPHERES =
    (Sphere(...), ...)`` → one constant table per field (True: handled)."""
    target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
    value = stmt.value
    if value is None or not isinstance(target, ast.Name):
        return False
    name = target.id
    kind = const_kind(low, value)
    items = value.elts if isinstance(value, ast.Tuple) else None
    if kind is None and items and all(const_kind(low, e) is not None for e in items):
        kind = const_kind(low, items[0])
        if any(const_kind(low, e) is not kind for e in items):
            raise low.d.error(value, f"`{name}`: a table of records holds one record class")
        assert isinstance(kind, RecordClass)
        columns: list[list[ast.expr]] = [[] for _ in kind.leaves()]
        for e in items:
            for col, leaf in zip(columns, const_leaves(low, e, kind), strict=True):
                col.append(leaf)
        for (suffix, _), col in zip(kind.leaves(), columns, strict=True):
            tup = located(ast.Tuple(elts=col, ctx=ast.Load()), value)
            out.append(
                located(ast.Assign(targets=[name_node(name + suffix, stmt, True)], value=tup), stmt)
            )
        low.tables[name] = (kind, len(items))
        return True
    if not isinstance(kind, RecordClass):
        return False
    if isinstance(stmt, ast.AnnAssign):
        raise low.d.error(
            stmt,
            f"persistent record `{name}` is not supported",
            "write its fields as persistent numbers (`cam_x: float = 0.0`), "
            "or drop the annotation for a constant record",
        )
    for (suffix, _), leaf in zip(kind.leaves(), const_leaves(low, value, kind), strict=True):
        out.append(
            located(ast.Assign(targets=[name_node(name + suffix, stmt, True)], value=leaf), stmt)
        )
    low.constants[name] = kind
    return True


def const_kind(low: ModuleLowering, e: ast.expr) -> RecordClass | None:
    if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id in low.classes:
        return low.classes[e.func.id]
    if isinstance(e, ast.Constant) and isinstance(e.value, complex):
        return low.classes.get("complex")
    if isinstance(e, ast.Name) and e.id in low.constants:
        return low.constants[e.id]
    return None


def const_leaves(low: ModuleLowering, e: ast.expr, cls: RecordClass) -> list[ast.expr]:
    """The field values of a module-level record, as constant expressions."""
    if isinstance(e, ast.Name) and e.id in low.constants:
        return [name_node(e.id + s, e) for s, _ in cls.leaves()]
    if isinstance(e, ast.Constant) and isinstance(e.value, complex):
        return [located(ast.Constant(e.value.real), e), located(ast.Constant(e.value.imag), e)]
    assert isinstance(e, ast.Call)
    if not cls.is_dataclass:
        raise low.d.error(
            e,
            f"a module-level `{cls.node.name}` needs a @dataclass "
            "(its __init__ cannot run at compile time)",
        )
    bound = bind_fields(low, cls, e)
    out: list[ast.expr] = []
    for f in cls.fields:
        v = bound[f]
        k = cls.kinds[f]
        if k is not None:
            if const_kind(low, v) is not k:
                raise low.d.error(v, f"field `{f}` of `{cls.node.name}` must be a {k}")
            out += const_leaves(low, v, k)
        else:
            out.append(float_leaf(v, cls.annotations[f]))
    return out


def float_leaf(v: ast.expr, ann: ast.expr) -> ast.expr:
    if annotation_name(ann) in ("float", "f64"):
        return located(ast.Call(func=name_node("float", v), args=[v], keywords=[]), v)
    return v
