"""A warehouse robot fleet: task allocation, space-time A* with a reservation table, and the
per-frame pose and status of every robot.

This is a Portalis kernel: plain typed Python in the language ``portalis build`` compiles
(docs/language.md). It runs unchanged under CPython and under Numba's ``njit``, which is how
its tests and its benchmark compare it.

One call of :func:`update` is one step of the fleet: every robot moves at most one grid cell
(4-connected) or waits. The map comes from the scene: ``cells`` (row-major, 0 free, anything
else a shelf or wall), the pick stations, the drop zones, each robot's home cell, and a stream
of orders (pick station, drop zone, the step it is released at).

* **Task allocation: greedy nearest.** At each step the released, unassigned orders are taken
  first-in first-out; each goes to the free robot (idle at home, or just done delivering)
  nearest its pick station by Manhattan distance, among those that can reach it. A station
  is *claimed* by one robot at a time, from assignment until that robot leaves it, so two
  robots never head for the same station.
* **Planning: cooperative (prioritised) A\\*** in space and time. States are (cell, step);
  moves are the four neighbours or a wait; the heuristic is the true grid distance to the
  goal (a breadth-first search from the goal over the static map), so A* opens few states
  off the path. The open list is a binary heap of node indices in arrays. Robots plan one
  after another; each committed path is written into a reservation table (a hash table
  keyed by cell and step), which later plans may not enter (vertex conflicts) nor swap
  through head-on (edge conflicts). A robot parks at the end of its path "for ever", and a
  path may only end where no reservation exists after its arrival.
* **No deadlock.** Robots rest only at stations and homes, which the scene places off the
  aisles; a robot whose plan fails (blocked within the search horizon) waits where it is and
  tries again next step, and since every other path is finite, the aisles clear. Stations are
  claimed, homes are per robot, so no two robots wait for each other's resting place.
* **Reported, never a hang:** an order whose pick or drop is a shelf, or unreachable, or in
  a part of the map no robot can reach, is rejected; a robot whose home is not a free cell
  of its own (more robots than free cells, a map with no free cell) gets status NO_CELL; a
  robot walled in away from every station, BOXED_IN; a map bigger than the kernel's
  capacities sets ``fault``. Every search is bounded (horizon and node budget).

The compiler has no arrays created inside functions yet, so the planner's working memory
is module-level arrays of fixed capacity (``MAX_CELLS`` …), passed down to :func:`step` as
parameters: the same function then runs under Numba, which cannot write module globals.
"""

from portalis.lang import Array, f64, i32, i64, zeros

# -- capacities (the module's fixed working memory) -------------------------------------------
MAX_CELLS = 65536  # a 256 × 256 map
MAX_ROBOTS = 128
MAX_ORDERS = 8192
PATH_CAP = 1024  # steps in one planned leg, waits included
NODE_CAP = 32768  # A* states one search may create (more: blocked for now, retried)
SEEN_SLOTS = 65536  # the search's visited-state hash table (a power of two)
SEEN_MASK = SEEN_SLOTS - 1
RES_SLOTS = 524288  # the reservation hash table (a power of two)
RES_MASK = RES_SLOTS - 1
# Slots in use before expired reservations are swept out: one step adds at most
# MAX_ROBOTS * PATH_CAP (a quarter), so the table is never more than half full.
RES_REBUILD = RES_SLOTS // 4
#: Hash of a state (cell, step): cell + step * TIME_STRIDE. Neighbouring cells at one step
#: fall into neighbouring slots, so a search's lookups stay within a few cache lines.
TIME_STRIDE = 40503
WAIT_SLACK = 64  # steps of waiting a plan may add beyond twice the distance
DIST_POOL = 8388608  # cells of distance maps kept (one map per goal, width * height each)
MAX_MAPS = 4096
INIT_MAP_CELLS = 2097152  # cells of distance maps computed when the fleet is set up

# -- robot status (the ``status`` output) ----------------------------------------------------
IDLE = 0
TO_PICK = 1
CARRYING = 2
RETURNING = 3
WAITING = 4
BOXED_IN = 5
NO_CELL = 6

# -- order state ------------------------------------------------------------------------------
O_PENDING = 0  # not released yet
O_OPEN = 1
O_ASSIGNED = 2
O_CARRIED = 3
O_DELIVERED = 4
O_REJECTED = 5

# -- fleet fault (the ``fault`` result) -------------------------------------------------------
FAULT_NONE = 0
FAULT_MAP = 1  # len(cells) != width * height, or more cells than MAX_CELLS
FAULT_CAPACITY = 2  # more robots or orders than the capacities, or mismatched array lengths
FAULT_NO_FREE_CELL = 3  # the map has no free cell at all
FAULT_NO_HOME = 4  # some robot has no free home cell of its own

# -- rows and columns of the working arrays ---------------------------------------------------
G_PARK = 0  # robot + 1 parked in the cell (0: none) ...
G_PARK_FROM = 1  # ... from this step on, for ever
G_LAST_RES = 2  # the latest step any reservation holds the cell
G_CLAIM = 3  # robot + 1 that claimed the cell (a station) as its destination
G_COMP = 4  # connected component of the free cell (-1: shelf)
G_MAP = 5  # 1 + the distance map kept for this goal cell (0: none yet)
G_QUEUE = 6  # breadth-first search queue
G_ROWS = 7

R_ACTIVE = 0
R_MODE = 1  # IDLE, TO_PICK, CARRYING, RETURNING
R_BLOCKED = 2  # 1: at rest short of its goal (its plan failed; retried every step)
R_ORDER = 3
R_GOAL = 4
R_START = 5  # step of the path's first cell
R_LEN = 6
R_BOXED = 7
R_HOME = 8
R_CELL = 9  # the cell reported at the previous step
R_COLS = 10

N_CELL = 0
N_TIME = 1
N_PARENT = 2
N_HKEY = 3  # the heap: keys and nodes by heap position
N_HNODE = 4
N_ROWS = 5

C_NOW = 0
C_READY = 1
C_DELIVERED = 2
C_TRAVELLED = 3
C_REJECTED = 4
C_FAULT = 5
C_STAMP = 6
C_RES_USED = 7
C_PLANS = 8
C_EXPANDED = 9
C_NEXT_MAP = 10
C_COUNT = 11

# -- persistent state -------------------------------------------------------------------------
counters = zeros((C_COUNT,), i64)
grid = zeros((G_ROWS, MAX_CELLS), i32)
robots = zeros((MAX_ROBOTS, R_COLS), i32)
paths = zeros((MAX_ROBOTS, PATH_CAP), i32)
headings = zeros((MAX_ROBOTS,), f64)
orders = zeros((MAX_ORDERS,), i32)
nodes = zeros((N_ROWS, NODE_CAP), i32)
seen_key = zeros((SEEN_SLOTS,), i64)
seen_stamp = zeros((SEEN_SLOTS,), i64)
res_cell = zeros((RES_SLOTS,), i32)
res_time = zeros((RES_SLOTS,), i32)
res_robot = zeros((RES_SLOTS,), i32)
dist_pool = zeros((DIST_POOL,), i32)
map_owner = zeros((MAX_MAPS,), i32)


def update(
    cells: Array[i32],
    width: int,
    height: int,
    picks: Array[i32],
    drops: Array[i32],
    homes: Array[i32],
    order_pick: Array[i32],
    order_drop: Array[i32],
    order_release: Array[i32],
    pose: Array[f64, 2],
    heading: Array[f64],
    status: Array[i32],
    order: Array[i32],
    cell_size: float = 1.0,
) -> tuple[int, int, int, int]:
    """One step of the fleet. Writes every robot's ``pose`` (x, y, z of its cell's centre),
    ``heading`` (degrees about z), ``status`` and the ``order`` it serves (-1: none); returns
    orders delivered so far, cells travelled so far, orders rejected, and the fleet fault."""
    delivered, travelled, rejected, fault = step(
        cells, width, height, picks, drops, homes, order_pick, order_drop, order_release,
        pose, heading, status, order, cell_size,
        counters, grid, robots, paths, headings, orders, nodes,
        seen_key, seen_stamp, res_cell, res_time, res_robot, dist_pool, map_owner,
    )  # fmt: skip
    return delivered, travelled, rejected, fault


def reset() -> None:
    """Forget the fleet: the next :func:`update` reads the map and places the robots again."""
    counters[C_READY] = 0


def step(
    cells: Array[i32],
    width: int,
    height: int,
    picks: Array[i32],
    drops: Array[i32],
    homes: Array[i32],
    order_pick: Array[i32],
    order_drop: Array[i32],
    order_release: Array[i32],
    pose: Array[f64, 2],
    heading: Array[f64],
    status: Array[i32],
    order: Array[i32],
    cell_size: float,
    counters: Array[i64],
    grid: Array[i32, 2],
    robots: Array[i32, 2],
    paths: Array[i32, 2],
    headings: Array[f64],
    orders: Array[i32],
    nodes: Array[i32, 2],
    seen_key: Array[i64],
    seen_stamp: Array[i64],
    res_cell: Array[i32],
    res_time: Array[i32],
    res_robot: Array[i32],
    dist_pool: Array[i32],
    map_owner: Array[i32],
) -> tuple[int, int, int, int]:
    """:func:`update` with its working memory as parameters."""
    n_robots = len(homes)
    n_orders = len(order_pick)
    if counters[C_READY] == 0:
        initialise(
            cells, width, height, picks, drops, homes, order_pick, order_drop, order_release,
                    pose, counters, grid, robots, paths, headings, orders, res_robot, dist_pool,
            map_owner,
        )  # fmt: skip
        counters[C_READY] = 1
    fault = counters[C_FAULT]
    if fault != FAULT_NONE and fault <= FAULT_CAPACITY:  # nothing can run
        for r in range(min(n_robots, len(status))):
            status[r] = NO_CELL
        return 0, 0, 0, fault
    now = counters[C_NOW]
    n = width * height

    # -- orders released at this step ----------------------------------------------------------
    for k in range(n_orders):
        if orders[k] == O_PENDING and order_release[k] <= now:
            orders[k] = O_OPEN
            if not order_possible(cells, n, grid, robots, n_robots, order_pick[k], order_drop[k]):
                orders[k] = O_REJECTED
                counters[C_REJECTED] += 1

    if counters[C_RES_USED] > RES_REBUILD:
        sweep_reservations(counters, robots, paths, n_robots, grid, res_cell, res_time, res_robot)

    # -- robots at the end of their leg: arrivals -------------------------------------------
    for r in range(n_robots):
        if robots[r, R_ACTIVE] == 0 or robots[r, R_BLOCKED] == 1:
            continue
        last = robots[r, R_START] + robots[r, R_LEN] - 1
        if now < last:
            continue
        here = paths[r, robots[r, R_LEN] - 1]
        mode = robots[r, R_MODE]
        if here != robots[r, R_GOAL]:
            continue
        if mode == TO_PICK:
            orders[robots[r, R_ORDER]] = O_CARRIED
            robots[r, R_MODE] = CARRYING
            robots[r, R_GOAL] = order_drop[robots[r, R_ORDER]]
            robots[r, R_BLOCKED] = 1
        elif mode == CARRYING:
            orders[robots[r, R_ORDER]] = O_DELIVERED
            counters[C_DELIVERED] += 1
            robots[r, R_ORDER] = -1
            robots[r, R_MODE] = RETURNING
            robots[r, R_GOAL] = robots[r, R_HOME]
            robots[r, R_BLOCKED] = 1
        elif mode == RETURNING:
            robots[r, R_MODE] = IDLE

    # -- robots with an order and no path: plan (carrying first, then to pick) -----------------
    for phase in range(2):
        wanted = CARRYING if phase == 0 else TO_PICK
        for r in range(n_robots):
            if robots[r, R_BLOCKED] == 1 and robots[r, R_MODE] == wanted:
                goal = robots[r, R_GOAL]
                if grid[G_CLAIM, goal] != 0 and grid[G_CLAIM, goal] != r + 1:
                    continue  # the drop zone is someone else's until they leave it
                grid[G_CLAIM, goal] = r + 1
                result = plan(
                    r, goal, now, cells, width, height, counters, grid, robots, paths, nodes,
                    seen_key, seen_stamp, res_cell, res_time, res_robot, dist_pool, map_owner,
                )  # fmt: skip
                if result < 0:  # cannot happen for a validated order; reported all the same
                    orders[robots[r, R_ORDER]] = O_REJECTED
                    counters[C_REJECTED] += 1
                    grid[G_CLAIM, goal] = 0
                    robots[r, R_ORDER] = -1
                    robots[r, R_MODE] = RETURNING
                    robots[r, R_GOAL] = robots[r, R_HOME]

    # -- allocation: open orders, first in first out, to the nearest free robot ----------------
    for k in range(n_orders):
        if orders[k] != O_OPEN:
            continue
        pick = order_pick[k]
        if grid[G_CLAIM, pick] != 0:
            continue
        best = -1
        best_distance = 0
        px = pick % width
        py = pick // width
        for r in range(n_robots):
            if robots[r, R_ACTIVE] == 0 or robots[r, R_ORDER] != -1:
                continue
            if now < robots[r, R_START] + robots[r, R_LEN] - 1:
                continue  # still on its way home
            here = paths[r, robots[r, R_LEN] - 1]
            if grid[G_COMP, here] != grid[G_COMP, pick]:
                continue
            d = abs(here % width - px) + abs(here // width - py)
            if best < 0 or d < best_distance:
                best = r
                best_distance = d
        if best < 0:
            continue
        orders[k] = O_ASSIGNED
        grid[G_CLAIM, pick] = best + 1
        robots[best, R_ORDER] = k
        robots[best, R_MODE] = TO_PICK
        robots[best, R_GOAL] = pick
        robots[best, R_BLOCKED] = 1
        plan(
            best, pick, now, cells, width, height, counters, grid, robots, paths, nodes,
            seen_key, seen_stamp, res_cell, res_time, res_robot, dist_pool, map_owner,
        )  # fmt: skip

    # -- free robots away from home: go home -----------------------------------------------
    for r in range(n_robots):
        if robots[r, R_BLOCKED] == 1 and robots[r, R_MODE] == RETURNING:
            plan(
                r, robots[r, R_HOME], now, cells, width, height, counters, grid, robots, paths,
                nodes, seen_key, seen_stamp, res_cell, res_time, res_robot, dist_pool, map_owner,
            )  # fmt: skip

    # -- state out: where every robot is at this step --------------------------------------
    for r in range(n_robots):
        if robots[r, R_ACTIVE] == 0:
            status[r] = NO_CELL
            order[r] = -1
            continue
        start = robots[r, R_START]
        length = robots[r, R_LEN]
        k = min(max(now - start, 0), length - 1)
        here = paths[r, k]
        before = robots[r, R_CELL]
        robots[r, R_CELL] = here
        if here != before:
            counters[C_TRAVELLED] += 1
            if here == before + 1:
                headings[r] = 0.0
            elif here == before - 1:
                headings[r] = 180.0
            elif here > before:
                headings[r] = 90.0
            else:
                headings[r] = -90.0
        pose[r, 0] = (here % width + 0.5) * cell_size
        pose[r, 1] = (here // width + 0.5) * cell_size
        pose[r, 2] = 0.0
        heading[r] = headings[r]
        order[r] = robots[r, R_ORDER]
        if robots[r, R_BOXED] == 1:
            status[r] = BOXED_IN
        elif robots[r, R_BLOCKED] == 1:
            status[r] = WAITING
        else:
            status[r] = robots[r, R_MODE]
    counters[C_NOW] = now + 1
    return (
        counters[C_DELIVERED],
        counters[C_TRAVELLED],
        counters[C_REJECTED],
        counters[C_FAULT],
    )


def initialise(
    cells: Array[i32],
    width: int,
    height: int,
    picks: Array[i32],
    drops: Array[i32],
    homes: Array[i32],
    order_pick: Array[i32],
    order_drop: Array[i32],
    order_release: Array[i32],
    pose: Array[f64, 2],
    counters: Array[i64],
    grid: Array[i32, 2],
    robots: Array[i32, 2],
    paths: Array[i32, 2],
    headings: Array[f64],
    orders: Array[i32],
    res_robot: Array[i32],
    dist_pool: Array[i32],
    map_owner: Array[i32],
) -> None:
    """Check the map against the capacities, label its connected parts, and park every robot
    at its home."""
    stamp = counters[C_STAMP]  # kept: the visited table still holds earlier searches' stamps
    for k in range(C_COUNT):
        counters[k] = 0
    counters[C_STAMP] = stamp
    n = width * height
    n_robots = len(homes)
    n_orders = len(order_pick)
    if width <= 0 or height <= 0 or n != len(cells) or n > MAX_CELLS:
        counters[C_FAULT] = FAULT_MAP
        return
    if (
        n_robots > MAX_ROBOTS
        or n_orders > MAX_ORDERS
        or len(order_drop) != n_orders
        or len(order_release) != n_orders
        or pose.shape[0] != n_robots
    ):
        counters[C_FAULT] = FAULT_CAPACITY
        return
    for c in range(n):
        grid[G_PARK, c] = 0
        grid[G_PARK_FROM, c] = 0
        grid[G_LAST_RES, c] = -1
        grid[G_CLAIM, c] = 0
        grid[G_COMP, c] = -1
        grid[G_MAP, c] = 0
    for m in range(MAX_MAPS):
        map_owner[m] = 0
    free = label_components(cells, width, height, grid)
    if free == 0:
        counters[C_FAULT] = FAULT_NO_FREE_CELL
    for s in range(RES_SLOTS):
        res_robot[s] = 0
    for k in range(n_orders):
        orders[k] = O_PENDING
    for r in range(n_robots):
        home = homes[r]
        robots[r, R_ORDER] = -1
        robots[r, R_BLOCKED] = 0
        robots[r, R_BOXED] = 0
        robots[r, R_MODE] = IDLE
        robots[r, R_START] = 0
        robots[r, R_LEN] = 1
        headings[r] = 90.0
        if home < 0 or home >= n or cells[home] != 0 or grid[G_PARK, home] != 0:
            robots[r, R_ACTIVE] = 0
            if counters[C_FAULT] == FAULT_NONE:
                counters[C_FAULT] = FAULT_NO_HOME
            continue
        robots[r, R_ACTIVE] = 1
        robots[r, R_HOME] = home
        robots[r, R_CELL] = home
        robots[r, R_GOAL] = home
        paths[r, 0] = home
        grid[G_PARK, home] = r + 1
        grid[G_PARK_FROM, home] = 0
        reachable = 0
        for p in range(len(picks)):
            s = picks[p]
            if s >= 0 and s < n and grid[G_COMP, s] == grid[G_COMP, home]:
                reachable = 1
        if reachable == 0:
            robots[r, R_BOXED] = 1
    # Goals' distance maps now, while nothing moves, so that a plan costs only its search; up
    # to INIT_MAP_CELLS cells of maps, to keep this first call short (the rest come lazily).
    goals = len(picks) + len(drops) + n_robots
    for p in range(min(goals, INIT_MAP_CELLS // n)):
        if p < len(picks):
            goal = picks[p]
        elif p < len(picks) + len(drops):
            goal = drops[p - len(picks)]
        else:
            goal = homes[p - len(picks) - len(drops)]
        if goal >= 0 and goal < n and cells[goal] == 0:
            distance_map(cells, width, height, counters, grid, dist_pool, map_owner, goal)


def label_components(cells: Array[i32], width: int, height: int, grid: Array[i32, 2]) -> int:
    """Number the 4-connected parts of the free cells (``grid[G_COMP]``); the count of free
    cells."""
    n = width * height
    label = 0
    free = 0
    for seed in range(n):
        if cells[seed] != 0 or grid[G_COMP, seed] >= 0:
            continue
        grid[G_COMP, seed] = label
        grid[G_QUEUE, 0] = seed
        head = 0
        tail = 1
        while head < tail:
            c = grid[G_QUEUE, head]
            head += 1
            free += 1
            x = c % width
            for k in range(4):
                c2 = neighbour(c, x, k, width, n)
                if c2 >= 0 and cells[c2] == 0 and grid[G_COMP, c2] < 0:
                    grid[G_COMP, c2] = label
                    grid[G_QUEUE, tail] = c2
                    tail += 1
        label += 1
    return free


def neighbour(c: int, x: int, k: int, width: int, n: int) -> int:
    """Cell ``c``'s neighbour in direction ``k`` (0 east, 1 west, 2 north, 3 south, 4 itself),
    or -1 off the map. ``x`` is ``c``'s column."""
    if k == 0:
        return c + 1 if x + 1 < width else -1
    if k == 1:
        return c - 1 if x > 0 else -1
    if k == 2:
        return c + width if c + width < n else -1
    if k == 3:
        return c - width if c >= width else -1
    return c


def order_possible(
    cells: Array[i32],
    n: int,
    grid: Array[i32, 2],
    robots: Array[i32, 2],
    n_robots: int,
    pick: int,
    drop: int,
) -> bool:
    """Whether an order can be done: pick and drop free cells of one connected part, which
    some robot can reach."""
    if pick < 0 or pick >= n or drop < 0 or drop >= n:
        return False
    if cells[pick] != 0 or cells[drop] != 0 or grid[G_COMP, pick] != grid[G_COMP, drop]:
        return False
    for r in range(n_robots):
        if robots[r, R_ACTIVE] == 1 and grid[G_COMP, robots[r, R_HOME]] == grid[G_COMP, pick]:
            return True
    return False


# -- the reservation table ---------------------------------------------------------------------


def reserved(
    res_cell: Array[i32], res_time: Array[i32], res_robot: Array[i32], cell: int, t: int
) -> int:
    """The robot (+1) that holds ``cell`` at step ``t``, or 0."""
    # the table's size, said where it is probed: no bounds check on any probe slot & RES_MASK
    if len(res_cell) < RES_SLOTS or len(res_time) < RES_SLOTS or len(res_robot) < RES_SLOTS:
        raise ValueError("the reservation table must hold RES_SLOTS slots")
    slot = (cell + t * TIME_STRIDE) & RES_MASK
    while res_robot[slot] != 0:
        if res_cell[slot] == cell and res_time[slot] == t:
            return res_robot[slot]
        slot = (slot + 1) & RES_MASK
    return 0


def reserve(
    counters: Array[i64],
    grid: Array[i32, 2],
    res_cell: Array[i32],
    res_time: Array[i32],
    res_robot: Array[i32],
    cell: int,
    t: int,
    who: int,
    now: int,
) -> None:
    """Hold ``cell`` at step ``t`` for robot ``who - 1``. A slot whose step has passed is
    reused in place, which keeps every probe chain unbroken."""
    # the table's size, said where it is probed: no bounds check on any probe slot & RES_MASK
    if len(res_cell) < RES_SLOTS or len(res_time) < RES_SLOTS or len(res_robot) < RES_SLOTS:
        raise ValueError("the reservation table must hold RES_SLOTS slots")
    slot = (cell + t * TIME_STRIDE) & RES_MASK
    while res_robot[slot] != 0 and res_time[slot] >= now:
        slot = (slot + 1) & RES_MASK
    if res_robot[slot] == 0:
        counters[C_RES_USED] += 1
    res_cell[slot] = cell
    res_time[slot] = t
    res_robot[slot] = who
    if t > grid[G_LAST_RES, cell]:
        grid[G_LAST_RES, cell] = t


def sweep_reservations(
    counters: Array[i64],
    robots: Array[i32, 2],
    paths: Array[i32, 2],
    n_robots: int,
    grid: Array[i32, 2],
    res_cell: Array[i32],
    res_time: Array[i32],
    res_robot: Array[i32],
) -> None:
    """Empty the table and hold again what the robots' paths still need (steps from now on)."""
    now = counters[C_NOW]
    for s in range(RES_SLOTS):
        res_robot[s] = 0
    counters[C_RES_USED] = 0
    for r in range(n_robots):
        if robots[r, R_ACTIVE] == 0:
            continue
        start = robots[r, R_START]
        for k in range(robots[r, R_LEN]):
            if start + k >= now:
                reserve(
                    counters, grid, res_cell, res_time, res_robot, paths[r, k], start + k,
                    r + 1, now,
                )  # fmt: skip


# -- space-time A* -------------------------------------------------------------------------------


def distance_map(
    cells: Array[i32],
    width: int,
    height: int,
    counters: Array[i64],
    grid: Array[i32, 2],
    dist_pool: Array[i32],
    map_owner: Array[i32],
    goal: int,
) -> int:
    """Where in ``dist_pool`` the grid distances from every cell to ``goal`` start (-1 where
    there is no way): the planner's heuristic. Each goal's map is computed once, by a
    breadth-first search over the static map, and kept; when the pool is full the oldest
    map makes room (round robin)."""
    n = width * height
    kept = grid[G_MAP, goal]
    if kept > 0:
        return (kept - 1) * n
    maps = min(DIST_POOL // n, MAX_MAPS)
    m = counters[C_NEXT_MAP] % maps
    counters[C_NEXT_MAP] += 1
    if map_owner[m] > 0:
        grid[G_MAP, map_owner[m] - 1] = 0
    map_owner[m] = goal + 1
    grid[G_MAP, goal] = m + 1
    base = m * n
    for c in range(n):
        dist_pool[base + c] = -1
    dist_pool[base + goal] = 0
    grid[G_QUEUE, 0] = goal
    head = 0
    tail = 1
    while head < tail:
        c = grid[G_QUEUE, head]
        head += 1
        d = dist_pool[base + c] + 1
        x = c % width
        # the four neighbours written out: this loop is most of a map's cost
        if x + 1 < width and cells[c + 1] == 0 and dist_pool[base + c + 1] < 0:
            dist_pool[base + c + 1] = d
            grid[G_QUEUE, tail] = c + 1
            tail += 1
        if x > 0 and cells[c - 1] == 0 and dist_pool[base + c - 1] < 0:
            dist_pool[base + c - 1] = d
            grid[G_QUEUE, tail] = c - 1
            tail += 1
        if c + width < n and cells[c + width] == 0 and dist_pool[base + c + width] < 0:
            dist_pool[base + c + width] = d
            grid[G_QUEUE, tail] = c + width
            tail += 1
        if c >= width and cells[c - width] == 0 and dist_pool[base + c - width] < 0:
            dist_pool[base + c - width] = d
            grid[G_QUEUE, tail] = c - width
            tail += 1
    return base


def heap_push(nodes: Array[i32, 2], size: int, node: int, key: int) -> int:
    """Add ``node`` with ``key`` to the heap of ``size`` entries; the new size. Keys sit in
    the heap beside their nodes, so sifting compares neighbouring memory."""
    if nodes.shape[0] < N_ROWS:
        raise ValueError("nodes must have N_ROWS rows")  # (which proves every nodes[N_…, i] row)
    i = size
    while i > 0:
        parent = (i - 1) >> 1
        if nodes[N_HKEY, parent] <= key:
            break
        nodes[N_HKEY, i] = nodes[N_HKEY, parent]
        nodes[N_HNODE, i] = nodes[N_HNODE, parent]
        i = parent
    nodes[N_HKEY, i] = key
    nodes[N_HNODE, i] = node
    return size + 1


def heap_pop(nodes: Array[i32, 2], size: int) -> int:
    """Remove and return the node of least key from a heap of ``size`` (> 0) entries."""
    if nodes.shape[0] < N_ROWS:
        raise ValueError("nodes must have N_ROWS rows")  # (which proves every nodes[N_…, i] row)
    top = nodes[N_HNODE, 0]
    size -= 1
    if size == 0:
        return top
    key = nodes[N_HKEY, size]
    node = nodes[N_HNODE, size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and nodes[N_HKEY, child + 1] < nodes[N_HKEY, child]:
            child += 1
        if nodes[N_HKEY, child] >= key:
            break
        nodes[N_HKEY, i] = nodes[N_HKEY, child]
        nodes[N_HNODE, i] = nodes[N_HNODE, child]
        i = child
    nodes[N_HKEY, i] = key
    nodes[N_HNODE, i] = node
    return top


def order_key(f: int, g: int) -> int:
    """A* order as one number: lower f (steps so far + distance left) first, and among equal
    f the deeper state (more steps taken, so nearer the goal)."""
    return f * PATH_CAP * 2 + (PATH_CAP - g)


def first_visit(
    seen_key: Array[i64], seen_stamp: Array[i64], stamp: int, cell: int, t: int
) -> bool:
    """Mark state (cell, t) visited in this search (``stamp``); whether it was new."""
    if len(seen_key) < SEEN_SLOTS or len(seen_stamp) < SEEN_SLOTS:
        raise ValueError("the visited-state table must hold SEEN_SLOTS slots")
    key = t * MAX_CELLS + cell
    slot = (cell + t * TIME_STRIDE) & SEEN_MASK
    while seen_stamp[slot] == stamp:
        if seen_key[slot] == key:
            return False
        slot = (slot + 1) & SEEN_MASK
    seen_stamp[slot] = stamp
    seen_key[slot] = key
    return True


def plan(
    r: int,
    goal: int,
    now: int,
    cells: Array[i32],
    width: int,
    height: int,
    counters: Array[i64],
    grid: Array[i32, 2],
    robots: Array[i32, 2],
    paths: Array[i32, 2],
    nodes: Array[i32, 2],
    seen_key: Array[i64],
    seen_stamp: Array[i64],
    res_cell: Array[i32],
    res_time: Array[i32],
    res_robot: Array[i32],
    dist_pool: Array[i32],
    map_owner: Array[i32],
) -> int:
    """Plan robot ``r`` from where it rests to ``goal`` around every reservation, and commit
    the path: 1 done, 0 blocked for now (the robot stays and retries), -1 no way at all."""
    if nodes.shape[0] < N_ROWS or grid.shape[0] < G_ROWS or robots.shape[1] < R_COLS:
        raise ValueError("nodes, grid or robots has too few rows or columns")  # (proves them)
    n = width * height
    start = paths[r, robots[r, R_LEN] - 1]
    me = r + 1
    counters[C_PLANS] += 1
    if grid[G_COMP, start] != grid[G_COMP, goal]:
        return -1
    base = distance_map(cells, width, height, counters, grid, dist_pool, map_owner, goal)
    reach = dist_pool[base + start]
    horizon = now + min(2 * reach + WAIT_SLACK, PATH_CAP - 1)
    stamp = counters[C_STAMP] + 1
    counters[C_STAMP] = stamp
    last_goal = grid[G_LAST_RES, goal]
    grid[G_PARK, start] = 0  # the robot's own resting place is no obstacle to itself

    nodes[N_CELL, 0] = start
    nodes[N_TIME, 0] = now
    nodes[N_PARENT, 0] = -1
    count = 1
    size = heap_push(nodes, 0, 0, order_key(reach, 0))
    first_visit(seen_key, seen_stamp, stamp, start, now)
    found = -1
    while size > 0:
        node = heap_pop(nodes, size)
        size -= 1
        c = nodes[N_CELL, node]
        t = nodes[N_TIME, node]
        counters[C_EXPANDED] += 1
        if c == goal and t > last_goal and (grid[G_PARK, goal] == 0 or grid[G_PARK, goal] == me):
            found = node
            break
        if t >= horizon or count + 5 > NODE_CAP:
            continue
        x = c % width
        t2 = t + 1
        for k in range(5):
            c2 = neighbour(c, x, k, width, n)
            if c2 < 0 or cells[c2] != 0:
                continue
            d = dist_pool[base + c2]
            if d < 0 or t2 + d > horizon:
                continue
            parked = grid[G_PARK, c2]
            if parked != 0 and parked != me and t2 >= grid[G_PARK_FROM, c2]:
                continue
            holder = reserved(res_cell, res_time, res_robot, c2, t2)
            if holder != 0 and holder != me:
                continue
            if c2 != c:
                other = reserved(res_cell, res_time, res_robot, c2, t)
                if (
                    other != 0
                    and other != me
                    and reserved(res_cell, res_time, res_robot, c, t2) == other
                ):
                    continue  # a head-on swap with robot other - 1
            if not first_visit(seen_key, seen_stamp, stamp, c2, t2):
                continue
            nodes[N_CELL, count] = c2
            nodes[N_TIME, count] = t2
            nodes[N_PARENT, count] = node
            size = heap_push(nodes, size, count, order_key(t2 - now + d, t2 - now))
            count += 1
    if found < 0:
        grid[G_PARK, start] = me
        return 0

    # -- commit: the path, its reservations, the claim it leaves, the park at its end --------
    length = nodes[N_TIME, found] - now + 1
    node = found
    for k in range(length - 1, -1, -1):
        paths[r, k] = nodes[N_CELL, node]
        node = nodes[N_PARENT, node]
    robots[r, R_START] = now
    robots[r, R_LEN] = length
    robots[r, R_BLOCKED] = 0
    for k in range(length):
        reserve(counters, grid, res_cell, res_time, res_robot, paths[r, k], now + k, me, now)
    if grid[G_CLAIM, start] == me:
        grid[G_CLAIM, start] = 0
    grid[G_PARK, goal] = me
    grid[G_PARK_FROM, goal] = now + length - 1
    return 1
