"""On-disk cache of compiled modules, so a warm load skips Cranelift entirely.

An entry's file name is derived from the module's content hash, the wasmtime version and the
engine settings, so a different wasmtime or configuration never picks up foreign machine
code. Entries carry a checksum of their payload: a truncated, corrupt or foreign file is a
miss (and is rewritten), never a crash. Writes are atomic (temporary file + rename), so
concurrent runs sharing a cache see whole entries or none.

Like wasmtime's own cache, the directory must be trusted: its entries are native code.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zlib
from pathlib import Path

import wasmtime

from portalis.runtime.engine import EngineSettings

_MAGIC = b"PORTALIS-CWASM\x02\n"
# CRC-32 guards against corruption (truncation, bit rot), not against an adversary: the
# directory is trusted, as wasmtime's own cache is. It is several times cheaper than SHA-256
# on the hundreds of kilobytes of a compiled module, and a warm load has a budget of 1 ms.
_DIGEST = 4


def default_cache_dir() -> Path:
    """``$PORTALIS_CACHE_DIR``, else ``$XDG_CACHE_HOME/portalis``, else ``~/.cache/portalis``."""
    explicit = os.environ.get("PORTALIS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "portalis"


class ModuleCache:
    """Compiled modules on disk under ``directory``."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.hits = 0
        self.misses = 0

    def entry_path(self, sha256: str, settings: EngineSettings) -> Path:
        key = hashlib.sha256(f"{sha256};{settings.fingerprint()}".encode()).hexdigest()
        return self.directory / f"{key}.cwasm"

    def load(
        self, engine: wasmtime.Engine, sha256: str, settings: EngineSettings
    ) -> wasmtime.Module | None:
        path = self.entry_path(sha256, settings)
        try:
            blob = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        payload = _unwrap(blob)
        if payload is None:
            self.misses += 1
            return None
        try:
            module = wasmtime.Module.deserialize(engine, payload)
        except wasmtime.WasmtimeError:
            self.misses += 1
            return None
        self.hits += 1
        return module

    def store(self, module: wasmtime.Module, sha256: str, settings: EngineSettings) -> None:
        """Best effort: a read-only or full disk means no caching, not a failed load."""
        path = self.entry_path(sha256, settings)
        payload = bytes(module.serialize())
        blob = _MAGIC + zlib.crc32(payload).to_bytes(4, "little") + payload
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".cwasm", dir=self.directory)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(blob)
                os.replace(tmp, path)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:
            pass

    def clear(self) -> int:
        removed = 0
        if self.directory.is_dir():
            for entry in self.directory.glob("*.cwasm"):
                entry.unlink(missing_ok=True)
                removed += 1
        return removed


def _unwrap(blob: bytes) -> bytes | None:
    head = len(_MAGIC) + _DIGEST
    if len(blob) <= head or not blob.startswith(_MAGIC):
        return None
    digest, payload = blob[len(_MAGIC) : head], blob[head:]
    if zlib.crc32(payload).to_bytes(4, "little") != digest:
        return None
    return payload
