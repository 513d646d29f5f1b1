"""Building :class:`~portalis.errors.CompileError` from AST nodes, so every error names the
file, line and column of the construct at fault."""

from __future__ import annotations

import ast

from portalis.errors import CompileError

#: What a kernel author would call each AST node in an error message.
CONSTRUCT_NAMES: dict[type, str] = {
    ast.Lambda: "lambda",
    ast.ListComp: "list comprehension",
    ast.SetComp: "set comprehension",
    ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression",
    ast.List: "list",
    ast.Dict: "dict",
    ast.Set: "set",
    ast.JoinedStr: "f-string",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield from",
    ast.Starred: "starred expression (*x)",
    ast.Slice: "slice",
    ast.NamedExpr: "assignment expression (:=)",
    ast.ClassDef: "class definition",
    ast.AsyncFunctionDef: "async function",
    ast.With: "with statement",
    ast.AsyncWith: "async with",
    ast.AsyncFor: "async for",
    ast.Try: "try statement",
    ast.Delete: "del statement",
    ast.Nonlocal: "nonlocal statement",
    ast.Import: "import inside a function",
    ast.ImportFrom: "import inside a function",
    # The common kinds too, so no message shows an `ast.X` class name (where each is refused
    # depends on the place: module level takes no loop, a function no `global` …).
    ast.FunctionDef: "function definition",
    ast.Return: "`return` statement",
    ast.Assign: "assignment",
    ast.AugAssign: "augmented assignment (`+=` …)",
    ast.AnnAssign: "annotated assignment",
    ast.For: "`for` loop",
    ast.While: "`while` loop",
    ast.If: "`if` statement",
    ast.Raise: "`raise` statement",
    ast.Assert: "`assert` statement",
    ast.Global: "`global` statement",
    ast.Expr: "expression statement",
    ast.Pass: "`pass` statement",
    ast.Break: "`break` statement",
    ast.Continue: "`continue` statement",
    ast.BoolOp: "`and`/`or` expression",
    ast.BinOp: "arithmetic expression",
    ast.UnaryOp: "unary operator",
    ast.IfExp: "conditional expression (`x if c else y`)",
    ast.Compare: "comparison",
    ast.Call: "call",
    ast.FormattedValue: "f-string field",
    ast.Constant: "constant",
    ast.Attribute: "attribute access",
    ast.Subscript: "subscript",
    ast.Name: "name",
    ast.Tuple: "tuple",
}

if hasattr(ast, "TryStar"):
    CONSTRUCT_NAMES[ast.TryStar] = "try/except* statement"
if hasattr(ast, "Match"):
    CONSTRUCT_NAMES[ast.Match] = "match statement"
if hasattr(ast, "TypeAlias"):
    CONSTRUCT_NAMES[ast.TypeAlias] = "`type` statement"

#: Operators as written in Python, for messages (``ast.Add`` is ``+``, ``ast.NotIn`` ``not in``).
OPERATOR_TEXT: dict[type, str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.USub: "-",
    ast.UAdd: "+",
    ast.Invert: "~",
    ast.Not: "not",
    ast.And: "and",
    ast.Or: "or",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}


def operator_text(op: ast.AST) -> str:
    """``op`` as written in Python source (``+``, ``not in``)."""
    return OPERATOR_TEXT.get(type(op), type(op).__name__)


DEFAULT_HINT = "see docs/language.md for what kernels accept"


#: Longest source text or number an error message quotes whole.
SHOWN_CHARS = 60


def shown(node: ast.AST) -> str:
    """The source text of ``node`` for a message, summarised when long: a generated
    2,000-term expression must not become a 20 kB error."""
    try:
        text = ast.unparse(node)
    except RecursionError:  # deeper than the unparser goes: the kind of node will do
        return f"<{describe(node)}>"
    return summarise(text)


def summarise(text: str) -> str:
    if len(text) <= SHOWN_CHARS:
        return text
    return f"{text[: SHOWN_CHARS - 20]} … {text[-12:]} ({len(text)} characters)"


def describe(node: ast.AST) -> str:
    """What a kernel author calls ``node`` in a message: a for loop, a list comprehension."""
    return CONSTRUCT_NAMES.get(type(node), "this construct")


class Diagnostics:
    """Makes errors for one source file."""

    def __init__(self, filename: str) -> None:
        self.filename = filename

    def error(self, node: ast.AST | None, message: str, hint: str = "") -> CompileError:
        line = getattr(node, "lineno", 0) if node is not None else 0
        col = getattr(node, "col_offset", -1) + 1 if node is not None else 0
        return CompileError(
            message, file=self.filename, line=line, col=col, hint=hint or DEFAULT_HINT
        )

    def unsupported(self, node: ast.AST, where: str = "in kernels", hint: str = "") -> CompileError:
        return self.error(
            node,
            f"{describe(node)} is not supported {where}",
            hint or "see docs/language.md for the supported subset of Python",
        )
