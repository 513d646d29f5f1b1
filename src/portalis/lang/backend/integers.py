"""Python's integer semantics on wasm's: floor division and modulo (the quotient rounds
toward -inf, the remainder takes the divisor's sign), ZeroDivisionError, shifts with
CPython's errors and results for counts of 64 and more, and float → int conversion with
CPython's ValueError/OverflowError.
"""

from __future__ import annotations

from portalis.lang import ir
from portalis.lang.backend import signs
from portalis.lang.backend.instructions import Code
from portalis.lang.types import Scalar


class IntegerSemantics(Code):
    def divisor(self, right: ir.Expr, t: Scalar, node: ir.Node) -> None:
        """Push the right operand of a division, trapping ZeroDivisionError on zero."""
        self.expr(right)
        if isinstance(right, ir.Const) and right.value != 0:
            return
        if signs.sign(right) == signs.POSITIVE:  # never zero (backend/signs.py)
            return
        tmp = self.fresh(t.wasm)
        zero = f"{t.wasm}.const 0"
        self.emit(f"local.tee ${tmp}", zero, f"{t.wasm}.eq")
        self.raise_if("ZeroDivisionError", self.line(node))
        self.emit(f"local.get ${tmp}")

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
                self.emit(f"{w}.const {n.bit_length() - 1}", f"{w}.shr_s")
            else:
                self.emit(f"{w}.const {n - 1}", f"{w}.and")
            return
        a, b = self.fresh(w), self.fresh(w)
        self.expr(e.left)
        self.emit(f"local.set ${a}")
        self.divisor(e.right, t, e)
        self.emit(f"local.set ${b}")
        ga, gb = f"local.get ${a}", f"local.get ${b}"
        if e.op == "floordiv":
            self.divrem("div", w, a, b)
            self.emit(
                ga,
                gb,
                f"{w}.rem_s",
                f"{w}.const 0",
                f"{w}.ne",
                ga,
                gb,
                f"{w}.xor",
                f"{w}.const 0",
                f"{w}.lt_s",
                "i32.and",
            )
            if w == "i64":
                self.emit("i64.extend_i32_u")
            self.emit(f"{w}.sub")
        else:
            r = self.fresh(w)
            gr = f"local.get ${r}"
            self.divrem("rem", w, a, b)
            self.emit(
                f"local.tee ${r}",
                gb,
                f"{w}.const 0",
                gr,
                f"{w}.const 0",
                f"{w}.ne",
                gr,
                gb,
                f"{w}.xor",
                f"{w}.const 0",
                f"{w}.lt_s",
                "i32.and",
                "select",
                f"{w}.add",
            )

    def divrem(self, kind: str, w: str, a: str, b: str) -> None:
        """Push ``a div_s b`` or ``a rem_s b`` (both in locals, ``b`` non-zero). For int64,
        operands that both fit in 32 unsigned bits take the 32-bit divide, several times
        faster on x86 than the 64-bit one (the check LLVM inserts for Numba, too)."""
        ga, gb = f"local.get ${a}", f"local.get ${b}"
        if w != "i64":
            self.emit(ga, gb, f"{w}.{kind}_s")
            return
        self.emit(ga, gb, "i64.or", "i64.const 32", "i64.shr_u", "i64.eqz", "if (result i64)")
        self.emit(
            f"  {ga}",
            "  i32.wrap_i64",
            f"  {gb}",
            "  i32.wrap_i64",
            f"  i32.{kind}_u",
            "  i64.extend_i32_u",
            "else",
            f"  {ga}",
            f"  {gb}",
            f"  i64.{kind}_s",
            "end",
        )

    def shift(self, e: ir.Binary, t: Scalar) -> None:
        w = t.wasm
        bits = 64 if w == "i64" else 32
        self.expr(e.left)
        if isinstance(e.right, ir.Const):
            n = int(e.right.value)
            if e.op == "shl" and n >= bits:
                self.emit("drop", f"{w}.const 0")
            else:
                instr = "shl" if e.op == "shl" else "shr_s"
                self.emit(f"{w}.const {min(n, bits - 1)}", f"{w}.{instr}")
            return
        n = self.fresh(w)
        gn = f"local.get ${n}"
        self.expr(e.right)
        self.emit(f"local.tee ${n}", f"{w}.const 0", f"{w}.lt_s")
        self.raise_if("ValueError", self.line(e))
        if e.op == "shl":
            self.emit(
                gn, f"{w}.shl", f"{w}.const 0", gn, f"{w}.const {bits}", f"{w}.lt_u", "select"
            )
        else:
            self.emit(
                gn,
                f"{w}.const {bits - 1}",
                gn,
                f"{w}.const {bits - 1}",
                f"{w}.lt_u",
                "select",
                f"{w}.shr_s",
            )

    def py_int(self, line: int) -> None:
        """The f64 on the stack (already integral) → int64, with CPython's errors: NaN is
        ValueError, anything outside int64 (±inf included) OverflowError. Inline: it sits in
        hot paths (``int(x)`` in index arithmetic, the math library's reductions)."""
        x = self.fresh("f64")
        self.emit(f"local.tee ${x}", f"local.get ${x}", "f64.ne")
        self.raise_if("ValueError", line)
        self.emit(
            f"local.get ${x}",
            "f64.const 0x1p63",
            "f64.lt",
            f"local.get ${x}",
            "f64.const -0x1p63",
            "f64.ge",
            "i32.and",
            "i32.eqz",
        )
        self.raise_if("OverflowError", line)
        self.emit(f"local.get ${x}", "i64.trunc_f64_s")
