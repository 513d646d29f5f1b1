"""After rustc: the few things stable Rust cannot say, added to the module rustc linked.

Stable Rust on ``wasm32-unknown-unknown`` has no way to define or export a WebAssembly
*global*, nor to return several values from an exported function (``extern "C"`` returns
an aggregate through memory). The Portalis ABI needs both: ``portalis.error`` /
``portalis.error_line`` and ``state.NAME`` are exported mutable globals, and a kernel
returning a tuple returns a multi-value result. So the generated Rust reaches them through
tiny imported functions (module ``portalis``: ``get:SYMBOL``, ``set:SYMBOL``, ``raise``,
``error_line``) and, for libm names rustc may leave as calls (``sqrt``, ``copysign`` …),
through the C names; this step then

* turns each of those imports into a *defined* function at the same function index (the
  imports are the first indices and the new definitions are prepended, so no call, export,
  table or name in the module needs renumbering), whose body is one global access or one
  WebAssembly instruction;
* appends the globals, exported under the ABI's names, with their initial values;
* wraps each ``portalis.results:NAME`` export (which returns the address of a results
  buffer, one 8-byte slot per value) in a function exported as ``NAME`` that returns the
  values themselves;
* drops rustc's ``__heap_base`` / ``__data_end`` exports (not part of a Portalis module).

Only sections are parsed; no function body of rustc's is decoded or changed.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field

from portalis.abi import ERROR_GLOBAL, ERROR_LINE_GLOBAL, uleb128

VALTYPE = {"i32": 0x7F, "i64": 0x7E, "f32": 0x7D, "f64": 0x7C}
_LOAD = {"i32": 0x28, "i64": 0x29, "f32": 0x2A, "f64": 0x2B}
_END, _LOCAL_GET, _GLOBAL_GET, _GLOBAL_SET, _CALL = 0x0B, 0x20, 0x23, 0x24, 0x10

#: C math names rustc may leave as calls, and the single instruction each one is.
_INSTRUCTIONS: dict[str, tuple[str, int, int]] = {
    # name: (value type, arity, opcode)
    "sqrt": ("f64", 1, 0x9F),
    "floor": ("f64", 1, 0x9C),
    "ceil": ("f64", 1, 0x9B),
    "trunc": ("f64", 1, 0x9D),
    "rint": ("f64", 1, 0x9E),
    "nearbyint": ("f64", 1, 0x9E),
    "fabs": ("f64", 1, 0x99),
    "copysign": ("f64", 2, 0xA6),
    "sqrtf": ("f32", 1, 0x91),
    "floorf": ("f32", 1, 0x8E),
    "ceilf": ("f32", 1, 0x8D),
    "truncf": ("f32", 1, 0x8F),
    "rintf": ("f32", 1, 0x90),
    "nearbyintf": ("f32", 1, 0x90),
    "fabsf": ("f32", 1, 0x8B),
    "copysignf": ("f32", 2, 0x98),
}

RESULTS_PREFIX = "portalis.results:"
#: Exports the Rust names under a temporary symbol (a kernel function called ``sqrt`` must
#: not become the C symbol ``sqrt``), renamed here.
EXPORT_PREFIX = "portalis.export:"
IMPORT_MODULE = "portalis"


class LinkError(Exception):
    """The module rustc produced is not what the generated Rust should have linked to."""


@dataclass
class Plan:
    """What to add: globals (export name, type, initial value) and multi-value wrappers
    (export name → result types)."""

    globals: list[tuple[str, str, int | float]] = field(default_factory=list)
    results: dict[str, tuple[str, ...]] = field(default_factory=dict)


def finish(wasm: bytes, plan: Plan) -> bytes:
    sections = _sections(wasm)
    ids = [s for s, _ in sections]
    for required in (1, 3, 7, 10):
        if required not in ids:
            raise LinkError(f"rustc's module has no section {required}")
    types = _types(_get(sections, 1))
    imports = _imports(_get(sections, 2)) if 2 in ids else []
    n_globals = _count(_get(sections, 6)) if 6 in ids else 0

    all_globals = [(ERROR_GLOBAL, "i32", 0), (ERROR_LINE_GLOBAL, "i32", 0), *plan.globals]
    global_index = {name: n_globals + k for k, (name, _, _) in enumerate(all_globals)}
    new_types = list(types)

    def type_index(params: Sequence[str], results: Sequence[str]) -> int:
        sig = (tuple(params), tuple(results))
        if sig not in new_types:
            new_types.append(sig)
        return new_types.index(sig)

    # 1. each import becomes a function defined at its index
    bodies: list[bytes] = []
    for module, name, ty in imports:
        params, results = types[ty]
        bodies.append(_import_body(module, name, params, results, global_index))
    import_types = [ty for _, _, ty in imports]

    funcs = _vec_u32(_get(sections, 3))
    n_funcs = len(imports) + len(funcs)
    exports = _exports(_get(sections, 7))

    # 2. multi-value wrappers for tuple results, appended after every existing function
    wrappers: list[tuple[int, bytes]] = []
    kept: list[tuple[str, int, int]] = []
    for name, kind, index in exports:
        if name in ("__heap_base", "__data_end"):
            continue
        if kind == 0 and name.startswith(RESULTS_PREFIX):
            public = name[len(RESULTS_PREFIX) :]
            if public not in plan.results:
                raise LinkError(f"unexpected export {name!r}")
            params, returns = _function_type(index, imports, funcs, types)
            if returns != ("i32",):
                raise LinkError(f"{name!r} must return the results' address")
            result_types = plan.results[public]
            wrapper_type = type_index(params, result_types)
            wrappers.append((wrapper_type, _results_body(index, len(params), result_types)))
            kept.append((public, 0, n_funcs + len(wrappers) - 1))
            continue
        if name.startswith(EXPORT_PREFIX):
            name = name[len(EXPORT_PREFIX) :]
        kept.append((name, kind, index))
    for gname, _, _ in all_globals:
        kept.append((gname, 3, global_index[gname]))

    out: list[tuple[int, bytes]] = []
    for sid, body in sections:
        if sid == 1:
            body = _vec([_functype(p, r) for p, r in new_types])
        elif sid == 2:
            continue  # every import is now a definition
        elif sid == 3:
            body = _vec([uleb128(t) for t in [*import_types, *funcs, *(w for w, _ in wrappers)]])
        elif sid == 6:
            body = _append_vec(body, [_global(t, v) for _, t, v in all_globals])
        elif sid == 7:
            body = _vec([_name(n) + bytes([k]) + uleb128(i) for n, k, i in kept])
        elif sid == 10:
            old = _split_vec(body)
            body = _vec([_sized(b) for b in bodies] + old + [_sized(b) for _, b in wrappers])
        out.append((sid, body))
    if 6 not in ids:  # place a global section before the export section
        at = next(k for k, (sid, _) in enumerate(out) if sid == 7)
        out.insert(at, (6, _vec([_global(t, v) for _, t, v in all_globals])))
    return wasm[:8] + b"".join(bytes([sid]) + uleb128(len(b)) + b for sid, b in out)


# -- bodies -----------------------------------------------------------------------------


def _import_body(
    module: str,
    name: str,
    params: tuple[str, ...],
    results: tuple[str, ...],
    global_index: dict[str, int],
) -> bytes:
    def expect(p: tuple[str, ...], r: tuple[str, ...]) -> None:
        if (params, results) != (p, r):
            raise LinkError(f"import {module}.{name} has type {params} -> {results}")

    code = bytearray()
    if module == IMPORT_MODULE and name == "raise":
        # the code; the line only when there is one (library code keeps its caller's)
        expect(("i32", "i32"), ())
        code += bytes([_LOCAL_GET, 0, _GLOBAL_SET]) + uleb128(global_index[ERROR_GLOBAL])
        code += bytes([_LOCAL_GET, 1, 0x04, 0x40, _LOCAL_GET, 1, _GLOBAL_SET])
        code += uleb128(global_index[ERROR_LINE_GLOBAL]) + bytes([_END])
    elif module == IMPORT_MODULE and name == "error_line":
        expect(("i32",), ())
        code += bytes([_LOCAL_GET, 0, _GLOBAL_SET]) + uleb128(global_index[ERROR_LINE_GLOBAL])
    elif module == IMPORT_MODULE and name[:4] in ("get:", "set:") and name[4:] in global_index:
        index = uleb128(global_index[name[4:]])
        if name.startswith("get:"):
            if params or len(results) != 1:
                raise LinkError(f"import {module}.{name} has type {params} -> {results}")
            code += bytes([_GLOBAL_GET]) + index
        else:
            if len(params) != 1 or results:
                raise LinkError(f"import {module}.{name} has type {params} -> {results}")
            code += bytes([_LOCAL_GET, 0, _GLOBAL_SET]) + index
    elif module == "env" and name in _INSTRUCTIONS:
        vt, arity, opcode = _INSTRUCTIONS[name]
        expect((vt,) * arity, (vt,))
        for k in range(arity):
            code += bytes([_LOCAL_GET, k])
        code.append(opcode)
    else:
        raise LinkError(
            f"the Rust module imports {module}.{name}, which a Portalis module may not import"
        )
    return bytes([0]) + bytes(code) + bytes([_END])  # no locals


def _results_body(inner: int, n_params: int, results: tuple[str, ...]) -> bytes:
    """Call ``inner`` (it returns the results buffer's address), then load each slot."""
    code = bytearray([1, 1, VALTYPE["i32"]])  # one local: the address
    for k in range(n_params):
        code += bytes([_LOCAL_GET]) + uleb128(k)
    code += bytes([_CALL]) + uleb128(inner) + bytes([0x21]) + uleb128(n_params)  # local.set
    for k, t in enumerate(results):
        align = 3 if t in ("i64", "f64") else 2
        code += bytes([_LOCAL_GET]) + uleb128(n_params) + bytes([_LOAD[t]])
        code += uleb128(align) + uleb128(8 * k)
    code.append(_END)
    return bytes(code)


def _global(t: str, value: int | float) -> bytes:
    if t == "i32":
        init = bytes([0x41]) + _s(int(value))
    elif t == "i64":
        init = bytes([0x42]) + _s(int(value))
    elif t == "f32":
        init = bytes([0x43]) + struct.pack("<f", float(value))
    else:
        init = bytes([0x44]) + struct.pack("<d", float(value))
    return bytes([VALTYPE[t], 1]) + init + bytes([_END])


# -- reading ------------------------------------------------------------------------------

_NAMES = {v: k for k, v in VALTYPE.items()}


def _sections(wasm: bytes) -> list[tuple[int, bytes]]:
    if wasm[:4] != b"\0asm":
        raise LinkError("rustc's output is not a WebAssembly module")
    out, i = [], 8
    while i < len(wasm):
        sid = wasm[i]
        size, i = _read_u32(wasm, i + 1)
        out.append((sid, wasm[i : i + size]))
        i += size
    return out


def _get(sections: list[tuple[int, bytes]], sid: int) -> bytes:
    return next(b for s, b in sections if s == sid)


def _read_u32(b: bytes, i: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = b[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, i


def _count(body: bytes) -> int:
    return _read_u32(body, 0)[0]


def _types(body: bytes) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    n, i = _read_u32(body, 0)
    out = []
    for _ in range(n):
        if body[i] != 0x60:
            raise LinkError("unexpected type form")
        i += 1
        groups = []
        for _ in range(2):
            m, i = _read_u32(body, i)
            groups.append(tuple(_NAMES[body[i + k]] for k in range(m)))
            i += m
        out.append((groups[0], groups[1]))
    return out


def _read_name(b: bytes, i: int) -> tuple[str, int]:
    n, i = _read_u32(b, i)
    return b[i : i + n].decode("utf-8"), i + n


def _imports(body: bytes) -> list[tuple[str, str, int]]:
    n, i = _read_u32(body, 0)
    out = []
    for _ in range(n):
        module, i = _read_name(body, i)
        name, i = _read_name(body, i)
        kind = body[i]
        i += 1
        if kind != 0:
            raise LinkError(f"the Rust module imports {module}.{name} (not a function)")
        ty, i = _read_u32(body, i)
        out.append((module, name, ty))
    return out


def _vec_u32(body: bytes) -> list[int]:
    n, i = _read_u32(body, 0)
    out = []
    for _ in range(n):
        v, i = _read_u32(body, i)
        out.append(v)
    return out


def _exports(body: bytes) -> list[tuple[str, int, int]]:
    n, i = _read_u32(body, 0)
    out = []
    for _ in range(n):
        name, i = _read_name(body, i)
        kind = body[i]
        index, i = _read_u32(body, i + 1)
        out.append((name, kind, index))
    return out


def _split_vec(body: bytes) -> list[bytes]:
    """The size-prefixed entries of the code section, each with its size prefix."""
    n, i = _read_u32(body, 0)
    out = []
    for _ in range(n):
        size, j = _read_u32(body, i)
        out.append(body[i : j + size])
        i = j + size
    return out


def _function_type(
    index: int,
    imports: list[tuple[str, str, int]],
    funcs: list[int],
    types: list[tuple[tuple[str, ...], tuple[str, ...]]],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    ty = imports[index][2] if index < len(imports) else funcs[index - len(imports)]
    return types[ty]


# -- writing ------------------------------------------------------------------------------


def _s(v: int) -> bytes:
    out = bytearray()
    while True:
        byte = v & 0x7F
        v >>= 7
        if (v == 0 and not byte & 0x40) or (v == -1 and byte & 0x40):
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def _name(s: str) -> bytes:
    b = s.encode("utf-8")
    return uleb128(len(b)) + b


def _vec(items: Sequence[bytes]) -> bytes:
    return uleb128(len(items)) + b"".join(items)


def _append_vec(body: bytes, items: Sequence[bytes]) -> bytes:
    n, i = _read_u32(body, 0)
    return uleb128(n + len(items)) + body[i:] + b"".join(items)


def _sized(b: bytes) -> bytes:
    return uleb128(len(b)) + b


def _functype(params: Sequence[str], results: Sequence[str]) -> bytes:
    return (
        bytes([0x60])
        + _vec([bytes([VALTYPE[p]]) for p in params])
        + _vec([bytes([VALTYPE[r]]) for r in results])
    )
