"""The peer every benchmark has: a kernel's own source imported by CPython, as a plain module
(the same text the compiler builds, so both sides run identical code); and the same module
with its functions ``numba.njit``-ed, the Numba peer."""

from __future__ import annotations

import importlib.util
import inspect
import sys
import tempfile
from collections.abc import Collection
from pathlib import Path
from types import ModuleType
from typing import Any


def import_kernel(path: Path, name: str | None = None) -> ModuleType:
    """Import the kernel file ``path`` under CPython, as module ``name`` (by default
    ``<stem>_cpython``), leaving ``sys.modules`` as it was.

    The module is in ``sys.modules`` while its body runs: ``@dataclass`` looks its module up
    there to read string annotations (``from __future__ import annotations``), as any import
    would allow. Afterwards the previous entry (usually none) is put back, so importing the
    same source twice gives two independent modules."""
    name = name or f"{path.stem}_cpython"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    previous = sys.modules.get(name)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        if previous is None:
            del sys.modules[name]
        else:
            sys.modules[name] = previous
    return module


def import_source(source: str, name: str) -> ModuleType:
    """Import kernel ``source`` under CPython (written to a temporary file first, so
    tracebacks and ``inspect`` see real lines)."""
    folder = Path(tempfile.mkdtemp(prefix="portalis-bench-"))
    path = folder / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    return import_kernel(path, name)


def jit_functions(module: ModuleType, *, skip: Collection[str] = (), **options: Any) -> ModuleType:
    """``module`` with every function it defines, but those in ``skip``, replaced by its
    ``numba.njit(**options)`` version in the module's globals, where the functions find each
    other: a jitted function calls the jitted others. Numba must be installed."""
    import numba

    for name, value in list(vars(module).items()):
        if inspect.isfunction(value) and value.__module__ == module.__name__ and name not in skip:
            setattr(module, name, numba.njit(**options)(value))
    return module
