"""The instruction builder every emitter writes through.

:class:`Code` holds one function's instructions as they are made, its extra locals and its
labels, and checks each instruction against the grammar below *when it is made*: an unknown
opcode, a missing or malformed immediate (``local.get`` without a ``$name``, ``i64.const``
of a float) fails at the emitter line that produced it, as an internal compiler error, not
later as "generated WebAssembly is invalid" from the assembler with a position in text no
one wrote. Instructions are still written as WebAssembly text (``"local.get $x"``), which
keeps the golden files and the emitters readable; the grammar is what makes them typed.
"""

from __future__ import annotations

import math
import re

from portalis.abi import ERROR_CODES, ERROR_GLOBAL, ERROR_LINE_GLOBAL
from portalis.lang import ir
from portalis.lang.types import Scalar

_INT_OPS = [
    "add",
    "sub",
    "mul",
    "div_s",
    "div_u",
    "rem_s",
    "rem_u",
    "and",
    "or",
    "xor",
    "shl",
    "shr_s",
    "shr_u",
    "rotl",
    "rotr",
    "clz",
    "ctz",
    "popcnt",
    "eqz",
    "eq",
    "ne",
    "lt_s",
    "lt_u",
    "gt_s",
    "gt_u",
    "le_s",
    "le_u",
    "ge_s",
    "ge_u",
]
_FLOAT_OPS = [
    "add",
    "sub",
    "mul",
    "div",
    "min",
    "max",
    "copysign",
    "abs",
    "neg",
    "sqrt",
    "ceil",
    "floor",
    "trunc",
    "nearest",
    "eq",
    "ne",
    "lt",
    "gt",
    "le",
    "ge",
]
_CONVERSIONS = [
    "i32.wrap_i64",
    "i64.extend_i32_s",
    "i64.extend_i32_u",
    "i32.trunc_f32_s",
    "i32.trunc_f32_u",
    "i32.trunc_f64_s",
    "i32.trunc_f64_u",
    "i64.trunc_f32_s",
    "i64.trunc_f32_u",
    "i64.trunc_f64_s",
    "i64.trunc_f64_u",
    "f32.convert_i32_s",
    "f32.convert_i32_u",
    "f32.convert_i64_s",
    "f32.convert_i64_u",
    "f64.convert_i32_s",
    "f64.convert_i32_u",
    "f64.convert_i64_s",
    "f64.convert_i64_u",
    "f32.demote_f64",
    "f64.promote_f32",
    "i32.reinterpret_f32",
    "i64.reinterpret_f64",
    "f32.reinterpret_i32",
    "f64.reinterpret_i64",
]
_MEMORY = [
    "i32.load",
    "i64.load",
    "f32.load",
    "f64.load",
    "i32.load8_u",
    "i32.load8_s",
    "i64.load8_u",
    "i64.load8_s",
    "i32.load16_u",
    "i32.load16_s",
    "i64.load32_s",
    "i64.load32_u",
    "i32.store",
    "i64.store",
    "f32.store",
    "f64.store",
    "i32.store8",
    "i64.store8",
    "i32.store16",
    "i64.store32",
]

#: opcode → kinds of its immediates ("id": a $name; "int", "float": a constant; "memarg":
#: optional offset=N align=N; "block": optional $label then an optional (result ...)).
GRAMMAR: dict[str, tuple[str, ...]] = {
    **{f"{t}.{op}": () for t in ("i32", "i64") for op in _INT_OPS},
    **{f"{t}.{op}": () for t in ("f32", "f64") for op in _FLOAT_OPS},
    **{op: () for op in _CONVERSIONS},
    **{op: ("memarg",) for op in _MEMORY},
    **{op: () for op in ("unreachable", "nop", "return", "drop", "select", "else", "end")},
    **{op: ("id",) for op in ("local.get", "local.set", "local.tee", "global.get")},
    **{op: ("id",) for op in ("global.set", "call", "br", "br_if")},
    **{op: ("block",) for op in ("block", "loop", "if")},
    **{op: () for op in ("memory.fill", "memory.size", "memory.grow", "memory.copy")},
    # 128-bit SIMD, the subset backend/simd.py uses
    **{op: ("memarg",) for op in ("v128.load", "v128.store")},
    **{f"f64x2.{op}": () for op in ("splat", "add", "sub", "mul", "div", "neg", "abs", "sqrt")},
    **{f"f64x2.{op}": () for op in ("eq", "ne", "lt", "gt", "le", "ge")},
    "v128.bitselect": (),
    "v128.load16_splat": ("memarg",),
    "i16x8.extend_low_i8x16_u": (),
    "i32x4.extend_low_i16x8_u": (),
    "f64x2.convert_low_i32x4_u": (),
    "f64x2.extract_lane": ("int",),
    "i32.const": ("int",),
    "i64.const": ("int",),
    "f32.const": ("float",),
    "f64.const": ("float",),
}

# Identifiers: WebAssembly's idchars, plus the non-ASCII letters of Python names, which
# wat.py turns into ASCII for the whole module text at the end.
_ID = re.compile(r"\$[^\s()\";,\[\]{}]+$")
_INT = re.compile(r"-?(0x[0-9a-fA-F]+|[0-9]+)$")
_FLOAT = re.compile(
    r"-?(inf|nan(:0x[0-9a-fA-F]+)?|0x[0-9a-fA-F.]+(p[-+]?[0-9]+)?|[0-9.]+(e[-+]?[0-9]+)?)$"
)
_MEMARG = re.compile(r"(offset=[0-9]+|align=[0-9]+)$")
_VALTYPE = {"i32", "i64", "f32", "f64"}


class MalformedInstruction(AssertionError):
    """An emitter made an instruction the grammar does not allow (a compiler bug)."""


def check(text: str) -> None:
    """Raise :class:`MalformedInstruction` unless ``text`` is one well-formed instruction."""
    words = text.split()
    if not words or words[0] not in GRAMMAR:
        raise MalformedInstruction(f"unknown instruction {text!r}")
    kinds, args = GRAMMAR[words[0]], words[1:]
    if kinds == ("memarg",):
        ok = all(_MEMARG.match(a) for a in args)
    elif kinds == ("block",):
        ok = _block_type_ok(args)
    elif len(args) != len(kinds):
        ok = False
    else:
        patterns = {"id": _ID, "int": _INT, "float": _FLOAT}
        ok = all(patterns[k].match(a) for k, a in zip(kinds, args, strict=True))
    if not ok:
        raise MalformedInstruction(f"malformed instruction {text!r}")


def _block_type_ok(args: list[str]) -> bool:
    if args and args[0].startswith("$"):
        if not _ID.match(args[0]):
            return False
        args = args[1:]
    if not args:
        return True
    text = " ".join(args)
    if not (text.startswith("(result ") and text.endswith(")")):
        return False
    return all(t in _VALTYPE for t in text[len("(result ") : -1].split())


def wat_float(v: float) -> str:
    if math.isnan(v):
        return "nan" if math.copysign(1.0, v) > 0 else "-nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(v)  # the assembler parses decimals correctly rounded, so repr round-trips


def const(t: Scalar, v: int | float | bool) -> str:
    if t.is_float:
        return f"{t.wasm}.const {wat_float(float(v))}"
    return f"{t.wasm}.const {int(v)}"


class Code:
    """One function's instructions, indented by nesting depth, with its extra locals and
    fresh labels; the Python-error protocol (``raise_``) lives here because every emitter
    uses it."""

    def __init__(self, fn: ir.Function) -> None:
        self.fn = fn
        self.out: list[str] = []
        self.depth = 1
        self.extra_locals: dict[str, str] = {}
        self._n = 0
        self._checked: set[str] = set()  # instructions already found well-formed

    def emit(self, *instrs: str) -> None:
        pad = "  " * self.depth
        for i in instrs:
            if i not in self._checked:
                check(i)
                self._checked.add(i)
            self.out.append(pad + i)

    def fresh(self, wasm: str) -> str:
        """A new local of wasm type ``wasm``."""
        self._n += 1
        name = f"~w{self._n}"
        self.extra_locals[name] = wasm
        return name

    def label(self, kind: str) -> str:
        self._n += 1
        return f"${kind}{self._n}"

    def line(self, node: ir.Node) -> int:
        """The source line a Python error at ``node`` reports (library code has none)."""
        return 0 if self.fn.library else node.line

    def raise_(self, exception: str, line: int) -> None:
        """Raise a Python exception: its code (and line) into the error globals, then trap."""
        self.emit(f"i32.const {ERROR_CODES[exception]}", f"global.set ${ERROR_GLOBAL}")
        if line:
            self.emit(f"i32.const {line}", f"global.set ${ERROR_LINE_GLOBAL}")
        self.emit("unreachable")

    def raise_if(self, exception: str, line: int) -> None:
        """Trap with ``exception`` when the i32 on the stack is non-zero."""
        self.emit("if")
        self.depth += 1
        self.raise_(exception, line)
        self.depth -= 1
        self.emit("end")

    # The function emitter supplies these; the mixins that lower parts of the IR call them.
    def expr(self, e: ir.Expr) -> None:
        raise NotImplementedError

    def block(self, stmts: list[ir.Stmt]) -> None:
        raise NotImplementedError

    def branch_unless(self, cond: ir.Expr, target: str) -> None:
        raise NotImplementedError
