"""Fixtures for the demo kernels. Every kernel test runs twice: on the kernel's source under
CPython, and on the module ``portalis build`` makes of it — the same assertions hold for both.

Each test gets a fresh copy (a new module object, or a new instance), since a kernel's
module-level variables are its persistent state and must not leak between tests.
"""

from __future__ import annotations

import builtins
import importlib.util
import itertools
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import portalis.demos
from portalis.errors import WasmTrap
from portalis.lang import build
from portalis.runtime.kernel import Kernel, load

_counter = itertools.count()


def kernel_source(demo_folder: str) -> Path:
    return Path(portalis.demos.__file__).parent / demo_folder / "kernel.py"


def load_fresh(demo_folder: str) -> ModuleType:
    """Import ``src/portalis/demos/<demo_folder>/kernel.py`` as a new module object."""
    spec = importlib.util.spec_from_file_location(
        f"_demo_kernel_{next(_counter)}", kernel_source(demo_folder)
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class CompiledKernel:
    """A compiled kernel that reads like the imported module: functions, state variables and
    constants by name, and a trap for a Python error raised as that Python exception."""

    def __init__(self, kernel: Kernel, source: ModuleType) -> None:
        self._kernel = kernel
        self._source = source

    def __getattr__(self, name: str) -> Any:
        abi = self._kernel.abi
        if abi is not None and abi.function(name) is not None:
            return self._raising(self._kernel.function(name))
        if self._kernel.state is not None and name in dir(self._kernel.state):
            return getattr(self._kernel.state, name)
        return getattr(self._source, name)  # a constant: the same source defines it

    @staticmethod
    def _raising(fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except WasmTrap as e:
                exception = getattr(builtins, e.python_exception or "", None)
                if isinstance(exception, type) and issubclass(exception, Exception):
                    raise exception(str(e)) from e
                raise

        return call


@pytest.fixture(scope="session")
def built_kernels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("demo_kernels")
    return {
        folder: build(kernel_source(folder), out / f"{folder}.wasm")
        for folder in ("projectile", "robot_arm", "fluid")
    }


@pytest.fixture(params=["cpython", "compiled"])
def fresh_kernel(
    request: pytest.FixtureRequest, built_kernels: dict[str, Path]
) -> Callable[[str], Any]:
    """A loader of fresh kernels for this test's backend."""
    if request.param == "cpython":
        return load_fresh

    def load_compiled(demo_folder: str) -> Any:
        kernel = load(built_kernels[demo_folder])
        request.addfinalizer(kernel.close)
        return CompiledKernel(kernel, load_fresh(demo_folder))

    return load_compiled
