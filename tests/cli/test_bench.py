"""``portalis bench``: the suite is listed, names are checked, a benchmark runs from the
package (so it works from an installed wheel)."""

from __future__ import annotations

import importlib

import pytest

from portalis.bench import BENCHMARKS
from portalis.cli.main import main


def test_lists_the_suite(capsys):
    assert main(["bench"]) == 0
    out = capsys.readouterr().out
    for name in BENCHMARKS:
        assert name in out


def test_unknown_benchmark_is_a_clear_error(capsys):
    assert main(["bench", "warp-speed"]) == 1
    err = capsys.readouterr().err
    assert "no benchmark named 'warp-speed'" in err and "runtime" in err


@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_every_benchmark_has_a_main(name):
    module = importlib.import_module(BENCHMARKS[name][0])
    assert callable(module.main)


def test_runs_a_benchmark_with_its_arguments(capsys):
    assert main(["bench", "libm", "--only", "sin", "--samples", "2000", "--no-speed"]) == 0
    out = capsys.readouterr().out
    assert "== libm" in out and "sin" in out
