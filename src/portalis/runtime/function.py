"""Typed calls: the signature is checked once, then every call takes a precomputed path.

For numeric signatures the compiled accelerator (``_fastcall.c``, built when a C compiler is
present at install) calls wasmtime directly. Without it, each exported function gets its own
small Python function, generated for exactly its parameter and result types (the way
:func:`collections.namedtuple` generates classes): arguments are stored straight into the raw
call buffer through typed memoryviews and the call goes to ``wasmtime_func_call_unchecked``
(see :mod:`portalis.runtime._capi` for the safety rules). Nothing is looked up, boxed or
converted per call beyond that.

Either way, closing the instance makes the function refuse calls (the C object has a flag;
the generated code reads ``_call`` from a private globals dict, which closing replaces), at
no cost to the calls before it.
"""

from __future__ import annotations

import ctypes
import os
import time
from array import array
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import wasmtime

from portalis.errors import InstanceClosedError, SignatureError
from portalis.runtime import _capi
from portalis.runtime.stats import WINDOW, FunctionStats

if TYPE_CHECKING:
    from portalis.runtime.instance import Instance

try:  # the optional C accelerator; PORTALIS_NO_FASTCALL=1 forces the ctypes path
    from portalis.runtime import _fastcall  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on the build
    _fastcall = None
if os.environ.get("PORTALIS_NO_FASTCALL"):
    _fastcall = None

FAST_TYPES = frozenset({"i32", "i64", "f32", "f64"})
_TYPE_CODES = {"i32": "i", "i64": "q", "f32": "f", "f64": "d"}
# Index of slot k in each typed view of the 16-byte raw slots.
_STRIDE = {"i32": 4, "i64": 2, "f32": 4, "f64": 2}
_PY_TYPES = {"i32": "int", "i64": "int", "f32": "float", "f64": "float"}
_INT_RANGE = {"i32": (-(1 << 31), (1 << 31) - 1), "i64": (-(1 << 63), (1 << 63) - 1)}


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


class TypedFunction(Protocol):
    """What :meth:`Instance.function` returns: a plain callable with these attributes."""

    __name__: str
    params: tuple[str, ...]
    results: tuple[str, ...]
    stats: FunctionStats

    def __call__(self, *args: Any) -> Any: ...


def make_function(
    instance: Instance,
    name: str,
    func: wasmtime.Func,
    params: tuple[str, ...],
    results: tuple[str, ...],
) -> TypedFunction:
    """The callable for export ``name``, whose signature the loader read from the module's
    own type section (numbers only: anything else was refused at load)."""
    if not (set(params) <= FAST_TYPES and set(results) <= FAST_TYPES):
        raise SignatureError(
            f"{instance.name}::{name}: signature ({', '.join(params)}) -> "
            f"({', '.join(results)}) holds a type Portalis cannot pass"
        )
    stats = FunctionStats(name)
    if _fastcall is not None and max(len(params), len(results)) <= 64:
        fn = _compiled_function(instance, name, func, params, results, stats)
    else:
        fn = _fast_function(instance, name, func, params, results, stats)
    fn.params = params  # type: ignore[attr-defined]
    fn.results = results  # type: ignore[attr-defined]
    fn.stats = stats  # type: ignore[attr-defined]
    return fn  # type: ignore[return-value]


def _fast_function(
    instance: Instance,
    name: str,
    func: wasmtime.Func,
    params: tuple[str, ...],
    results: tuple[str, ...],
    stats: FunctionStats,
) -> Callable[..., Any]:
    raw = _capi.RawCall(instance.store, func, max(len(params), len(results)))
    monitoring = instance.monitoring
    deadline = instance.sandbox.deadline_s is not None
    argnames = [f"a{i}" for i in range(len(params))]

    lines = [f"def call({''.join(a + '=_M, ' for a in argnames)}*extra):"]
    lines.append("    if extra: _too_many(extra)")
    if params:
        lines.append("    try:")
        for i, (a, t) in enumerate(zip(argnames, params, strict=True)):
            lines.append(f"        v_{t}[{_STRIDE[t] * i}] = {a}")
        lines.append("    except (TypeError, ValueError, OverflowError):")
        lines.append(f"        _bad_args(({', '.join(argnames)},))")
    if monitoring:
        lines.append("    t0 = _clock()")
        if deadline:
            lines.append("    _started.value = t0")
    elif deadline:
        lines.append("    _started.value = _clock()")
    lines.append("    err = _call(_ctx, _fn, _buf, _n, _trap_out)")
    if monitoring:
        lines.append("    dt = _clock() - t0")
    lines.append("    if err or _trap:")
    if monitoring:
        lines.append("        _counters[1] += 1")
    lines.append("        _failed(err)")
    if monitoring:
        lines.append("    _samples[_counters[0] % _WINDOW] = dt")
        lines.append("    _counters[0] += 1")
        lines.append("    _total[0] += dt")
    reads = [f"v_{t}[{_STRIDE[t] * i}]" for i, t in enumerate(results)]
    if len(reads) == 1:
        lines.append(f"    return {reads[0]}")
    elif reads:
        lines.append(f"    return ({', '.join(reads)},)")

    ctx, fn_ptr, buf, n, trap_out = raw.args

    def too_many(extra: tuple[Any, ...]) -> None:
        raise _count_error(instance.name, name, params, len(params) + len(extra))

    def bad_args(args: tuple[Any, ...]) -> None:
        raise _signature_error(instance.name, name, params, args)

    def failed(err: int) -> None:
        trap = raw.trap.value or 0
        raw.trap.value = None
        raise instance.translate_failure(name, err or 0, trap)

    namespace: dict[str, Any] = {
        "_M": MISSING,
        "_too_many": too_many,
        "_bad_args": bad_args,
        "_failed": failed,
        "_clock": time.perf_counter,
        "_started": instance.call_started,
        "_call": _capi.call_unchecked,
        "_ctx": ctx,
        "_fn": fn_ptr,
        "_buf": buf,
        "_n": n,
        "_trap_out": trap_out,
        "_trap": raw.trap,
        "_counters": stats.counters,
        "_total": stats.total,
        "_samples": stats.samples,
        "_WINDOW": WINDOW,
        "_raw": raw,  # keeps the buffer alive as long as the function
        "_func": func,
    }
    for t, view in raw.views.items():
        namespace[f"v_{t}"] = view
    exec(compile("\n".join(lines), f"<portalis call {instance.name}::{name}>", "exec"), namespace)
    call = namespace["call"]
    call.__name__ = call.__qualname__ = name

    def close() -> None:
        namespace["_call"] = raise_closed

    instance.on_close(close)
    return call  # type: ignore[no-any-return]


def _compiled_function(
    instance: Instance,
    name: str,
    func: wasmtime.Func,
    params: tuple[str, ...],
    results: tuple[str, ...],
    stats: FunctionStats,
) -> Callable[..., Any]:
    """The same contract as :func:`_fast_function`, in C (``_fastcall.c``)."""
    assert _fastcall is not None

    def address(buffer: array[Any]) -> int:
        return int(buffer.buffer_info()[0])

    def on_failure(err: int, trap: int) -> None:
        raise instance.translate_failure(name, err, trap)

    def on_args(args: tuple[Any, ...]) -> None:
        if len(args) != len(params):
            raise _count_error(instance.name, name, params, len(args))
        raise _signature_error(instance.name, name, params, args)

    monitoring = instance.monitoring
    deadline = instance.sandbox.deadline_s is not None
    fn = _fastcall.FastCall(
        _capi.CALL_UNCHECKED_ADDRESS,
        _capi.context_pointer(instance.store),
        _capi.func_pointer(func),
        "".join(_TYPE_CODES[p] for p in params).encode(),
        "".join(_TYPE_CODES[r] for r in results).encode(),
        ctypes.addressof(instance.call_started) if deadline else 0,
        address(stats.counters) if monitoring else 0,
        address(stats.total) if monitoring else 0,
        address(stats.samples) if monitoring else 0,
        WINDOW,
        on_failure,
        on_args,
        raise_closed,
        (instance.store, func, stats),  # what the raw pointers point into
    )
    fn.__name__ = fn.__qualname__ = name
    instance.on_close(fn.close)
    return fn  # type: ignore[no-any-return]


def _count_error(module: str, name: str, params: tuple[str, ...], given: int) -> SignatureError:
    return SignatureError(
        f"{module}::{name}: takes {len(params)} argument(s) ({', '.join(params)}), got {given}"
    )


def _signature_error(
    module: str, name: str, params: tuple[str, ...], args: tuple[Any, ...]
) -> SignatureError:
    missing = [i for i, a in enumerate(args) if a is MISSING]
    if missing:
        return _count_error(module, name, params, missing[0])
    for i, (a, t) in enumerate(zip(args, params, strict=True)):
        if t in _INT_RANGE:
            if isinstance(a, float) or not hasattr(a, "__index__"):
                return SignatureError(
                    f"{module}::{name}: argument {i} must be an int ({t}), "
                    f"got {type(a).__name__} {a!r}"
                )
            lo, hi = _INT_RANGE[t]
            if not lo <= int(a) <= hi:
                return SignatureError(f"{module}::{name}: argument {i}={a} does not fit in {t}")
        else:
            try:
                float(a)
            except (TypeError, ValueError):
                return SignatureError(
                    f"{module}::{name}: argument {i} must be a {_PY_TYPES[t]} ({t}), "
                    f"got {type(a).__name__} {a!r}"
                )
    return SignatureError(
        f"{module}::{name}: arguments {args!r} do not match ({', '.join(params)})"
    )


def raise_closed(*_args: Any) -> Any:
    raise InstanceClosedError("the instance was closed (module unloaded); it cannot be called")
