"""On-disk cache of compiled modules, so a warm load skips Cranelift entirely.

A cache entry is native machine code: whatever wasmtime deserializes runs as the module. So
an entry is treated as hostile until proven otherwise. The threat model (docs/runtime.md):
someone who can plant, swap or alter files in the cache directory — a shared or
world-writable directory, a directory copied from elsewhere, a bit flip on disk — must get a
cache miss, never their code run, a wrong result or a crash. Hence, before
``wasmtime.Module.deserialize`` sees a byte:

* every entry is authenticated with HMAC-SHA256 under a per-user key (32 random bytes in a
  0600 file that lives *outside* the cache directory, so a copied or planted directory
  cannot bring its own key), and the MAC covers the module's SHA-256 and the engine
  fingerprint written in the entry: an entry moved to another module's name, or made for
  other settings, does not verify;
* the directory must be owned by the user and not writable by group or others, and so must
  each entry; entries are opened relative to the checked directory, without following
  symlinks, must be regular files and are size-capped. Anything else is ignored, with one
  warning (:class:`CacheWarning`) per cause and place;
* directories are created 0700 whatever the umask; entries are written 0600 through a
  temporary file and a rename, so concurrent runs see whole entries or none;
* the cache holds at most ``max_bytes``; past that the least recently used entries go.

A read-only or full disk, or a key that cannot be created, means no caching, not a failure.
The key, the checks, the sealing and the atomic writes are portalis/cachefiles.py's, shared
with the compiler's library cache (lang/library_cache.py).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import time
from pathlib import Path

import wasmtime

from portalis.cachefiles import (
    STALE_TEMP_SECONDS,
    TEMP_PREFIX,
    CacheWarning,
    default_cache_dir,
    default_key_file,
    load_key,
    make_private_dirs,
    open_directory,
    own_files,
    read_sealed,
    write_sealed,
)
from portalis.runtime import _capi
from portalis.runtime.engine import EngineSettings

__all__ = ["CacheWarning", "ModuleCache", "default_cache_dir", "default_key_file",
           "make_private_dirs"]  # fmt: skip

MiB = 1 << 20

# The loader writes an entry only for a module that passed every load check (see module.py),
# and skips the interface check on a hit: change this version whenever those checks change,
# so entries written under older rules are misses.
_MAGIC = b"PORTALIS-CWASM\x03\n"
_SUFFIX = ".cwasm"

#: Defaults: the whole cache, and one entry (a compiled module is typically 3-5× its wasm).
DEFAULT_MAX_BYTES = 1024 * MiB
DEFAULT_MAX_ENTRY_BYTES = 256 * MiB


class ModuleCache:
    """Compiled modules on disk under ``directory``, authenticated with the key in
    ``key_file``; at most ``max_bytes`` in all, ``max_entry_bytes`` per entry."""

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        *,
        key_file: str | os.PathLike[str] | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_entry_bytes: int = DEFAULT_MAX_ENTRY_BYTES,
    ) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.key_file = Path(key_file) if key_file is not None else default_key_file()
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        self.hits = 0
        self.misses = 0
        #: Entries present but refused (bad MAC, wrong module, owner, permissions, kind, size).
        self.rejected = 0

    def entry_name(self, sha256: str, settings: EngineSettings) -> str:
        key = hashlib.sha256(f"{sha256};{_fingerprint(settings)}".encode()).hexdigest()
        return f"{key}{_SUFFIX}"

    def entry_path(self, sha256: str, settings: EngineSettings) -> Path:
        return self.directory / self.entry_name(sha256, settings)

    # -- reading ---------------------------------------------------------------------------

    def load(
        self, engine: wasmtime.Engine, sha256: str, settings: EngineSettings
    ) -> wasmtime.Module | None:
        """The compiled module, or None (a miss) unless the entry proves itself."""
        payload = self._read_verified(sha256, settings)
        if payload is None:
            self.misses += 1
            return None
        try:
            module = _capi.deserialize(engine, payload)
        except wasmtime.WasmtimeError:  # authentic, but for another wasmtime build
            self.misses += 1
            return None
        self.hits += 1
        return module

    def _read_verified(self, sha256: str, settings: EngineSettings) -> memoryview | None:
        payload, refused = read_sealed(
            self.directory,
            self.key_file,
            self.entry_name(sha256, settings),
            _head(sha256, settings),
            self.max_entry_bytes,
        )
        if refused:
            self.rejected += 1
        return payload

    # -- writing ---------------------------------------------------------------------------

    def store(self, module: wasmtime.Module, sha256: str, settings: EngineSettings) -> None:
        """Best effort: a read-only or full disk means no caching, not a failed load."""
        key = load_key(self.key_file, create=True)
        if key is None:
            return
        payload = bytes(module.serialize())
        write_sealed(
            self.directory,
            self.entry_name(sha256, settings),
            key,
            _head(sha256, settings),
            payload,
            max_bytes=self.max_entry_bytes,
            suffix=_SUFFIX,
            tidy=self._evict,
        )

    def _evict(self, dir_fd: int) -> None:
        """Drop least recently used entries (and killed writers' leftovers) past the cap."""
        now = time.time()
        entries: list[tuple[float, int, str]] = []
        total = 0
        for name, st in own_files(dir_fd):
            if name.startswith(TEMP_PREFIX):
                if now - st.st_mtime > STALE_TEMP_SECONDS:
                    with contextlib.suppress(OSError):
                        os.unlink(name, dir_fd=dir_fd)
            elif name.endswith(_SUFFIX):
                entries.append((st.st_mtime, st.st_size, name))
                total += st.st_size
        if total <= self.max_bytes:
            return
        for _, size, name in sorted(entries):
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=dir_fd)
                total -= size
            if total <= self.max_bytes * 3 // 4:
                return

    def clear(self) -> int:
        removed = 0
        dir_fd = open_directory(self.directory, create=False)
        if dir_fd is None:
            return 0
        try:
            for name in os.listdir(dir_fd):
                if name.endswith(_SUFFIX):
                    with contextlib.suppress(OSError):
                        os.unlink(name, dir_fd=dir_fd)
                        removed += 1
        finally:
            os.close(dir_fd)
        return removed


# -- the entry format ------------------------------------------------------------------------


@functools.cache
def _fingerprint(settings: EngineSettings) -> str:
    return settings.fingerprint()


@functools.cache
def _fingerprint_digest(settings: EngineSettings) -> bytes:
    return hashlib.sha256(settings.fingerprint().encode()).digest()


def _head(sha256: str, settings: EngineSettings) -> bytes:
    """What an entry for this module and these settings starts with (the MAC covers it)."""
    return _MAGIC + bytes.fromhex(sha256) + _fingerprint_digest(settings)
