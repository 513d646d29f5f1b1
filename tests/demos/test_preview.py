"""The demos' pictures: matplotlib figures off screen (Agg), saved atomically, and what they
show computed from the run (the closed form they draw against, the bounce marks)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from portalis.demos import plot
from portalis.demos.projectile.preview import Figures, bounce_points, closed_form


def test_figure_saves_a_png_and_leaves_no_temporary(tmp_path: Path) -> None:
    fig = plot.figure(4.0, 3.0)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], label="a line")
    ax.legend()
    plot.save_png(fig, tmp_path / "p.png")
    data = (tmp_path / "p.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (400, 300)
    assert [p.name for p in tmp_path.iterdir()] == ["p.png"]


def test_same_figure_same_bytes(tmp_path: Path) -> None:
    for name in ("a.png", "b.png"):
        fig = plot.figure(3.0, 2.0)
        fig.add_subplot().plot([0, 1, 2], [2, 0, 1])
        plot.save_png(fig, tmp_path / name)
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_an_rgb_array_is_saved_too(tmp_path: Path) -> None:
    picture = np.zeros((5, 7, 3), np.uint8)
    picture[2, 3] = (255, 0, 0)
    plot.save_png(picture, tmp_path / "a.png")
    from matplotlib.image import imread

    back = imread(tmp_path / "a.png")
    assert back.shape[:2] == (5, 7) and back[2, 3, 0] == 1.0 and back[0, 0, 0] == 0.0


def test_no_interactive_backend_is_chosen() -> None:
    import sys

    plot.figure(1.0, 1.0)
    assert "matplotlib.pyplot" not in sys.modules


def test_closed_form_lands_at_the_kernels_range() -> None:
    v, angle, g = 20.0, 45.0, 9.81
    a = math.radians(angle)
    figures = Figures(v, angle, g, v * v * math.sin(2 * a) / g, 0.0, 2 * v * math.sin(a) / g)
    x, y = closed_form(figures, height=0.0)
    assert x[-1] == pytest.approx(figures.range_m, rel=1e-12)
    assert y[-1] == pytest.approx(0.0, abs=1e-9)
    assert y.max() == pytest.approx((v * math.sin(a)) ** 2 / (2 * g), rel=1e-4)


def test_bounce_marks_the_lower_of_the_two_frames() -> None:
    y = np.array([3.0, 1.0, 0.2, 0.5, 2.0])
    assert bounce_points(y, np.array([3])).tolist() == [2]  # frame 2 is lower than frame 3
    assert bounce_points(y, np.array([2])).tolist() == [2]


def test_without_matplotlib_the_demo_says_how_to_get_the_picture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portalis.demos.pipeline import PREVIEW_PNG, RESULT_FILE, run_demo

    monkeypatch.setattr(plot, "available", lambda: False)
    lines: list[str] = []
    run_demo("projectile", tmp_path, log=lines.append)
    assert (tmp_path / RESULT_FILE).exists() and not (tmp_path / PREVIEW_PNG).exists()
    assert any("portalis[plot]" in line for line in lines)
