"""Where a fluid step spends its time: the kernel's ``step`` run phase by phase.

``step`` (src/portalis/demos/fluid/kernel.py) is a sequence of calls to the kernel's own
public functions. :func:`run_phases` makes the same calls, in the same order with the same
arguments, and times each with the CPU clock of this process, so it works on anything that
has the kernel's functions: the compiled module (the calls cross into WebAssembly one by
one, on fields resident in its memory) and the kernel's source under Numba or CPython. A
test holds it to ``step``: the phases leave every field exactly as one ``step`` call does.

The per-call cost of crossing into the module (well under a microsecond) is noise against
the phases' milliseconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

#: The phases, in the order ``step`` runs them (the bench report's rows).
PHASES = (
    "faces",  # open-face masks and 1/(open faces): rebuilt only when the solid cells changed
    "sources",  # emitter and buoyancy
    "diffusion",  # implicit viscosity, 3 components
    "advect velocity",  # 3 face back-traces, trilinear
    "advect smoke",  # conservative: weights, per-weight smoke, gather
    "divergence",  # the pressure solve's right-hand side
    "pressure",  # the pressure sweeps
    "gradient+figures",  # u -= dt/(ρh) ∇p; divergence after, mass, fastest face (one walk)
)

#: The step's defaults for the arguments the benchmark may leave out.
DEFAULTS: dict[str, Any] = {
    "viscosity": 1.5e-5,
    "density": 1.0,
    "cell_size": 0.05,
    **dict.fromkeys(("origin_x", "origin_y", "origin_z"), 0.0),
    **dict.fromkeys(("emitter_x", "emitter_y", "emitter_z"), 0.0),
    "emitter_radius": 0.0,
    "emitter_rate": 0.0,
    "buoyancy": 4.0,
    "pressure_iterations": 20,
    "diffusion_iterations": 1,
    "relaxation": 1.5,
}


def run_phases(
    k: Any, f: Mapping[str, Any], solid: Any, arguments: Mapping[str, Any]
) -> dict[str, float]:
    """One step of kernel ``k`` on fields ``f`` (by the step's parameter names), phase by
    phase: CPU seconds per phase, in :data:`PHASES` order. The fields end as ``step`` leaves
    them (the argument checks ``step`` makes first are not repeated here)."""
    a = DEFAULTS | dict(arguments)
    dt, h, rho = a["dt"], a["cell_size"], a["density"]
    u, v, w, smoke, p = f["u"], f["v"], f["w"], f["smoke"], f["pressure"]
    u0, v0, w0, smoke0, rhs = f["u0"], f["v0"], f["w0"], f["smoke0"], f["rhs"]
    ox, oy, oz, inv = f["open_x"], f["open_y"], f["open_z"], f["inv_open"]
    viscous = a["viscosity"] * dt / (h * h)
    sweeps = a["diffusion_iterations"]

    def faces() -> None:
        if not k.faces_current(solid, inv):
            k.build_faces(solid, ox, oy, oz, inv)

    def sources() -> None:
        k.add_sources(
            v, smoke, inv, oy, dt, rho, h,
            a["origin_x"], a["origin_y"], a["origin_z"],
            a["emitter_x"], a["emitter_y"], a["emitter_z"],
            a["emitter_radius"], a["emitter_rate"], a["buoyancy"],
        )  # fmt: skip

    def diffusion() -> None:
        if sweeps == 1:
            k.diffuse_once(u0, v0, w0, u, v, w, ox, oy, oz, viscous)
            return
        k.diffuse(u0, u, ox, rhs, viscous, sweeps)
        k.diffuse(v0, v, oy, rhs, viscous, sweeps)
        k.diffuse(w0, w, oz, rhs, viscous, sweeps)

    calls: dict[str, Callable[[], Any]] = {
        "faces": faces,
        "sources": sources,
        "diffusion": diffusion,
        "advect velocity": lambda: k.advect(u0, v0, w0, u, v, w, ox, oy, oz, dt, h),
        "advect smoke": lambda: k.advect_smoke(smoke, smoke0, u0, v0, w0, inv, dt, h),
        "divergence": lambda: k.outflow(u, v, w, rhs, inv, rho * h / dt),
        "pressure": lambda: k.solve_pressure(
            p, rhs, ox, oy, oz, inv, a["pressure_iterations"], a["relaxation"]
        ),
        "gradient+figures": lambda: k.subtract_gradient(
            u, v, w, p, smoke, ox, oy, oz, inv, rhs, dt / (rho * h)
        ),
    }
    assert tuple(calls) == PHASES
    seconds: dict[str, float] = {}
    for name, call in calls.items():
        t0 = time.process_time()
        call()
        seconds[name] = time.process_time() - t0
    return seconds
