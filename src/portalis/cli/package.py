"""``portalis package -o DIR``: the Kit extension ``portalis.wasm.runtime``, ready for Kit.

Writes ``DIR/portalis.wasm.runtime/`` (drop it into a folder on Kit's extension search path)
and ``DIR/portalis.wasm.runtime-VERSION.zip`` (the same folder, for Omniverse Exchange).

Kit ships its own Python and USD but not Portalis's other dependencies, so they are vendored
into the extension's ``vendor/`` folder, which the manifest puts on ``sys.path``:

* ``portalis`` itself, copied from this installation as pure Python (the optional C
  accelerator is left out: it is built for this interpreter, and the runtime falls back to its
  ctypes fast path without it);
* ``wasmtime``, as a wheel for Kit's Python, through
  ``pip install --target vendor --only-binary=:all: --python-version X.Y --platform P``
  (``--kit-python``: 3.10 for Kit 106, 3.11 for Kit 107–109, 3.12 for Kit 110; ``--platform``,
  repeatable: the wheel platform tags of the machine Kit runs on). This needs a package index.
* ``numpy`` is Kit's own (``omni.kit.pip_archive``, a dependency in the manifest): a second
  NumPy on ``sys.path`` would shadow or clash with the one Kit's other extensions were built
  against. ``--vendor-numpy`` vendors it anyway, for a Kit without it.

``--no-vendor`` leaves ``vendor/`` empty: then those packages must reach Kit's Python another
way (``kit/python.sh -m pip install portalis``). The extension is the source checkout's
``exts/portalis.wasm.runtime`` when ``portalis`` runs from one, else the copy its wheel carries.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import portalis
from portalis.errors import PortalisError

EXT_NAME = "portalis.wasm.runtime"
#: Kit's Python per Kit version (docs/kit.md).
KIT_PYTHONS = ("3.10", "3.11", "3.12")
DEFAULT_KIT_PYTHON = "3.11"
#: Copied into the extension, never: caches, compiled files, tests' leftovers.
_SKIPPED = ("__pycache__", "*.pyc", "*.so", "*.pyd", ".pytest_cache")
_IGNORE = shutil.ignore_patterns(*_SKIPPED)
#: The vendored ``portalis`` leaves out, besides: the extension copy a wheel install carries.
_IGNORE_VENDORED = shutil.ignore_patterns(*_SKIPPED, "_kit_extension")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "package",
        help="write the Kit extension (dependencies vendored) and a zip for Omniverse Exchange",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("-o", "--output", type=Path, required=True, help="folder to write into")
    p.add_argument(
        "--kit-python",
        choices=KIT_PYTHONS,
        default=DEFAULT_KIT_PYTHON,
        help=f"Kit's Python version, for the vendored wheels (default {DEFAULT_KIT_PYTHON})",
    )
    p.add_argument(
        "--platform",
        action="append",
        default=None,
        help="wheel platform tag of Kit's machine, repeatable (default: this machine's, e.g. "
        "the manylinux tags of linux x86_64, or win_amd64)",
    )
    p.add_argument("--no-vendor", action="store_true", help="do not vendor portalis and wasmtime")
    p.add_argument(
        "--vendor-numpy", action="store_true", help="vendor numpy too (Kit ships its own)"
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    result = package(
        args.output,
        vendor=not args.no_vendor,
        kit_python=args.kit_python,
        platforms=args.platform or default_platforms(),
        numpy=args.vendor_numpy,
    )
    print(f"extension: {result.folder}")
    print(f"zip:       {result.archive}")
    if args.no_vendor:
        print("vendor/ is empty: install portalis and wasmtime into Kit's Python")
    return 0


class Packaged:
    def __init__(self, folder: Path, archive: Path) -> None:
        self.folder = folder
        self.archive = archive


def source_extension() -> Path:
    """The extension folder: the source checkout's ``exts/`` when ``portalis`` runs from one
    (an editable install), else the copy a wheel carries (setup.py puts it there)."""
    package_dir = Path(portalis.__file__).resolve().parent
    candidates = (
        package_dir.parents[1] / "exts" / EXT_NAME,
        package_dir / "_kit_extension" / EXT_NAME,
    )
    for folder in candidates:
        if (folder / "config" / "extension.toml").is_file():
            return folder
    raise PortalisError(
        f"no Kit extension at {candidates[1]} (nor a checkout's {candidates[0]})",
        hint="reinstall portalis from a wheel or sdist built by setup.py, or pip install -e .",
    )


def package(
    output: Path,
    *,
    vendor: bool = True,
    kit_python: str = DEFAULT_KIT_PYTHON,
    platforms: list[str] | None = None,
    numpy: bool = False,
) -> Packaged:
    """Write the extension folder and its zip under ``output``; raise PortalisError on failure."""
    source = source_extension()
    target = output / EXT_NAME
    if target.exists():
        shutil.rmtree(target)
    output.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, target, ignore=_IGNORE)
    vendor_dir = target / "vendor"
    for entry in vendor_dir.iterdir():  # a checkout's vendor/ may hold a developer's install
        if entry.name != "README.md":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    if vendor:
        _vendor(vendor_dir, kit_python, platforms or default_platforms(), numpy=numpy)
    archive = output / f"{EXT_NAME}-{_version(target)}.zip"
    _zip(target, archive)
    return Packaged(target, archive)


def default_platforms() -> list[str]:
    """This machine's wheel platforms, in the form pip's ``--platform`` takes. pip matches
    the tags given and nothing else, so on Linux every manylinux generation is listed (a
    wheel tagged manylinux1 runs on a manylinux_2_28 system)."""
    tag = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    if tag.startswith("linux_"):
        arch = tag.removeprefix("linux_")
        return [f"manylinux_2_{v}_{arch}" for v in (28, 17)] + [
            f"manylinux2014_{arch}",
            f"manylinux1_{arch}",
        ]
    return [tag]


def native_folder(platforms: list[str]) -> str:
    """Where the wasmtime wheel keeps its native library for ``platforms``."""
    tag = platforms[0]
    arch = "aarch64" if tag.endswith(("aarch64", "arm64")) else "x86_64"
    if tag.startswith("win"):
        return f"win32-{arch}"
    if tag.startswith("macosx"):
        return "darwin-arm64" if arch == "aarch64" else "darwin-x86_64"
    return f"linux-{arch}"


def pip_command(target: Path, kit_python: str, platforms: list[str], *, numpy: bool) -> list[str]:
    """The pip call that fetches the wheels for Kit's Python."""
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--target",
        str(target),
        "--only-binary=:all:",
        "--implementation",
        "cp",
        "--python-version",
        kit_python,
        *(arg for tag in platforms for arg in ("--platform", tag)),
        *requirements(numpy=numpy),
    ]


def requirements(*, numpy: bool) -> list[str]:
    """portalis's own requirements (their tested ranges) less what Kit ships: USD always,
    NumPy unless asked."""
    from importlib.metadata import requires

    kit_has = ("usd-core",) if numpy else ("usd-core", "numpy")
    found = [r.split(";")[0].strip() for r in requires("portalis") or [] if "extra ==" not in r]
    return [r for r in found if not r.replace("_", "-").startswith(kit_has)]


def _vendor(vendor_dir: Path, kit_python: str, platforms: list[str], *, numpy: bool) -> None:
    package_dir = Path(portalis.__file__).resolve().parent
    shutil.copytree(package_dir, vendor_dir / "portalis", ignore=_IGNORE_VENDORED)
    command = pip_command(vendor_dir, kit_python, platforms, numpy=numpy)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    where = f"Python {kit_python} on {', '.join(platforms)}"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["pip failed"])[-1]
        raise PortalisError(
            f"could not fetch wheels for {where}: {last}",
            hint="check the package index is reachable, or pass --no-vendor",
        )
    native = vendor_dir / "wasmtime" / native_folder(platforms)
    if not native.is_dir():  # pip fell back to a wheel without this platform's library
        raise PortalisError(
            f"the wasmtime wheel pip chose for {where} has no {native.name} library",
            hint="pass the platform's wheel tags with --platform (repeatable)",
        )


def _version(folder: Path) -> str:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    manifest = tomllib.loads((folder / "config" / "extension.toml").read_text(encoding="utf-8"))
    return str(manifest["package"]["version"])


def _zip(folder: Path, archive: Path) -> None:
    """The folder at the archive's root (what Exchange and Kit's extension folders expect);
    written beside the target and renamed, so a failed run leaves no partial zip."""
    temp = archive.with_name(f".{archive.name}.tmp")
    with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, Path(folder.name) / path.relative_to(folder))
    temp.replace(archive)
