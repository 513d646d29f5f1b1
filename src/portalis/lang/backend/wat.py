"""The module: memory, error globals, persistent state, constant data, functions, math
wrappers and the allocator, as one WebAssembly text document."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from portalis.abi import ERROR_GLOBAL, ERROR_LINE_GLOBAL
from portalis.lang import builtins, ir, library_cache
from portalis.lang.backend import plan
from portalis.lang.backend.emit import FunctionEmitter
from portalis.lang.backend.instructions import const
from portalis.lang.backend.messages import message_import
from portalis.lang.backend.simd import hoist_apart, vectorise
from portalis.lang.backend.support import ALLOCATOR, helper, math_slow_path
from portalis.lang.library_cache import LibraryKey

PAGE = 65536


def emit_module(
    module: ir.Module, loops: plan.Plan | None = None, library: LibraryKey | None = None
) -> str:
    """The module's text; ``loops``: what the loop passes decided (backend/plan.py), which
    are run here (after backend/simd.py's ``vectorise``) when not given. ``library``: the
    key of the module's library functions when every one is kept per process
    (lang/library_cache.py): their text is then made once per process and layout."""
    if loops is None:
        vectorise(module)
        loops = plan.value_ranges(module)
        plan.unroll_loops(module, loops)
        plan.version_loops(module, loops)
        hoist_apart(module, loops)
        plan.plan_rows(module, loops)
    helpers: set[str] = set()
    # Each function's text as one string, its lines indented one level into the module
    # (one join per function, not a string per line).
    bodies: list[str] = []
    kept = library_cache.EmittedLibrary(library, module) if library is not None else None
    for fn in module.functions:
        fp = loops.get(fn.symbol)  # None: a library function whose text may be kept
        if kept is not None and kept.holds(fn):
            lines: Sequence[str] = kept.text(fn, _emitter(fn, module, fp), helpers)
        else:
            if fp is None:
                fp = plan.library_plan(fn)
            lines = FunctionEmitter(fn, module, helpers, fp).function()
        bodies.append("  " + "\n  ".join(lines))
    pages = max(1, -(-(module.heap_base + PAGE) // PAGE))
    out = [f";; compiled by portalis.lang from {module.source_name}", "(module"]
    if module.messages:  # print/raise texts go to the host (backend/messages.py)
        out.append("  " + message_import())
    out.append(f'  (memory (export "memory") {pages})')
    for g in (ERROR_GLOBAL, ERROR_LINE_GLOBAL):
        out.append(f'  (global ${g} (export "{g}") (mut i32) (i32.const 0))')
    for s in module.state_scalars:
        out.append(
            f'  (global ${s.symbol} (export "{s.symbol}") (mut {s.type.wasm}) '
            f"({const(s.type, s.init).text}))"
        )
    out.append(f"  (global $~heap (mut i32) (i32.const {module.heap_base}))")
    out.append("  (global $~free (mut i32) (i32.const 0))")
    for block in module.data:
        text = "\\" + block.data.hex("\\") if block.data else ""
        out.append(f'  (data (i32.const {block.offset}) "{text}")  ;; {block.symbol}')
    out.extend(bodies)
    for key, _symbol in sorted(module.links.items()):
        kind, name = key.split(":", 1)
        if kind != "libm":
            continue
        b = builtins.BUILTINS[f"math.{name}"]
        assert b.arity is not None
        if b.errors != "none":
            out.append(_indent(math_slow_path(name, b.errors, b.arity)))
    for name in sorted(helpers):
        out.append(_indent(helper(name, module.links)))
    out.append(_indent(ALLOCATOR))
    out.append(")\n")  # the text ends with a newline (one join: no copy to add it)
    return _ascii_identifiers("\n".join(out))


def _emitter(
    fn: ir.Function, module: ir.Module, fp: plan.FunctionPlan | None
) -> Callable[[set[str]], list[str]]:
    """Emits ``fn``, collecting the helpers it calls into the set it is given; ``fp``
    None: a library function's plan, made only now (backend/plan.py)."""

    def emit(helpers: set[str]) -> list[str]:
        own = fp if fp is not None else plan.library_plan(fn)
        return FunctionEmitter(fn, module, helpers, own).function()

    return emit


_IDENTIFIER = re.compile(r"\$[^\s()\";,\[\]{}]+")


def _ascii_identifiers(text: str) -> str:
    """WebAssembly text identifiers are ASCII, Python's are not (PEP 3131): each non-ASCII
    character of a ``$name`` becomes ``^hex^`` (``^`` never occurs in a Python name, so two
    names stay two). Export names are strings, which may hold any UTF-8, and keep the
    Python spelling the ABI and the runtime use."""
    if text.isascii():
        return text

    def mangle(match: re.Match[str]) -> str:
        return "".join(c if c.isascii() else f"^{ord(c):x}^" for c in match.group())

    return _IDENTIFIER.sub(mangle, text)


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else line for line in text.strip("\n").split("\n"))
