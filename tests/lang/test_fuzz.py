"""Fuzzing the front end: garbage and mutated kernels must end in a CompileError (or a
valid module), never in any other exception."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portalis.errors import CompileError
from portalis.lang import compile_source

SEED = (Path(__file__).parent / "kernels" / "arith.py").read_text()
SEED_LINES = SEED.splitlines(keepends=True)

TOKENS = [
    "def ",
    "return ",
    "if ",
    "else:",
    "elif ",
    "while ",
    "for ",
    " in ",
    "range(",
    "(",
    ")",
    "[",
    "]",
    ":",
    ",",
    " = ",
    " += ",
    " + ",
    " - ",
    " * ",
    " / ",
    " // ",
    " % ",
    " ** ",
    " < ",
    " == ",
    " and ",
    " or ",
    "not ",
    "lambda ",
    "x",
    "n",
    "a",
    "i",
    "1",
    "0",
    "-1",
    "2.5",
    "1e308",
    "True",
    "None",
    "'s'",
    "math.sin",
    "global ",
    "yield ",
    "import os",
    "\n",
    "\n    ",
    "    ",
    "\t",
    "#",
    '"""',
    "break",
    "continue",
    "pass",
    "assert ",
    "@",
    "class ",
    "async ",
    "await ",
    "with ",
    "try:",
    "del ",
    "*",
    "**",
    "->",
    "int",
    "float",
    "bool",
    "tuple[int, int]",
    "Array[f64]",
    "zeros(3)",
    "f32(",
    "TABLE[",
    "abs(",
]

EXAMPLES = int(os.environ.get("PORTALIS_FUZZ_EXAMPLES", "150"))  # raise it for a long run
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def compiles_or_reports(source: str) -> None:
    try:
        kernel = compile_source(source, "fuzz.py")
    except CompileError as e:
        assert e.line >= 0 and e.col >= 0
        assert str(e).startswith("fuzz.py:")
        assert "internal compiler error" not in str(e), str(e)
    else:
        assert kernel.wasm[:4] == b"\0asm"


@SETTINGS
@given(st.text(max_size=300))
def test_garbage_text(source: str) -> None:
    compiles_or_reports(source)


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=60))
def test_token_soup(tokens: list[str]) -> None:
    compiles_or_reports("def f(x: float) -> float:\n    " + "".join(tokens))


@SETTINGS
@given(st.data())
def test_mutated_kernel(data: st.DataObject) -> None:
    lines = list(SEED_LINES)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "insert", "splice", "swap"]))
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "insert":
            lines.insert(
                i, "    " + "".join(data.draw(st.lists(st.sampled_from(TOKENS), max_size=8))) + "\n"
            )
        elif action == "splice":
            line = lines[i]
            a = data.draw(st.integers(0, len(line)))
            b = data.draw(st.integers(a, len(line)))
            lines[i] = line[:a] + data.draw(st.sampled_from(TOKENS)) + line[b:]
        else:
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        if not lines:
            lines = [""]
    compiles_or_reports("".join(lines))
