"""Module-level state that persists between calls."""

from portalis.lang import i32, zeros

N = 8
counter: int = 0
energy: float = 0.0
enabled: bool = True
history = zeros(N)
grid = zeros((4, 4), i32)


def tick(x: float) -> int:
    global counter, energy
    if enabled:
        history[counter % N] = x
        grid[counter % 4, (counter // 4) % 4] += 1
        counter += 1
        energy += x * x
    return counter


def mean() -> float:
    s = 0.0
    n = min(counter, N)
    for i in range(n):
        s += history[i]
    return s / n if n else 0.0


def grid_total() -> int:
    t = 0
    for i in range(4):
        for j in range(4):
            t += grid[i, j]
    return t
