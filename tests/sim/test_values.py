"""USD value types ↔ a module's numbers."""

from __future__ import annotations

import numpy as np
import pytest
from pxr import Gf, Sdf, Vt

from portalis.errors import SceneError
from portalis.sim import values

T = Sdf.ValueTypeNames


@pytest.mark.parametrize(
    ("type_name", "width"),
    [(T.Double, 1), (T.Bool, 1), (T.Float3, 3), (T.Point3fArray, 3), (T.Quatf, 4),
     (T.Matrix4d, 16), (T.Int3, 3), (T.Color3f, 3), (T.String, 0), (T.Asset, 0)],
)  # fmt: skip
def test_width(type_name: Sdf.ValueTypeName, width: int) -> None:
    assert values.width(type_name) == width


def test_components_of_vectors_and_quaternions() -> None:
    assert values.components(2.5) == (2.5,)
    assert values.components(Gf.Vec3f(1, 2, 3)) == (1.0, 2.0, 3.0)
    assert values.components(Gf.Quatd(1, Gf.Vec3d(2, 3, 4))) == (1.0, 2.0, 3.0, 4.0)
    with pytest.raises(SceneError, match="not a number"):
        values.components("text")


def test_converters_build_each_usd_type() -> None:
    where = "/P"
    assert values.converter(T.Double, where=where)(3) == 3.0
    assert values.converter(T.Int, where=where)(3.0) == 3
    assert values.converter(T.Bool, where=where)(1) is True
    assert values.converter(T.Float3, where=where)((1, 2, 3)) == Gf.Vec3f(1, 2, 3)
    assert values.converter(T.Int3, where=where)((1.0, 2.0, 3.0)) == Gf.Vec3i(1, 2, 3)
    quat = values.converter(T.Quatf, where=where)((1, 0, 0, 0))
    assert quat == Gf.Quatf(1, Gf.Vec3f(0, 0, 0))
    matrix = values.converter(T.Matrix4d, where=where)(tuple(np.eye(4).ravel()))
    assert matrix == Gf.Matrix4d(1)
    points = values.converter(T.Point3fArray, where=where)(np.arange(6.0))
    assert isinstance(points, Vt.Vec3fArray) and list(points[1]) == [3.0, 4.0, 5.0]
    with pytest.raises(SceneError, match="2 number\\(s\\) cannot make a float3"):
        values.converter(T.Float3, where=where)((1, 2))
    with pytest.raises(SceneError, match="cannot write a module's numbers into a string"):
        values.converter(T.String, where=where)


def test_integer_array_outputs_checked_only_where_a_value_can_miss() -> None:
    """An int[] (int32) output: an int32 or int16 array needs no pass over it (every value of
    its type fits); int64 and float arrays are still checked value by value."""
    import numpy as np
    import pytest
    from pxr import Sdf

    from portalis.errors import SceneError
    from portalis.sim.outputs import OutputPort, Sink, _integer_check

    int_array = Sdf.ValueTypeNames.IntArray
    port = OutputPort("fate", Sdf.Path("/P.outputs:fate"), int_array, kind="array")
    port.sinks.append(Sink(Sdf.Path("/P.outputs:fate"), int_array, lambda v: v))
    check = _integer_check(port, "/P")
    assert check is not None
    check(np.array([-(2**31), 0, 2**31 - 1], dtype=np.int32))
    check(np.array([-5, 7], dtype=np.int16))
    check(np.array([1, 2], dtype=np.int64))
    check(np.array([1.0, -3.5]))
    for bad in (
        np.array([0, 2**31], dtype=np.int64),
        np.array([2**32], dtype=np.uint64),
        np.array([1.0, np.nan]),
        np.array([3e9]),
    ):
        with pytest.raises(SceneError):
            check(bad)
