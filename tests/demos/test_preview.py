"""The preview pictures' building blocks: the PNG writer and the canvas."""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pytest

from portalis.demos._canvas import BLACK, WHITE, Canvas, nice_ticks, text_width
from portalis.demos._png import encode_png, write_png


def test_png_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    picture = rng.integers(0, 256, size=(7, 5, 3), dtype=np.uint8)
    write_png(tmp_path / "p.png", picture)
    data = (tmp_path / "p.png").read_bytes()
    assert data == encode_png(picture)
    assert data[12:16] == b"IHDR" and data[16:24] == (5).to_bytes(4, "big") + (7).to_bytes(4, "big")
    start = data.index(b"IDAT") + 4
    length = int.from_bytes(data[start - 8 : start - 4], "big")
    rows = np.frombuffer(zlib.decompress(data[start : start + length]), np.uint8).reshape(7, 16)
    assert np.array_equal(rows[:, 1:].reshape(7, 5, 3), picture)
    assert not (tmp_path / "p.png.tmp").exists()


@pytest.mark.parametrize("bad", [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 3), np.float32)])
def test_png_refuses_what_it_cannot_write(bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match="uint8"):
        encode_png(bad)


def test_canvas_draws_where_asked() -> None:
    canvas = Canvas(40, 20, background=WHITE)
    canvas.line(5, 10, 35, 10, BLACK, width=2.0)
    canvas.text(0, 0, "A")
    image = canvas.image()
    assert image.shape == (20, 40, 3)
    assert image[10, 20].max() < 60  # on the line
    assert image[18, 20].min() == 255  # away from it
    assert image[:7, :5].min() < 60 and text_width("AB") == 22


def test_nice_ticks() -> None:
    assert nice_ticks(0.0, 40.7) == [0.0, 10.0, 20.0, 30.0, 40.0]
    assert nice_ticks(-0.5, 12.0) == [0.0, 5.0, 10.0]  # at most ~6 ticks: steps of 5
