"""Function signatures under the records lowering: the kind each annotation names (a
record class, a tuple holding records, a union of records and one number type), the
:class:`~portalis.lang.frontend.record_model.Signature` of every function and method, and
the copy of a function taking a union for each type of argument it is called with.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from portalis.lang.frontend.diagnostics import shown
from portalis.lang.frontend.record_model import (
    SCALAR_FIELD_TYPES,
    Kind,
    RecordClass,
    Signature,
    TupleKind,
    UnionKind,
)
from portalis.lang.frontend.record_syntax import annotation_name

if TYPE_CHECKING:
    from portalis.lang.frontend.records import ModuleLowering


def union_of_annotation(low: ModuleLowering, ann: ast.expr | None) -> UnionKind | None:
    """``Vec3 | float``, ``Union[Vec3, float]`` (or either as a string) on a parameter."""
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
        inner = _parsed(ann.value, ann)
        return None if inner is None else union_of_annotation(low, inner)
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
        k = kind_of_annotation(low, item, item)
        if isinstance(k, RecordClass):
            options.append(k)
        elif annotation_name(item) in SCALAR_FIELD_TYPES:
            if None in options:
                raise low.d.error(item, "one number type per union parameter", "write Vec3 | float")
            options.append(None)
        else:
            raise low.d.error(
                item,
                f"`{shown(item)}` in a union parameter: unions hold records and one number type",
            )
    if not any(isinstance(o, RecordClass) for o in options):
        return None
    return UnionKind(options, items)


def kind_of_annotation(low: ModuleLowering, ann: ast.expr | None, where: ast.AST) -> Kind:
    if ann is None:
        return None
    n = annotation_name(ann)
    if n in low.classes:
        return low.classes[n]
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
        inner = _parsed(ann.value, ann)
        return None if inner is None else kind_of_annotation(low, inner, where)
    if isinstance(ann, ast.Subscript) and shown(ann.value) in (
        "tuple",
        "typing.Tuple",
        "Tuple",
    ):
        items = ann.slice.elts if isinstance(ann.slice, ast.Tuple) else [ann.slice]
        kinds = [kind_of_annotation(low, i, where) for i in items]
        if any(isinstance(k, TupleKind) for k in kinds):
            raise low.d.error(ann, "nested tuples are not supported")
        if any(k is not None for k in kinds):
            return TupleKind(
                kinds, [None if k is not None else i for k, i in zip(kinds, items, strict=True)]
            )
    if n in ("Optional", "None") or (isinstance(ann, ast.BinOp)):
        raise low.d.error(
            ann,
            f"`{shown(ann)}`: a result that may be None is not supported",
            "return a flag with the record: -> tuple[bool, Hit]",
        )
    return None


def declare_function(
    low: ModuleLowering, node: ast.FunctionDef, owner: RecordClass | None, prefix: str = ""
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
        union = union_of_annotation(low, arg.annotation)
        k = union if union is not None else kind_of_annotation(low, arg.annotation, arg)
        if isinstance(k, TupleKind):
            raise low.d.error(arg, "tuple parameters are not supported")
        if k is not None and arg.arg in defaults:
            raise low.d.error(
                defaults[arg.arg], f"record parameter `{arg.arg}` cannot have a default"
            )
        params.append((arg.arg, k, arg.annotation))
    is_init = owner is not None and node.name == "__init__"
    if is_init:
        result: Kind = owner
        ann = None
        params = params[1:]
    else:
        result = kind_of_annotation(low, node.returns, node)
        ann = node.returns
    name = f"{owner.name}.{node.name}" if owner is not None else node.name
    if prefix:  # a static method: a function under its class's name
        name = f"{prefix}.{node.name}"
    sig = Signature(name, node, owner, params, defaults, result, ann, is_init)
    if is_init:
        sig.params = [("self", owner, None), *params]  # self is a local, not a parameter
    low.sigs[name] = sig
    if owner is None and not prefix:
        low.functions[node.name] = sig
    return sig


def specialize(
    low: ModuleLowering, sig: Signature, kinds: dict[str, Kind], where: ast.AST
) -> Signature:
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
                raise low.d.error(
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
        low.sigs[copy.name] = copy
    return sig.copies[key]


def _parsed(text: str, where: ast.expr) -> ast.expr | None:
    """A string annotation (``"Vec3"``, ``"Vec3 | float"``) parsed, every node placed at the
    string; None when it is not an expression."""
    try:
        inner = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    for sub in ast.walk(inner):
        ast.copy_location(sub, where)
    return inner
