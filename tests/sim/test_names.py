"""The stage runner's public names: ``Runner``, and ``Runtime`` as a deprecated alias."""

from __future__ import annotations

import pytest

import portalis
import portalis.sim


def test_runner_is_exported_from_portalis_and_portalis_sim() -> None:
    from portalis.sim.runner import Runner

    assert portalis.sim.Runner is Runner
    assert portalis.Runner is Runner
    assert "Runner" in portalis.__all__ and "Runner" in portalis.sim.__all__


@pytest.mark.parametrize("package", [portalis, portalis.sim], ids=["portalis", "portalis.sim"])
def test_runtime_is_a_deprecated_alias_warning_at_the_callers_line(package: object) -> None:
    with pytest.warns(DeprecationWarning, match="now Runner") as caught:
        alias = package.Runtime  # type: ignore[attr-defined]
    assert alias is portalis.sim.Runner
    assert caught[0].filename == __file__


def test_unknown_names_still_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="Runnr"):
        portalis.sim.Runnr  # type: ignore[attr-defined]  # noqa: B018
