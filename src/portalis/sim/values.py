"""USD values ↔ what a module takes and returns.

A module sees numbers: scalars (``f64``, ``f32``, ``i32``, ``i64``) and arrays in linear
memory. A USD attribute holds a scalar, a vector (``float3``, ``double3``, ``int3``, a quaternion,
a matrix), a token, or an array of any of those. This module says how wide each USD type is
in scalars, how to take its components, and how to build the USD value back from a module's
numbers — the only place that knows USD's value types.
"""

from __future__ import annotations

import ctypes
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from pxr import Gf, Sdf

from portalis.errors import SceneError

#: Components per element, by the element type's USD name (``point3f`` → 3).
_WIDTHS: dict[str, int] = {}
for _name in (
    "half",
    "float",
    "double",
    "int",
    "uint",
    "int64",
    "uint64",
    "uchar",
    "bool",
    "timecode",
):
    _WIDTHS[_name] = 1
for _n in (2, 3, 4):
    for _base in ("half", "float", "double", "int"):
        _WIDTHS[f"{_base}{_n}"] = _n
for _role in ("point", "vector", "normal", "color", "texCoord"):
    for _n, _kinds in ((2, "hfd"), (3, "hfd"), (4, "hfd")):
        for _k in _kinds:
            _WIDTHS[f"{_role}{_n}{_k}"] = _n
for _k in "hfd":
    _WIDTHS[f"quat{_k}"] = 4
_WIDTHS.update({"matrix2d": 4, "matrix3d": 9, "matrix4d": 16, "frame4d": 16})

_INTEGRAL = frozenset({"int", "uint", "int64", "uint64", "uchar", "bool"})

#: The integers each integral USD element type holds (``int3`` holds three ``int``\ s).
_INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "int": (-(2**31), 2**31 - 1),
    "uint": (0, 2**32 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint64": (0, 2**64 - 1),
    "uchar": (0, 255),
}
#: The integers a module's integer parameters take.
WASM_INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "i32": (-(2**31), 2**31 - 1),
    "i64": (-(2**63), 2**63 - 1),
}

#: Suffixes naming a vector's components in parameter names (``gravityOverride_y``).
COMPONENT_SUFFIXES: dict[str, int] = {"_x": 0, "_y": 1, "_z": 2, "_w": 3}


def element_type(type_name: Sdf.ValueTypeName) -> str:
    """``point3f[]`` → ``point3f``."""
    return str(type_name.scalarType)


def width(type_name: Sdf.ValueTypeName) -> int:
    """Scalars per element (1 for ``double``, 3 for ``float3[]``); 0 for non-numeric types."""
    return _WIDTHS.get(element_type(type_name), 0)


def integer_range(type_name: Sdf.ValueTypeName) -> tuple[int, int] | None:
    """The integers an attribute of ``type_name`` holds; None when it does not hold integers
    (a float, a bool, a string)."""
    element = element_type(type_name)
    if element[-1:] in "234" and element[:-1] == "int":
        element = "int"
    return _INTEGER_RANGES.get(element)


def integer_problem(value: Any, low: int, high: int) -> str | None:
    """Why ``value`` cannot become an integer in ``[low, high]`` (truncated, as ``int()``
    does); None when it can. The words complete "… holds {problem}"."""
    if isinstance(value, bool | numbers.Integral):
        number = int(value)
    elif isinstance(value, numbers.Real):
        if not math.isfinite(value):
            return f"{float(value)!r}, which is not a finite number"
        number = int(math.trunc(value))  # noqa: RUF046 (typed Integral for a numbers.Real)
    elif isinstance(value, str):
        return f"the string {value!r}, not a number"
    else:
        return f"a {type(value).__name__}, not a number"
    if not low <= number <= high:
        return f"{value!r}, outside [{low}, {high}]"
    return None


#: Gf's vector classes, whose components are best taken all at once by slicing (``v[:]``, a
#: list): iterating one (``tuple(v)``) goes through Python's fallback sequence protocol and
#: costs ten times as much, and indexing is a call per component.
GF_VECTORS: frozenset[type] = frozenset(
    getattr(Gf, f"Vec{n}{k}") for n in (2, 3, 4) for k in "dfhi"
)


def components(value: Any) -> tuple[float, ...]:
    """The numbers of a scalar or vector value, in order."""
    if isinstance(value, bool | int | float):
        return (value,)
    if type(value) in GF_VECTORS:
        return tuple([float(c) for c in value[:]])
    if hasattr(value, "GetReal"):  # a quaternion: (real, i, j, k)
        imaginary = value.GetImaginary()
        return (value.GetReal(), imaginary[0], imaginary[1], imaginary[2])
    try:
        return tuple(float(c) for c in np.asarray(value, dtype=np.float64).ravel())
    except (TypeError, ValueError):
        raise SceneError(f"{value!r} is not a number or a vector of numbers") from None


def converter(type_name: Sdf.ValueTypeName, *, where: str) -> Callable[[Any], Any]:
    """A function turning a module's numbers (a scalar, a tuple of components, an ndarray)
    into a value of ``type_name``, for writing to USD."""
    py_class = type_name.type.pythonClass
    elem = element_type(type_name)
    n = width(type_name)
    if n == 0:
        raise SceneError(
            f"cannot write a module's numbers into a {type_name} attribute", prim_path=where
        )
    if type_name.isArray:
        if py_class is None or not hasattr(py_class, "FromNumpy"):
            raise SceneError(f"cannot write arrays into a {type_name} attribute", prim_path=where)

        def to_vt(value: Any) -> Any:
            arr = np.asarray(value)
            if n > 1:
                arr = arr.reshape(-1, n)
            return vt_array(py_class, np.ascontiguousarray(arr))

        return to_vt
    if n == 1:
        if elem == "bool":
            return bool
        return int if elem in _INTEGRAL else float
    if py_class is None:
        raise SceneError(f"cannot write into a {type_name} attribute", prim_path=where)
    if elem.startswith("quat"):
        return lambda value: py_class(*[float(c) for c in _exactly(value, n, type_name)])
    if elem.startswith("matrix") or elem == "frame4d":
        return lambda value: py_class(*[float(c) for c in _exactly(value, n, type_name)])
    cast = int if elem.startswith("int") else float
    return lambda value: py_class(*[cast(c) for c in _exactly(value, n, type_name)])


def vt_array(py_class: Any, array: np.ndarray) -> Any:
    """``py_class.FromNumpy(array)`` (a Vt array holding a copy of ``array``), made by one
    ``memcpy`` when ``array`` already has the Vt array's element layout: ``FromNumpy`` converts
    element by element (95,000 points, 1.1 MB: 0.85 ms; allocating and copying: 0.2). The Vt
    array is allocated uninitialised and filled before anything else can see it; then it is
    an ordinary, unshared Vt array (copy-on-write from there on, as any). Below
    :data:`VT_COPY_BYTES` ``FromNumpy`` itself is quicker: the copy's own set-up costs ~5 µs
    (``FromNumpy`` of 20 points: 0.6 µs), and a scene may write many small arrays a frame."""
    if array.nbytes < VT_COPY_BYTES:
        return py_class.FromNumpy(array)
    if py_class not in _vt_layouts:
        _vt_layouts[py_class] = _vt_layout(py_class)
    layout = _vt_layouts[py_class]
    if (
        layout is None
        or array.dtype != layout[0]
        or array.shape[1:] != layout[1]
        or not array.flags.c_contiguous
        or array.ndim == 0
    ):
        return py_class.FromNumpy(array)
    out = py_class(len(array))
    if array.size:
        storage = np.asarray(out)
        if storage.nbytes != array.nbytes:  # not the layout checked: never copy past the end
            return py_class.FromNumpy(array)
        ctypes.memmove(storage.ctypes.data, array.ctypes.data, array.nbytes)
    return out


#: Arrays of fewer bytes go through ``FromNumpy`` (measured: equal cost at ~500 points).
VT_COPY_BYTES = 8192

#: Per Vt array class: (element dtype, row shape) when :func:`vt_array` can fill one by a
#: copy, None when it must use ``FromNumpy``.
_vt_layouts: dict[Any, tuple[np.dtype[Any], tuple[int, ...]] | None] = {}


def _vt_layout(py_class: Any) -> tuple[np.dtype[Any], tuple[int, ...]] | None:
    """Checked once per class, on a small array: the Vt array's buffer is its own storage
    (the address stays put, a copy through it is what ``FromNumpy`` gives and what the Vt
    array then reads element by element); else None."""
    try:
        probe = py_class(3)
        view = np.asarray(probe)
        if view.ndim == 0 or view.shape[0] != 3 or view.dtype.hasobject:
            return None
        rng = np.random.default_rng(7)
        sample = (rng.random(view.shape) * 100).astype(view.dtype)
        ctypes.memmove(view.ctypes.data, sample.ctypes.data, sample.nbytes)
        if np.asarray(probe).ctypes.data != view.ctypes.data:
            return None
        expected = py_class.FromNumpy(sample)
        if not (len(probe) == 3 and all(probe[i] == expected[i] for i in range(3))):
            return None
        return view.dtype, view.shape[1:]
    except (TypeError, ValueError, AttributeError, BufferError):
        return None


def _exactly(value: Any, n: int, type_name: Sdf.ValueTypeName) -> Sequence[Any]:
    items = components(value) if not isinstance(value, tuple | list) else value
    if len(items) != n:
        raise SceneError(f"{len(items)} number(s) cannot make a {type_name} (needs {n})")
    return items


def usd_type_for_wasm(wasm_type: str) -> Sdf.ValueTypeName:
    """The attribute type an unauthored output gets for a result of ``wasm_type``."""
    return {
        "f64": Sdf.ValueTypeNames.Double,
        "f32": Sdf.ValueTypeNames.Float,
        "i32": Sdf.ValueTypeNames.Int,
        "i64": Sdf.ValueTypeNames.Int64,
        "bool": Sdf.ValueTypeNames.Bool,
    }.get(wasm_type, Sdf.ValueTypeNames.Double)
