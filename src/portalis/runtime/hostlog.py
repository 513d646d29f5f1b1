"""The host side of kernel messages (portalis/messages.py): the one import the runtime
gives a module without being asked, ``portalis.message``, and the bounded log its
``print`` output goes to.

A module is untrusted, so everything here is capped:

* the message table comes from the module's ABI section and is checked when the instance
  is made (format strings parsed, widths of at most 3 digits, at most 8 values);
* a line is cut at :attr:`HostLog.max_line_chars` characters (text printed without a
  newline waits in a buffer of that size, then is cut into a line);
* the log keeps the last :attr:`HostLog.keep` lines in memory (``instance.log.lines``);
* at most :attr:`HostLog.max_shown` lines per instance go to the ``portalis.kernel``
  logger (what ``portalis run`` shows); after that one notice says output is suppressed,
  and further lines are only counted (``instance.log.suppressed``) and kept in the tail;
* a message number the table does not have is logged as such, not trusted.

Formatting a message is bounded work (at most 8 values, bounded widths), so a module
calling ``print`` in a loop costs host time per call but cannot grow memory or flood the
terminal, and its call deadline still applies. ``raise E(message)`` calls the same import
just before the module traps: the text is held and attached to the exception the runtime
raises (instance.py).
"""

from __future__ import annotations

import collections
import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any, TextIO

import wasmtime

from portalis.errors import ModuleLoadError
from portalis.messages import MESSAGE_IMPORT, MESSAGE_PARAMS, Message, MessageError

LOGGER = logging.getLogger("portalis.kernel")


def is_message_import(module: str, name: str, kind: str, params: tuple[str, ...]) -> bool:
    """Whether an import is the host-log function, with exactly its type."""
    return (module, name) == MESSAGE_IMPORT and kind == "func" and params == MESSAGE_PARAMS


def message_table(extra: dict[str, Any], module_name: str) -> tuple[Message, ...]:
    """The messages a module's ABI declares (``extra.messages``), checked."""
    docs = extra.get("messages", [])
    if not isinstance(docs, list) or len(docs) > 1 << 16:
        raise ModuleLoadError("portalis.abi extra.messages: expected a list", source=module_name)
    try:
        return tuple(Message.from_json(d, f"extra.messages[{i}]") for i, d in enumerate(docs))
    except MessageError as e:
        raise ModuleLoadError(f"portalis.abi {e}", source=module_name) from None


@contextlib.contextmanager
def shown_on(stream: TextIO) -> Iterator[None]:
    """While inside, kernels' printed lines go to ``stream`` (``portalis run``: stderr)."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("print %(message)s"))
    level = LOGGER.level
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    try:
        yield
    finally:
        LOGGER.removeHandler(handler)
        LOGGER.setLevel(level)


def define(linker: wasmtime.Linker, ty: wasmtime.FuncType, log: HostLog) -> None:
    module, name = MESSAGE_IMPORT
    linker.define_func(module, name, ty, log.host_function)


class HostLog:
    """What one instance's kernel printed, and the text of the exception it is raising."""

    def __init__(
        self,
        module: str,
        messages: tuple[Message, ...],
        *,
        keep: int = 200,
        max_shown: int = 100,
        max_line_chars: int = 1000,
        sink: Callable[[str], None] | None = None,
    ) -> None:
        self.module = module
        self.messages = messages
        self.keep = keep
        self.max_shown = max_shown
        self.max_line_chars = max_line_chars
        self.lines: collections.deque[str] = collections.deque(maxlen=keep)
        self.shown = 0
        self.suppressed = 0
        self._partial = ""
        self._pending: tuple[str, str] | None = None  # (exception, text) of a raise
        self._sink = sink or (lambda line: LOGGER.info("%s", line))

    def host_function(self, index: int, *values: int) -> None:
        """``portalis.message``: called by the module (never raises into it)."""
        if not 0 <= index < len(self.messages):
            self._add_text(f"<unknown message {index}>\n", "?")
            return
        m = self.messages[index]
        text = m.render(values[: len(m.values)])
        if m.kind == "raise":
            self._pending = (m.exception, self._cut(text))
        else:
            self._add_text(text, m.function)

    def take_error(self, exception: str) -> str:
        """The message of the exception being raised, if the module gave one for it."""
        pending, self._pending = self._pending, None
        if pending is not None and pending[0] == exception:
            return pending[1]
        return ""

    def flush(self) -> None:
        """Log text printed without a final newline (at the end of a run)."""
        if self._partial:
            text, self._partial = self._partial, ""
            self._line(text, "")

    def _add_text(self, text: str, function: str) -> None:
        text = self._partial + text
        *complete, self._partial = text.split("\n")
        for line in complete:
            self._line(line, function)
        if len(self._partial) > self.max_line_chars:
            text, self._partial = self._partial, ""
            self._line(text, function)

    def _cut(self, text: str) -> str:
        if len(text) <= self.max_line_chars:
            return text
        return text[: self.max_line_chars] + f"… ({len(text) - self.max_line_chars} more)"

    def _line(self, text: str, function: str) -> None:
        where = f"{self.module}::{function}" if function else self.module
        line = f"{where}: {self._cut(text)}"
        self.lines.append(line)
        if self.shown < self.max_shown:
            self.shown += 1
            self._sink(line)
            if self.shown == self.max_shown:
                self._sink(
                    f"{self.module}: {self.max_shown} lines printed; further output is "
                    "suppressed (the last lines stay in instance.log.lines)"
                )
        else:
            self.suppressed += 1


__all__ = ["LOGGER", "HostLog", "is_message_import", "message_table", "shown_on"]
