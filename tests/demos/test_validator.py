"""Every demo's USD passes NVIDIA's asset validator (``omni_asset_validate``, the checks
Omniverse runs on assets) with zero errors: the scene, the result, and value clips — the
result composed with them, and each clip layer and the clip manifest opened on its own.

The validator runs as its command-line tool, as a user would run it, with Portalis' schema
plugin on USD's plugin path (``PXR_PLUGINPATH_NAME``) so WasmModule prims are known types."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from portalis.demos import DEMOS
from portalis.demos.pipeline import RESULT_FILE, SCENE_FILE, run_demo
from portalis.usd.schema import PLUGIN_DIR

VALIDATOR = shutil.which("omni_asset_validate") or str(
    Path(sys.executable).with_name("omni_asset_validate")
)


def validate(asset: Path) -> list[str]:
    """The validator's errors on ``asset``: every issue of severity failure or error (what its
    command line prints as ERROR), as "[rule] message" lines."""
    report = asset.parent / f"{asset.name}.validation.json"
    env = dict(os.environ)
    env["PXR_PLUGINPATH_NAME"] = os.pathsep.join(
        p for p in (str(PLUGIN_DIR), env.get("PXR_PLUGINPATH_NAME", "")) if p
    )
    done = subprocess.run(
        [VALIDATOR, "--json-output", str(report), str(asset)],
        capture_output=True,
        text=True,
        env=env,
        cwd=asset.parent,
    )
    assert report.exists(), done.stderr[-2000:]
    document = json.loads(report.read_text(encoding="utf-8"))
    report.unlink()
    errors = [
        f"[{rule['rule']['name']}] {issue['message']}"
        for rule in document.get("rules", [])
        for issue in rule.get("issues", [])
        if issue.get("severity", "").upper() in ("FAILURE", "ERROR")
    ]
    assert errors or document.get("status") == "PASS", done.stderr[-2000:]
    return errors


@pytest.mark.parametrize("name", list(DEMOS))
def test_demo_scene_and_result_have_zero_validator_errors(name: str, tmp_path: Path) -> None:
    run_demo(name, tmp_path)
    for asset in (SCENE_FILE, RESULT_FILE):
        assert validate(tmp_path / asset) == [], f"{name}: {asset}"
    for clip in sorted(tmp_path.glob("*.clips/*")):
        assert validate(clip) == [], f"{name}: {clip.relative_to(tmp_path)}"


def test_clipped_result_has_zero_validator_errors(tmp_path: Path) -> None:
    from portalis.bench.bake import write_cloud_scene
    from portalis.sim.bake import bake
    from portalis.sim.clips import ClipPolicy

    scene = write_cloud_scene(tmp_path, 2000, 6)
    baked = bake(
        scene, tmp_path / "result.usd", clips=ClipPolicy(min_elements=1000, max_clip_bytes=60_000)
    )
    assert baked.clips >= 3
    assert validate(tmp_path / "result.usd") == []
    clips = sorted((tmp_path / "result.clips").iterdir())
    assert [c.name for c in clips] == [f"{k:04d}.usdc" for k in range(baked.clips)] + [
        "manifest.usda"
    ]
    for clip in clips:  # each on its own: stage metadata, defined and typed prims
        assert validate(clip) == [], clip.name
    assert validate(tmp_path / "scene.usd") == []


def test_the_docs_authoring_example_has_zero_validator_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/usd.md's authoring example as a user follows it: build the kernel, run the scene
    block, then the `portalis run` command the docs give; scene and result both pass."""
    import re

    from portalis.cli.main import main
    from portalis.lang import compile_source

    doc = (Path(__file__).resolve().parents[2] / "docs" / "usd.md").read_text(encoding="utf-8")

    def block_after(marker: str) -> str:
        match = re.compile(r"```python\n(.*?)```", re.S).search(doc, doc.index(marker))
        assert match is not None, f"no python block after {marker}"
        return match.group(1)

    kernel = block_after("<!-- authoring-kernel -->")
    (tmp_path / "kernels").mkdir()
    (tmp_path / "kernels" / "ball.wasm").write_bytes(compile_source(kernel, "ball.py").wasm)
    monkeypatch.chdir(tmp_path)
    exec(compile(block_after("<!-- authoring-scene -->"), "docs/usd.md", "exec"), {})
    command = re.search(r"then `portalis (run scene\.usda -o (\S+))`", doc)
    assert command is not None, "the docs' run command"
    assert main([*command.group(1).split(), "--quiet"]) == 0
    assert validate(tmp_path / "scene.usda") == []
    assert validate(tmp_path / command.group(2)) == []
    # time code S (0) shows the scene as authored, frame 1 the first step's result
    from pxr import Usd

    result = Usd.Stage.Open(command.group(2))
    translate = result.GetAttributeAtPath("/World/Ball.xformOp:translate")
    assert tuple(translate.Get(0)) == (0.0, 2.0, 0.0)
    assert tuple(translate.Get(1)) != (0.0, 2.0, 0.0)


def test_the_check_can_fail(tmp_path: Path) -> None:
    """A layer without stage metadata: the same harness reports the validator's errors."""
    from pxr import Usd, UsdGeom

    stage = Usd.Stage.CreateNew(str(tmp_path / "bare.usda"))
    UsdGeom.Xform.Define(stage, "/World")
    stage.GetRootLayer().Save()
    assert any("upAxis" in e for e in validate(tmp_path / "bare.usda"))
