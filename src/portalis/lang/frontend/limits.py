"""How deep and how large a kernel's source may be, and where to point when it is too much.

The compiler walks expressions recursively (lowering, inlining, emission), one Python frame
or more per level of nesting. A 1,000-term sum is a left-leaning tree 1,000 levels deep, and
generated code (unrolled polynomials, long chains of ``-``) is legitimately that deep, so
:func:`run_deep` gives a build a thread with a large stack and a matching recursion limit
instead of failing with RecursionError. Beyond :data:`MAX_NESTING` levels the build stops
with a located error (:func:`check_nesting`) rather than taking quadratic time or the
interpreter's stack. When Python's own parser gives up (it raises MemoryError or
RecursionError without a position), :func:`parser_failure_position` finds the line to blame.
"""

from __future__ import annotations

import ast
import io
import sys
import threading
import tokenize
from collections.abc import Callable
from typing import TypeVar

from portalis.lang.frontend import astwalk
from portalis.lang.frontend.diagnostics import Diagnostics

#: Deepest expression or statement nesting a kernel may have.
MAX_NESTING = 2000
#: Python frames a build may need per level of nesting (measured: about 6), with room.
_FRAMES_PER_LEVEL = 12
_STACK_BYTES = 512 * 1024 * 1024  # address space only: pages are touched as the stack grows

T = TypeVar("T")
_limit_lock = threading.Lock()
_deep_builds = 0
_saved_limit = 0


def run_deep(fn: Callable[[], T]) -> T:
    """Run ``fn`` (a whole build) in a thread whose stack and recursion limit suffice for
    :data:`MAX_NESTING` levels. The recursion limit is process-wide, so it is raised while
    any build runs and restored when the last one ends."""
    global _deep_builds, _saved_limit
    outcome: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(fn())
        except BaseException as e:  # re-raised in the caller's thread below
            failure.append(e)

    with _limit_lock:
        if _deep_builds == 0:
            _saved_limit = sys.getrecursionlimit()
            sys.setrecursionlimit(max(_saved_limit, MAX_NESTING * _FRAMES_PER_LEVEL + 2000))
        _deep_builds += 1
    try:
        worker = threading.Thread(target=target, name="portalis-build", daemon=True)
        previous = threading.stack_size(_STACK_BYTES)  # read when the thread starts
        try:
            worker.start()
        finally:
            threading.stack_size(previous)
        worker.join()
    finally:
        with _limit_lock:
            _deep_builds -= 1
            if _deep_builds == 0:
                sys.setrecursionlimit(_saved_limit)
    if failure:
        raise failure[0].with_traceback(failure[0].__traceback__)
    return outcome[0]


def check_nesting(tree: ast.AST, diag: Diagnostics) -> None:
    """Refuse a tree nested deeper than :data:`MAX_NESTING` levels, naming the place where it
    crosses the limit (walked level by level, without recursing: this runs on every node of
    every kernel; only a tree found too deep is walked again to name the place). Operators
    and expression contexts count as the level below their node, but are not walked
    (frontend/astwalk.py)."""
    level: list[ast.AST] = [tree]
    AST, child_fields = ast.AST, astwalk.CHILD_FIELDS
    for depth in range(MAX_NESTING + 1):
        below: list[ast.AST] = []
        push = below.append
        for node in level:
            for name in child_fields[node.__class__]:
                value = getattr(node, name, None)
                if value.__class__ is list:
                    for child in value:
                        if isinstance(child, AST):
                            push(child)
                elif isinstance(value, AST):
                    push(value)
        if not below:
            if depth < MAX_NESTING or not any(astwalk.has_leaves(n) for n in level):
                return
            break  # their operators or contexts are one level too deep
        level = below
    _name_too_deep(tree, diag)


def _name_too_deep(tree: ast.AST, diag: Diagnostics) -> None:
    """Raise the error for a tree deeper than :data:`MAX_NESTING` levels, at the first place
    (depth first) where it crosses the limit."""
    stack: list[tuple[ast.AST, int, ast.AST]] = [(tree, 0, tree)]
    pop, push, AST = stack.pop, stack.append, ast.AST
    while stack:
        node, depth, located = pop()
        if hasattr(node, "lineno"):
            located = node
        if depth > MAX_NESTING:
            raise diag.error(
                located,
                f"this is nested more than {MAX_NESTING} levels deep",
                "split the expression with intermediate variables",
            )
        # The children in ast.iter_child_nodes' order, without its two generators per node
        # (this runs once per node of the kernel).
        depth += 1
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for child in value:
                    if isinstance(child, AST):
                        push((child, depth, located))
            elif isinstance(value, AST):
                push((value, depth, located))


def parser_failure_position(source: str) -> tuple[int, int]:
    """(line, column), 1-based, to blame when Python's parser fails without a position: the
    first NUL character if there is one, else the start of the logical line with the most
    tokens (the parser runs out of stack on long or deeply nested expressions)."""
    nul = source.find("\0")
    if nul >= 0:
        line = source.count("\n", 0, nul) + 1
        return line, nul - (source.rfind("\n", 0, nul) + 1) + 1
    best, best_count, count, start = (1, 1), 0, 0, None
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if start is None:
                start = tok.start
            count += 1
            if tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                if count > best_count:
                    best, best_count = (start[0], start[1] + 1), count
                count, start = 0, None
    except (tokenize.TokenError, SyntaxError):
        if count > best_count and start is not None:
            best = (start[0], start[1] + 1)
    return best
