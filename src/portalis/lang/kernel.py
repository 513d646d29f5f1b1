"""Names a kernel imports from ``portalis.lang``, implemented for plain CPython.

The same kernel source must run unmodified under CPython (that is how the differential tests
check the compiler), so every name here is an ordinary Python object whose behaviour matches
what the compiler gives it. The compiler never imports this module's objects; it recognises
the names in the kernel's source.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

#: Python's ``float`` is already an IEEE-754 double, and ``int`` compiles to a 64-bit integer.
f64 = float
i64 = int


if TYPE_CHECKING:
    # To a type checker the narrow types are their Python types: a kernel stores an int into
    # an ``Array[i32]`` or a float into an ``Array[f32]`` and the compiler converts it
    # (docs/language.md, "Types"); range and precision are the compiler's to check.
    f32 = float
    i32 = int
    u8 = int
else:

    class f32(float):
        """A 32-bit float. ``f32(x)`` rounds ``x`` to the nearest single-precision value.

        Under CPython, arithmetic on ``f32`` values returns ordinary ``float`` (double precision);
        compiled code keeps such arithmetic in single precision (see docs/language.md).
        """

        def __new__(cls, value: Any = 0.0) -> f32:
            return super().__new__(cls, struct.unpack("<f", struct.pack("<f", float(value)))[0])

    class i32(int):
        """A 32-bit signed integer: ``i32(x)`` wraps ``x`` into [-2**31, 2**31)."""

        def __new__(cls, value: Any = 0) -> i32:
            v = int(value) & 0xFFFFFFFF
            return super().__new__(cls, v - (1 << 32) if v >= 1 << 31 else v)

    class u8(int):
        """An unsigned byte: only meaningful as an array element type (``Array[u8]``)."""

        def __new__(cls, value: Any = 0) -> u8:
            return super().__new__(cls, int(value) & 0xFF)


class _ArrayAlias:
    """What ``Array[f64]`` or ``Array[f64, 2]`` evaluates to under CPython: a plain marker."""

    def __init__(self, dtype: Any, ndim: int) -> None:
        self.dtype = dtype
        self.ndim = ndim

    def __repr__(self) -> str:
        name = getattr(self.dtype, "__name__", str(self.dtype))
        return f"Array[{name}, {self.ndim}]"


_E = TypeVar("_E")

if TYPE_CHECKING:
    # What type checkers see: generics over the element type, so ``a[i]`` is a float in an
    # ``Array[f64]``. The number of dimensions in ``Array[f64, 2]`` is not a type; mypy reads
    # it through ``portalis.lang.mypy_plugin``, which picks the class for 2, 3 or more
    # dimensions below (docs/language.md, "Type checking").

    class Array(Generic[_E]):
        """A 1-D array parameter or module-level array: ``Array[f64]``."""

        shape: tuple[int, ...]
        size: int
        ndim: int

        def __getitem__(self, index: int) -> _E: ...
        def __setitem__(self, index: int, value: _E) -> None: ...
        def __len__(self) -> int: ...

    class _Array2(Generic[_E]):
        """``Array[E, 2]``: ``a[i, j]`` is an element, ``a[i]`` a row."""

        shape: tuple[int, ...]
        size: int
        ndim: int

        @overload
        def __getitem__(self, index: int) -> Array[_E]: ...
        @overload
        def __getitem__(self, index: tuple[int, int]) -> _E: ...
        def __getitem__(self, index: Any) -> Any: ...
        def __setitem__(self, index: tuple[int, int], value: _E) -> None: ...
        def __len__(self) -> int: ...

    class _Array3(Generic[_E]):
        """``Array[E, 3]``."""

        shape: tuple[int, ...]
        size: int
        ndim: int

        @overload
        def __getitem__(self, index: int) -> _Array2[_E]: ...
        @overload
        def __getitem__(self, index: tuple[int, int, int]) -> _E: ...
        def __getitem__(self, index: Any) -> Any: ...
        def __setitem__(self, index: tuple[int, int, int], value: _E) -> None: ...
        def __len__(self) -> int: ...

    class _ArrayN(Generic[_E]):
        """``Array[E, n]`` for n > 3: elements are typed, partial indexing is not."""

        shape: tuple[int, ...]
        size: int
        ndim: int

        def __getitem__(self, index: tuple[int, ...]) -> _E: ...
        def __setitem__(self, index: tuple[int, ...], value: _E) -> None: ...
        def __len__(self) -> int: ...

else:

    class Array:
        """Annotation for a NumPy array parameter or module-level array.

        ``Array[f64]`` is a 1-D C-contiguous array of float64; ``Array[f32, 2]`` a 2-D array
        of float32. Element types: ``f64``/``float``, ``f32``, ``i64``/``int``, ``i32``,
        ``u8``, ``bool``.
        """

        def __class_getitem__(cls, item: Any) -> _ArrayAlias:
            if isinstance(item, tuple):
                dtype, ndim = item
                return _ArrayAlias(dtype, int(ndim))
            return _ArrayAlias(item, 1)


def float_to_bits(x: float) -> int:
    """The IEEE-754 bit pattern of the double ``x``, as a signed 64-bit integer."""
    return int(struct.unpack("<q", struct.pack("<d", x))[0])


def bits_to_float(i: int) -> float:
    """The double whose IEEE-754 bit pattern is the (wrapped) 64-bit integer ``i``."""
    return float(struct.unpack("<d", struct.pack("<Q", i & 0xFFFFFFFFFFFFFFFF))[0])


def zeros(shape: int | tuple[int, ...], dtype: Any = float) -> Any:
    """A zero-filled NumPy array: a module-level persistent array in a kernel."""
    import numpy as np

    return np.zeros(shape, dtype=_numpy_dtype(dtype))


def _numpy_dtype(dtype: Any) -> Any:
    import numpy as np

    table: dict[Any, Any] = {
        float: np.float64,
        int: np.int64,
        bool: np.bool_,
        f32: np.float32,
        i32: np.int32,
        u8: np.uint8,
    }
    return table.get(dtype, dtype)


__all__ = [
    "Array",
    "bits_to_float",
    "f32",
    "f64",
    "float_to_bits",
    "i32",
    "i64",
    "u8",
    "zeros",
]
