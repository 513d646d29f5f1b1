"""Ctrl-C while WebAssembly runs.

Python runs a pending signal handler at the next bytecode it executes on the main thread.
While a module runs, that is the epoch callback wasmtime calls from inside the module's
code, so the default handler's ``KeyboardInterrupt`` would be raised in a frame whose caller
is C: ctypes can only print it and hand wasmtime a zeroed answer, losing the interrupt (or,
with the callback's out-parameters unwritten, worse). So once a module with a deadline is
instantiated on the main thread, SIGINT goes through :func:`_handler`: inside the callback
it only marks the instance, which ends the call with an error that is raised again as
``KeyboardInterrupt`` once the call is back in Python; anywhere else it calls the handler
it replaced, unchanged. Only a Python-level handler is wrapped, and never twice.

One place is neither: a finalizer (``__del__``) that the garbage collector runs while a
module runs, when the callback's arguments allocate. Python swallows any exception a
finalizer raises ("Exception ignored in …"), so the interrupt would be lost and the call
would run on to its deadline. A SIGINT handled during a collection is therefore delivered
again once the collection is over (a ``gc.callbacks`` hook), where it lands in the callback
or in ordinary code as usual.
"""

from __future__ import annotations

import _thread
import gc
import signal
import threading
from collections.abc import Callable
from types import CodeType, FrameType
from typing import Any

_callback_codes: set[CodeType] = set()

#: How far up from the interrupted frame the callback may be (it calls small helpers).
_DEPTH = 4


class _HoldInWasm:
    """A SIGINT handler that holds the interrupt inside the epoch callback and otherwise
    calls the handler it wraps."""

    def __init__(self, wrapped: Callable[[int, FrameType | None], Any]) -> None:
        self.wrapped = wrapped

    def __call__(self, signum: int, frame: FrameType | None) -> Any:
        global _deferred
        if _collecting or (frame is not None and frame.f_code is _on_collection.__code__):
            _deferred = True  # in a finalizer or the hook: raised there, it would be swallowed
            return None
        f = frame
        for _ in range(_DEPTH):
            if f is None:
                break
            if f.f_code in _callback_codes:
                f.f_locals["self"]._interrupted = True
                return None
            f = f.f_back
        return self.wrapped(signum, frame)


_collecting = False
_deferred = False


def _on_collection(phase: str, _info: dict[str, int]) -> None:
    global _collecting, _deferred
    if threading.current_thread() is threading.main_thread():
        _collecting = phase == "start"  # signal handlers run on the main thread only
    if phase == "stop" and _deferred:
        _deferred = False
        _thread.interrupt_main()  # handled at the next Python code, outside the collector


def hold_interrupts_in(callback_code: CodeType) -> None:
    """Route SIGINT raised inside frames running ``callback_code`` to the instance
    (``self._interrupted = True``) instead of raising there. Checked at every instantiation,
    since a host may have replaced the handler since (a bake swaps its own in and out)."""
    _callback_codes.add(callback_code)
    if threading.current_thread() is not threading.main_thread():
        return
    if _on_collection not in gc.callbacks:
        gc.callbacks.append(_on_collection)
    current = signal.getsignal(signal.SIGINT)
    if isinstance(current, _HoldInWasm) or not callable(current):
        return  # ours already, or SIG_IGN / SIG_DFL: no Python code runs, nothing to hold
    signal.signal(signal.SIGINT, _HoldInWasm(current))
