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
#: λ of the damped least squares step Jᵀ(JJᵀ + λ²I)⁻¹e: keeps the step bounded at
#: singularities (a stretched arm reaching for an unreachable target).
DAMPING = 0.03
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


def dh_step(
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
    theta: float,
    d: float,
    a: float,
    cos_alpha: float,
    sin_alpha: float,
) -> tuple[float, float, float, float, float, float, float, float, float, float, float, float]:
    """Frame i from frame i-1 (rotation rows r.., origin x y z) through one DH joint."""
    ct = math.cos(theta)
    st = math.sin(theta)
    # A = Rz(θ)Tz(d)Tx(a)Rx(α): rotation columns (ct, st, 0), (-st·cα, ct·cα, sα),
    # (st·sα, -ct·sα, cα); translation (a·ct, a·st, d).
    b01 = -st * cos_alpha
    b11 = ct * cos_alpha
    b02 = st * sin_alpha
    b12 = -ct * sin_alpha
    n00 = r00 * ct + r01 * st
    n10 = r10 * ct + r11 * st
    n20 = r20 * ct + r21 * st
    n01 = r00 * b01 + r01 * b11 + r02 * sin_alpha
    n11 = r10 * b01 + r11 * b11 + r12 * sin_alpha
    n21 = r20 * b01 + r21 * b11 + r22 * sin_alpha
    n02 = r00 * b02 + r01 * b12 + r02 * cos_alpha
    n12 = r10 * b02 + r11 * b12 + r12 * cos_alpha
    n22 = r20 * b02 + r21 * b12 + r22 * cos_alpha
    nx = x + a * n00 + d * r02
    ny = y + a * n10 + d * r12
    nz = z + a * n20 + d * r22
    return n00, n01, n02, n10, n11, n12, n20, n21, n22, nx, ny, nz


def fk(
    q0: float, q1: float, q2: float, q3: float, q4: float, q5: float
) -> tuple[float, float, float]:
    """End-effector (tool flange) position in the base frame for the given joint angles."""
    r00, r01, r02, r10, r11, r12, r20, r21, r22, x, y, z = dh_step(
        1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, q0, D1, 0.0, 0.0, 1.0
    )
    r00, r01, r02, r10, r11, r12, r20, r21, r22, x, y, z = dh_step(
        r00, r01, r02, r10, r11, r12, r20, r21, r22, x, y, z, q1, 0.0, A2, 1.0, 0.0
    )
    r00, r01, r02, r10, r11, r12, r20, r21, r22, x, y, z = dh_step(
        r00, r01, r02, r10, r11, r12, r20, r21, r22, x, y, z, q2, 0.0, A3, 1.0, 0.0
    )
    r00, r01, r02, r10, r11, r12, r20, r21, r22, x, y, z = dh_step(
        r00, r01, r02, r10, r11, r12, r20, r21, r22, x, y, z, q3, D4, 0.0, 0.0, 1.0
    )
    r00, r01, r02, r10, r11, r12, r20, r21, r22, x, y, z = dh_step(
        r00, r01, r02, r10, r11, r12, r20, r21, r22, x, y, z, q4, D5, 0.0, 0.0, -1.0
    )
    r00, r01, r02, r10, r11, r12, r20, r21, r22, x, y, z = dh_step(
        r00, r01, r02, r10, r11, r12, r20, r21, r22, x, y, z, q5, D6, 0.0, 1.0, 0.0
    )
    return x, y, z


def forward_kinematics(angles: Array[float]) -> tuple[float, float, float]:
    """End-effector position for the six joint angles in ``angles``."""
    return fk(angles[0], angles[1], angles[2], angles[3], angles[4], angles[5])


def cross_column(
    zx: float, zy: float, zz: float, dx: float, dy: float, dz: float
) -> tuple[float, float, float]:
    """z × d: a revolute joint's column of the position Jacobian (axis z, lever arm d)."""
    return zy * dz - zz * dy, zz * dx - zx * dz, zx * dy - zy * dx


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
    lam2 = DAMPING * DAMPING
    iterations = 0
    error = 0.0
    finite = math.isfinite(target_x) and math.isfinite(target_y) and math.isfinite(target_z)
    while finite:
        # Forward pass, keeping each joint's axis (z of frame i-1) and origin for the Jacobian.
        a00, a01, a02, a10, a11, a12, a20, a21, a22, ox1, oy1, oz1 = dh_step(
            1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, q0, D1, 0.0, 0.0, 1.0
        )
        zx1 = a02
        zy1 = a12
        zz1 = a22
        a00, a01, a02, a10, a11, a12, a20, a21, a22, ox2, oy2, oz2 = dh_step(
            a00, a01, a02, a10, a11, a12, a20, a21, a22, ox1, oy1, oz1, q1, 0.0, A2, 1.0, 0.0
        )
        zx2 = a02
        zy2 = a12
        zz2 = a22
        a00, a01, a02, a10, a11, a12, a20, a21, a22, ox3, oy3, oz3 = dh_step(
            a00, a01, a02, a10, a11, a12, a20, a21, a22, ox2, oy2, oz2, q2, 0.0, A3, 1.0, 0.0
        )
        zx3 = a02
        zy3 = a12
        zz3 = a22
        a00, a01, a02, a10, a11, a12, a20, a21, a22, ox4, oy4, oz4 = dh_step(
            a00, a01, a02, a10, a11, a12, a20, a21, a22, ox3, oy3, oz3, q3, D4, 0.0, 0.0, 1.0
        )
        zx4 = a02
        zy4 = a12
        zz4 = a22
        a00, a01, a02, a10, a11, a12, a20, a21, a22, ox5, oy5, oz5 = dh_step(
            a00, a01, a02, a10, a11, a12, a20, a21, a22, ox4, oy4, oz4, q4, D5, 0.0, 0.0, -1.0
        )
        zx5 = a02
        zy5 = a12
        zz5 = a22
        a00, a01, a02, a10, a11, a12, a20, a21, a22, ex, ey, ez = dh_step(
            a00, a01, a02, a10, a11, a12, a20, a21, a22, ox5, oy5, oz5, q5, D6, 0.0, 1.0, 0.0
        )
        dx = target_x - ex
        dy = target_y - ey
        dz = target_z - ez
        error = math.sqrt(dx * dx + dy * dy + dz * dz)
        if error < TOLERANCE or iterations >= max_iterations:
            break
        iterations += 1

        # Position Jacobian: column i is axis_i × (end effector - origin_i); joint 1's axis is
        # the base z axis through the base origin.
        j0x, j0y, j0z = cross_column(0.0, 0.0, 1.0, ex, ey, ez)
        j1x, j1y, j1z = cross_column(zx1, zy1, zz1, ex - ox1, ey - oy1, ez - oz1)
        j2x, j2y, j2z = cross_column(zx2, zy2, zz2, ex - ox2, ey - oy2, ez - oz2)
        j3x, j3y, j3z = cross_column(zx3, zy3, zz3, ex - ox3, ey - oy3, ez - oz3)
        j4x, j4y, j4z = cross_column(zx4, zy4, zz4, ex - ox4, ey - oy4, ez - oz4)
        j5x, j5y, j5z = cross_column(zx5, zy5, zz5, ex - ox5, ey - oy5, ez - oz5)
        # A joint resting on a limit that the error pulls further out is taken out of this
        # step (its column zeroed), so the other joints do the work instead of the step
        # being spent against the stop.
        j0x, j0y, j0z = lock_at_limit(q0, LOWER_0, UPPER_0, j0x, j0y, j0z, dx, dy, dz)
        j1x, j1y, j1z = lock_at_limit(q1, LOWER_1, UPPER_1, j1x, j1y, j1z, dx, dy, dz)
        j2x, j2y, j2z = lock_at_limit(q2, LOWER_2, UPPER_2, j2x, j2y, j2z, dx, dy, dz)
        j3x, j3y, j3z = lock_at_limit(q3, LOWER_3, UPPER_3, j3x, j3y, j3z, dx, dy, dz)
        j4x, j4y, j4z = lock_at_limit(q4, LOWER_4, UPPER_4, j4x, j4y, j4z, dx, dy, dz)
        j5x, j5y, j5z = lock_at_limit(q5, LOWER_5, UPPER_5, j5x, j5y, j5z, dx, dy, dz)

        # M = JJᵀ + λ²I (symmetric 3×3, positive definite for λ > 0), solved by its adjugate.
        m00 = j0x * j0x + j1x * j1x + j2x * j2x + j3x * j3x + j4x * j4x + j5x * j5x + lam2
        m11 = j0y * j0y + j1y * j1y + j2y * j2y + j3y * j3y + j4y * j4y + j5y * j5y + lam2
        m22 = j0z * j0z + j1z * j1z + j2z * j2z + j3z * j3z + j4z * j4z + j5z * j5z + lam2
        m01 = j0x * j0y + j1x * j1y + j2x * j2y + j3x * j3y + j4x * j4y + j5x * j5y
        m02 = j0x * j0z + j1x * j1z + j2x * j2z + j3x * j3z + j4x * j4z + j5x * j5z
        m12 = j0y * j0z + j1y * j1z + j2y * j2z + j3y * j3z + j4y * j4z + j5y * j5z
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
        s0 = j0x * wx + j0y * wy + j0z * wz
        s1 = j1x * wx + j1y * wy + j1z * wz
        s2 = j2x * wx + j2y * wy + j2z * wz
        s3 = j3x * wx + j3y * wy + j3z * wz
        s4 = j4x * wx + j4y * wy + j4z * wz
        s5 = j5x * wx + j5y * wy + j5z * wz
        largest = max(abs(s0), abs(s1), abs(s2), abs(s3), abs(s4), abs(s5))
        scale = 1.0
        if largest > MAX_STEP:
            scale = MAX_STEP / largest
        q0 = clamp(q0 + scale * s0, LOWER_0, UPPER_0)
        q1 = clamp(q1 + scale * s1, LOWER_1, UPPER_1)
        q2 = clamp(q2 + scale * s2, LOWER_2, UPPER_2)
        q3 = clamp(q3 + scale * s3, LOWER_3, UPPER_3)
        q4 = clamp(q4 + scale * s4, LOWER_4, UPPER_4)
        q5 = clamp(q5 + scale * s5, LOWER_5, UPPER_5)
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
