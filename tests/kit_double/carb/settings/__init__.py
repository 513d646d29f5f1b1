"""Double of ``carb.settings``: ``get_settings()`` → ``ISettings`` with ``get(path)``,
``set(path, value)`` and ``set_default(path, value)`` over slash-separated paths
(``/exts/<ext id>/key``), as Kit's settings registry has them; ``[settings]`` tables of an
extension.toml land under the same paths when the extension is enabled."""

from __future__ import annotations

from typing import Any


class ISettings:
    def __init__(self) -> None:
        self._values: dict[str, Any] = {}

    def get(self, path: str) -> Any:
        return self._values.get(path)

    def set(self, path: str, value: Any) -> None:
        self._values[path] = value

    def set_default(self, path: str, value: Any) -> None:
        self._values.setdefault(path, value)


_settings = ISettings()


def get_settings() -> ISettings:
    return _settings


def _reset() -> None:
    global _settings
    _settings = ISettings()


def _live_subscriptions() -> int:
    return 0  # the extension subscribes to no settings changes
