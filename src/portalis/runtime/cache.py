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
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import hmac
import os
import stat
import time
import warnings
from pathlib import Path

import wasmtime

from portalis.runtime import _capi
from portalis.runtime.engine import EngineSettings

MiB = 1 << 20

# The loader writes an entry only for a module that passed every load check (see module.py),
# and skips the interface check on a hit: change this version whenever those checks change,
# so entries written under older rules are misses.
_MAGIC = b"PORTALIS-CWASM\x03\n"
_HASH = 32  # SHA-256 digest and HMAC-SHA256 tag sizes
_HEADER = len(_MAGIC) + 2 * _HASH  # magic, module SHA-256, engine-fingerprint SHA-256
_KEY_BYTES = 32
_SUFFIX = ".cwasm"
_TEMP_PREFIX = ".tmp-"
#: A hit refreshes an entry's time (for eviction) at most this often: one syscall fewer on
#: most warm loads.
_TOUCH_SECONDS = 3600.0
#: A temporary file older than this was left by a killed writer.
_STALE_TEMP_SECONDS = 600.0

#: Defaults: the whole cache, and one entry (a compiled module is typically 3-5× its wasm).
DEFAULT_MAX_BYTES = 1024 * MiB
DEFAULT_MAX_ENTRY_BYTES = 256 * MiB


class CacheWarning(UserWarning):
    """Part of the compile cache was ignored as untrustworthy (said once per cause)."""


def default_cache_dir() -> Path:
    """``$PORTALIS_CACHE_DIR``, else ``$XDG_CACHE_HOME/portalis``, else ``~/.cache/portalis``."""
    explicit = os.environ.get("PORTALIS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "portalis"


def default_key_file() -> Path:
    """``$PORTALIS_CACHE_KEY``, else ``$XDG_STATE_HOME/portalis/cache.key``, else
    ``~/.local/state/portalis/cache.key`` — never inside the cache directory."""
    explicit = os.environ.get("PORTALIS_CACHE_KEY")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "state"
    )
    return Path(base) / "portalis" / "cache.key"


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
        key = _load_key(self.key_file, create=False)
        if key is None:
            return None
        dir_fd = self._open_directory(create=False)
        if dir_fd is None:
            return None
        try:
            blob = self._read_entry(dir_fd, self.entry_name(sha256, settings))
        finally:
            os.close(dir_fd)
        if blob is None:
            return None
        payload = _unwrap(blob, key, sha256, settings)
        if payload is None:
            self.rejected += 1
        return payload

    def _read_entry(self, dir_fd: int, name: str) -> bytearray | None:
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            fd = os.open(name, flags, dir_fd=dir_fd)
        except OSError as e:
            if e.errno == errno.ELOOP:  # a symlink where an entry should be
                self.rejected += 1
                _warn_once("is a symbolic link; cache entries must be regular files", name, self)
            return None
        try:
            st = os.fstat(fd)
            problem = _untrusted(st)
            if problem is None and st.st_size > self.max_entry_bytes:
                problem = f"is larger than the {self.max_entry_bytes >> 20} MiB entry cap"
            if problem is not None:
                self.rejected += 1
                _warn_once(problem, name, self)
                return None
            blob = bytearray(st.st_size)
            if os.readv(fd, [blob]) != st.st_size:
                return None  # shrank while being read
            if time.time() - st.st_mtime > _TOUCH_SECONDS:
                with contextlib.suppress(OSError):
                    os.utime(fd)  # recently used: eviction keeps it
            return blob
        except OSError:
            return None
        finally:
            os.close(fd)

    # -- writing ---------------------------------------------------------------------------

    def store(self, module: wasmtime.Module, sha256: str, settings: EngineSettings) -> None:
        """Best effort: a read-only or full disk means no caching, not a failed load."""
        key = _load_key(self.key_file, create=True)
        if key is None:
            return
        payload = bytes(module.serialize())
        head = _MAGIC + bytes.fromhex(sha256) + _fingerprint_digest(settings)
        tag = hmac.new(key, head, "sha256")
        tag.update(payload)
        blob = head + payload + tag.digest()
        if len(blob) > self.max_entry_bytes:
            return
        dir_fd = self._open_directory(create=True)
        if dir_fd is None:
            return
        try:
            _write_atomically(dir_fd, self.entry_name(sha256, settings), blob)
            self._evict(dir_fd)
        except OSError:
            pass
        finally:
            os.close(dir_fd)

    def _evict(self, dir_fd: int) -> None:
        """Drop least recently used entries (and killed writers' leftovers) past the cap."""
        now = time.time()
        entries: list[tuple[float, int, str]] = []
        total = 0
        with os.scandir(dir_fd) as it:
            for item in it:
                try:
                    st = item.stat(follow_symlinks=False)
                except OSError:
                    continue
                if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid():
                    continue
                if item.name.startswith(_TEMP_PREFIX):
                    if now - st.st_mtime > _STALE_TEMP_SECONDS:
                        with contextlib.suppress(OSError):
                            os.unlink(item.name, dir_fd=dir_fd)
                    continue
                if item.name.endswith(_SUFFIX):
                    entries.append((st.st_mtime, st.st_size, item.name))
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
        dir_fd = self._open_directory(create=False)
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

    # -- the directory ---------------------------------------------------------------------

    def _open_directory(self, *, create: bool) -> int | None:
        """A descriptor of the cache directory once it is checked trustworthy, else None."""
        if create:
            try:
                make_private_dirs(self.directory)
            except OSError:
                return None
        try:
            fd = os.open(self.directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            return None
        problem = _untrusted(os.fstat(fd), directory=True)
        if problem is not None:
            os.close(fd)
            _warn_once(problem, "", self)
            return None
        return fd


def make_private_dirs(path: Path) -> None:
    """Create ``path`` and any missing parents as 0700, whatever the umask."""
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(d, 0o700)
            os.chmod(d, 0o700)  # mkdir's mode is masked by the umask; chmod's is not


def _untrusted(st: os.stat_result, *, directory: bool = False) -> str | None:
    """Why a cache file (or directory) cannot be trusted, or None."""
    if directory and not stat.S_ISDIR(st.st_mode):
        return "is not a directory"
    if not directory and not stat.S_ISREG(st.st_mode):
        return "is not a regular file"
    if st.st_uid != os.geteuid():
        return f"is owned by uid {st.st_uid}, not by this user ({os.geteuid()})"
    if st.st_mode & 0o022:
        return f"is writable by group or others (mode {stat.S_IMODE(st.st_mode):o})"
    return None


_warned: set[tuple[str, str]] = set()


def _warn_once(problem: str, name: str, cache: ModuleCache) -> None:
    where = str(cache.directory / name) if name else str(cache.directory)
    if (where, problem) in _warned:
        return
    _warned.add((where, problem))
    warnings.warn(
        f"compile cache: {where} {problem}; ignored (compiling instead)",
        CacheWarning,
        stacklevel=4,
    )


# -- the key ---------------------------------------------------------------------------------

_keys: dict[Path, bytes] = {}


def _load_key(path: Path, *, create: bool) -> bytes | None:
    """The per-user MAC key: 32 bytes in a 0600 file owned by the user; created on the
    first store. None (no caching) if it is missing, untrustworthy or cannot be made."""
    key = _keys.get(path)
    if key is not None:
        return key
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        if not create:
            return None
        return _create_key(path)
    except OSError as e:
        if e.errno == errno.ELOOP:
            _warn_key(path, "is a symbolic link")
        return None
    try:
        st = os.fstat(fd)
        problem = _untrusted(st)
        if problem is None and st.st_mode & 0o077:
            problem = f"is readable by group or others (mode {stat.S_IMODE(st.st_mode):o})"
        if problem is None and st.st_size != _KEY_BYTES:
            problem = f"is {st.st_size} bytes, not {_KEY_BYTES}"
        if problem is not None:
            _warn_key(path, problem)
            return None
        key = _read_exactly(fd, _KEY_BYTES)
    except OSError:
        return None
    finally:
        os.close(fd)
    _keys[path] = key
    return key


def _create_key(path: Path) -> bytes | None:
    try:
        make_private_dirs(path.parent)
        tmp = path.with_name(f"{_TEMP_PREFIX}{os.getpid()}-{path.name}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, os.urandom(_KEY_BYTES))
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # never replaces a key another process made meanwhile
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    except OSError:
        return None
    return _load_key(path, create=False)


def _warn_key(path: Path, problem: str) -> None:
    key = (str(path), problem)
    if key not in _warned:
        _warned.add(key)
        warnings.warn(
            f"compile cache: key file {path} {problem}; caching is off "
            "(remove the file to have a new key made)",
            CacheWarning,
            stacklevel=4,
        )


# -- the entry format ------------------------------------------------------------------------


@functools.cache
def _fingerprint(settings: EngineSettings) -> str:
    return settings.fingerprint()


@functools.cache
def _fingerprint_digest(settings: EngineSettings) -> bytes:
    return hashlib.sha256(settings.fingerprint().encode()).digest()


def _unwrap(
    blob: bytearray, key: bytes, sha256: str, settings: EngineSettings
) -> memoryview | None:
    """The payload of an authentic entry for exactly this module and these settings (a view
    of ``blob``: a compiled module is hundreds of kilobytes, and a warm load copies none)."""
    if len(blob) <= _HEADER + _HASH or not blob.startswith(_MAGIC):
        return None
    view = memoryview(blob)
    tag = hmac.digest(key, view[:-_HASH], "sha256")
    if not hmac.compare_digest(tag, view[-_HASH:]):
        return None
    module_digest = view[len(_MAGIC) : len(_MAGIC) + _HASH]
    settings_digest = view[len(_MAGIC) + _HASH : _HEADER]
    if module_digest != bytes.fromhex(sha256) or settings_digest != _fingerprint_digest(settings):
        return None
    return view[_HEADER:-_HASH]


def _read_exactly(fd: int, size: int) -> bytes:
    chunks = []
    left = size
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 24))
        if not chunk:
            raise OSError(errno.EIO, "file shrank while being read")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _write_atomically(dir_fd: int, name: str, blob: bytes) -> None:
    tmp = f"{_TEMP_PREFIX}{os.getpid()}-{os.urandom(6).hex()}{_SUFFIX}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(tmp, flags, 0o600, dir_fd=dir_fd)
    try:
        try:
            view = memoryview(blob)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)
        raise
