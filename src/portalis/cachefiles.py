"""Authenticated cache files: what the runtime's compile cache (runtime/cache.py) and the
compiler's library cache (lang/library_cache.py) share. Here, not in ``portalis.runtime``,
because the compiler must not import wasmtime for it (docs/architecture.md's table).

Every cache entry is treated as hostile until proven otherwise (the threat model is
runtime/cache.py's and docs/runtime.md's: someone who can plant, swap or alter files in the
cache directory must get a miss, never their bytes used). Hence:

* every entry is sealed with a MAC under a per-user key (32 random bytes in a 0600 file
  that lives *outside* the cache directory, so a copied or planted directory cannot bring
  its own key); the MAC covers a header saying what the entry is for, so an entry renamed
  to another's name does not verify (:func:`seal`, :func:`unseal`). The runtime's entries
  use HMAC-SHA256 (:func:`hmac_sha256`: OpenSSL's, which the runtime loads anyway, ~2× as
  fast per byte on the compiled code it checks on every warm load); the compiler's
  snapshot keyed BLAKE2b-256 (:func:`keyed_blake2b`: CPython's own ``_blake2``, ~0.3 ms
  to load, where loading OpenSSL's ``_hashlib`` cost a first build 4-11 ms of CPU);
* the directory must be owned by the user and not writable by group or others, and so must
  each entry; entries are opened relative to the checked directory, without following
  symlinks, must be regular files and are size-capped (:func:`open_directory`,
  :func:`read_entry`). Anything else is ignored, with one warning (:class:`CacheWarning`)
  per cause and place;
* directories are created 0700 whatever the umask; entries are written 0600 through a
  temporary file and a rename, so concurrent runs see whole entries or none
  (:func:`write_atomically`).

:func:`read_sealed` and :func:`write_sealed` do all of that for one entry: both caches read
and write through them.

A read-only or full disk, or a key that cannot be created, means no caching, not a failure.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
import warnings

# BLAKE2b, CPython's own (``_blake2``, without ``hashlib`` around it): keyed, it is a MAC
# (BLAKE2 is designed to be used so, no HMAC construction needed), and unkeyed a digest.
# OpenSSL's ``_hashlib`` is imported only when an HMAC-SHA256 is made (hmac_sha256).
from _blake2 import blake2b
from _operator import _compare_digest as compare_digest  # hmac's, without importing hmac
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HASH = 32  # digest and MAC tag sizes (BLAKE2b-256, SHA-256)
KEY_BYTES = 32
TEMP_PREFIX = ".tmp-"
#: A hit refreshes an entry's time (for eviction) at most this often: one syscall fewer on
#: most warm loads.
TOUCH_SECONDS = 3600.0
#: A temporary file older than this was left by a killed writer.
STALE_TEMP_SECONDS = 600.0


class CacheWarning(UserWarning):
    """Part of a cache was ignored as untrustworthy (said once per cause)."""


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


# -- sealing ---------------------------------------------------------------------------------


#: Makes a MAC object under a key (``update`` it, then ``digest``: HASH bytes).
Mac = Callable[[bytes], Any]


def hmac_sha256(key: bytes) -> Any:
    """An HMAC-SHA256 under ``key``: OpenSSL's, as ``hmac`` makes it (loaded on first use)."""
    try:
        from _hashlib import hmac_new
    except ImportError:  # a Python built without OpenSSL: hmac's own
        from hmac import new

        return new(key, digestmod="sha256")
    return hmac_new(key, b"", "sha256")


def keyed_blake2b(key: bytes) -> Any:
    """A keyed BLAKE2b-256 under ``key`` (up to 64 bytes)."""
    return blake2b(digest_size=HASH, key=key)


def seal(key: bytes, head: bytes, payload: bytes, mac: Mac = hmac_sha256) -> bytes:
    """``head`` + ``payload`` + their ``mac`` under ``key``."""
    tag = mac(key)
    tag.update(head)
    tag.update(payload)
    return head + payload + bytes(tag.digest())


def unseal(
    blob: bytearray | bytes, key: bytes, head: bytes, mac: Mac = hmac_sha256
) -> memoryview | None:
    """The payload of ``blob`` if its ``mac`` verifies under ``key`` and it starts with
    exactly ``head`` (what the entry must be for), else None. A view of ``blob``: no copy."""
    if len(blob) <= len(head) + HASH:
        return None
    view = memoryview(blob)
    tag = mac(key)
    tag.update(view[:-HASH])
    if not compare_digest(bytes(tag.digest()), bytes(view[-HASH:])):
        return None
    if view[: len(head)] != head:
        return None
    return view[len(head) : -HASH]


def digest(data: bytes) -> bytes:
    """The BLAKE2b-256 digest of ``data``."""
    value: bytes = blake2b(data, digest_size=HASH).digest()
    return value


def hasher(data: bytes = b"") -> Any:
    """A BLAKE2b-256 hash object fed ``data`` (``update`` it, then ``digest``)."""
    return blake2b(data, digest_size=HASH)


# -- the directory and its entries -------------------------------------------------------------


def open_directory(directory: Path, *, create: bool) -> int | None:
    """A descriptor of ``directory`` once it is checked trustworthy, else None (with a
    warning when it exists but is not)."""
    if create:
        try:
            make_private_dirs(directory)
        except OSError:
            return None
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return None
    problem = untrusted(os.fstat(fd), directory=True)
    if problem is not None:
        os.close(fd)
        warn_once(problem, str(directory))
        return None
    return fd


def read_entry(
    dir_fd: int, name: str, max_bytes: int, directory: Path
) -> tuple[bytearray | None, bool]:
    """The bytes of entry ``name`` (still to be unsealed), and whether it was refused as
    untrustworthy (a symlink, not a regular file, another owner, writable by others, over
    ``max_bytes``: warned once per cause). A missing entry is (None, False)."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(name, flags, dir_fd=dir_fd)
    except OSError as e:
        if e.errno == errno.ELOOP:  # a symlink where an entry should be
            warn_once(
                "is a symbolic link; cache entries must be regular files", str(directory / name)
            )
            return None, True
        return None, False
    try:
        st = os.fstat(fd)
        problem = untrusted(st)
        if problem is None and st.st_size > max_bytes:
            problem = f"is larger than the {max_bytes >> 20} MiB entry cap"
        if problem is not None:
            warn_once(problem, str(directory / name))
            return None, True
        blob = bytearray(st.st_size)
        if os.readv(fd, [blob]) != st.st_size:
            return None, False  # shrank while being read
        if time.time() - st.st_mtime > TOUCH_SECONDS:
            with contextlib.suppress(OSError):
                os.utime(fd)  # recently used: eviction keeps it
        return blob, False
    except OSError:
        return None, False
    finally:
        os.close(fd)


def read_sealed(
    directory: Path,
    key_file: Path,
    name: str,
    head: bytes,
    max_bytes: int,
    mac: Mac = hmac_sha256,
) -> tuple[memoryview | None, bool]:
    """The payload of entry ``name`` once the key, the directory, the entry and its
    ``mac`` over ``head`` all prove themselves (a view of the entry's bytes: no copy), and
    whether an entry was there but refused (untrustworthy file or bad MAC). No key, no
    trustworthy directory or no entry: (None, False)."""
    key = load_key(key_file, create=False)
    if key is None:
        return None, False
    dir_fd = open_directory(directory, create=False)
    if dir_fd is None:
        return None, False
    try:
        blob, refused = read_entry(dir_fd, name, max_bytes, directory)
    finally:
        os.close(dir_fd)
    if blob is None:
        return None, refused
    payload = unseal(blob, key, head, mac)
    return payload, payload is None


def write_sealed(
    directory: Path,
    name: str,
    key: bytes,
    head: bytes,
    payload: bytes,
    *,
    max_bytes: int,
    suffix: str,
    tidy: Callable[[int], None],
    mac: Mac = hmac_sha256,
) -> bool:
    """Seal ``payload`` with ``mac`` under ``key`` and ``head`` and write it as entry
    ``name`` (unless over ``max_bytes``), then ``tidy`` the directory (given its
    descriptor); whether it was written. Best effort: an unusable directory or a failed
    write is False."""
    blob = seal(key, head, payload, mac)
    if len(blob) > max_bytes:
        return False
    dir_fd = open_directory(directory, create=True)
    if dir_fd is None:
        return False
    try:
        write_atomically(dir_fd, name, blob, suffix)
        tidy(dir_fd)
    except OSError:
        return False
    finally:
        os.close(dir_fd)
    return True


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


def own_files(dir_fd: int) -> Iterator[tuple[str, os.stat_result]]:
    """Name and stat of each regular file of this user in the directory, links not followed:
    the only files cache upkeep (eviction, pruning, ``portalis cache --clear``) may touch."""
    with os.scandir(dir_fd) as it:
        for item in it:
            try:
                st = item.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid():
                yield item.name, st


def untrusted(st: os.stat_result, *, directory: bool = False) -> str | None:
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


def warn_once(problem: str, where: str) -> None:
    if (where, problem) in _warned:
        return
    _warned.add((where, problem))
    warnings.warn(
        f"compile cache: {where} {problem}; ignored (compiling instead)",
        CacheWarning,
        stacklevel=5,
    )


def write_atomically(dir_fd: int, name: str, blob: bytes, suffix: str = "") -> None:
    tmp = f"{TEMP_PREFIX}{os.getpid()}-{os.urandom(6).hex()}{suffix}"
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


# -- the key ---------------------------------------------------------------------------------

_keys: dict[Path, bytes] = {}


def load_key(path: Path, *, create: bool) -> bytes | None:
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
        problem = untrusted(st)
        if problem is None and st.st_mode & 0o077:
            problem = f"is readable by group or others (mode {stat.S_IMODE(st.st_mode):o})"
        if problem is None and st.st_size != KEY_BYTES:
            problem = f"is {st.st_size} bytes, not {KEY_BYTES}"
        if problem is not None:
            _warn_key(path, problem)
            return None
        key = read_exactly(fd, KEY_BYTES)
    except OSError:
        return None
    finally:
        os.close(fd)
    _keys[path] = key
    return key


def _create_key(path: Path) -> bytes | None:
    try:
        make_private_dirs(path.parent)
        tmp = path.with_name(f"{TEMP_PREFIX}{os.getpid()}-{path.name}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, os.urandom(KEY_BYTES))
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
    return load_key(path, create=False)


def _warn_key(path: Path, problem: str) -> None:
    key = (str(path), problem)
    if key not in _warned:
        _warned.add(key)
        warnings.warn(
            f"compile cache: key file {path} {problem}; caching is off "
            "(remove the file to have a new key made)",
            CacheWarning,
            stacklevel=5,
        )


def read_exactly(fd: int, size: int) -> bytes:
    chunks = []
    left = size
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 24))
        if not chunk:
            raise OSError(errno.EIO, "file shrank while being read")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
