"""Python names → Rust identifiers: kept as written where Rust allows it, so the Rust reads
like the kernel; hidden compiler locals (``i.d0``, ``~w3`` …) and keywords are respelled,
and a respelling never collides with another name in the same scope."""

from __future__ import annotations

import re

KEYWORDS = frozenset(
    [
        "as",
        "async",
        "await",
        "break",
        "const",
        "continue",
        "crate",
        "dyn",
        "else",
        "enum",
        "extern",
        "false",
        "fn",
        "for",
        "if",
        "impl",
        "in",
        "let",
        "loop",
        "match",
        "mod",
        "move",
        "mut",
        "pub",
        "ref",
        "return",
        "self",
        "Self",
        "static",
        "struct",
        "super",
        "trait",
        "true",
        "type",
        "unsafe",
        "use",
        "where",
        "while",
        "abstract",
        "become",
        "box",
        "do",
        "final",
        "macro",
        "override",
        "priv",
        "try",
        "typeof",
        "unsized",
        "virtual",
        "yield",
        "union",
    ]
)
_INVALID = re.compile(r"[^\w]", re.UNICODE)


class Scope:
    """Identifiers handed out in one Rust scope (a function's locals, or the module's
    items)."""

    def __init__(self, reserved: set[str] | None = None) -> None:
        self.names: dict[str, str] = {}
        self.used: set[str] = set(reserved or ())

    def __call__(self, name: str) -> str:
        found = self.names.get(name)
        if found is not None:
            return found
        ident = _INVALID.sub("_", name.replace("~", "t_"))
        if not ident or ident[0].isdigit():
            ident = "_" + ident
        if ident in KEYWORDS or ident == "_":
            ident += "_"
        base, n = ident, 1
        while ident in self.used:
            n += 1
            ident = f"{base}_{n}"
        self.used.add(ident)
        self.names[name] = ident
        return ident
