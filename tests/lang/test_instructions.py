"""The typed instruction builder (backend/instructions.py): a malformed instruction fails
where it is made, with the opcode and the operand in the message; well-formed ones render
the text the assembler reads, and Code indents by the nesting they open and close."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from portalis.lang import ir
from portalis.lang.backend import instructions as I
from portalis.lang.backend.instructions import Code, Instr
from portalis.lang.types import F64, I64


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda: I.local_get("$x"), ValueError, ["local.get", "'$x'"]),
        (lambda: I.local_set("a b"), ValueError, ["local.set", "'a b'"]),
        (lambda: I.br_if(3), TypeError, ["br_if", "3"]),
        (lambda: I.call(""), ValueError, ["call", "''"]),
        (lambda: I.i64_const(1.5), TypeError, ["i64.const", "1.5"]),
        (lambda: I.i32_const(1 << 32), ValueError, ["i32.const", str(1 << 32)]),
        (lambda: I.i64_const(-(1 << 63) - 1), ValueError, ["i64.const", "64 bits"]),
        (lambda: I.f64_const(1), TypeError, ["f64.const", "int"]),
        (lambda: I.numeric("i32", "div"), ValueError, ["i32.div"]),
        (lambda: I.numeric("f128", "add"), ValueError, ["f128.add"]),
        (lambda: I.load("f64.store"), ValueError, ["'f64.store'", "load"]),
        (lambda: I.store("f64.store", -8), ValueError, ["f64.store", "-8"]),
        (lambda: I.load("i32.load", 2.0), TypeError, ["i32.load", "float"]),  # type: ignore[arg-type]
        (lambda: I.block("done", ("q",)), ValueError, ["block", "'q'"]),
        (lambda: I.if_("f64"), TypeError, ["if", "'f64'"]),  # type: ignore[arg-type]
        (lambda: I.convert("f64.add"), ValueError, ["'f64.add'"]),
    ],
)
def test_malformed_instruction_fails_where_it_is_made(
    make: Callable[[], Instr], error: type[Exception], words: list[str]
) -> None:
    with pytest.raises(error) as raised:
        make()
    for word in words:
        assert word in str(raised.value)


def test_an_unknown_opcode_has_no_constructor() -> None:
    with pytest.raises(AttributeError):
        I.f64_ad()  # type: ignore[attr-defined]


def test_instructions_render_the_assemblers_text() -> None:
    assert I.local_get("x.d0").text == "local.get $x.d0"
    assert I.br_if("break3").text == "br_if $break3"
    assert I.i64_const(-(1 << 63)).text == "i64.const -9223372036854775808"
    assert I.f64_const(float("-inf")).text == "f64.const -inf"
    assert I.f64_const(-0.0).text == "f64.const -0.0"
    assert I.const(F64, 2).text == "f64.const 2.0"
    assert I.const(I64, True).text == "i64.const 1"
    assert I.load("f64.load", 16).text == "f64.load offset=16"
    assert I.store("i64.store8").text == "i64.store8"
    assert I.block("b", ("i64", "f64")).text == "block $b (result i64 f64)"
    assert I.if_(("f64",)).text == "if (result f64)"
    assert I.numeric("i64", "rem_s") is I.i64_rem_s()
    assert I.f64_add().op == "f64.add" and I.f64_add().immediates == ()


def test_every_instruction_without_immediates_has_its_constructor() -> None:
    for op in I._NULLARY:
        make = getattr(I, I._python_name(op))
        assert make().op == op


def _code() -> Code:
    return Code(ir.Function("f", "f", [], None))  # type: ignore[arg-type]


def test_code_indents_by_the_nesting_instructions_open_and_close() -> None:
    code = _code()
    code.emit(I.block("out"), I.loop("top"), I.i32_const(1), I.if_(), I.br("out"))
    code.emit(I.else_(), I.br("top"), I.end(), I.end(), I.end())
    assert code.out == [
        "  block $out",
        "    loop $top",
        "      i32.const 1",
        "      if",
        "        br $out",
        "      else",
        "        br $top",
        "      end",
        "    end",
        "  end",
    ]
    assert code.depth == 1


def test_code_refuses_instruction_text() -> None:
    with pytest.raises(TypeError, match="Instr"):
        _code().emit("local.get $x")  # type: ignore[arg-type]


def test_constants_are_shared_but_signed_zeros_stay_apart() -> None:
    # const() keeps the instructions it made: 0.0 and -0.0 compare equal, yet are two.
    assert I.const(F64, 0.0).text == "f64.const 0.0"
    assert I.const(F64, -0.0).text == "f64.const -0.0"
    assert I.const(F64, 0).text == "f64.const 0.0"
    assert I.const(F64, 2.5) is I.const(F64, 2.5)
    assert I.const(I64, 7) is I.const(I64, 7)
    assert I.const(I64, 7).text == "i64.const 7"
    assert I.const(F64, 7).text == "f64.const 7.0"
    assert I.const(F64, float("nan")).text == "f64.const nan"
    assert I.const(F64, -float("nan")).text == "f64.const -nan"
    with pytest.raises(ValueError, match="does not fit"):
        I.const(I64, 1 << 70)
