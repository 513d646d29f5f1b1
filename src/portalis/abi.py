"""The self-description a Portalis-built module carries (SPEC §3).

A module produced by ``portalis build`` holds a WebAssembly custom section named
``portalis.abi`` whose payload is UTF-8 JSON. It is data, never code: the runtime and the
stage runner read it to bind parameters by name, to pass NumPy arrays through linear memory,
to expose persistent state, and to turn a trap back into the Python exception the kernel
would have raised. Modules without the section still load; they are bound by export
signature alone.

Lowering rules the compiler follows and the runtime relies on:

* scalar parameters and results map one to one onto wasm values
  (``f64``, ``f32``, ``i64``, ``i32``; ``bool`` is an ``i32`` holding 0 or 1;
  Python ``int`` is ``i64``);
* an array parameter of rank *k* lowers to ``k + 1`` wasm ``i32`` parameters:
  the byte offset of its first element in linear memory, then its shape, outermost first.
  Arrays are C-contiguous and passed by reference: a kernel's writes are visible to the
  caller afterwards;
* each array parameter says whether the function may store into it (``writes``, default
  true; absent in the JSON means true, so older modules and hand-written descriptions stay
  correct). The compiler sets it false only when neither the function nor anything it passes
  the array to can store into it; hosts then skip copying the array back out (and the runner
  skips copying an unchanged value in again). The flag is a hint from untrusted data: a
  module that lies about it can only make its own results stale, because hosts copy to and
  from the regions they allocated, never elsewhere;
* several results are a wasm multi-value return, in the order listed;
* an array result (``kind: "array"`` among the results, with its ``dtype`` and ``ndim``)
  lowers like an array parameter, to ``ndim + 1`` wasm ``i32`` results: the byte offset of
  a block the function took from the module's allocator, then its extents. The block
  belongs to the caller from then on: a host copies the array out (after checking that
  ``[offset, offset + size)`` lies inside linear memory, whose size the sandbox caps) and
  gives the block back with ``portalis_free(offset)``; code inside the module frees it when
  the function that received it returns (see :data:`RESULT_OWNERSHIP`);
* the module exports ``memory`` and an allocator ``portalis_alloc(size: i32, align: i32)
  -> i32`` (and ``portalis_free(ptr: i32)``) the runtime uses to place arrays;
* persistent scalar state lives in exported mutable globals named ``state.NAME``;
  persistent arrays live at a fixed ``offset`` in linear memory;
* before trapping with ``unreachable`` on a Python error, the module stores the error's
  code (see :data:`ERROR_NAMES`) in the exported mutable i32 global ``portalis.error`` and
  the kernel's source line in ``portalis.error_line``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any

SECTION_NAME = "portalis.abi"
FORMAT_VERSION = 1

ERROR_GLOBAL = "portalis.error"
ERROR_LINE_GLOBAL = "portalis.error_line"
ALLOC_EXPORT = "portalis_alloc"
FREE_EXPORT = "portalis_free"
STATE_GLOBAL_PREFIX = "state."
#: How an array result's block is released, recorded in the section's ``extra`` (so a host
#: can tell it is expected to free the block): the caller copies it, then calls
#: ``portalis_free`` on its offset.
RESULT_OWNERSHIP = "caller frees with portalis_free"

#: Trap codes a compiled kernel stores in ``portalis.error``, and the Python exception each
#: stands for. Code 0 means "no Python error": the trap came from WebAssembly itself.
ERROR_NAMES: dict[int, str] = {
    1: "ZeroDivisionError",
    2: "IndexError",
    3: "ValueError",
    4: "AssertionError",
    5: "OverflowError",
    6: "RecursionError",
    7: "MemoryError",
    # raised only by ``raise`` in a kernel (with its message: portalis/messages.py)
    8: "Exception",
    9: "RuntimeError",
    10: "TypeError",
    11: "ArithmeticError",
    12: "NotImplementedError",
    # a math function's error, with CPython's text (Modules/mathmodule.c)
    13: "ValueError",
    14: "OverflowError",
}
#: The text CPython gives the exception a code stands for, where it is always the same.
ERROR_TEXTS: dict[int, str] = {13: "math domain error", 14: "math range error"}
MATH_DOMAIN_ERROR = 13
MATH_RANGE_ERROR = 14
#: Exception name → its code (the code without a fixed text).
ERROR_CODES: dict[str, int] = {
    name: code for code, name in ERROR_NAMES.items() if code not in ERROR_TEXTS
}

#: The most axes an array result may declare (the compiler makes arrays of 1 to 8).
MAX_RESULT_NDIM = 8

SCALAR_TYPES = ("f64", "f32", "i64", "i32", "bool")
ELEMENT_TYPES = ("f64", "f32", "i64", "i32", "u8", "bool", "c128")
#: ``c128`` (NumPy complex128) lowers like a float64 array with one more axis of extent 2
#: (real part at +0, imaginary part at +8): its wasm parameters are the offset, its
#: extents, then 2. Hosts align its block to 8 bytes (two f64s; NumPy's own alignment is 16
#: but nothing in the module relies on more than 8).
PAIR_TYPES = frozenset({"c128"})


def _wasm_extents(a: Array) -> int:
    """How many extents an array's wasm parameters or results carry."""
    return a.ndim + 1 if a.dtype in PAIR_TYPES else a.ndim


class AbiError(ValueError):
    """The ``portalis.abi`` section is present but not understood."""


@dataclass(frozen=True)
class Value:
    """A scalar parameter, result or state variable.

    ``type`` is one of :data:`SCALAR_TYPES`; ``default`` is the Python default argument
    value, when the kernel declared one.
    """

    name: str
    type: str
    default: float | int | bool | None = None


@dataclass(frozen=True)
class Array:
    """An array parameter or persistent array.

    ``dtype`` is one of :data:`ELEMENT_TYPES`; ``ndim`` its rank. ``shape`` is known for
    persistent arrays (and for parameters the kernel declared with a fixed shape);
    ``offset`` is the byte offset in linear memory of a persistent array. ``writes`` is
    False for a parameter the function never stores into (see the module docstring); it
    is True for persistent arrays.
    """

    name: str
    dtype: str
    ndim: int = 1
    shape: tuple[int, ...] | None = None
    offset: int | None = None
    writes: bool = True


Param = Value | Array
#: The fields of each kind of parameter, in order (ModuleAbi.to_json)
_PARAM_FIELDS = {cls: tuple(f.name for f in fields(cls)) for cls in (Value, Array)}


@dataclass(frozen=True)
class Function:
    """One exported function: its Python signature and where it was written."""

    name: str
    params: tuple[Param, ...]
    #: Scalars, or arrays the caller receives and frees (see the module docstring).
    results: tuple[Param, ...]
    line: int = 0
    doc: str = ""

    def wasm_param_count(self) -> int:
        return sum(1 + _wasm_extents(p) if isinstance(p, Array) else 1 for p in self.params)

    def wasm_result_count(self) -> int:
        return sum(1 + _wasm_extents(r) if isinstance(r, Array) else 1 for r in self.results)

    @property
    def array_results(self) -> bool:
        return any(isinstance(r, Array) for r in self.results)


@dataclass(frozen=True)
class ModuleAbi:
    """Everything a Portalis module says about itself."""

    functions: tuple[Function, ...]
    state: tuple[Param, ...] = ()
    source: str = ""
    compiler: str = ""
    version: int = FORMAT_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    def function(self, name: str) -> Function | None:
        for fn in self.functions:
            if fn.name == name:
                return fn
        return None

    # -- encoding ---------------------------------------------------------------------------

    def to_json(self) -> str:
        def enc_param(p: Param) -> dict[str, Any]:
            # asdict's recursive deep copy, without its cost: the fields hold numbers,
            # strings and a tuple of ints (made a list below).
            d = {name: getattr(p, name) for name in _PARAM_FIELDS[type(p)]}
            d["kind"] = "array" if isinstance(p, Array) else "value"
            if isinstance(p, Array) and p.shape is not None:
                d["shape"] = list(p.shape)
            return {k: v for k, v in d.items() if v is not None}

        doc = {
            "version": self.version,
            "source": self.source,
            "compiler": self.compiler,
            "functions": [
                {
                    "name": f.name,
                    "params": [enc_param(p) for p in f.params],
                    "results": [enc_param(r) for r in f.results],
                    "line": f.line,
                    "doc": f.doc,
                }
                for f in self.functions
            ],
            "state": [enc_param(s) for s in self.state],
            "extra": self.extra,
        }
        return json.dumps(doc, separators=(",", ":"), sort_keys=True)

    def to_bytes(self) -> bytes:
        return self.to_json().encode("utf-8")

    @classmethod
    def from_bytes(cls, payload: bytes) -> ModuleAbi:
        """Parse the section's payload. Total: any bytes give a :class:`ModuleAbi` or an
        :class:`AbiError` saying where the description is wrong (the section comes from an
        untrusted module, so every field is checked for type and range here, once)."""
        try:
            doc = json.loads(payload.decode("utf-8"))
        except UnicodeDecodeError as e:
            raise AbiError(
                f"malformed {SECTION_NAME} section: not UTF-8 (byte {e.start})"
            ) from None
        except RecursionError:
            raise AbiError(f"malformed {SECTION_NAME} section: JSON nested too deeply") from None
        except ValueError as e:  # JSONDecodeError, or an integer too long to convert
            raise AbiError(f"malformed {SECTION_NAME} section: {e}") from None
        return _decode(doc)


def _decode(doc: object) -> ModuleAbi:
    top = _Fields(doc, "")
    version = top.integer("version", 0)
    if version != FORMAT_VERSION:
        raise AbiError(
            f"{SECTION_NAME} format version {version} is not supported "
            f"(this Portalis reads version {FORMAT_VERSION})"
        )
    functions = []
    for i, item in enumerate(top.array("functions")):
        f = _Fields(item, f"functions[{i}]")
        functions.append(
            Function(
                name=f.text("name"),
                params=tuple(
                    _dec_param(p, f"{f.where}.params[{k}]") for k, p in enumerate(f.array("params"))
                ),
                results=tuple(
                    _dec_result(r, f"{f.where}.results[{k}]")
                    for k, r in enumerate(f.array("results"))
                ),
                line=f.integer("line", 0, low=0),
                doc=f.text("doc", ""),
            )
        )
    extra = top.get("extra", {})
    if not isinstance(extra, dict):
        raise AbiError(_where("extra", f"expected an object, got {_kind(extra)}"))
    return ModuleAbi(
        functions=tuple(functions),
        state=tuple(
            _dec_param(p, f"state[{k}]") for k, p in enumerate(top.array("state", default=[]))
        ),
        source=top.text("source", ""),
        compiler=top.text("compiler", ""),
        version=version,
        extra=extra,
    )


_MISSING: Any = object()
_INT_RANGES = {"i32": (-(1 << 31), (1 << 31) - 1), "i64": (-(1 << 63), (1 << 63) - 1)}


def _where(where: str, problem: str) -> str:
    return f"malformed {SECTION_NAME} section: {where or 'top level'}: {problem}"


def _kind(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
             int: "an integer", float: "a number", type(None): "null"}  # fmt: skip
    return names.get(type(value), type(value).__name__)


class _Fields:
    """One JSON object of the section, read field by field with the field's path in every
    error."""

    def __init__(self, value: object, where: str) -> None:
        if not isinstance(value, dict):
            raise AbiError(_where(where, f"expected an object, got {_kind(value)}"))
        self.value: dict[str, Any] = value
        self.where = where

    def _path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def get(self, key: str, default: Any = _MISSING) -> Any:
        if key in self.value:
            return self.value[key]
        if default is _MISSING:
            raise AbiError(_where(self._path(key), "missing"))
        return default

    def text(self, key: str, default: Any = _MISSING) -> str:
        value = self.get(key, default)
        if not isinstance(value, str):
            raise AbiError(_where(self._path(key), f"expected a string, got {_kind(value)}"))
        return value

    def integer(self, key: str, default: Any = _MISSING, *, low: int | None = None) -> int:
        value = self.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise AbiError(_where(self._path(key), f"expected an integer, got {_kind(value)}"))
        if low is not None and value < low:
            raise AbiError(_where(self._path(key), f"expected at least {low}, got {value}"))
        return int(value)

    def array(self, key: str, default: Any = _MISSING) -> list[Any]:
        value = self.get(key, default)
        if not isinstance(value, list):
            raise AbiError(_where(self._path(key), f"expected a list, got {_kind(value)}"))
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.get(key, default)
        if not isinstance(value, bool):
            raise AbiError(_where(self._path(key), f"expected true or false, got {_kind(value)}"))
        return value

    def choice(self, key: str, options: tuple[str, ...]) -> str:
        value = self.text(key)
        if value not in options:
            raise AbiError(_where(self._path(key), f"{value!r} is not one of {', '.join(options)}"))
        return value


def _dec_value(f: _Fields) -> Value:
    if f.get("kind", "value") != "value":
        raise AbiError(_where(f.where, "expected a scalar (kind 'value')"))
    type_ = f.choice("type", SCALAR_TYPES)
    default = f.get("default", None)
    if default is not None:
        if type_ == "bool":
            ok = isinstance(default, bool)
        elif type_ in _INT_RANGES:
            low, high = _INT_RANGES[type_]
            ok = isinstance(default, int) and not isinstance(default, bool)
            ok = ok and low <= default <= high
        else:
            ok = isinstance(default, int | float) and not isinstance(default, bool)
        if not ok:
            raise AbiError(
                _where(f"{f.where}.default", f"{default!r} is not a value of type {type_}")
            )
    return Value(name=f.text("name"), type=type_, default=default)


def _dec_param(value: object, where: str) -> Param:
    f = _Fields(value, where)
    if f.get("kind", "value") != "array":
        return _dec_value(f)
    ndim = f.integer("ndim", 1, low=1)
    shape = f.get("shape", None)
    if shape is not None:
        dims = f.array("shape")
        if len(dims) != ndim or not all(
            isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 1 << 32 for n in dims
        ):
            raise AbiError(
                _where(f"{where}.shape", f"expected {ndim} sizes (whole numbers), got {dims!r}")
            )
        shape = tuple(dims)
    offset = f.get("offset", None)
    if offset is not None:
        offset = f.integer("offset", low=0)
    return Array(
        name=f.text("name"),
        dtype=f.choice("dtype", ELEMENT_TYPES),
        ndim=ndim,
        shape=shape,
        offset=offset,
        writes=f.flag("writes", True),
    )


def _dec_result(value: object, where: str) -> Param:
    """A result: a scalar, or an array the caller receives (no fixed shape or offset: both
    come back from the call)."""
    result = _dec_param(value, where)
    if isinstance(result, Array):
        if result.shape is not None or result.offset is not None:
            raise AbiError(_where(where, "an array result has no fixed shape or offset"))
        if result.ndim > MAX_RESULT_NDIM:
            raise AbiError(_where(where, f"an array result has at most {MAX_RESULT_NDIM} axes"))
    return result


def encode_custom_section(name: str, payload: bytes) -> bytes:
    """A complete custom section (id 0), ready to append to a module's bytes."""
    name_bytes = name.encode("utf-8")
    body = uleb128(len(name_bytes)) + name_bytes + payload
    return b"\x00" + uleb128(len(body)) + body


def uleb128(n: int) -> bytes:
    """``n`` as WebAssembly's unsigned LEB128 (section sizes, names, indices)."""
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)
