"""The one module that touches wasmtime's C API through ctypes.

wasmtime-py's ``Func.__call__`` rebuilds type objects and boxes every value on each call
(tens of microseconds). For numeric signatures we check the signature once and then call
``wasmtime_func_call_unchecked`` directly with a preallocated ``wasmtime_val_raw_t`` array.
That function is *unchecked*: passing the wrong number or kind of raw values is undefined
behaviour. The rules that make it safe, enforced by :mod:`portalis.runtime.function`:

* the raw buffer has ``max(len(params), len(results))`` 16-byte slots, never fewer;
* each slot is written through a typed ``memoryview`` matching the parameter's wasm type
  (``memoryview`` raises on a value of the wrong Python type, so no bytes of another type
  reach wasm);
* only i32, i64, f32 and f64 signatures take this path (the loader refuses any module whose
  imports or exports hold another type, reading signatures from the module's own sections,
  never from wasmtime-py, whose type queries abort the process on v128 and GC references);
* the store, instance and function handles outlive every call (the owning
  :class:`~portalis.runtime.instance.Instance` holds them, and refuses calls once closed).

Everything else in Portalis calls the functions here or wasmtime-py's public API.
"""

from __future__ import annotations

import ctypes
import functools
from typing import Any

import wasmtime
from wasmtime import _ffi as ffi
from wasmtime._bindings import dll  # type: ignore[attr-defined]  # the loaded C library

#: One ``wasmtime_val_raw_t``: a 16-byte union (it holds a v128 at most).
RAW_SLOT_BYTES = 16

call_unchecked = dll.wasmtime_func_call_unchecked
# ``argtypes = None`` keeps ctypes from converting arguments on every call: callers pass
# ready-made ``c_void_p``/``c_size_t`` objects (see :class:`RawCall`).
call_unchecked.argtypes = None  # type: ignore[assignment]  # None is ctypes' "unchecked"
call_unchecked.restype = ctypes.c_void_p

#: For the compiled fast path, which is handed the function's address rather than linked.
CALL_UNCHECKED_ADDRESS: int = ctypes.cast(call_unchecked, ctypes.c_void_p).value or 0

DEADLINE_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_void_p,  # wasmtime_error_t* (NULL: keep running)
    ctypes.c_void_p,  # wasmtime_context_t*
    ctypes.c_void_p,  # void* env
    ctypes.POINTER(ctypes.c_uint64),  # epoch_deadline_delta (out)
    ctypes.POINTER(ctypes.c_uint8),  # wasmtime_update_deadline_kind_t (out)
)
_FINALIZER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
_set_deadline_callback = dll.wasmtime_store_epoch_deadline_callback
_set_deadline_callback.argtypes = [ctypes.c_void_p, DEADLINE_CALLBACK, ctypes.c_void_p, _FINALIZER]
_set_deadline_callback.restype = None
_NO_FINALIZER = ctypes.cast(None, _FINALIZER)  # type: ignore[arg-type]  # a NULL function pointer

_error_new = dll.wasmtime_error_new
_error_new.argtypes = [ctypes.c_char_p]
_error_new.restype = ctypes.c_void_p

UPDATE_DEADLINE_CONTINUE = 0


_memory_data_size = dll.wasmtime_memory_data_size
_memory_data_size.argtypes = None  # type: ignore[assignment]  # arguments are made once
_memory_data_size.restype = ctypes.c_size_t


def memory_size_reader(store: wasmtime.Store, memory: wasmtime.Memory) -> Any:
    """A function of no arguments returning ``memory``'s current size in bytes: the same C
    call as ``Memory.data_len`` with its two pointer arguments made once (wasmtime-py builds
    them on every call, several microseconds). The caller keeps ``store`` alive while it
    uses the reader (a :class:`LinearMemory` holds it)."""
    # A partial of the foreign function: no Python frame between the caller and the C call.
    # The byref holds the ``wasmtime_memory_t`` it points to.
    return functools.partial(
        _memory_data_size, ctypes.c_void_p(context_pointer(store)), ctypes.byref(memory._memory)
    )


def store_pointer(store: wasmtime.Store) -> int:
    return ctypes.cast(store.ptr(), ctypes.c_void_p).value or 0


def context_pointer(store: wasmtime.Store) -> int:
    return ctypes.cast(store._context(), ctypes.c_void_p).value or 0


def func_pointer(func: wasmtime.Func) -> int:
    """Address of the ``wasmtime_func_t`` inside ``func`` (which must stay alive)."""
    return ctypes.addressof(func._func)


def set_deadline_callback(store: wasmtime.Store, callback: Any) -> None:
    """Install ``callback`` (a :data:`DEADLINE_CALLBACK`) as the store's epoch handler.

    The caller keeps ``callback`` referenced for the store's lifetime.
    """
    _set_deadline_callback(store_pointer(store), callback, None, _NO_FINALIZER)


def new_error(message: str) -> int:
    """A fresh ``wasmtime_error_t*``; returning it from a deadline callback traps the call."""
    return _error_new(message.encode("utf-8")) or 0


class RawCall:
    """A prepared unchecked call of one function in one store.

    ``views`` are typed windows on the raw argument/result buffer: ``views["f64"][2 * k]``
    is slot *k* read as f64, ``views["i32"][4 * k]`` as i32, and so on.
    """

    __slots__ = ("_func", "_store", "args", "buffer", "slots", "trap", "views")

    def __init__(self, store: wasmtime.Store, func: wasmtime.Func, slots: int) -> None:
        # The raw arguments below point into ``func`` and ``store``: holding them here means
        # the pointers cannot outlive their objects (a dangling wasmtime_func_t makes wasmtime
        # abort the process with "object used with the wrong store").
        self._func = func
        self._store = store
        self.slots = max(slots, 1)
        self.buffer = (ctypes.c_char * (RAW_SLOT_BYTES * self.slots))()
        raw = memoryview(self.buffer).cast("B")
        self.views = {
            "i32": raw.cast("i"),
            "i64": raw.cast("q"),
            "f32": raw.cast("f"),
            "f64": raw.cast("d"),
        }
        #: Receives a ``wasm_trap_t*`` when the call traps; reset to None after reading.
        self.trap = ctypes.c_void_p()
        #: The arguments of :data:`call_unchecked`, prebuilt so a call converts nothing.
        self.args = (
            ctypes.c_void_p(context_pointer(store)),
            ctypes.c_void_p(func_pointer(func)),
            ctypes.c_void_p(ctypes.addressof(self.buffer)),
            ctypes.c_size_t(self.slots),
            ctypes.c_void_p(ctypes.addressof(self.trap)),
        )


def take_trap(trap_ptr: int) -> wasmtime.Trap:
    """Adopt a ``wasm_trap_t*`` returned by an unchecked call (wasmtime-py frees it)."""
    return wasmtime.Trap._from_ptr(ctypes.cast(trap_ptr, ctypes.POINTER(ffi.wasm_trap_t)))


def take_error(error_ptr: int) -> wasmtime.WasmtimeError:
    """Adopt a ``wasmtime_error_t*`` returned by an unchecked call."""
    return wasmtime.WasmtimeError._from_ptr(
        ctypes.cast(error_ptr, ctypes.POINTER(ffi.wasmtime_error_t))
    )


def deserialize(engine: wasmtime.Engine, payload: memoryview) -> wasmtime.Module:
    """``wasmtime.Module.deserialize`` without its copy: wasmtime reads ``payload`` (a
    writable, contiguous view, e.g. of a bytearray) in place and keeps its own copy of the
    code. Only ever given bytes the compile cache has authenticated (see cache.py).

    Raises ``wasmtime.WasmtimeError`` for bytes of another wasmtime build or configuration.
    """
    size = len(payload)
    buffer = (ctypes.c_uint8 * size).from_buffer(payload)
    module = ctypes.POINTER(ffi.wasmtime_module_t)()
    error = ffi.wasmtime_module_deserialize(engine.ptr(), buffer, size, ctypes.byref(module))
    del buffer  # releases the export of ``payload``'s memory
    if error:
        raise wasmtime.WasmtimeError._from_ptr(error)
    return wasmtime.Module._from_ptr(module)


def instance_export(store: wasmtime.Store, instance: wasmtime.Instance, name: str) -> Any:
    """One export by name, without materialising all of them (wasmtime-py's
    ``Instance.exports`` wraps every export, which costs milliseconds on large modules)."""
    from wasmtime._extern import wrap_extern

    item = ffi.wasmtime_extern_t()
    raw = name.encode("utf-8")
    found = ffi.wasmtime_instance_export_get(
        store._context(),
        ctypes.byref(instance._instance),
        ctypes.create_string_buffer(raw),
        len(raw),
        ctypes.byref(item),
    )
    return wrap_extern(item) if found else None
