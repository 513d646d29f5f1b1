"""The seeds' WasmtimeBridge facade, used as their README shows."""

from __future__ import annotations

import numpy as np
import pytest

from portalis import WasmModuleConfig, WasmtimeBridge
from portalis.errors import DeadlineExceeded, ImportDeniedError, PortalisError

from . import wat


@pytest.fixture
def module_file(tmp_path):
    path = tmp_path / "module.wasm"
    path.write_bytes(wat.binary(wat.ARITH))
    return path


def test_readme_example(module_file, tmp_path):
    config = WasmModuleConfig(max_memory_mb=512, enable_wasi=True, cache_enabled=True,
                              cache_dir=tmp_path / "cache")  # fmt: skip
    bridge = WasmtimeBridge(config)
    module_id = bridge.load_module(module_file)
    assert module_id == "module"
    assert bridge.call_function(module_id, "fma", 1.0, 2.0, 3.0) == 5.0
    stats = bridge.get_performance_stats()
    assert stats["total_calls"] == 1 and stats["avg_execution_time_ms"] > 0
    assert list((tmp_path / "cache").glob("*.cwasm"))


def test_call_function_array_raw_module(module_file):
    bridge = WasmtimeBridge()
    mid = bridge.load_module(module_file, module_id="m")
    out, total = bridge.call_function_array(mid, "sum", np.array([1.0, 2.0, 4.0]))
    assert total == 7.0 and out.tolist() == [1.0, 2.0, 4.0]


def test_call_function_array_abi_module(tmp_path):
    path = tmp_path / "k.wasm"
    path.write_bytes(wat.abi_kernel())
    bridge = WasmtimeBridge()
    mid = bridge.load_module(path)
    data = np.array([1.0, 2.0])
    out, total = bridge.call_function_array(mid, "scale", data, 10.0)
    assert total == 30.0 and out.tolist() == [10.0, 20.0]
    assert data.tolist() == [1.0, 2.0]  # the caller's array is not modified
    assert bridge.call_function(mid, "div", 1.0, 8.0) == 0.125


def test_module_info_and_unload(module_file):
    bridge = WasmtimeBridge(WasmModuleConfig(cache_enabled=False))
    mid = bridge.load_module(module_file)
    info = bridge.get_module_info(mid)
    assert info["memory_bytes"] == 65536 and info["path"] == str(module_file)
    assert {"name": "fma", "kind": "func", "type": "(f64, f64, f64) -> (f64)"} in info["exports"]
    bridge.unload_module(mid)
    with pytest.raises(PortalisError, match="no module loaded with id 'module'"):
        bridge.call_function(mid, "fma", 1.0, 2.0, 3.0)
    bridge.load_module(module_file, "a")
    bridge.load_module(module_file, "b")
    bridge.unload_all()
    assert bridge.modules == []


def test_config_maps_to_the_sandbox(tmp_path):
    spin = tmp_path / "spin.wasm"
    spin.write_bytes(wat.binary(wat.INFINITE_LOOP))
    bridge = WasmtimeBridge(WasmModuleConfig(max_execution_time_ms=50))
    mid = bridge.load_module(spin)
    with pytest.raises(DeadlineExceeded):
        bridge.call_function(mid, "spin")
    wasi = tmp_path / "wasi.wasm"
    wasi.write_bytes(wat.binary(wat.WASI_IMPORT))
    with pytest.raises(ImportDeniedError):
        WasmtimeBridge().load_module(wasi)
    assert WasmtimeBridge(WasmModuleConfig(enable_wasi=True)).load_module(wasi) == "wasi"


@pytest.mark.parametrize(
    "config",
    [
        {"max_memory_mb": 0},
        {"max_memory_mb": -1},
        {"max_memory_mb": float("nan")},
        {"max_execution_time_ms": 0},
        {"max_execution_time_ms": float("inf")},
    ],
)
def test_seeds_config_refuses_limits_that_would_switch_the_sandbox_off(config):
    from portalis.errors import ConfigError

    with pytest.raises(ConfigError):
        WasmtimeBridge(WasmModuleConfig(**config))
