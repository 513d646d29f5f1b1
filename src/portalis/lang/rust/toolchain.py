"""Finding and running rustc for ``wasm32-unknown-unknown``.

The first ``rustc`` that has the target's standard library wins: ``$PORTALIS_RUSTC``,
then ``rustc`` on ``PATH``, then Debian's ``/usr/bin/rustc`` (a rustup ``rustc`` on ``PATH``
without the wasm32 target must not hide an apt-installed one that has it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from portalis.errors import CompileError

TARGET = "wasm32-unknown-unknown"
INSTALL_HINT = (
    "install a Rust toolchain with the wasm32 target: `apt-get install rustc "
    "libstd-rust-dev-wasm32` (Debian/Ubuntu) or `rustup target add wasm32-unknown-unknown`; "
    "or set PORTALIS_RUSTC to such a rustc"
)


@dataclass(frozen=True)
class Rustc:
    path: str
    version: str


_FOUND: list[Rustc | None] = []


def _candidates() -> list[str]:
    out = []
    env = os.environ.get("PORTALIS_RUSTC")
    if env:
        out.append(env)
    on_path = shutil.which("rustc")
    if on_path:
        out.append(on_path)
    out.append("/usr/bin/rustc")
    return list(dict.fromkeys(out))


def _probe(path: str) -> Rustc | None:
    try:
        sysroot = subprocess.run(
            [path, "--print", "sysroot"], capture_output=True, text=True, timeout=60, check=True
        ).stdout.strip()
        version = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=60, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    if not (Path(sysroot) / "lib" / "rustlib" / TARGET / "lib").is_dir():
        return None
    return Rustc(path, version)


def find_rustc() -> Rustc | None:
    """The rustc to use, or None when none can build for wasm32 (probed once)."""
    if not _FOUND:
        _FOUND.append(next((r for r in map(_probe, _candidates()) if r is not None), None))
    return _FOUND[0]


def require_rustc(filename: str) -> Rustc:
    rustc = find_rustc()
    if rustc is None:
        raise CompileError(
            f"--via rust needs rustc with the {TARGET} target, and none was found",
            file=filename,
            hint=INSTALL_HINT,
        )
    return rustc


def compile_rust(source: str, stack_size: int, filename: str) -> bytes:
    """The generated crate → a linked WebAssembly module (before link.py's finishing)."""
    rustc = require_rustc(filename)
    with tempfile.TemporaryDirectory(prefix="portalis-rust-") as tmp:
        src = Path(tmp) / "kernel.rs"
        out = Path(tmp) / "kernel.wasm"
        src.write_text(source, encoding="utf-8")
        command = [
            rustc.path,
            "--edition=2021",
            "--crate-name=kernel",
            "--crate-type=cdylib",
            f"--target={TARGET}",
            "-Copt-level=3",
            # MVP WebAssembly whatever rustc's default: newer ones turn on reference types
            # and others, which the runtime need not accept from an untrusted module.
            "-Ctarget-cpu=mvp",
            "-Cpanic=abort",
            "-Cdebuginfo=0",
            f"-Clink-arg=-zstack-size={stack_size}",
            "-o",
            str(out),
            str(src),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as e:
            raise CompileError(f"cannot run {rustc.path}: {e}", file=filename) from None
        if done.returncode != 0 or not out.exists():
            detail = "\n".join(done.stderr.strip().splitlines()[:30])
            raise CompileError(
                f"internal compiler error: rustc rejected the generated Rust:\n{detail}",
                file=filename,
                hint="please report this with the kernel source (see it with --emit rust)",
            )
        return out.read_bytes()
