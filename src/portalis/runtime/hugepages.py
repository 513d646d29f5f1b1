"""Transparent huge pages for linear memory, so that a kernel's speed does not depend on
which physical pages its process happened to get.

Why: a kernel with a working set of several MiB (the LiDAR filter: a 100K-point scan, its
voxel sums and hash table, about 10 MiB) reads it in an order the data decides. With 4 KiB
pages that is thousands of pages: more than the TLB holds, and, because caches are indexed
by physical address, the cache sets those pages fall into differ from process to process.
The same build then ran at 5.5 ms in one process and 8.9 ms in the next, while Numba on
NumPy arrays stayed steady — NumPy asks for huge pages for its large arrays, wasmtime does
not for linear memory, and where transparent huge pages are ``madvise``-only (the default
of many distributions) a region gets them only when asked.

What: on Linux, :func:`advise` marks the whole address range a linear memory may ever
occupy ``MADV_HUGEPAGE`` right after instantiation, before the kernel touches its heap.
The engine reserves that range once (``memory_reservation``, engine.py) and never moves
the memory, so pages that later growth makes accessible carry the advice too. A huge page
only fits where a whole aligned 2 MiB lies inside the accessible memory, so
:func:`round_up_pages` says how far to grow memory the runtime itself grew for an
allocation (memory.py), to the next 2 MiB: the tail of a freshly allocated array gets huge
pages too. The module's own allocator uses the extra space for its next allocations.

Nothing here changes what a kernel computes or what the sandbox allows: the advice is a
hint the operating system may ignore (``never`` in
/sys/kernel/mm/transparent_hugepage/enabled, no free 2 MiB blocks), and growth past the
sandbox's memory cap is simply not made. Other systems: nothing is done.
"""

from __future__ import annotations

import ctypes
import functools
import sys
from typing import Any

#: Size of a transparent huge page on x86-64 and aarch64 (4 KiB base pages).
HUGE_PAGE = 2 << 20
#: From <sys/mman.h>.
MADV_HUGEPAGE = 14


@functools.cache
def _madvise() -> Any:
    """libc's ``madvise``, or None where there is no Linux libc to ask."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).madvise
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    fn.restype = ctypes.c_int
    return fn


def advise(address: int, length: int) -> bool:
    """Ask for huge pages over ``[address, address + length)`` (``address`` page-aligned,
    the range mapped by the caller). True when the system took the advice."""
    madvise = _madvise()
    if madvise is None or address <= 0 or length <= 0:
        return False
    return bool(madvise(address, length, MADV_HUGEPAGE) == 0)


def round_up_pages(size: int, page: int) -> int:
    """How many wasm pages of ``page`` bytes to add to a memory of ``size`` bytes so that it
    ends on a huge-page boundary (0 when it already does)."""
    return (-size % HUGE_PAGE) // page
