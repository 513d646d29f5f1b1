"""docs/usd.md stays true: its authoring example, kernel and scene, makes a ball that moves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pxr import Usd, UsdGeom

from portalis.lang import compile_source
from portalis.sim import Runner

DOC = (Path(__file__).resolve().parents[2] / "docs" / "usd.md").read_text(encoding="utf-8")


def block_after(marker: str) -> str:
    match = re.compile(r"```python\n(.*?)```", re.S).search(DOC, DOC.index(marker))
    assert match is not None, f"no python block after {marker}"
    return match.group(1)


def test_the_authoring_example_moves_the_ball(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kernel = block_after("<!-- authoring-kernel -->")
    (tmp_path / "kernels").mkdir()
    (tmp_path / "kernels" / "ball.wasm").write_bytes(compile_source(kernel, "ball.py").wasm)
    monkeypatch.chdir(tmp_path)
    exec(compile(block_after("<!-- authoring-scene -->"), "docs/usd.md", "exec"), {})

    stage = Usd.Stage.Open(str(tmp_path / "scene.usda"))
    stage.SetEditTarget(stage.GetSessionLayer())  # the results, beside the scene's layers
    with Runner(stage, record=True) as runner:
        runner.play(0)
        for frame in range(1, 49):
            runner.step(1 / 24, time_code=frame)
        runner.flush()
        assert runner.failures == [] and runner.warnings == []
    translate = stage.GetAttributeAtPath("/World/Ball.xformOp:translate")
    positions = [translate.Get(frame) for frame in range(1, 49)]
    assert positions[-1][0] > positions[0][0] + 3.0  # thrown along x at 2 m/s for 2 s
    assert min(p[1] for p in positions) == pytest.approx(0.5)  # bounced on its radius
    ball = UsdGeom.Xformable(stage.GetPrimAtPath("/World/Ball"))  # the op is applied
    moved = [ball.ComputeLocalToWorldTransform(f).ExtractTranslation() for f in (1, 48)]
    assert moved[1][0] > moved[0][0] + 3.0
