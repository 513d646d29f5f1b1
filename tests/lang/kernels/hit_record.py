"""Ray Tracing in One Weekend style: a hit record the caller makes, filled in by the hit
functions and by a method that changes `self` (tests/lang/test_records.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class Vec3:
    x: float
    y: float
    z: float

    def __add__(self, o: Vec3) -> Vec3:
        return Vec3(self.x + o.x, self.y + o.y, self.z + o.z)

    def __sub__(self, o: Vec3) -> Vec3:
        return Vec3(self.x - o.x, self.y - o.y, self.z - o.z)

    def __mul__(self, t: float) -> Vec3:
        return Vec3(self.x * t, self.y * t, self.z * t)

    def __truediv__(self, t: float) -> Vec3:
        return Vec3(self.x / t, self.y / t, self.z / t)

    def __neg__(self) -> Vec3:
        return Vec3(-self.x, -self.y, -self.z)

    def dot(self, o: Vec3) -> float:
        return self.x * o.x + self.y * o.y + self.z * o.z

    def scale_in_place(self, t: float) -> None:
        self.x *= t
        self.y *= t
        self.z *= t


@dataclass
class Ray:
    origin: Vec3
    direction: Vec3

    def at(self, t: float) -> Vec3:
        return self.origin + self.direction * t


class HitRecord:
    def __init__(self) -> None:
        self.p: Vec3 = Vec3(0.0, 0.0, 0.0)
        self.normal: Vec3 = Vec3(0.0, 0.0, 0.0)
        self.t: float = 0.0
        self.front_face: bool = False

    def set_face_normal(self, r: Ray, outward_normal: Vec3) -> None:
        self.front_face = r.direction.dot(outward_normal) < 0.0
        self.normal = outward_normal if self.front_face else -outward_normal


@dataclass
class Sphere:
    center: Vec3
    radius: float

    def hit(self, r: Ray, t_min: float, t_max: float, rec: HitRecord) -> bool:
        oc = r.origin - self.center
        a = r.direction.dot(r.direction)
        half_b = oc.dot(r.direction)
        c = oc.dot(oc) - self.radius * self.radius
        discriminant = half_b * half_b - a * c
        if discriminant < 0.0:
            return False
        sqrtd = math.sqrt(discriminant)
        root = (-half_b - sqrtd) / a
        if root < t_min or t_max < root:
            root = (-half_b + sqrtd) / a
            if root < t_min or t_max < root:
                return False
        rec.t = root
        rec.p = r.at(rec.t)
        outward_normal = (rec.p - self.center) / self.radius
        rec.set_face_normal(r, outward_normal)
        return True


WORLD = (Sphere(Vec3(0.0, 0.0, -1.0), 0.5), Sphere(Vec3(0.0, -100.5, -1.0), 100.0))


def hit_world(r: Ray, t_min: float, t_max: float, rec: HitRecord) -> bool:
    temp_rec = HitRecord()
    hit_anything = False
    closest = t_max
    for obj in WORLD:
        if obj.hit(r, t_min, closest, temp_rec):
            hit_anything = True
            closest = temp_rec.t
            rec.t = temp_rec.t
            rec.p = temp_rec.p
            rec.normal = temp_rec.normal
            rec.front_face = temp_rec.front_face
    return hit_anything


def shade(x: float, y: float) -> tuple[float, float, float, bool]:
    r = Ray(Vec3(0.0, 0.0, 0.0), Vec3(x, y, -1.0))
    rec = HitRecord()
    if hit_world(r, 0.001, math.inf, rec):
        n = rec.normal
        v = Vec3(n.x + 1.0, n.y + 1.0, n.z + 1.0)
        v.scale_in_place(0.5)
        return v.x, v.y, rec.t, rec.front_face
    return 0.5, 0.7, -1.0, False
