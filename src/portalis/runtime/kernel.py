"""Calling a module the way its Python source reads: ``portalis.load("k.wasm").update(x=1.0)``.

A Portalis-built module describes its functions (names, types, defaults, arrays) in its ABI
section (:mod:`portalis.abi`); this module binds Python arguments to them: keywords and
defaults, NumPy arrays placed in linear memory and copied back afterwards (the kernel's
writes are visible to the caller, as they would be under CPython; arrays the ABI marks
``writes: false`` are not copied back), results converted back to
``float``/``int``/``bool`` and tuples, array results copied out into new NumPy arrays
(runtime/results.py). Modules without the section are called positionally by
export signature.
"""

from __future__ import annotations

import keyword
import os
from typing import Any

import numpy as np

from portalis.abi import PAIR_TYPES, Array, Function, ModuleAbi, Value
from portalis.errors import PortalisError, SignatureError
from portalis.runtime.instance import Instance
from portalis.runtime.memory import DTYPES, ArrayView
from portalis.runtime.module import CompiledModule, load_module
from portalis.runtime.results import ResultDecoder
from portalis.runtime.sandbox import DEFAULT_SANDBOX, Sandbox


class ArrayPlan:
    """One array parameter, planned once: its element type, rank and shape from the ABI, the
    error prefix, and the scratch region of linear memory a NumPy argument is copied into.

    A call costs one copy into a cached view of the scratch region (and one back when the
    parameter may be written); nothing else is allocated while the shape stays the
    same. The scratch region was checked against the memory's size when it was allocated
    and linear memory never shrinks or moves, so the cached view stays inside the instance's
    memory however the memory grows between calls.
    """

    __slots__ = (
        "args", "capacity", "dst", "dtype", "function", "instance", "memory", "memory_size",
        "name", "ndim", "offset", "pairs", "pending", "shape", "where", "writes",
    )  # fmt: skip

    def __init__(self, function: str, instance: Instance, param: Array) -> None:
        self.name = param.name
        self.dtype = DTYPES[param.dtype]
        self.ndim = param.ndim
        self.shape = tuple(param.shape) if param.shape is not None else None
        self.pairs = param.dtype in PAIR_TYPES
        if self.pairs:  # complex128: placed as its float64 pairs (abi.PAIR_TYPES)
            self.dtype = DTYPES["f64"]
            self.ndim += 1
            self.shape = (*self.shape, 2) if self.shape is not None else None
        self.writes = param.writes
        self.where = f"{instance.name}::{function}(): argument '{param.name}'"
        self.function = function
        self.instance = instance
        self.memory = instance.memory
        self.memory_size = instance.memory._size if instance.memory is not None else None
        self.offset = 0
        self.capacity = 0
        self.dst: np.ndarray | None = None  # cached view of the scratch region, last shape
        self.args: tuple[int, ...] = ()  # its raw arguments: offset, then extents
        self.pending: np.ndarray | None = None  # the caller's array, to copy back into

    def place(self, value: Any) -> tuple[int, ...]:
        """Put ``value`` where the kernel reads it; the raw arguments: offset, then extents.
        Sets :attr:`pending` to the array to copy the kernel's writes back into, if any."""
        if self.pairs:
            value = self._pairs(value)
        kind = type(value)
        if kind is np.ndarray:
            dst = self.dst
            if (
                dst is not None
                and value.shape == dst.shape
                and value.dtype is self.dtype
                and value.flags.c_contiguous
            ):  # the steady state: the same shape as the last call, one memcpy
                if self.writes:
                    if not value.flags.writeable:
                        raise self._read_only()
                    self.pending = value
                else:
                    self.pending = None
                dst[...] = value
                return self.args
        elif kind is ArrayView:
            self.pending = None
            return self._place_view(value)
        return self._place_other(value)

    def _pairs(self, value: Any) -> Any:
        """A complex128 array as the float64 array of its (real, imag) pairs, sharing its
        memory when it is contiguous (so the kernel's writes come back to it)."""
        if isinstance(value, ArrayView):
            raise SignatureError(f"{self.where}: complex arrays are passed as NumPy arrays")
        if not isinstance(value, np.ndarray):
            try:
                value = np.asarray(value, dtype=np.complex128)
            except (TypeError, ValueError) as e:
                raise SignatureError(f"{self.where}: not an array of complex128: {e}") from None
        if value.dtype != np.complex128:
            raise SignatureError(
                f"{self.where}: expected dtype complex128, got {value.dtype}",
                hint="convert with arr.astype(np.complex128)",
            )
        if not value.flags.c_contiguous:
            raise SignatureError(
                f"{self.where}: a complex array must be C-contiguous",
                hint="pass np.ascontiguousarray(arr)",
            )
        return value.view(np.float64).reshape((*value.shape, 2))

    def copy_back(self) -> None:
        """Copy the kernel's writes into the caller's array (after the call, even a failed
        one: CPython would have left its partial writes too)."""
        target, self.pending = self.pending, None
        if target is not None and self.dst is not None and not self.instance.closed:
            target[...] = self.dst

    def _place_view(self, view: ArrayView) -> tuple[int, ...]:
        # Already in linear memory: no copy in or out, only checks.
        if view._memory is not self.memory:
            raise SignatureError(f"{self.where}: the view belongs to another instance")
        if view.dtype != self.dtype or len(view.shape) != self.ndim:
            raise SignatureError(
                f"{self.where}: expected a {self.ndim}-D {self.dtype} array, "
                f"got a {len(view.shape)}-D {view.dtype} view"
            )
        if self.shape is not None and view.shape != self.shape:
            raise SignatureError(f"{self.where}: expected shape {self.shape}, got {view.shape}")
        # Stale after the memory grew or the instance closed: StaleViewError, as for any
        # use of the view (checked here with the prepared size read, then by _check).
        if self.instance.closed or self.memory_size() != view._size:  # type: ignore[misc]
            view._check()
        return (view.offset, *view.shape)

    def _place_other(self, value: Any) -> tuple[int, ...]:
        # A new shape, a non-contiguous array, a list: converted, then copied in.
        if isinstance(value, ArrayView):
            self.pending = None
            return self._place_view(value)
        dtype = self.dtype
        if self.writes and isinstance(value, np.ndarray) and not value.flags.writeable:
            raise self._read_only()
        if isinstance(value, np.ndarray) and value.dtype != dtype:
            raise SignatureError(
                f"{self.where}: expected dtype {dtype}, got {value.dtype}",
                hint=f"convert with arr.astype(np.{dtype.name})",
            )
        try:
            src = np.ascontiguousarray(value, dtype=dtype)
        except (TypeError, ValueError) as e:
            raise SignatureError(f"{self.where}: not an array of {dtype}: {e}") from None
        if src.ndim != self.ndim:
            raise SignatureError(f"{self.where}: expected a {self.ndim}-D array, got {src.ndim}-D")
        if self.shape is not None and self.shape != src.shape:
            raise SignatureError(f"{self.where}: expected shape {self.shape}, got {src.shape}")
        dst = self._target(src.shape, src.nbytes)
        np.copyto(dst, src, casting="no")
        # Copied back only if the function may store into it. The flag comes from the ABI,
        # which is untrusted: a module that claims `writes: false` and stores anyway only
        # leaves the caller's array without its writes (its own results go stale); the
        # copy still reads just this scratch region, so no memory is reached that the
        # flag did not already allow. A non-contiguous array gets its writes back through
        # its own strides.
        self.pending = value if self.writes and isinstance(value, np.ndarray) else None
        return self.args

    def _read_only(self) -> SignatureError:
        """A read-only array for a parameter the function may store into: refused before the
        call, where CPython's store would raise, rather than the writes silently dropped."""
        return SignatureError(
            f"{self.where}: the array is read-only, but the function may write into it "
            "(under CPython a store raises ValueError: assignment destination is read-only)",
            hint="pass a writeable array (arr.copy())",
        )

    def _target(self, shape: tuple[int, ...], nbytes: int) -> np.ndarray:
        """The cached view of the scratch region for ``shape``, regrown when too small."""
        memory = self.memory
        if memory is None:
            raise PortalisError(f"{self.where}: the module exports no memory to pass arrays in")
        if nbytes > self.capacity:
            self.dst = None
            old, self.capacity = self.capacity, 0  # nothing of ours in memory until it succeeds
            offset, capacity = memory.regrow(
                self.offset, old, nbytes, max(self.dtype.itemsize, 8),
                what=f"argument '{self.name}'", function=self.function,
            )  # fmt: skip
            size = memory.size
            if offset < 0 or offset + capacity > size:  # alloc checks; this states it here
                raise PortalisError(
                    f"{self.where}: scratch [{offset}, {offset + capacity}) is outside "
                    f"linear memory of {size} bytes"
                )
            self.offset, self.capacity = offset, capacity
        dst = self.dst
        if dst is None or dst.shape != shape:
            dst = self.dst = memory._ndarray(self.offset, self.dtype, shape)
            self.args = (self.offset, *shape)
        return dst


class KernelFunction:
    """The binding work behind one ABI function: arrays placed in linear memory and copied
    back (those the function may write), bools converted. Users call the function
    :func:`signature_function` makes over it, which has the kernel's own Python signature."""

    def __init__(self, instance: Instance, abi: Function) -> None:
        self.abi = abi
        self.name = abi.name
        self._instance = instance
        self.raw = instance.function(abi.name)
        #: Per parameter: its ArrayPlan, or None for a value (bools become ints).
        self.plans: list[ArrayPlan | None] = [
            ArrayPlan(abi.name, instance, p) if isinstance(p, Array) else None for p in abi.params
        ]
        self._writable = [p for p in self.plans if p is not None and p.writes]
        self._bools = [isinstance(p, Value) and p.type == "bool" for p in abi.params]
        self.has_arrays = any(p is not None for p in self.plans)
        self._bool_results = [isinstance(r, Value) and r.type == "bool" for r in abi.results]
        #: Array results are copied out of linear memory and their blocks freed
        #: (runtime/results.py); None when the function returns numbers only.
        self._decoder = (
            ResultDecoder(instance, abi, tuple(self.raw.results)) if abi.array_results else None
        )
        self.needs_conversion = any(self._bool_results) or self._decoder is not None

    def call(self, *values: Any) -> Any:
        """Call with every parameter's value, in order (keywords and defaults resolved)."""
        if len(values) != len(self.plans):
            raise SignatureError(
                f"{self._instance.name}::{self.name}() takes {len(self.plans)} arguments, "
                f"got {len(values)}"
            )
        raw_args: list[Any] = []
        try:
            for plan, is_bool, value in zip(self.plans, self._bools, values):  # noqa: B905
                if plan is not None:
                    raw_args += plan.place(value)
                else:
                    raw_args.append(int(value) if is_bool else value)
            result = self.raw(*raw_args)
        except SignatureError as e:
            raise self.explained(e) from None
        finally:
            self.finish()
        return self.convert(result) if self.needs_conversion else result

    def finish(self) -> None:
        """After a call, even a failed one (CPython would have left the kernel's partial
        writes too): copy the kernel's writes back into the caller's arrays. Nothing is
        pending outside a call."""
        for plan in self._writable:
            if plan.pending is not None:
                plan.copy_back()

    def convert(self, result: Any) -> Any:
        if self._decoder is not None:
            return self._decoder(result)
        if isinstance(result, tuple):
            return tuple(
                bool(v) if is_bool else v
                for v, is_bool in zip(result, self._bool_results, strict=True)
            )
        return bool(result) if self._bool_results and self._bool_results[0] else result

    def explained(self, e: SignatureError) -> SignatureError:
        """``e`` with the function's parameter list appended."""
        names = ", ".join(f"{p.name}" for p in self.abi.params)
        return SignatureError(f"{e.message} — {self.name}({names})", hint=e.hint)


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
        body = _array_call_body(binding, namespace)
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


def _array_call_body(binding: KernelFunction, namespace: dict[str, Any]) -> str:
    """The body of a function with array parameters: each array placed by its plan (names
    ``_place0``… in ``namespace``), one raw call, the writes copied back. No loop over the
    parameters and no argument list built per call; the same steps as
    :meth:`KernelFunction.call`."""
    namespace.update(_SignatureError=SignatureError, _explained=binding.explained,
                     _finish=binding.finish)  # fmt: skip
    lines = ["try:"]
    raw_args = []
    for i, (param, plan) in enumerate(zip(binding.abi.params, binding.plans, strict=True)):
        if plan is not None:
            namespace[f"_place{i}"] = plan.place
            lines.append(f"    _a{i} = _place{i}({param.name})")
            raw_args.append(f"*_a{i}")
        elif isinstance(param, Value) and param.type == "bool":
            raw_args.append(f"int({param.name})")
        else:
            raw_args.append(param.name)
    lines.append(f"    _r = _raw({', '.join(raw_args)})")
    lines += ["except _SignatureError as _e:", "    raise _explained(_e) from None"]
    if binding._writable:
        lines += ["finally:", "    _finish()"]
    lines.append("return _convert(_r)" if binding.needs_conversion else "return _r")
    return "\n    ".join(lines)


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
