"""``portalis cache``: where the compile cache is, what it holds; ``--clear`` empties it.

The directory holds compiled modules (``*.cwasm``, runtime/cache.py) and the compiler's math
library snapshots (``*.library``, lang/library_cache.py), both sealed with the key file kept
outside it (docs/runtime.md, "The compile cache"). Clearing removes those entries and the
temporary files of killed writers, only regular files of this user, never following a link;
the key stays, so nothing else needs redoing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from pathlib import Path
from typing import Any

from portalis.cachefiles import (
    TEMP_PREFIX,
    default_cache_dir,
    default_key_file,
    open_directory,
    own_files,
)
from portalis.errors import PortalisError

#: What the directory holds, by file suffix: the name ``portalis cache`` shows for it.
KINDS = {".cwasm": "compiled modules", ".library": "library snapshots"}
#: A killed writer's leftover (``.tmp-…``), removed with the rest.
TEMPORARY = "temporary files"
MiB = 1 << 20


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "cache",
        help="show the compile cache (directory, entries, size); --clear empties it",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--clear", action="store_true", help="remove every entry (the key stays)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    directory, key_file = default_cache_dir(), default_key_file()
    print(f"directory: {directory}")
    print(f"key:       {key_file}{'' if key_file.is_file() else ' (not created yet)'}")
    if not directory.exists():
        print("empty: nothing compiled yet")
        return 0
    dir_fd = open_directory(directory, create=False)
    if dir_fd is None:  # open_directory has said why (owner, permissions, not a directory)
        raise PortalisError(
            f"{directory} is not a cache directory Portalis trusts; it was left untouched",
            hint="set PORTALIS_CACHE_DIR to a directory of your own, mode 0700",
        )
    try:
        found = entries(dir_fd)
        if args.clear:
            removed = dict.fromkeys(KINDS.values(), 0)
            for kind, name, _ in found:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(name, dir_fd=dir_fd)
                    removed[kind] = removed.get(kind, 0) + 1
            print("removed:   " + ", ".join(f"{n} {kind}" for kind, n in removed.items()))
            return 0
    finally:
        os.close(dir_fd)
    for kind in (*KINDS.values(), TEMPORARY):
        sizes = [size for k, _, size in found if k == kind]
        if sizes or kind != TEMPORARY:
            print(f"{kind + ':':<18} {len(sizes):>5}  {sum(sizes) / MiB:8.1f} MiB")
    return 0


def entries(dir_fd: int) -> list[tuple[str, str, int]]:
    """(kind, name, size) of each cache file in the directory: entries by suffix, and
    TEMPORARY for a writer's leftovers. Other files, links and other users' files are
    not the cache's and are never listed (so never removed)."""
    found = []
    for name, st in own_files(dir_fd):
        kind = TEMPORARY if name.startswith(TEMP_PREFIX) else KINDS.get(Path(name).suffix)
        if kind is not None:
            found.append((kind, name, st.st_size))
    return sorted(found)
