"""Assigning to a whole view (frontend/assign_views.py): ``a[lo:hi] = v`` fills it,
``new[:, :] = u`` copies another view of the same shape into it.

Both views are contiguous (slices, rows, whole arrays), so a copy is one ``memory.copy`` —
memmove semantics, which is NumPy's for overlapping views (as if the source were copied to
a temporary first: ``a[1:] = a[:-1]`` shifts). The extents are compared first: unequal
shapes raise ValueError, as NumPy does when it cannot broadcast (its broadcasting of an
extent of 1 is kept for 1-D views and empty targets; see s_CopyView).
"""

from __future__ import annotations

from portalis.lang import ir
from portalis.lang.backend import instructions as I
from portalis.lang.backend.instructions import Code
from portalis.lang.types import ArrayType


class ViewEmitter(Code):
    def view_parts(self, view: ir.Expr) -> tuple[str, list[str]]:
        """Evaluate a view (address, then extents) into fresh locals: (address, extents)."""
        assert isinstance(view.ty, ArrayType)
        self.expr(view)
        extents = [self.fresh("i32") for _ in range(view.ty.ndim)]
        address = self.fresh("i32")
        self.emit(*[I.local_set(e) for e in reversed(extents)], I.local_set(address))
        return address, extents

    def byte_count(self, extents: list[str], size: int) -> str:
        """The view's size in bytes, in a fresh i32 local (it lies in linear memory, so the
        product fits: each partial product is at most the array's own size)."""
        total = self.fresh("i32")
        self.emit(I.i32_const(size))
        for e in extents:
            self.emit(I.local_get(e), I.i32_mul())
        self.emit(I.local_set(total))
        return total

    def s_FillView(self, s: ir.FillView) -> None:
        assert isinstance(s.target.ty, ArrayType)
        element = s.target.ty.element
        value = self.fresh(element.value.wasm)
        self.expr(s.value)  # Python evaluates the value before the target
        self.emit(I.local_set(value))
        address, extents = self.view_parts(s.target)
        self.fill_loop(address, self.byte_count(extents, element.size), value, s.target.ty)

    def fill_loop(self, address: str, nbytes: str, value: str, ty: ArrayType) -> None:
        """Store local ``value`` into each element of ``[address, address + nbytes)``
        (``address`` is consumed)."""
        element = ty.element
        end = self.fresh("i32")
        self.emit(I.local_get(nbytes), I.local_get(address), I.i32_add(), I.local_set(end))
        done, top = self.label("filled"), self.label("fill")
        self.emit(I.block(done), I.loop(top))
        self.emit(I.local_get(address), I.local_get(end), I.i32_ge_u(), I.br_if(done))
        self.emit(I.local_get(address), I.local_get(value), I.store(element.store))
        self.emit(I.local_get(address), I.i32_const(element.size), I.i32_add())
        self.emit(I.local_set(address), I.br(top))
        self.emit(I.end(), I.end())

    def s_CopyView(self, s: ir.CopyView) -> None:
        """Equal extents: one ``memory.copy``. NumPy's broadcasting of a source extent of 1
        is kept where it is cheap — a 1-D source of one element fills the target, and
        nothing is copied into an empty target; any other broadcast raises ValueError
        (docs/language.md), as do extents that differ otherwise."""
        ty = s.target.ty
        assert isinstance(ty, ArrayType)
        line = self.line(s)
        src, src_extents = self.view_parts(s.source)  # the value first, as Python
        dst, dst_extents = self.view_parts(s.target)
        broadcast = self.fresh("i32")
        self.emit(I.i32_const(0), I.local_set(broadcast))
        for a, b in zip(src_extents, dst_extents, strict=True):
            self.emit(I.local_get(a), I.local_get(b), I.i32_ne())
            self.emit(I.local_get(a), I.i32_const(1), I.i32_ne(), I.i32_and())
            self.raise_if("ValueError", line)  # neither equal nor broadcast from 1
            self.emit(I.local_get(a), I.local_get(b), I.i32_ne())
            self.emit(I.local_get(broadcast), I.i32_or(), I.local_set(broadcast))
        size = self.byte_count(dst_extents, ty.element.size)
        self.emit(I.local_get(broadcast), I.if_())
        self.emit(I.local_get(size), I.if_())  # an empty target takes anything broadcast
        if ty.ndim == 1:  # one element, stored everywhere
            value = self.fresh(ty.element.value.wasm)
            self.emit(I.local_get(src), I.load(ty.element.load), I.local_set(value))
            self.fill_loop(dst, size, value, ty)
        else:
            self.raise_("ValueError", line)
        self.emit(I.end())
        self.emit(I.else_())
        self.emit(I.local_get(dst), I.local_get(src), I.local_get(size), I.memory_copy())
        self.emit(I.end())

    def s_SwapArrays(self, s: ir.SwapArrays) -> None:
        """Exchange two arrays' blocks (their extents are equal: only the addresses move)."""
        held = self.fresh("i32")
        a, b = s.first.name, s.second.name
        self.emit(I.local_get(a), I.local_set(held), I.local_get(b), I.local_set(a))
        self.emit(I.local_get(held), I.local_set(b))
