"""Calling a module the way its Python source reads: ``portalis.load("k.wasm").update(x=1.0)``.

A Portalis-built module describes its functions (names, types, defaults, arrays) in its ABI
section (:mod:`portalis.abi`); this module binds Python arguments to them: keywords and
defaults, NumPy arrays placed in linear memory and copied back afterwards (the kernel's
writes are visible to the caller, as they would be under CPython; arrays the ABI marks
``writes: false`` are not copied back), results converted back to
``float``/``int``/``bool`` and tuples. Modules without the section are called positionally by
export signature.
"""

from __future__ import annotations

import keyword
import os
from typing import Any

import numpy as np

from portalis.abi import Array, Function, ModuleAbi, Value
from portalis.errors import PortalisError, SignatureError
from portalis.runtime.instance import Instance
from portalis.runtime.memory import DTYPES, ArrayView
from portalis.runtime.module import CompiledModule, load_module
from portalis.runtime.sandbox import DEFAULT_SANDBOX, Sandbox


class KernelFunction:
    """The binding work behind one ABI function: arrays placed in linear memory and copied
    back (those the function may write), bools converted. Users call the function
    :func:`signature_function` makes over it, which has the kernel's own Python signature."""

    def __init__(self, instance: Instance, abi: Function) -> None:
        self.abi = abi
        self.name = abi.name
        self._instance = instance
        self.raw = instance.function(abi.name)
        self.has_arrays = any(isinstance(p, Array) for p in abi.params)
        self._bool_results = [r.type == "bool" for r in abi.results]
        self.needs_conversion = any(self._bool_results)
        self._scratch: dict[str, tuple[int, int]] = {}  # param → (offset, capacity)

    def call(self, *values: Any) -> Any:
        """Call with every parameter's value, in order (keywords and defaults resolved)."""
        raw_args: list[Any] = []
        copy_back: list[tuple[np.ndarray, int, np.dtype[Any], tuple[int, ...]]] = []
        for param, value in zip(self.abi.params, values, strict=True):
            if isinstance(param, Array):
                offset, shape = self._place_array(param, value, copy_back)
                raw_args.append(offset)
                raw_args.extend(shape)
            else:
                raw_args.append(int(value) if param.type == "bool" else value)
        try:
            result = self.raw(*raw_args)
        except SignatureError as e:
            raise SignatureError(self._explain(e)) from None
        finally:
            memory = self._instance.memory
            if memory is not None and not self._instance.closed:
                for target, offset, dtype, shape in copy_back:
                    target[...] = memory._ndarray(offset, dtype, shape)
        return self.convert(result) if self.needs_conversion else result

    def _place_array(
        self,
        param: Array,
        value: Any,
        copy_back: list[tuple[np.ndarray, int, np.dtype[Any], tuple[int, ...]]],
    ) -> tuple[int, tuple[int, ...]]:
        dtype = DTYPES[param.dtype]
        where = f"{self._instance.name}::{self.name}(): argument '{param.name}'"
        if isinstance(value, ArrayView):
            if value._memory is not self._instance.memory:
                raise SignatureError(f"{where}: the view belongs to another instance")
            if value.dtype != dtype or len(value.shape) != param.ndim:
                raise SignatureError(
                    f"{where}: expected a {param.ndim}-D {dtype} array, "
                    f"got a {len(value.shape)}-D {value.dtype} view"
                )
            value._check()
            return value.offset, value.shape
        if isinstance(value, np.ndarray) and value.dtype != dtype:
            raise SignatureError(
                f"{where}: expected dtype {dtype}, got {value.dtype}",
                hint=f"convert with arr.astype(np.{dtype.name})",
            )
        try:
            src = np.ascontiguousarray(value, dtype=dtype)
        except (TypeError, ValueError) as e:
            raise SignatureError(f"{where}: not an array of {dtype}: {e}") from None
        if src.ndim != param.ndim:
            raise SignatureError(f"{where}: expected a {param.ndim}-D array, got {src.ndim}-D")
        if param.shape is not None and tuple(param.shape) != src.shape:
            raise SignatureError(f"{where}: expected shape {param.shape}, got {src.shape}")
        memory = self._instance.memory
        if memory is None:
            raise PortalisError(f"{where}: the module exports no memory to pass arrays in")
        offset, capacity = self._scratch.get(param.name, (0, 0))
        if src.nbytes > capacity:
            if capacity:
                memory.free(offset)
            capacity = max(src.nbytes, 64)
            offset = memory.alloc(capacity, max(dtype.itemsize, 8))
            self._scratch[param.name] = (offset, capacity)
        if src.size:
            memory._ndarray(offset, dtype, src.shape)[...] = src
        # Copied back only if the function may store into it. The flag comes from the ABI,
        # which is untrusted: a module that claims `writes: false` and stores anyway only
        # leaves the caller's array without its writes (its own results go stale); the
        # copy still reads just this scratch region, so no memory is reached that the
        # flag did not already allow.
        if param.writes and isinstance(value, np.ndarray) and value.flags.writeable:
            copy_back.append((value, offset, dtype, src.shape))
        return offset, src.shape

    def convert(self, result: Any) -> Any:
        if isinstance(result, tuple):
            return tuple(
                bool(v) if is_bool else v
                for v, is_bool in zip(result, self._bool_results, strict=True)
            )
        return bool(result) if self._bool_results and self._bool_results[0] else result

    def _explain(self, e: SignatureError) -> str:
        names = ", ".join(f"{p.name}" for p in self.abi.params)
        return f"{e.message} — {self.name}({names})"


def signature_function(binding: KernelFunction) -> Any:
    """A function with the kernel's own signature (names, defaults) over ``binding``, so
    keywords, defaults and argument errors behave exactly as the Python source would, and
    ``inspect.signature``/``help`` show it. Generated like :mod:`portalis.runtime.function`'s
    calls; the ABI is untrusted data, so only identifiers reach the generated source and
    defaults are passed as values, never as text. Returns None if a name is unusable."""
    abi = binding.abi
    names = [p.name for p in abi.params]
    if not all(_usable_name(n) for n in [abi.name, *names]) or len(set(names)) != len(names):
        return None
    namespace: dict[str, Any] = {
        "_raw": binding.raw,
        "_call": binding.call,
        "_convert": binding.convert,
    }
    params = []
    seen_default = False
    for i, p in enumerate(abi.params):
        if isinstance(p, Value) and isinstance(p.default, int | float | bool):
            namespace[f"_d{i}"] = p.default
            params.append(f"{p.name}=_d{i}")
            seen_default = True
        elif seen_default:
            return None  # a required parameter after a default: not a Python signature
        else:
            params.append(p.name)
    args = ", ".join(names)
    if binding.has_arrays:
        body = f"return _call({args})"
    elif binding.needs_conversion:
        body = f"return _convert(_raw({args}))"
    else:
        body = f"return _raw({args})"
    source = f"def {abi.name}({', '.join(params)}):\n    {body}\n"
    exec(compile(source, f"<portalis kernel {abi.name}>", "exec"), namespace)
    fn = namespace[abi.name]
    fn.__doc__ = abi.doc or None
    fn.abi = abi
    fn.stats = binding.raw.stats
    fn.binding = binding
    return fn


def _usable_name(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_")


class StateAccess:
    """A kernel's persistent module-level state: ``kernel.state.velocity``, or ``.grid``
    (a NumPy view of a persistent array)."""

    def __init__(self, instance: Instance, abi: ModuleAbi) -> None:
        object.__setattr__(self, "_instance", instance)
        object.__setattr__(self, "_entries", {s.name: s for s in abi.state})

    def __dir__(self) -> list[str]:
        return list(self._entries)

    def __getattr__(self, name: str) -> Any:
        entry = self._entries.get(name)
        if entry is None:
            raise AttributeError(f"{self._instance.name} has no state variable '{name}'")
        if isinstance(entry, Array):
            memory = self._instance.memory
            if memory is None or entry.offset is None or entry.shape is None:
                raise PortalisError(f"{self._instance.name}: state array '{name}' has no location")
            return memory.view(entry.offset, DTYPES[entry.dtype], entry.shape)
        value = self._instance.global_value(f"state.{name}")
        return bool(value) if entry.type == "bool" else value

    def __setattr__(self, name: str, value: Any) -> None:
        entry = self._entries.get(name)
        if entry is None:
            raise AttributeError(f"{self._instance.name} has no state variable '{name}'")
        if isinstance(entry, Array):
            getattr(self, name)[...] = value
        else:
            self._instance.set_global(
                f"state.{name}", int(value) if entry.type == "bool" else value
            )


class Kernel:
    """A loaded, instantiated module whose functions are attributes.

    Built by :func:`load`. ``kernel.update(...)`` calls the export ``update``;
    ``kernel.state`` holds persistent state; ``kernel.instance`` is the raw
    :class:`~portalis.runtime.instance.Instance`.
    """

    def __init__(self, module: CompiledModule, instance: Instance) -> None:
        self.module = module
        self.instance = instance
        self.abi = module.abi
        self._functions: dict[str, Any] = {}
        if self.abi is not None:
            for fn in self.abi.functions:
                binding = KernelFunction(instance, fn)
                generated = signature_function(binding)
                # A name the ABI cannot give a Python signature is still callable by
                # position, through the binding.
                self._functions[fn.name] = generated if generated is not None else binding.call
            self.state: StateAccess | None = StateAccess(instance, self.abi)
        else:
            self.state = None

    def function(self, name: str) -> Any:
        fn = self._functions.get(name)
        if fn is None:
            fn = self.instance.function(name)
            self._functions[name] = fn
        return fn

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self.function(name)
        except PortalisError as e:
            raise AttributeError(str(e)) from None

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._functions))

    def close(self) -> None:
        self.instance.close()

    def __enter__(self) -> Kernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        names = ", ".join(self._functions) if self._functions else "(no ABI)"
        return f"<Kernel {self.module.name}: {names}>"


def load(
    source: str | os.PathLike[str] | bytes,
    *,
    sandbox: Sandbox = DEFAULT_SANDBOX,
    name: str | None = None,
    monitoring: bool = True,
    cache: Any = True,
) -> Kernel:
    """Load, validate, sandbox and instantiate a module; call its functions as attributes."""
    module = load_module(source, name=name, cache=cache, sandbox=sandbox)
    return Kernel(module, module.instantiate(sandbox, monitoring=monitoring))
