"""``portalis package``: the zip unpacks to an extension folder whose manifest parses and names
files that exist, and whose module Kit (here, the double) imports and starts from there."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import zipfile
from importlib.metadata import requires
from pathlib import Path

from portalis.cli import package as package_cli
from portalis.cli.main import main

from .conftest import ROOT
from .test_manifest import named_files, tomllib

EXT = "portalis.wasm.runtime"


def test_zip_unpacks_to_a_working_extension(tmp_path, capsys):
    assert main(["package", "-o", str(tmp_path / "dist"), "--no-vendor"]) == 0
    archive = tmp_path / "dist" / f"{EXT}-0.1.0.zip"
    assert str(archive) in capsys.readouterr().out
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(archive) as z:
        assert all(name.startswith(f"{EXT}/") for name in z.namelist())
        assert not any("__pycache__" in name for name in z.namelist())
        z.extractall(unpacked)
    folder = unpacked / EXT
    data = tomllib.loads((folder / "config" / "extension.toml").read_text(encoding="utf-8"))
    for name in named_files(data):
        assert (folder / name).is_file(), name
    for module in data["python"]["module"]:
        target = module.get("path") or module["name"].replace(".", "/")
        assert (folder / target).is_dir(), target
    assert data["settings"]["exts"][EXT]["max_memory_mb"] == 256

    # Kit (the double) enables it from the unpacked folder, in a process of its own
    code = f"""
        import sys
        sys.path[:0] = [{str(ROOT / "tests")!r}]
        import kit_double
        kit_double.reset()
        import omni.kit.app
        manager = omni.kit.app.get_app().get_extension_manager()
        manager.add_path({str(unpacked)!r})
        manager.set_extension_enabled_immediate({EXT!r}, True)
        module = sys.modules["portalis_wasm_runtime"]
        print(module.__file__)
        print(type(module.get_extension()).__name__)
    """
    env = {k: v for k, v in os.environ.items() if k != "PXR_PLUGINPATH_NAME"}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(tmp_path),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    module_file, extension = done.stdout.split()
    assert Path(module_file).is_relative_to(folder)
    assert extension == "PortalisWasmRuntimeExtension"


def test_vendoring_asks_pip_for_kits_python_and_platform(tmp_path):
    command = package_cli.pip_command(tmp_path, "3.10", ["win_amd64"], numpy=False)
    assert command[command.index("--python-version") + 1] == "3.10"
    assert command[command.index("--platform") + 1] == "win_amd64"
    assert package_cli.native_folder(["win_amd64"]) == "win32-x86_64"
    assert package_cli.native_folder(["manylinux_2_28_aarch64"]) == "linux-aarch64"
    assert "--only-binary=:all:" in command
    wanted = {name(r) for r in command if r[0].isalpha() and any(c in r for c in "<>=")}
    ours = {name(r) for r in requires("portalis") or [] if "extra ==" not in r}
    assert "wasmtime" in wanted
    assert wanted == ours - {"usd-core", "numpy"}  # Kit ships USD and NumPy
    assert {name(r) for r in package_cli.requirements(numpy=True)} == ours - {"usd-core"}


def name(requirement: str) -> str:
    return re.split(r"[<>=!~ ]", requirement)[0]


def test_a_second_package_replaces_the_first(tmp_path):
    out = tmp_path / "dist"
    package_cli.package(out, vendor=False)
    (out / EXT / "stale.txt").write_text("old")
    package_cli.package(out, vendor=False)
    assert not (out / EXT / "stale.txt").exists()
