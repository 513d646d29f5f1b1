"""The demos' pictures: matplotlib figures drawn off screen and saved as PNG.

matplotlib is the optional extra ``portalis[plot]`` (the README's main command installs it):
the runtime, the compiler, the runner and the Kit extension never draw, and Kit brings its own
Python environment where every extra package is a cost. Without it, ``portalis demo`` still
builds, runs and writes the scene and result, and says how to get the picture.

Figures are made with :class:`matplotlib.figure.Figure` and the Agg canvas directly, not
through ``pyplot``: no global figure state, no interactive backend, nothing opens a window,
and the same input draws the same picture.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from portalis.errors import PortalisError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: One palette for every demo (colour-blind-safe: Okabe and Ito).
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILION = "#D55E00"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
YELLOW = "#F0E442"
GREY = "#666666"
JOINTS = (VERMILION, BLUE, GREEN, PURPLE, ORANGE, SKY)

INSTALL_HINT = "pip install 'portalis[plot]' (matplotlib) to draw the pictures"


def available() -> bool:
    """Whether matplotlib can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def figure(width_in: float, height_in: float) -> Figure:
    """A new figure with the demos' style, drawn by Agg (no window, no global state)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise PortalisError("matplotlib is not installed", hint=INSTALL_HINT) from None
    fig = Figure(figsize=(width_in, height_in), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def style(ax: Any) -> None:
    """Light grid behind the data, no top or right frame."""
    ax.grid(True, color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


#: PNG metadata without matplotlib's "Software" entry, which names its version, so a preview's
#: bytes do not change with it. None removes a key (matplotlib's docs); its type hints allow
#: str values only.
NO_SOFTWARE_KEY = cast("dict[str, str]", {"Software": None})


def save_png(picture: Any, path: Path) -> None:
    """Write a figure (or an RGB array of uint8, height × width × 3) to ``path`` atomically."""
    temp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.png")
    try:
        if hasattr(picture, "savefig"):
            picture.savefig(temp, format="png", dpi=100, metadata=NO_SOFTWARE_KEY)
        else:
            from matplotlib.image import imsave

            imsave(temp, picture, format="png", metadata=NO_SOFTWARE_KEY)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
