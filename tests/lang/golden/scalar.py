def hypot2(x: float, y: float) -> float:
    """Squared distance: two multiplies and an add, straight on the wasm stack."""
    return x * x + y * y


def floor_div(a: int, b: int) -> tuple[int, int]:
    return a // b, a % b


def sign(x: float) -> int:
    if x > 0.0:
        return 1
    elif x < 0.0:
        return -1
    return 0
