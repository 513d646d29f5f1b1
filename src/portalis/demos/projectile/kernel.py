"""Projectile physics: closed-form ballistics, and a ball that flies and bounces frame by frame.

This is a Portalis kernel: plain typed Python in the language ``portalis build`` compiles
(docs/language.md). It runs unchanged under CPython, which is how its tests check it.

Conventions: Y is up and the ground is the plane y = 0; angles are degrees above the horizon;
metres, seconds, and ``g`` the magnitude of gravity in m/s².

The per-frame part integrates *exactly* under constant acceleration: within a step the ball
follows the parabola p + v·t + a·t²/2, and a contact with the ground is found by solving that
parabola for the instant it reaches the ground, so no energy is gained or lost between bounces
whatever the frame rate, and a bounce happens at the right place even when it falls between two
frames. Each contact calls the collision handler :func:`on_ground_contact`, which scales the
whole velocity by the restitution (so a bounce multiplies kinetic energy by restitution²).
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


def calculate_range(
    speed: float, angle_deg: float, height: float = 0.0, g: float = 9.81
) -> float:
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


def on_ground_contact(restitution: float) -> bool:
    """The collision handler: the ball touches the ground now. Returns whether it now rests.

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


def advance(t: float, ax: float, ay: float, az: float) -> None:
    """Move the ball along its parabola for ``t`` seconds (exact for constant acceleration)."""
    global px, py, pz, vx, vy, vz, sim_time
    px += (vx + 0.5 * ax * t) * t
    py += (vy + 0.5 * ay * t) * t
    pz += (vz + 0.5 * az * t) * t
    vx += ax * t
    vy += ay * t
    vz += az * t
    sim_time += t


def step(
    dt: float,
    speed: float = 20.0,
    angle_deg: float = 45.0,
    height: float = 0.0,
    gravity_x: float = 0.0,
    gravity_y: float = -9.81,
    gravity_z: float = 0.0,
    force_multiplier: float = 1.0,
    restitution: float = 0.7,
    radius: float = 0.25,
) -> tuple[float, float, float]:
    """Advance the ball by ``dt`` seconds and return its centre (x, y, z).

    The first call launches it. The acceleration is ``force_multiplier`` × gravity: the
    multiplier scales every force acting on the ball. Each ground contact inside the step is
    located exactly and handed to :func:`on_ground_contact`.
    """
    global py
    if not launched:
        launch(speed, angle_deg, height, radius)
    ax = force_multiplier * gravity_x
    ay = force_multiplier * gravity_y
    az = force_multiplier * gravity_z
    remaining = dt
    contacts = 0
    while remaining > 0.0 and not resting and contacts < MAX_CONTACTS_PER_STEP:
        t_hit = time_to_ground(py - radius, vy, ay)
        if t_hit < 0.0 or t_hit >= remaining:
            advance(remaining, ax, ay, az)
            remaining = 0.0
        else:
            advance(t_hit, ax, ay, az)
            py = radius
            remaining -= t_hit
            contacts += 1
            on_ground_contact(restitution)
    if remaining > 0.0:
        advance_clock(remaining)
    return px, py, pz


def advance_clock(t: float) -> None:
    """Let time pass for a ball that does not move (resting)."""
    global sim_time
    sim_time += t
