"""``//`` and ``%`` on NumPy floats (``ir.Binary.numpy``, frontend/numpy_floats.py): NumPy's
result for a zero divisor — ``x // 0.0`` is ``x / 0.0`` (±inf, nan), ``x % 0.0`` is nan —
and Python's (support.py's helpers, the same fmod-based algorithm as NumPy's) otherwise.
``/`` needs no helper: NumPy's is the bare ``f64.div``.
"""

from __future__ import annotations

#: helper name → (WAT text, the helper it calls).
HELPERS: dict[str, tuple[str, str]] = {
    "floordiv_f64_numpy": (
        """
;; x // y for NumPy floats: x / y (±inf, nan) for a zero divisor, else Python's x // y.
(func $~floordiv_f64_numpy (param $x f64) (param $y f64) (param $line i32) (result f64)
  local.get $y f64.const 0 f64.eq
  if (result f64)
    local.get $x local.get $y f64.div
  else
    local.get $x local.get $y local.get $line call $~floordiv_f64
  end
)""",
        "floordiv_f64",
    ),
    "mod_f64_numpy": (
        """
;; x % y for NumPy floats: nan (fmod's, negative as on x86-64) for a zero divisor, else
;; Python's x % y.
(func $~mod_f64_numpy (param $x f64) (param $y f64) (param $line i32) (result f64)
  local.get $y f64.const 0 f64.eq
  if (result f64)
    f64.const -nan
  else
    local.get $x local.get $y local.get $line call $~mod_f64
  end
)""",
        "mod_f64",
    ),
}


def helper_names(op: str) -> tuple[str, str]:
    """The helper for NumPy's float ``op`` (floordiv, mod) and the Python one it calls."""
    name = f"{op}_f64_numpy"
    return name, HELPERS[name][1]


__all__ = ["HELPERS", "helper_names"]
