"""Ctrl-C while a module runs: the KeyboardInterrupt raised in the epoch callback must not
cross wasmtime's C frames (that aborted the process); it ends the call and is raised again
in Python, and the instance stays usable."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run_child(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd="."
    )


def test_ctrl_c_during_a_call_raises_keyboard_interrupt_and_the_process_lives() -> None:
    code = textwrap.dedent(
        """
        import _thread, threading
        from portalis.runtime import Sandbox, load
        from tests.runtime.wat import INFINITE_LOOP, binary

        kernel = load(binary(INFINITE_LOOP), sandbox=Sandbox(deadline_s=30.0))
        for attempt in range(2):  # twice: the instance is usable after an interrupt
            threading.Timer(0.3, _thread.interrupt_main).start()
            try:
                kernel.spin()
            except KeyboardInterrupt:
                print("interrupted", attempt)
            else:
                raise SystemExit("the call returned")
        """
    )
    done = run_child(code)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:2] == ["interrupted 0", "interrupted 1"]
