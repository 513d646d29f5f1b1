"""Where a bake's result may go, and how it gets there (SPEC §5: no input file is ever modified
or lost; results go to a new layer, written atomically).

* :func:`refuse_inputs`: the output must not be any file the scene uses — its root layer,
  sublayers, references and payloads, or an asset such as a module's ``.wasm`` — compared as
  files (resolved paths, symlinks, hardlinks), not as strings.
* :func:`staging_path` / :func:`discard_staging`: the result is exported into a staging
  folder of ours beside the target and then renamed over it. USD writes its own temporary
  file next to whatever path it exports to, so both its temp and ours live in that folder;
  a process killed mid-export (``kill -9``) leaves only the folder, which the next bake into
  the same place removes once its process is gone.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from pathlib import Path
from typing import Any

from pxr import Sdf, Tf, Usd, UsdUtils

from portalis.errors import SceneError

_STAGING = re.compile(r"^\.portalis-staging-(?P<pid>\d+)-[0-9a-f]{8}$")


def scene_files(scene: Path) -> set[Path]:
    """Every file ``scene`` uses, resolved: the layers it composes and the assets they name."""
    found: set[Path] = {scene.resolve()}
    with contextlib.suppress(Tf.ErrorException):  # a broken dependency: the walk below still runs
        # USD warns on stderr about each asset it cannot resolve ("Failed to resolve reference
        # @…@", from its localization code); a missing module is the runner's to report, with
        # the path it resolved to, so this walk's own warnings are dropped — this step's only.
        with Tf.DiagnosticTrap() as trap:
            layers, assets, _ = UsdUtils.ComputeAllDependencies(str(scene))
            trap.EraseMatching(_resolution_warning)
        found.update(Path(layer.realPath).resolve() for layer in layers if layer.realPath)
        found.update(Path(asset).resolve() for asset in assets if asset)
    with contextlib.suppress(Tf.ErrorException):
        stage = Usd.Stage.Open(str(scene))
        found.update(
            Path(layer.realPath).resolve() for layer in stage.GetUsedLayers() if layer.realPath
        )
        for prim in stage.TraverseAll():
            for attr in prim.GetAttributes():
                if attr.GetTypeName() != Sdf.ValueTypeNames.Asset:
                    continue
                value = attr.Get()
                if isinstance(value, Sdf.AssetPath) and value.resolvedPath:
                    found.add(Path(value.resolvedPath).resolve())
    return found


def _resolution_warning(diagnostic: Any) -> bool:
    """A warning of USD's dependency walk about an asset it could not resolve."""
    return "assetLocalization" in str(diagnostic.sourceFileName)


def refuse_inputs(scene: Path, output: Path) -> None:
    """Raise :class:`SceneError` when ``output`` is a file ``scene`` uses."""
    target = output.resolve()
    for used in scene_files(scene):
        if used == target or (target.exists() and used.exists() and os.path.samefile(used, target)):
            what = "the input scene" if used == scene.resolve() else f"{used}, which the scene uses"
            raise SceneError(
                f"{output}: refusing to overwrite {what}",
                hint="results go to a new layer: pass another -o path",
            )


def staging_path(output: Path) -> Path:
    """A fresh path, in a staging folder of this process beside ``output``, to export to
    before renaming over ``output``; stale staging folders of dead processes are removed."""
    folder = output.parent
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale(folder)
    staging = folder / f".portalis-staging-{os.getpid()}-{secrets.token_hex(4)}"
    staging.mkdir(mode=0o700)
    return staging / output.name


def discard_staging(temp: Path) -> None:
    """Remove the staging folder of ``temp`` and whatever is left in it."""
    if _STAGING.match(temp.parent.name):
        shutil.rmtree(temp.parent, ignore_errors=True)


def _remove_stale(folder: Path) -> None:
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            match = _STAGING.match(entry.name)
            if (
                match
                and not _alive(int(match["pid"]))
                and entry.is_dir()
                and not entry.is_symlink()
            ):
                shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but not ours to signal
        return True
    return True
