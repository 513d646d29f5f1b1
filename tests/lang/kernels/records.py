"""Records for the differential tests (tests/lang/test_records.py): dataclasses and a plain
class, methods and operators, nested records, tuples of records, tables of records, field
writes on records made here. Runs under CPython as it is."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Union

from portalis.lang import Array, f64


@dataclass
class Vec2:
    x: float
    y: float

    def __add__(self, o: Vec2) -> Vec2:
        return Vec2(self.x + o.x, self.y + o.y)

    def __sub__(self, o: Vec2) -> Vec2:
        return Vec2(self.x - o.x, self.y - o.y)

    def __mul__(self, s: float) -> Vec2:
        return Vec2(self.x * s, self.y * s)

    def __rmul__(self, s: float) -> Vec2:
        return Vec2(s * self.x, s * self.y)

    def __truediv__(self, s: float) -> Vec2:
        return Vec2(self.x / s, self.y / s)

    def __neg__(self) -> Vec2:
        return Vec2(-self.x, -self.y)

    def __matmul__(self, o: Vec2) -> float:
        return self.x * o.x + self.y * o.y

    def __lt__(self, o: Vec2) -> bool:
        return self.norm() < o.norm()

    def norm(self) -> float:
        return math.hypot(self.x, self.y)

    def rotated(self, angle: float) -> Vec2:
        c = math.cos(angle)
        s = math.sin(angle)
        return Vec2(c * self.x - s * self.y, s * self.x + c * self.y)


@dataclass(frozen=True)
class Segment:
    a: Vec2
    b: Vec2
    weight: float = 1.0

    def midpoint(self) -> Vec2:
        return (self.a + self.b) / 2.0

    def length(self) -> float:
        return (self.b - self.a).norm()


class Particle:
    """A plain class: annotated fields, an __init__ that assigns them."""

    pos: Vec2
    vel: Vec2
    mass: float
    alive: bool

    def __init__(self, pos: Vec2, vel: Vec2, mass: float) -> None:
        self.pos = pos
        self.vel = vel
        self.mass = mass
        self.alive = mass > 0.0

    def moved(self, dt: float) -> Particle:
        return Particle(self.pos + self.vel * dt, self.vel, self.mass)

    def energy(self) -> float:
        return 0.5 * self.mass * (self.vel @ self.vel)


class Counter:
    """Fields declared in __init__ only."""

    def __init__(self, start: int) -> None:
        self.count: int = start
        self.total: float = 0.0


@dataclass
class Box:
    lo: Vec2
    hi: Vec2
    hits: int = field(default=0)


ORIGIN = Vec2(0.0, 0.0)
POINTS = (Vec2(1.0, 0.5), Vec2(-2.0, 3.0), Vec2(0.25, -0.75), Vec2(4.0, 4.0))
SEGMENTS = (Segment(Vec2(0.0, 0.0), Vec2(1.0, 1.0)), Segment(Vec2(-1.0, 2.0), Vec2(3.0, -2.0), 2.5))


def _pair(a: Vec2, b: Vec2) -> tuple[Vec2, float, Vec2]:
    return a + b, a @ b, a - b


def _closest(p: Vec2) -> tuple[int, Vec2]:
    best = 0
    found = POINTS[0]
    for i, q in enumerate(POINTS):
        if (q - p).norm() < (found - p).norm():
            best = i
            found = q
    return best, found


def _power(v: Vec2, n: int) -> Vec2:
    if n == 0:
        return Vec2(1.0, 0.0)
    half = _power(v, n // 2)
    sq = Vec2(half.x * half.x - half.y * half.y, 2.0 * half.x * half.y)
    if n % 2 == 1:
        return Vec2(sq.x * v.x - sq.y * v.y, sq.x * v.y + sq.y * v.x)
    return sq


def arithmetic(ax: float, ay: float, bx: float, by: float, s: float) -> tuple[float, float]:
    a = Vec2(ax, ay)
    b = Vec2(y=by, x=bx)
    c = (a + b) * s - 2.0 * (a - b) + -a / 4.0
    c += b
    c -= ORIGIN
    return c.x, c.y + (a @ b)


def methods(ax: float, ay: float, angle: float) -> tuple[float, float, float, bool]:
    a = Vec2(ax, ay)
    r = a.rotated(angle).rotated(-angle)
    return r.x, r.y, Vec2.norm(r), a < r


def nested(ax: float, ay: float, bx: float, by: float) -> tuple[float, float, float, float]:
    seg = Segment(Vec2(ax, ay), Vec2(bx, by))
    m = seg.midpoint()
    heavy = Segment(seg.a, m, 3)
    return m.x, seg.b.y, heavy.length() * heavy.weight, seg.weight


def tuples(ax: float, ay: float, bx: float, by: float) -> tuple[float, float, float]:
    a = Vec2(ax, ay)
    b = Vec2(bx, by)
    total, dot, diff = _pair(a, b)
    a, b = b, a
    return total.x + diff.y, dot, a.x - b.x


def tables(px: float, py: float) -> tuple[int, float, float]:
    k, q = _closest(Vec2(px, py))
    acc = 0.0
    for seg in SEGMENTS:
        acc += seg.length() * seg.weight
    return k, q.x + POINTS[k].y + POINTS[-1].x, acc + len(POINTS)


def particles(x: float, v: float, mass: float, steps: int) -> tuple[float, float, bool, int]:
    p = Particle(Vec2(x, 0.0), Vec2(v, 1.0), mass)
    for _ in range(steps):
        p = p.moved(0.125)
    c = Counter(steps)
    return p.pos.x + p.pos.y, p.energy(), p.alive, c.count


def writes(ax: float, ay: float, n: int) -> tuple[float, float, int]:
    """Field writes on records made here (nothing else can see them)."""
    box = Box(Vec2(ax, ay), Vec2(ax + 1.0, ay + 1.0))
    v = Vec2(0.0, 0.0)
    for i in range(n):
        v.x += 0.5 * i
        v.y = v.y - 0.25
        if v.x > ax:
            box.hits += 1
            box.hi = box.hi + v
    w = v * 2.0
    return w.x + box.hi.x, v.y + box.lo.y, box.hits


def branches(ax: float, ay: float, flag: bool) -> tuple[float, float]:
    a = Vec2(ax, ay)
    b = a * 2.0 if flag else -a
    while (b - a).norm() > 1.0 and b.x != 0.0:
        b = b / 2.0
    return _power(b, 5).x, (a + b).y if flag else 0.0


def wrong_types(ax: float, n: int) -> float:
    v = Vec2(ax, n)  # an int for a float field: converted, as the arithmetic would be
    return v.y / 3.0


@dataclass
class Polar:
    r: float
    theta: float

    @property
    def x(self) -> float:
        return self.r * math.cos(self.theta)

    @property
    def cartesian(self) -> Vec2:
        return Vec2(self.x, self.r * math.sin(self.theta))

    @staticmethod
    def unit(theta: float) -> Polar:
        return Polar(1.0, theta)

    @classmethod
    def zero(cls) -> Polar:  # never called: compiled only when called, so never refused
        return cls(0.0, 0.0)

    def __repr__(self) -> str:
        return f"Polar({self.r}, {self.theta})"


def decorated(r: float, theta: float) -> tuple[float, float, float]:
    p = Polar(r, theta)
    q = Polar.unit(theta)
    u = p.unit(-theta)
    return p.x + p.cartesian.y, q.cartesian.x, u.x


@dataclass
class Color:
    """Operators taking a union: one copy per argument type, isinstance decided statically."""

    r: float
    g: float
    b: float

    def __mul__(self, other: Color | float) -> Color:
        if isinstance(other, Color):
            return Color(self.r * other.r, self.g * other.g, self.b * other.b)
        return Color(self.r * other, self.g * other, self.b * other)

    def __rmul__(self, other: float) -> Color:
        return self * other

    def __add__(self, other: Union[Color, float]) -> Color:  # noqa: UP007 - the typing spelling
        o = other if isinstance(other, Color) else Color(other, other, other)
        return Color(self.r + o.r, self.g + o.g, self.b + o.b)

    def __truediv__(self, other: Color | float) -> Color:
        if not isinstance(other, (int, float)):
            return Color(self.r / other.r, self.g / other.g, self.b / other.b)
        return Color(self.r / other, self.g / other, self.b / other)


def unions(r: float, g: float, b: float, s: float) -> tuple[float, float, float]:
    c = Color(r, g, b)
    mixed = c * s + c * c + 2.0 * c + 1.5
    out = mixed / c / 2.0
    return out.r, out.g, out.b


def _bump(a: Array[f64], i: int) -> float:
    a[0] += 1.0
    return a[i]


def _combine(s: float, p: Vec2) -> float:
    return s * 10.0 + p.x


def order(a: Array[f64], i: int, x: float) -> tuple[float, float]:
    """_bump changes a[0] before the record operation after it reads a[0]; an index error
    in _bump comes before the operation runs, as in CPython."""
    v = Vec2(x, a[0])
    r = _combine(_bump(a, i), v + Vec2(a[0], 1.0))
    return r, a[0]
