"""Consent before running a stage's WebAssembly (SPEC §5: a module a USD file references is
untrusted code).

Opening a stage runs nothing. The extension first lists the stage's module prims and the
SHA-256 of each ``.wasm`` they resolve to; if the user has not allowed them, the panel asks
("Allow once" / "Allow and remember" / "Don't run"), as NVIDIA Warp's kernel node asks before
running kernel code. What "remember" covers is the ``trust_scope`` setting:

* ``module`` (default): each module's hash is remembered; a stage runs when every module it
  references has been allowed, and a changed ``.wasm`` (a new hash) asks again;
* ``stage``: the stage (its root layer's path) is remembered, whatever modules it later uses.

Remembered consent lives in the settings (``trusted_modules``, ``trusted_stages``), so Kit
persists it like any other setting. The sandbox applies either way; consent decides whether
code runs at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pxr import Usd

from portalis.errors import PortalisError
from portalis.sim.loader import locate
from portalis.usd import tokens as t

from .settings import Settings

#: Files larger than this are not hashed for the prompt (the runtime refuses them anyway).
MAX_HASHED_BYTES = 1 << 30


@dataclass(frozen=True)
class ModuleRef:
    """One module prim as the consent prompt shows it."""

    prim_path: str
    wasm_path: str  # resolved file, or the authored path when it does not resolve
    sha256: str | None  # None: no file to run (the runner will report it missing)


def scan(stage: Usd.Stage) -> list[ModuleRef]:
    """Every WasmModule prim of ``stage`` with the hash of its module file; loads nothing."""
    refs = []
    for prim in stage.Traverse():
        if not prim.IsA(t.WASM_MODULE):
            continue
        try:
            source = locate(prim)
        except PortalisError:
            attr = prim.GetAttribute(t.WASM_PATH)
            asset = attr.Get() if attr else None
            refs.append(ModuleRef(str(prim.GetPath()), getattr(asset, "path", "") or "", None))
            continue
        refs.append(ModuleRef(str(prim.GetPath()), str(source.path), _sha256(source.path)))
    return refs


def _sha256(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_HASHED_BYTES:
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class Trust:
    """Who allowed what: remembered in settings, or for this session only."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._once_modules: set[str] = set()
        self._once_stages: set[str] = set()

    def untrusted(self, stage_id: str, modules: list[ModuleRef]) -> list[ModuleRef]:
        """The modules that need consent before ``stage_id`` may run (empty: run)."""
        if (
            self._scope() == "stage"
            and stage_id
            and (stage_id in self._once_stages or stage_id in self._remembered("trusted_stages"))
        ):
            return []
        allowed = self._once_modules | set(self._remembered("trusted_modules"))
        return [m for m in modules if m.sha256 is not None and m.sha256 not in allowed]

    def allow(self, stage_id: str, modules: list[ModuleRef], *, remember: bool) -> None:
        hashes = {m.sha256 for m in modules if m.sha256 is not None}
        per_stage = self._scope() == "stage" and bool(stage_id)
        self._once_modules |= hashes
        if per_stage:
            self._once_stages.add(stage_id)
        if remember:
            if per_stage:
                self._add("trusted_stages", {stage_id})
            else:
                self._add("trusted_modules", hashes)

    def forget(self) -> None:
        """Forget every consent, remembered or not."""
        self._once_modules.clear()
        self._once_stages.clear()
        self.settings.set("trusted_modules", [])
        self.settings.set("trusted_stages", [])

    def _scope(self) -> str:
        return str(self.settings.get("trust_scope"))

    def _remembered(self, key: str) -> list[str]:
        return [str(v) for v in (self.settings.get(key) or [])]

    def _add(self, key: str, values: set[str]) -> None:
        self.settings.set(key, sorted(set(self._remembered(key)) | values))
