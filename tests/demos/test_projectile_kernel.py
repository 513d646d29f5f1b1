"""The projectile kernel under CPython: closed-form ballistics against the textbook formulas,
and the per-frame ball's energy bookkeeping through its bounces."""

from __future__ import annotations

import math
from collections.abc import Callable
from types import ModuleType

import pytest

LoadKernel = Callable[[str], ModuleType]


@pytest.fixture
def k(fresh_kernel: LoadKernel) -> ModuleType:
    return fresh_kernel("projectile")


def test_issue_figures_range_and_max_height(k: ModuleType) -> None:
    v, theta, g = 20.0, math.radians(45.0), 9.81
    rng = k.calculate_range(20.0, 45.0, 0.0, 9.81)
    top = k.calculate_max_height(20.0, 45.0, 0.0, 9.81)
    assert rng == pytest.approx(v * v * math.sin(2 * theta) / g, abs=1e-9)
    assert top == pytest.approx((v * math.sin(theta)) ** 2 / (2 * g), abs=1e-9)
    assert round(rng, 3) == 40.775
    assert round(top, 3) == 10.194


@pytest.mark.parametrize(
    ("speed", "angle", "height", "g"),
    [
        (20.0, 45.0, 0.0, 9.81),
        (35.0, 30.0, 12.5, 9.81),
        (7.0, 80.0, 2.0, 1.62),
        (15.0, -10.0, 30.0, 9.81),
    ],
)
def test_closed_form_from_a_height(
    k: ModuleType, speed: float, angle: float, height: float, g: float
) -> None:
    theta = math.radians(angle)
    vx, vy = speed * math.cos(theta), speed * math.sin(theta)
    # The impact time is the positive root of height + vy·t - g·t²/2 = 0.
    t_impact = (vy + math.sqrt(vy * vy + 2 * g * height)) / g
    assert k.calculate_impact_time(speed, angle, height, g) == pytest.approx(t_impact, abs=1e-9)
    assert k.calculate_range(speed, angle, height, g) == pytest.approx(vx * t_impact, abs=1e-9)
    expected_top = height + vy * vy / (2 * g) if vy > 0 else height
    assert k.calculate_max_height(speed, angle, height, g) == pytest.approx(expected_top, abs=1e-9)
    x, y = k.calculate_trajectory(speed, angle, t_impact, height, g)
    assert (x, y) == pytest.approx((vx * t_impact, 0.0), abs=1e-9)
    x, y = k.calculate_trajectory(speed, angle, 0.5, height, g)
    assert (x, y) == pytest.approx((vx * 0.5, height + vy * 0.5 - g * 0.125), abs=1e-12)


def test_step_stops_at_contact_and_the_handler_finishes_the_step(k: ModuleType) -> None:
    """The runner's protocol: a step that touches down reports ``contact`` at the touchdown
    point; the collision handler bounces and flies the rest of the step."""
    t_impact = k.calculate_impact_time(20.0, 45.0)
    dt = t_impact / 2.5  # the touchdown falls inside the third step
    radius, e = 0.25, 0.5
    results = [k.step(dt, radius=radius) for _ in range(3)]
    assert [contact for *_, contact in results] == [False, False, True]
    x, y, _, _ = results[2]
    assert (x, y) == pytest.approx((k.calculate_range(20.0, 45.0), radius), abs=1e-9)
    x, y, _ = k.on_ground_contact(e, radius)
    # After the bounce the velocity is e·(vx, -vy) and the step has (3 - 2.5)·dt to go.
    v = 20.0 * math.sqrt(0.5)
    rest = 3 * dt - t_impact
    assert x == pytest.approx(k.calculate_range(20.0, 45.0) + e * v * rest, abs=1e-9)
    assert y == pytest.approx(radius + e * v * rest - 0.5 * 9.81 * rest**2, abs=1e-9)
    assert k.bounces == 1


def mechanical_energy(k: ModuleType, gy: float) -> float:
    """Energy per unit mass: kinetic plus potential in the field (0, gy, 0)."""
    return 0.5 * (k.vx**2 + k.vy**2 + k.vz**2) - gy * k.py


def test_first_touchdown_lands_at_the_closed_form_range(k: ModuleType) -> None:
    frames = 0
    while k.bounces == 0:
        k.simulate(1 / 60, speed=20.0, angle_deg=45.0, radius=0.25)
        frames += 1
        assert frames < 1000
    assert k.contact_x == pytest.approx(k.calculate_range(20.0, 45.0), abs=1e-9)
    assert k.contact_time == pytest.approx(k.calculate_impact_time(20.0, 45.0), abs=1e-9)


@pytest.mark.parametrize("dt", [1 / 24, 1 / 120])
@pytest.mark.parametrize("restitution", [0.8, 0.5, 0.2])
def test_energy_bookkeeping_through_bounces(k: ModuleType, dt: float, restitution: float) -> None:
    gy = -9.81
    energy = None
    seen_bounces = 0
    # Flight times form a geometric series: the first one over (1 - restitution) in all.
    total_time = 2 * 20.0 * math.sin(math.radians(60.0)) / 9.81 / (1 - restitution) + 1.0
    for _ in range(int(total_time / dt)):
        k.simulate(dt, speed=20.0, angle_deg=60.0, gravityOverride_y=gy, restitution=restitution)
        if k.bounces > seen_bounces:
            seen_bounces = k.bounces
            # Each bounce scales kinetic energy by restitution² exactly.
            assert k.ke_after == pytest.approx(restitution**2 * k.ke_before, rel=1e-12)
            energy = None if k.resting else mechanical_energy(k, gy)
        elif not k.resting:
            # Between bounces the exact parabolic step neither gains nor loses energy.
            e = mechanical_energy(k, gy)
            if energy is not None:
                assert e == pytest.approx(energy, rel=1e-9)
            energy = e
        assert k.py >= 0.25 - 1e-9  # never below the ground
    assert seen_bounces >= 3
    assert k.resting  # the bounces die out: the ball comes to rest


def test_force_multiplier_scales_gravity(k: ModuleType, fresh_kernel: LoadKernel) -> None:
    other = fresh_kernel("projectile")
    for _ in range(30):
        k.simulate(1 / 60, gravityOverride_y=-9.81, forceMultiplier=2.0)
        other.simulate(1 / 60, gravityOverride_y=-19.62, forceMultiplier=1.0)
    assert (k.px, k.py, k.vy) == pytest.approx((other.px, other.py, other.vy), abs=1e-12)


def test_sideways_gravity_and_upward_pull(k: ModuleType, fresh_kernel: LoadKernel) -> None:
    for _ in range(60):
        k.simulate(
            1 / 60,
            speed=10.0,
            angle_deg=45.0,
            gravityOverride_x=-2.0,
            gravityOverride_y=-9.81,
            gravityOverride_z=1.0,
        )
    assert k.vz == pytest.approx(1.0, abs=1e-12)  # one second of 1 m/s² along z
    up = fresh_kernel("projectile")
    for _ in range(60):
        up.simulate(1 / 60, gravityOverride_y=3.0)  # pulled upwards: never touches the ground
    assert up.bounces == 0 and up.py > 10.0


def test_reset_relaunches(k: ModuleType) -> None:
    first = k.simulate(0.1)
    for _ in range(10):
        k.simulate(0.1)
    k.reset()
    assert k.simulate(0.1) == pytest.approx(first, abs=1e-15)


@pytest.mark.parametrize("dt", [1 / 30, 0.5, 3.0])
def test_large_steps_match_small_steps(k: ModuleType, fresh_kernel: LoadKernel, dt: float) -> None:
    """The step is exact, so the frame rate does not change where the ball is."""
    fine = fresh_kernel("projectile")
    n = 6
    for _ in range(n):
        k.simulate(dt, restitution=0.8)
    steps = round(n * dt / (1 / 300))
    for _ in range(steps):
        fine.simulate(n * dt / steps, restitution=0.8)
    assert (k.px, k.py) == pytest.approx((fine.px, fine.py), abs=1e-6)
