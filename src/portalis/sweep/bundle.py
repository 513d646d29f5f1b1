"""The files a variant needs, by content hash: how a scene reaches workers.

A :class:`Bundle` lists the scene's root layer and every file it uses (sublayers, references,
payloads, each module's ``.wasm``: :func:`portalis.sim.destination.scene_files`), each under
its path relative to the folder they share and its SHA-256. On the machine that owns the
sweep the files are read where they are. For Ray each file's bytes are
``ray.put`` once and the bundle carries the object references, so a module travels through
the object store once per node, not once per variant; a worker writes the files into a folder
named by the bundle's hash (:func:`materialise`, once per machine: the folder is reused by
every worker there and by a resumed sweep) and keeps the path for its later variants. Since
the module bytes are the same, each worker's compile caches (in memory, and on disk under
``PORTALIS_CACHE_DIR``) hit from its second variant on.

Scenes should name their modules and layers by relative paths (as ``portalis demo`` writes
them): an absolute path names a file on the machine that wrote the scene.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from portalis.sweep.design import SweepError


@dataclass(frozen=True)
class BundleFile:
    """One file: where it sits relative to the bundle's root, its hash, and (for Ray) the
    object reference of its bytes."""

    path: str
    sha256: str
    ref: Any = None


@dataclass(frozen=True)
class Bundle:
    """The scene (``scene``, relative to ``root``) and the files it uses."""

    root: str
    scene: str
    files: tuple[BundleFile, ...]

    @property
    def key(self) -> str:
        """The bundle's identity: a hash of every file's path and content."""
        digest = hashlib.sha256()
        for f in self.files:
            digest.update(f"{f.path}\0{f.sha256}\n".encode())
        return digest.hexdigest()

    def with_refs(self, put: Callable[[bytes], Any]) -> Bundle:
        """The same bundle with each file's bytes stored once by ``put`` (``ray.put``)."""
        root = Path(self.root)
        return replace(
            self,
            files=tuple(replace(f, ref=put((root / f.path).read_bytes())) for f in self.files),
        )


def bundle_of(scene: Path) -> Bundle:
    """The bundle of ``scene`` as it is on disk now."""
    from portalis.sim.destination import scene_files

    resolved = scene.resolve()
    files = sorted(p for p in scene_files(resolved) if p.is_file())
    root = Path(os.path.commonpath([str(p.parent) for p in files]))
    return Bundle(
        str(root),
        resolved.relative_to(root).as_posix(),
        tuple(BundleFile(p.relative_to(root).as_posix(), _sha256(p.read_bytes())) for p in files),
    )


#: Bundles this process has materialised: key → the scene's path here.
_materialised: dict[str, Path] = {}


def materialise(bundle: Bundle, get: Callable[[Any], bytes]) -> Path:
    """The scene's path on this machine: the files written once under the cache folder
    (``PORTALIS_SWEEP_CACHE``, by default a private folder in the temp directory), fetched with
    ``get`` (``ray.get``) only when missing. Each file appears atomically."""
    key = bundle.key
    known = _materialised.get(key)
    if known is not None:
        return known
    base = Path(
        os.environ.get("PORTALIS_SWEEP_CACHE")
        or Path(tempfile.gettempdir()) / f"portalis-sweep-{os.getuid()}"
    )
    folder = base / key[:32]
    for f in bundle.files:
        target = folder / f.path
        if target.is_file():
            continue
        if f.ref is None:
            raise SweepError(f"{f.path}: not on this machine, and the bundle carries no bytes")
        data = get(f.ref)
        if _sha256(data) != f.sha256:
            raise SweepError(f"{f.path}: the bytes received do not match their hash")
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temp.write_bytes(data)
        os.replace(temp, target)
    scene = folder / bundle.scene
    _materialised[key] = scene
    return scene


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
