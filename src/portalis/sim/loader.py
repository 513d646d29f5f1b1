"""From a module prim to a sandboxed instance: where its .wasm is, whether it is the pinned
one, and loading it through the runtime.

``wasmPath`` resolves the way every USD asset path does: relative to the layer that authored
the value (a sublayer in another folder included), through the stage's asset resolver.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pxr import Sdf, Usd

from portalis.runtime import (
    CompiledModule,
    Instance,
    ModuleCache,
    Sandbox,
    load_module,
    read_module_file,
)
from portalis.sim.failures import HashMismatch, ModuleMissing
from portalis.usd import tokens as t


@dataclass(frozen=True)
class ModuleSource:
    """Where a prim's module comes from: the authored path, the layer that authored it, and
    the file it resolved to."""

    authored: str
    layer: str
    path: Path

    def describe(self) -> str:
        return f"wasmPath @{self.authored}@ authored in {self.layer}"


def locate(prim: Usd.Prim) -> ModuleSource:
    """Resolve ``wasmPath`` against its authoring layer; raise :class:`ModuleMissing` if the
    file is not there."""
    attr = prim.GetAttribute(t.WASM_PATH)
    asset = attr.Get() if attr else None
    if not isinstance(asset, Sdf.AssetPath) or not asset.path:
        raise ModuleMissing("wasmPath is empty", source=str(prim.GetPath()))
    layer = _authoring_layer(attr)
    layer_name = layer.identifier if layer is not None else "(unknown layer)"
    if asset.resolvedPath:
        return ModuleSource(asset.path, layer_name, Path(asset.resolvedPath))
    expected = Path(layer.ComputeAbsolutePath(asset.path) if layer is not None else asset.path)
    if not expected.is_absolute() and layer is not None and layer.realPath:
        # A path without ./ is a search path to USD's resolver, which leaves it as written;
        # the resolver looks for it beside the authoring layer first, so name that file.
        expected = Path(layer.realPath).parent / expected
    raise ModuleMissing(
        f"no file at {expected} ({ModuleSource(asset.path, layer_name, Path()).describe()})",
        hint="wasmPath is relative to the layer that authored it",
    )


def _authoring_layer(attr: Usd.Attribute) -> Sdf.Layer | None:
    """The layer holding the strongest authored value of ``attr``."""
    for spec in attr.GetPropertyStack(Usd.TimeCode.Default()):
        if spec.HasDefaultValue() or spec.layer.GetNumTimeSamplesForPath(spec.path):
            return spec.layer
    return None


def read_pinned(source: ModuleSource, pin: str, max_bytes: int | None = None) -> bytes:
    """The module's bytes, checked against the prim's ``wasmSha256`` pin when it has one."""
    try:
        data = read_module_file(source.path, max_bytes)  # regular files only, size-capped
    except OSError as e:
        raise ModuleMissing(f"cannot read {source.path}: {e.strerror}") from None
    if pin:
        expected = pin.lower().removeprefix("sha256:")
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            raise HashMismatch(
                f"{source.path} has SHA-256 {actual}, but the prim pins {expected}",
                hint="rebuild the module the scene was made with, or update wasmSha256",
            )
    return data


@dataclass
class LoadedModule:
    module: CompiledModule
    instance: Instance
    source: ModuleSource


def load_for_prim(
    prim: Usd.Prim,
    module_id: str,
    *,
    sandbox: Sandbox,
    cache: ModuleCache | bool,
) -> LoadedModule:
    """Locate, check, compile (cached) and instantiate the prim's module, in its sandbox."""
    source = locate(prim)
    pin_attr = prim.GetAttribute(t.WASM_SHA256)
    data = read_pinned(
        source, str(pin_attr.Get() or "") if pin_attr else "", sandbox.max_module_bytes
    )
    module = load_module(
        data, name=module_id or source.path.stem, cache=cache, sandbox=sandbox, path=source.path
    )
    module.source_path = source.path
    return LoadedModule(module, module.instantiate(sandbox, monitoring=False), source)
