"""A 6-DOF industrial arm (Universal Robots UR5): forward kinematics, damped-least-squares
inverse kinematics within joint limits, and a per-frame joint controller.

This is a Portalis kernel: plain typed Python in the language ``portalis build`` compiles
(docs/language.md). It runs unchanged under CPython, which is how its tests check it.

The kinematic chain is the UR5's published Denavit–Hartenberg table (standard convention,
each joint i contributes Rz(θi)·Tz(di)·Tx(ai)·Rx(αi)); lengths in metres, angles in radians,
the base frame Z-up. Everything is fixed-size scalar arithmetic in locals: a solve allocates
nothing, which is what lets the compiled module answer in a few microseconds.
"""

import math

from portalis.lang import Array

# -- UR5 Denavit–Hartenberg parameters (Universal Robots, "DH parameters for calculations of
# -- kinematics and dynamics"). α is π/2, 0, 0, π/2, -π/2, 0; its cosines and sines are written
# -- out exactly below so the chain has no 6e-17 residue of cos(π/2).
D1 = 0.089159
A2 = -0.425
A3 = -0.39225
D4 = 0.10915
D5 = 0.09465
D6 = 0.0823

# -- joint limits (radians). The UR5 allows ±2π on every joint; a work cell narrows them. These
# -- keep the upper arm above the mounting plane and stop the elbow folding into itself.
LOWER_0 = -math.pi
UPPER_0 = math.pi
LOWER_1 = -math.pi
UPPER_1 = 0.0
LOWER_2 = -2.8
UPPER_2 = 2.8
LOWER_3 = -math.pi
UPPER_3 = math.pi
LOWER_4 = -math.pi
UPPER_4 = math.pi
LOWER_5 = -math.pi
UPPER_5 = math.pi

# -- solver settings
#: Largest λ of the damped least squares step Jᵀ(JJᵀ + λ²I)⁻¹e: keeps the step bounded at
#: singularities (a stretched arm reaching for an unreachable target). Each iteration uses
#: λ = min(DAMPING, |e|) (Levenberg–Marquardt damping tied to the error, as in Yamashita and
#: Fukushima): far from the target the full damping, close to it almost none, so the last
#: iterations are Gauss–Newton steps that converge quadratically instead of linearly.
DAMPING = 0.03
#: Further than this from the target (metres) on a solve's first iteration, joint 1 is first
#: turned so that the end effector faces the target's azimuth: rotating the base rotates the
#: whole arm about z, so one exact turn replaces several MAX_STEP-limited swings.
ALIGN_DISTANCE = 0.05
#: ...but only for targets at least this far (metres, squared) from the base's axis, where
#: their azimuth says where the arm must point (the wrist's sideways offset is ~0.19 m).
ALIGN_RADIUS2 = 0.04
#: Converged when the end effector is this close to the target (metres).
TOLERANCE = 1e-5
#: No joint moves more than this per iteration (radians): keeps far jumps on the path.
MAX_STEP = 0.4

CONTROL_POSITION = 0
CONTROL_VELOCITY = 1

# -- the home posture (upper arm up, forearm forward, tool down): seeds a restarted solve.
HOME_0 = 0.0
HOME_1 = -1.5707963267948966
HOME_2 = 1.5707963267948966
HOME_3 = -1.5707963267948966
HOME_4 = -1.5707963267948966
HOME_5 = 0.0

# -- persistent state: the home posture (HOME_* until the scene's jointTargets replace it on
# -- the first update), the IK solution (also the next solve's warm start), and the joints as
# -- the controller has driven them so far.
home0: float = HOME_0
home1: float = HOME_1
home2: float = HOME_2
home3: float = HOME_3
home4: float = HOME_4
home5: float = HOME_5
started: bool = False
ik_q0: float = 0.0
ik_q1: float = -1.5707963267948966
ik_q2: float = 1.5707963267948966
ik_q3: float = -1.5707963267948966
ik_q4: float = -1.5707963267948966
ik_q5: float = 0.0
joint0: float = 0.0
joint1: float = -1.5707963267948966
joint2: float = 1.5707963267948966
joint3: float = -1.5707963267948966
joint4: float = -1.5707963267948966
joint5: float = 0.0
#: Distance (m) between the end effector and the target after the latest solve, and the
#: iterations it took.
ik_error: float = 0.0
ik_iterations: int = 0


def clamp(value: float, lower: float, upper: float) -> float:
    if value < lower:
        return lower
    if value > upper:
        return upper
    return value


def lower_limit(index: int) -> float:
    """Joint ``index``'s lower limit (radians)."""
    if index == 0:
        return LOWER_0
    if index == 1:
        return LOWER_1
    if index == 2:
        return LOWER_2
    if index == 3:
        return LOWER_3
    if index == 4:
        return LOWER_4
    return LOWER_5


def upper_limit(index: int) -> float:
    """Joint ``index``'s upper limit (radians)."""
    if index == 0:
        return UPPER_0
    if index == 1:
        return UPPER_1
    if index == 2:
        return UPPER_2
    if index == 3:
        return UPPER_3
    if index == 4:
        return UPPER_4
    return UPPER_5


def clamp_joint(index: int, value: float) -> float:
    """``value`` brought within joint ``index``'s limits (NaN becomes the lower limit)."""
    if math.isnan(value):
        return lower_limit(index)
    return clamp(value, lower_limit(index), upper_limit(index))


def clamp_angles(angles: Array[float]) -> None:
    """Bring the six joint angles of ``angles`` within the joint limits, in place."""
    for i in range(6):
        angles[i] = clamp_joint(i, angles[i])


def flat_joint(
    r00: float,
    r01: float,
    r02: float,
    r10: float,
    r11: float,
    r12: float,
    r20: float,
    r21: float,
    r22: float,
    x: float,
    y: float,
    z: float,
    ct: float,
    st: float,
    a: float,
) -> tuple[float, float, float, float, float, float, float, float, float, float, float, float]:
    """Frame i from frame i-1 (rotation rows r.., origin x y z) through a joint at angle θ
    (``ct``, ``st``: its cosine and sine) with α = 0 and d = 0 (the UR5's shoulder-to-elbow
    and elbow-to-wrist links): Rz(θ)·Tx(a). Written out for these α rather than through a
    general DH step, because multiplying by the constant zeros and ones of cos α and sin α is
    half the arithmetic of a step."""
    n00 = r00 * ct + r01 * st
    n10 = r10 * ct + r11 * st
    n20 = r20 * ct + r21 * st
    n01 = r01 * ct - r00 * st
    n11 = r11 * ct - r10 * st
    n21 = r21 * ct - r20 * st
    return n00, n01, r02, n10, n11, r12, n20, n21, r22, x + a * n00, y + a * n10, z + a * n20


def turn_joint(
    r00: float,
    r01: float,
    r02: float,
    r10: float,
    r11: float,
    r12: float,
    r20: float,
    r21: float,
    r22: float,
    x: float,
    y: float,
    z: float,
    ct: float,
    st: float,
    d: float,
    sin_alpha: float,
) -> tuple[float, float, float, float, float, float, float, float, float, float, float, float]:
    """Frame i from frame i-1 through a joint at angle θ (``ct``, ``st``) with α = ±π/2
    (``sin_alpha`` = ±1) and a = 0 (the UR5's wrist joints): Rz(θ)·Tz(d)·Rx(α), whose rotation
    columns are (ct, st, 0), (0, 0, sα), (st·sα, -ct·sα, 0)."""
    n00 = r00 * ct + r01 * st
    n10 = r10 * ct + r11 * st
    n20 = r20 * ct + r21 * st
    n02 = sin_alpha * (r00 * st - r01 * ct)
    n12 = sin_alpha * (r10 * st - r11 * ct)
    n22 = sin_alpha * (r20 * st - r21 * ct)
    return (
        n00,
        sin_alpha * r02,
        n02,
        n10,
        sin_alpha * r12,
        n12,
        n20,
        sin_alpha * r22,
        n22,
        x + d * r02,
        y + d * r12,
        z + d * r22,
    )


def fk(
    q0: float, q1: float, q2: float, q3: float, q4: float, q5: float
) -> tuple[float, float, float]:
    """End-effector (tool flange) position in the base frame for the given joint angles.

    The flange sits on joint 6's axis, d6 along frame 5's z axis, so its position does not
    depend on q5 (which only turns the tool about that axis)."""
    c0 = math.cos(q0)
    s0 = math.sin(q0)
    # frame 1: x axis (c0, s0, 0), y axis (0, 0, 1), z axis (s0, -c0, 0), origin (0, 0, d1)
    r00, r01, r02, r10, r11, r12, r20, r21, r22, x, y, z = flat_joint(
        c0, 0.0, s0, s0, 0.0, -c0, 0.0, 1.0, 0.0, 0.0, 0.0, D1, math.cos(q1), math.sin(q1), A2
    )
    r00, r01, r02, r10, r11, r12, r20, r21, r22, x, y, z = flat_joint(
        r00, r01, r02, r10, r11, r12, r20, r21, r22, x, y, z, math.cos(q2), math.sin(q2), A3
    )
    r00, r01, r02, r10, r11, r12, r20, r21, r22, x, y, z = turn_joint(
        r00, r01, r02, r10, r11, r12, r20, r21, r22, x, y, z, math.cos(q3), math.sin(q3), D4, 1.0
    )
    r00, r01, r02, r10, r11, r12, r20, r21, r22, x, y, z = turn_joint(
        r00, r01, r02, r10, r11, r12, r20, r21, r22, x, y, z, math.cos(q4), math.sin(q4), D5, -1.0
    )
    return x + D6 * r02, y + D6 * r12, z + D6 * r22


def forward_kinematics(angles: Array[float]) -> tuple[float, float, float]:
    """End-effector position for the six joint angles in ``angles``."""
    return fk(angles[0], angles[1], angles[2], angles[3], angles[4], angles[5])


def cross_column(
    zx: float, zy: float, zz: float, dx: float, dy: float, dz: float
) -> tuple[float, float, float]:
    """z × d: a revolute joint's column of the position Jacobian (axis z, lever arm d)."""
    return zy * dz - zz * dy, zz * dx - zx * dz, zx * dy - zy * dx


def turn_by(c: float, s: float, delta: float) -> tuple[float, float]:
    """cos and sin of θ + δ from those of θ (``c``, ``s``), for |δ| ≤ MAX_STEP: the angle
    addition formulas, with sin δ and cos δ from their Taylor series to δ¹³ and δ¹² (at
    |δ| = 0.4 the remainders are under 1e-16, below the rounding of the sums)."""
    d2 = delta * delta
    sin_d = delta * (
        1.0
        - d2
        / 6.0
        * (
            1.0
            - d2
            / 20.0
            * (1.0 - d2 / 42.0 * (1.0 - d2 / 72.0 * (1.0 - d2 / 110.0 * (1.0 - d2 / 156.0))))
        )
    )
    cos_d = 1.0 - d2 / 2.0 * (
        1.0
        - d2 / 12.0 * (1.0 - d2 / 30.0 * (1.0 - d2 / 56.0 * (1.0 - d2 / 90.0 * (1.0 - d2 / 132.0))))
    )
    return c * cos_d - s * sin_d, s * cos_d + c * sin_d


def lock_at_limit(
    q: float,
    lower: float,
    upper: float,
    jx: float,
    jy: float,
    jz: float,
    dx: float,
    dy: float,
    dz: float,
) -> tuple[float, float, float]:
    """A joint's Jacobian column, or zeros when the joint sits on a limit and the error's
    gradient (column · error) would push it past that limit."""
    pull = jx * dx + jy * dy + jz * dz
    if (pull < 0.0 and q <= lower) or (pull > 0.0 and q >= upper):
        return 0.0, 0.0, 0.0
    return jx, jy, jz


def set_seed(q0: float, q1: float, q2: float, q3: float, q4: float, q5: float) -> None:
    """Place the arm (clamped to its limits): the controller's joints and the IK warm start."""
    global ik_q0, ik_q1, ik_q2, ik_q3, ik_q4, ik_q5
    global joint0, joint1, joint2, joint3, joint4, joint5
    ik_q0 = clamp_joint(0, q0)
    ik_q1 = clamp_joint(1, q1)
    ik_q2 = clamp_joint(2, q2)
    ik_q3 = clamp_joint(3, q3)
    ik_q4 = clamp_joint(4, q4)
    ik_q5 = clamp_joint(5, q5)
    joint0 = ik_q0
    joint1 = ik_q1
    joint2 = ik_q2
    joint3 = ik_q3
    joint4 = ik_q4
    joint5 = ik_q5


def solve_ik(
    target_x: float, target_y: float, target_z: float, max_iterations: int = 100
) -> tuple[float, float, float, float, float, float]:
    """Joint angles that put the end effector at the target, by damped least squares.

    Starts from the previous solution (a warm start: a target moving along a path needs one or
    two iterations per frame). When that does not converge — the arm would have to swing
    round, and the descent stalls against a joint limit — it starts again once from the home
    posture (``home*``) turned to face the target, and keeps the better of the two. Every iterate is
    within the joint limits. An unreachable target draws the arm to the reachable point
    nearest it (the damping keeps the steps finite at the stretched-out singularity); a
    non-finite target leaves the solution unchanged. ``ik_error`` and ``ik_iterations`` report
    the outcome.
    """
    global ik_q0, ik_q1, ik_q2, ik_q3, ik_q4, ik_q5, ik_error, ik_iterations
    q0, q1, q2, q3, q4, q5 = descend(target_x, target_y, target_z, max_iterations)
    if ik_error < TOLERANCE or not math.isfinite(ik_error):
        return q0, q1, q2, q3, q4, q5
    first_error = ik_error
    first_iterations = ik_iterations
    hx, hy, _hz = fk(home0, home1, home2, home3, home4, home5)
    turn = math.atan2(target_y, target_x) - math.atan2(hy, hx)
    turn = math.atan2(math.sin(turn), math.cos(turn))
    ik_q0 = clamp_joint(0, home0 + turn)
    ik_q1 = home1
    ik_q2 = home2
    ik_q3 = home3
    ik_q4 = home4
    ik_q5 = home5
    r0, r1, r2, r3, r4, r5 = descend(target_x, target_y, target_z, max_iterations)
    ik_iterations += first_iterations
    if ik_error <= first_error:
        return r0, r1, r2, r3, r4, r5
    ik_q0 = q0
    ik_q1 = q1
    ik_q2 = q2
    ik_q3 = q3
    ik_q4 = q4
    ik_q5 = q5
    ik_error = first_error
    return q0, q1, q2, q3, q4, q5


def descend(
    target_x: float, target_y: float, target_z: float, max_iterations: int
) -> tuple[float, float, float, float, float, float]:
    """Damped-least-squares iterations from the current solution (``ik_q*``) toward the target,
    at most ``max_iterations``; stores the result in ``ik_q*``, ``ik_error``, ``ik_iterations``.
    """
    global ik_q0, ik_q1, ik_q2, ik_q3, ik_q4, ik_q5, ik_error, ik_iterations
    q0 = ik_q0
    q1 = ik_q1
    q2 = ik_q2
    q3 = ik_q3
    q4 = ik_q4
    q5 = ik_q5
    # The joints' cosines and sines, carried from iteration to iteration: a step turns each
    # joint by at most MAX_STEP, and turning (c, s) by a small angle needs two short series
    # rather than a cosine and a sine of the whole angle (see turn_by).
    c0 = math.cos(q0)
    s0 = math.sin(q0)
    c1 = math.cos(q1)
    s1 = math.sin(q1)
    c2 = math.cos(q2)
    s2 = math.sin(q2)
    c3 = math.cos(q3)
    s3 = math.sin(q3)
    c4 = math.cos(q4)
    s4 = math.sin(q4)
    iterations = 0
    error = 0.0
    finite = math.isfinite(target_x) and math.isfinite(target_y) and math.isfinite(target_z)
    while finite:
        # Forward pass (as in fk), keeping each joint's axis (z of frame i-1) and origin for
        # the Jacobian. Frame 1: x axis (c0, s0, 0), y axis (0, 0, 1), z axis (s0, -c0, 0).
        a00, a01, a02, a10, a11, a12, a20, a21, a22, ox2, oy2, oz2 = flat_joint(
            c0, 0.0, s0, s0, 0.0, -c0, 0.0, 1.0, 0.0, 0.0, 0.0, D1, c1, s1, A2
        )
        zx2 = a02
        zy2 = a12
        zz2 = a22
        a00, a01, a02, a10, a11, a12, a20, a21, a22, ox3, oy3, oz3 = flat_joint(
            a00, a01, a02, a10, a11, a12, a20, a21, a22, ox2, oy2, oz2, c2, s2, A3
        )
        zx3 = a02
        zy3 = a12
        zz3 = a22
        a00, a01, a02, a10, a11, a12, a20, a21, a22, ox4, oy4, oz4 = turn_joint(
            a00, a01, a02, a10, a11, a12, a20, a21, a22, ox3, oy3, oz3, c3, s3, D4, 1.0
        )
        zx4 = a02
        zy4 = a12
        zz4 = a22
        a00, a01, a02, a10, a11, a12, a20, a21, a22, ox5, oy5, oz5 = turn_joint(
            a00, a01, a02, a10, a11, a12, a20, a21, a22, ox4, oy4, oz4, c4, s4, D5, -1.0
        )
        ex = ox5 + D6 * a02
        ey = oy5 + D6 * a12
        ez = oz5 + D6 * a22
        dx = target_x - ex
        dy = target_y - ey
        dz = target_z - ez
        error = math.sqrt(dx * dx + dy * dy + dz * dz)
        if error < TOLERANCE or iterations >= max_iterations:
            break
        iterations += 1
        if (
            iterations == 1
            and error > ALIGN_DISTANCE
            and target_x * target_x + target_y * target_y > ALIGN_RADIUS2
        ):
            # Face the target: turn the base by the azimuth between end effector and target
            # (joint 1 spans the whole circle, so the sum is wrapped, not clamped).
            turn = q0 + math.atan2(target_y, target_x) - math.atan2(ey, ex)
            q0 = math.atan2(math.sin(turn), math.cos(turn))
            c0 = math.cos(q0)
            s0 = math.sin(q0)
            continue

        # Position Jacobian: column i is axis_i × (end effector - origin_i); joint 1's axis is
        # the base z axis through the base origin, joint 2's is frame 1's z axis through
        # (0, 0, d1). Joint 6 turns about the axis the flange sits on: its column is zero, so
        # it is left out (q5 never moves).
        j0x = -ey
        j0y = ex
        j0z = 0.0
        j1x, j1y, j1z = cross_column(s0, -c0, 0.0, ex, ey, ez - D1)
        j2x, j2y, j2z = cross_column(zx2, zy2, zz2, ex - ox2, ey - oy2, ez - oz2)
        j3x, j3y, j3z = cross_column(zx3, zy3, zz3, ex - ox3, ey - oy3, ez - oz3)
        j4x, j4y, j4z = cross_column(zx4, zy4, zz4, ex - ox4, ey - oy4, ez - oz4)
        # A joint resting on a limit that the error pulls further out is taken out of this
        # step (its column zeroed), so the other joints do the work instead of the step
        # being spent against the stop.
        j0x, j0y, j0z = lock_at_limit(q0, LOWER_0, UPPER_0, j0x, j0y, j0z, dx, dy, dz)
        j1x, j1y, j1z = lock_at_limit(q1, LOWER_1, UPPER_1, j1x, j1y, j1z, dx, dy, dz)
        j2x, j2y, j2z = lock_at_limit(q2, LOWER_2, UPPER_2, j2x, j2y, j2z, dx, dy, dz)
        j3x, j3y, j3z = lock_at_limit(q3, LOWER_3, UPPER_3, j3x, j3y, j3z, dx, dy, dz)
        j4x, j4y, j4z = lock_at_limit(q4, LOWER_4, UPPER_4, j4x, j4y, j4z, dx, dy, dz)

        # M = JJᵀ + λ²I (symmetric 3×3, positive definite for λ > 0), solved by its adjugate.
        lam = min(DAMPING, error)
        lam2 = lam * lam
        m00 = j0x * j0x + j1x * j1x + j2x * j2x + j3x * j3x + j4x * j4x + lam2
        m11 = j0y * j0y + j1y * j1y + j2y * j2y + j3y * j3y + j4y * j4y + lam2
        m22 = j1z * j1z + j2z * j2z + j3z * j3z + j4z * j4z + lam2
        m01 = j0x * j0y + j1x * j1y + j2x * j2y + j3x * j3y + j4x * j4y
        m02 = j1x * j1z + j2x * j2z + j3x * j3z + j4x * j4z
        m12 = j1y * j1z + j2y * j2z + j3y * j3z + j4y * j4z
        c00 = m11 * m22 - m12 * m12
        c01 = m02 * m12 - m01 * m22
        c02 = m01 * m12 - m02 * m11
        c11 = m00 * m22 - m02 * m02
        c12 = m01 * m02 - m00 * m12
        c22 = m00 * m11 - m01 * m01
        det = m00 * c00 + m01 * c01 + m02 * c02
        wx = (c00 * dx + c01 * dy + c02 * dz) / det
        wy = (c01 * dx + c11 * dy + c12 * dz) / det
        wz = (c02 * dx + c12 * dy + c22 * dz) / det

        # Δq = Jᵀw, scaled down as a whole if any joint would move more than MAX_STEP.
        step0 = j0x * wx + j0y * wy
        step1 = j1x * wx + j1y * wy + j1z * wz
        step2 = j2x * wx + j2y * wy + j2z * wz
        step3 = j3x * wx + j3y * wy + j3z * wz
        step4 = j4x * wx + j4y * wy + j4z * wz
        largest = max(abs(step0), abs(step1), abs(step2), abs(step3), abs(step4))
        scale = 1.0
        if largest > MAX_STEP:
            scale = MAX_STEP / largest
        n0 = clamp(q0 + scale * step0, LOWER_0, UPPER_0)
        n1 = clamp(q1 + scale * step1, LOWER_1, UPPER_1)
        n2 = clamp(q2 + scale * step2, LOWER_2, UPPER_2)
        n3 = clamp(q3 + scale * step3, LOWER_3, UPPER_3)
        n4 = clamp(q4 + scale * step4, LOWER_4, UPPER_4)
        c0, s0 = turn_by(c0, s0, n0 - q0)
        c1, s1 = turn_by(c1, s1, n1 - q1)
        c2, s2 = turn_by(c2, s2, n2 - q2)
        c3, s3 = turn_by(c3, s3, n3 - q3)
        c4, s4 = turn_by(c4, s4, n4 - q4)
        q0 = n0
        q1 = n1
        q2 = n2
        q3 = n3
        q4 = n4
    ik_q0 = q0
    ik_q1 = q1
    ik_q2 = q2
    ik_q3 = q3
    ik_q4 = q4
    ik_q5 = q5
    ik_error = error
    ik_iterations = iterations
    return q0, q1, q2, q3, q4, q5


def approach(current: float, goal: float, max_delta: float) -> float:
    """``current`` moved toward ``goal`` by at most ``max_delta``."""
    return current + clamp(goal - current, -max_delta, max_delta)


def set_home(q0: float, q1: float, q2: float, q3: float, q4: float, q5: float) -> None:
    """Make this posture (clamped to the limits) home, and put the arm there."""
    global home0, home1, home2, home3, home4, home5
    set_seed(q0, q1, q2, q3, q4, q5)
    home0 = ik_q0
    home1 = ik_q1
    home2 = ik_q2
    home3 = ik_q3
    home4 = ik_q4
    home5 = ik_q5


def update(
    dt: float,
    endEffectorTarget_x: float,
    endEffectorTarget_y: float,
    endEffectorTarget_z: float,
    jointTargets: Array[float],
    controlMode: int = CONTROL_POSITION,
    maxJointSpeed: float = 3.14159,
) -> tuple[float, float, float, float, float, float]:
    """The kinematics function: one control step toward the end-effector target. Returns the
    six joint angles in degrees, ready for the joints' Xform rotations.

    ``jointTargets`` (radians, one per joint) is the arm's home posture: where it starts on the
    first call, and the seed of a restarted solve. ``controlMode`` position (0) puts the joints
    at the IK solution at once; velocity (1) commands joint velocities toward it, each limited
    to ``maxJointSpeed`` rad/s, so a far jump of the target becomes a smooth motion over
    several frames. Torque (2) needs the arm's dynamics, which this kernel does not model: it
    stops with an AssertionError rather than pretend.
    """
    global joint0, joint1, joint2, joint3, joint4, joint5, started
    assert CONTROL_POSITION <= controlMode <= CONTROL_VELOCITY
    if not started:
        if len(jointTargets) >= 6:
            set_home(
                jointTargets[0],
                jointTargets[1],
                jointTargets[2],
                jointTargets[3],
                jointTargets[4],
                jointTargets[5],
            )
        started = True
    q0, q1, q2, q3, q4, q5 = solve_ik(
        endEffectorTarget_x, endEffectorTarget_y, endEffectorTarget_z, 100
    )
    if controlMode == CONTROL_VELOCITY:
        max_delta = maxJointSpeed * dt
        joint0 = approach(joint0, q0, max_delta)
        joint1 = approach(joint1, q1, max_delta)
        joint2 = approach(joint2, q2, max_delta)
        joint3 = approach(joint3, q3, max_delta)
        joint4 = approach(joint4, q4, max_delta)
        joint5 = approach(joint5, q5, max_delta)
    else:
        joint0 = q0
        joint1 = q1
        joint2 = q2
        joint3 = q3
        joint4 = q4
        joint5 = q5
    return (
        math.degrees(joint0),
        math.degrees(joint1),
        math.degrees(joint2),
        math.degrees(joint3),
        math.degrees(joint4),
        math.degrees(joint5),
    )
