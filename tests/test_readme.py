"""The README stays true: its two set-up commands are where `.ci/run` finds them, and its
example kernel builds and agrees with CPython."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np

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
    extracted = subprocess.run(
        ["bash", "-c", "grep -c 'test-command' .ci/run"], cwd=ROOT, capture_output=True, text=True
    )
    assert extracted.stdout.strip() != "0", ".ci/run no longer reads the README's test command"


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
