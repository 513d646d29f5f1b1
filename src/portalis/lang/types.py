"""The compiler's types: scalars (one wasm value each), arrays, tuples and ``None``.

Types are interned singletons or frozen dataclasses so they compare with ``==`` and read
well in error messages (``str(t)`` is the spelling a kernel author would write).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scalar:
    """A number or bool held in one wasm value."""

    name: str  # how a kernel spells it: float, int, bool, f32, i32
    wasm: str  # f64, i64, i32, f32
    abi: str  # the abi.py scalar type name
    is_float: bool
    is_bool: bool = False

    def __str__(self) -> str:
        return self.name


F64 = Scalar("float", "f64", "f64", True)
F32 = Scalar("f32", "f32", "f32", True)
I64 = Scalar("int", "i64", "i64", False)
I32 = Scalar("i32", "i32", "i32", False)
BOOL = Scalar("bool", "i32", "bool", False, is_bool=True)


@dataclass(frozen=True)
class Element:
    """An array element type: how it is stored and what scalar a read yields."""

    abi: str  # abi.py ELEMENT_TYPES name
    size: int
    load: str  # wasm load instruction
    store: str  # wasm store instruction
    value: Scalar  # the type of arr[i]
    numpy: str  # numpy dtype name


ELEMENTS: dict[str, Element] = {
    "f64": Element("f64", 8, "f64.load", "f64.store", F64, "float64"),
    "f32": Element("f32", 4, "f32.load", "f32.store", F32, "float32"),
    "i64": Element("i64", 8, "i64.load", "i64.store", I64, "int64"),
    "i32": Element("i32", 4, "i32.load", "i32.store", I32, "int32"),
    "u8": Element("u8", 1, "i64.load8_u", "i64.store8", I64, "uint8"),
    "bool": Element("bool", 1, "i32.load8_u", "i32.store8", BOOL, "bool"),
}

#: A complex128 array as the compiler sees it after frontend/complex_arrays.py: a float64
#: array with one more axis of extent 2 (real part at +0, imaginary part at +8). Only the
#: ABI name differs from f64, so hosts pass and receive ``np.complex128`` arrays.
C128_PAIRS = Element("c128", 8, "f64.load", "f64.store", F64, "float64")
#: The element spelling complex_arrays.py writes; no kernel annotation spells it.
C128_PAIRS_NAME = "complex128 pairs"


@dataclass(frozen=True)
class ArrayType:
    element: Element
    ndim: int

    def __str__(self) -> str:
        return f"Array[{self.element.abi}, {self.ndim}]"


@dataclass(frozen=True)
class TupleType:
    items: tuple[Scalar, ...]

    def __str__(self) -> str:
        return "tuple[" + ", ".join(map(str, self.items)) + "]"


@dataclass(frozen=True)
class ListType:
    """``list[float]`` / ``list[int]`` as a helper's parameter or result (frontend/list_calls.py);
    lists made in a function are :class:`portalis.lang.ir.ListRef`s."""

    element: Scalar

    def __str__(self) -> str:
        return f"list[{'float' if self.element.is_float else 'int'}]"


@dataclass(frozen=True)
class ResultTuple:
    """A function's tuple result holding arrays too (``-> tuple[Array[f64], int]``): only
    returned, unpacked into names, or passed on (frontend/results.py); each array is a
    block the caller receives."""

    items: tuple[Scalar | ArrayType, ...]

    def __str__(self) -> str:
        return "tuple[" + ", ".join(map(str, self.items)) + "]"


@dataclass(frozen=True)
class NoneType:
    def __str__(self) -> str:
        return "None"


NONE = NoneType()

Type = Scalar | ArrayType | TupleType | ResultTuple | ListType | NoneType

#: Annotation spellings accepted for scalars (``float``, ``f64`` …).
SCALAR_NAMES: dict[str, Scalar] = {
    "float": F64,
    "f64": F64,
    "f32": F32,
    "int": I64,
    "i64": I64,
    "i32": I32,
    "bool": BOOL,
}

#: Element spellings accepted inside ``Array[...]`` and for ``zeros(..., dtype)``.
ELEMENT_NAMES: dict[str, Element] = {
    "float": ELEMENTS["f64"],
    "f64": ELEMENTS["f64"],
    "float64": ELEMENTS["f64"],
    "f32": ELEMENTS["f32"],
    "float32": ELEMENTS["f32"],
    "int": ELEMENTS["i64"],
    "i64": ELEMENTS["i64"],
    "int64": ELEMENTS["i64"],
    "i32": ELEMENTS["i32"],
    "int32": ELEMENTS["i32"],
    "u8": ELEMENTS["u8"],
    "uint8": ELEMENTS["u8"],
    "bool": ELEMENTS["bool"],
    "bool_": ELEMENTS["bool"],
    C128_PAIRS_NAME: C128_PAIRS,
}


def unify_numeric(a: Scalar, b: Scalar) -> Scalar:
    """The type of ``a OP b`` for arithmetic: bools act as ints, any float makes a float,
    32-bit widths survive only when both sides agree."""
    if a.is_float or b.is_float:
        return F32 if (a == F32 and b == F32) else F64
    if a == I32 and b == I32:
        return I32
    return I64
