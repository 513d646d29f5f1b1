"""Builtin lowerings: one ``b_<lowering>`` method per ``Builtin.lowering`` of the registry
(lang/builtins.py), and the call into the compiled-in math library with CPython's error
rule applied out of line (support.py holds the slow paths).
"""

from __future__ import annotations

import math

from portalis.lang import builtins, ir
from portalis.lang.backend import signs
from portalis.lang.backend.instructions import wat_float
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
        getattr(self, "b_" + low)(e)

    def math_call(self, e: ir.BuiltinCall, name: str) -> None:
        """Call the compiled-in library function; only a non-finite result (``r - r`` is not
        0) takes the out-of-line path that applies CPython's exception rule."""
        symbol = self.module.links[f"libm:{name}"]
        if builtins.BUILTINS[f"math.{name}"].errors == "none":
            for a in e.args:
                self.expr(a)
            self.emit(f"call ${symbol}")
            return
        args = [self.fresh("f64") for _ in e.args]
        for a, local in zip(e.args, args, strict=True):
            self.expr(a)
            self.emit(f"local.set ${local}")
        r = self.fresh("f64")
        gets = [f"local.get ${a}" for a in args]
        self.emit(
            *gets,
            f"call ${symbol}",
            f"local.tee ${r}",
            f"local.get ${r}",
            "f64.sub",
            "f64.const 0",
            "f64.eq",
            "if (result f64)",
            f"  local.get ${r}",
            "else",
        )
        self.emit(
            *("  " + g for g in gets),
            f"  local.get ${r}",
            f"  i32.const {self.line(e)}",
            f"  call $math.{name}.slow",
            "end",
        )

    def _unary_f64(self, e: ir.BuiltinCall, *instrs: str) -> None:
        self.expr(e.args[0])
        self.emit(*instrs)

    def b_fabs(self, e: ir.BuiltinCall) -> None:
        self._unary_f64(e, "f64.abs")

    def b_copysign(self, e: ir.BuiltinCall) -> None:
        self.expr(e.args[0])
        self.expr(e.args[1])
        self.emit("f64.copysign")

    def b_sqrt(self, e: ir.BuiltinCall) -> None:
        if signs.sign(e.args[0]) >= signs.NONNEG:  # never negative (backend/signs.py)
            self.expr(e.args[0])
            self.emit("f64.sqrt")
            return
        tmp = self.fresh("f64")
        self.expr(e.args[0])
        self.emit(f"local.tee ${tmp}", "f64.const 0", "f64.lt")
        self.raise_if("ValueError", self.line(e))
        self.emit(f"local.get ${tmp}", "f64.sqrt")

    def _to_int(self, e: ir.BuiltinCall, rounding: str) -> None:
        self.expr(e.args[0])
        self.emit(f"f64.{rounding}")
        self.py_int(self.line(e))

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
        self._unary_f64(e, f"local.tee ${tmp}", f"local.get ${tmp}", "f64.ne")

    def b_isinf(self, e: ir.BuiltinCall) -> None:
        self._unary_f64(e, "f64.abs", "f64.const inf", "f64.eq")

    def b_isfinite(self, e: ir.BuiltinCall) -> None:
        self._unary_f64(e, "f64.abs", "f64.const inf", "f64.lt")

    def b_radians(self, e: ir.BuiltinCall) -> None:
        self._unary_f64(e, f"f64.const {wat_float(math.pi / 180.0)}", "f64.mul")

    def b_degrees(self, e: ir.BuiltinCall) -> None:
        self._unary_f64(e, f"f64.const {wat_float(180.0 / math.pi)}", "f64.mul")

    def b_float_to_bits(self, e: ir.BuiltinCall) -> None:
        self._unary_f64(e, "i64.reinterpret_f64")

    def b_bits_to_float(self, e: ir.BuiltinCall) -> None:
        self.expr(e.args[0])
        self.emit("f64.reinterpret_i64")

    def b_abs(self, e: ir.BuiltinCall) -> None:
        t = e.ty
        assert isinstance(t, Scalar)
        self.expr(e.args[0])
        if t.is_float:
            self.emit(f"{t.wasm}.abs")
            return
        tmp = self.fresh(t.wasm)
        w = t.wasm
        self.emit(
            f"local.set ${tmp}",
            f"{w}.const 0",
            f"local.get ${tmp}",
            f"{w}.sub",
            f"local.get ${tmp}",
            f"local.get ${tmp}",
            f"{w}.const 0",
            f"{w}.lt_s",
            "select",
        )

    def _minmax(self, e: ir.BuiltinCall, op: str) -> None:
        t = e.ty
        assert isinstance(t, Scalar)
        w = t.wasm
        cmp = (CMP_FLOAT if t.is_float else CMP_INT)[op]
        best, cand = self.fresh(w), self.fresh(w)
        self.expr(e.args[0])
        self.emit(f"local.set ${best}")
        for a in e.args[1:]:
            self.expr(a)
            self.emit(
                f"local.set ${cand}",
                f"local.get ${cand}",
                f"local.get ${best}",
                f"local.get ${cand}",
                f"local.get ${best}",
                f"{w}.{cmp}",
                "select",
                f"local.set ${best}",
            )
        self.emit(f"local.get ${best}")

    def b_min(self, e: ir.BuiltinCall) -> None:
        self._minmax(e, "lt")

    def b_max(self, e: ir.BuiltinCall) -> None:
        self._minmax(e, "gt")
