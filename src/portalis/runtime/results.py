"""Array results: a function's ``-> Array[...]`` coming back to Python as a fresh NumPy array.

The module returns each array as a block it took from its own allocator: the block's byte
offset, then its extents (see :mod:`portalis.abi`). The host owns the block from then on.
:class:`ResultDecoder` checks every returned block against linear memory before reading a
byte of it — the module is untrusted, so the offset and extents are only numbers it chose —
copies each array out, and gives each block back with the module's ``portalis_free``. The
caller's array is then plain NumPy memory, safe to keep after the instance is gone. A
``complex128`` result (ABI element ``c128``) comes back as its float64 (real, imag) pairs,
one extent more, which must be 2; it is copied into a new complex128 array of the declared
rank.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from portalis.abi import FREE_EXPORT, PAIR_TYPES, Array, Function
from portalis.errors import BadResultError, SignatureError
from portalis.runtime.memory import DTYPES

if TYPE_CHECKING:
    from portalis.runtime.instance import Instance

_U32 = 0xFFFFFFFF


class ResultDecoder:
    """Turns one function's raw wasm results into its Python results: bools as ``bool``,
    each array result copied out of linear memory into a new ndarray and its block freed.

    Built once per function; checks then that the export's wasm results are what the ABI
    says (an array is ``ndim + 1`` i32s), so a module whose description disagrees with its
    code is refused when loaded, not misread at a call."""

    def __init__(self, instance: Instance, abi: Function, wasm_results: tuple[str, ...]) -> None:
        self.instance = instance
        self.where = f"{instance.name}::{abi.name}()"
        expected: list[str] = []
        #: per ABI result: ("value", is_bool) or ("array", dtype, ndim, pairs) — pairs: a
        #: complex128 array read as its float64 (real, imag) pairs, one extent more
        self.plan: list[tuple[Any, ...]] = []
        for r in abi.results:
            if isinstance(r, Array) and r.dtype in PAIR_TYPES:
                # complex128: the module returns its float64 pairs, one extent more (2)
                expected += ["i32"] * (2 + r.ndim)
                self.plan.append(("array", np.dtype(np.float64), r.ndim + 1, True))
            elif isinstance(r, Array):
                expected += ["i32"] * (1 + r.ndim)
                self.plan.append(("array", DTYPES[r.dtype], r.ndim, False))
            else:
                expected.append(_WASM_OF[r.type])
                self.plan.append(("value", r.type == "bool"))
        if tuple(expected) != tuple(wasm_results):
            raise SignatureError(
                f"{self.where}: the module's ABI describes results ({', '.join(expected)}) "
                f"but the export returns ({', '.join(wasm_results)})"
            )
        self.single = len(abi.results) == 1
        self.has_arrays = any(kind == "array" for kind, *_ in self.plan)
        if self.has_arrays and not instance.has_export(FREE_EXPORT):
            raise SignatureError(
                f"{self.where} returns an array but the module exports no {FREE_EXPORT} "
                "to give its block back"
            )
        self._free = instance.function(FREE_EXPORT) if self.has_arrays else None
        self._cap = instance.sandbox.max_memory_bytes

    def __call__(self, raw: Any) -> Any:
        out = self.each(raw)
        return out[0] if self.single else out

    def each(self, raw: Any) -> tuple[Any, ...]:
        """Every result, in the ABI's order, as a tuple (even a single one)."""
        values = raw if isinstance(raw, tuple) else (raw,)
        out: list[Any] = []
        blocks: list[tuple[int, int, np.dtype[Any], tuple[int, ...], bool]] = []
        at = 0
        for kind, *spec in self.plan:
            if kind == "value":
                v = values[at]
                out.append(bool(v) if spec[0] else v)
                at += 1
                continue
            dtype, ndim, pairs = spec
            offset = int(values[at]) & _U32  # wasm pointers and extents are unsigned
            shape = tuple(int(n) & _U32 for n in values[at + 1 : at + 1 + ndim])
            at += 1 + ndim
            self._check(offset, dtype, shape)
            if pairs and shape[-1] != 2:
                raise BadResultError(
                    f"{self.where} returned a complex128 array as pairs of shape {shape}: "
                    "the last extent must be 2",
                    hint="the module is broken or hostile; nothing was read from it",
                )
            blocks.append((len(out), offset, dtype, shape, pairs))
            out.append(None)
        if blocks:  # every block checked before any is read or freed
            memory = self.instance.memory
            assert memory is not None  # _check refuses a module without one
            for index, offset, dtype, shape, pairs in blocks:
                if pairs:  # (real, imag) pairs: NumPy's complex128 layout, copied in
                    array = np.empty(shape[:-1], np.complex128)
                    array.view(np.float64).reshape(shape)[...] = memory._ndarray(
                        offset, dtype, shape
                    )
                    out[index] = array
                else:
                    out[index] = memory._ndarray(offset, dtype, shape).copy()
            free = self._free
            assert free is not None
            for _, offset, _, _, _ in blocks:
                free(offset)
        return tuple(out)

    def _check(self, offset: int, dtype: np.dtype[Any], shape: tuple[int, ...]) -> None:
        """The block ``[offset, offset + nbytes)`` must lie in linear memory (which the
        sandbox caps) and be aligned for its elements; else nothing is read."""
        memory = self.instance.memory
        nbytes = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
        size = memory.size if memory is not None else 0
        cap = self._cap
        problem = ""
        if memory is None:
            problem = "the module exports no memory"
        elif cap is not None and nbytes > cap:
            problem = f"its {nbytes} bytes exceed the sandbox's memory cap of {cap} bytes"
        elif offset + nbytes > size:
            problem = f"[{offset}, {offset + nbytes}) is outside linear memory of {size} bytes"
        elif offset % dtype.itemsize:
            problem = f"offset {offset} is not aligned for {dtype}"
        if problem:
            raise BadResultError(
                f"{self.where} returned an array of shape {shape} ({dtype}) that cannot be "
                f"read: {problem}",
                hint="the module is broken or hostile; nothing was read from it",
            )


_WASM_OF = {"f64": "f64", "f32": "f32", "i64": "i64", "i32": "i32", "bool": "i32"}

__all__ = ["ResultDecoder"]
