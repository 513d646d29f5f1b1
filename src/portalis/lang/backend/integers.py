"""Python's integer semantics on wasm's: floor division and modulo (the quotient rounds
toward -inf, the remainder takes the divisor's sign), ZeroDivisionError, shifts with
CPython's errors and results for counts of 64 and more, and float → int conversion with
CPython's ValueError/OverflowError.
"""

from __future__ import annotations

from portalis.lang import ir
from portalis.lang.backend import instructions as I
from portalis.lang.backend import signs
from portalis.lang.backend.instructions import Code
from portalis.lang.types import Scalar


class IntegerSemantics(Code):
    #: ids of the float → int conversions the value-range pass showed cannot overflow
    #: int64 (backend/ranges.py; the function emitter sets them from its plan)
    fits: frozenset[int] = frozenset()
    #: those of them whose result is never 0 but for NaN
    nonzero: frozenset[int] = frozenset()

    def divisor(self, right: ir.Expr, t: Scalar, node: ir.Node) -> None:
        """Push the right operand of a division, trapping ZeroDivisionError on zero."""
        self.expr(right)
        if isinstance(right, ir.Const) and right.value != 0:
            return
        if signs.sign(right) == signs.POSITIVE:  # never zero (backend/signs.py)
            return
        tmp = self.fresh(t.wasm)
        self.emit(I.local_tee(tmp), I.const(t, 0), I.numeric(t.wasm, "eq"))
        self.raise_if("ZeroDivisionError", self.line(node))
        self.emit(I.local_get(tmp))

    def int_divmod(self, e: ir.Binary, t: Scalar) -> None:
        """Python's floor division and modulo: the quotient rounds toward -inf and the
        remainder takes the divisor's sign."""
        w = t.wasm
        if (
            isinstance(e.right, ir.Const)
            and int(e.right.value) > 0
            and (int(e.right.value) & (int(e.right.value) - 1)) == 0
        ):
            # A positive power of two: Python's floor division is an arithmetic shift and
            # its modulo a mask, exactly, for negative operands too.
            n = int(e.right.value)
            self.expr(e.left)
            if e.op == "floordiv":
                self.emit(I.const(t, n.bit_length() - 1), I.numeric(w, "shr_s"))
            else:
                self.emit(I.const(t, n - 1), I.numeric(w, "and"))
            return
        a, b = self.fresh(w), self.fresh(w)
        self.expr(e.left)
        self.emit(I.local_set(a))
        self.divisor(e.right, t, e)
        self.emit(I.local_set(b))
        ga, gb, zero = I.local_get(a), I.local_get(b), I.const(t, 0)
        ne, xor, lt_s = I.numeric(w, "ne"), I.numeric(w, "xor"), I.numeric(w, "lt_s")
        if e.op == "floordiv":
            self.divrem("div", w, a, b)
            self.emit(ga, gb, I.numeric(w, "rem_s"), zero, ne, ga, gb, xor, zero, lt_s)
            self.emit(I.i32_and())
            if w == "i64":
                self.emit(I.i64_extend_i32_u())
            self.emit(I.numeric(w, "sub"))
        else:
            r = self.fresh(w)
            gr = I.local_get(r)
            self.divrem("rem", w, a, b)
            self.emit(I.local_tee(r), gb, zero, gr, zero, ne, gr, gb, xor, zero, lt_s)
            self.emit(I.i32_and(), I.select(), I.numeric(w, "add"))

    def divrem(self, kind: str, w: str, a: str, b: str) -> None:
        """Push ``a div_s b`` or ``a rem_s b`` (both in locals, ``b`` non-zero). For int64,
        operands that both fit in 32 unsigned bits take the 32-bit divide, several times
        faster on x86 than the 64-bit one (the check LLVM inserts for Numba, too)."""
        ga, gb = I.local_get(a), I.local_get(b)
        if w != "i64":
            self.emit(ga, gb, I.numeric(w, f"{kind}_s"))
            return
        self.emit(ga, gb, I.i64_or(), I.i64_const(32), I.i64_shr_u(), I.i64_eqz(), I.if_(("i64",)))
        self.emit(ga, I.i32_wrap_i64(), gb, I.i32_wrap_i64(), I.numeric("i32", f"{kind}_u"))
        self.emit(I.i64_extend_i32_u(), I.else_(), ga, gb, I.numeric("i64", f"{kind}_s"), I.end())

    def shift(self, e: ir.Binary, t: Scalar) -> None:
        w = t.wasm
        bits = 64 if w == "i64" else 32
        self.expr(e.left)
        if isinstance(e.right, ir.Const):
            n = int(e.right.value)
            if e.op == "shl" and n >= bits:
                self.emit(I.drop(), I.const(t, 0))
            else:
                instr = "shl" if e.op == "shl" else "shr_s"
                self.emit(I.const(t, min(n, bits - 1)), I.numeric(w, instr))
            return
        count = self.fresh(w)
        gn, lt_u = I.local_get(count), I.numeric(w, "lt_u")
        self.expr(e.right)
        self.emit(I.local_tee(count), I.const(t, 0), I.numeric(w, "lt_s"))
        self.raise_if("ValueError", self.line(e))
        if e.op == "shl":
            self.emit(gn, I.numeric(w, "shl"), I.const(t, 0), gn, I.const(t, bits), lt_u)
            self.emit(I.select())
        else:
            top = I.const(t, bits - 1)
            self.emit(gn, top, gn, top, lt_u, I.select(), I.numeric(w, "shr_s"))

    def py_int(self, line: int, in_range: bool = False, nonzero: bool = False) -> None:
        """The f64 on the stack (already integral) → int64, with CPython's errors: NaN is
        ValueError, anything outside int64 (±inf included) OverflowError. Inline: it sits in
        hot paths (``int(x)`` in index arithmetic, the math library's reductions), so the
        path a number inside int64 takes has one test, |x| < 2**63 (false for NaN too); the
        rare rest (-2**63 itself, which converts) sorts itself out behind it.

        ``in_range``: every value but NaN is known to lie inside int64 (the value-range
        pass bounded it on both sides: backend/ranges.py), so only NaN is tested.
        ``nonzero``: besides, no number in that range converts to 0 (it is at least 1 or
        at most -1), so the saturating conversion (NaN → 0) is made first and its result
        tested against 0, an integer test, instead of comparing the float with itself.
        Cranelift's fast path for either conversion is the same (the convert, and a test
        for the out-of-range marker it branches past), so this saves the float compare
        and its two branches (about 5% off the fluid's advection)."""
        if in_range and nonzero:
            n = self.fresh("i64")
            self.emit(I.i64_trunc_sat_f64_s(), I.local_tee(n), I.i64_eqz())
            self.raise_if("ValueError", line)
            self.emit(I.local_get(n))
            return
        x = self.fresh("f64")
        gx = I.local_get(x)
        if in_range:
            self.emit(I.local_tee(x), gx, I.f64_ne())
            self.raise_if("ValueError", line)
            self.emit(gx, I.i64_trunc_f64_s())
            return
        # The rest, taken only for NaN, ±inf, |x| >= 2**63 and -2**63 itself (an int64),
        # tells them apart. The branch tests the comparison directly (`if` with an empty
        # first arm): Cranelift then branches on the flags instead of building and testing
        # a bool.
        self.emit(I.local_tee(x), I.f64_abs(), I.f64_const(2.0**63), I.f64_lt(), I.if_())
        self.emit(I.else_(), gx, gx, I.f64_ne())
        self.raise_if("ValueError", line)
        self.emit(gx, I.f64_const(-(2.0**63)), I.f64_ne())
        self.raise_if("OverflowError", line)
        self.emit(I.end(), gx, I.i64_trunc_f64_s())
