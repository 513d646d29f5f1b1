"""Projectile physics: closed-form ballistics, and a ball that flies and bounces frame by frame.

This is a Portalis kernel: plain typed Python in the language ``portalis build`` compiles
(docs/language.md). It runs unchanged under CPython, which is how its tests check it.

Conventions: Y is up and the ground is the plane y = 0; angles are degrees above the horizon;
metres, seconds, and ``g`` the magnitude of gravity in m/s².

The per-frame part integrates *exactly* under constant acceleration: within a step the ball
follows the parabola p + v·t + a·t²/2, and a contact with the ground is found by solving that
parabola for the instant it reaches the ground, so no energy is gained or lost between bounces
whatever the frame rate, and a bounce happens at the right place even when it falls between two
frames. The physics function :func:`step` stops at a contact and says so (its ``contact``
result); the runner then calls the collision handler :func:`on_ground_contact`, which scales
the whole velocity by the restitution (so a bounce multiplies kinetic energy by
restitution²) and flies the rest of the step. :func:`simulate` does both for callers without
a runner.
"""

import math

#: Below this rebound speed (m/s) the ball stops bouncing and rests on the ground; without it
#: a ball with restitution < 1 would bounce infinitely often in finite time (Zeno).
REST_SPEED = 0.05
#: Contacts handled within one step at most (a resting ball needs none, a bouncing one one or two).
MAX_CONTACTS_PER_STEP = 64

# -- persistent state of the simulated ball (centre position and velocity) -------------------
px: float = 0.0
py: float = 0.0
pz: float = 0.0
vx: float = 0.0
vy: float = 0.0
vz: float = 0.0
sim_time: float = 0.0
launched: bool = False
resting: bool = False
bounces: int = 0
#: Kinetic energy per unit mass (J/kg) just before and just after the latest bounce.
ke_before: float = 0.0
ke_after: float = 0.0
#: Where and when the latest contact happened.
contact_x: float = 0.0
contact_time: float = 0.0
#: The current step's acceleration, and the part of it still to fly after a contact.
acc_x: float = 0.0
acc_y: float = 0.0
acc_z: float = 0.0
pending: float = 0.0


# -- closed form ------------------------------------------------------------------------------


def calculate_trajectory(
    speed: float, angle_deg: float, t: float, height: float = 0.0, g: float = 9.81
) -> tuple[float, float]:
    """Position (x, y) at time ``t`` of a point launched from (0, height), ignoring the ground."""
    theta = math.radians(angle_deg)
    x = speed * math.cos(theta) * t
    y = height + speed * math.sin(theta) * t - 0.5 * g * t * t
    return x, y


def calculate_impact_time(
    speed: float, angle_deg: float, height: float = 0.0, g: float = 9.81
) -> float:
    """Time at which the point launched from (0, height) comes down to y = 0."""
    vy0 = speed * math.sin(math.radians(angle_deg))
    return (vy0 + math.sqrt(vy0 * vy0 + 2.0 * g * height)) / g


def calculate_max_height(
    speed: float, angle_deg: float, height: float = 0.0, g: float = 9.81
) -> float:
    """Highest y reached (the launch height itself when fired downwards)."""
    vy0 = speed * math.sin(math.radians(angle_deg))
    if vy0 <= 0.0:
        return height
    return height + vy0 * vy0 / (2.0 * g)


def calculate_range(speed: float, angle_deg: float, height: float = 0.0, g: float = 9.81) -> float:
    """Horizontal distance travelled before the point comes down to y = 0."""
    vx0 = speed * math.cos(math.radians(angle_deg))
    return vx0 * calculate_impact_time(speed, angle_deg, height, g)


# -- per-frame simulation ---------------------------------------------------------------------


def time_to_ground(h: float, vel_y: float, acc_y: float) -> float:
    """Earliest t ≥ 0 with h + vel_y·t + acc_y·t²/2 = 0 while descending; -1 when none.

    ``h`` is the height above the contact plane. Both branches avoid subtracting nearly
    equal numbers, so a contact just after a bounce is not lost to rounding.
    """
    if h < 0.0:
        h = 0.0
    if vel_y < 0.0:
        disc = vel_y * vel_y - 2.0 * acc_y * h
        if disc < 0.0:
            return -1.0  # pushed upwards hard enough to turn back before touching
        return 2.0 * h / (math.sqrt(disc) - vel_y)
    if acc_y < 0.0:
        return (vel_y + math.sqrt(vel_y * vel_y - 2.0 * acc_y * h)) / -acc_y
    return -1.0


def launch(speed: float, angle_deg: float, height: float, radius: float) -> None:
    """Put the ball at the launcher with its launch velocity and start the clock.

    The centre starts ``radius`` above ``height`` and touches down when it is ``radius`` above
    the ground, so the ball's lowest point follows exactly the closed-form path above.
    """
    global px, py, pz, vx, vy, vz, sim_time, launched, resting, bounces
    global ke_before, ke_after, contact_x, contact_time
    theta = math.radians(angle_deg)
    px = 0.0
    py = height + radius
    pz = 0.0
    vx = speed * math.cos(theta)
    vy = speed * math.sin(theta)
    vz = 0.0
    sim_time = 0.0
    launched = True
    resting = False
    bounces = 0
    ke_before = 0.0
    ke_after = 0.0
    contact_x = 0.0
    contact_time = 0.0


def reset() -> None:
    """Forget the flight: the next :func:`step` launches again."""
    global launched
    launched = False


def bounce(restitution: float) -> bool:
    """The ball touches the ground now: reflect and scale its velocity. Returns whether it
    now rests.

    The whole velocity is reflected off the ground and scaled by ``restitution`` (a simple
    model in which the contact also brakes sliding), so each bounce multiplies the kinetic
    energy by restitution² exactly; the energies before and after are kept for bookkeeping.
    """
    global vx, vy, vz, resting, bounces, ke_before, ke_after, contact_x, contact_time
    ke_before = 0.5 * (vx * vx + vy * vy + vz * vz)
    vx = restitution * vx
    vy = -restitution * vy
    vz = restitution * vz
    ke_after = 0.5 * (vx * vx + vy * vy + vz * vz)
    bounces += 1
    contact_x = px
    contact_time = sim_time
    if vy < REST_SPEED:
        vx = 0.0
        vy = 0.0
        vz = 0.0
        resting = True
    return resting


def advance(t: float) -> None:
    """Move the ball along its parabola for ``t`` seconds (exact for constant acceleration)."""
    global px, py, pz, vx, vy, vz, sim_time
    px += (vx + 0.5 * acc_x * t) * t
    py += (vy + 0.5 * acc_y * t) * t
    pz += (vz + 0.5 * acc_z * t) * t
    vx += acc_x * t
    vy += acc_y * t
    vz += acc_z * t
    sim_time += t


def fly(radius: float) -> tuple[float, float, float, bool]:
    """Spend the step's pending time in flight, stopping early at a ground contact.

    Returns the ball's centre and whether it stopped on a contact (then ``pending`` holds
    the time of the step still to go, which the collision handler spends).
    """
    global py, pending, sim_time
    if resting:
        sim_time += pending
        pending = 0.0
        return px, py, pz, False
    t_hit = time_to_ground(py - radius, vy, acc_y)
    if t_hit < 0.0 or t_hit >= pending:
        advance(pending)
        pending = 0.0
        return px, py, pz, False
    advance(t_hit)
    py = radius
    pending -= t_hit
    return px, py, pz, True


def step(
    dt: float,
    gravityOverride_x: float = 0.0,
    gravityOverride_y: float = -9.81,
    gravityOverride_z: float = 0.0,
    forceMultiplier: float = 1.0,
    speed: float = 20.0,
    angle_deg: float = 45.0,
    height: float = 0.0,
    radius: float = 0.25,
) -> tuple[float, float, float, bool]:
    """The physics function: advance the ball by ``dt`` seconds; returns its centre (x, y, z)
    and ``contact``.

    The first call launches it. The acceleration is ``forceMultiplier`` × ``gravityOverride``:
    the multiplier scales every force acting on the ball. The step stops at the first ground
    contact inside it and reports ``contact``; the collision handler,
    :func:`on_ground_contact`, then bounces the ball and finishes the step.
    """
    global acc_x, acc_y, acc_z, pending
    if not launched:
        launch(speed, angle_deg, height, radius)
    acc_x = forceMultiplier * gravityOverride_x
    acc_y = forceMultiplier * gravityOverride_y
    acc_z = forceMultiplier * gravityOverride_z
    pending = dt
    return fly(radius)


def on_ground_contact(restitution: float = 0.7, radius: float = 0.25) -> tuple[float, float, float]:
    """The collision handler, called after a step that reported ``contact``: bounce with
    ``restitution``, then fly the rest of the step (bouncing again on the spot should the
    ball land twice within it). Returns the ball's centre at the end of the step."""
    x = px
    y = py
    z = pz
    touching = True
    contacts = 0
    while touching and contacts < MAX_CONTACTS_PER_STEP:
        bounce(restitution)
        contacts += 1
        x, y, z, touching = fly(radius)
    return x, y, z


def simulate(
    dt: float,
    gravityOverride_x: float = 0.0,
    gravityOverride_y: float = -9.81,
    gravityOverride_z: float = 0.0,
    forceMultiplier: float = 1.0,
    restitution: float = 0.7,
    speed: float = 20.0,
    angle_deg: float = 45.0,
    height: float = 0.0,
    radius: float = 0.25,
) -> tuple[float, float, float]:
    """One step and, on contact, its collision handler: what the runner does each frame, for
    callers without a runner."""
    x, y, z, contact = step(
        dt,
        gravityOverride_x,
        gravityOverride_y,
        gravityOverride_z,
        forceMultiplier,
        speed,
        angle_deg,
        height,
        radius,
    )
    if contact:
        x, y, z = on_ground_contact(restitution, radius)
    return x, y, z
