"""Masked constant-table reads in the math library skip the index check
(backend/table_index.py): exactly those whose index is ``x & c`` with ``0 <= c < len``,
directly or through a local that only ever holds such a value."""

from __future__ import annotations

from portalis.lang import compile_source, ir
from portalis.lang.backend.table_index import masked_table_reads
from portalis.lang.types import F64, I64

from .conftest import compile_kernel


def _k() -> ir.LocalGet:
    return ir.LocalGet(1, 0, I64, "k")


def _mask(c: int) -> ir.Binary:
    return ir.Binary(1, 0, I64, "and", _k(), ir.Const(1, 0, I64, c))


def _read(index: ir.Expr, length: int = 128) -> ir.TableLoad:
    return ir.TableLoad(1, 0, F64, "T", 0, length, index)


def _function(stmts: list[ir.Stmt], read: ir.TableLoad) -> ir.Function:
    body = [*stmts, ir.Return(1, 0, read)]
    return ir.Function("f", "f", [ir.Param("k", I64)], F64, body, library=True)


def test_a_mask_below_the_length_is_in_range() -> None:
    read = _read(_mask(127))
    assert masked_table_reads(_function([], read)) == {(id(read), 0)}


def test_a_mask_reaching_the_length_or_no_mask_keeps_the_check() -> None:
    for index in (_mask(128), _k(), ir.Binary(1, 0, I64, "or", _k(), ir.Const(1, 0, I64, 1))):
        read = _read(index)
        assert masked_table_reads(_function([], read)) == frozenset()


def test_a_local_is_in_range_only_if_every_assignment_is_a_mask() -> None:
    read = _read(ir.LocalGet(1, 0, I64, "idx"))
    once = [ir.SetLocal(1, 0, "idx", _mask(63)), ir.SetLocal(1, 0, "idx", _mask(127))]
    assert masked_table_reads(_function(once, read)) == {(id(read), 0)}
    read = _read(ir.LocalGet(1, 0, I64, "idx"))
    twice = [ir.SetLocal(1, 0, "idx", _mask(127)), ir.SetLocal(1, 0, "idx", _k())]
    assert masked_table_reads(_function(twice, read)) == frozenset()
    read = _read(_k())  # a parameter: any value
    assert masked_table_reads(_function([], read)) == frozenset()


def test_exp_reads_its_tables_unchecked_and_stays_right() -> None:
    import math

    source = "import math\n\n\ndef f(x: float) -> float:\n    return math.exp(x)\n"
    wat = compile_source(source, "k.py").wat
    exp = wat.split("(func $libm.exp.exp", 1)[1].split("\n  (func ", 1)[0]
    assert "i64.const 63" not in exp  # no negative-index wrap (nor the check after it)
    kernel = compile_kernel(source)
    for x in (-700.5, -3.25, -1e-3, 0.0, 0.7, 1.0, 2.5, 100.0, 709.0):
        assert kernel.f(x) == math.exp(x), x
