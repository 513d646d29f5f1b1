"""The instruction builder every emitter writes through: one typed constructor per opcode.

An emitter never writes instruction text. It calls a constructor — ``I.local_get(name)``,
``I.f64_add()``, ``I.br_if(label)``, ``I.i64_const(n)``, ``I.load("f64.load", offset)``,
``I.numeric("i64", "div_s")`` where the value type is only known at run time — and gets an
:class:`Instr`. Each constructor checks its operands when it is called, so a malformed
instruction (an unknown opcode, a float given to ``i64.const``, a label that is not a name,
an offset past 2³²) raises a ``TypeError``/``ValueError`` naming the opcode and the operand
at the emitter line that made it — not later as "generated WebAssembly is invalid" from the
assembler, with a position in text no one wrote.

:class:`Code` collects one function's instructions, indented by the nesting the
instructions themselves open and close (``block``/``loop``/``if`` … ``else`` … ``end``),
with its extra locals and fresh labels. The module's hand-written support functions
(backend/support.py) are fixed text, assembled and tested as they are.

The text an :class:`Instr` renders is the one the assembler reads (wasmtime's ``wat2wasm``);
instructions without immediates, those naming one local, global, function or label, and
the constants :func:`const` makes are made once and shared, which keeps emission cheap
(pipeline.py's ``emit`` step).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from portalis.abi import ERROR_CODES, ERROR_GLOBAL, ERROR_LINE_GLOBAL
from portalis.lang import ir
from portalis.lang.types import Scalar


class Instr:
    """One WebAssembly instruction: its opcode, its immediates and its text. Made only by
    the constructors of this module, which check the immediates."""

    __slots__ = ("closes", "immediates", "op", "opens", "text")

    def __init__(self, op: str, immediates: tuple[object, ...], text: str) -> None:
        self.op = op
        self.immediates = immediates
        self.text = text
        #: Whether it closes a nesting level before it (end, else) and opens one after it
        #: (block, loop, if, else): Code indents by these.
        self.closes = op in ("end", "else")
        self.opens = op in ("block", "loop", "if", "else")

    def __repr__(self) -> str:
        return f"Instr({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Instr) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


VALUE_TYPES = ("i32", "i64", "f32", "f64")

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
    "i64.trunc_sat_f64_s",
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
_LOADS = frozenset(
    [
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
        "i64.load16_u",
        "i64.load16_s",
        "i64.load32_s",
        "i64.load32_u",
        "v128.load",
        "v128.load16_splat",
    ]
)
_STORES = frozenset(
    [
        "i32.store",
        "i64.store",
        "f32.store",
        "f64.store",
        "i32.store8",
        "i64.store8",
        "i32.store16",
        "i64.store16",
        "i64.store32",
        "v128.store",
    ]
)
_PLAIN = [
    "unreachable",
    "nop",
    "return",
    "drop",
    "select",
    "else",
    "end",
    "memory.size",
    "memory.grow",
    "memory.fill",
    "memory.copy",
]

#: 128-bit SIMD without immediates: the subset vector loops are written with (backend/simd_emit.py).
_SIMD = [
    *(f"f64x2.{o}" for o in ("splat", "add", "sub", "mul", "div", "neg", "abs", "sqrt")),
    *(f"f64x2.{o}" for o in ("eq", "ne", "lt", "gt", "le", "ge", "convert_low_i32x4_u")),
    "v128.bitselect",
    "v128.and",
    "v128.andnot",
    "v128.not",
    "i64x2.splat",
    "i64x2.add",
    "i64x2.sub",
    "f64x2.relaxed_madd",
    "i16x8.extend_low_i8x16_u",
    "i32x4.extend_low_i16x8_u",
]

#: Every instruction without immediates, by opcode, made once.
_NULLARY: dict[str, Instr] = {
    op: Instr(op, (), op)
    for op in [
        *(f"{t}.{o}" for t in ("i32", "i64") for o in _INT_OPS),
        *(f"{t}.{o}" for t in ("f32", "f64") for o in _FLOAT_OPS),
        *_CONVERSIONS,
        *_PLAIN,
        *_SIMD,
    ]
}


def _python_name(op: str) -> str:
    """``f64.add`` → ``f64_add``; ``return``/``else``/``if`` get a trailing underscore."""
    name = op.replace(".", "_")
    return name + "_" if name in ("return", "else", "if") else name


def _nullary(op: str) -> Callable[[], Instr]:
    instr = _NULLARY[op]

    def make() -> Instr:
        return instr

    make.__name__ = make.__qualname__ = _python_name(op)
    make.__doc__ = f"``{op}``"
    return make


# One constructor per instruction without immediates (``f64_add()``, ``select()``,
# ``return_()``, …); an opcode not listed here is an AttributeError where it is named.
# Integer arithmetic, bits and comparisons
i32_add = _nullary("i32.add")
i32_sub = _nullary("i32.sub")
i32_mul = _nullary("i32.mul")
i32_div_s = _nullary("i32.div_s")
i32_div_u = _nullary("i32.div_u")
i32_rem_s = _nullary("i32.rem_s")
i32_rem_u = _nullary("i32.rem_u")
i32_and = _nullary("i32.and")
i32_or = _nullary("i32.or")
i32_xor = _nullary("i32.xor")
i32_shl = _nullary("i32.shl")
i32_shr_s = _nullary("i32.shr_s")
i32_shr_u = _nullary("i32.shr_u")
i32_rotl = _nullary("i32.rotl")
i32_rotr = _nullary("i32.rotr")
i32_clz = _nullary("i32.clz")
i32_ctz = _nullary("i32.ctz")
i32_popcnt = _nullary("i32.popcnt")
i32_eqz = _nullary("i32.eqz")
i32_eq = _nullary("i32.eq")
i32_ne = _nullary("i32.ne")
i32_lt_s = _nullary("i32.lt_s")
i32_lt_u = _nullary("i32.lt_u")
i32_gt_s = _nullary("i32.gt_s")
i32_gt_u = _nullary("i32.gt_u")
i32_le_s = _nullary("i32.le_s")
i32_le_u = _nullary("i32.le_u")
i32_ge_s = _nullary("i32.ge_s")
i32_ge_u = _nullary("i32.ge_u")
i64_add = _nullary("i64.add")
i64_sub = _nullary("i64.sub")
i64_mul = _nullary("i64.mul")
i64_div_s = _nullary("i64.div_s")
i64_div_u = _nullary("i64.div_u")
i64_rem_s = _nullary("i64.rem_s")
i64_rem_u = _nullary("i64.rem_u")
i64_and = _nullary("i64.and")
i64_or = _nullary("i64.or")
i64_xor = _nullary("i64.xor")
i64_shl = _nullary("i64.shl")
i64_shr_s = _nullary("i64.shr_s")
i64_shr_u = _nullary("i64.shr_u")
i64_rotl = _nullary("i64.rotl")
i64_rotr = _nullary("i64.rotr")
i64_clz = _nullary("i64.clz")
i64_ctz = _nullary("i64.ctz")
i64_popcnt = _nullary("i64.popcnt")
i64_eqz = _nullary("i64.eqz")
i64_eq = _nullary("i64.eq")
i64_ne = _nullary("i64.ne")
i64_lt_s = _nullary("i64.lt_s")
i64_lt_u = _nullary("i64.lt_u")
i64_gt_s = _nullary("i64.gt_s")
i64_gt_u = _nullary("i64.gt_u")
i64_le_s = _nullary("i64.le_s")
i64_le_u = _nullary("i64.le_u")
i64_ge_s = _nullary("i64.ge_s")
i64_ge_u = _nullary("i64.ge_u")

# Float arithmetic and comparisons
f32_add = _nullary("f32.add")
f32_sub = _nullary("f32.sub")
f32_mul = _nullary("f32.mul")
f32_div = _nullary("f32.div")
f32_min = _nullary("f32.min")
f32_max = _nullary("f32.max")
f32_copysign = _nullary("f32.copysign")
f32_abs = _nullary("f32.abs")
f32_neg = _nullary("f32.neg")
f32_sqrt = _nullary("f32.sqrt")
f32_ceil = _nullary("f32.ceil")
f32_floor = _nullary("f32.floor")
f32_trunc = _nullary("f32.trunc")
f32_nearest = _nullary("f32.nearest")
f32_eq = _nullary("f32.eq")
f32_ne = _nullary("f32.ne")
f32_lt = _nullary("f32.lt")
f32_gt = _nullary("f32.gt")
f32_le = _nullary("f32.le")
f32_ge = _nullary("f32.ge")
f64_add = _nullary("f64.add")
f64_sub = _nullary("f64.sub")
f64_mul = _nullary("f64.mul")
f64_div = _nullary("f64.div")
f64_min = _nullary("f64.min")
f64_max = _nullary("f64.max")
f64_copysign = _nullary("f64.copysign")
f64_abs = _nullary("f64.abs")
f64_neg = _nullary("f64.neg")
f64_sqrt = _nullary("f64.sqrt")
f64_ceil = _nullary("f64.ceil")
f64_floor = _nullary("f64.floor")
f64_trunc = _nullary("f64.trunc")
f64_nearest = _nullary("f64.nearest")
f64_eq = _nullary("f64.eq")
f64_ne = _nullary("f64.ne")
f64_lt = _nullary("f64.lt")
f64_gt = _nullary("f64.gt")
f64_le = _nullary("f64.le")
f64_ge = _nullary("f64.ge")

# Conversions
i32_wrap_i64 = _nullary("i32.wrap_i64")
i64_extend_i32_s = _nullary("i64.extend_i32_s")
i64_extend_i32_u = _nullary("i64.extend_i32_u")
i32_trunc_f32_s = _nullary("i32.trunc_f32_s")
i32_trunc_f32_u = _nullary("i32.trunc_f32_u")
i32_trunc_f64_s = _nullary("i32.trunc_f64_s")
i32_trunc_f64_u = _nullary("i32.trunc_f64_u")
i64_trunc_f32_s = _nullary("i64.trunc_f32_s")
i64_trunc_f32_u = _nullary("i64.trunc_f32_u")
i64_trunc_f64_s = _nullary("i64.trunc_f64_s")
i64_trunc_f64_u = _nullary("i64.trunc_f64_u")
i64_trunc_sat_f64_s = _nullary("i64.trunc_sat_f64_s")
f32_convert_i32_s = _nullary("f32.convert_i32_s")
f32_convert_i32_u = _nullary("f32.convert_i32_u")
f32_convert_i64_s = _nullary("f32.convert_i64_s")
f32_convert_i64_u = _nullary("f32.convert_i64_u")
f64_convert_i32_s = _nullary("f64.convert_i32_s")
f64_convert_i32_u = _nullary("f64.convert_i32_u")
f64_convert_i64_s = _nullary("f64.convert_i64_s")
f64_convert_i64_u = _nullary("f64.convert_i64_u")
f32_demote_f64 = _nullary("f32.demote_f64")
f64_promote_f32 = _nullary("f64.promote_f32")
i32_reinterpret_f32 = _nullary("i32.reinterpret_f32")
i64_reinterpret_f64 = _nullary("i64.reinterpret_f64")
f32_reinterpret_i32 = _nullary("f32.reinterpret_i32")
f64_reinterpret_i64 = _nullary("f64.reinterpret_i64")

# Control, stack and memory
unreachable = _nullary("unreachable")
nop = _nullary("nop")
return_ = _nullary("return")
drop = _nullary("drop")
select = _nullary("select")
else_ = _nullary("else")
end = _nullary("end")
memory_size = _nullary("memory.size")
memory_grow = _nullary("memory.grow")
memory_fill = _nullary("memory.fill")
memory_copy = _nullary("memory.copy")


# 128-bit SIMD (backend/simd_emit.py)
f64x2_splat = _nullary("f64x2.splat")
f64x2_add = _nullary("f64x2.add")
f64x2_sub = _nullary("f64x2.sub")
f64x2_mul = _nullary("f64x2.mul")
f64x2_div = _nullary("f64x2.div")
f64x2_neg = _nullary("f64x2.neg")
f64x2_abs = _nullary("f64x2.abs")
#: relaxed SIMD's fused multiply-add (deterministic in the engine: always fused)
f64x2_relaxed_madd = _nullary("f64x2.relaxed_madd")
f64x2_sqrt = _nullary("f64x2.sqrt")
f64x2_eq = _nullary("f64x2.eq")
f64x2_ne = _nullary("f64x2.ne")
f64x2_lt = _nullary("f64x2.lt")
f64x2_gt = _nullary("f64x2.gt")
f64x2_le = _nullary("f64x2.le")
f64x2_ge = _nullary("f64x2.ge")
f64x2_convert_low_i32x4_u = _nullary("f64x2.convert_low_i32x4_u")
v128_bitselect = _nullary("v128.bitselect")
v128_and = _nullary("v128.and")
v128_andnot = _nullary("v128.andnot")
v128_not = _nullary("v128.not")
i64x2_splat = _nullary("i64x2.splat")
i64x2_add = _nullary("i64x2.add")
i64x2_sub = _nullary("i64x2.sub")
i16x8_extend_low_i8x16_u = _nullary("i16x8.extend_low_i8x16_u")
i32x4_extend_low_i16x8_u = _nullary("i32x4.extend_low_i16x8_u")


def simd(op: str) -> Instr:
    """A 128-bit SIMD instruction without immediates (``"f64x2.add"``), from a table."""
    if op not in _SIMD:
        raise ValueError(f"{op!r} is not one of the SIMD instructions the back end uses")
    return _NULLARY[op]


def f64x2_extract_lane(lane: int) -> Instr:
    """``f64x2.extract_lane N``: lane ``N`` (0 or 1) of the v128 on the stack, as an f64."""
    if type(lane) is not int or lane not in (0, 1):
        raise ValueError(f"f64x2.extract_lane: lane {lane!r} is not 0 or 1")
    return Instr("f64x2.extract_lane", (lane,), f"f64x2.extract_lane {lane}")


def i64x2_extract_lane(lane: int) -> Instr:
    """``i64x2.extract_lane N``: lane ``N`` (0 or 1) of the v128 on the stack, as an i64."""
    if type(lane) is not int or lane not in (0, 1):
        raise ValueError(f"i64x2.extract_lane: lane {lane!r} is not 0 or 1")
    return Instr("i64x2.extract_lane", (lane,), f"i64x2.extract_lane {lane}")


def numeric(valtype: str, op: str) -> Instr:
    """``valtype.op`` without immediates, for emitters that choose the type at run time:
    ``numeric("i64", "rem_s")``."""
    instr = _NULLARY.get(f"{valtype}.{op}")
    if instr is None or valtype not in VALUE_TYPES:
        raise ValueError(f"no WebAssembly instruction {valtype}.{op} (type {valtype!r}, op {op!r})")
    return instr


def convert(op: str) -> Instr:
    """A conversion named by its opcode (``"f64.convert_i64_s"``), from a table."""
    if op not in _CONVERSIONS:
        raise ValueError(f"{op!r} is not a WebAssembly conversion")
    return _NULLARY[op]


# Identifiers: WebAssembly's idchars, plus the non-ASCII letters of Python names, which
# wat.py turns into ASCII for the whole module text at the end. Given without the ``$``.
_NAME = re.compile(r"[^\s()\";,\[\]{}$][^\s()\";,\[\]{}]*")
_NAMED: dict[tuple[str, str], Instr] = {}


def _named(op: str, name: object, what: str) -> Instr:
    instr = _NAMED.get((op, name)) if type(name) is str else None
    if instr is not None:
        return instr
    if type(name) is not str:
        raise TypeError(f"{op}: the {what} must be a str, not {type(name).__name__} {name!r}")
    if not _NAME.fullmatch(name):
        raise ValueError(f"{op}: {name!r} is not a {what} (a name without '$', spaces or brackets)")
    instr = _NAMED[(op, name)] = Instr(op, (name,), f"{op} ${name}")
    return instr


def _named_constructor(op: str, what: str) -> Callable[[str], Instr]:
    """The constructor of ``op NAME``: the instruction for a name met before from a dict of
    its own (one lookup, the emitter's most frequent call), else checked by :func:`_named`."""
    made: dict[str, Instr] = {}

    def construct(name: str) -> Instr:
        if type(name) is str:
            instr = made.get(name)
            if instr is not None:
                return instr
        instr = made[name] = _named(op, name, what)  # raises unless a name
        return instr

    construct.__name__ = construct.__qualname__ = op.replace(".", "_")
    return construct


local_get = _named_constructor("local.get", "local's name")
local_set = _named_constructor("local.set", "local's name")
local_tee = _named_constructor("local.tee", "local's name")
global_get = _named_constructor("global.get", "global's name")
global_set = _named_constructor("global.set", "global's name")
call = _named_constructor("call", "function's name")
br = _named_constructor("br", "label")
br_if = _named_constructor("br_if", "label")


def _int_const(op: str, value: object, bits: int) -> Instr:
    if type(value) is not int:
        raise TypeError(f"{op}: the value must be an int, not {type(value).__name__} {value!r}")
    # Signed or unsigned spelling of a ``bits``-bit pattern, as the text format allows.
    if not -(1 << (bits - 1)) <= value < 1 << bits:
        raise ValueError(f"{op}: {value} does not fit in {bits} bits")
    return Instr(op, (value,), f"{op} {value}")


def i32_const(value: int) -> Instr:
    return _int_const("i32.const", value, 32)


def i64_const(value: int) -> Instr:
    return _int_const("i64.const", value, 64)


def wat_float(v: float) -> str:
    if math.isnan(v):
        return "nan" if math.copysign(1.0, v) > 0 else "-nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(v)  # the assembler parses decimals correctly rounded, so repr round-trips


def _float_const(op: str, value: object) -> Instr:
    if type(value) is not float:
        raise TypeError(f"{op}: the value must be a float, not {type(value).__name__} {value!r}")
    return Instr(op, (value,), f"{op} {wat_float(value)}")


def f32_const(value: float) -> Instr:
    return _float_const("f32.const", value)


def f64_const(value: float) -> Instr:
    return _float_const("f64.const", value)


#: Constants made by :func:`const`, shared: (value type, value, sign) → instruction (the
#: sign keeps 0.0 and -0.0 apart, which compare equal); at most :data:`_CONSTS_KEPT` of
#: them, later ones made each time.
_CONSTS: dict[tuple[str, int | float, float], Instr] = {}
_CONSTS_KEPT = 4096


def const(t: Scalar, v: int | float | bool) -> Instr:
    """The constant ``v`` of the kernel type ``t`` (a bool is an i32 0 or 1)."""
    w = t.wasm
    value: int | float = float(v) if t.is_float else int(v)
    key = (w, value, math.copysign(1.0, value) if type(value) is float else 1.0)
    instr = _CONSTS.get(key)
    if instr is None:
        if type(value) is float:
            instr = _float_const(f"{w}.const", value)
        else:
            instr = _int_const(f"{w}.const", value, 64 if w == "i64" else 32)
        if len(_CONSTS) < _CONSTS_KEPT:
            _CONSTS[key] = instr
    return instr


def _memarg(op: str, offset: object) -> Instr:
    if type(offset) is not int:
        raise TypeError(f"{op}: the offset must be an int, not {type(offset).__name__}")
    if not 0 <= offset < 1 << 32:
        raise ValueError(f"{op}: offset {offset} is outside 0 … 2**32 - 1")
    return Instr(op, (offset,), f"{op} offset={offset}" if offset else op)


def load(op: str, offset: int = 0) -> Instr:
    """A load named by its opcode (an element type's, types.Element.load), ``offset``
    bytes past the address on the stack."""
    if op not in _LOADS:
        raise ValueError(f"{op!r} is not a WebAssembly load")
    return _memarg(op, offset)


def store(op: str, offset: int = 0) -> Instr:
    """A store named by its opcode (types.Element.store), ``offset`` bytes past the
    address below the value on the stack."""
    if op not in _STORES:
        raise ValueError(f"{op!r} is not a WebAssembly store")
    return _memarg(op, offset)


def _block_type(op: str, label: str | None, result: tuple[str, ...]) -> Instr:
    text = op
    if label is not None:
        text = _named(op, label, "label").text
    if type(result) is not tuple:
        raise TypeError(f"{op}: the result must be a tuple of value types, not {result!r}")
    for t in result:
        if t not in VALUE_TYPES:
            raise ValueError(f"{op}: {t!r} is not a value type ({', '.join(VALUE_TYPES)})")
    if result:
        text += f" (result {' '.join(result)})"
    return Instr(op, (label, result), text)


def block(label: str | None = None, result: tuple[str, ...] = ()) -> Instr:
    """``block $label (result ...)``: ``br label`` inside it leaves it."""
    return _block_type("block", label, result)


def loop(label: str) -> Instr:
    """``loop $label``: ``br label`` inside it starts it again."""
    return _block_type("loop", label, ())


def if_(result: tuple[str, ...] = ()) -> Instr:
    """``if (result ...)``, taking the i32 on the stack."""
    return _block_type("if", None, result)


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

    def emit(self, *instrs: Instr) -> None:
        out, depth, pads = self.out, self.depth, _PADS
        for i in instrs:
            try:
                if i.closes:
                    depth -= 1
                out.append(pads[depth] + i.text)
                if i.opens:
                    depth += 1
            except AttributeError:
                raise TypeError(
                    f"emit takes Instr values made by backend/instructions.py, not {i!r}"
                ) from None
            except KeyError:  # a depth not met before
                out.append(pad(depth) + i.text)
                if i.opens:
                    depth += 1
        self.depth = depth

    def fresh(self, wasm: str) -> str:
        """A new local of wasm type ``wasm``; returns its name."""
        self._n += 1
        name = f"~w{self._n}"
        self.extra_locals[name] = wasm
        return name

    def label(self, kind: str) -> str:
        """A new label's name."""
        self._n += 1
        return f"{kind}{self._n}"

    def line(self, node: ir.Node) -> int:
        """The source line a Python error at ``node`` reports (library code has none)."""
        return 0 if self.fn.library else node.line

    def raise_(self, exception: str | int, line: int) -> None:
        """Raise a Python exception: its code (and line) into the error globals, then trap.
        ``exception``: its name, or a code of portalis.abi (``MATH_DOMAIN_ERROR``)."""
        code = ERROR_CODES[exception] if isinstance(exception, str) else exception
        self.emit(i32_const(code), global_set(ERROR_GLOBAL))
        if line:
            self.emit(i32_const(line), global_set(ERROR_LINE_GLOBAL))
        self.emit(_NULLARY["unreachable"])

    def raise_if(self, exception: str | int, line: int) -> None:
        """Trap with ``exception`` when the i32 on the stack is non-zero."""
        self.emit(_IF)
        self.raise_(exception, line)
        self.emit(_NULLARY["end"])

    # The function emitter supplies these; the mixins that lower parts of the IR call them.
    def expr(self, e: ir.Expr) -> None:
        raise NotImplementedError

    def block(self, stmts: list[ir.Stmt]) -> None:
        raise NotImplementedError

    def branch_unless(self, cond: ir.Expr, target: str) -> None:
        raise NotImplementedError


#: Indentation by depth, made on first use (:func:`pad`); a plain dict, which the
#: interpreter indexes faster than a subclass with ``__missing__``.
_PADS: dict[int, str] = {}


def pad(depth: int) -> str:
    """The indentation of an instruction at nesting ``depth``."""
    text = _PADS.get(depth)
    if text is None:
        text = _PADS[depth] = "  " * depth
    return text


_IF = if_()
