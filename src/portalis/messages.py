"""Messages a kernel sends to its host: the text of ``print(...)`` and of an exception it
raises (``raise ValueError(f"bad {x}")``, ``assert ok, "why"``).

The module never formats text. The compiler turns each message into a format string for
Python's ``str.format`` with positional fields (``"x = {0!r}, n = {1:>4}"``) and records it
in the ``portalis.abi`` section (``extra.messages``); at run time the module calls the one
host function it may import, ``portalis.message(index, v0, …, v7)``, with the message's
number and up to :data:`MAX_VALUES` values as 64-bit patterns, and the host formats them
with CPython's own ``format`` — so the text is exactly what CPython prints for the same
values. This module is the description shared by the compiler (which writes it) and the
runtime (runtime/hostlog.py, which reads it from an untrusted module and so checks every
field, including that formatting cannot be made to take unbounded time or memory).
"""

from __future__ import annotations

import re
import string
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: The host function a module with messages imports: (module, name) and its parameters.
MESSAGE_IMPORT = ("portalis", "message")
MAX_VALUES = 8
MESSAGE_PARAMS = ("i32",) + ("i64",) * MAX_VALUES
#: What each value is: its 64 bits as an int64, a float64's pattern, or 0/1.
VALUE_KINDS = ("i64", "f64", "bool")
KINDS = ("print", "raise")

#: Longest format string accepted from a module.
MAX_FORMAT_CHARS = 4096
#: A width or precision in a format spec may have at most this many digits, so a hostile
#: ``{0:999999999}`` cannot make the host build a gigabyte string.
_MAX_SPEC_DIGITS = 3
_DIGIT_RUN = re.compile(r"\d{" + str(_MAX_SPEC_DIGITS + 1) + ",}")


class MessageError(ValueError):
    """A message description that cannot be used (from the compiler: a bug; from a module's
    section: the module is refused)."""


@dataclass(frozen=True)
class Message:
    """One message: ``kind`` (``print`` or ``raise``), the ``format`` with one positional
    field per value, the ``values``' kinds, where it was written, and for ``raise`` the
    exception's name."""

    kind: str
    format: str
    values: tuple[str, ...]
    function: str
    line: int
    exception: str = ""

    def __post_init__(self) -> None:
        _check(self)

    def render(self, bits: Sequence[int]) -> str:
        """The text, from the values' 64-bit patterns (as the module passed them)."""
        values: list[Any] = []
        for kind, b in zip(self.values, bits, strict=False):
            b &= (1 << 64) - 1
            if kind == "f64":
                values.append(struct.unpack("<d", struct.pack("<Q", b))[0])
            elif kind == "bool":
                values.append(b != 0)
            else:
                values.append(b - (1 << 64) if b >= 1 << 63 else b)
        try:
            return self.format.format(*values)
        except (ValueError, TypeError, IndexError) as e:  # a spec the value does not take
            return f"<message {self.format!r}: {e}>"

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "kind": self.kind,
            "format": self.format,
            "values": list(self.values),
            "function": self.function,
            "line": self.line,
        }
        if self.exception:
            doc["exception"] = self.exception
        return doc

    @classmethod
    def from_json(cls, doc: object, where: str) -> Message:
        if not isinstance(doc, dict):
            raise MessageError(f"{where}: expected an object")
        try:
            kind, fmt, values = doc["kind"], doc["format"], doc["values"]
            function, line = doc.get("function", ""), doc.get("line", 0)
            exception = doc.get("exception", "")
        except KeyError as e:
            raise MessageError(f"{where}: missing {e.args[0]!r}") from None
        if not (isinstance(values, list) and all(isinstance(v, str) for v in values)):
            raise MessageError(f"{where}.values: expected a list of strings")
        fields = (kind, fmt, function, exception)
        if not all(isinstance(f, str) for f in fields):
            raise MessageError(f"{where}: kind, format, function and exception are strings")
        if not isinstance(line, int) or isinstance(line, bool) or not 0 <= line < 1 << 31:
            raise MessageError(f"{where}.line: expected a line number")
        try:
            return cls(kind, fmt, tuple(values), function, line, exception)
        except MessageError as e:
            raise MessageError(f"{where}: {e}") from None


def _check(m: Message) -> None:
    if m.kind not in KINDS:
        raise MessageError(f"kind {m.kind!r} is not one of {', '.join(KINDS)}")
    if len(m.values) > MAX_VALUES or any(v not in VALUE_KINDS for v in m.values):
        raise MessageError(f"at most {MAX_VALUES} values, each one of {', '.join(VALUE_KINDS)}")
    if len(m.format) > MAX_FORMAT_CHARS:
        raise MessageError(f"format longer than {MAX_FORMAT_CHARS} characters")
    if m.kind == "raise" and not m.exception.isidentifier():
        raise MessageError("a raised message names its exception")
    try:
        parsed = list(string.Formatter().parse(m.format))
    except ValueError as e:
        raise MessageError(f"format {m.format[:60]!r}: {e}") from None
    for _text, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field.isdigit() or int(field) >= len(m.values):
            raise MessageError(f"field {{{field}}}: only {{0}} … {{{len(m.values) - 1}}}")
        if conversion not in (None, "r", "s", "a"):
            raise MessageError(f"conversion !{conversion}")
        if spec and ("{" in spec or _DIGIT_RUN.search(spec)):
            raise MessageError(f"format spec {spec[:20]!r}: nested or over-long")


__all__ = [
    "KINDS",
    "MAX_VALUES",
    "MESSAGE_IMPORT",
    "MESSAGE_PARAMS",
    "VALUE_KINDS",
    "Message",
    "MessageError",
]
