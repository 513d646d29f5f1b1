"""Subscriptions through the double: three while enabled, the same three after a hot reload,
none after shutdown; Kit 106's update stream where Events 2.0 is missing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import kit_double

EXT = "portalis.wasm.runtime"


def running():
    return sys.modules["portalis_wasm_runtime"].get_extension()


def play(frames: int) -> None:
    import omni.kit.app
    import omni.timeline

    omni.timeline.get_timeline_interface().play()
    for _ in range(frames):
        omni.kit.app.get_app().update()


def open_scene(folder: Path) -> None:
    import omni.kit.app
    import omni.usd
    from portalis_wasm_runtime.tests import scenes

    omni.usd.get_context().open_stage(str(scenes.write_scene(folder)))
    omni.kit.app.get_app().update()


def test_subscriptions_live_only_while_enabled(kit, tmp_path):
    assert kit_double.live_subscriptions() == 0
    kit.set_extension_enabled_immediate(EXT, True)
    assert kit_double.live_subscriptions() == 3
    open_scene(tmp_path)
    running().controller.allow(remember=True)  # "allow once" ends with the extension
    play(3)
    kit.hot_reload(EXT)
    assert kit_double.live_subscriptions() == 3, "hot reload left the old subscriptions"
    play(2)
    assert running().controller.session.runner.prims
    kit.set_extension_enabled_immediate(EXT, False)
    assert kit_double.live_subscriptions() == 0
    assert running() is None


def test_after_shutdown_nothing_runs(kit, tmp_path):
    kit.set_extension_enabled_immediate(EXT, True)
    open_scene(tmp_path)
    running().controller.allow(remember=False)
    play(2)
    session = running().controller.session
    runner = session.runner
    kit.set_extension_enabled_immediate(EXT, False)
    play(5)
    assert runner.frame == 2, "the runner stepped after the extension shut down"
    import omni.ui

    assert omni.ui._open_windows() == []


@pytest.mark.parametrize("events_2", [True, False], ids=["kit107+", "kit106"])
def test_update_subscription_per_kit_version(kit, tmp_path, monkeypatch, events_2):
    import omni.kit.app

    if not events_2:  # Kit 106 has no omni.kit.app.GLOBAL_EVENT_UPDATE
        monkeypatch.delattr(omni.kit.app, "GLOBAL_EVENT_UPDATE")
    kit.set_extension_enabled_immediate(EXT, True)
    update = running().hooks._subscriptions[0]
    assert type(update).__name__ == ("ObserverGuard" if events_2 else "ISubscription")
    open_scene(tmp_path)
    running().controller.allow(remember=False)
    play(4)
    assert running().controller.session.runner.frame == 4
    kit.set_extension_enabled_immediate(EXT, False)
    assert kit_double.live_subscriptions() == 0
