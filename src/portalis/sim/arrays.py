"""Array parameters: a USD array (or vector) copied into the module's linear memory before a
call, and read back after it when an output asks for it.

An array parameter takes, as WebAssembly values, the byte offset of its first element and
then its shape (``portalis.abi``). Each slot owns one region of the module's memory, grown
when a larger array arrives, so a steady stream of frames allocates nothing. A slot without
a source is a working buffer: allocated once (zeroed), kept across calls — a sensor's history
window, a fluid's grid. A slot whose parameter the ABI marks read-only (``writes: false``)
copies a value in only when it differs from the one already in memory.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from portalis.errors import SceneError
from portalis.runtime import Instance
from portalis.sim.sources import Source


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
        writes: bool = True,
    ) -> None:
        self.name = name
        self.dtype = dtype
        self.ndim = ndim
        self.arg_index = arg_index
        self.source = source
        self.where = where
        #: Signature-bound modules take (offset, element count) rather than (offset, shape…).
        self.count_only = count_only
        #: Whether the function may store into the array (the ABI's ``writes``); if not, a
        #: value already in memory stays valid until the source yields another.
        self.writes = writes
        #: How many times ``place`` copied a value into memory (tests, benchmarks).
        self.copies = 0
        self.shape: tuple[int, ...] = shape or ()
        self.offset = 0
        self.capacity = 0
        self._last_raw: Any = None
        self._last_array: np.ndarray = np.zeros(0, dtype)
        self._last_key: Any = None
        #: The module's copy, as an ndarray over linear memory, for the current offset and
        #: shape. It stays valid across calls: the engine never moves linear memory, and the
        #: region is this slot's own allocation, whatever else the module allocates.
        self._memory_view: np.ndarray | None = None
        #: The converted value last copied into ``_memory_view`` (None: nothing trusted there).
        self._placed: np.ndarray | None = None
        #: The whole region (``capacity`` bytes) as a flat array of ``dtype``: a value of
        #: another shape is a reshaped slice of it, not a new view checked and built anew.
        self._region: np.ndarray | None = None

    @property
    def is_buffer(self) -> bool:
        return self.source is None

    def allocate_buffer(self, instance: Instance, argv: list[Any]) -> None:
        """Reserve and zero a working buffer, and put its location in ``argv`` for good."""
        self._ensure(instance, int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize)
        self._memory_view = self._view(instance)
        self._memory_view[...] = 0
        self._store_args(argv)

    def place(self, instance: Instance, argv: list[Any]) -> None:
        """Copy the source's current value into memory and its location into ``argv``.

        For a parameter the function may write (the ABI's ``writes``, true unless the
        module says otherwise), the copy happens at every call, constants included: the
        ABI passes arrays by reference, so the previous call may have changed the module's
        copy, and each call must see the value the scene holds. For a read-only parameter
        the copy is skipped while the source yields the very value last copied (the same
        object: a constant until a change notice; animated and produced values are new
        objects at each call). What is never redone is everything around the copy:
        converting the USD value to NumPy (kept until the source yields another value),
        and finding the region in memory (kept until the array needs more room or another
        shape), so a call costs at most one ``memcpy``.

        Trusting ``writes`` is safe: a module that says false and stores anyway only sees
        its own stale writes at the next call; the runner still copies into and reads
        from this slot's own region only."""
        if self.source is None:
            return
        raw = self.source.get()
        if raw is self._last_raw and raw is not None:
            array = self._last_array
        else:
            array = self._coerce(raw)
            self._last_raw, self._last_array = raw, array
            self._last_key = None
        view = self._memory_view
        if view is None or view.shape != array.shape:
            # a scan of another length each frame: the region is kept while it is big enough
            self._ensure(instance, array.nbytes)
            self.shape = array.shape
            view = self._memory_view = self._view(instance)
            self._placed = None
            self._store_args(argv)
        elif not self.writes and self._placed is array:
            return  # memory already holds this value, and the function leaves it alone
        if array.size:
            view[...] = array
        self.copies += 1
        self._placed = array

    def key(self) -> Any:
        """The source's current value as something ``==`` compares by content (on_demand
        change detection); computed once per distinct value."""
        assert self.source is not None
        raw = self.source.get()
        if raw is not self._last_raw or self._last_key is None:
            array = self._coerce(raw)
            if raw is not self._last_raw:
                self._last_raw, self._last_array = raw, array
            self._last_key = (array.shape, array.tobytes())
        return self._last_key

    def read(self, instance: Instance) -> np.ndarray:
        """A copy of the array as the module left it."""
        view = self._memory_view if self._memory_view is not None else self._view(instance)
        copied: np.ndarray = view.copy()
        return copied

    def read_flat(self, instance: Instance) -> np.ndarray:
        """The module's copy as a flat view over linear memory (valid until the next
        call): for taking a part of it without copying the whole."""
        view = self._memory_view if self._memory_view is not None else self._view(instance)
        return view.reshape(-1)

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
        if nbytes <= self.capacity:
            return
        old, self.capacity = self.capacity, 0  # nothing of ours in memory until it succeeds
        self._memory_view = None
        self._region = None
        self.offset, self.capacity = memory.regrow(
            self.offset, old, nbytes, max(self.dtype.itemsize, 8), what=f"input '{self.name}'"
        )

    def _view(self, instance: Instance) -> np.ndarray:
        """The first ``shape`` elements of the region, shaped. The region's bounds are
        checked against linear memory once, when it is mapped (the engine never moves linear
        memory, and the region is this slot's own allocation)."""
        region = self._region
        if region is None:
            assert instance.memory is not None
            count = self.capacity // self.dtype.itemsize
            region = self._region = instance.memory.view(self.offset, self.dtype, count).numpy()
        size = math.prod(self.shape)
        if size > region.size:
            raise SceneError(
                f"'{self.name}': {self.shape} elements do not fit its {region.size}",
                prim_path=self.where,
            )
        return region[:size].reshape(self.shape)

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


class CopyPool:
    """The arrays an array output's values are copied into, out of linear memory.

    A value the runner hands out (an output port's value, which the writer, a recorder,
    the next module's input and the host may all hold) must be the runner's own copy, never
    a view of linear memory that the next call overwrites, and must not change once handed
    out. A fresh array per call gives that, but each one of a megabyte or more is fresh
    pages from the system (a page fault every 4 KiB costs more than the copy).

    So each output keeps up to :data:`KEEP` arrays of its own and copies a new value into one
    that nothing else refers to any more: every NumPy view of an array (a slice, a reshape,
    ``np.asarray``, a memoryview) holds a reference to it, so an array whose reference count
    is the pool's own is one nobody can read. Values someone keeps (a recording's time
    samples, a host's list of frames) keep their array out of reuse: the next value goes
    into another, or a new one. A value is a new view object at every call, so a consumer
    comparing values by identity sees a new value each time."""

    KEEP = 2
    #: Values of fewer bytes are plain copies: the pool saves page faults, which an array of
    #: a few pages does not take, and its reference checks cost more than such a copy
    #: (20 points: 1.0 µs against 0.34).
    SMALL = 64 * 1024
    #: Room beyond the first value, so a value a little longer than the last still fits.
    SLACK = 8

    def __init__(self) -> None:
        self._arrays: list[np.ndarray] = []
        #: How many values went into an array used before (tests, benchmarks).
        self.reused = 0

    def copy(self, source: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """A copy of ``source`` (contiguous, any shape) as an array of ``shape``."""
        size = source.size
        if source.nbytes < self.SMALL:  # no fresh pages to save: a plain copy is quicker
            small: np.ndarray = source.reshape(-1).copy().reshape(shape)
            return small
        arrays = self._arrays
        target: np.ndarray | None = None
        free = -1
        for k in range(len(arrays)):
            if _references(arrays, k) == _UNSHARED and arrays[k].dtype == source.dtype:
                if arrays[k].size >= size:
                    target = arrays[k]
                    self.reused += 1
                    break
                free = k  # nobody holds it, but it is too small: replaced below
        if target is None:
            if free >= 0 or len(arrays) < self.KEEP:
                target = np.empty(size + size // self.SLACK, source.dtype)
                if free >= 0:
                    arrays[free] = target
                else:
                    arrays.append(target)
            else:  # every array is held (a recording keeps its values): one of its own
                target = np.empty(size, source.dtype)
        value = target[:size]
        value[...] = source.reshape(-1)
        return value.reshape(shape)


def _references(arrays: list[np.ndarray], k: int) -> int:
    return sys.getrefcount(arrays[k])


#: What :func:`_references` says of an array only its list holds, measured with the very
#: same code (so an interpreter that counts temporaries otherwise is measured, not assumed).
_UNSHARED = _references([np.empty(0)], 0)
