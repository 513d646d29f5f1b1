"""The warehouse fleet: the baked demo checked by a reader of its USD poses alone (no two robots
in one cell, no head-on swaps, every order carried from its pick station to its drop zone),
the compiled planner against the same source under CPython, and the cases that must end in a
reported status rather than a hang or a trap."""

from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import portalis.usd  # noqa: F401  (schemas registered before any stage is opened)
from portalis.demos import get_demo
from portalis.demos.pipeline import PREVIEW_PNG, RESULT_USDA, run_demo
from portalis.demos.warehouse import scene
from portalis.demos.warehouse.layout import SHELF, WALL, Layout, warehouse
from portalis.demos.warehouse.preview import Result, read_result
from portalis.lang import build
from portalis.runtime.kernel import load

KERNEL = get_demo("warehouse").kernel_path
_counter = itertools.count()


def fresh_source() -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_warehouse_{next(_counter)}", KERNEL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def wasm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(KERNEL, tmp_path_factory.mktemp("warehouse") / "kernel.wasm")


@pytest.fixture(params=["cpython", "compiled"])
def fleet_update(request: pytest.FixtureRequest, wasm: Path) -> Callable[..., Any]:
    """A fresh fleet's ``update``: the source under CPython, or the compiled module."""
    if request.param == "cpython":
        return fresh_source().update
    kernel = load(wasm)
    request.addfinalizer(kernel.close)
    return kernel.function("update")


# -- an independent reader of a run ----------------------------------------------------------


def check_run(cells_x: np.ndarray, cells_y: np.ndarray, layout: Layout) -> int:
    """Assert the poses of a run (frames × robots, in cells) are a legal fleet motion; return
    the cells travelled. Independent of the kernel: it sees positions only."""
    plan = layout.cells.reshape(layout.height, layout.width)
    assert np.all(plan[cells_y, cells_x] == 0), "a robot stands on a shelf or wall"
    cell = cells_y * layout.width + cells_x
    for f in range(len(cell)):
        assert len(set(cell[f].tolist())) == cell.shape[1], f"two robots share a cell at {f}"
    step = np.abs(np.diff(cells_x, axis=0)) + np.abs(np.diff(cells_y, axis=0))
    assert step.max(initial=0) <= 1, "a robot jumped more than one cell in a step"
    for f in range(1, len(cell)):
        before = {c: r for r, c in enumerate(cell[f - 1].tolist())}
        for r, c in enumerate(cell[f].tolist()):
            other = before.get(c)
            if other is not None and other != r:
                assert cell[f, other] != cell[f - 1, r], f"robots {r} and {other} swap at {f}"
    return int(step.sum())


def check_deliveries(result: Result, layout: Layout) -> None:
    """Every order: the robot that served it stood on its pick station, then on its drop zone,
    no earlier than its release (frames are steps, the scene's own values first)."""
    cell = result.cells_y * layout.width + result.cells_x
    for k in range(len(layout.order_pick)):
        frames, robots = np.nonzero(result.order == k)
        assert len(frames), f"order {k} was never served"
        robot = robots[0]
        assert np.all(robots == robot), f"order {k} changed robots"
        served = cell[frames, robot]
        at_pick = np.flatnonzero(served == layout.order_pick[k])
        assert at_pick.size, f"order {k}: its robot never stood on the pick station"
        step = frames[at_pick[0]] - 1
        assert step >= layout.order_release[k], f"order {k} picked before its release"
        after = frames[-1] + 1  # the first frame with the order delivered
        assert after < len(cell), f"order {k} was still being carried at the end"
        assert cell[after, robot] == layout.order_drop[k], f"order {k} not at its drop zone"


# -- the demo, baked -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    out = tmp_path_factory.mktemp("warehouse_demo")
    run_demo("warehouse", out)
    return out, read_result(out / RESULT_USDA)


def test_the_baked_demo_has_no_collision_no_swap_and_every_order_delivered(
    demo: tuple[Path, Result],
) -> None:
    out, result = demo
    layout = scene.default_run().layout
    assert result.robots == 20 and layout.width * layout.height >= 100 * 100
    travelled = check_run(result.cells_x, result.cells_y, layout)
    assert travelled >= 1000
    assert travelled == result.travelled  # the fleet's own count agrees with the poses
    check_deliveries(result, layout)
    assert result.delivered == len(layout.order_pick)
    assert np.all(result.status[-1] == 0)  # everyone home and idle at the end
    assert (out / PREVIEW_PNG).stat().st_size > 10_000


def test_headings_follow_the_moves(demo: tuple[Path, Result]) -> None:
    _, result = demo
    dx = np.diff(result.cells_x, axis=0)
    dy = np.diff(result.cells_y, axis=0)
    heading = result.headings[1:]
    assert np.all(heading[dx == 1] == 0.0) and np.all(heading[dx == -1] == 180.0)
    assert np.all(heading[dy == 1] == 90.0) and np.all(heading[dy == -1] == -90.0)


# -- compiled and CPython, step by step ------------------------------------------------------


def run_fleet(update: Callable[..., Any], layout: Layout, frames: int) -> list[tuple[Any, ...]]:
    robots = layout.robots
    pose = np.zeros((robots, 3))
    heading = np.zeros(robots)
    status = np.zeros(robots, np.int32)
    order = np.zeros(robots, np.int32)
    states = []
    for _ in range(frames):
        results = update(
            layout.cells, layout.width, layout.height, layout.picks, layout.drops, layout.homes,
            layout.order_pick, layout.order_drop, layout.order_release, pose, heading, status,
            order, 1.0,
        )  # fmt: skip
        states.append(
            (pose.copy(), heading.copy(), status.copy(), order.copy(), tuple(map(int, results)))
        )
    return states


@pytest.mark.parametrize(
    ("layout", "frames"),
    [
        (
            warehouse(width=40, height=36, robots=8, orders=24, picks=12, drops=4, release_every=1),
            700,
        ),
        (scene.default_run().layout, scene.default_run().frames),
    ],
    ids=["40x36-8-robots-burst", "demo"],
)
def test_compiled_planner_gives_cpython_paths(wasm: Path, layout: Layout, frames: int) -> None:
    expected = run_fleet(fresh_source().update, layout, frames)
    with load(wasm) as kernel:
        got = run_fleet(kernel.function("update"), layout, frames)
    for f, (a, b) in enumerate(zip(expected, got, strict=True)):
        for x, y in zip(a[:4], b[:4], strict=True):
            np.testing.assert_array_equal(x, y, err_msg=f"step {f}")
        assert a[4] == b[4], f"step {f}"
    delivered, _, rejected, fault = expected[-1][4]
    assert (delivered, rejected, fault) == (len(layout.order_pick), 0, 0)
    poses = np.array([s[0] for s in expected])
    check_run(poses[:, :, 0].astype(int), poses[:, :, 1].astype(int), layout)


# -- reported, never a hang ------------------------------------------------------------------


def small(**changes: Any) -> Layout:
    return replace(
        warehouse(width=40, height=36, robots=6, orders=10, picks=8, drops=4, release_every=2),
        **changes,
    )


def test_an_order_to_a_walled_off_station_is_rejected_and_the_rest_delivered(
    fleet_update: Callable[..., Any],
) -> None:
    layout = small()
    cells = layout.cells.copy().reshape(layout.height, layout.width)
    target = int(layout.order_pick[3])
    x, y = target % layout.width, target // layout.width
    cells[y - 1, x] = WALL  # the pick face's only opening
    walled = replace(layout, cells=cells.reshape(-1))
    states = run_fleet(fleet_update, walled, 600)
    delivered, _, rejected, fault = states[-1][4]
    unreachable = int(np.sum(walled.order_pick == target))
    assert rejected == unreachable and delivered == len(walled.order_pick) - unreachable
    assert fault == 0


def test_a_boxed_in_robot_is_reported_and_never_moves(fleet_update: Callable[..., Any]) -> None:
    layout = small()
    cells = layout.cells.copy().reshape(layout.height, layout.width)
    home = int(layout.homes[2])
    x, y = home % layout.width, home // layout.width
    cells[y + 1, x] = SHELF  # its notch's opening
    boxed = replace(layout, cells=cells.reshape(-1))
    states = run_fleet(fleet_update, boxed, 700)
    assert all(s[2][2] == 5 for s in states)  # BOXED_IN, every step
    assert all(np.array_equal(s[0][2], states[0][0][2]) for s in states)
    assert states[-1][4][0] == len(boxed.order_pick)  # the others deliver everything


def test_a_map_with_no_free_cell_is_a_fault(fleet_update: Callable[..., Any]) -> None:
    layout = small()
    full = replace(layout, cells=np.full_like(layout.cells, SHELF))
    states = run_fleet(fleet_update, full, 5)
    delivered, travelled, rejected, fault = states[-1][4]
    assert fault == 3 and delivered == travelled == 0
    assert rejected == np.sum(layout.order_release <= 4)
    assert np.all(states[-1][2] == 6)  # NO_CELL


def test_more_robots_than_free_cells_leaves_the_extra_robots_out(
    fleet_update: Callable[..., Any],
) -> None:
    layout = small()
    # Twelve robots, but the six extra are given homes that are taken or not free.
    homes = np.concatenate([layout.homes, layout.homes[:3], [0, 1, layout.width]]).astype(np.int32)
    crowded = replace(layout, homes=homes)
    states = run_fleet(fleet_update, crowded, 600)
    delivered, _, _, fault = states[-1][4]
    assert fault == 4
    assert np.all(states[-1][2][6:] == 6) and delivered == len(layout.order_pick)
    poses = np.array([s[0][:6] for s in states])
    check_run(poses[:, :, 0].astype(int), poses[:, :, 1].astype(int), crowded)


def test_a_map_of_the_wrong_size_is_a_fault(fleet_update: Callable[..., Any]) -> None:
    layout = small()
    states = run_fleet(fleet_update, replace(layout, width=layout.width + 1), 3)
    assert states[-1][4][3] == 1 and np.all(states[-1][2] == 6)
