"""One source file's module-level declarations: imports, constants, constant tables,
persistent state and function signatures.

Module level is declarative in a kernel: ``N = 64`` is a compile-time constant,
``TABLE = (1.0, 2.0)`` a constant table, ``speed: float = 1.0`` a persistent scalar (an
exported mutable global), ``grid = zeros((N, N))`` a persistent array at a fixed offset in
linear memory, and ``def`` a function. Anything else is refused with its line.
"""

from __future__ import annotations

import ast
import math
import operator
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from portalis.errors import CompileError
from portalis.lang import ir
from portalis.lang.frontend import complex_arrays, limits, records
from portalis.lang.frontend.diagnostics import Diagnostics, shown, summarise
from portalis.lang.types import (
    ELEMENT_NAMES,
    F64,
    I64,
    NONE,
    SCALAR_NAMES,
    ArrayType,
    Element,
    ListType,
    ResultTuple,
    Scalar,
    TupleType,
    Type,
)

#: Modules a kernel may import, and the names it may import from them.
#: ``heapq``: its heap functions on typed lists (frontend/heaps.py).
ALLOWED_MODULES = {"math", "numpy", "portalis.lang", "typing", "__future__", "heapq"}
LANG_NAMES = {"f64", "f32", "i64", "i32", "u8", "Array", "float_to_bits", "bits_to_float", "zeros"}
I64_MIN, I64_MAX = -(1 << 63), (1 << 63) - 1

Constant = int | float | bool


@dataclass
class FunctionSig:
    """A function's signature, known before any body is compiled (so calls type-check in
    any order, recursion included)."""

    name: str
    symbol: str
    params: list[ir.Param]
    result: Type
    node: ast.FunctionDef
    unit: Unit
    exported: bool
    doc: str

    @property
    def passes_lists(self) -> bool:
        """Whether it takes or returns a list (each as three values: frontend/list_calls.py)."""
        return isinstance(self.result, ListType) or any(
            isinstance(p.type, ListType) for p in self.params
        )


class LibrarySig(FunctionSig):
    """A library function's signature as the library's snapshot holds it
    (lang/library_cache.py): without its syntax tree, which most builds never ask for
    (they take the function lowered, from the snapshot), parsed again from its file the
    first time it is. The file is the one the snapshot was made from: the snapshot is
    used only while every library file has the contents it was made from."""

    @property
    def node(self) -> ast.FunctionDef:  # type: ignore[override]
        node: ast.FunctionDef | None = self.__dict__.get("_node")
        if node is None:
            filename = self.unit.filename
            with open(filename, encoding="utf-8") as f, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(f.read(), filename=filename)
            found = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == self.name]
            if len(found) != 1 or (found[0].lineno, found[0].end_lineno) != self.__dict__["_lines"]:
                raise CompileError(
                    f"internal compiler error: `{self.name}` is not where it was in {filename}",
                    file=filename,
                    hint="a library file changed during the build; build again",
                )
            node = self.__dict__["_node"] = found[0]
        return node

    @classmethod
    def without_tree(cls, sig: FunctionSig) -> dict[str, Any]:
        """What of ``sig`` a snapshot keeps: everything but the tree, and where it was."""
        state = {k: v for k, v in sig.__dict__.items() if k not in ("node", "_node")}
        state["_lines"] = (sig.node.lineno, sig.node.end_lineno)
        return state


def restore_library_sig(state: dict[str, Any]) -> LibrarySig:
    """A :class:`LibrarySig` from what :meth:`LibrarySig.without_tree` kept."""
    sig = object.__new__(LibrarySig)
    sig.__dict__.update(state)
    return sig


@dataclass
class Table:
    """A module-level constant tuple, nested tuples flattened row by row (``shape`` says
    how: ``((1.0, 2.0), (3.0, 4.0))`` has shape (2, 2))."""

    symbol: str
    element: Scalar
    values: tuple[Constant, ...]
    offset: int = 0
    shape: tuple[int, ...] = ()
    nested: tuple[Any, ...] = ()  # the value as written, for constant expressions

    def __post_init__(self) -> None:
        if not self.shape:
            self.shape = (len(self.values),)
        if not self.nested:
            self.nested = self.values


@dataclass
class Unit:
    """A parsed source file: the kernel itself, or one file of the math library."""

    filename: str
    prefix: str  # symbol prefix: "" for the kernel, "libm.trig." for a library file
    exported: bool  # whether its public functions become module exports
    diag: Diagnostics
    tree: ast.Module
    doc: str = ""
    aliases: dict[str, str] = field(default_factory=dict)
    constants: dict[str, Constant] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    state_scalars: dict[str, ir.StateScalar] = field(default_factory=dict)
    state_arrays: dict[str, ir.ArrayRef] = field(default_factory=dict)
    functions: dict[str, FunctionSig] = field(default_factory=dict)
    #: ``from portalis.lang.libm.x import f`` / ``from .x import f``: local name → (module, name)
    foreign: dict[str, tuple[str, str]] = field(default_factory=dict)
    state_lines: dict[str, int] = field(default_factory=dict)
    #: functions never exported whatever their name: methods and functions taking or
    #: returning records (frontend/records.py); and those whose errors report the caller's
    #: line (complex arithmetic), as the math library's do
    internal: set[str] = field(default_factory=set)
    library_functions: set[str] = field(default_factory=set)

    # -- names --------------------------------------------------------------------------

    def qualified(self, node: ast.expr) -> str | None:
        """The canonical dotted name ``node`` refers to through imports (``np.zeros`` →
        ``numpy.zeros``), or None if it is not an imported name."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.qualified(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def builtin_name(self, node: ast.expr) -> str | None:
        """The registry name ``node`` spells (``math.sin``, ``abs``, ``float_to_bits``)."""
        q = self.qualified(node)
        if q is not None:
            if q.startswith("portalis.lang."):
                return q[len("portalis.lang.") :]
            return q
        if isinstance(node, ast.Name) and node.id not in self.constants:
            return node.id
        return None

    # -- types --------------------------------------------------------------------------

    def parse_type(self, node: ast.expr | None, what: str) -> Type:
        d = self.diag
        if node is None:
            raise d.error(None, f"{what} needs a type annotation")
        if isinstance(node, ast.Constant) and node.value is None:
            return NONE
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                inner = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                raise d.error(node, f"cannot read the annotation {node.value!r}") from None
            ast.copy_location(inner, node)
            for sub in ast.walk(inner):
                ast.copy_location(sub, node)
            return self.parse_type(inner, what)
        name = self.builtin_name(node)
        if name is not None and name in SCALAR_NAMES:
            return SCALAR_NAMES[name]
        if isinstance(node, ast.Subscript):
            base = self.builtin_name(node.value)
            items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if base == "Array":
                return self._array_type(node, items)
            if base in ("list", "typing.List") and len(items) == 1:
                element = self.builtin_name(items[0])
                if element in ("float", "int"):
                    return ListType(F64 if element == "float" else I64)
            if base in ("tuple", "typing.Tuple"):
                types = [self.parse_type(i, what) for i in items]
                if any(isinstance(t, ArrayType) for t in types) and all(
                    isinstance(t, Scalar | ArrayType) for t in types
                ):  # arrays and numbers: a function result (frontend/results.py)
                    return ResultTuple(tuple(t for t in types if isinstance(t, Scalar | ArrayType)))
                if not all(isinstance(t, Scalar) for t in types) or len(types) < 2:
                    raise d.error(node, f"{what}: a tuple holds two or more numbers or bools")
                return TupleType(tuple(t for t in types if isinstance(t, Scalar)))
        raise d.error(
            node,
            f"{what}: unsupported type annotation `{shown(node)}`",
            "use float, int, bool, f32, i32, Array[f64] / Array[f32, 2] …, or tuple[float, ...]",
        )

    def _array_type(self, node: ast.Subscript, items: list[ast.expr]) -> ArrayType:
        d = self.diag
        elem = self.parse_element(items[0])
        ndim = 1
        if len(items) == 2:
            if not (isinstance(items[1], ast.Constant) and type(items[1].value) is int):
                raise d.error(items[1], "an array's rank must be a literal int (Array[f64, 2])")
            ndim = items[1].value
        if len(items) > 2 or not 1 <= ndim <= 8:
            raise d.error(
                node, "write an array type as Array[dtype] or Array[dtype, ndim]", "ndim is 1 to 8"
            )
        return ArrayType(elem, ndim)

    def parse_element(self, node: ast.expr) -> Element:
        name = self.builtin_name(node)
        if name is not None:
            last = name.rsplit(".", 1)[-1]
            if last in ELEMENT_NAMES:
                return ELEMENT_NAMES[last]
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value in ELEMENT_NAMES
        ):
            return ELEMENT_NAMES[node.value]
        raise self.diag.error(
            node,
            f"unsupported array element type `{shown(node)}`",
            "element types: f64/float, f32, i64/int, i32, u8, bool (or numpy.float64 …)",
        )

    # -- compile-time evaluation ----------------------------------------------------------

    def const_eval(self, node: ast.expr) -> Any:
        """Evaluate a module-level constant expression with Python's own semantics."""
        d = self.diag
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool | int | float):
                return self._guard(node, lambda: node.value)
            raise d.error(node, f"constant of type {type(node.value).__name__} is not supported")
        if isinstance(node, ast.Name) and node.id in self.constants:
            return self.constants[node.id]
        if isinstance(node, ast.Name) and node.id in self.tables:
            return self.tables[node.id].nested
        q = self.builtin_name(node) if isinstance(node, ast.Name | ast.Attribute) else None
        if (
            q is not None
            and q.startswith("math.")
            and isinstance(getattr(math, q[5:], None), float)
        ):
            return getattr(math, q[5:])
        if isinstance(node, ast.Tuple):
            return tuple(self.const_eval(e) for e in node.elts)
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return self._guard(node, lambda: _UNARY[type(node.op)](self.const_eval(node.operand)))
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = self.const_eval(node.left), self.const_eval(node.right)
            return self._guard(node, lambda: _BINARY[type(node.op)](left, right))
        if isinstance(node, ast.Call) and not node.keywords:
            fname = self.builtin_name(node.func)
            if fname == "float" and len(node.args) == 1:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    text = arg.value
                    return self._guard(node, lambda: float(text))  # float("inf"), as CPython
            fn = _CONST_CALLS.get(fname or "")
            if fn is None and fname and fname.startswith("math."):
                fn = getattr(math, fname[5:], None) if fname[5:] in _PURE_MATH else None
            if fn is not None:
                args = [self.const_eval(a) for a in node.args]
                return self._guard(node, lambda: fn(*args))
        raise d.error(
            node,
            f"`{shown(node)}` is not a constant expression",
            "module-level values are numbers, tuples of numbers, or arithmetic on them",
        )

    def _guard(self, node: ast.expr, fn: Callable[[], Any]) -> Any:
        try:
            value = fn()
        except (ArithmeticError, ValueError, TypeError) as e:
            raise self.diag.error(
                node, f"evaluating this constant raised {type(e).__name__}: {e}"
            ) from None
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and not (I64_MIN <= value <= I64_MAX)
        ):
            raise self.diag.error(
                node,
                f"constant {summarise(str(value))} does not fit in a 64-bit int",
                "kernel ints are 64-bit; write a float literal (1e30) where a float is meant",
            )
        return value


_UNARY: dict[type, Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Invert: operator.invert,
    ast.Not: operator.not_,
}
_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_,
    ast.BitXor: operator.xor,
    ast.LShift: operator.lshift,
    ast.RShift: operator.rshift,
}
_CONST_CALLS: dict[str, Callable[..., Any]] = {
    "float": float,
    "int": int,
    "abs": abs,
    "min": min,
    "max": max,
    "bool": bool,
}
_PURE_MATH = {
    "sqrt",
    "sin",
    "cos",
    "tan",
    "exp",
    "log",
    "log2",
    "log10",
    "atan",
    "atan2",
    "pow",
    "hypot",
    "floor",
    "ceil",
    "fabs",
    "radians",
    "degrees",
    "ldexp",
}


def parse_unit(source: str, filename: str, prefix: str, exported: bool) -> Unit:
    """Parse ``source`` and collect its module-level declarations."""
    diag = Diagnostics(filename)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. SyntaxWarning: not the kernel author's news
            tree = ast.parse(source, filename=filename)
    except SyntaxError as e:
        line, col = (e.lineno, e.offset) if e.lineno else limits.parser_failure_position(source)
        raise CompileError(
            f"syntax error: {e.msg}",
            file=filename,
            line=line,
            col=col or 1,
            hint="the kernel must be valid Python",
        ) from None
    except (ValueError, RecursionError, MemoryError) as e:
        # The parser gives no position (and MemoryError no message) when it runs out of
        # stack on an over-long or over-nested expression.
        line, col = limits.parser_failure_position(source)
        reason = str(e) if isinstance(e, ValueError) and str(e) else "too long or too deeply nested"
        raise CompileError(
            f"Python's parser cannot read this: {reason}",
            file=filename,
            line=line,
            col=col,
            hint="split the expression with intermediate variables",
        ) from None
    limits.check_nesting(tree, diag)
    internal: set[str] = set()
    library_functions: set[str] = set()
    if not prefix:  # the kernel: classes and complex numbers become plain numbers first
        if any(word in source for word in ("complex", "cmath", "c128")):  # else no tree walk
            tree = complex_arrays.cmath_constants(tree)
            if complex_arrays.uses_complex_arrays(tree):
                tree = complex_arrays.lower_complex_arrays(tree, diag)
        lowered = records.lower_records(tree, diag, source)
        tree, internal, library_functions = lowered.tree, lowered.internal, lowered.library
    unit = Unit(filename=filename, prefix=prefix, exported=exported, diag=diag, tree=tree)
    unit.internal, unit.library_functions = internal, library_functions
    _Collector(unit).run()
    return unit


class _Collector:
    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.d = unit.diag

    def run(self) -> None:
        body = self.unit.tree.body
        if body and _is_docstring(body[0]):
            self.unit.doc = body[0].value.value  # type: ignore[attr-defined]
            body = body[1:]
        for stmt in body:
            handler = self._handlers.get(type(stmt))
            if handler is None:
                raise self.d.unsupported(
                    stmt, "at module level", "module level holds imports, constants, state and defs"
                )
            handler(self, stmt)

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name not in ALLOWED_MODULES and alias.name != "portalis":
                raise self.d.error(
                    node,
                    f"module `{alias.name}` cannot be imported in a kernel",
                    "kernels may import math, numpy, heapq and portalis.lang",
                )
            local = alias.asname or alias.name.split(".")[0]
            self.unit.aliases[local] = alias.name if alias.asname else local

    def _import_from(self, node: ast.ImportFrom) -> None:
        mod = node.module or ""
        if node.level or mod.startswith("portalis.lang.libm"):
            target = mod.rsplit(".", 1)[-1] if mod else ""
            for alias in node.names:
                local = alias.asname or alias.name
                if alias.name in ("float_to_bits", "bits_to_float", "fused_multiply_add"):
                    # The library's CPython shims for the bit-cast intrinsics.
                    self.unit.aliases[local] = f"portalis.lang.{alias.name}"
                else:
                    self.unit.foreign[local] = (target, alias.name)
            return
        if mod not in ALLOWED_MODULES:
            raise self.d.error(
                node,
                f"module `{mod}` cannot be imported in a kernel",
                "kernels may import from math, numpy, heapq and portalis.lang",
            )
        for alias in node.names:
            if alias.name == "*":
                raise self.d.error(node, "`import *` is not supported", "import names explicitly")
            if mod == "portalis.lang" and alias.name not in LANG_NAMES:
                raise self.d.error(
                    node,
                    f"portalis.lang has no kernel name `{alias.name}`",
                    "available: " + ", ".join(sorted(LANG_NAMES)),
                )
            self.unit.aliases[alias.asname or alias.name] = f"{mod}.{alias.name}"

    def _function(self, node: ast.FunctionDef) -> None:
        u, d = self.unit, self.d
        if node.decorator_list:
            raise d.error(
                node.decorator_list[0], "decorators are not supported on kernel functions"
            )
        a = node.args
        if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs:
            raise d.error(
                node,
                f"function `{node.name}`: only plain parameters are supported",
                "no *args, **kwargs, keyword-only or positional-only parameters",
            )
        defaults: list[ast.expr | None] = [None] * (len(a.args) - len(a.defaults)) + list(
            a.defaults
        )
        params: list[ir.Param] = []
        for arg, default in zip(a.args, defaults, strict=False):
            t = (
                u.parse_type(arg.annotation, f"parameter `{arg.arg}` of `{node.name}`")
                if (arg.annotation is not None)
                else None
            )
            if t is None:
                raise d.error(
                    arg,
                    f"parameter `{arg.arg}` of `{node.name}` needs a type annotation",
                    f"for example `{arg.arg}: float`",
                )
            if isinstance(t, ListType) and u.exported and not node.name.startswith("_"):
                raise d.error(
                    arg,
                    f"`{node.name}` is exported: the host passes arrays, not lists",
                    f"take an Array[...] here, or make it a helper: _{node.name}",
                )
            if not isinstance(t, Scalar | ArrayType | ListType):
                raise d.error(arg, f"parameter `{arg.arg}` cannot have type {t}")
            value = None
            if default is not None:
                if not isinstance(t, Scalar):
                    raise d.error(default, "array parameters cannot have defaults")
                value = u.const_eval(default)
                if not isinstance(value, bool | int | float) or (
                    isinstance(value, float) and not t.is_float
                ):
                    raise d.error(default, f"default of `{arg.arg}` must be a {t} constant")
                value = float(value) if t.is_float else (bool(value) if t.is_bool else int(value))
            params.append(ir.Param(arg.arg, t, value))
        if node.returns is None:
            result: Type = NONE
            returned = [n.value for n in ast.walk(node) if isinstance(n, ast.Return) and n.value]
            if returned:
                array_params = {
                    a.arg
                    for a in node.args.args
                    if a.annotation is not None and "Array" in ast.unparse(a.annotation)
                }
                if any(isinstance(v, ast.Name) and v.id in array_params for v in returned):
                    hint = "add `-> Array[f64]` (the type of the array it returns)"
                else:
                    hint = "add `-> float` (or the type it returns)"
                raise d.error(
                    node,
                    f"function `{node.name}` returns a value but has no return annotation",
                    hint,
                )
        else:
            result = u.parse_type(node.returns, f"result of `{node.name}`")
            if isinstance(result, ListType) and u.exported and not node.name.startswith("_"):
                raise d.error(
                    node.returns,
                    f"`{node.name}` is exported: the host receives numbers, not lists",
                    f"return from a helper (_{node.name}) to a function that uses the list",
                )
        doc = ast.get_docstring(node) or ""
        if node.name in u.functions:
            raise d.error(node, f"function `{node.name}` is defined twice")
        u.functions[node.name] = FunctionSig(
            name=node.name,
            symbol=u.prefix + node.name,
            params=params,
            result=result,
            node=node,
            unit=u,
            exported=u.exported and not node.name.startswith("_") and node.name not in u.internal,
            doc=doc,
        )

    def _assign(self, node: ast.Assign) -> None:
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            raise self.d.error(
                node, "module-level assignments bind one name", "write `NAME = value`"
            )
        self._bind(node.targets[0].id, None, node.value, node)

    def _ann_assign(self, node: ast.AnnAssign) -> None:
        if not isinstance(node.target, ast.Name) or node.value is None:
            raise self.d.error(
                node, "module-level annotated names need a value", "write `speed: float = 1.0`"
            )
        self._bind(node.target.id, node.annotation, node.value, node)

    def _bind(
        self, name: str, annotation: ast.expr | None, value: ast.expr, node: ast.stmt
    ) -> None:
        u, d = self.unit, self.d
        if (
            name in u.constants
            or name in u.tables
            or name in u.state_scalars
            or (name in u.state_arrays)
        ):
            raise d.error(node, f"`{name}` is bound twice at module level")
        if isinstance(value, ast.Call) and (u.builtin_name(value.func) or "") in (
            "zeros",
            "numpy.zeros",
        ):
            u.state_arrays[name] = self._zeros(name, annotation, value)
            u.state_lines[name] = node.lineno
            return
        if annotation is not None and isinstance(value, ast.Tuple):
            annotation = None  # `T: tuple[float, ...] = (...)` is a constant table
        if annotation is not None and u.prefix:
            annotation = None  # library files have no state: annotated names are constants
        if annotation is not None:
            t = u.parse_type(annotation, f"`{name}`")
            if not isinstance(t, Scalar):
                raise d.error(
                    annotation,
                    f"persistent `{name}` must be a number or bool",
                    "persistent arrays are written `NAME = zeros(shape, dtype)`",
                )
            v = u.const_eval(value)
            if not isinstance(v, bool | int | float) or (isinstance(v, float) and not t.is_float):
                raise d.error(value, f"initial value of `{name}` must be a {t} constant")
            v = float(v) if t.is_float else (bool(v) if t.is_bool else int(v))
            u.state_scalars[name] = ir.StateScalar(name, "state." + u.prefix + name, t, v)
            u.state_lines[name] = node.lineno
            return
        v = u.const_eval(value)
        if isinstance(v, tuple):
            shape, flat = _rectangular(v)
            if shape is None or not flat:
                raise d.error(
                    value,
                    f"constant table `{name}` must hold numbers, in rows of equal length",
                    "write a tuple of ints or floats, or a tuple of such tuples",
                )
            elem = F64 if any(isinstance(x, float) for x in flat) else I64
            vals = tuple(float(x) if elem is F64 else int(x) for x in flat)
            u.tables[name] = Table(f"{u.prefix}{name}", elem, vals, 0, shape, v)
        else:
            u.constants[name] = v

    def _zeros(self, name: str, annotation: ast.expr | None, call: ast.Call) -> ir.ArrayRef:
        u, d = self.unit, self.d
        if not call.args or len(call.args) > 2:
            raise d.error(call, "write zeros(shape) or zeros(shape, dtype)")
        shape = u.const_eval(call.args[0])
        shape = shape if isinstance(shape, tuple) else (shape,)
        if not shape or not all(type(n) is int and n > 0 for n in shape):
            raise d.error(call.args[0], "an array's shape is positive int constants")
        dtype: ast.expr | None = call.args[1] if len(call.args) == 2 else None
        for kw in call.keywords:
            if kw.arg != "dtype":
                raise d.error(kw.value, f"zeros(): unsupported keyword `{kw.arg}`")
            dtype = kw.value
        elem = u.parse_element(dtype) if dtype is not None else ELEMENT_NAMES["f64"]
        t = ArrayType(elem, len(shape))
        if annotation is not None and u.parse_type(annotation, f"`{name}`") != t:
            raise d.error(annotation, f"annotation of `{name}` does not match zeros(): {t}")
        return ir.ArrayRef(name, t, offset=None, shape=tuple(shape))

    def _if(self, node: ast.If) -> None:
        t = node.test
        if isinstance(t, ast.Compare) and isinstance(t.left, ast.Name) and t.left.id == "__name__":
            return  # `if __name__ == "__main__":` runs only under CPython
        raise self.d.unsupported(node, "at module level")

    def _expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return
        raise self.d.error(
            node,
            "module-level expressions are not supported",
            "module level holds imports, constants, state and defs",
        )

    _handlers: ClassVar[dict[type, Callable[[_Collector, Any], None]]] = {
        ast.Import: _import,
        ast.ImportFrom: _import_from,
        ast.FunctionDef: _function,
        ast.Assign: _assign,
        ast.AnnAssign: _ann_assign,
        ast.If: _if,
        ast.Expr: _expr,
        ast.Pass: lambda self, node: None,
    }


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _rectangular(v: Any) -> tuple[tuple[int, ...] | None, list[Any]]:
    """(shape, values row by row) of nested tuples of numbers; shape None when ragged or
    holding anything else."""
    if isinstance(v, bool | int | float) and not isinstance(v, tuple):
        return (), [v]
    if not isinstance(v, tuple) or not v:
        return None, []
    parts = [_rectangular(x) for x in v]
    shapes = {p[0] for p in parts}
    if len(shapes) != 1 or None in shapes:
        return None, []
    inner = shapes.pop()
    assert inner is not None
    return (len(v), *inner), [x for p in parts for x in p[1]]
