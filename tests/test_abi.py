"""``ModuleAbi.from_bytes`` is total: the section comes from an untrusted module, so any
bytes give a parsed ABI or an :class:`AbiError` that says where the description is wrong —
never another exception."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portalis.abi import (
    ELEMENT_TYPES,
    SCALAR_TYPES,
    AbiError,
    Array,
    Function,
    ModuleAbi,
    Value,
)


def parse(payload: bytes) -> ModuleAbi | AbiError:
    try:
        return ModuleAbi.from_bytes(payload)
    except AbiError as e:
        assert str(e).startswith(("malformed portalis.abi section", "portalis.abi format"))
        return e


VALID = {
    "version": 1,
    "source": "k.py",
    "compiler": "portalis.lang 0.1.0",
    "functions": [
        {
            "name": "update",
            "params": [
                {"kind": "array", "name": "p", "dtype": "f64", "ndim": 2, "shape": [2, 3]},
                {"kind": "value", "name": "k", "type": "f64", "default": 2.0},
            ],
            "results": [{"kind": "value", "name": "r", "type": "i64"}],
            "line": 3,
            "doc": "",
        }
    ],
    "state": [{"kind": "array", "name": "g", "dtype": "i32", "shape": [4], "offset": 1024}],
    "extra": {"heap_base": 2048},
}


@pytest.mark.parametrize(
    ("payload", "where"),
    [
        (b"[]", "top level: expected an object, got a list"),
        (b"[" * 100_000, "nested too deeply"),
        (b'{"version": 1e999}', "version: expected an integer, got a number"),
        (b"\xff\xfe", "not UTF-8"),
        (b"1" * 5000, "integer string conversion"),
        (b'{"version": 1, "functions": {}}', "functions: expected a list"),
        (b'{"version": true, "functions": []}', "version: expected an integer, got a boolean"),
    ],
)
def test_known_crashers_are_clear_errors(payload, where):
    result = parse(payload)
    assert isinstance(result, AbiError) and where in str(result)


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (("functions", 0, "params"), "ab", "functions[0].params: expected a list, got a string"),
        (("functions", 0, "line"), 1e999, "functions[0].line: expected an integer"),
        (("functions", 0, "line"), -1, "functions[0].line: expected at least 0"),
        (("functions", 0, "name"), 7, "functions[0].name: expected a string"),
        (("functions", 0, "params", 1, "default"), "0.8", "params[1].default: '0.8' is not"),
        (("functions", 0, "params", 1, "type"), "f128", "'f128' is not one of"),
        (("functions", 0, "params", 0, "shape"), [2], "shape: expected 2 sizes"),
        (("functions", 0, "params", 0, "shape"), [2, -3], "shape: expected 2 sizes"),
        (("functions", 0, "params", 0, "ndim"), 0, "ndim: expected at least 1"),
        (("functions", 0, "params", 0, "writes"), "no", "writes: expected true or false"),
        (("functions", 0, "results", 0, "default"), 1.5, "is not a value of type i64"),
        (("functions", 0, "results", 0), [], "results[0]: expected an object, got a list"),
        (("state", 0, "offset"), -8, "state[0].offset: expected at least 0"),
        (("extra",), [], "extra: expected an object"),
    ],
)
def test_each_field_is_checked_and_located(path, value, where):
    doc = json.loads(json.dumps(VALID))
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    result = parse(json.dumps(doc).encode())
    assert isinstance(result, AbiError) and where in str(result), result


def test_valid_description_parses():
    abi = parse(json.dumps(VALID).encode())
    assert isinstance(abi, ModuleAbi)
    assert abi.functions[0].params[0] == Array("p", "f64", 2, (2, 3))
    assert abi.state[0].offset == 1024
    assert ModuleAbi.from_bytes(abi.to_bytes()) == abi


@given(st.binary(max_size=400))
def test_any_bytes(payload):
    parse(payload)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_any_json(value):
    parse(json.dumps(value).encode())


# Documents that look like an ABI, with any field replaced by any JSON value: they reach
# every check the parser makes.
FIELDS = [
    *("version", "functions", "name", "params", "results", "kind", "type", "dtype", "ndim"),
    *("shape", "offset", "writes", "default", "line", "doc", "state", "extra", "source"),
]


@given(st.data())
def test_near_valid_documents(data):
    doc = json.loads(json.dumps(VALID))
    for _ in range(data.draw(st.integers(1, 3))):
        target = doc
        while True:
            keys = list(target) if isinstance(target, dict) else list(range(len(target)))
            if not keys:
                break
            key = data.draw(st.sampled_from(keys))
            if isinstance(target[key], dict | list) and data.draw(st.booleans()):
                target = target[key]
                continue
            break
        if isinstance(target, dict):
            key = data.draw(st.sampled_from(FIELDS))
        if isinstance(target, dict | list) and (isinstance(target, dict) or target):
            target[key] = data.draw(json_values)
    parse(json.dumps(doc).encode())


values = st.builds(
    Value,
    name=st.text(min_size=1, max_size=5),
    type=st.sampled_from(SCALAR_TYPES),
).flatmap(
    lambda v: st.builds(
        Value,
        name=st.just(v.name),
        type=st.just(v.type),
        default=st.none()
        | (
            st.booleans()
            if v.type == "bool"
            else st.integers(-(1 << 31), (1 << 31) - 1)
            if v.type in ("i32", "i64")
            else st.floats(allow_nan=False)
        ),
    )
)
arrays = st.builds(
    Array,
    name=st.text(min_size=1, max_size=5),
    dtype=st.sampled_from(ELEMENT_TYPES),
    ndim=st.just(2),
    shape=st.none() | st.tuples(st.integers(0, 9), st.integers(0, 9)),
    offset=st.none() | st.integers(0, 1 << 20),
    writes=st.booleans(),
)


@given(
    st.lists(
        st.builds(
            Function,
            name=st.text(min_size=1, max_size=5),
            params=st.lists(values | arrays, max_size=3).map(tuple),
            results=st.lists(values, max_size=2).map(tuple),
            line=st.integers(0, 10_000),
        ),
        max_size=3,
    )
)
def test_round_trip(functions):
    abi = ModuleAbi(functions=tuple(functions), source="k.py")
    assert ModuleAbi.from_bytes(abi.to_bytes()) == abi


def test_non_finite_float_defaults_survive():
    abi = ModuleAbi(functions=(Function("f", (Value("x", "f64", math.inf),), ()),))
    assert ModuleAbi.from_bytes(abi.to_bytes()).functions[0].params[0].default == math.inf
