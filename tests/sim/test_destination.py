"""Where ``portalis run -o`` may write (never a file the scene uses) and how (a staging folder
beside the target, renamed over it; what a killed export left behind is cleaned up)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pxr import Sdf, Usd

from portalis.cli.main import main

from .conftest import WriteWasm
from .test_cli_run import write_scene


@pytest.fixture
def shot(tmp_path: Path, write_wasm: WriteWasm) -> Path:
    """A scene (kernels/fall.wasm) with a sublayer and a reference of its own."""
    scene = write_scene(tmp_path / "shot", write_wasm)
    folder = scene.parent
    Sdf.Layer.CreateNew(str(folder / "lights.usda")).Save()
    prop = Usd.Stage.CreateNew(str(folder / "props" / "crate.usda"))
    prop.SetDefaultPrim(prop.DefinePrim("/Crate"))
    prop.Save()
    stage = Usd.Stage.Open(str(scene))
    stage.GetRootLayer().subLayerPaths.append("./lights.usda")
    stage.DefinePrim("/World/Crate").GetReferences().AddReference("./props/crate.usda")
    stage.Save()
    return scene


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    "inside", ["scene.usda", "lights.usda", "props/crate.usda", "kernels/fall.wasm"]
)
def test_an_output_that_is_a_file_the_scene_uses_is_refused(
    shot: Path, capsys: pytest.CaptureFixture[str], inside: str
) -> None:
    before = snapshot(shot.parent)
    target = shot.parent / inside
    assert main(["run", str(shot), "-o", str(target), "--quiet"]) == 1
    assert "refusing to overwrite" in capsys.readouterr().err
    assert snapshot(shot.parent) == before


@pytest.mark.parametrize("link", ["symlink", "hardlink", "dotted"])
def test_another_name_for_a_used_file_is_refused_too(
    shot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], link: str
) -> None:
    before = snapshot(shot.parent)
    wasm = shot.parent / "kernels" / "fall.wasm"
    if link == "symlink":
        target = tmp_path / "alias.usda"
        target.symlink_to(shot.parent / "lights.usda")
    elif link == "hardlink":
        target = tmp_path / "alias.wasm"
        os.link(wasm, target)
    else:
        target = shot.parent / "props" / ".." / "kernels" / "fall.wasm"
    assert main(["run", str(shot), "-o", str(target), "--quiet"]) == 1
    assert "refusing to overwrite" in capsys.readouterr().err
    assert snapshot(shot.parent) == before


def test_an_export_killed_mid_write_leaves_nothing_after_the_next_run(
    shot: Path, tmp_path: Path
) -> None:
    """A process killed with SIGKILL while its export is staged (both our temp and USD's sit
    in the staging folder) leaves the folder; the next bake into that place removes it."""
    out = tmp_path / "results" / "out.usda"
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, signal, sys\n"
            "from pathlib import Path\n"
            "from portalis.sim.destination import staging_path\n"
            "temp = staging_path(Path(sys.argv[1]))\n"
            "temp.write_text('half a layer')\n"
            "(temp.parent / '.out.usda.tmpXYZ').write_text('USD temp')\n"
            "os.kill(os.getpid(), signal.SIGKILL)\n",
            str(out),
        ],
        check=False,
    )
    assert killed.returncode == -9
    (left,) = out.parent.iterdir()
    assert left.name.startswith(".portalis-staging-")
    assert main(["run", str(shot), "-o", str(out), "--quiet"]) == 0
    assert [p.name for p in out.parent.iterdir()] == ["out.usda"]
    assert out.read_text().startswith("#usda 1.0")


def test_a_missing_module_is_reported_once_without_usd_s_warning(
    shot: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """USD's dependency walk (which finds the files the output must not replace) warns on
    stderr about an asset it cannot resolve; the runner's own failure says it better, so
    only that is printed."""
    stage = Usd.Stage.Open(str(shot))
    prim = next(p for p in stage.Traverse() if p.HasAttribute("wasmPath"))
    prim.GetAttribute("wasmPath").Set(Sdf.AssetPath("nope/kernel2.wasm"))
    stage.Save()
    code = main(["run", str(shot), "-o", str(tmp_path / "out.usda")])
    out, err = capfd.readouterr()
    assert code == 2
    assert f"no file at {shot.parent / 'nope' / 'kernel2.wasm'}" in out + err
    assert "Failed to resolve reference" not in out + err
    assert "assetLocalization" not in out + err
