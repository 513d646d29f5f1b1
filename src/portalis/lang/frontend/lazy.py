"""Front-end modules imported on first use: those for constructs most kernels never write
(lists of lists, lists of tuples, ``heapq``, functions taking or returning lists, rows
picked by a list). A process's first build imports the front end inside its ``lower``
pass, and each of these cost it 0.1–0.6 ms for nothing. A file that calls one names it
so::

    if TYPE_CHECKING:
        from portalis.lang.frontend import nested_lists
    else:
        nested_lists = lazy.module("portalis.lang.frontend.nested_lists")

and asks it only once a cheap test says the construct is there (``if self.nested_lists
and ...``: the lowerer holds a list of lists), so a kernel without it never imports it.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class _Module:
    """A stand-in for the module ``name``: the first attribute read imports it."""

    __slots__ = ("_module", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attr)


def module(name: str) -> Any:
    """The module ``name``, imported when first used (see above)."""
    return _Module(name)
