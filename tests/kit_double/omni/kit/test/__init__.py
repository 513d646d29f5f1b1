"""Double of ``omni.kit.test``: ``AsyncTestCase``, a ``unittest`` test case whose ``setUp``,
``tearDown`` and ``test_*`` methods are coroutines, as Kit's are (Kit runs them on its own
event loop). Here ``unittest.IsolatedAsyncioTestCase`` runs them, and pytest collects the
class as a unittest case; its two hooks are pointed at the coroutine ``setUp``/``tearDown``
(private hooks of ``IsolatedAsyncioTestCase``, the same on Python 3.10–3.12)."""

from __future__ import annotations

import unittest


class AsyncTestCase(unittest.IsolatedAsyncioTestCase):
    def _callSetUp(self) -> None:
        self._callAsync(self.setUp)  # type: ignore[attr-defined]

    def _callTearDown(self) -> None:
        self._callAsync(self.tearDown)  # type: ignore[attr-defined]

    async def setUp(self) -> None:  # type: ignore[override]
        pass

    async def tearDown(self) -> None:  # type: ignore[override]
        pass
