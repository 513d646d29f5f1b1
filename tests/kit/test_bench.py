"""``portalis bench kit`` runs through the double and writes SPEC §7 rows."""

from __future__ import annotations

import json

from portalis.cli.main import main


def test_bench_kit_writes_spec_rows(tmp_path, capsys):
    out = tmp_path / "kit.json"
    assert main(["bench", "kit", "--prims", "3", "--frames", "30", "--json", str(out)]) == 0
    assert "extension over its own runner step" in capsys.readouterr().out
    report = json.loads(out.read_text())
    assert report["benchmark"] == "kit"
    assert {(r["case"], r["impl"]) for r in report["rows"]} == {
        ("frame", "portalis"),
        ("frame", "kit-extension"),
        ("overhead", "kit-extension"),
    }
    for row in report["rows"]:
        assert set(row) == {"case", "impl", "median_s", "p90_s", "runs", "params"}
        assert row["runs"] == 30 and row["params"]["prims"] == 3
        assert 0 < row["median_s"] <= row["p90_s"] or row["case"] == "overhead"
