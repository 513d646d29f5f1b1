"""The README stays true: its two set-up commands are where `.ci/run` finds them (which must
exist), its example kernel builds and agrees with CPython, its "From Python" snippet runs
against that kernel, and the LICENSE pyproject.toml declares is there."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

from portalis.demos import DEMOS
from portalis.lang import compile_source
from portalis.runtime import load

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def block_after(marker: str, language: str) -> str:
    start = README.index(marker)
    match = re.compile(rf"```{language}\n(.*?)```", re.S).search(README, start)
    assert match is not None, f"no {language} block after {marker!r}"
    return match.group(1)


def test_the_two_setup_commands():
    main = block_after("<!-- main-command -->", "bash").strip()
    tests = block_after("<!-- test-command -->", "bash").strip()
    demo = re.search(r"portalis demo (\S+)", main)
    assert demo is not None and demo.group(1) in DEMOS
    assert "pytest" in tests
    ci = ROOT / ".ci" / "run"
    assert ci.is_file(), ".ci/run is missing: CI has nothing to run"
    assert os.access(ci, os.X_OK), ".ci/run is not executable"


def test_the_example_kernel_builds_and_matches_cpython():
    source = block_after("A kernel is plain typed Python", "python")
    namespace: dict[str, object] = {}
    exec(compile(source, "readme_kernel.py", "exec"), namespace)
    kernel = load(compile_source(source, "readme_kernel.py").wasm, cache=False)
    compiled, reference = np.zeros(16), np.zeros(16)
    # math.sin is within 1 ulp of CPython's (docs/language.md), not always bit-identical.
    for t in (0.0, 0.5, 2.0):
        got = kernel.update(t, compiled)
        want = namespace["update"](t, reference)  # type: ignore[operator]
        np.testing.assert_allclose(got, want, rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(compiled, reference, rtol=1e-15, atol=1e-15)
    assert np.any(compiled != 0.0)


def test_ci_runs_the_readme_test_command_verbatim():
    tests = block_after("<!-- test-command -->", "bash").strip()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci


def test_the_from_python_snippet_runs_against_the_readme_kernel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = block_after("A kernel is plain typed Python", "python")
    (tmp_path / "kernel.wasm").write_bytes(compile_source(source, "kernel.py").wasm)
    reference: dict[str, object] = {}
    exec(compile(source, "kernel.py", "exec"), reference)
    want = reference["update"](1.0, np.zeros(300))  # type: ignore[operator]
    snippet = block_after("<!-- from-python -->", "python")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(snippet, "README.md (From Python)", "exec"), namespace)
    np.testing.assert_allclose(namespace["peak"], want[0], rtol=1e-15)
    np.testing.assert_allclose(namespace["first"], want[1], rtol=1e-15)
    assert np.any(namespace["samples"] != 0.0)  # the array came back written


def test_the_license_pyproject_declares_is_there() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert 'license = "Apache-2.0"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
