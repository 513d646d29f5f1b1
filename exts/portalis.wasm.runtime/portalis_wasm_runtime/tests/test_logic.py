"""The extension's plain classes, without Kit: consent rules and the panel's bookkeeping."""

from __future__ import annotations

import unittest

from portalis.sim.stats import PrimStatistics
from portalis_wasm_runtime.panel_model import FrameTimes, Percentiles
from portalis_wasm_runtime.settings import DEFAULTS, DictStore, Settings, path_of
from portalis_wasm_runtime.trust import ModuleRef, Trust

A = ModuleRef("/A", "/a.wasm", "aa" * 32)
B = ModuleRef("/B", "/b.wasm", "bb" * 32)
MISSING = ModuleRef("/C", "c.wasm", None)


class TestTrust(unittest.TestCase):
    def setUp(self):
        self.store = DictStore()
        self.settings = Settings(self.store)

    def test_per_module_hash(self):
        trust = Trust(self.settings)
        self.assertEqual(trust.untrusted("/s.usda", [A, B, MISSING]), [A, B])
        trust.allow("/s.usda", [A], remember=True)
        self.assertEqual(self.settings.get("trusted_modules"), [A.sha256])
        # remembered across sessions (a new Trust over the same settings), and across stages
        self.assertEqual(Trust(self.settings).untrusted("/other.usda", [A, B]), [B])

    def test_allow_once_is_not_remembered(self):
        trust = Trust(self.settings)
        trust.allow("/s.usda", [A], remember=False)
        self.assertEqual(trust.untrusted("/s.usda", [A]), [])
        self.assertEqual(Trust(self.settings).untrusted("/s.usda", [A]), [A])
        self.assertIsNone(self.store.get(path_of("trusted_modules")))

    def test_per_stage(self):
        self.settings.set("trust_scope", "stage")
        trust = Trust(self.settings)
        trust.allow("/s.usda", [A], remember=True)
        later = Trust(self.settings)
        self.assertEqual(later.untrusted("/s.usda", [A, B]), [])  # the stage, whatever it runs
        self.assertEqual(later.untrusted("/other.usda", [A]), [A])

    def test_forget(self):
        trust = Trust(self.settings)
        trust.allow("/s.usda", [A], remember=True)
        trust.forget()
        self.assertEqual(trust.untrusted("/s.usda", [A]), [A])


class TestSettings(unittest.TestCase):
    def test_defaults_and_sandbox(self):
        settings = Settings(DictStore())
        self.assertEqual(settings.get("max_memory_mb"), DEFAULTS["max_memory_mb"][0])
        settings.set("max_memory_mb", 0)
        settings.set("deadline_ms", 0)
        sandbox = settings.sandbox()
        self.assertIsNone(sandbox.max_memory_bytes)
        self.assertIsNone(sandbox.deadline_s)
        with self.assertRaises(KeyError):
            settings.set("max_memroy_mb", 1)


class TestPanelBookkeeping(unittest.TestCase):
    def test_overlay_mean_over_recent_frames(self):
        frames = FrameTimes(size=2)
        self.assertIsNone(frames.mean_ms())
        for seconds in (1.0, 0.002, 0.004):
            frames.add(seconds)
        self.assertAlmostEqual(frames.mean_ms(), 3.0)

    def test_percentiles_take_turns(self):
        stats = [PrimStatistics(f"/P{i}", "m", "update", True) for i in range(4)]
        for s in stats:
            s.record(1.0)
        percentiles = Percentiles(per_refresh=2)

        def refresh() -> list[float | None]:
            percentiles.begin(len(stats))
            values = [percentiles.get(i, s) for i, s in enumerate(stats)]
            percentiles.end()
            return values

        self.assertEqual(refresh(), [1.0] * 4)  # first sight: all computed
        for s in stats:
            s.record(5.0)
            s.record(5.0)
        self.assertEqual(refresh(), [1.0, 1.0, 5.0, 5.0])  # prims 2 and 3: their turn
        self.assertEqual(refresh(), [5.0, 5.0, 5.0, 5.0])  # then 0 and 1
