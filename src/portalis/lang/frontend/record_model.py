"""What the records lowering knows about a kernel's types and functions: a record class
(its fields, flattened to the numbers it holds), a tuple or union holding records, and the
signature of every function it lowers (a method is a function taking its receiver first).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from portalis.lang.frontend.record_syntax import walk_body

#: Scalar annotations a field may have (the front end reads them again on the leaves).
SCALAR_FIELD_TYPES = {"float", "int", "bool", "f64", "f32", "i64", "i32"}


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
