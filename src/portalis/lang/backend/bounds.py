"""Bounds checks and element addresses: Python's indexing rules (negative indices count
from the end, anything else out of range is IndexError) for arrays and constant tables,
skipped where the front end (frontend/bounds.py) or a loop version's guard (loops.py)
proved the index in range, and replaced by a row pointer where backend/rows.py planned one.
"""

from __future__ import annotations

import dataclasses

from portalis.lang import ir
from portalis.lang.backend import instructions as I
from portalis.lang.backend import rows
from portalis.lang.backend.instructions import Code, Instr
from portalis.lang.types import C128_PAIRS, I64

SHIFT = {1: 0, 2: 1, 4: 2, 8: 3}  # element size in bytes → log2


def array_base(arr: ir.ArrayRef) -> Instr:
    """The instruction pushing an array's base address."""
    return I.i32_const(arr.offset) if arr.offset is not None else I.local_get(arr.name)


def _offset(index: ir.Expr) -> tuple[ir.Expr, int]:
    """``x + c`` / ``x - c`` (an int64 ``x``, a small constant ``c``) → (x, ±c); anything
    else → (index, 0)."""
    if (
        isinstance(index, ir.Binary)
        and index.op in ("add", "sub")
        and index.ty == I64
        and isinstance(index.right, ir.Const)
        and type(index.right.value) is int
        and abs(index.right.value) < 1 << 31
    ):
        c = index.right.value
        return index.left, c if index.op == "add" else -c
    return index, 0


#: integer operations an index may repeat: no side effect, no error, cheap
_REPEATABLE_OPS = frozenset(("add", "sub", "mul", "and", "or", "xor"))


def _repeatable(e: ir.Expr) -> bool:
    """``e`` can be evaluated a second time for the same value at no cost the engine does
    not share: locals, constants and int64 ``+ - * & | ^`` of them (no call, no check)."""
    if isinstance(e, ir.LocalGet | ir.Const):
        return True
    return (
        isinstance(e, ir.Binary)
        and e.op in _REPEATABLE_OPS
        and e.ty == I64
        and _repeatable(e.left)
        and _repeatable(e.right)
    )


def _constant_column(indices: list[ir.Expr]) -> int | None:
    """The last index of a 2-D-or-more access when it is a small non-negative constant."""
    last = indices[-1]
    if (
        len(indices) > 1
        and isinstance(last, ir.Const)
        and type(last.value) is int
        and 0 < last.value < 1 << 16
    ):
        return last.value
    return None


class BoundsChecks(Code):
    proven: frozenset[tuple[int, int]]
    nonneg_proven: frozenset[tuple[int, int]]
    offset_last: frozenset[tuple[int, int]]
    same_extents: dict[int, dict[tuple[str, int], tuple[str, int]]]
    same_now: dict[tuple[str, int], tuple[str, int]]
    rows: dict[int, rows.Use]
    row_step: int

    def dim(self, arr: ir.ArrayRef, axis: int) -> Instr:
        """The instruction pushing the extent of ``arr`` along ``axis`` (an int64)."""
        if arr.shape is not None:
            return I.i64_const(arr.shape[axis])
        if arr.element is C128_PAIRS and axis == arr.type.ndim - 1:
            # A complex array's last axis is its (real, imaginary) pair: extent 2 by the
            # ABI (abi.PAIR_TYPES), so element addresses are i * 16 + 0 or 8, not a multiply.
            return I.i64_const(2)
        name, axis = self.same_now.get((arr.name, axis), (arr.name, axis))
        return I.local_get(f"{name}.d{axis}")

    def checked_index(
        self, index: ir.Expr, dim: Instr, node: ir.Node, nonneg: bool = False
    ) -> None:
        """Push ``index`` as a valid offset along an axis of extent ``dim``: negative
        indices count from the end, anything else out of range raises IndexError.
        ``nonneg``: the index is proven never negative, so only the upper bound is checked."""
        if isinstance(index, ir.Const) and dim.op == "i64.const":
            n, k = dim.immediates[0], int(index.value)
            assert isinstance(n, int)
            if -n <= k < n:
                self.emit(I.i64_const(k % n))
                return
        ix = self.fresh("i64")
        self.expr(index)
        if not (nonneg or (isinstance(index, ir.Const) and int(index.value) >= 0)):
            # One unsigned compare on the way every index in range takes; a negative
            # index (counted from the end, n added) and an index out of range take the
            # other branch, where ``ix + n`` is in range only for -n <= ix < 0 (for
            # ix >= n it is >= n; below -n, or wrapped past 2**63, it is negative,
            # so huge unsigned).
            self.emit(
                I.local_tee(ix),
                dim,
                I.i64_lt_u(),
                I.if_(("i64",)),
                I.local_get(ix),
                I.else_(),
                I.local_get(ix),
                dim,
                I.i64_add(),
                I.local_tee(ix),
                dim,
                I.i64_ge_u(),
            )
            self.raise_if("IndexError", self.line(node))
            self.emit(I.local_get(ix), I.end())
            return
        self.emit(I.local_tee(ix), dim, I.i64_ge_u())
        self.raise_if("IndexError", self.line(node))
        self.emit(I.local_get(ix))

    def address(
        self,
        arr: ir.ArrayRef,
        indices: list[ir.Expr],
        node: ir.Node,
        safe: list[bool],
        nonneg: list[bool],
    ) -> int:
        """Push the byte address of an element; returns the constant byte offset (for
        arrays at a fixed place, and row pointers) the load or store adds. Extents an
        assert made equal to another array's are read from that array (the same values:
        arrays of one shape then share their strides, fewer values for the engine to keep
        in registers and more address arithmetic it can share)."""
        saved = self.same_now
        self.same_now = self.same_extents.get(id(node), {})
        try:
            return self._address(arr, indices, node, safe, nonneg)
        finally:
            self.same_now = saved

    def _address(
        self,
        arr: ir.ArrayRef,
        indices: list[ir.Expr],
        node: ir.Node,
        safe: list[bool],
        nonneg: list[bool],
    ) -> int:
        shift = SHIFT[arr.element.size]
        use = self.rows.get(id(node))
        if use is not None:  # the row's pointer, a constant offset (backend/rows.py)
            self.emit(I.local_get(use.row.local))
            return (self.row_step + use.offset - use.row.low) * arr.element.size
        unchecked = [
            (safe and safe[k]) or (id(node), k) in self.proven for k in range(len(indices))
        ]
        column = _constant_column(indices) if all(unchecked) else None
        if column is not None:
            # ``a[i, 1]`` in bounds: ``a[i, 0]``'s address, the column in the load's offset
            # (a complex element's imaginary part at +8, a record's fields). The element is
            # in linear memory, so neither form of the address wraps: the same byte.
            last = indices[-1]
            assert isinstance(last, ir.Const)  # _constant_column found a constant
            indices = [*indices[:-1], dataclasses.replace(last, value=0)]
        elif all(unchecked) and (id(node), len(indices) - 1) in self.offset_last:
            # ``a[i, x + 1]`` in bounds with ``x >= 0`` known: ``a[i, x]`` is an element
            # too, so its address plus 8 bytes in the offset is the same byte, and the
            # neighbours ``x``, ``x + 1``, … share one address
            base, column = _offset(indices[-1])
            indices = [*indices[:-1], base]
        elif (
            all(unchecked[:-1])
            and (id(node), len(indices) - 1) in self.offset_last
            and _repeatable(_offset(indices[-1])[0])
        ):
            # ``a[x + 1]`` checked, with ``x >= 0`` known: the check is on ``x + 1``, and
            # passing it makes ``a[x]`` an element too, so the address is ``a[x]``'s, the
            # constant in the offset: ``a[x]``, ``a[x + 1]``, … (``sums[3 * v + k]``, and a
            # read-modify-write's store and load) share one address the engine computes once
            index = indices[-1]
            self.expr(index)
            self.emit(self.dim(arr, len(indices) - 1), I.i64_ge_u())
            self.raise_if("IndexError", self.line(node))
            base, column = _offset(index)
            indices = [*indices[:-1], base]
            unchecked = [True] * len(indices)
        if not (all(unchecked) and self.shared_base(arr, indices)):
            self.linear_index(arr, indices, node, unchecked, nonneg)
        self.emit(I.i32_wrap_i64())
        if shift:
            self.emit(I.i32_const(shift), I.i32_shl())
        extra = (column or 0) * arr.element.size
        if arr.offset is not None:
            return arr.offset + extra
        self.emit(I.local_get(arr.name), I.i32_add())
        return extra

    def shared_base(self, arr: ir.ArrayRef, indices: list[ir.Expr]) -> bool:
        """Push the element number of ``arr[x + c0, y + c1, ...]`` (indices needing no
        check) as the one of ``arr[x, y, ...]`` plus ``c0 * stride0 + c1 * stride1 + ...``,
        when some index but the last has a constant offset: the neighbours of a trilinear
        sample (``f[a + 1, b, c]``, ``f[a, b + 1, c]``, …) then share one multiplied-out
        base, which the engine computes once, and their strides do not change in the loop.
        int64 arithmetic wraps, so the sum is the same number in any order. Returns False
        (pushing nothing) when there is nothing to share."""
        split = [_offset(index) for index in indices]
        if len(indices) < 2 or not any(c for _, c in split[:-1]):
            return False
        for k, (base, _) in enumerate(split):
            self.expr(base)
            if k:
                self.emit(I.i64_add())
            if k + 1 < len(indices):
                self.emit(self.dim(arr, k + 1), I.i64_mul())
        mul = I.i64_mul()
        for k, (_, c) in enumerate(split):
            if not c:
                continue
            strides = [self.dim(arr, m) for m in range(k + 1, len(indices))]
            if c == 1 and strides:
                self.emit(strides[0], *(x for s in strides[1:] for x in (s, mul)))
            else:
                self.emit(I.i64_const(c), *(x for s in strides for x in (s, mul)))
            self.emit(I.i64_add())
        return True

    def linear_index(
        self,
        arr: ir.ArrayRef,
        indices: list[ir.Expr],
        node: ir.Node,
        unchecked: list[bool],
        nonneg: list[bool],
    ) -> None:
        """Push the element number of ``arr[indices...]``, checking each index that needs
        it (Horner's rule over the extents)."""
        for k, index in enumerate(indices):
            if unchecked[k]:
                self.expr(index)
            else:
                never_negative = bool(nonneg and nonneg[k]) or (id(node), k) in self.nonneg_proven
                self.checked_index(index, self.dim(arr, k), node, never_negative)
            if k:
                self.emit(I.i64_add())
            if k + 1 < len(indices):
                self.emit(self.dim(arr, k + 1), I.i64_mul())

    def sub_array_address(self, arr: ir.ArrayRef, prefix: list[ir.Expr]) -> None:
        """Push the byte address of ``arr[prefix..., 0, ...]``, the first element of a view
        (``prefix`` holds indices already checked against their extents)."""
        for k, index in enumerate(prefix):
            self.expr(index)
            if k:
                self.emit(I.i64_add())
            if k + 1 < arr.type.ndim:
                self.emit(self.dim(arr, k + 1), I.i64_mul())
        for k in range(len(prefix) + 1, arr.type.ndim):
            self.emit(self.dim(arr, k), I.i64_mul())  # the remaining axes' elements
        self.emit(I.i32_wrap_i64())
        shift = SHIFT[arr.element.size]
        if shift:
            self.emit(I.i32_const(shift), I.i32_shl())
        self.emit(array_base(arr), I.i32_add())
