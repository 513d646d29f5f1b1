"""Double of ``carb``: the logging functions (``carb.log_info`` …), kept for tests to read."""

from __future__ import annotations

#: (level, message) of every log call, oldest first.
LOG: list[tuple[str, str]] = []


def log_info(msg: str) -> None:
    LOG.append(("info", msg))


def log_warn(msg: str) -> None:
    LOG.append(("warn", msg))


def log_error(msg: str) -> None:
    LOG.append(("error", msg))
