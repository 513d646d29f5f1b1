"""Array parameters: a USD array (or vector) copied into the module's linear memory before a
call, and read back after it when an output asks for it.

An array parameter takes, as WebAssembly values, the byte offset of its first element and
then its shape (``portalis.abi``). Each slot owns one region of the module's memory, grown
when a larger array arrives, so a steady stream of frames allocates nothing. A slot without
a source is a working buffer: allocated once (zeroed), kept across calls — a sensor's history
window, a fluid's grid.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from portalis.errors import SceneError
from portalis.runtime import Instance
from portalis.sim.sources import Source

DTYPES: dict[str, np.dtype[Any]] = {
    "f64": np.dtype(np.float64),
    "f32": np.dtype(np.float32),
    "i64": np.dtype(np.int64),
    "i32": np.dtype(np.int32),
    "u8": np.dtype(np.uint8),
    "bool": np.dtype(np.bool_),
}


class ArraySlot:
    """One array parameter of one function: its place in the argument list and in memory."""

    def __init__(
        self,
        name: str,
        dtype: np.dtype[Any],
        ndim: int,
        arg_index: int,
        *,
        source: Source | None = None,
        shape: tuple[int, ...] | None = None,
        where: str = "",
        count_only: bool = False,
    ) -> None:
        self.name = name
        self.dtype = dtype
        self.ndim = ndim
        self.arg_index = arg_index
        self.source = source
        self.where = where
        #: Signature-bound modules take (offset, element count) rather than (offset, shape…).
        self.count_only = count_only
        self.shape: tuple[int, ...] = shape or ()
        self.offset = 0
        self.capacity = 0
        self._last_raw: Any = None
        self._last_array: np.ndarray = np.zeros(0, dtype)

    @property
    def is_buffer(self) -> bool:
        return self.source is None

    def allocate_buffer(self, instance: Instance, argv: list[Any]) -> None:
        """Reserve and zero a working buffer, and put its location in ``argv`` for good."""
        self._ensure(instance, int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize)
        self._view(instance)[...] = 0
        self._store_args(argv)

    def place(self, instance: Instance, argv: list[Any]) -> None:
        """Copy the source's current value into memory and its location into ``argv``.

        The copy happens at every call, constants included: the module may have written into
        the array last time, and each call must see the value the scene holds."""
        if self.source is None:
            return
        raw = self.source.get()
        if self.source.constant and raw is self._last_raw:
            array = self._last_array
        else:
            array = self._coerce(raw)
            self._last_raw, self._last_array = raw, array
        self._ensure(instance, array.nbytes)
        self.shape = array.shape
        if array.size:
            self._view(instance)[...] = array
        self._store_args(argv)

    def read(self, instance: Instance) -> np.ndarray:
        """A copy of the array as the module left it."""
        return self._view(instance).copy()

    def _coerce(self, raw: Any) -> np.ndarray:
        if raw is None:
            raise SceneError(f"array input '{self.name}' has no value", prim_path=self.where)
        try:
            array = np.asarray(raw, dtype=self.dtype)
        except (TypeError, ValueError) as e:
            raise SceneError(
                f"'{self.name}' cannot be passed as an array of {self.dtype}: {e}",
                prim_path=self.where,
            ) from None
        if self.count_only or (self.ndim == 1 and array.ndim != 1):
            array = array.reshape(-1)
        if array.ndim != self.ndim:
            raise SceneError(
                f"'{self.name}' is {array.ndim}-D ({array.shape}); the parameter takes "
                f"{self.ndim}-D arrays",
                prim_path=self.where,
            )
        return np.ascontiguousarray(array)

    def _ensure(self, instance: Instance, nbytes: int) -> None:
        memory = instance.memory
        if memory is None:
            raise SceneError(
                f"'{self.name}' is an array, but the module exports no memory to pass it in",
                prim_path=self.where,
            )
        if nbytes > self.capacity:
            if self.capacity:
                memory.free(self.offset)
            self.capacity = max(nbytes, 64)
            self.offset = memory.alloc(self.capacity, max(self.dtype.itemsize, 8))

    def _view(self, instance: Instance) -> np.ndarray:
        assert instance.memory is not None
        return instance.memory.view(self.offset, self.dtype, self.shape).numpy()

    def _store_args(self, argv: list[Any]) -> None:
        argv[self.arg_index] = self.offset
        if self.count_only:
            argv[self.arg_index + 1] = int(np.prod(self.shape, dtype=np.int64))
        else:
            for k, n in enumerate(self.shape):
                argv[self.arg_index + 1 + k] = int(n)

    @property
    def wasm_arity(self) -> int:
        """WebAssembly parameters this array takes."""
        return 2 if self.count_only else 1 + self.ndim
