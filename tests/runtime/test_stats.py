"""Statistics per function and per module."""

from __future__ import annotations

import pytest

from portalis.errors import WasmTrap
from portalis.runtime import load_module

from . import wat


def test_calls_and_percentiles_are_recorded():
    inst = load_module(wat.binary(wat.ARITH), cache=False).instantiate()
    fma = inst.function("fma")
    for i in range(300):
        fma(float(i), 1.0, 0.0)
    s = fma.stats
    assert s.calls == 300 and s.failures == 0
    assert 0 < s.percentile(50) <= s.percentile(99) <= s.total_seconds
    assert abs(s.mean_seconds * 300 - s.total_seconds) < 1e-12
    assert inst.stats.memory_bytes == 65536 and inst.stats.compile_seconds >= 0


def test_failures_are_counted():
    inst = load_module(wat.binary(wat.ARITH), cache=False).instantiate()
    dm = inst.function("divmod")
    with pytest.raises(WasmTrap):
        dm(1, 0)
    assert dm.stats.failures == 1 and dm.stats.calls == 0


def test_monitoring_off_records_nothing():
    inst = load_module(wat.binary(wat.ARITH), cache=False).instantiate(monitoring=False)
    fma = inst.function("fma")
    for _ in range(10):
        fma(1.0, 2.0, 3.0)
    assert fma.stats.calls == 0
