"""Fuzzing the front end: garbage and mutated kernels must end in a CompileError (or a
valid module), never in any other exception."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portalis.errors import CompileError
from portalis.lang import compile_source

from .conftest import compile_kernel
from .test_iteration import SOURCE as iteration_source
from .test_local_arrays import SOURCE as local_arrays_source
from .test_views import SOURCE as views_source

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
    "é",
    "π = ",
    "np.zeros(",
    "np.full((2, n), ",
    "zeros_like(",
    "for x in a:",
    "for i, x in enumerate(",
    "zip(",
    "reversed(",
    "row = a[0]",
    "row[",
    "else:\n        ",
    "_helper(",
    "9" * 30,
    "-" * 40,
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


#: Kernels with views, iteration forms and local arrays.
ARRAY_SEEDS = [views_source, iteration_source, local_arrays_source]


@SETTINGS
@given(st.data())
def test_mutated_array_kernel(data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(ARRAY_SEEDS))
    _mutate_and_compile(data, seed.splitlines(keepends=True))


@SETTINGS
@given(st.data())
def test_mutated_kernel(data: st.DataObject) -> None:
    _mutate_and_compile(data, list(SEED_LINES))


def _mutate_and_compile(data: st.DataObject, lines: list[str]) -> None:
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


# Inputs that once crashed the compiler (issue 8). Each must build, or fail with a located
# error (file:line:col with a line), never RecursionError/OverflowError or an empty reason.
SUM_1000 = "def f(x: float) -> float:\n    return " + " + ".join(["x"] * 1000) + "\n"
NEG_500 = "def f(x: float) -> float:\n    return " + "-" * 500 + "x\n"
NOT_600 = "def f(x: bool) -> bool:\n    return " + "not " * 600 + "x\n"
UNICODE = (
    "ÉCHELLE = 2.0\n\n\ndef größe(é: float, n: int) -> float:\n    π = 3.0\n    s = 0.0\n"
    "    for ï in range(n):\n        s += é * π * ÉCHELLE\n    return s\n"
)
HEADER = "def f(x: float) -> float:\n    return "
LOCATED_ERRORS = {
    "400-digit int to a float global": "G: float = " + "9" * 400 + "\n",
    "400-digit int literal": HEADER + "9" * 400 + "\n",
    "400-digit default": "def f(x: float = " + "9" * 400 + ") -> float:\n    return x\n",
    # Python's parser gives up on these without a position (MemoryError or RecursionError).
    "100,000 unary minuses": HEADER + "-" * 100_000 + "x\n",
    "10,000 not": "def f(x: bool) -> bool:\n    return " + "not " * 10_000 + "x\n",
    "10,000 lambdas": HEADER + "lambda: " * 10_000 + "x\n",
    "10,000 conditionals": HEADER + "1.0 if x else " * 10_000 + "x\n",
    "100,000 powers": HEADER + "x" + " ** x" * 100_000 + "\n",
    "200,000-term sum": HEADER + " + ".join(["x"] * 200_000) + "\n",
    "NUL byte": HEADER + "x\0\n",
    "3,000-term sum": HEADER + " + ".join(["x"] * 3000) + "\n",
}


@pytest.mark.parametrize("source", LOCATED_ERRORS.values(), ids=LOCATED_ERRORS.keys())
def test_former_crashes_give_located_errors(source: str) -> None:
    with pytest.raises(CompileError) as info:
        compile_source(source, "fuzz.py")
    e = info.value
    assert e.line >= 1 and e.col >= 1, str(e)
    assert str(e).startswith(f"fuzz.py:{e.line}:{e.col}: ")
    assert not str(e).rstrip().endswith(":"), "an error needs a reason"
    assert len(str(e)) < 400, "long source is summarised, not quoted whole"


@pytest.mark.parametrize(
    ("source", "args", "expected"),
    [
        (SUM_1000, (0.1,), sum([0.1] * 1000)),
        (NEG_500, (2.5,), 2.5),
        (NOT_600, (True,), True),
    ],
    ids=["1,000-term sum", "500 unary minuses", "600 not"],
)
def test_deep_expressions_build_and_match_cpython(
    source: str, args: tuple, expected: object
) -> None:
    namespace: dict[str, object] = {}
    exec(source, namespace)
    assert namespace["f"](*args) == expected  # type: ignore[operator]
    assert compile_kernel(source).f(*args) == expected


def test_non_ascii_identifiers_build_and_match_cpython() -> None:
    namespace: dict[str, object] = {}
    exec(UNICODE, namespace)
    kernel = compile_kernel(UNICODE)
    assert kernel.größe(1.5, 3) == namespace["größe"](1.5, 3)  # type: ignore[operator]
    assert kernel.größe(é=0.25, n=7) == namespace["größe"](é=0.25, n=7)  # type: ignore[operator]
