"""Typed lists: a block from the module's allocator holding 8-byte items, with its length
and capacity in locals (``NAME``, ``NAME.len``, ``NAME.cap``). Appending to a full list
allocates a block twice the size, copies the items and frees the old block, so appends cost
amortised O(1); a block larger than the allocator's limit is a MemoryError, as is running out
of the sandbox's memory (the allocator raises it). The function frees its lists on every
return (emit.py), like its local arrays.
"""

from __future__ import annotations

from portalis.abi import ALLOC_EXPORT, FREE_EXPORT
from portalis.lang import ir
from portalis.lang.backend.instructions import Code

#: Items a list can hold: the allocator's largest block, in 8-byte items.
MAX_ITEMS = 0x7FFF0000 // 8
#: Capacity of a list's first block.
FIRST_CAPACITY = 4


class ListEmitter(Code):
    def declare_list(self, ref: ir.ListRef) -> None:
        self.extra_locals[ref.name] = "i32"
        self.extra_locals[f"{ref.name}.len"] = "i64"
        self.extra_locals[f"{ref.name}.cap"] = "i64"

    def item_address(self, ref: ir.ListRef, index: str) -> None:
        """Push the address of item ``index`` (an i64 local, already in range)."""
        self.emit(f"local.get ${ref.name}", f"local.get ${index}", "i32.wrap_i64")
        self.emit("i32.const 3", "i32.shl", "i32.add")

    def s_ListNew(self, s: ir.ListNew) -> None:
        ref = s.ref
        values = []
        for item in s.items:  # Python evaluates the items before the list exists
            v = self.fresh(ref.element.wasm)
            self.expr(item)
            self.emit(f"local.set ${v}")
            values.append(v)
        if s.again:  # the previous block (0, ignored by free, the first time)
            self.emit(f"local.get ${ref.name}", f"call ${FREE_EXPORT}")
        cap = max(FIRST_CAPACITY, len(s.items))
        self.emit(f"i32.const {cap * 8}", "i32.const 8", f"call ${ALLOC_EXPORT}")
        self.emit(f"local.set ${ref.name}", f"i64.const {cap}", f"local.set ${ref.name}.cap")
        self.emit(f"i64.const {len(s.items)}", f"local.set ${ref.name}.len")
        for k, v in enumerate(values):
            self.emit(f"local.get ${ref.name}", f"local.get ${v}")
            self.emit(f"{ref.element.wasm}.store offset={k * 8}")

    def s_ListAdopt(self, s: ir.ListAdopt) -> None:
        """The list a helper returned (its block, length, capacity), then the lists passed to
        it as it gives them back (frontend/list_calls.py)."""
        ref = s.ref
        if s.again:
            self.emit(f"local.get ${ref.name}", f"call ${FREE_EXPORT}")
        self.expr(s.value)
        self.emit(*[f"local.set ${n}" for n in reversed(s.rest)])
        self.emit(f"local.set ${ref.name}.cap", f"local.set ${ref.name}.len")
        self.emit(f"local.set ${ref.name}")

    def s_ListAppend(self, s: ir.ListAppend) -> None:
        ref, line = s.ref, self.line(s)
        v = self.fresh(ref.element.wasm)
        self.expr(s.value)
        self.emit(f"local.set ${v}")
        self.emit(f"local.get ${ref.name}.len", f"local.get ${ref.name}.cap", "i64.eq", "if")
        self.depth += 1
        self.grow(ref, line)
        self.depth -= 1
        self.emit("end")
        index = self.fresh("i64")
        self.emit(f"local.get ${ref.name}.len", f"local.tee ${index}")
        self.emit("i64.const 1", "i64.add", f"local.set ${ref.name}.len")
        self.item_address(ref, index)
        self.emit(f"local.get ${v}", f"{ref.element.wasm}.store")

    def grow(self, ref: ir.ListRef, line: int) -> None:
        """Double the block (at least FIRST_CAPACITY items: a list never made on this path
        has none; capped at MAX_ITEMS, MemoryError when already there)."""
        cap, block = self.fresh("i64"), self.fresh("i32")
        self.emit(f"local.get ${ref.name}.cap", "i64.const 1", "i64.shl", f"local.tee ${cap}")
        self.emit(f"i64.const {FIRST_CAPACITY}", "i64.lt_u", "if")
        self.emit(f"  i64.const {FIRST_CAPACITY}", f"  local.set ${cap}", "end")
        self.emit(f"local.get ${cap}")
        self.emit(f"i64.const {MAX_ITEMS}", "i64.gt_u", "if")
        self.emit(f"  i64.const {MAX_ITEMS}", f"  local.set ${cap}", "end")
        self.emit(f"local.get ${cap}", f"local.get ${ref.name}.len", "i64.le_u")
        self.raise_if("MemoryError", line)
        self.emit(f"local.get ${cap}", "i32.wrap_i64", "i32.const 3", "i32.shl")
        self.emit("i32.const 8", f"call ${ALLOC_EXPORT}", f"local.tee ${block}")
        self.emit(f"local.get ${ref.name}", f"local.get ${ref.name}.len", "i32.wrap_i64")
        self.emit("i32.const 3", "i32.shl", "memory.copy")
        self.emit(f"local.get ${ref.name}", f"call ${FREE_EXPORT}")
        self.emit(f"local.get ${block}", f"local.set ${ref.name}")
        self.emit(f"local.get ${cap}", f"local.set ${ref.name}.cap")

    def checked_item(self, ref: ir.ListRef, index: ir.Expr, node: ir.Node) -> str:
        """Evaluate ``index`` into a new local as a valid position (negative counts from
        the end), IndexError otherwise; return the local."""
        ix = self.fresh("i64")
        length = f"local.get ${ref.name}.len"
        self.expr(index)
        self.emit(f"local.tee ${ix}", f"local.get ${ix}", "i64.const 63", "i64.shr_s")
        self.emit(length, "i64.and", "i64.add", f"local.tee ${ix}", length, "i64.ge_u")
        self.raise_if("IndexError", self.line(node))
        return ix

    def e_ListGet(self, e: ir.ListGet) -> None:
        ix = self.checked_item(e.ref, e.index, e)
        self.item_address(e.ref, ix)
        self.emit(f"{e.ref.element.wasm}.load")

    def s_ListSet(self, s: ir.ListSet) -> None:
        v = self.fresh(s.ref.element.wasm)
        self.expr(s.value)
        self.emit(f"local.set ${v}")
        ix = self.checked_item(s.ref, s.index, s)
        self.item_address(s.ref, ix)
        self.emit(f"local.get ${v}", f"{s.ref.element.wasm}.store")

    def e_ListLen(self, e: ir.ListLen) -> None:
        self.emit(f"local.get ${e.ref.name}.len")

    def e_ListPop(self, e: ir.ListPop) -> None:
        ref = e.ref
        self.emit(f"local.get ${ref.name}.len", "i64.eqz")
        self.raise_if("IndexError", self.line(e))
        index = self.fresh("i64")
        self.emit(f"local.get ${ref.name}.len", "i64.const 1", "i64.sub")
        self.emit(f"local.tee ${index}", f"local.set ${ref.name}.len")
        self.item_address(ref, index)
        self.emit(f"{ref.element.wasm}.load")

    def free_lists(self, refs: list[ir.ListRef]) -> None:
        for ref in reversed(refs):
            self.emit(f"local.get ${ref.name}", f"call ${FREE_EXPORT}")


__all__ = ["MAX_ITEMS", "ListEmitter"]
