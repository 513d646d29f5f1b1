"""The corpus: a dozen numerical kernels written the way people write them for Numba (issue 15).

Each module here is one kernel, the ordinary typed Python of public benchmark programs and
published JIT examples (written for this project, not copied), with:

* ``NATURAL``: the kernel's source as people write it (what issue 15 asks the compiler to take);
* ``ADAPTED``: the smallest change that the compiler accepts today, or ``None`` when the
  natural form compiles unchanged; ``WHY`` says what the adaptation works around;
* ``NUMBA`` (optional): where Numba refuses the natural form the compiler takes, the same
  algorithm written as Numba takes it — Numba is timed on that instead (and says so);
* ``ENTRY``: the function to call; ``SIZES``: ``{"test": …, "quick": …, "full": …}``;
* ``inputs(size) -> tuple``: the arguments, made from a fixed seed (fresh arrays on each call,
  since several kernels work in place); ``natural_inputs(size)`` where the natural form's
  signature differs.

Both sources run unmodified under CPython and under ``numba.njit``; ``portalis bench compiler``
builds them, checks the compiled results against CPython's (bit for bit: the return value and
every array argument after the call) and times CPython, Portalis and Numba on the same source.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any

#: Module names under ``portalis.bench.kernels``, in the order they are reported.
NAMES: tuple[str, ...] = (
    "nbody",
    "spectral_norm",
    "fft",
    "lu",
    "sor",
    "laplace",
    "floyd_warshall",
    "astar",
    "lennard_jones",
    "kde",
    "black_scholes",
    "matmul",
    "raytrace",
)


@dataclass(frozen=True)
class Kernel:
    """One corpus kernel, read from its module."""

    name: str
    natural: str
    adapted: str | None
    why: str
    entry: str
    sizes: dict[str, Any]
    module: ModuleType
    #: The form Numba is timed on where it refuses the natural one (``NUMBA``), else None.
    numba: str | None = None

    @property
    def source(self) -> str:
        """The form that is built and timed: the natural one when it compiles unchanged."""
        return self.adapted if self.adapted is not None else self.natural

    def inputs(self, size: str) -> tuple[Any, ...]:
        """Arguments of the timed form (``source``) at ``size`` (a key of ``sizes``)."""
        made: tuple[Any, ...] = self.module.inputs(self.sizes[size])
        return made

    def natural_inputs(self, size: str) -> tuple[Any, ...]:
        """Arguments of the natural form, where its signature differs from the adapted one."""
        make = getattr(self.module, "natural_inputs", self.module.inputs)
        made: tuple[Any, ...] = make(self.sizes[size])
        return made


def load(name: str) -> Kernel:
    module = importlib.import_module(f"portalis.bench.kernels.{name}")
    return Kernel(
        name=name,
        natural=module.NATURAL,
        adapted=module.ADAPTED,
        why=module.WHY,
        entry=module.ENTRY,
        sizes=module.SIZES,
        module=module,
        numba=getattr(module, "NUMBA", None),
    )


def corpus() -> list[Kernel]:
    return [load(name) for name in NAMES]
