"""A peer that is not installed (Numba, Warp, Open3D) is named once per benchmark run, in the
same words by every benchmark, however many cases would have used it."""

from __future__ import annotations

import importlib.util
import types
from collections.abc import Callable
from typing import Any

import pytest

from portalis.bench import peers

MISSING = ("numba", "warp", "open3d", "ray")


def line(peer: str) -> str:
    extra = "portalis[ray]" if peer == "ray" else "portalis[bench]"
    return f"{peer}: not installed; no {peer} rows (pip install '{extra}')"


@pytest.fixture
def without_peers(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine without the peers: find_spec finds none of them."""
    real = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> Any:
        return None if name.split(".")[0] in MISSING else real(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    peers.new_run()


def _fluid_numba() -> Any:
    from portalis.bench import fluid

    return fluid.numba_module()


def _fluid_warp() -> Any:
    from portalis.bench import fluid

    return fluid.warp_step(None, {})  # type: ignore[arg-type]


def _lidar_numba() -> Any:
    from portalis.bench import lidar

    return lidar.numba_kernel()


def _lidar_open3d() -> Any:
    from portalis.bench import lidar

    return lidar.open3d_filter()


def _libm_numba() -> Any:
    from portalis.bench import libm

    return libm.numba_map("sin", 1)


def _warehouse_numba() -> Any:
    from portalis.bench import warehouse

    return warehouse.numba_jit(None)  # type: ignore[arg-type]


def _compiler_numba_and_warp() -> Any:
    from portalis.bench import compiler

    found = compiler.peers(types.ModuleType("kernel"))
    return None if set(found) == {"numpy"} else found


@pytest.mark.parametrize(
    ("ask", "named"),
    [
        (_fluid_numba, ["numba"]),
        (_fluid_warp, ["warp"]),
        (_lidar_numba, ["numba"]),
        (_lidar_open3d, ["open3d"]),
        (_libm_numba, ["numba"]),
        (_warehouse_numba, ["numba"]),
        (_compiler_numba_and_warp, ["numba", "warp"]),
    ],
)
def test_a_missing_peer_is_named_once_the_same_way(
    without_peers: None,
    ask: Callable[[], Any],
    named: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert ask() is None
    assert ask() is None  # asked again in the same run (another case, another size)
    assert capsys.readouterr().out.splitlines() == [line(p) for p in named]
    peers.new_run()  # the next benchmark's run names it again
    ask()
    assert capsys.readouterr().out.splitlines() == [line(p) for p in named]


def test_the_fluid_benchmark_names_missing_numba_and_warp_once(
    without_peers: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from portalis.bench import fluid

    argv = ["--sizes", "8,10", "--runs", "1", "--peers", "numpy,numba,warp", "--phases-at", "0"]
    assert fluid.main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    assert out.count(line("numba")) == 1 and out.count(line("warp")) == 1
    assert not [s for s in out if "not installed" in s and s not in (line("numba"), line("warp"))]


def test_an_installed_peer_that_will_not_import_is_named_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    peers.new_run()
    peers.peer_missing("open3d", "installed but cannot be imported (libusb-1.0.so.0: no such file)")
    peers.peer_missing("open3d", "installed but cannot be imported (again)")
    assert capsys.readouterr().out.splitlines() == [
        "open3d: installed but cannot be imported (libusb-1.0.so.0: no such file); no open3d rows"
    ]
