"""Change tracking: edits to the scene while a runner holds it (docs/usd.md, "Binding").

The runner binds once. A host (Kit's property panel, a script) may then change an input's
value, animate it, connect it elsewhere, or toggle ``enabled``; USD says which attributes
changed through its ``ObjectsChanged`` notices. :class:`ChangeTracker` collects those paths
between steps (ignoring the runner's own writes) and, at the start of the next step, has each
prim take them into its call plans.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pxr import Sdf, Tf, Usd

from portalis.sim.binding import ModulePrim
from portalis.usd import tokens as t


@dataclass
class Applied:
    """What applying the pending changes did to the prims."""

    #: Some prim's plan changed shape (an input changed kind): reorder and regroup.
    reshaped: bool = False
    #: Some prim was enabled or disabled: regroup.
    toggled: bool = False
    #: Prims whose new values cannot be bound, with the error (they must be disabled).
    broken: list[tuple[ModulePrim, Exception]] = field(default_factory=list)


class ChangeTracker:
    """Collects the paths of attributes edited on ``stage`` by anyone but the runner."""

    def __init__(self, stage: Usd.Stage) -> None:
        self._changed: set[Sdf.Path] = set()
        #: Set while the runner writes its outputs: every attribute they reach is read from
        #: memory anyway, so the runner's own edits are not changes to take in.
        self.writing = False
        self._notice = Tf.Notice.Register(Usd.Notice.ObjectsChanged, self._on_change, stage)

    def _on_change(self, notice: Usd.Notice.ObjectsChanged, _stage: Usd.Stage) -> None:
        if self.writing:
            return
        self._changed.update(notice.GetChangedInfoOnlyPaths())
        self._changed.update(p for p in notice.GetResyncedPaths() if p.IsPropertyPath())

    @property
    def pending(self) -> bool:
        return bool(self._changed)

    def apply(self, prims: list[ModulePrim]) -> Applied:
        """Hand the collected changes to ``prims`` and forget them."""
        changed, self._changed = self._changed, set()
        applied = Applied()
        for module_prim in prims:
            enabled_path = module_prim.prim.GetPath().AppendProperty(t.ENABLED)
            if enabled_path in changed:
                module_prim.enabled = bool(module_prim.prim.GetAttribute(t.ENABLED).Get())
                applied.toggled = True
            try:
                applied.reshaped = module_prim.refresh(changed) or applied.reshaped
            except Exception as e:  # isolation: the prim is disabled, the others go on
                applied.broken.append((module_prim, e))
        return applied

    def close(self) -> None:
        self._notice.Revoke()
