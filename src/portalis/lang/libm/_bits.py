"""CPython stand-ins for the two bit-cast intrinsics the kernel language provides.

``float_to_bits(x)`` is the IEEE-754 binary64 pattern of ``x`` as a signed 64-bit integer
(``i64.reinterpret_f64`` in WebAssembly) and ``bits_to_float(i)`` the reverse
(``f64.reinterpret_i64``). The compiler treats both names as intrinsics and never compiles
this file; under CPython the library runs through these ``struct`` versions. Passing an
integer outside the int64 range raises ``struct.error`` here, which is how the CPython test
run catches an intermediate that would silently wrap in the compiled module.
"""

from __future__ import annotations

import struct

_F64 = struct.Struct("<d")
_I64 = struct.Struct("<q")


def float_to_bits(x: float) -> int:
    """The bit pattern of ``x`` as a signed int64."""
    return _I64.unpack(_F64.pack(x))[0]


def bits_to_float(i: int) -> float:
    """The double whose bit pattern is the signed int64 ``i``."""
    return _F64.unpack(_I64.pack(i))[0]
