"""The UR5 kernel under CPython: FK against hand-derived poses and an independent 4×4 DH
product, IK round trips, joint limits, unreachable targets, and both control modes."""

from __future__ import annotations

import math
from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest

LoadKernel = Callable[[str], ModuleType]

# UR5 DH table, as published: (d, a, alpha) per joint.
UR5_DH = (
    (0.089159, 0.0, math.pi / 2),
    (0.0, -0.425, 0.0),
    (0.0, -0.39225, 0.0),
    (0.10915, 0.0, math.pi / 2),
    (0.09465, 0.0, -math.pi / 2),
    (0.0823, 0.0, 0.0),
)
HOME = (0.0, -math.pi / 2, math.pi / 2, -math.pi / 2, -math.pi / 2, 0.0)


@pytest.fixture
def k(fresh_kernel: LoadKernel) -> ModuleType:
    return fresh_kernel("robot_arm")


def reference_fk(q: tuple[float, ...] | np.ndarray) -> np.ndarray:
    """The textbook chain: the product of the six 4×4 DH matrices, written independently."""
    t = np.eye(4)
    for theta, (d, a, alpha) in zip(q, UR5_DH, strict=True):
        ct, st, ca, sa = math.cos(theta), math.sin(theta), math.cos(alpha), math.sin(alpha)
        t = t @ np.array(
            [
                [ct, -st * ca, st * sa, a * ct],
                [st, ct * ca, -ct * sa, a * st],
                [0.0, sa, ca, d],
                [0.0, 0.0, 0.0, 1.0],
            ]
        )
    return t[:3, 3]


def reference_fk_many(qs: np.ndarray) -> np.ndarray:
    """:func:`reference_fk` for many configurations at once (rows of ``qs``)."""
    t = np.broadcast_to(np.eye(4), (len(qs), 4, 4))
    for j, (d, a, alpha) in enumerate(UR5_DH):
        ct, st = np.cos(qs[:, j]), np.sin(qs[:, j])
        ca, sa = math.cos(alpha), math.sin(alpha)
        m = np.zeros((len(qs), 4, 4))
        m[:, 0, 0], m[:, 0, 1], m[:, 0, 2], m[:, 0, 3] = ct, -st * ca, st * sa, a * ct
        m[:, 1, 0], m[:, 1, 1], m[:, 1, 2], m[:, 1, 3] = st, ct * ca, -ct * sa, a * st
        m[:, 2, 1], m[:, 2, 2], m[:, 2, 3] = sa, ca, d
        m[:, 3, 3] = 1.0
        t = t @ m
    return t[:, :3, 3]


def limits(k: ModuleType) -> list[tuple[float, float]]:
    return [(k.lower_limit(i), k.upper_limit(i)) for i in range(6)]


def random_configurations(k: ModuleType, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lo, hi = np.array(limits(k)).T
    return rng.uniform(lo, hi, size=(n, 6))


def test_zero_pose_by_hand(k: ModuleType) -> None:
    # All joints at zero: the arm lies stretched along -x. Walking the DH table: the shoulder
    # sits d1 up; a2 and a3 run along x; Rx(π/2) at joint 4 turns d4 into -y, Rx(-π/2) at
    # joint 5 turns d5 into -z and joint 6's d6 into -y again.
    d1, a2, a3, d4, d5, d6 = 0.089159, -0.425, -0.39225, 0.10915, 0.09465, 0.0823
    expected = (a2 + a3, -(d4 + d6), d1 - d5)
    assert k.fk(0, 0, 0, 0, 0, 0) == pytest.approx(expected, abs=1e-15)
    assert expected == pytest.approx((-0.81725, -0.19145, -0.005491), abs=1e-12)


def test_home_pose_by_hand(k: ModuleType) -> None:
    # Home: the upper arm points straight up (|a2| above the shoulder), the forearm runs along
    # -x (a3), the wrist's d5 continues along -x, d4 is the sideways offset along -y, and the
    # tool flange (d6) points down.
    d1, a2, a3, d4, d5, d6 = 0.089159, -0.425, -0.39225, 0.10915, 0.09465, 0.0823
    expected = (a3 - d5, -d4, d1 - a2 - d6)
    assert k.fk(*HOME) == pytest.approx(expected, abs=1e-12)


def test_fk_matches_independent_dh_product(k: ModuleType) -> None:
    for q in random_configurations(k, 200, seed=1):
        assert k.fk(*q) == pytest.approx(tuple(reference_fk(q)), abs=1e-12)
        assert k.forward_kinematics(q) == pytest.approx(tuple(reference_fk(q)), abs=1e-12)


def test_ik_round_trip_within_a_millimetre_from_home(k: ModuleType) -> None:
    worst = 0.0
    for q in random_configurations(k, 300, seed=2):
        target = reference_fk(q)
        k.set_seed(*HOME)
        solution = k.solve_ik(*target)
        reached = reference_fk(solution)
        worst = max(worst, float(np.linalg.norm(reached - target)))
        for i, (lo, hi) in enumerate(limits(k)):
            assert lo <= solution[i] <= hi
    assert worst < 1e-3


def test_ik_from_home_converges_in_few_iterations(k: ModuleType) -> None:
    # Turning the base to face the target first and damping by min(λ, |e|) is what keeps a
    # solve from the home posture short; fixed damping and no turn needed a median of 8.
    iterations = []
    for q in random_configurations(k, 200, seed=5):
        target = reference_fk(q)
        k.set_seed(*HOME)
        solution = k.solve_ik(*target)
        assert np.linalg.norm(reference_fk(solution) - target) < 1e-3
        iterations.append(k.ik_iterations)
    assert np.median(iterations) <= 6
    assert max(iterations) < 100  # none needed the restart's second descent to the limit


def test_turn_by_matches_cos_and_sin_of_the_sum(k: ModuleType) -> None:
    # The solver carries each joint's cosine and sine and turns them by the step: as exact as
    # computing them afresh, for every step it can take.
    rng = np.random.default_rng(4)
    for theta, delta in zip(
        rng.uniform(-math.pi, math.pi, 200), rng.uniform(-k.MAX_STEP, k.MAX_STEP, 200), strict=True
    ):
        c, s = k.turn_by(math.cos(theta), math.sin(theta), delta)
        assert c == pytest.approx(math.cos(theta + delta), abs=4e-16)
        assert s == pytest.approx(math.sin(theta + delta), abs=4e-16)


def test_ik_tracks_a_path_with_few_iterations(k: ModuleType) -> None:
    k.set_seed(*HOME)
    iterations = []
    for i in range(400):
        s = 2 * math.pi * i / 400
        target = (-0.45 + 0.15 * math.cos(s), 0.15 * math.sin(s), 0.25 + 0.1 * math.sin(2 * s))
        solution = k.solve_ik(*target)
        assert np.linalg.norm(reference_fk(solution) - np.array(target)) < 1e-3
        iterations.append(k.ik_iterations)
    assert np.median(iterations[1:]) <= 3  # the warm start is what makes it cheap


@pytest.mark.parametrize(
    "target", [(3.0, 0.0, 0.5), (0.0, -5.0, 0.0), (0.0, 0.0, 4.0), (-2.0, 2.0, -2.0)]
)
def test_unreachable_target_reaches_toward_it(k: ModuleType, target: tuple[float, ...]) -> None:
    k.set_seed(*HOME)
    start = np.linalg.norm(reference_fk(HOME) - np.array(target))
    solution = k.solve_ik(*target)
    assert all(math.isfinite(v) for v in solution)
    reached = reference_fk(solution)
    gap = float(np.linalg.norm(reached - np.array(target)))
    assert gap == pytest.approx(k.ik_error, abs=1e-9)
    assert gap < start
    # Nothing is closer than the shoulder's distance minus the sum of the link lengths, and
    # the solver does at least as well as the best of 20,000 random configurations.
    shoulder = np.array([0.0, 0.0, 0.089159])
    links = 0.425 + 0.39225 + 0.10915 + 0.09465 + 0.0823
    assert gap >= float(np.linalg.norm(np.array(target) - shoulder)) - links
    sampled = reference_fk_many(random_configurations(k, 20_000, seed=3))
    best_sampled = float(np.min(np.linalg.norm(sampled - np.array(target), axis=1)))
    assert gap <= best_sampled + 1e-3
    for i, (lo, hi) in enumerate(limits(k)):
        assert lo <= solution[i] <= hi


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_target_keeps_the_solution(k: ModuleType, bad: float) -> None:
    k.set_seed(*HOME)
    before = k.solve_ik(-0.4, 0.1, 0.3)
    assert k.solve_ik(bad, 0.1, 0.3) == before


def test_clamp_angles_in_place(k: ModuleType) -> None:
    angles = np.array([10.0, 1.0, -3.0, math.nan, -0.5, 0.25])
    k.clamp_angles(angles)
    lo, hi = np.array(limits(k)).T
    assert np.all((lo <= angles) & (angles <= hi))
    assert angles[4] == -0.5 and angles[5] == 0.25
    assert angles[0] == hi[0] and angles[2] == lo[2]


def test_position_mode_puts_joints_on_the_solution(k: ModuleType) -> None:
    degrees = k.update(1 / 60, -0.3, 0.2, 0.3, np.array(HOME), k.CONTROL_POSITION)
    solution = (k.ik_q0, k.ik_q1, k.ik_q2, k.ik_q3, k.ik_q4, k.ik_q5)
    assert degrees == pytest.approx([math.degrees(q) for q in solution], abs=1e-12)
    assert reference_fk(np.radians(degrees)) == pytest.approx([-0.3, 0.2, 0.3], abs=1e-3)


def test_velocity_mode_limits_joint_speed_and_arrives(k: ModuleType) -> None:
    dt, max_speed, home = 1 / 60, 1.0, np.array(HOME)
    previous = np.array(HOME)
    target = (-0.2, -0.4, 0.2)
    for _ in range(600):
        degrees = k.update(dt, *target, home, k.CONTROL_VELOCITY, max_speed)
        now = np.radians(np.array(degrees))
        assert np.all(np.abs(now - previous) <= max_speed * dt + 1e-12)
        previous = now
    assert reference_fk(previous) == pytest.approx(target, abs=1e-3)


def test_joint_targets_set_the_starting_posture(k: ModuleType) -> None:
    start = np.array([0.3, -1.2, 1.0, -1.4, -1.5, 0.2])
    degrees = k.update(1 / 60, *reference_fk(start), start, k.CONTROL_VELOCITY, 0.5)
    # The target is where the arm already is: nothing needs to move.
    assert np.radians(degrees) == pytest.approx(start, abs=1e-9)


def test_torque_mode_is_refused(k: ModuleType) -> None:
    with pytest.raises(AssertionError):
        k.update(1 / 60, -0.3, 0.2, 0.3, np.array(HOME), 2)
