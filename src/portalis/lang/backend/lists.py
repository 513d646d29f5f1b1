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
from portalis.lang.backend import instructions as I
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
        self.emit(I.local_get(ref.name), I.local_get(index), I.i32_wrap_i64())
        self.emit(I.i32_const(3), I.i32_shl(), I.i32_add())

    def s_ListNew(self, s: ir.ListNew) -> None:
        ref = s.ref
        values = []
        for item in s.items:  # Python evaluates the items before the list exists
            v = self.fresh(ref.element.wasm)
            self.expr(item)
            self.emit(I.local_set(v))
            values.append(v)
        if s.again:  # the previous block (0, ignored by free, the first time)
            self.free_inner_blocks(ref)
            self.emit(I.local_get(ref.name), I.call(FREE_EXPORT))
        cap = max(FIRST_CAPACITY, len(s.items))
        self.emit(I.i32_const(cap * 8), I.i32_const(8), I.call(ALLOC_EXPORT))
        self.emit(I.local_set(ref.name), I.i64_const(cap), I.local_set(f"{ref.name}.cap"))
        self.emit(I.i64_const(len(s.items)), I.local_set(f"{ref.name}.len"))
        for k, v in enumerate(values):
            self.emit(I.local_get(ref.name), I.local_get(v))
            self.emit(I.store(f"{ref.element.wasm}.store", k * 8))

    def s_ListAdopt(self, s: ir.ListAdopt) -> None:
        """The list a helper returned (its block, length, capacity), then the lists passed to
        it as it gives them back (frontend/list_calls.py)."""
        ref = s.ref
        if s.again:
            self.emit(I.local_get(ref.name), I.call(FREE_EXPORT))
        self.expr(s.value)
        self.emit(*[I.local_set(n) for n in reversed(s.rest)])
        self.emit(I.local_set(f"{ref.name}.cap"), I.local_set(f"{ref.name}.len"))
        self.emit(I.local_set(ref.name))

    def s_ListAppend(self, s: ir.ListAppend) -> None:
        ref, line = s.ref, self.line(s)
        v = self.fresh(ref.element.wasm)
        self.expr(s.value)
        self.emit(I.local_set(v))
        length = f"{ref.name}.len"
        self.emit(I.local_get(length), I.local_get(f"{ref.name}.cap"), I.i64_eq(), I.if_())
        self.grow(ref, line)
        self.emit(I.end())
        index = self.fresh("i64")
        self.emit(I.local_get(length), I.local_tee(index))
        self.emit(I.i64_const(1), I.i64_add(), I.local_set(length))
        self.item_address(ref, index)
        self.emit(I.local_get(v), I.store(f"{ref.element.wasm}.store"))

    def grow(self, ref: ir.ListRef, line: int) -> None:
        """Double the block (at least FIRST_CAPACITY items: a list never made on this path
        has none; capped at MAX_ITEMS, MemoryError when already there)."""
        cap, block = self.fresh("i64"), self.fresh("i32")
        gcap, glen = I.local_get(cap), I.local_get(f"{ref.name}.len")
        self.emit(I.local_get(f"{ref.name}.cap"), I.i64_const(1), I.i64_shl(), I.local_tee(cap))
        self.emit(I.i64_const(FIRST_CAPACITY), I.i64_lt_u(), I.if_())
        self.emit(I.i64_const(FIRST_CAPACITY), I.local_set(cap), I.end())
        self.emit(gcap)
        self.emit(I.i64_const(MAX_ITEMS), I.i64_gt_u(), I.if_())
        self.emit(I.i64_const(MAX_ITEMS), I.local_set(cap), I.end())
        self.emit(gcap, glen, I.i64_le_u())
        self.raise_if("MemoryError", line)
        self.emit(gcap, I.i32_wrap_i64(), I.i32_const(3), I.i32_shl())
        self.emit(I.i32_const(8), I.call(ALLOC_EXPORT), I.local_tee(block))
        self.emit(I.local_get(ref.name), glen, I.i32_wrap_i64())
        self.emit(I.i32_const(3), I.i32_shl(), I.memory_copy())
        self.emit(I.local_get(ref.name), I.call(FREE_EXPORT))
        self.emit(I.local_get(block), I.local_set(ref.name))
        self.emit(gcap, I.local_set(f"{ref.name}.cap"))

    def checked_item(self, ref: ir.ListRef, index: ir.Expr, node: ir.Node) -> str:
        """Evaluate ``index`` into a new local as a valid position (negative counts from
        the end), IndexError otherwise; return the local."""
        ix = self.fresh("i64")
        length = I.local_get(f"{ref.name}.len")
        self.expr(index)
        self.emit(I.local_tee(ix), I.local_get(ix), I.i64_const(63), I.i64_shr_s())
        self.emit(length, I.i64_and(), I.i64_add(), I.local_tee(ix), length, I.i64_ge_u())
        self.raise_if("IndexError", self.line(node))
        return ix

    def known_item(self, index: ir.Expr) -> str:
        """Evaluate ``index``, already known to be a valid position, into a new local."""
        ix = self.fresh("i64")
        self.expr(index)
        self.emit(I.local_set(ix))
        return ix

    def e_ListGet(self, e: ir.ListGet) -> None:
        ix = self.checked_item(e.ref, e.index, e) if e.checked else self.known_item(e.index)
        self.item_address(e.ref, ix)
        self.emit(I.load(f"{e.ref.element.wasm}.load"))

    def s_ListSet(self, s: ir.ListSet) -> None:
        v = self.fresh(s.ref.element.wasm)
        self.expr(s.value)
        self.emit(I.local_set(v))
        ix = self.checked_item(s.ref, s.index, s) if s.checked else self.known_item(s.index)
        self.item_address(s.ref, ix)
        self.emit(I.local_get(v), I.store(f"{s.ref.element.wasm}.store"))

    def e_ListLen(self, e: ir.ListLen) -> None:
        self.emit(I.local_get(f"{e.ref.name}.len"))

    def e_ListPop(self, e: ir.ListPop) -> None:
        ref = e.ref
        length = f"{ref.name}.len"
        self.emit(I.local_get(length), I.i64_eqz())
        self.raise_if("IndexError", self.line(e))
        index = self.fresh("i64")
        self.emit(I.local_get(length), I.i64_const(1), I.i64_sub())
        self.emit(I.local_tee(index), I.local_set(length))
        self.item_address(ref, index)
        self.emit(I.load(f"{ref.element.wasm}.load"))

    def free_lists(self, refs: list[ir.ListRef]) -> None:
        for ref in reversed(refs):
            self.free_inner_blocks(ref)
            self.emit(I.local_get(ref.name), I.call(FREE_EXPORT))

    def free_inner_blocks(self, ref: ir.ListRef) -> None:
        """A list of lists' block column (``owns_blocks``): free each inner list's block
        (an item 0 — an inner list that never got one — is ignored by free)."""
        if not ref.owns_blocks:
            return
        i = self.fresh("i64")
        done, top = self.label("freed"), self.label("free")
        self.emit(I.i64_const(0), I.local_set(i), I.block(done), I.loop(top))
        self.emit(I.local_get(i), I.local_get(f"{ref.name}.len"), I.i64_ge_s(), I.br_if(done))
        self.item_address(ref, i)
        self.emit(I.load("i64.load"), I.i32_wrap_i64(), I.call(FREE_EXPORT))
        self.emit(I.local_get(i), I.i64_const(1), I.i64_add(), I.local_set(i), I.br(top))
        self.emit(I.end(), I.end())


__all__ = ["MAX_ITEMS", "ListEmitter"]
