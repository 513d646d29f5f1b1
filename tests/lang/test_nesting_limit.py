"""The nesting limit (frontend/limits.py): a kernel exactly at the limit builds, one level
deeper is refused at the place it crosses the limit."""

import pytest

from portalis.errors import CompileError
from portalis.lang import compile_source
from portalis.lang.frontend.limits import MAX_NESTING


def negations(n: int) -> str:
    return "def f(x: float) -> float:\n    return " + "-" * n + "x\n"


def test_nesting_at_the_limit_builds() -> None:
    # def → return → n negations → x → its Load context: n + 4 levels below the module
    compile_source(negations(MAX_NESTING - 4), "deep.py")


def test_one_level_deeper_is_refused_where_it_crosses() -> None:
    with pytest.raises(CompileError, match="nested more than 2000 levels deep") as info:
        compile_source(negations(MAX_NESTING - 3), "deep.py")
    # at the innermost node with a position: the `x` after "    return " and the negations
    assert (info.value.line, info.value.col) == (2, len("    return ") + MAX_NESTING - 3 + 1)
