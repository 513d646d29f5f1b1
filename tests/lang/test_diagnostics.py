"""Every unsupported construct or type error is a CompileError ``file:line:col: message``
with a hint; ``portalis build`` prints it and exits 1 without a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from portalis.cli.main import main
from portalis.errors import CompileError
from portalis.lang import compile_source

HEADER = "import math\nfrom portalis.lang import Array, f64\n\n"

# (kernel body after HEADER, expected line, expected col, words in the message)
CASES: list[tuple[str, int, int, str]] = [
    ("def f(x):\n    return x\n", 4, 7, "needs a type annotation"),
    ("def f(x: str) -> float:\n    return 1.0\n", 4, 10, "unsupported type annotation"),
    ("def f(x: float) -> float:\n    return [x]\n", 5, 12, "list is not supported"),
    ("def f(x: float) -> float:\n    y = {1: x}\n    return x\n", 5, 9, "dict is not supported"),
    ("def f(x: float) -> float:\n    g = lambda: x\n    return x\n", 5, 9, "lambda"),
    (
        "def f(x: float) -> float:\n    g = (i for i in range(3))\n    return x\n",
        5,
        9,
        "generator expression",
    ),
    ("def f(x: float) -> float:\n    return sum(x)\n", 5, 12, "`sum` is not supported"),
    (
        "def f(x: float) -> float:\n    y = print(x)\n    return x\n",
        5,
        9,
        "`print` is not supported",
    ),
    ("def f(x: float) -> float:\n    print(x, file=x)\n    return x\n", 5, 5, "file=...) is not"),
    ("def f(x: float) -> float:\n    print(f'{x:{x}}')\n    return x\n", 5, 11, "spec computed"),
    ("def f(x: float) -> float:\n    return 'a'\n", 5, 12, "string values"),
    ("def f(x: float) -> int:\n    return x\n", 5, 12, "declared -> int but returns a float"),
    ("def f(n: int) -> int:\n    n = 1.5\n    return n\n", 5, 5, "is given a float"),
    ("def f(x: float) -> float:\n    return y\n", 5, 12, "`y` is not defined"),
    (
        "def f(x: float) -> float:\n    try:\n        pass\n    except Exception:\n        pass\n"
        "    return x\n",
        5,
        5,
        "try statement",
    ),
    (
        "def f(x: float) -> float:\n    with x:\n        pass\n    return x\n",
        5,
        5,
        "with statement",
    ),
    ("def f(xs: Array[f64]) -> float:\n    return xs[1:2]\n", 5, 12, "a slice (a 1-D view"),
    ("def f(xs: Array[f64]) -> float:\n    return xs\n", 5, 12, "but is declared `-> float`"),
    (
        "def f(x: float) -> float:\n    for i in [1, 2]:\n        pass\n    return x\n",
        5,
        14,
        "for loops iterate over range(...), arrays",
    ),
    ("def f(x: float) -> float:\n    break\n", 5, 5, "outside a loop"),
    ("def f(x: float) -> float:\n    return math.gamma(x)\n", 5, 12, "math.gamma"),
    ("def f(x: float) -> float:\n    return x @ x\n", 5, 12, "operator `@` is not supported"),
    ("def f(x: float) -> float:\n    return x is None\n", 5, 12, "comparison `is` is not"),
    ("def f(x: float) -> float:\n    x @= x\n    return x\n", 5, 5, "operator `@=` is not"),
    ("for i in range(3):\n    pass\n", 4, 1, "`for` loop is not supported at module level"),
    ("n = 0\nwhile n < 3:\n    n += 1\n", 5, 1, "`while` loop is not supported at module"),
    ("if True:\n    pass\n", 4, 1, "`if` statement is not supported at module level"),
    ("def f(x: float) -> float:\n    return x & 1\n", 5, 12, "needs int operands"),
    ("def f(n: int) -> float:\n    return range(n)\n", 5, 12, "range"),
    ("def f(x: float) -> float:\n    return f(x, x)\n", 5, 12, "takes 1 arguments"),
    ("def f(x: float) -> float:\n    return f(y=x)\n", 5, 16, "no parameter `y`"),
    ("def f(x: float):\n    return x\n", 4, 1, "no return annotation"),
    ("import os\n", 4, 1, "cannot be imported"),
    ("x = [1, 2]\n", 4, 5, "not a constant expression"),
    ("class A:\n    pass\n", 4, 1, "class definition"),
    ("print('hi')\n", 4, 1, "module-level expressions"),
    ("def f(x: float) -> float:\n    global q\n    return x\n", 4, 1, "no module-level state"),
    ("def f(x: float) -> float:\n    return x +\n", 5, 15, "syntax error"),
    ("def _private(x: float) -> float:\n    return x\n", 1, 1, "no public function"),
    ("def f(x: float) -> float:\n    x = math.sqrt\n    return x\n", 5, 9, "not supported"),
    ("def f(xs: Array[f64, 2]) -> float:\n    return xs[0]\n", 5, 12, "index all of them"),
    ("def f(x: float) -> float:\n    del x\n    return 1.0\n", 5, 5, "del statement"),
    ("def f(x: float) -> float:\n    a, b = x\n    return a\n", 5, 12, "cannot unpack"),
    ("@staticmethod\ndef f(x: float) -> float:\n    return x\n", 4, 2, "decorators"),
    ("def f(*xs: float) -> float:\n    return 1.0\n", 4, 1, "only plain parameters"),
    ("def f(x: float) -> float:\n    return x if x else 'no'\n", 5, 24, "string values"),
    ("def f(i: int) -> int:\n    return 99999999999999999999\n", 5, 12, "does not fit"),
    ("T = (1, 2)\ndef f(i: int) -> int:\n    T[0] = i\n    return i\n", 6, 5, "read-only"),
]


#: Statements and expressions a kernel refuses at module level or in a function; each message
#: says what the construct is in words, never as an `ast.X` class name.
REFUSED = [
    "for i in range(3):\n    pass\n",
    "n = 0\nwhile n < 3:\n    n += 1\n",
    "if 1 < 2:\n    pass\n",
    "assert True\n",
    "raise ValueError\n",
    "pass\n",
    "x = 1\nx += 1\n",
    "del math\n",
    "global q\n",
    "with open('f') as fh:\n    pass\n",
    "try:\n    pass\nexcept Exception:\n    pass\n",
    "match 1:\n    case 1:\n        pass\n",
    "async def f() -> None:\n    pass\n",
    "def f(x: float) -> float:\n    async for i in x:\n        pass\n    return x\n",
    "def f(x: float) -> float:\n    nonlocal x\n    return x\n",
    "def f(x: float) -> float:\n    return (y := x)\n",
    "def f(x: float) -> float:\n    return {x}\n",
    "def f(x: float) -> float:\n    return {i: i for i in range(3)}\n",
    "def f(x: float) -> float:\n    return x @ x\n",
    "def f(x: float) -> bool:\n    return x in x\n",
    "def f(x: float) -> bool:\n    return x is not x\n",
]


@pytest.mark.parametrize("body", REFUSED)
def test_messages_name_constructs_in_words(body: str) -> None:
    with pytest.raises(CompileError) as info:
        compile_source(HEADER + body, "k.py")
    message = str(info.value)
    assert "ast." not in message, message
    for name in ("For", "While", "If", "AugAssign", "MatMult", "IsNot", "NotIn", "In", "Is"):
        assert f"`{name}" not in message, message


@pytest.mark.parametrize(("body", "line", "col", "words"), CASES)
def test_message_names_place_and_construct(body: str, line: int, col: int, words: str) -> None:
    with pytest.raises(CompileError) as info:
        compile_source(HEADER + body, "k.py")
    e = info.value
    assert words in e.reason, e.reason
    assert (e.line, e.col) == (line, col), str(e)
    assert str(e).startswith(f"k.py:{line}:{col}: ")
    assert e.hint, "every diagnostic carries a hint"


def test_cli_reports_one_line_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "bad.py"
    src.write_text(HEADER + "def f(x: float) -> float:\n    return [x]\n")
    assert main(["build", str(src)]) == 1
    err = capsys.readouterr().err
    assert f"{src}:5:12: list is not supported in kernels" in err
    assert "hint:" in err
    assert "Traceback" not in err
    assert not (tmp_path / "bad.wasm").exists()


def test_cli_builds_wasm_and_wat(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "ok.py"
    src.write_text("def f(x: float) -> float:\n    return x * 2.0\n")
    assert main(["build", str(src)]) == 0
    assert (tmp_path / "ok.wasm").read_bytes()[:4] == b"\0asm"
    out = tmp_path / "custom.wat"
    assert main(["build", str(src), "--emit", "wat", "-o", str(out)]) == 0
    assert out.read_text().startswith(";; compiled by portalis.lang")
    assert "built" in capsys.readouterr().out


def test_cli_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(tmp_path / "missing.py")]) == 1
    assert "cannot read the kernel" in capsys.readouterr().err


# (kernel body after HEADER, expected line, words in the message, words in the hint)
HINTS: list[tuple[str, int, str, str]] = [
    (  # int accumulator given floats: the fix is 0.0, not int(...) (which truncates)
        "def f(t: float) -> float:\n    acc = 0\n    acc += t * 0.5\n    return acc\n",
        6,
        "`acc` is an int (from its first assignment, line 5)",
        "initialise acc as 0.0",
    ),
    (
        "def f(t: float, n: int) -> float:\n    s = 0\n    for i in range(n):\n"
        "        s = s + t\n    return s\n",
        7,
        "is given a float",
        "initialise s as 0.0",
    ),
    (  # mypy's "Missing return statement", at build time rather than a trap at run time
        "def f(t: float) -> float:\n    if t > 0:\n        return t\n",
        4,
        "can reach the end of its body without returning",
        "on every path",
    ),
    (
        "def f(t: float) -> float:\n    while t > 0:\n        return t\n",
        4,
        "missing return statement",
        "on every path",
    ),
    (
        "def f(t: float) -> float:\n    while True:\n        if t > 0:\n            break\n"
        "        return t\n",
        4,
        "missing return statement",
        "on every path",
    ),
    (  # an array returned without annotation: not "add `-> float`"
        "def f(a: Array[f64]):\n    return a\n",
        4,
        "no return annotation",
        "-> Array[f64]",
    ),
    ("def f() -> float:\n    return float('one')\n", 5, "raises ValueError", "math.inf"),
    (  # a float returned from `-> int`: the annotation is the likely mistake, not the value
        "def f(t: float) -> int:\n    return t * 0.5\n",
        5,
        "declared -> int but returns a float",
        "declare it -> float",
    ),
]


@pytest.mark.parametrize(("body", "line", "words", "hint"), HINTS)
def test_hint_leads_to_the_fix(body: str, line: int, words: str, hint: str) -> None:
    with pytest.raises(CompileError) as info:
        compile_source(HEADER + body, "k.py")
    e = info.value
    assert words in e.reason and e.line == line, str(e)
    assert hint in e.hint, e.hint
    assert "int(...)" not in e.hint or "truncate" in e.hint


@pytest.mark.parametrize(
    "body",
    [
        "def f(t: float) -> float:\n    if t > 0:\n        return t\n    return -t\n",
        "def f(t: float) -> float:\n    if t > 0:\n        return t\n    else:\n"
        "        return 1.0\n",
        "def f(t: float) -> float:\n    while True:\n        if t > 0:\n            return t\n"
        "        t += 1.0\n",
        "def f(t: float) -> float:\n    if t > 0:\n        return t\n    raise ValueError('t')\n",
        "def f(t: float) -> float:\n    for i in range(3):\n        return t\n    assert False\n",
        "def f(t: float) -> None:\n    if t > 0:\n        return\n",
    ],
)
def test_every_path_returns_builds(body: str) -> None:
    assert compile_source(HEADER + body, "k.py").wasm[:4] == b"\0asm"


def test_float_of_a_string_literal_is_cpythons_constant() -> None:
    from .conftest import compile_kernel

    source = (
        "INF = float('inf')\n\n\ndef f(t: float) -> float:\n"
        "    return max(t, float('-inf')) - INF / float(' 1e3 ')\n\n\n"
        "def g() -> float:\n    return float('nan')\n"
    )
    namespace: dict[str, object] = {}
    exec(source, namespace)
    kernel = compile_kernel(source)
    for t in (1.0, -2.5):
        assert repr(kernel.f(t)) == repr(namespace["f"](t))  # type: ignore[operator]
    assert kernel.g() != kernel.g()


def test_private_helpers_are_compiled_only_when_called() -> None:
    """``_name`` helpers that no public function calls may hold anything CPython runs (here
    a list and a dict); one that is called is compiled (and checked) like any function."""
    unused = "def _debug(x: float) -> float:\n    return sum([x, {1: x}[1]])\n\n\n"
    used = "def _twice(x: float) -> float:\n    return 2.0 * x\n\n\n"
    public = "def f(x: float) -> float:\n    return _twice(x)\n"
    kernel = compile_source(HEADER + unused + used + public, "k.py")
    assert [f.name for f in kernel.abi.functions] == ["f"]
    with pytest.raises(CompileError, match="`sum` is not supported"):
        compile_source(HEADER + unused + "def g(x: float) -> float:\n    return _debug(x)\n")
