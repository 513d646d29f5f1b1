"""Builtin lowerings: one ``b_<lowering>`` method per ``Builtin.lowering`` of the registry
(lang/builtins.py), and the call into the compiled-in math library with CPython's error
rule applied out of line (support.py holds the slow paths).
"""

from __future__ import annotations

import math

from portalis.abi import MATH_DOMAIN_ERROR
from portalis.lang import builtins, ir
from portalis.lang.backend import instructions as I
from portalis.lang.backend import signs
from portalis.lang.backend.instructions import Instr
from portalis.lang.backend.integers import IntegerSemantics
from portalis.lang.types import Scalar

CMP_INT = {"lt": "lt_s", "le": "le_s", "gt": "gt_s", "ge": "ge_s", "eq": "eq", "ne": "ne"}
CMP_FLOAT = {"lt": "lt", "le": "le", "gt": "gt", "ge": "ge", "eq": "eq", "ne": "ne"}


class Lowerings(IntegerSemantics):
    module: ir.Module

    def e_BuiltinCall(self, e: ir.BuiltinCall) -> None:
        low = e.lowering
        if low.startswith("libm:"):
            self.math_call(e, low[5:])
            return
        if low.startswith(builtins.INLINED_MATH):
            self.inlined_math(e, low.removeprefix(builtins.INLINED_MATH))
            return
        getattr(self, "b_" + low)(e)

    def math_call(self, e: ir.BuiltinCall, name: str) -> None:
        """Call the compiled-in library function; only a non-finite result (``r - r`` is not
        0) takes the out-of-line path that applies CPython's exception rule."""
        symbol = self.module.links[f"libm:{name}"]
        if builtins.BUILTINS[f"math.{name}"].errors == "none":
            for a in e.args:
                self.expr(a)
            self.emit(I.call(symbol))
            return
        args = [self.fresh("f64") for _ in e.args]
        for a, local in zip(e.args, args, strict=True):
            self.expr(a)
            self.emit(I.local_set(local))
        r = self.fresh("f64")
        gets = [I.local_get(a) for a in args]
        gr = I.local_get(r)
        self.emit(*gets, I.call(symbol), I.local_tee(r), gr, I.f64_sub(), I.f64_const(0.0))
        self.emit(I.f64_eq(), I.if_(("f64",)), gr, I.else_())
        self.emit(*gets, gr, I.i32_const(self.line(e)), I.call(f"math.{name}.slow"), I.end())

    def inlined_math(self, e: ir.BuiltinCall, name: str) -> None:
        """A ``math.NAME`` call the inliner replaced by the library function's body
        (passes/inline.py): the body's value, then CPython's error rule as for a call; the
        other arguments are the call's, in locals or constants."""
        r = self.fresh("f64")
        gr = I.local_get(r)
        self.expr(e.args[0])
        self.emit(I.local_tee(r), gr, I.f64_sub(), I.f64_const(0.0), I.f64_eq(), I.if_(("f64",)))
        self.emit(gr, I.else_())
        for a in e.args[1:]:
            self.expr(a)
        self.emit(gr, I.i32_const(self.line(e)), I.call(f"math.{name}.slow"), I.end())

    def _unary_f64(self, e: ir.BuiltinCall, *instrs: Instr) -> None:
        self.expr(e.args[0])
        self.emit(*instrs)

    def b_fabs(self, e: ir.BuiltinCall) -> None:
        self._unary_f64(e, I.f64_abs())

    def b_copysign(self, e: ir.BuiltinCall) -> None:
        self.expr(e.args[0])
        self.expr(e.args[1])
        self.emit(I.f64_copysign())

    def b_sqrt(self, e: ir.BuiltinCall) -> None:
        if signs.sign(e.args[0]) >= signs.NONNEG:  # never negative (backend/signs.py)
            self.expr(e.args[0])
            self.emit(I.f64_sqrt())
            return
        tmp = self.fresh("f64")
        self.expr(e.args[0])
        self.emit(I.local_tee(tmp), I.f64_const(0.0), I.f64_lt())
        self.raise_if(MATH_DOMAIN_ERROR, self.line(e))
        self.emit(I.local_get(tmp), I.f64_sqrt())

    def _to_int(self, e: ir.BuiltinCall, rounding: str) -> None:
        self.expr(e.args[0])
        self.emit(I.numeric("f64", rounding))
        self.py_int(self.line(e), id(e) in self.fits, id(e) in self.nonzero)

    def b_floor(self, e: ir.BuiltinCall) -> None:
        self._to_int(e, "floor")

    def b_ceil(self, e: ir.BuiltinCall) -> None:
        self._to_int(e, "ceil")

    def b_trunc(self, e: ir.BuiltinCall) -> None:
        self._to_int(e, "trunc")

    def b_round(self, e: ir.BuiltinCall) -> None:
        self._to_int(e, "nearest")

    def b_isnan(self, e: ir.BuiltinCall) -> None:
        tmp = self.fresh("f64")
        self._unary_f64(e, I.local_tee(tmp), I.local_get(tmp), I.f64_ne())

    def b_isinf(self, e: ir.BuiltinCall) -> None:
        self._unary_f64(e, I.f64_abs(), I.f64_const(math.inf), I.f64_eq())

    def b_isfinite(self, e: ir.BuiltinCall) -> None:
        self._unary_f64(e, I.f64_abs(), I.f64_const(math.inf), I.f64_lt())

    def b_radians(self, e: ir.BuiltinCall) -> None:
        self._unary_f64(e, I.f64_const(math.pi / 180.0), I.f64_mul())

    def b_degrees(self, e: ir.BuiltinCall) -> None:
        self._unary_f64(e, I.f64_const(180.0 / math.pi), I.f64_mul())

    def b_float_to_bits(self, e: ir.BuiltinCall) -> None:
        self._unary_f64(e, I.i64_reinterpret_f64())

    def b_fused_multiply_add(self, e: ir.BuiltinCall) -> None:
        """a·b + c rounded once: the lanes of ``f64x2.relaxed_madd`` (which the engine's
        deterministic relaxed SIMD always fuses, runtime/engine.py), lane 0 taken."""
        for a in e.args:
            self.expr(a)
            self.emit(I.f64x2_splat())
        self.emit(I.f64x2_relaxed_madd(), I.f64x2_extract_lane(0))

    def b_bits_to_float(self, e: ir.BuiltinCall) -> None:
        self.expr(e.args[0])
        self.emit(I.f64_reinterpret_i64())

    def b_abs(self, e: ir.BuiltinCall) -> None:
        t = e.ty
        assert isinstance(t, Scalar)
        self.expr(e.args[0])
        if t.is_float:
            self.emit(I.numeric(t.wasm, "abs"))
            return
        tmp = self.fresh(t.wasm)
        w, g, zero = t.wasm, I.local_get(tmp), I.const(t, 0)
        self.emit(I.local_set(tmp), zero, g, I.numeric(w, "sub"), g, g, zero, I.numeric(w, "lt_s"))
        self.emit(I.select())

    def _minmax(self, e: ir.BuiltinCall, op: str) -> None:
        t = e.ty
        assert isinstance(t, Scalar)
        w = t.wasm
        cmp = (CMP_FLOAT if t.is_float else CMP_INT)[op]
        best, cand = self.fresh(w), self.fresh(w)
        self.expr(e.args[0])
        self.emit(I.local_set(best))
        gc, gb = I.local_get(cand), I.local_get(best)
        for a in e.args[1:]:
            self.expr(a)
            self.emit(I.local_set(cand), gc, gb, gc, gb, I.numeric(w, cmp), I.select())
            self.emit(I.local_set(best))
        self.emit(gb)

    def b_min(self, e: ir.BuiltinCall) -> None:
        self._minmax(e, "lt")

    def b_max(self, e: ir.BuiltinCall) -> None:
        self._minmax(e, "gt")
