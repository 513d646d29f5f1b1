"""The peers a benchmark measures against (Numba, NVIDIA Warp, Open3D, Ray): whether each is
installed, and one line for each that is missing, the same in every benchmark and said once
per benchmark run, however many cases would have used it::

    numba: not installed; no numba rows (pip install 'portalis[bench]')
    open3d: installed but cannot be imported (libusb-1.0.so.0: …); no open3d rows

A benchmark asks :func:`peer_installed` (or calls :func:`peer_missing` when an installed
peer fails to import) wherever it needs a peer; ``run_main`` and ``report.collect`` start each
benchmark's run with :func:`new_run`.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

#: peer → (the module it is imported as, the extra that installs it)
PEERS: dict[str, tuple[str, str]] = {
    "numba": ("numba", "portalis[bench]"),
    "warp": ("warp", "portalis[bench]"),
    "open3d": ("open3d", "portalis[bench]"),
    "ray": ("ray", "portalis[ray]"),
}

_said: set[str] = set()


def _say(line: str) -> None:
    print(line, flush=True)


def new_run() -> None:
    """A benchmark's run begins: each missing peer is named again, once."""
    _said.clear()


def peer_installed(peer: str, log: Callable[[str], None] = _say) -> bool:
    """Whether ``peer`` can be imported (found on the path; importing it is the caller's); when
    not, says so once per run."""
    if importlib.util.find_spec(PEERS[peer][0]) is not None:
        return True
    peer_missing(peer, log=log)
    return False


def peer_missing(peer: str, reason: str = "", log: Callable[[str], None] = _say) -> None:
    """Say, once per run, that ``peer`` has no rows: not installed, or ``reason``."""
    if peer in _said:
        return
    _said.add(peer)
    if reason:
        log(f"{peer}: {reason}; no {peer} rows")
    else:
        log(f"{peer}: not installed; no {peer} rows (pip install '{PEERS[peer][1]}')")
