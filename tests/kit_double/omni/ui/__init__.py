"""Double of ``omni.ui``: the widgets the extension's panel builds, as a tree a test can read
and click. As in omni.ui, a widget created inside ``with container:`` becomes that container's
child; ``Window(title, width=, height=)`` has a ``frame``, ``visible`` and ``destroy()``;
``Frame.set_build_fn(fn)`` / ``rebuild()`` rebuild a frame's children; ``Label.text``;
``Button(text, clicked_fn=)`` with ``call_clicked_fn()``; ``CheckBox``/``FloatField``/
``IntField``/``StringField`` over ``Simple*Model`` value models (``get_value_as_*``,
``set_value``, ``add_value_changed_fn``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_stack: list[Widget] = []
_windows: list[Window] = []


class _ValueModel:
    def __init__(self, value: Any = None) -> None:
        self._value = value
        self._listeners: list[Callable[[_ValueModel], None]] = []

    def set_value(self, value: Any) -> None:
        self._value = value
        for fn in list(self._listeners):
            fn(self)

    def add_value_changed_fn(self, fn: Callable[[_ValueModel], None]) -> int:
        self._listeners.append(fn)
        return len(self._listeners)

    def get_value_as_bool(self) -> bool:
        return bool(self._value)

    def get_value_as_float(self) -> float:
        return float(self._value or 0.0)

    def get_value_as_int(self) -> int:
        return int(self._value or 0)

    def get_value_as_string(self) -> str:
        return "" if self._value is None else str(self._value)


class SimpleBoolModel(_ValueModel):
    def __init__(self, default_value: bool = False) -> None:
        super().__init__(bool(default_value))


class SimpleFloatModel(_ValueModel):
    def __init__(self, default_value: float = 0.0) -> None:
        super().__init__(float(default_value))


class SimpleIntModel(_ValueModel):
    def __init__(self, default_value: int = 0) -> None:
        super().__init__(int(default_value))


class SimpleStringModel(_ValueModel):
    def __init__(self, default_value: str = "") -> None:
        super().__init__(str(default_value))


class Widget:
    def __init__(self, **kwargs: Any) -> None:
        self.children: list[Widget] = []
        self.visible = kwargs.get("visible", True)
        self.name = kwargs.get("name", "")
        self.tooltip = kwargs.get("tooltip", "")
        self.destroyed = False
        if _stack:
            _stack[-1].children.append(self)

    def destroy(self) -> None:
        self.destroyed = True
        for child in self.children:
            child.destroy()


class Container(Widget):
    def __enter__(self) -> Container:
        _stack.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _stack.pop()

    def clear(self) -> None:
        for child in self.children:
            child.destroy()
        self.children = []


class Frame(Container):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._build_fn: Callable[[], None] | None = None

    def set_build_fn(self, fn: Callable[[], None]) -> None:
        self._build_fn = fn
        self.rebuild()

    def rebuild(self) -> None:
        if self._build_fn is None:
            return
        self.clear()
        with self:
            self._build_fn()


class VStack(Container):
    pass


class HStack(Container):
    pass


class ScrollingFrame(Frame):
    pass


class CollapsableFrame(Frame):
    def __init__(self, title: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.title = title


class Label(Widget):
    def __init__(self, text: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = text


class Button(Widget):
    def __init__(self, text: str = "", clicked_fn: Callable[[], None] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.text = text
        self.clicked_fn = clicked_fn

    def set_clicked_fn(self, fn: Callable[[], None]) -> None:
        self.clicked_fn = fn

    def call_clicked_fn(self) -> None:
        if self.clicked_fn is not None:
            self.clicked_fn()


class _ModelWidget(Widget):
    _model_type: type[_ValueModel] = _ValueModel

    def __init__(self, model: _ValueModel | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model = model if model is not None else self._model_type()


class CheckBox(_ModelWidget):
    _model_type = SimpleBoolModel


class FloatField(_ModelWidget):
    _model_type = SimpleFloatModel


class IntField(_ModelWidget):
    _model_type = SimpleIntModel


class StringField(_ModelWidget):
    _model_type = SimpleStringModel


class Window:
    def __init__(self, title: str, width: int = 400, height: int = 600, **kwargs: Any) -> None:
        self.title = title
        self.width = width
        self.height = height
        self.visible = kwargs.get("visible", True)
        self.frame = Frame()
        self.destroyed = False
        _windows.append(self)

    def destroy(self) -> None:
        self.destroyed = True
        self.frame.destroy()
        if self in _windows:
            _windows.remove(self)


def _open_windows() -> list[Window]:
    return list(_windows)


def _reset() -> None:
    _stack.clear()
    for window in list(_windows):
        window.destroy()
