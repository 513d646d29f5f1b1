"""Binding a whole stage: find its module prims, load each in isolation, bind every input
once all producers are known, and order the prims so producers run before their consumers.

Each prim is its own failure boundary here too: anything that goes wrong loading or binding
one prim (a missing or corrupt module, a start function that traps, a malformed ABI, a bad
attribute) is reported for that prim, which is left out; the others are bound.
"""

from __future__ import annotations

import difflib
import re

from pxr import Sdf, Usd, UsdGeom

from portalis.abi import Value
from portalis.errors import SceneError
from portalis.runtime import ModuleCache, Sandbox
from portalis.sim.binding import ModulePrim, called_function
from portalis.sim.failures import INVALID, Failure, FailureLog, SceneWarning
from portalis.sim.loader import load_for_prim
from portalis.sim.sources import Clock, ProducerMap, authored_inputs
from portalis.usd import tokens as t
from portalis.usd import validate


def bind_stage(
    stage: Usd.Stage,
    clock: Clock,
    log: FailureLog,
    *,
    sandbox: Sandbox,
    cache: ModuleCache | bool,
    time: float,
    strict: bool = False,
) -> list[ModulePrim]:
    """The stage's enabled module prims, bound, in dependency order; failures and warnings
    go to ``log``. ``strict``: a prim with a warning fails instead."""
    candidates = [p for p in stage.Traverse() if p.IsA(t.WASM_MODULE)]
    unknown = [
        p
        for p in stage.Traverse()
        if str(p.GetTypeName()).startswith("Wasm") and not p.IsA(t.WASM_MODULE)
    ]
    if unknown and not candidates:
        raise SceneError(
            f"{unknown[0].GetPath()} is a {unknown[0].GetTypeName()}, but USD does not know "
            "that type in this process",
            hint="import portalis before opening the stage, so its schemas are registered",
        )
    loaded: list[ModulePrim] = []
    for prim in candidates:
        if prim.GetAttribute(t.ENABLED).Get() is False:
            continue  # skipped: not loaded, not reported
        module_prim = _load(prim, log, sandbox=sandbox, cache=cache, time=time)
        if module_prim is not None:
            loaded.append(module_prim)
    producers: ProducerMap = {}
    for module_prim in loaded:
        producers.update(module_prim.producers())
    bound: list[ModulePrim] = []
    for module_prim in loaded:
        try:
            module_prim.bind_inputs(clock, producers)
        except Exception as e:  # isolation: this prim is left out, the others bind
            log.report(module_prim.path, module_prim.module_id, module_prim.function_name, e, time)
            module_prim.close()
            continue
        bound.append(module_prim)
    read: set[Sdf.Path] = set()
    for module_prim in bound:
        for call in (module_prim.entry, module_prim.handler):
            if call is not None:
                read |= call.watched()
    kept: list[ModulePrim] = []
    for module_prim in bound:
        concerns = [*_unread_inputs(module_prim, read), *_unapplied_transform_ops(module_prim)]
        if strict and concerns:
            error = SceneError("; ".join(concerns), hint="without --strict these are warnings")
            log.report(
                module_prim.path, module_prim.module_id, module_prim.function_name, error, time
            )
            module_prim.close()
            continue
        for concern in concerns:
            log.warnings.append(
                SceneWarning(
                    module_prim.path, module_prim.module_id, module_prim.function_name, concern
                )
            )
        kept.append(module_prim)
    return dependency_order(kept)


_COMPONENT = re.compile(r"^(?P<base>.+)_[xyzw]$")


def _unread_inputs(module_prim: ModulePrim, read: set[Sdf.Path]) -> list[str]:
    """``inputs:*`` of a by-name (ABI) prim that no parameter, state variable or other prim
    reads — most often a misspelling, which would otherwise leave the default in use."""
    abi = module_prim.loaded.module.abi
    if module_prim.abi is None or abi is None:
        return []  # by position: every input fills a parameter, or binding failed
    names: set[str] = set()
    for function in (module_prim.abi, module_prim.handler_abi):
        for param in function.params if function is not None else ():
            names.add(param.name)
            match = _COMPONENT.match(param.name)
            if match:
                names.add(match["base"])
    names.update(entry.name for entry in abi.state if isinstance(entry, Value))
    found = []
    for attr in authored_inputs(module_prim.prim):
        name = attr.GetName().removeprefix(t.INPUTS)
        if name in names or attr.GetPath() in read:
            continue
        message = (
            f"inputs:{name} is read by nothing ({module_prim.function_name} has no such parameter)"
        )
        close = difflib.get_close_matches(name, sorted(names), n=1, cutoff=0.6)
        if close:
            message += f"; did you mean inputs:{close[0]}?"
        found.append(message)
    return found


def _unapplied_transform_ops(module_prim: ModulePrim) -> list[str]:
    """Outputs targeting an ``xformOp:*`` their prim does not list in ``xformOpOrder``: USD
    ignores such an op, so its samples would move nothing."""
    found = []
    stage = module_prim.prim.GetStage()
    for port in module_prim.ports:
        for sink in port.sinks[1:]:  # the first is outputs:NAME itself
            if not sink.path.name.startswith("xformOp:"):
                continue
            target = stage.GetPrimAtPath(sink.path.GetPrimPath())
            xformable = UsdGeom.Xformable(target)
            if not xformable:
                continue
            order = [str(op) for op in (xformable.GetXformOpOrderAttr().Get() or ())]
            if sink.path.name not in order:
                found.append(
                    f"outputs:{port.name} targets {sink.path}, which is not in "
                    f"{target.GetPath()}'s xformOpOrder: its samples would move nothing "
                    "(add the op to xformOpOrder, e.g. UsdGeom.Xformable(prim).AddTranslateOp())"
                )
    return found


def _load(
    prim: Usd.Prim, log: FailureLog, *, sandbox: Sandbox, cache: ModuleCache | bool, time: float
) -> ModulePrim | None:
    path = str(prim.GetPath())
    module_id = module_id_of(prim)
    function = called_function(prim)
    problems = validate.problems(prim)
    if problems:
        log.record(Failure(path, module_id, function, INVALID, "; ".join(problems), time))
        return None
    try:
        loaded = load_for_prim(prim, module_id, sandbox=sandbox, cache=cache)
    except Exception as e:  # isolation: whatever the module's bytes do, this prim fails alone
        log.report(path, module_id, function, e, time)
        return None
    try:
        return ModulePrim(prim, loaded)
    except Exception as e:
        log.report(path, module_id, function, e, time)
        loaded.instance.close()
        return None


def module_id_of(prim: Usd.Prim) -> str:
    """The prim's ``moduleId``, else its module file's stem."""
    module_id = prim.GetAttribute(t.MODULE_ID).Get()
    if isinstance(module_id, str) and module_id:
        return module_id
    asset = prim.GetAttribute(t.WASM_PATH).Get()
    path = asset.path if isinstance(asset, Sdf.AssetPath) else ""
    stem = path.replace("\\", "/").rsplit("/", 1)[-1]
    return stem.rsplit(".", 1)[0] if stem else "?"


def dependency_order(prims: list[ModulePrim]) -> list[ModulePrim]:
    """Producers before their consumers; otherwise by path. Prims in a cycle keep path order
    and read each other's previous values."""
    by_path = {p.path: p for p in prims}
    remaining = sorted(prims, key=lambda p: p.path)
    needs = {
        p.path: {
            producer
            for call in (p.entry, p.handler)
            if call is not None
            for producer in call.producers
            if producer in by_path and producer != p.path
        }
        for p in prims
    }
    ordered: list[ModulePrim] = []
    placed: set[str] = set()
    while remaining:
        ready = [p for p in remaining if needs[p.path] <= placed]
        if not ready:  # a cycle: break it at the first prim by path
            ready = [remaining[0]]
        for p in ready:
            ordered.append(p)
            placed.add(p.path)
        remaining = [p for p in remaining if p.path not in placed]
    return ordered
