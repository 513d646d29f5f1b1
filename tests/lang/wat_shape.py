"""The control structure of a compiled function, read from its WebAssembly text, so tests
can assert properties of code generation ("one bounds guard before the loop", "the loop runs
several bodies per back-edge") rather than instruction counts that any change of
instruction selection would break."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from portalis.abi import ERROR_CODES, ERROR_GLOBAL


@dataclass
class Structure:
    """A ``block``, ``loop`` or ``if`` (``orelse`` holds its ``else`` arm), or the body."""

    kind: str
    label: str = ""
    body: list[Structure | str] = field(default_factory=list)
    orelse: list[Structure | str] = field(default_factory=list)

    def all(self) -> list[Structure]:
        """This structure and every one nested in it, outermost first."""
        out = [self]
        for item in self.body + self.orelse:
            if isinstance(item, Structure):
                out += item.all()
        return out

    def instructions(self) -> list[str]:
        out: list[str] = []
        for item in self.body + self.orelse:
            out += item.instructions() if isinstance(item, Structure) else [item]
        return out

    def raises(self, exception: str) -> bool:
        """Whether code in here can raise ``exception`` (stores its code in the error global)."""
        code = f"i32.const {ERROR_CODES[exception]}"
        ins = self.instructions()
        return any(
            a == code and b == f"global.set ${ERROR_GLOBAL}" for a, b in itertools.pairwise(ins)
        )

    def loops(self) -> list[Structure]:
        return [s for s in self.all() if s.kind == "loop"]

    def bodies_per_back_edge(self) -> int:
        """For a loop: how many copies of the source loop's body one trip runs (each copy is
        a ``continue`` block)."""
        return sum(
            1 for item in self.body if isinstance(item, Structure) and "continue" in item.label
        )


def function(wat: str, name: str) -> Structure:
    """The structure of function ``$name`` in module text ``wat``."""
    text = wat.split(f"(func ${name} ", 1)[1].split("\n  (func ", 1)[0]
    root = Structure("func")
    stack: list[tuple[Structure, bool]] = [(root, False)]  # (structure, in its else arm)
    for line in text.splitlines()[1:]:
        words = line.split()
        if not words or words[0].startswith(("(", ")", ";;")):
            continue
        top, in_else = stack[-1]
        arm = top.orelse if in_else else top.body
        if words[0] in ("block", "loop", "if"):
            label = words[1] if len(words) > 1 and words[1].startswith("$") else ""
            s = Structure(words[0], label)
            arm.append(s)
            stack.append((s, False))
        elif words[0] == "else":
            stack[-1] = (top, True)
        elif words[0] == "end":
            stack.pop()
        else:
            arm.append(line.strip())
    return root


def fix_ups(fn: Structure) -> int:
    """Negative-index fix-ups in ``fn`` (backend/bounds.py): an ``if`` whose arm for an
    index in range passes it through (``local.get $ix``) and whose other arm adds the
    extent to it (``local.get $ix``, the extent, ``i64.add``)."""
    return sum(
        s.kind == "if"
        and len(s.body) == 1
        and len(s.orelse) >= 3
        and s.orelse[0] == s.body[0]
        and s.orelse[2] == "i64.add"
        for s in fn.all()
    )
