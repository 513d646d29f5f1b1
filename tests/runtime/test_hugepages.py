"""Linear memory asks Linux for transparent huge pages (runtime/hugepages.py): the advice is
on the memory's mapping before the kernel runs, on what growth adds later, and memory the
runtime grows for an allocation ends on a huge-page boundary."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from portalis.runtime import load_module
from portalis.runtime.hugepages import HUGE_PAGE

from . import wat

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux")
    or not Path("/sys/kernel/mm/transparent_hugepage/enabled").exists(),
    reason="transparent huge pages are a Linux feature, here compiled out",
)

#: An allocator that grows memory as compiled kernels' does: up to what the heap needs.
GROWING_ALLOCATOR = """
(module (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (func (export "portalis_alloc") (param $n i32) (param $align i32) (result i32)
    (local $p i32) (local $end i32)
    global.get $heap local.tee $p local.get $n i32.add local.tee $end
    memory.size i32.const 16 i32.shl i32.gt_u
    if
      local.get $end memory.size i32.const 16 i32.shl i32.sub i32.const 0xffff i32.add
      i32.const 16 i32.shr_u memory.grow drop
    end
    local.get $end global.set $heap
    local.get $p)
  (func (export "portalis_free") (param i32)))
"""


def vm_flags(address: int) -> list[str]:
    """The VmFlags of the mapping holding ``address`` in this process."""
    inside = False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()[0]
        if "-" in head and not head.endswith(":"):
            low, high = (int(x, 16) for x in head.split("-"))
            inside = low <= address < high
        elif inside and head == "VmFlags:":
            return line.split()[1:]
    raise AssertionError(f"no mapping holds {address:#x}")


@pytest.mark.parametrize("source", [wat.ARITH, GROWING_ALLOCATOR], ids=["runtime", "module"])
def test_memory_is_advised_and_grows_to_whole_huge_pages(source: str) -> None:
    inst = load_module(wat.binary(source), cache=False).instantiate()
    memory = inst.memory
    assert memory.huge_pages
    base = memory.base_address
    # "hg": madvise(MADV_HUGEPAGE) is set on the memory's pages …
    assert "hg" in vm_flags(base + memory.size - 1)
    offset = memory.alloc(3 * HUGE_PAGE + 100, 16)
    # … on the pages growth made accessible, and growth went on to a 2 MiB boundary
    assert memory.size % HUGE_PAGE == 0 and offset + 3 * HUGE_PAGE + 100 <= memory.size
    assert "hg" in vm_flags(base + memory.size - 1)
    # the memory is still an ordinary, writable memory
    view = memory.view(offset, np.float64, 4)
    view.numpy()[:] = [1.0, 2.0, 3.0, 4.0]
    assert memory.read(offset, np.float64, 4).tolist() == [1.0, 2.0, 3.0, 4.0]
