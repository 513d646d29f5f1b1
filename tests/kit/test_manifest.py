"""config/extension.toml: parses, names files that exist, and lists exactly the settings the
extension reads, with the same defaults."""

from __future__ import annotations

import sys

from .conftest import EXT

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


def manifest() -> dict:
    return tomllib.loads((EXT / "config" / "extension.toml").read_text(encoding="utf-8"))


def named_files(data: dict) -> list[str]:
    package = data["package"]
    return [package[k] for k in ("readme", "changelog", "preview_image", "icon")]


def test_every_named_file_exists():
    data = manifest()
    for name in named_files(data):
        assert (EXT / name).is_file(), name
    for module in data["python"]["module"]:
        if "name" in module:
            assert (EXT / module["name"].replace(".", "/") / "__init__.py").is_file()
        else:
            assert (EXT / module["path"]).is_dir(), module["path"]


def test_settings_match_the_extensions_defaults():
    from portalis_wasm_runtime.settings import DEFAULTS, EXT_NAME

    declared = manifest()["settings"]["exts"][EXT_NAME]
    assert declared == {key: default for key, (default, _) in DEFAULTS.items()}


def test_images_are_pngs():
    for name in ("data/icon.png", "data/preview.png"):
        assert (EXT / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
