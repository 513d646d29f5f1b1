from portalis.lang import zeros

steps: int = 0
trail = zeros((4, 2))
SCALE = (0.5, 2.0)


def step(x: float, y: float) -> int:
    global steps
    trail[steps % 4, 0] = x * SCALE[0]
    trail[steps % 4, 1] = y * SCALE[1]
    steps += 1
    return steps
