"""mypy plugin: lets ``Array[f64, 2]`` type-check as it reads.

A kernel annotates a 2-D array ``Array[f64, 2]``; the ``2`` is a number, not a type, which
no type checker accepts in a generic's arguments. This plugin reads ``Array[E]`` and
``Array[E, n]`` (``n`` a positive int literal) as a generic over ``E`` with ``n`` dimensions —
``a[i, j]`` of an ``Array[f64, 2]`` is a float, ``a[i]`` a 1-D ``Array[f64]`` — and reports any
other form where it is written. Enable it in the project's
mypy configuration::

    [tool.mypy]
    plugins = ["portalis.lang.mypy_plugin"]

``Array[E]`` alone needs no plugin. Only mypy imports this module.
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.plugin import AnalyzeTypeContext, Plugin
from mypy.types import AnyType, RawExpressionType, Type, TypeOfAny

ARRAY = "portalis.lang.kernel.Array"
#: The class type checkers see for each number of dimensions (portalis/lang/kernel.py).
_BY_NDIM = {1: ARRAY, 2: "portalis.lang.kernel._Array2", 3: "portalis.lang.kernel._Array3"}
_MORE = "portalis.lang.kernel._ArrayN"


class ArrayPlugin(Plugin):
    def get_type_analyze_hook(self, fullname: str) -> Callable[[AnalyzeTypeContext], Type] | None:
        return _analyze_array if fullname == ARRAY else None


def _analyze_array(ctx: AnalyzeTypeContext) -> Type:
    args = ctx.type.args
    ndim = 1
    if len(args) == 2:
        n = args[1]
        if not (
            isinstance(n, RawExpressionType)
            and n.base_type_name == "builtins.int"
            and isinstance(n.literal_value, int)
            and n.literal_value >= 1
        ):
            ctx.api.fail("Array[E, n]: n is the number of dimensions, a positive int", ctx.context)
            return AnyType(TypeOfAny.from_error)
        ndim = n.literal_value
    elif len(args) != 1:
        ctx.api.fail("write Array[E] or Array[E, n] (n dimensions)", ctx.context)
        return AnyType(TypeOfAny.from_error)
    return ctx.api.named_type(_BY_NDIM.get(ndim, _MORE), [ctx.api.analyze_type(args[0])])


def plugin(version: str) -> type[Plugin]:
    return ArrayPlugin
