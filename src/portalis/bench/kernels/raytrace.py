"""A class-based ray tracer: Vec3/Ray/Sphere dataclasses with operator methods, a render loop
writing an image array; tests/lang/test_records.py checks it against CPython bit for bit."""

from __future__ import annotations

import numpy as np

NATURAL = '''
from __future__ import annotations

import math
from dataclasses import dataclass

from portalis.lang import Array, f64


@dataclass
class Vec3:
    x: float
    y: float
    z: float

    def __add__(self, other: Vec3) -> Vec3:
        return Vec3(self.x + other.x, self.y + other.y, self.z + other.z)

    def __sub__(self, other: Vec3) -> Vec3:
        return Vec3(self.x - other.x, self.y - other.y, self.z - other.z)

    def __mul__(self, s: float) -> Vec3:
        return Vec3(self.x * s, self.y * s, self.z * s)

    def __rmul__(self, s: float) -> Vec3:
        return Vec3(s * self.x, s * self.y, s * self.z)

    def __truediv__(self, s: float) -> Vec3:
        return Vec3(self.x / s, self.y / s, self.z / s)

    def __neg__(self) -> Vec3:
        return Vec3(-self.x, -self.y, -self.z)

    def dot(self, other: Vec3) -> float:
        return self.x * other.x + self.y * other.y + self.z * other.z

    def cross(self, other: Vec3) -> Vec3:
        return Vec3(
            self.y * other.z - self.z * other.y,
            self.z * other.x - self.x * other.z,
            self.x * other.y - self.y * other.x,
        )

    def length(self) -> float:
        return math.sqrt(self.dot(self))

    def normalize(self) -> Vec3:
        return self / self.length()

    def hadamard(self, other: Vec3) -> Vec3:
        return Vec3(self.x * other.x, self.y * other.y, self.z * other.z)


@dataclass
class Ray:
    origin: Vec3
    direction: Vec3

    def at(self, t: float) -> Vec3:
        return self.origin + self.direction * t


@dataclass
class Material:
    color: Vec3
    reflect: float


@dataclass
class Sphere:
    center: Vec3
    radius: float
    material: Material


@dataclass
class Hit:
    t: float
    point: Vec3
    normal: Vec3
    material: Material


SPHERES = (
    Sphere(Vec3(0.0, -1000.0, 0.0), 999.0, Material(Vec3(0.8, 0.8, 0.7), 0.1)),
    Sphere(Vec3(0.0, 0.0, -3.0), 1.0, Material(Vec3(0.9, 0.2, 0.2), 0.3)),
    Sphere(Vec3(-2.1, 0.0, -3.5), 1.0, Material(Vec3(0.2, 0.9, 0.3), 0.0)),
    Sphere(Vec3(2.1, 0.0, -3.5), 1.0, Material(Vec3(0.2, 0.3, 0.9), 0.6)),
    Sphere(Vec3(0.4, -0.6, -1.8), 0.4, Material(Vec3(0.9, 0.9, 0.2), 0.2)),
)
LIGHT = Vec3(-5.0, 8.0, 2.0)
SKY_TOP = Vec3(0.5, 0.7, 1.0)
SKY_BOTTOM = Vec3(1.0, 1.0, 1.0)
EPS = 1e-6
MAX_DEPTH = 4


def hit_sphere(sphere: Sphere, ray: Ray, t_min: float, t_max: float) -> float:
    """The nearest t in (t_min, t_max) where the ray meets the sphere, or -1.0."""
    oc = ray.origin - sphere.center
    a = ray.direction.dot(ray.direction)
    half_b = oc.dot(ray.direction)
    c = oc.dot(oc) - sphere.radius * sphere.radius
    disc = half_b * half_b - a * c
    if disc < 0.0:
        return -1.0
    root = math.sqrt(disc)
    t = (-half_b - root) / a
    if t <= t_min or t >= t_max:
        t = (-half_b + root) / a
        if t <= t_min or t >= t_max:
            return -1.0
    return t


def hit_world(ray: Ray, t_min: float, t_max: float) -> tuple[bool, Hit]:
    closest = t_max
    found = False
    best = SPHERES[0]
    for sphere in SPHERES:
        t = hit_sphere(sphere, ray, t_min, closest)
        if t > 0.0:
            closest = t
            found = True
            best = sphere
    point = ray.at(closest)
    normal = (point - best.center) / best.radius
    return found, Hit(closest, point, normal, best.material)


def sky(ray: Ray) -> Vec3:
    unit = ray.direction.normalize()
    t = 0.5 * (unit.y + 1.0)
    return (1.0 - t) * SKY_BOTTOM + t * SKY_TOP


def reflect(v: Vec3, n: Vec3) -> Vec3:
    return v - 2.0 * v.dot(n) * n


def ray_color(ray: Ray, depth: int) -> Vec3:
    found, hit = hit_world(ray, EPS, math.inf)
    if not found:
        return sky(ray)
    to_light = (LIGHT - hit.point).normalize()
    shadow_found, _ = hit_world(Ray(hit.point, to_light), EPS, (LIGHT - hit.point).length())
    diffuse = max(hit.normal.dot(to_light), 0.0)
    if shadow_found:
        diffuse *= 0.2
    base = (0.1 + 0.9 * diffuse) * hit.material.color
    if depth <= 0 or hit.material.reflect <= 0.0:
        return base
    bounced = Ray(hit.point, reflect(ray.direction, hit.normal).normalize())
    mirrored = ray_color(bounced, depth - 1)
    k = hit.material.reflect
    return (1.0 - k) * base + k * mirrored


def render(image: Array[f64, 3], samples: int) -> float:
    """Fill image (height, width, 3) with the scene seen from the origin; returns the mean
    brightness. Each pixel averages samples x samples sub-pixel rays."""
    height = image.shape[0]
    width = image.shape[1]
    aspect = width / height
    origin = Vec3(0.0, 0.0, 0.0)
    horizontal = Vec3(2.0 * aspect, 0.0, 0.0)
    vertical = Vec3(0.0, 2.0, 0.0)
    lower_left = origin - horizontal / 2.0 - vertical / 2.0 - Vec3(0.0, 0.0, 1.0)
    total = 0.0
    for j in range(height):
        for i in range(width):
            color = Vec3(0.0, 0.0, 0.0)
            for sj in range(samples):
                for si in range(samples):
                    u = (i + (si + 0.5) / samples) / width
                    v = 1.0 - (j + (sj + 0.5) / samples) / height
                    direction = lower_left + u * horizontal + v * vertical - origin
                    color += ray_color(Ray(origin, direction), MAX_DEPTH)
            color = color / (samples * samples)
            image[j, i, 0] = math.sqrt(color.x)
            image[j, i, 1] = math.sqrt(color.y)
            image[j, i, 2] = math.sqrt(color.z)
            total += color.x + color.y + color.z
    return total / (3 * width * height)

'''

ADAPTED = None
WHY = ""
ENTRY = "render"
#: (image height, width, samples per side of a pixel)
SIZES = {"test": (12, 16, 1), "quick": (24, 32, 1), "full": (48, 64, 2)}


def inputs(size: tuple[int, int, int]) -> tuple[object, ...]:
    height, width, samples = size
    return np.zeros((height, width, 3)), samples
