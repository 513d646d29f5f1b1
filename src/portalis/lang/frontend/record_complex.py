"""``complex`` and ``cmath`` under the records lowering: ``complex`` is a record class
(real, imag) whose arithmetic is kernel Python written with CPython's algorithms
(prelude/complex_numbers.py), compiled in place of the builtin when a kernel uses it;
``cmath.exp``'s special values are taken from this CPython.
"""

from __future__ import annotations

import ast
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from portalis.lang.frontend.diagnostics import shown
from portalis.lang.frontend.record_classes import declare_class, resolve_fields
from portalis.lang.frontend.record_signatures import declare_function

if TYPE_CHECKING:
    from portalis.lang.frontend.records import ModuleLowering

COMPLEX_SOURCE = Path(__file__).resolve().parent.parent / "prelude" / "complex_numbers.py"

#: The ``cmath`` functions kernels may call, and the library function each is.
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


def uses_complex(low: ModuleLowering) -> bool:
    if low.cmath_modules or low.cmath_names:
        return True
    for node in ast.walk(low.tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, complex):
            return True
        if isinstance(node, ast.Name) and node.id == "complex":
            return True
    return False


def load_complex(low: ModuleLowering) -> list[ast.stmt]:
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
            cls = declare_class(low, stmt, name="complex", builtin=True)
            resolve_fields(low, cls)
            for m in cls.methods.values():
                declare_function(low, m, cls).library = True
        elif isinstance(stmt, ast.FunctionDef):
            declare_function(low, stmt, None).library = True
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
