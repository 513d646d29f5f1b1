"""docs/architecture.md's dependency table, held true: each package is imported in a fresh
interpreter and what it pulled in is compared with what the table says it depends on."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("wasmtime", "numpy", "pxr")
LAYERS = ("portalis.runtime", "portalis.lang", "portalis.sim", "portalis.bench", "portalis.demos",
          "portalis.sweep")  # fmt: skip

# package → the heavy third-party modules and Portalis layers it may import (the table in
# docs/architecture.md; `portalis.usd` registers its plugin without pxr, so pxr is absent
# until a helper is used).
ALLOWED: dict[str, set[str]] = {
    "portalis": set(),
    "portalis.errors": set(),
    "portalis.abi": set(),
    "portalis.cachefiles": set(),
    "portalis.usd": set(),
    "portalis.lang": {"wasmtime", "portalis.lang"},
    "portalis.runtime": {"wasmtime", "numpy", "portalis.runtime"},
    "portalis.sim": {"wasmtime", "numpy", "pxr", "portalis.runtime", "portalis.sim"},
    # the sweep reads scenes at import; the runner, compiler and Ray come when a sweep runs
    "portalis.sweep": {"pxr", "portalis.sweep"},
}

PROBE = """
import json, sys
import {package}
print(json.dumps(sorted(sys.modules)))
"""


def imported_by(package: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(package=package)],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return set(json.loads(out.stdout))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_the_table_says(package):
    modules = imported_by(package)
    pulled = {name for name in HEAVY if name in modules}
    pulled |= {layer for layer in LAYERS if layer in modules}
    assert pulled <= ALLOWED[package], f"import {package} pulled in {pulled - ALLOWED[package]}"


def test_root_names_still_resolve_lazily():
    code = (
        "import sys, portalis\n"
        "assert 'wasmtime' not in sys.modules\n"
        "assert portalis.load is portalis.runtime.load\n"
        "assert portalis.Sandbox().deadline_s == 1.0\n"
        "assert 'wasmtime' in sys.modules\n"
        "assert 'load_module' in dir(portalis)\n"
        "print(portalis.__version__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    from portalis._version import __version__

    assert out.stdout.strip() == __version__


def test_the_cli_parser_is_light():
    # Every `portalis` command (even `--help` and `inspect`) builds the whole parser, so no
    # subcommand may import the runtime, the compiler or USD just to declare its options (the
    # bench and demo listings are light by contract).
    code = (
        "import json, sys\n"
        "from portalis.cli.main import main_parser\n"
        "main_parser()\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = set(json.loads(out.stdout))
    heavy = (*HEAVY, "portalis.runtime", "portalis.lang", "portalis.sim", "portalis.sweep")
    assert not {name for name in heavy if name in modules}
