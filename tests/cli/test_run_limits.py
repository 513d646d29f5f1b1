"""``portalis run`` refuses limits that would silently switch the sandbox off; the check
lives in :class:`~portalis.runtime.Sandbox`, so every host gets it."""

from __future__ import annotations

import math

import pytest

from portalis.cli.main import main
from portalis.errors import ConfigError
from portalis.runtime import MiB, Sandbox


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--deadline", "nan"], "deadline must be a finite number of seconds, got nan"),
        (["--deadline", "inf"], "deadline must be a finite number of seconds, got inf"),
        (["--deadline", "0"], "deadline must be more than 0 seconds, got 0"),
        (["--deadline", "-1"], "deadline must be more than 0 seconds, got -1"),
        (["--max-memory", "-1"], "max_memory_bytes must be more than 0, got -1 MiB"),
        (["--max-memory", "0"], "max_memory_bytes must be more than 0, got 0 MiB"),
    ],
)
def test_run_refuses_limits_that_switch_the_sandbox_off(tmp_path, capsys, flags, message):
    scene = tmp_path / "scene.usda"
    scene.write_text("#usda 1.0\n")
    status = main(["run", str(scene), "-o", str(tmp_path / "out.usda"), *flags])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("error: sandbox: ") and message in err
    assert "Traceback" not in err
    assert not (tmp_path / "out.usda").exists()


@pytest.mark.parametrize(
    "limits",
    [
        {"deadline_s": math.nan},
        {"deadline_s": "1"},
        {"deadline_s": True},
        {"max_memory_bytes": 1.5},
        {"max_table_elements": 0},
        {"max_tables": -1},
        {"max_instances": 0},
        {"max_module_bytes": 0},
        {"max_functions": 0},
        {"max_code_bytes": -5},
    ],
)
def test_sandbox_refuses_every_meaningless_limit(limits):
    with pytest.raises(ConfigError):
        Sandbox(**limits)


def test_none_still_turns_limits_off_for_trusted_code():
    sandbox = Sandbox(deadline_s=None, max_memory_bytes=None)
    assert sandbox.deadline_s is None and sandbox.max_memory_bytes is None
    assert Sandbox(deadline_s=0.5, max_memory_bytes=MiB).deadline_s == 0.5
