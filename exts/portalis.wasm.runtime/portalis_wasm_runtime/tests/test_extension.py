"""The extension in a (real or double) Kit: enable it, open a scene, opt in, play, pause,
scrub, stop, hot-reload, shut down. Outputs are checked against a headless ``portalis run``
of the same scene file."""

from __future__ import annotations

import tempfile
from pathlib import Path

import omni.kit.app
import omni.kit.test
import omni.timeline
import omni.usd
from pxr import Usd

from portalis.sim.bake import bake
from portalis.usd import add_input, add_output, create_wasm_module_prim, schemas_registered
from portalis_wasm_runtime.session import State

from . import scenes

EXT = "portalis.wasm.runtime"
OUTPUTS = [f"{p}.outputs:y" for p in scenes.CHAIN] + [
    f"{scenes.PROBE}.value",
    f"{scenes.COUNTER}.outputs:total",
]


class TestExtension(omni.kit.test.AsyncTestCase):
    async def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.folder = Path(self._tmp.name)
        self.scene = scenes.write_scene(self.folder / "scene")
        self.app = omni.kit.app.get_app()
        self.manager = self.app.get_extension_manager()
        self.manager.set_extension_enabled_immediate(EXT, True)
        self.timeline = omni.timeline.get_timeline_interface()
        self.timeline.set_looping(False)
        # one frame per update, so frame N's values can be compared with portalis run's
        self.timeline.set_play_every_frame(True)
        self.timeline.set_target_framerate(scenes.FPS)
        self.context = omni.usd.get_context()

    async def tearDown(self):
        self.timeline.stop()
        await self.app.next_update_async()
        await self.context.close_stage_async()
        self._tmp.cleanup()

    # -- helpers -------------------------------------------------------------------------------

    @property
    def ext(self):
        ext = running_extension()
        self.assertIsNotNone(ext, "the extension is not running")
        return ext

    @property
    def session(self):
        return self.ext.controller.session

    async def open_and_allow(self, remember: bool = False):
        ok, error = await self.context.open_stage_async(str(self.scene))
        self.assertTrue(ok, error)
        self.ext.controller.allow(remember=remember)
        self.assertEqual(self.session.state.value, State.READY.value)

    async def play(self, frames: int):
        self.timeline.play()
        for _ in range(frames):
            await self.app.next_update_async()

    def buttons(self) -> dict:
        """The panel's buttons by label (``omni.ui.Button``; Kit's has ``call_clicked_fn``)."""
        return self.ext.panel.buttons

    def headless(self, name: str = "run.usda") -> Usd.Stage:
        output = self.folder / name
        bake(self.scene, output)
        return Usd.Stage.Open(str(output))

    def assert_same_outputs(self, stage: Usd.Stage, reference: Usd.Stage, codes) -> None:
        for path in OUTPUTS:
            live, baked = stage.GetAttributeAtPath(path), reference.GetAttributeAtPath(path)
            for code in codes:
                self.assertEqual(live.Get(code), baked.Get(code), f"{path} at time code {code}")

    # -- tests ---------------------------------------------------------------------------------

    async def test_startup_registers_schemas_then_subscribes(self):
        self.assertTrue(schemas_registered())
        self.assertIsNone(self.ext.controller.problem)
        self.assertEqual(self.ext.panel.window.title, "Portalis WASM Runtime")
        self.assertEqual(len(self.ext.hooks._subscriptions), 3)

    async def test_a_stage_with_modules_runs_nothing_before_consent(self):
        ok, _ = await self.context.open_stage_async(str(self.scene))
        self.assertTrue(ok)
        self.assertEqual(self.session.state.value, State.NEEDS_CONSENT.value)
        self.assertIsNone(self.session.runner)
        self.assertEqual(
            {m.prim_path for m in self.ext.controller.model.consent},
            {*scenes.CHAIN, scenes.COUNTER, scenes.BAD},
        )
        await self.play(5)
        stage = self.context.get_stage()
        self.assertIsNone(stage.GetAttributeAtPath(f"{scenes.COUNTER}.outputs:total").Get(3))
        self.assertTrue(self.session.live_layer.empty)
        self.timeline.stop()  # stopping (or scrubbing) a stage without consent runs nothing
        await self.app.next_update_async()
        self.timeline.set_current_time(7 / scenes.FPS)
        await self.app.next_update_async()
        self.assertIsNone(self.session.runner)
        self.assertEqual(self.session.state.value, State.NEEDS_CONSENT.value)

    async def test_playing_writes_what_portalis_run_writes(self):
        await self.open_and_allow()
        await self.play(30)
        self.assertAlmostEqual(self.session.time_code, 30)
        stage = self.context.get_stage()
        self.assert_same_outputs(stage, self.headless(), range(1, 31))
        self.ext.controller.refresh()  # the panel model is throttled; rebuild it now
        calls = {r.path: r.calls for r in self.ext.controller.model.rows}
        self.assertTrue(all(calls[p] == 30 for p in scenes.CHAIN), calls)

    async def test_results_stay_out_of_the_users_layers(self):
        await self.open_and_allow()
        await self.play(10)
        stage = self.context.get_stage()
        root = stage.GetRootLayer()
        self.assertFalse(root.dirty, "the root layer was edited")
        self.assertEqual(root.GetNumTimeSamplesForPath(f"{scenes.COUNTER}.outputs:total"), 0)
        live = self.session.live_layer
        self.assertIn(live.identifier, stage.GetSessionLayer().subLayerPaths)
        self.assertEqual(live.ListTimeSamplesForPath(f"{scenes.PROBE}.value")[-1], 10.0)

    async def test_a_failing_module_is_shown_while_the_others_run(self):
        await self.open_and_allow()
        await self.play(12)
        self.ext.controller.refresh()
        model = self.ext.controller.model
        bad = model.row(scenes.BAD)
        self.assertEqual(bad.status, "failed: trap")
        self.assertIn("unreachable", bad.last_error)
        self.assertEqual(model.row(scenes.COUNTER).status, "running")
        self.assertEqual(model.row(scenes.COUNTER).calls, 12)
        self.assertIsNotNone(model.row(scenes.COUNTER).mean_us)
        self.assertIn("ms/frame", model.overlay)
        texts = [label.text for label in self.ext.panel.row_labels]
        self.assertTrue(any("last error" in t and "unreachable" in t for t in texts), texts)

    async def test_pause_holds_the_runner(self):
        await self.open_and_allow()
        await self.play(8)
        self.timeline.pause()
        for _ in range(5):
            await self.app.next_update_async()
        self.assertEqual(self.session.state.value, State.PAUSED.value)
        self.assertAlmostEqual(self.session.time_code, 8)
        self.timeline.play()
        await self.app.next_update_async()
        self.assertAlmostEqual(self.session.time_code, 9)
        self.assert_same_outputs(self.context.get_stage(), self.headless(), range(1, 10))

    async def test_scrubbing_back_reruns_from_the_start(self):
        await self.open_and_allow()
        await self.play(30)
        self.timeline.pause()
        self.timeline.set_current_time(10 / scenes.FPS)
        await self.app.next_update_async()
        self.assertAlmostEqual(self.session.time_code, 10)
        stage = self.context.get_stage()
        reference = self.headless()
        self.assert_same_outputs(stage, reference, range(1, 11))
        # module state was rebuilt by the re-run: going on gives the headless values again
        self.timeline.play()
        for _ in range(5):
            await self.app.next_update_async()
        self.assert_same_outputs(stage, reference, range(1, 16))

    async def test_scrubbing_forward_runs_the_frames_between(self):
        await self.open_and_allow()
        self.timeline.set_current_time(20 / scenes.FPS)
        await self.app.next_update_async()
        self.assertAlmostEqual(self.session.time_code, 20)
        self.assert_same_outputs(self.context.get_stage(), self.headless(), range(1, 21))
        self.timeline.set_current_time(20.5 / scenes.FPS)  # between two frames
        await self.app.next_update_async()
        self.assertAlmostEqual(self.session.time_code, 20.5)

    async def test_stop_restarts_fresh_at_the_start(self):
        await self.open_and_allow()
        await self.play(6)
        self.timeline.stop()
        await self.app.next_update_async()
        self.assertEqual(self.session.state.value, State.READY.value)
        self.assertAlmostEqual(self.session.time_code, 0)
        self.assertTrue(self.session.live_layer.empty)
        await self.play(3)
        self.assert_same_outputs(self.context.get_stage(), self.headless(), range(1, 4))

    async def test_consent_remembered_per_module_hash(self):
        await self.open_and_allow(remember=True)
        await self.context.close_stage_async()
        await self.context.open_stage_async(str(self.scene))
        self.assertEqual(self.session.state.value, State.READY.value)
        # a changed module is a new hash: asked again after Reload
        (self.scene.parent / "counter.wasm").write_bytes(
            (self.scene.parent / "chain.wasm").read_bytes() + b"\x00\x04name\x00"
        )
        self.ext.controller.reload()
        self.assertEqual(self.session.state.value, State.NEEDS_CONSENT.value)
        self.assertEqual([m.prim_path for m in self.session.pending], [scenes.COUNTER])

    async def test_scan_finds_prims_added_after_opening(self):
        await self.open_and_allow()
        stage = self.context.get_stage()
        with Usd.EditContext(stage, stage.GetSessionLayer()):
            prim = create_wasm_module_prim(stage, "/World/Late", "./counter.wasm", "late")
            add_input(prim, "dt", "double")
            add_input(prim, "rate", "double", 1.0)
            add_output(prim, "total", "double")
        self.buttons()["Scan Stage"].call_clicked_fn()
        self.assertEqual(self.ext.controller.model.row("/World/Late").status, "running")
        await self.play(2)
        self.assertAlmostEqual(stage.GetAttributeAtPath("/World/Late.outputs:total").Get(2), 2 / 60)

    async def test_declined_stage_stays_idle(self):
        await self.context.open_stage_async(str(self.scene))
        buttons = self.buttons()
        buttons["Don't run"].call_clicked_fn()
        self.assertEqual(self.session.state.value, State.DECLINED.value)
        await self.play(3)
        self.assertTrue(self.session.live_layer.empty)

    async def test_disabling_a_prim_from_the_panel(self):
        await self.open_and_allow()
        await self.play(4)
        self.ext.panel.enabled_models[scenes.COUNTER].set_value(False)  # the row's checkbox
        self.assertEqual(self.ext.controller.model.row(scenes.COUNTER).status, "disabled")
        stage = self.context.get_stage()
        self.assertFalse(stage.GetRootLayer().dirty)
        session_spec = stage.GetSessionLayer().GetAttributeAtPath(f"{scenes.COUNTER}.enabled")
        self.assertFalse(session_spec.default)
        await self.play(3)
        self.assertIsNone(stage.GetAttributeAtPath(f"{scenes.COUNTER}.outputs:total").Get(6))
        self.assertIsNotNone(stage.GetAttributeAtPath(f"{scenes.PROBE}.value").Get(6))

    async def test_limits_from_the_panel_reach_the_sandbox(self):
        await self.open_and_allow()
        self.ext.panel.memory_cap.set_value(64)
        self.ext.panel.deadline.set_value(250.0)
        buttons = self.buttons()
        buttons["Apply limits"].call_clicked_fn()
        sandbox = self.ext.controller.settings.sandbox()
        self.assertEqual(sandbox.max_memory_bytes, 64 * 1024 * 1024)
        self.assertEqual(sandbox.deadline_s, 0.25)
        self.assertEqual(self.session.runner.sandbox, sandbox)

    async def test_bake_to_layer_writes_what_portalis_run_writes(self):
        await self.open_and_allow()
        output = self.folder / "baked.usda"
        self.ext.controller.bake(output)
        self.assertIn("baked 120 frames", self.ext.controller.model.notice)
        baked, reference = Usd.Stage.Open(str(output)), self.headless()
        self.assert_same_outputs(baked, reference, range(0, 121))

    async def test_bake_needs_consent_too(self):
        await self.context.open_stage_async(str(self.scene))
        output = self.folder / "baked.usda"
        self.ext.controller.bake(output)
        self.assertIn("not allowed to run", self.ext.controller.model.notice)
        self.assertFalse(output.exists())

    async def test_panel_refreshes_at_its_own_rate(self):
        self.ext.controller.settings.set("panel_refresh_s", 3600.0)
        await self.open_and_allow()
        shown = []
        self.ext.controller.add_view(shown.append)
        await self.play(30)
        self.assertLessEqual(len(shown), 2, "the panel was rebuilt per frame")

    async def test_hot_reload_keeps_one_set_of_subscriptions(self):
        await self.open_and_allow(remember=True)
        await self.play(3)
        before = self.ext
        if hasattr(self.manager, "hot_reload"):  # the double: as Kit's file watcher does
            self.manager.hot_reload(EXT)
        else:
            self.manager.set_extension_enabled_immediate(EXT, False)
            self.manager.set_extension_enabled_immediate(EXT, True)
        after = running_extension()
        self.assertIsNot(after, before)
        self.assertEqual(after.controller.session.state.value, State.PLAYING.value)
        await self.app.next_update_async()
        self.assertEqual(len(after.controller.session.runner.prims), 5)

    async def test_shutdown_releases_everything(self):
        await self.open_and_allow()
        await self.play(3)
        stage = self.context.get_stage()
        live = self.session.live_layer.identifier
        self.manager.set_extension_enabled_immediate(EXT, False)
        self.assertIsNone(running_extension())
        self.assertNotIn(live, stage.GetSessionLayer().subLayerPaths)
        await self.play(3)  # nothing listens any more: the session layer stays as it was
        self.assertNotIn(live, stage.GetSessionLayer().subLayerPaths)


def running_extension():
    """The running extension, looked up anew (a hot reload re-imports the package)."""
    import sys

    return sys.modules["portalis_wasm_runtime"].get_extension()
