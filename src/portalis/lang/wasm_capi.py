"""The two things the compiler asks of wasmtime — WebAssembly text → binary, and validation
— called straight through its C API.

Importing the ``wasmtime`` package costs a fresh process about 25 ms of CPU time, nearly
all of it defining ctypes prototypes for the whole C API (wasmtime/_bindings.py); the
shared library itself loads in under a millisecond. A build needs a few of those
functions, so this module declares just them on the same library file the package ships
(``dlopen`` hands back the same library if the package is imported later, as the runtime
does). Where that file is not where this wasmtime keeps it, or the package is already
imported, the package's own handle is used. Either way the calls are the ones
``wasmtime.wat2wasm`` and ``wasmtime.Module.validate`` make: the same bytes, the same
verdicts (tests/lang/test_wasm_capi.py).

The engine validation needs is a default one but for parallel compilation, which is off:
with it on, ``wasmtime_module_validate`` checks function bodies on a thread pool of its
own, which a fresh process first starts (a thread per core), for a module that validates
in well under a millisecond on one thread; and a build's time (``portalis build
--timings``, CPU time of the building thread) would not count that work. The WebAssembly
features, and so the verdicts, are the default engine's.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any


class WasmError(Exception):
    """wasmtime refused the text or the module; the message is wasmtime's."""


class _ByteVec(ctypes.Structure):
    """``wasm_byte_vec_t``: ``size_t size; uint8_t *data``."""

    _fields_ = [("size", ctypes.c_size_t), ("data", ctypes.POINTER(ctypes.c_uint8))]


class _Api:
    """The loaded library with the functions a build calls declared, and one engine."""

    def __init__(self, dll: Any) -> None:
        # ``dll[name]`` makes a function object of our own (``dll.name`` would be the one
        # the package declares its prototypes on, when both use one handle).
        vec = ctypes.POINTER(_ByteVec)
        self.wat2wasm = dll["wasmtime_wat2wasm"]
        self.wat2wasm.restype = ctypes.c_void_p  # wasmtime_error_t*, NULL on success
        self.wat2wasm.argtypes = [ctypes.c_char_p, ctypes.c_size_t, vec]
        self.validate = dll["wasmtime_module_validate"]
        self.validate.restype = ctypes.c_void_p
        self.validate.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
        self.vec_delete = dll["wasm_byte_vec_delete"]
        self.vec_delete.restype = None
        self.vec_delete.argtypes = [vec]
        self.error_message = dll["wasmtime_error_message"]
        self.error_message.restype = None
        self.error_message.argtypes = [ctypes.c_void_p, vec]
        self.error_delete = dll["wasmtime_error_delete"]
        self.error_delete.restype = None
        self.error_delete.argtypes = [ctypes.c_void_p]
        config_new = dll["wasm_config_new"]
        config_new.restype = ctypes.c_void_p
        config_new.argtypes = []
        parallel = dll["wasmtime_config_parallel_compilation_set"]
        parallel.restype = None
        parallel.argtypes = [ctypes.c_void_p, ctypes.c_bool]
        engine_new = dll["wasm_engine_new_with_config"]
        engine_new.restype = ctypes.c_void_p
        engine_new.argtypes = [ctypes.c_void_p]  # takes the config over
        config = config_new()
        parallel(config, False)  # validation on the calling thread (the module's doc)
        #: Kept for the life of the process.
        self.engine = engine_new(config)

    def fail(self, error: int) -> WasmError:
        """The error ``error`` points to as an exception (the C error freed)."""
        message = _ByteVec()
        try:
            self.error_message(error, ctypes.byref(message))
            text = ctypes.string_at(message.data, message.size).decode("utf-8", "replace")
            self.vec_delete(ctypes.byref(message))
        finally:
            self.error_delete(error)
        return WasmError(text)


_API: list[_Api] = []


def library_path() -> Path | None:
    """Where the installed wasmtime package keeps its shared library (its _ffi.py's rule),
    or None when that is not a file."""
    spec = importlib.util.find_spec("wasmtime")
    if spec is None or spec.origin is None:
        return None
    machine = {"AMD64": "x86_64", "arm64": "aarch64", "ARM64": "aarch64"}.get(
        os.uname().machine, os.uname().machine
    )
    name = {"linux": "_libwasmtime.so", "darwin": "_libwasmtime.dylib"}.get(sys.platform)
    if name is None:
        return None
    path = Path(spec.origin).parent / f"{sys.platform}-{machine}" / name
    return path if path.is_file() else None


def _api() -> _Api:
    if not _API:
        ffi = sys.modules.get("wasmtime._ffi")
        path = None if ffi is not None else library_path()
        if path is not None:
            dll: Any = ctypes.CDLL(str(path))
        else:  # already imported, or laid out otherwise: the package's own handle
            from wasmtime import _ffi

            dll = _ffi.dll
        _API.append(_Api(dll))
    return _API[0]


def wat2wasm(wat: str) -> bytes:
    """The binary module the text ``wat`` describes (``wasmtime.wat2wasm``)."""
    api = _api()
    text = wat.encode("utf-8")
    out = _ByteVec()
    error = api.wat2wasm(text, len(text), ctypes.byref(out))
    if error:
        raise api.fail(error)
    try:
        return ctypes.string_at(out.data, out.size)
    finally:
        api.vec_delete(ctypes.byref(out))


def validate(wasm: bytes) -> None:
    """Raise :class:`WasmError` unless ``wasm`` is a valid module for an engine with the
    default features (``wasmtime.Module.validate``), checked on the calling thread."""
    api = _api()
    error = api.validate(api.engine, wasm, len(wasm))
    if error:
        raise api.fail(error)
