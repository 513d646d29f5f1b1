"""Reduce functions for sweeps of the projectile scene (``portalis sweep --metric
metrics.py:NAME``): each parameter is an output of the scene over every frame of a variant's
run (``position``: frames × (x, y, z) of the ball's centre), the result one number.

A Portalis kernel like ``kernel.py``: compiled once per sweep, and the same file runs under
CPython, which is how the tests check it.
"""

from portalis.lang import Array


def max_height(position: Array[float, 2]) -> float:
    """The highest the ball's centre got."""
    best = position[0, 1]
    for i in range(len(position)):
        best = max(best, position[i, 1])
    return best


def first_contact_x(position: Array[float, 2], contact: Array[float]) -> float:
    """Where the ball first touched the ground (x of its centre), or -1 if it never did."""
    for i in range(len(contact)):
        if contact[i] > 0.5:
            return position[i, 0]
    return -1.0
