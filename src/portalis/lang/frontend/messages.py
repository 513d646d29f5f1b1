"""``print(...)``, ``raise E(message)`` and ``assert cond, message``: the text becomes a
:class:`portalis.messages.Message` (a ``str.format`` string with one positional field per
value, kept in the ABI) and an :class:`ir.Message` statement that hands the values to the
host, which formats them with CPython's own ``format`` (runtime/hostlog.py).

A message is made of string literals, f-strings (``{x}``, ``{x!r}``, ``{x:.3f}``, with a
literal format spec) and numbers or bools; ``print`` joins its arguments with ``sep`` and
ends with ``end`` (literal strings) as CPython does.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from portalis.abi import ERROR_CODES
from portalis.lang import ir
from portalis.lang.types import I64, Scalar
from portalis.messages import MAX_VALUES, Message, MessageError

if TYPE_CHECKING:
    from portalis.lang.frontend.exprs import ExprLowerer

_CONVERSIONS = {-1: "", ord("r"): "!r", ord("s"): "!s", ord("a"): "!a"}


def _kind(t: Scalar) -> str:
    if t.is_bool:
        return "bool"
    return "f64" if t.is_float else "i64"


class _Builder:
    """A format string and its values, built part by part in the order Python evaluates
    them."""

    def __init__(self, lw: ExprLowerer) -> None:
        self.lw = lw
        self.format = ""
        self.values: list[ir.Expr] = []
        self.kinds: list[str] = []

    def text(self, s: str) -> None:
        self.format += s.replace("{", "{{").replace("}", "}}")

    def value(self, node: ast.expr, conversion: str = "", spec: str = "") -> None:
        if len(self.values) == MAX_VALUES:
            raise self.lw.err(
                node,
                f"a message may show at most {MAX_VALUES} values",
                "split it over several print calls",
            )
        e = self.lw.lower_scalar(node)
        self.format += "{" + str(len(self.values)) + conversion + (":" + spec if spec else "") + "}"
        self.values.append(e)
        self.kinds.append(_kind(self.lw.scalar(e, node)))

    def part(self, node: ast.expr, convert: str = "") -> None:
        """A string literal, an f-string, or a value shown as ``str`` shows it."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            self.text(node.value)
        elif isinstance(node, ast.JoinedStr):
            for piece in node.values:
                if isinstance(piece, ast.Constant) and isinstance(piece.value, str):
                    self.text(piece.value)
                elif isinstance(piece, ast.FormattedValue):
                    self.value(piece.value, _CONVERSIONS[piece.conversion], self.spec(piece))
                else:
                    raise self.lw.err(piece, "this part of an f-string is not supported")
        elif _is_text(node):  # "a" + f"b{x}": the parts in order
            assert isinstance(node, ast.BinOp)
            self.part(node.left)
            self.part(node.right)
        elif isinstance(node, ast.Constant) and node.value is None:
            self.text("None")
        else:
            self.value(node, convert)

    def spec(self, piece: ast.FormattedValue) -> str:
        spec = piece.format_spec
        if spec is None:
            return ""
        assert isinstance(spec, ast.JoinedStr)
        if not all(isinstance(v, ast.Constant) for v in spec.values):
            raise self.lw.err(
                spec, "a format spec computed at run time is not supported", "write it literally"
            )
        return "".join(str(v.value) for v in spec.values if isinstance(v, ast.Constant))

    def message(self, kind: str, node: ast.AST, exception: str = "") -> ir.Message:
        line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
        try:
            record = Message(
                kind, self.format, tuple(self.kinds), self.lw.sig.name, line, exception
            )
        except MessageError as e:
            raise self.lw.err(node, f"this message cannot be shown: {e}") from None
        index = self.lw.program.add_message(record)
        return ir.Message(line, col, kind, index, self.values)


def _is_text(node: ast.expr) -> bool:
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and _is_text(node.left)


def _literal_string(lw: ExprLowerer, node: ast.expr | None, what: str, default: str) -> str:
    if node is None:
        return default
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, str)):
        return default if node.value is None else node.value
    raise lw.err(node, f"print's {what} must be a string written in the source")


def print_(lw: ExprLowerer, call: ast.Call) -> list[ir.Stmt]:
    """``print(a, b, ..., sep=" ", end="\\n")`` → one message to the host log."""
    keywords = {k.arg: k.value for k in call.keywords}
    unknown = set(keywords) - {"sep", "end", "flush"}
    if unknown:
        name = sorted(str(k) for k in unknown)[0]
        raise lw.err(
            call,
            f"print(..., {name}=...) is not supported in kernels",
            "print goes to the host log; sep= and end= may be given",
        )
    sep = _literal_string(lw, keywords.get("sep"), "sep", " ")
    end = _literal_string(lw, keywords.get("end"), "end", "\n")
    b = _Builder(lw)
    for k, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            raise lw.err(arg, "print(*...) is not supported in kernels")
        if k:
            b.text(sep)
        b.part(arg)
    b.text(end)
    return [b.message("print", call)]


def exception_name(node: ast.Raise) -> str | None:
    exc = node.exc
    target = exc.func if isinstance(exc, ast.Call) else exc
    return target.id if isinstance(target, ast.Name) else None


def raise_(lw: ExprLowerer, node: ast.Raise) -> list[ir.Stmt]:
    """``raise E``, ``raise E()``, ``raise E(message)``: the message (a string, an f-string
    or a number, as ``str(E(x))`` shows it) travels to the host with the exception."""
    name = exception_name(node)
    if name not in ERROR_CODES or node.cause is not None:
        known = ", ".join(sorted(n for n in ERROR_CODES if n != "RecursionError"))
        raise lw.err(
            node,
            f"only `raise E(...)` with E one of {known} is supported",
            "raise one of these with a message: raise ValueError(f'bad {x}')",
        )
    raising = ir.Raise(node.lineno, node.col_offset, name)
    exc = node.exc
    if not isinstance(exc, ast.Call) or not (exc.args or exc.keywords):
        return [raising]
    if exc.keywords or len(exc.args) != 1 or isinstance(exc.args[0], ast.Starred):
        raise lw.err(exc, f"{name}(...) takes one message here", f"raise {name}(f'...')")
    b = _Builder(lw)
    b.part(exc.args[0])
    return [b.message("raise", node, name), raising]


def assertion(lw: ExprLowerer, node: ast.Assert) -> list[ir.Stmt]:
    """What a failing ``assert`` runs: its message (evaluated only then, as in Python),
    then AssertionError."""
    raising = ir.Raise(node.lineno, node.col_offset, "AssertionError")
    if node.msg is None:
        return [raising]
    b = _Builder(lw)
    b.part(node.msg)
    return [b.message("raise", node, "AssertionError"), raising]


def out_of_bounds(lw: ExprLowerer, local: str, dtype: str, node: ast.AST) -> list[ir.Stmt]:
    """NumPy's OverflowError for a Python int stored out of a narrow dtype's range
    (frontend/narrow_stores.py), with NumPy's text."""
    b = _Builder(lw)
    b.text("Python integer ")
    line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
    b.format += "{0}"
    b.values.append(ir.LocalGet(line, col, I64, local))
    b.kinds.append("i64")
    b.text(f" out of bounds for {dtype}")
    return [b.message("raise", node, "OverflowError"), ir.Raise(line, col, "OverflowError")]


def is_print(lw: ExprLowerer, node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and lw.unit.builtin_name(node.func) == "print"


__all__ = ["assertion", "exception_name", "is_print", "out_of_bounds", "print_", "raise_"]
