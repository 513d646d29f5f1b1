"""Double of ``omni.ext``: ``IExt``, the base class Kit instantiates for each subclass found in
an extension's ``[[python.module]]``, calling ``on_startup(ext_id)`` when the extension is
enabled and ``on_shutdown()`` when it is disabled or hot-reloaded."""

from __future__ import annotations


class IExt:
    def on_startup(self, ext_id: str) -> None:
        pass

    def on_shutdown(self) -> None:
        pass
