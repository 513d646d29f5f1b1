"""The scenarios ``portalis demo NAME`` runs: each a folder holding a kernel (typed Python that
``portalis build`` compiles), a scene builder and a README. They ship inside the package so an
installed wheel can run them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from portalis.errors import PortalisError

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Demo:
    """One scenario: its command-line name, its folder, a line saying what it shows, and the
    kernel-language files ``portalis demo`` copies next to the scene for the user to read,
    edit and rebuild (``kernel.py``, and e.g. the projectile's sweep metric)."""

    name: str
    folder: str
    summary: str
    sources: tuple[str, ...] = ("kernel.py",)

    @property
    def path(self) -> Path:
        return HERE / self.folder

    @property
    def kernel_path(self) -> Path:
        return self.path / "kernel.py"


DEMOS: dict[str, Demo] = {
    demo.name: demo
    for demo in (
        Demo(
            "projectile",
            "projectile",
            "a ball launched at 20 m/s, 45°, bouncing through a collision handler",
            sources=("kernel.py", "metrics.py"),
        ),
        Demo(
            "robot-arm",
            "robot_arm",
            "a UR5 arm following a target path by damped-least-squares IK",
        ),
        Demo(
            "fluid",
            "fluid",
            "smoke rising round an obstacle: stable fluids (Navier-Stokes) on a MAC grid",
        ),
        Demo(
            "warehouse",
            "warehouse",
            "20 robots on a 100×100 warehouse floor: orders, space-time A*, no collisions",
        ),
        Demo(
            "lidar",
            "lidar",
            "a 64-beam LiDAR on a car in a street, its scans cropped, voxelised, de-grounded "
            "and de-noised",
        ),
    )
}


def get_demo(name: str) -> Demo:
    """The demo called ``name``, or a PortalisError listing the ones there are."""
    try:
        return DEMOS[name]
    except KeyError:
        raise PortalisError(
            f"no demo called {name!r}",
            hint="available: " + ", ".join(DEMOS) + " (portalis demo --list)",
        ) from None


__all__ = ["DEMOS", "Demo", "get_demo"]
