"""Linear memory as NumPy: zero-copy typed views, copies in and out, and allocation.

Safety, in two layers:

* Native: the engine never moves linear memory (``memory_may_move = False``) and every
  NumPy array made here keeps the store alive through its buffer's reference, so no array
  can ever read unmapped or freed memory, whatever the caller does.
* Logical: an :class:`ArrayView` remembers the memory size and the instance it was made
  for. After the memory grew (its layout may have changed under the module's allocator) or
  the instance closed, using the view raises :class:`StaleViewError` instead of silently
  reading whatever is there now. Take a fresh view after calls that may grow memory.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import wasmtime

from portalis.abi import ALLOC_EXPORT, FREE_EXPORT
from portalis.errors import MemoryLimitError, PortalisError, StaleViewError
from portalis.runtime import _capi

if TYPE_CHECKING:
    from portalis.runtime.instance import Instance

WASM_PAGE = 65536

#: NumPy element type of each ABI element type (see :data:`portalis.abi.ELEMENT_TYPES`).
DTYPES: dict[str, np.dtype[Any]] = {
    "f64": np.dtype(np.float64),
    "f32": np.dtype(np.float32),
    "i64": np.dtype(np.int64),
    "i32": np.dtype(np.int32),
    "u8": np.dtype(np.uint8),
    "bool": np.dtype(np.bool_),
    "c128": np.dtype(np.complex128),
}


class LinearMemory:
    """The exported linear memory of one instance."""

    def __init__(self, instance: Instance, memory: wasmtime.Memory) -> None:
        self._instance = instance
        self._memory = memory
        self._store = instance.store
        self._whole: np.ndarray | None = None
        # The size is read at every call with an array (views check it for staleness):
        # through a prepared C call, not wasmtime-py's, which costs several microseconds.
        self._size = _capi.memory_size_reader(self._store, memory)
        # Runtime-managed allocation region, used when the module exports no allocator.
        self._bump = 0
        self._region_end = 0

    @property
    def size(self) -> int:
        return self._size()  # type: ignore[no-any-return]

    @property
    def base_address(self) -> int:
        return ctypes.cast(self._memory.data_ptr(self._store), ctypes.c_void_p).value or 0

    # -- views -----------------------------------------------------------------------------

    def view(self, offset: int, dtype: Any, shape: int | tuple[int, ...]) -> ArrayView:
        """A zero-copy view of ``shape`` elements of ``dtype`` starting at byte ``offset``."""
        self._instance.ensure_open()
        dt = np.dtype(dtype)
        shp = (int(shape),) if isinstance(shape, int | np.integer) else tuple(int(n) for n in shape)
        if any(n < 0 for n in shp):
            raise PortalisError(f"{self._instance.name}: negative shape {shp}")
        nbytes = math.prod(shp) * dt.itemsize
        size = self.size
        if offset < 0 or offset + nbytes > size:
            raise PortalisError(
                f"{self._instance.name}: view [{offset}, {offset + nbytes}) is outside linear "
                f"memory of {size} bytes"
            )
        return ArrayView(self, offset, dt, shp, size)

    def _ndarray(self, offset: int, dtype: np.dtype[Any], shape: tuple[int, ...]) -> np.ndarray:
        """An ndarray over ``[offset, offset + size)``; the caller has checked the bounds."""
        nbytes = math.prod(shape) * dtype.itemsize
        whole = self._whole
        if whole is None or offset + nbytes > whole.size:
            whole = self._map_whole()
        return whole[offset : offset + nbytes].view(dtype).reshape(shape)

    def _map_whole(self) -> np.ndarray:
        # One uint8 array over all of linear memory, sliced for every array the runtime
        # hands out: cheaper than building a ctypes buffer each time. Linear memory never
        # moves (see engine.py), so the mapping stays right until the memory grows past it.
        size = self.size
        buffer = (ctypes.c_char * max(size, 1)).from_address(self.base_address)
        buffer._portalis_store = self._store  # type: ignore[attr-defined]  # keeps memory mapped
        # A ctypes array exports the buffer protocol; NumPy's stubs do not list ctypes types.
        self._whole = np.frombuffer(buffer, dtype=np.uint8, count=size)  # type: ignore[call-overload]
        return self._whole

    # -- copies ----------------------------------------------------------------------------

    def write(self, array: Any, *, dtype: Any = None) -> ArrayView:
        """Allocate room inside the module, copy ``array`` there, return a view of it."""
        src = np.ascontiguousarray(array, dtype=dtype)
        offset = self.alloc(max(src.nbytes, 1), max(src.dtype.itemsize, 8))
        view = self.view(offset, src.dtype, src.shape)
        view.numpy()[...] = src
        return view

    def write_at(self, offset: int, array: Any) -> None:
        src = np.ascontiguousarray(array)
        self.view(offset, src.dtype, src.shape).numpy()[...] = src

    def read(self, offset: int, dtype: Any, shape: int | tuple[int, ...]) -> np.ndarray:
        """A copy of memory contents (safe to keep after the instance is gone)."""
        return self.view(offset, dtype, shape).copy()

    # -- allocation ------------------------------------------------------------------------

    def alloc(self, nbytes: int, align: int = 16) -> int:
        """Byte offset of ``nbytes`` of fresh space: the module's ``portalis_alloc`` when it
        exports one, otherwise a region the runtime appends past the module's memory."""
        inst = self._instance
        if inst.has_export(ALLOC_EXPORT):
            try:
                ptr = int(inst.function(ALLOC_EXPORT)(int(nbytes), int(align)))
            except MemoryLimitError:  # a Portalis-built allocator's MemoryError
                raise self.no_room(nbytes) from None
            if ptr <= 0 or ptr + nbytes > self.size:
                raise MemoryLimitError(
                    f"{ALLOC_EXPORT}({nbytes}) failed (returned {ptr}); the module is out of "
                    "memory or at the sandbox cap",
                    module=inst.name, function=ALLOC_EXPORT, trap_code="memory_limit",
                )  # fmt: skip
            return ptr
        start = (self._bump + align - 1) // align * align
        if self._region_end == 0 or start + nbytes > self._region_end:
            pages = (nbytes + align + WASM_PAGE - 1) // WASM_PAGE
            try:
                old_pages = int(self._memory.grow(self._store, pages))
            except wasmtime.WasmtimeError:
                cap = inst.sandbox.max_memory_bytes
                raise MemoryLimitError(
                    f"cannot grow linear memory by {pages} page(s) for a {nbytes}-byte "
                    f"allocation (sandbox cap {cap >> 20 if cap else '∞'} MiB)",
                    module=inst.name, function="<alloc>", trap_code="memory_limit",
                ) from None  # fmt: skip
            start = old_pages * WASM_PAGE
            self._region_end = (old_pages + pages) * WASM_PAGE
        self._bump = start + nbytes
        return start

    def room(self) -> str:
        """How much linear memory there is, against the sandbox's cap (for messages)."""
        cap = self._instance.sandbox.max_memory_bytes
        limit = f"of the sandbox's cap of {cap / (1 << 20):g} MiB" if cap else "(no cap)"
        return f"{self.size / (1 << 20):.1f} MiB {limit}"

    def no_room(self, nbytes: int, what: str = "", function: str = "") -> MemoryLimitError:
        """The error for ``nbytes`` that do not fit: ``what`` they are for (``argument
        'pos'``) and the ``function`` being called, when known."""
        return MemoryLimitError(
            f"{what + ': ' if what else ''}{nbytes / (1 << 20):.1f} MiB do not fit in linear "
            f"memory ({self.room()})",
            module=self._instance.name, function=function or ALLOC_EXPORT,
            trap_code="memory_limit",
        )  # fmt: skip

    def regrow(
        self,
        offset: int,
        capacity: int,
        nbytes: int,
        align: int,
        what: str = "",
        function: str = "",
    ) -> tuple[int, int]:
        """A region of at least ``nbytes`` in place of ``[offset, offset + capacity)`` (freed
        first; ``capacity`` 0: none yet): ``(offset, capacity)``. A region regrown gets an
        eighth to spare, so values a little longer each call (a scan per frame) do not each
        cost a new region and fresh pages; the exact size when only that fits the cap.
        ``what`` the region is for (``argument 'pos'``) and the ``function`` called: when
        given, running out of room says so (:meth:`no_room`)."""
        if capacity:
            self.free(offset)
        exact = max(nbytes, 64)
        wanted = max(nbytes + nbytes // 8, 64) if capacity else exact
        if wanted != exact:
            with contextlib.suppress(MemoryLimitError):  # only the exact size may fit the cap
                return self.alloc(wanted, align), wanted
        try:
            return self.alloc(exact, align), exact
        except MemoryLimitError:
            if not what:
                raise
            raise self.no_room(nbytes, what, function) from None

    def free(self, offset: int) -> None:
        if self._instance.has_export(FREE_EXPORT):
            self._instance.function(FREE_EXPORT)(int(offset))


class ArrayView:
    """A typed, shaped window on linear memory that knows when it has gone stale."""

    __slots__ = ("_array", "_memory", "_size", "dtype", "offset", "shape")

    def __init__(
        self,
        memory: LinearMemory,
        offset: int,
        dtype: np.dtype[Any],
        shape: tuple[int, ...],
        size_at_creation: int,
    ) -> None:
        self._memory = memory
        self.offset = offset
        self.dtype = dtype
        self.shape = shape
        self._size = size_at_creation
        self._array: np.ndarray | None = None

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize

    @property
    def valid(self) -> bool:
        return not self._memory._instance.closed and self._memory.size == self._size

    def _check(self) -> None:
        inst = self._memory._instance
        if inst.closed:
            raise StaleViewError(
                f"{inst.name}: view at offset {self.offset} used after the instance was closed"
            )
        size = self._memory.size
        if size != self._size:
            raise StaleViewError(
                f"{inst.name}: view at offset {self.offset} used after linear memory grew "
                f"({self._size} → {size} bytes); take a new view"
            )

    def numpy(self) -> np.ndarray:
        """The zero-copy ndarray (checked now; do not keep it across calls that may grow
        memory — keep the view instead)."""
        self._check()
        if self._array is None:
            self._array = self._memory._ndarray(self.offset, self.dtype, self.shape)
        return self._array

    def copy(self) -> np.ndarray:
        copied: np.ndarray = self.numpy().copy()
        return copied

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        arr = self.numpy()
        if dtype is not None and np.dtype(dtype) != arr.dtype:
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    def __getitem__(self, index: Any) -> Any:
        return self.numpy()[index]

    def __setitem__(self, index: Any, value: Any) -> None:
        self.numpy()[index] = value

    def __len__(self) -> int:
        return self.shape[0] if self.shape else 0

    def __repr__(self) -> str:
        state = "valid" if self.valid else "stale"
        return f"ArrayView(offset={self.offset}, dtype={self.dtype}, shape={self.shape}, {state})"
