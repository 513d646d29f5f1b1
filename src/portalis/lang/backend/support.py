"""WebAssembly text every module (or every module that needs it) carries: the allocator the
runtime uses to place arrays, and small helpers shared by the compiled code.

Helpers that depend on the math library (``%``/``//`` on floats, the CPython error rule around
each math function) call the compiled-in library functions, never a host import.
"""

from __future__ import annotations

from portalis.abi import (
    ALLOC_EXPORT,
    ERROR_CODES,
    ERROR_GLOBAL,
    ERROR_LINE_GLOBAL,
    FREE_EXPORT,
    MATH_DOMAIN_ERROR,
    MATH_RANGE_ERROR,
)
from portalis.lang.backend import numpy_division


def _raise(code: str | int, line: str = "$line") -> str:
    """Instructions trapping with ``code`` (an exception's name, or a code from
    portalis.abi); the line comes from the local ``line`` unless it is 0 (library code, where
    the caller already recorded it)."""
    number = ERROR_CODES[code] if isinstance(code, str) else code
    return (
        f"i32.const {number} global.set ${ERROR_GLOBAL} "
        f"local.get {line} if local.get {line} global.set ${ERROR_LINE_GLOBAL} end "
        "unreachable"
    )


ALLOCATOR = f"""
;; Allocator: bump allocation above the static data, plus a first-fit free list kept in address
;; order. Each block has an 8-byte header: its size, then (while free) the next free block.
;; A fit leaves free the bytes an alignment skips and a tail of 16 bytes or more; a freed
;; block merges with free neighbours, and one ending at the top of the heap lowers the heap.
;; Without that, results of slowly growing size (a point count that rises each frame) would
;; each take fresh memory and a long run would end in MemoryError.
(func ${ALLOC_EXPORT} (export "{ALLOC_EXPORT}") (param $size i32) (param $align i32) (result i32)
  (local $prev i32) (local $blk i32) (local $p i32) (local $end i32) (local $next i32)
  (local $lead i32) (local $rest i32) (local $line i32)
  local.get $size i32.const 0x7fff0000 i32.gt_u
  if {_raise("MemoryError")} end
  local.get $align i32.const 8 i32.lt_u
  if i32.const 8 local.set $align end
  local.get $size i32.const 7 i32.add i32.const -8 i32.and local.set $size
  global.get $~free local.set $blk
  block $done
    loop $scan
      local.get $blk i32.eqz br_if $done
      ;; the aligned payload $p inside this block; $lead bytes before it (0, or 8 and more:
      ;; room for the header of a free block that keeps them)
      local.get $blk i32.const 8 i32.add local.get $align i32.add i32.const 1 i32.sub
      i32.const 0 local.get $align i32.sub i32.and local.tee $p
      local.get $blk i32.sub i32.const 8 i32.sub local.set $lead
      local.get $blk i32.load local.get $size i32.ge_u
      local.get $blk i32.load local.get $size i32.sub local.get $lead i32.ge_u
      i32.and
      if
        local.get $blk i32.load offset=4 local.set $next
        local.get $blk i32.load local.get $size i32.sub local.get $lead i32.sub local.tee $rest
        i32.const 16 i32.ge_u
        if
          ;; split: the tail after the payload stays free
          local.get $p local.get $size i32.add local.tee $end
          local.get $rest i32.const 8 i32.sub i32.store
          local.get $end local.get $next i32.store offset=4
          local.get $end local.set $next
        else
          local.get $size local.get $rest i32.add local.set $size
        end
        local.get $p i32.const 8 i32.sub local.get $size i32.store
        local.get $lead
        if
          ;; the lead stays free, in this block's place in the list
          local.get $blk local.get $lead i32.const 8 i32.sub i32.store
          local.get $blk local.get $next i32.store offset=4
        else
          local.get $prev
          if local.get $prev local.get $next i32.store offset=4
          else local.get $next global.set $~free end
        end
        local.get $p return
      end
      local.get $blk local.set $prev
      local.get $blk i32.load offset=4 local.set $blk
      br $scan
    end
  end
  global.get $~heap i32.const 8 i32.add local.get $align i32.add i32.const 1 i32.sub
  i32.const 0 local.get $align i32.sub i32.and local.tee $p
  local.get $size i32.add local.tee $end
  memory.size i32.const 16 i32.shl i32.gt_u
  if
    local.get $end memory.size i32.const 16 i32.shl i32.sub i32.const 0xffff i32.add
    i32.const 16 i32.shr_u memory.grow i32.const -1 i32.eq
    if {_raise("MemoryError")} end
  end
  local.get $p i32.const 8 i32.sub global.get $~heap i32.ne
  if
    ;; the padding an alignment leaves becomes a free block after the last one ($prev), so
    ;; it merges back when this block is freed
    global.get $~heap local.get $p i32.const 16 i32.sub global.get $~heap i32.sub i32.store
    global.get $~heap i32.const 0 i32.store offset=4
    local.get $prev
    if local.get $prev global.get $~heap i32.store offset=4
    else global.get $~heap global.set $~free end
  end
  local.get $p i32.const 8 i32.sub local.get $size i32.store
  local.get $end global.set $~heap
  local.get $p
)
(func ${FREE_EXPORT} (export "{FREE_EXPORT}") (param $ptr i32)
  (local $blk i32) (local $size i32) (local $before i32) (local $prev i32) (local $next i32)
  local.get $ptr i32.eqz if return end
  local.get $ptr i32.const 8 i32.sub local.tee $blk i32.load local.set $size
  ;; find the free blocks either side: prev < blk < next (before precedes prev)
  global.get $~free local.set $next
  block $found
    loop $walk
      local.get $next i32.eqz br_if $found
      local.get $next local.get $blk i32.ge_u br_if $found
      local.get $prev local.set $before
      local.get $next local.set $prev
      local.get $next i32.load offset=4 local.set $next
      br $walk
    end
  end
  local.get $next
  if
    local.get $blk i32.const 8 i32.add local.get $size i32.add local.get $next i32.eq
    if
      local.get $size i32.const 8 i32.add local.get $next i32.load i32.add local.set $size
      local.get $next i32.load offset=4 local.set $next
    end
  end
  local.get $prev
  if
    local.get $prev i32.const 8 i32.add local.get $prev i32.load i32.add local.get $blk i32.eq
    if
      local.get $size i32.const 8 i32.add local.get $prev i32.load i32.add local.set $size
      local.get $prev local.set $blk
      local.get $before local.set $prev
    end
  end
  local.get $blk i32.const 8 i32.add local.get $size i32.add global.get $~heap i32.eq
  if
    local.get $blk global.set $~heap
  else
    local.get $blk local.get $size i32.store
    local.get $blk local.get $next i32.store offset=4
    local.get $blk local.set $next
  end
  local.get $prev
  if local.get $prev local.get $next i32.store offset=4
  else local.get $next global.set $~free end
)
"""

_POW_INT = f"""
;; int ** int for a non-negative exponent, by squaring (wrapping at 64 bits).
(func $~pow_int (param $b i64) (param $e i64) (param $line i32) (result i64)
  (local $r i64)
  local.get $e i64.const 0 i64.lt_s
  if {_raise("ValueError")} end
  i64.const 1 local.set $r
  block $done
    loop $next
      local.get $e i64.eqz br_if $done
      local.get $e i64.const 1 i64.and i32.wrap_i64
      if local.get $r local.get $b i64.mul local.set $r end
      local.get $b local.get $b i64.mul local.set $b
      local.get $e i64.const 1 i64.shr_u local.set $e
      br $next
    end
  end
  local.get $r
)"""


def _mod_f64(fmod: str) -> str:
    return f"""
;; x % y for floats, as CPython's float_rem: fmod, then the sign of the divisor.
(func $~mod_f64 (param $x f64) (param $y f64) (param $line i32) (result f64)
  (local $m f64)
  local.get $y f64.const 0 f64.eq
  if {_raise("ZeroDivisionError")} end
  local.get $x local.get $y call ${fmod} local.tee $m
  f64.const 0 f64.ne
  if
    local.get $y f64.const 0 f64.lt local.get $m f64.const 0 f64.lt i32.ne
    if local.get $m local.get $y f64.add local.set $m end
  else
    f64.const 0 local.get $y f64.copysign local.set $m
  end
  local.get $m
)"""


def _floordiv_f64(fmod: str) -> str:
    return f"""
;; x // y for floats, as CPython's _float_div_mod.
(func $~floordiv_f64 (param $x f64) (param $y f64) (param $line i32) (result f64)
  (local $m f64) (local $d f64) (local $f f64)
  local.get $y f64.const 0 f64.eq
  if {_raise("ZeroDivisionError")} end
  local.get $x local.get $y call ${fmod} local.set $m
  local.get $x local.get $m f64.sub local.get $y f64.div local.set $d
  local.get $m f64.const 0 f64.ne
  if
    local.get $y f64.const 0 f64.lt local.get $m f64.const 0 f64.lt i32.ne
    if local.get $d f64.const 1 f64.sub local.set $d end
  end
  local.get $d f64.const 0 f64.ne
  if (result f64)
    local.get $d f64.floor local.set $f
    local.get $d local.get $f f64.sub f64.const 0.5 f64.gt
    if (result f64) local.get $f f64.const 1 f64.add else local.get $f end
  else
    f64.const 0 local.get $x local.get $y f64.div f64.copysign
  end
)"""


def helper(name: str, links: dict[str, str]) -> str:
    if name == "pow_int":
        return _POW_INT
    if name == "mod_f64":
        return _mod_f64(links["libm:fmod"])
    if name == "floordiv_f64":
        return _floordiv_f64(links["libm:fmod"])
    if name in numpy_division.HELPERS:
        return numpy_division.HELPERS[name][0]
    raise KeyError(name)


def _nan(v: str) -> str:
    return f"local.get {v} local.get {v} f64.ne"


def _finite(v: str) -> str:
    return f"local.get {v} f64.abs f64.const inf f64.lt"


def math_slow_path(name: str, rule: str, arity: int) -> str:
    """``$math.NAME.slow``: called only when a math function's result is not finite; applies
    CPython's exception rule (Modules/mathmodule.c: ``math_1``, ``math_2``, ``math_fmod``,
    ``math_pow``), with its "math domain error" / "math range error", and otherwise returns
    the result. Finite results never leave the call
    site, which keeps the common path to one subtraction and one compare."""
    params = "(param $x f64)" + (" (param $y f64)" if arity == 2 else "")
    body: list[str] = []
    if rule == "fmod":  # fmod(finite, ±inf) is x itself
        body.append(
            f"local.get $y f64.abs f64.const inf f64.eq {_finite('$x')} i32.and "
            "if local.get $x return end"
        )
    if rule in ("math1", "math1_overflow"):
        inf_error = MATH_RANGE_ERROR if rule == "math1_overflow" else MATH_DOMAIN_ERROR
        body += [
            f"{_nan('$r')} {_nan('$x')} i32.eqz i32.and if {_raise(MATH_DOMAIN_ERROR)} end",
            f"{_finite('$r')} i32.eqz {_nan('$r')} i32.eqz i32.and {_finite('$x')} i32.and "
            f"if {_raise(inf_error)} end",
        ]
    elif rule in ("math2", "fmod"):
        body += [
            f"{_nan('$r')} {_nan('$x')} i32.eqz i32.and {_nan('$y')} i32.eqz i32.and "
            f"if {_raise(MATH_DOMAIN_ERROR)} end",
        ]
        if rule == "math2":
            body += [
                f"{_finite('$r')} i32.eqz {_nan('$r')} i32.eqz i32.and {_finite('$x')} i32.and "
                f"{_finite('$y')} i32.and if {_raise(MATH_RANGE_ERROR)} end",
            ]
    elif rule == "pow":
        body += [
            f"{_finite('$x')} {_finite('$y')} i32.and {_finite('$r')} i32.eqz i32.and",
            "if",
            f"  {_nan('$r')} local.get $x f64.const 0 f64.eq i32.or",
            f"  if {_raise(MATH_DOMAIN_ERROR)} end",
            # no fixed text: the same path serves ``x ** y``, whose CPython text differs
            f"  {_raise('OverflowError')}",
            "end",
        ]
    lines = [f"(func $math.{name}.slow {params} (param $r f64) (param $line i32) (result f64)"]
    lines += ["  " + b for b in body]
    lines += ["  local.get $r", ")"]
    return "\n".join(lines)
