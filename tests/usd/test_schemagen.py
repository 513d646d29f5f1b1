"""The committed plugin files are exactly what the generator makes from schema.usda."""

from __future__ import annotations

import shutil
from pathlib import Path

from portalis.usd import PLUGIN_DIR, schemagen


def test_committed_plugin_files_are_current() -> None:
    assert schemagen.stale_files() == [], "run: python -m portalis.usd.schemagen"


def test_an_edit_to_the_source_makes_the_files_stale(tmp_path: Path) -> None:
    for name in (schemagen.SCHEMA_SOURCE, schemagen.GENERATED_SCHEMA, schemagen.PLUG_INFO):
        shutil.copy(PLUGIN_DIR / name, tmp_path / name)
    source = tmp_path / schemagen.SCHEMA_SOURCE
    source.write_text(source.read_text().replace("float updateRate = 60", "float updateRate = 30"))
    assert schemagen.stale_files(tmp_path) == [schemagen.GENERATED_SCHEMA]
    generated = schemagen.generate(tmp_path)[schemagen.GENERATED_SCHEMA]
    assert generated.count("float updateRate = 30") == 5  # flattened into every class


def test_generated_classes_flatten_their_base() -> None:
    text = schemagen.generate()[schemagen.GENERATED_SCHEMA]
    physics = text[text.index('class WasmPhysics "WasmPhysics"') :]
    physics = physics[: physics.index("\nclass ")]
    assert "asset wasmPath" in physics
    assert "float3 gravityOverride = (0, -9.81, 0)" in physics
    assert "inherits" not in text
