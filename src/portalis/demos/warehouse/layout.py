"""The warehouse's floor plan and its order stream, as plain arrays: what the scene authors in
USD and what the tests and the benchmark hand the kernel directly.

The floor is a grid of ``width × height`` cells, row-major from the south-west corner (cell
``y * width + x``). 0 is floor; :data:`WALL` and :data:`SHELF` are obstacles. Shelves stand in
blocks of two rows with aisles between them; each station is a notch, a free cell with
obstacles on three sides, so a robot resting there never blocks an aisle:

* pick stations cut into shelf blocks (a pick face opening onto the aisle south of it);
* drop zones along the north wall;
* one home per robot along the south wall (then the west wall when the south one is full).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FLOOR = 0
WALL = 1
SHELF = 2

#: Shelf blocks: cells along x, rows along y, and the aisle widths around them.
BLOCK_LENGTH = 10
BLOCK_DEPTH = 2
AISLE = 2
#: Free cells between the walls (and their notches) and the shelf area.
MARGIN = 4


@dataclass(frozen=True)
class Layout:
    """A floor plan and an order stream: everything the kernel reads from the scene."""

    width: int
    height: int
    cells: np.ndarray  # int32, width * height
    picks: np.ndarray  # int32 cell indices
    drops: np.ndarray
    homes: np.ndarray  # one per robot
    order_pick: np.ndarray  # int32 cell indices
    order_drop: np.ndarray
    order_release: np.ndarray  # the step each order is released at

    @property
    def robots(self) -> int:
        return len(self.homes)

    def xy(self, cell: int | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Column and row of cell indices."""
        c = np.asarray(cell)
        return c % self.width, c // self.width


def warehouse(
    width: int = 100,
    height: int = 100,
    robots: int = 20,
    orders: int = 60,
    picks: int = 40,
    drops: int = 10,
    release_every: int = 4,
    seed: int = 11,
) -> Layout:
    """A warehouse of ``width × height`` cells with ``robots`` homes, ``picks`` pick stations,
    ``drops`` drop zones and ``orders`` orders (one released every ``release_every`` steps,
    random stations from a seeded generator: the same arguments give the same warehouse)."""
    rng = np.random.default_rng(seed)
    grid = np.zeros((height, width), np.int32)
    grid[0, :] = grid[-1, :] = WALL
    grid[:, 0] = grid[:, -1] = WALL

    faces: list[tuple[int, int]] = []
    y = MARGIN + 2
    while y + BLOCK_DEPTH <= height - MARGIN - 2:
        x = MARGIN + 2
        while x + BLOCK_LENGTH <= width - MARGIN - 2:
            grid[y : y + BLOCK_DEPTH, x : x + BLOCK_LENGTH] = SHELF
            faces.append((x + BLOCK_LENGTH // 2, y))
            x += BLOCK_LENGTH + AISLE
        y += BLOCK_DEPTH + AISLE
    chosen = rng.choice(len(faces), size=min(picks, len(faces)), replace=False)
    pick_cells = []
    for i in sorted(chosen):
        fx, fy = faces[i]
        grid[fy, fx] = FLOOR
        pick_cells.append(fy * width + fx)

    # Drop zones: notches in the north wall's inner row, spread evenly.
    grid[height - 2, 1:-1] = WALL
    drop_cells = []
    for x in np.linspace(2, width - 3, drops).round().astype(int):
        grid[height - 2, x] = FLOOR
        drop_cells.append((height - 2) * width + int(x))

    # Homes: notches every other cell of the south wall's inner row, then the west wall's.
    south = [(x, 1) for x in range(2, width - 2, 2)]
    spots = south + [(1, y) for y in range(3, height - 3, 2)]
    if robots > len(spots):
        raise ValueError(f"{width}×{height} has room for {len(spots)} homes, not {robots}")
    grid[1, 1:-1] = WALL
    if robots > len(south):
        grid[2 : height - 2, 1] = WALL
    home_cells = []
    for x, y in spots[:robots]:
        grid[y, x] = FLOOR
        home_cells.append(y * width + x)

    pick_arr = np.array(pick_cells, np.int32)
    drop_arr = np.array(drop_cells, np.int32)
    return Layout(
        width,
        height,
        grid.reshape(-1).copy(),
        pick_arr,
        drop_arr,
        np.array(home_cells, np.int32),
        pick_arr[rng.integers(0, len(pick_arr), orders)],
        drop_arr[rng.integers(0, len(drop_arr), orders)],
        (np.arange(orders) * release_every).astype(np.int32),
    )
