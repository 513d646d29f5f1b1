"""Usage errors exit with 1, the status the docs give bad arguments (2 is a run's "some module
failed"), with argparse's usage on stderr; ``--debug`` works before or after any command."""

from __future__ import annotations

import pytest

from portalis.cli.main import main, main_parser
from portalis.errors import PortalisError


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["run", "s.usd", "-o", "o.usd", "--start", "abc"],
        ["run", "s.usd"],
        ["build", "k.py", "--no-such-option"],
        ["no-such-command"],
        ["bench", "--report"],
    ],
)
def test_bad_arguments_exit_with_1_and_the_usage(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("usage: portalis") and "error: " in err


def test_a_benchmarks_own_bad_argument_exits_with_1(capsys):
    assert main(["bench", "projectile", "--no-such-option"]) == 1
    err = capsys.readouterr().err
    assert "usage: portalis bench projectile" in err and "--no-such-option" in err


def test_demo_without_a_name_exits_with_1(capsys):
    assert main(["demo"]) == 1
    assert "name a scenario" in capsys.readouterr().err


def test_help_still_exits_with_0(capsys):
    with pytest.raises(SystemExit) as info:
        main(["build", "--help"])
    assert info.value.code == 0
    assert "usage: portalis build" in capsys.readouterr().out


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_before_or_after_the_command_shows_the_traceback(where, tmp_path, capsys):
    missing = str(tmp_path / "missing.py")
    argv = ["--debug", "build", missing] if where == "before" else ["build", missing, "--debug"]
    with pytest.raises(PortalisError):
        main(argv)
    assert main(["build", missing]) == 1  # without it: one line, no traceback
    assert "Traceback" not in capsys.readouterr().err


def test_debug_after_bench_is_portalis_own_not_the_benchmarks():
    with pytest.raises(PortalisError, match="no benchmark named"):
        main(["bench", "no-such-benchmark", "--debug"])


def test_every_command_takes_debug_after_its_name():
    import argparse

    parser = main_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(commands.choices) >= 8
    for name, command in commands.choices.items():
        if name != "bench":  # what follows a benchmark's name is its own: run() takes it out
            assert "--debug" in command._option_string_actions, name
