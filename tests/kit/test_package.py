"""``portalis package``: the zip unpacks to an extension folder whose manifest parses and names
files that exist, and whose module Kit (here, the double) imports and starts from there."""

from __future__ import annotations

import os
import re
import shutil
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
    done = python(["-c", textwrap.dedent(code)], tmp_path, env)
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


def test_a_plain_wheel_install_packages_the_extension(tmp_path):
    """A wheel (not an editable checkout) carries the extension, and ``portalis package`` run
    from the unpacked wheel finds and writes it."""
    source = tmp_path / "source"  # a copy, so the build's build/ and egg-info stay out of ROOT
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.so", "*.egg-info", "build")
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    for folder in ("src", "exts"):
        shutil.copytree(ROOT / folder, source / folder, ignore=ignore)
    (source / "exts" / EXT / "vendor" / "stray.txt").write_text("a developer's leftovers")
    wheels = tmp_path / "wheels"
    pip = ["-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet"]
    python([*pip, "--wheel-dir", str(wheels), str(source)], tmp_path, dict(os.environ))
    (wheel,) = wheels.glob("portalis-*.whl")
    prefix = f"portalis/_kit_extension/{EXT}/"
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        z.extractall(tmp_path / "site")
    assert prefix + "config/extension.toml" in names
    assert prefix + "portalis_wasm_runtime/extension.py" in names
    assert prefix + "vendor/README.md" in names
    assert prefix + "vendor/stray.txt" not in names
    assert not any("__pycache__" in name for name in names)

    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    code = "import sys; from portalis.cli.main import main; sys.exit(main(sys.argv[1:]))"
    python(["-c", code, "package", "-o", str(tmp_path / "dist"), "--no-vendor"], tmp_path, env)
    written = tmp_path / "dist" / EXT
    assert (written / "config" / "extension.toml").is_file()
    assert (written / "portalis_wasm_runtime" / "extension.py").is_file()


def python(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """This interpreter run with ``args`` in ``cwd``; asserts it succeeded."""
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd, check=False
    )
    assert done.returncode == 0, done.stderr
    return done
