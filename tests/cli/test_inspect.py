"""``portalis inspect`` and the CLI's error contract: one clear line, a hint, exit status 1,
no traceback."""

from __future__ import annotations

import json

import pytest

from portalis.cli.main import main
from tests.runtime import wat


@pytest.fixture
def kernel_file(tmp_path):
    path = tmp_path / "kernel.wasm"
    path.write_bytes(wat.abi_kernel())
    return path


def test_inspect_prints_exports_imports_sections_and_abi(kernel_file, capsys):
    assert main(["inspect", str(kernel_file)]) == 0
    out = capsys.readouterr().out
    assert "func   scale  (i32, i32, f64) -> (f64)" in out
    assert "imports: (none)" in out
    assert "memory  pages 2..unbounded" in out
    assert "custom:portalis.abi" in out
    assert "def scale(pts: array[f64, 1-D], k: f64 = 2.0) -> total: f64  (line 3)" in out
    assert "state armed: bool" in out


def test_inspect_shows_imports_the_sandbox_would_refuse(tmp_path, capsys):
    path = tmp_path / "wasi.wasm"
    path.write_bytes(wat.binary(wat.WASI_IMPORT))
    assert main(["inspect", str(path)]) == 0
    assert "wasi_snapshot_preview1.fd_write" in capsys.readouterr().out


def test_inspect_json(kernel_file, capsys):
    assert main(["inspect", "--json", str(kernel_file)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["abi"]["functions"][0]["name"] == "scale"
    assert {"name": "memory", "size": 3} in doc["sections"]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty file"), (b"hello", "not a WebAssembly module"), (None, "no such file")],
)
def test_bad_input_is_one_clear_line(tmp_path, capsys, content, message):
    path = tmp_path / "bad.wasm"
    if content is not None:
        path.write_bytes(content)
    assert main(["inspect", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: ") and message in err
    assert "Traceback" not in err


def test_debug_shows_the_traceback(tmp_path):
    from portalis.errors import ModuleLoadError

    with pytest.raises(ModuleLoadError):
        main(["--debug", "inspect", str(tmp_path / "missing.wasm")])


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("portalis ")


def test_a_closed_pipe_ends_quietly(kernel_file):
    # `portalis inspect m.wasm | head -0`: the reader is gone before anything is written;
    # the command ends with SIGPIPE's status and no traceback.
    import os
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)
    code = "from portalis.cli.main import entrypoint; entrypoint()"
    proc = subprocess.run(
        [sys.executable, "-c", code, "inspect", str(kernel_file)],
        stdout=write_end, stderr=subprocess.PIPE, timeout=60, check=False,
    )  # fmt: skip
    os.close(write_end)
    err = proc.stderr.decode()
    assert proc.returncode == 141
    assert "Traceback" not in err and "BrokenPipe" not in err, err
