"""A small raster canvas for the demos' preview pictures: anti-aliased lines and disks, filled
rectangles, a 5×7 bitmap font, and plot axes with ticks. NumPy only, so a preview needs no
plotting library; drawing happens at 2× and is averaged down, which smooths every edge."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

Color = tuple[int, int, int]

BLACK: Color = (20, 20, 24)
GREY: Color = (150, 150, 155)
LIGHT: Color = (228, 228, 232)
WHITE: Color = (255, 255, 255)

# fmt: off
#: 5×7 glyphs, one string of seven 5-bit rows each. Lower case prints as upper case.
_GLYPHS: dict[str, str] = {
    " ": "00000,00000,00000,00000,00000,00000,00000",
    "0": "01110,10001,10011,10101,11001,10001,01110",
    "1": "00100,01100,00100,00100,00100,00100,01110",
    "2": "01110,10001,00001,00010,00100,01000,11111",
    "3": "11111,00010,00100,00010,00001,10001,01110",
    "4": "00010,00110,01010,10010,11111,00010,00010",
    "5": "11111,10000,11110,00001,00001,10001,01110",
    "6": "00110,01000,10000,11110,10001,10001,01110",
    "7": "11111,00001,00010,00100,01000,01000,01000",
    "8": "01110,10001,10001,01110,10001,10001,01110",
    "9": "01110,10001,10001,01111,00001,00010,01100",
    "A": "01110,10001,10001,11111,10001,10001,10001",
    "B": "11110,10001,10001,11110,10001,10001,11110",
    "C": "01110,10001,10000,10000,10000,10001,01110",
    "D": "11100,10010,10001,10001,10001,10010,11100",
    "E": "11111,10000,10000,11110,10000,10000,11111",
    "F": "11111,10000,10000,11110,10000,10000,10000",
    "G": "01110,10001,10000,10111,10001,10001,01111",
    "H": "10001,10001,10001,11111,10001,10001,10001",
    "I": "01110,00100,00100,00100,00100,00100,01110",
    "J": "00111,00010,00010,00010,00010,10010,01100",
    "K": "10001,10010,10100,11000,10100,10010,10001",
    "L": "10000,10000,10000,10000,10000,10000,11111",
    "M": "10001,11011,10101,10101,10001,10001,10001",
    "N": "10001,10001,11001,10101,10011,10001,10001",
    "O": "01110,10001,10001,10001,10001,10001,01110",
    "P": "11110,10001,10001,11110,10000,10000,10000",
    "Q": "01110,10001,10001,10001,10101,10010,01101",
    "R": "11110,10001,10001,11110,10100,10010,10001",
    "S": "01111,10000,10000,01110,00001,00001,11110",
    "T": "11111,00100,00100,00100,00100,00100,00100",
    "U": "10001,10001,10001,10001,10001,10001,01110",
    "V": "10001,10001,10001,10001,10001,01010,00100",
    "W": "10001,10001,10001,10101,10101,10101,01010",
    "X": "10001,10001,01010,00100,01010,10001,10001",
    "Y": "10001,10001,10001,01010,00100,00100,00100",
    "Z": "11111,00001,00010,00100,01000,10000,11111",
    ".": "00000,00000,00000,00000,00000,01100,01100",
    ",": "00000,00000,00000,00000,01100,00100,01000",
    ":": "00000,01100,01100,00000,01100,01100,00000",
    ";": "00000,01100,01100,00000,01100,00100,01000",
    "-": "00000,00000,00000,11111,00000,00000,00000",
    "+": "00000,00100,00100,11111,00100,00100,00000",
    "/": "00000,00001,00010,00100,01000,10000,00000",
    "=": "00000,00000,11111,00000,11111,00000,00000",
    "(": "00010,00100,01000,01000,01000,00100,00010",
    ")": "01000,00100,00010,00010,00010,00100,01000",
    "<": "00010,00100,01000,10000,01000,00100,00010",
    ">": "01000,00100,00010,00001,00010,00100,01000",
    "_": "00000,00000,00000,00000,00000,00000,11111",
    "%": "11000,11001,00010,00100,01000,10011,00011",
    "°": "01100,10010,10010,01100,00000,00000,00000",
    "²": "01100,10010,00100,01000,11110,00000,00000",
    "×": "00000,10001,01010,00100,01010,10001,00000",
    "µ": "00000,10001,10001,10001,10011,11101,10000",
    "?": "01110,10001,00001,00010,00100,00000,00100",
}
# fmt: on

_BITMAPS: dict[str, np.ndarray] = {
    ch: np.array([[c == "1" for c in row] for row in rows.split(",")], dtype=bool)
    for ch, rows in _GLYPHS.items()
}

GLYPH_W, GLYPH_H, GLYPH_ADVANCE = 5, 7, 6


def text_width(text: str, scale: int = 2) -> int:
    """Width in pixels of ``text`` drawn at ``scale``."""
    return max(0, len(text) * GLYPH_ADVANCE * scale - scale)


class Canvas:
    """An RGB picture drawn in final-image pixel coordinates (x right, y down)."""

    def __init__(
        self, width: int, height: int, background: Color = WHITE, supersample: int = 2
    ) -> None:
        self.width = width
        self.height = height
        self.ss = supersample
        self._px = np.empty((height * supersample, width * supersample, 3), np.float32)
        self._px[:] = background

    # -- primitives ---------------------------------------------------------------------------

    def _blend(self, ys: slice, xs: slice, mask: np.ndarray, color: Color, alpha: float) -> None:
        region = self._px[ys, xs]
        a = (mask.astype(np.float32) * alpha)[..., None]
        region[:] = region * (1.0 - a) + np.asarray(color, np.float32) * a

    def line(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        color: Color,
        width: float = 1.5,
        alpha: float = 1.0,
    ) -> None:
        """A segment with round ends, ``width`` pixels wide."""
        s = self.ss
        ax, ay, bx, by = x0 * s, y0 * s, x1 * s, y1 * s
        hw = max(width * s / 2.0, 0.5)
        lo_x = max(math.floor(min(ax, bx) - hw), 0)
        hi_x = min(math.ceil(max(ax, bx) + hw) + 1, self._px.shape[1])
        lo_y = max(math.floor(min(ay, by) - hw), 0)
        hi_y = min(math.ceil(max(ay, by) + hw) + 1, self._px.shape[0])
        if lo_x >= hi_x or lo_y >= hi_y:
            return
        gy, gx = np.mgrid[lo_y:hi_y, lo_x:hi_x].astype(np.float32) + 0.5
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        if length2 > 0.0:
            u = np.clip(((gx - ax) * dx + (gy - ay) * dy) / length2, 0.0, 1.0)
        else:
            u = np.zeros_like(gx)
        dist2 = (gx - ax - u * dx) ** 2 + (gy - ay - u * dy) ** 2
        self._blend(slice(lo_y, hi_y), slice(lo_x, hi_x), dist2 <= hw * hw, color, alpha)

    def polyline(
        self,
        xs: Sequence[float] | np.ndarray,
        ys: Sequence[float] | np.ndarray,
        color: Color,
        width: float = 1.5,
        alpha: float = 1.0,
        dashed: bool = False,
    ) -> None:
        """Connected segments through the points; ``dashed`` draws every other one."""
        for i in range(len(xs) - 1):
            if dashed and i % 2:
                continue
            self.line(xs[i], ys[i], xs[i + 1], ys[i + 1], color, width, alpha)

    def disk(self, x: float, y: float, radius: float, color: Color, alpha: float = 1.0) -> None:
        """A filled circle."""
        self.line(x, y, x, y, color, 2.0 * radius, alpha)

    def ring(self, x: float, y: float, radius: float, color: Color, width: float = 1.5) -> None:
        """A circle outline."""
        n = max(16, int(radius * 2))
        angles = np.linspace(0.0, 2.0 * math.pi, n + 1)
        self.polyline(x + radius * np.cos(angles), y + radius * np.sin(angles), color, width)

    def rect(
        self, x0: float, y0: float, x1: float, y1: float, color: Color, alpha: float = 1.0
    ) -> None:
        """A filled axis-aligned rectangle."""
        s = self.ss
        ys = slice(max(round(min(y0, y1) * s), 0), max(round(max(y0, y1) * s), 0))
        xs = slice(max(round(min(x0, x1) * s), 0), max(round(max(x0, x1) * s), 0))
        region = self._px[ys, xs]
        if region.size:
            self._blend(ys, xs, np.ones(region.shape[:2], bool), color, alpha)

    def text(
        self,
        x: float,
        y: float,
        text: str,
        color: Color = BLACK,
        scale: int = 2,
        anchor: str = "left",
    ) -> None:
        """``text`` with its top at ``y``; ``anchor`` is left, centre or right of ``x``."""
        if anchor == "centre":
            x -= text_width(text, scale) / 2
        elif anchor == "right":
            x -= text_width(text, scale)
        k = scale * self.ss
        for i, ch in enumerate(text.upper()):
            glyph = _BITMAPS.get(ch, _BITMAPS["?"])
            mask = np.kron(glyph, np.ones((k, k), bool))
            top = round(y * self.ss)
            left = round((x + i * GLYPH_ADVANCE * scale) * self.ss)
            if top < 0 or left < 0:
                continue
            h = min(mask.shape[0], self._px.shape[0] - top)
            w = min(mask.shape[1], self._px.shape[1] - left)
            if h > 0 and w > 0:
                self._blend(slice(top, top + h), slice(left, left + w), mask[:h, :w], color, 1.0)

    # -- result ---------------------------------------------------------------------------------

    def image(self) -> np.ndarray:
        """The picture as an (height, width, 3) uint8 array, averaged down from the 2× buffer."""
        s = self.ss
        px = self._px.reshape(self.height, s, self.width, s, 3).mean(axis=(1, 3))
        return np.clip(np.round(px), 0, 255).astype(np.uint8)


def nice_ticks(lo: float, hi: float, count: int = 6) -> list[float]:
    """Round tick values (1, 2 or 5 × 10ⁿ apart) covering [lo, hi]."""
    span = max(hi - lo, 1e-12)
    raw = span / max(count, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1.0, 2.0, 5.0, 10.0) if m * magnitude >= raw)
    first = math.ceil(lo / step) * step
    ticks = []
    v = first
    while v <= hi + step * 1e-9:
        ticks.append(0.0 if abs(v) < step * 1e-9 else v)
        v += step
    return ticks


class Axes:
    """A rectangle of the canvas mapped to a world window with equal or free aspect."""

    def __init__(
        self,
        canvas: Canvas,
        box: tuple[float, float, float, float],
        x_range: tuple[float, float],
        y_range: tuple[float, float],
        equal_aspect: bool = True,
    ) -> None:
        self.canvas = canvas
        left, top, right, bottom = box
        (x0, x1), (y0, y1) = x_range, y_range
        sx = (right - left) / (x1 - x0)
        sy = (bottom - top) / (y1 - y0)
        if equal_aspect:
            sx = sy = min(sx, sy)
            # Centre the window in the box along the direction with room to spare.
            left += ((right - left) - (x1 - x0) * sx) / 2.0
            bottom -= ((bottom - top) - (y1 - y0) * sy) / 2.0
        self.sx, self.sy = sx, sy
        self.x0, self.y0 = x0, y0
        self.left, self.bottom = left, bottom
        self.x1 = x0 + (right - left) / sx
        self.y1 = y0 + (bottom - top) / sy
        self.right, self.top = right, top

    def px(self, x: float | np.ndarray, y: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """World → canvas pixels."""
        return (
            self.left + (np.asarray(x) - self.x0) * self.sx,
            self.bottom - (np.asarray(y) - self.y0) * self.sy,
        )

    def frame(self, x_label: str, y_label: str, grid: bool = True) -> None:
        """Grid, border, ticks and their labels."""
        c = self.canvas
        for v in nice_ticks(self.x0, self.x1):
            x, _ = self.px(v, self.y0)
            if grid:
                c.line(float(x), self.top, float(x), self.bottom, LIGHT, 1.0)
            c.text(float(x), self.bottom + 6, f"{v:g}", GREY, 2, "centre")
        for v in nice_ticks(self.y0, self.y1):
            _, y = self.px(self.x0, v)
            if grid:
                c.line(self.left, float(y), self.right, float(y), LIGHT, 1.0)
            c.text(self.left - 6, float(y) - 7, f"{v:g}", GREY, 2, "right")
        for a, b, d, e in (
            (self.left, self.top, self.right, self.top),
            (self.left, self.bottom, self.right, self.bottom),
            (self.left, self.top, self.left, self.bottom),
            (self.right, self.top, self.right, self.bottom),
        ):
            c.line(a, b, d, e, GREY, 1.0)
        c.text((self.left + self.right) / 2, self.bottom + 26, x_label, BLACK, 2, "centre")
        c.text(self.left, self.top - 20, y_label, BLACK, 2, "left")
