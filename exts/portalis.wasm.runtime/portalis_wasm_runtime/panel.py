"""The "Portalis WASM Runtime" window (omni.ui): a view of :class:`~.panel_model.PanelModel`,
redrawn when the controller refreshes it (at most every ``panel_refresh_s``), and buttons that
call the controller's actions. No logic of its own."""

from __future__ import annotations

from collections.abc import Callable

import omni.ui as ui

from .controller import Controller
from .panel_model import PanelModel, Row

TITLE = "Portalis WASM Runtime"
DEFAULT_BAKE_PATH = "portalis_results.usda"


class Panel:
    def __init__(self, controller: Controller) -> None:
        self.controller = controller
        self.window = ui.Window(TITLE, width=400, height=600)
        self.model: PanelModel | None = None
        #: The buttons by label, the rows' checkbox models and labels, the limit fields'
        #: models: what a user clicks and reads, and so what tests click and read.
        self.buttons: dict[str, ui.Button] = {}
        self.enabled_models: dict[str, ui.SimpleBoolModel] = {}
        self.row_labels: list[ui.Label] = []
        self._row_widgets: list[list[ui.Label]] = []
        self._bake_path = ui.SimpleStringModel(DEFAULT_BAKE_PATH)
        settings = controller.settings
        self.memory_cap = ui.SimpleIntModel(int(settings.get("max_memory_mb")))
        self.deadline = ui.SimpleFloatModel(float(settings.get("deadline_ms")))
        with self.window.frame, ui.VStack(spacing=4):
            self.status = ui.Label("", name="status")
            self.message = ui.Label("", name="message")
            self.notice = ui.Label("", name="notice")
            self.overlay = ui.Label("", name="overlay")
            self.consent = ui.Frame(name="consent")
            with ui.CollapsableFrame("Controls"), ui.VStack():
                with ui.HStack():
                    self._button("Scan Stage", controller.scan)
                    self._button("Reload Modules", controller.reload)
                with ui.HStack():
                    ui.StringField(model=self._bake_path)
                    self._button("Bake to layer…", self._bake)
            with ui.CollapsableFrame("Settings"), ui.VStack():
                with ui.HStack():
                    ui.Label("Memory cap (MiB)")
                    ui.IntField(model=self.memory_cap)
                with ui.HStack():
                    ui.Label("Deadline (ms)")
                    ui.FloatField(model=self.deadline)
                self._button("Apply limits", self._apply_limits)
            with ui.CollapsableFrame("Loaded Modules"):
                self.rows = ui.ScrollingFrame(name="rows")
        self.consent.set_build_fn(self._build_consent)
        self.rows.set_build_fn(self._build_rows)
        controller.add_view(self.show)

    def show(self, model: PanelModel) -> None:
        consent_changed = self.model is None or self.model.consent != model.consent
        rows_changed = self.model is None or _layout(self.model) != _layout(model)
        self.model = model
        self.status.text = f"Status: {model.state}"
        self.message.text = model.message
        self.notice.text = model.notice
        self.overlay.text = model.overlay
        if consent_changed:
            self.consent.rebuild()
        if rows_changed:  # rows added, removed, or changed shape: rebuild them
            self.rows.rebuild()
        else:  # only figures changed: set the labels' text (cheap; no widgets built)
            for row, labels in zip(model.rows, self._row_widgets, strict=True):
                for label, text in zip(labels, _row_texts(row), strict=True):
                    label.text = text

    def _build_consent(self) -> None:
        model = self.model
        if model is None or not model.consent:
            return
        with ui.VStack():
            ui.Label(
                f"This stage runs {len(model.consent)} WebAssembly module(s) you have not "
                "allowed yet. They run sandboxed, but they are code from the scene's author."
            )
            for ref in model.consent:
                digest = ref.sha256 or ""  # consent lists only modules that have one
                ui.Label(f"{ref.prim_path}: {ref.wasm_path} (sha256 {digest[:12]}…)")
            with ui.HStack():
                self._button("Allow once", lambda: self.controller.allow(remember=False))
                self._button("Allow and remember", lambda: self.controller.allow(remember=True))
                self._button("Don't run", self.controller.decline)

    def _build_rows(self) -> None:
        model = self.model
        if model is None:
            return
        self.row_labels = []
        self._row_widgets = []
        self.enabled_models = {}
        with ui.VStack():
            for row in model.rows:
                self._build_row(row)

    def _build_row(self, row: Row) -> None:
        enabled = self.enabled_models[row.path] = ui.SimpleBoolModel(row.enabled)
        enabled.add_value_changed_fn(
            lambda m, path=row.path: self.controller.set_enabled(path, m.get_value_as_bool())
        )
        texts = _row_texts(row)
        with ui.VStack():
            with ui.HStack():
                ui.CheckBox(model=enabled, name=f"enabled {row.path}")
                labels = [self._row_label(texts[0])]
            labels += [self._row_label(text) for text in texts[1:]]
        self._row_widgets.append(labels)

    def _button(self, text: str, fn: Callable[[], None]) -> ui.Button:
        self.buttons[text] = ui.Button(text, clicked_fn=fn)
        return self.buttons[text]

    def _row_label(self, text: str) -> ui.Label:
        label = ui.Label(text)
        self.row_labels.append(label)
        return label

    def _bake(self) -> None:
        self.controller.bake(self._bake_path.get_value_as_string())

    def _apply_limits(self) -> None:
        self.controller.set_limits(
            max_memory_mb=self.memory_cap.get_value_as_int(),
            deadline_ms=self.deadline.get_value_as_float(),
        )

    def destroy(self) -> None:
        self.controller.remove_view(self.show)
        self.window.destroy()


def _layout(model: PanelModel) -> list[tuple[str, bool, bool]]:
    """What decides the rows' widgets: which prims, their checkbox, whether an error line."""
    return [(row.path, row.enabled, bool(row.last_error)) for row in model.rows]


def _row_texts(row: Row) -> list[str]:
    texts = [
        f"{row.path}  [{row.module}, {row.mode or '-'}]  {row.status}",
        f"calls {row.calls}   mean {_us(row.mean_us)}   p99 {_us(row.p99_us)}   "
        f"memory {_bytes(row.memory_bytes)}",
    ]
    if row.last_error:
        texts.append(f"last error: {row.last_error}")
    return texts


def _us(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} µs"


def _bytes(value: int | None) -> str:
    return "-" if value is None else f"{value / 1024:.0f} KiB"
