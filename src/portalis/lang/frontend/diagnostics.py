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
}

if hasattr(ast, "TryStar"):
    CONSTRUCT_NAMES[ast.TryStar] = "try/except* statement"
if hasattr(ast, "Match"):
    CONSTRUCT_NAMES[ast.Match] = "match statement"


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
    return CONSTRUCT_NAMES.get(type(node), f"`ast.{type(node).__name__}`")


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
