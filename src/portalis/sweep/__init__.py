"""``portalis sweep``: many variants of one scene, on local processes or on a Ray cluster.

A variant is the scene plus a tiny override layer setting the varied attributes; each is baked
as ``portalis run`` bakes a scene, and the sweep's folder gets one result per variant and a
summary table. The pieces, in the order a sweep uses them:

* :mod:`~portalis.sweep.design`: ``--vary`` specs, grids and random designs;
* :mod:`~portalis.sweep.variant`: the override layer, and running one variant;
* :mod:`~portalis.sweep.bundle`: the scene's files by content hash, as they travel to workers;
* :mod:`~portalis.sweep.metric`: reduce functions in a Portalis kernel, compiled once;
* :mod:`~portalis.sweep.folder`: the output folder, done markers and resuming;
* :mod:`~portalis.sweep.local_engine`, :mod:`~portalis.sweep.ray_engine`: who runs the variants;
* :mod:`~portalis.sweep.summary`: ``summary.csv`` / ``.parquet`` and the metric pictures;
* :mod:`~portalis.sweep.driver`: all of it, as :func:`run_sweep`.

No scheduler, queue or transport of our own: a process pool locally, Ray's tasks, object
store and retries on a cluster (SPEC §6).
"""

from portalis.sweep.design import Axis, SweepError, Variant, make_design, parse_vary
from portalis.sweep.driver import SweepResult, make_engine, run_sweep

__all__ = [
    "Axis",
    "SweepError",
    "SweepResult",
    "Variant",
    "make_design",
    "make_engine",
    "parse_vary",
    "run_sweep",
]
