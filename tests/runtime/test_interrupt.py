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


def test_ctrl_c_is_not_lost_in_a_finalizer_the_collector_runs_during_a_call() -> None:
    # A thread keeps making cyclic garbage with a __del__, so the collector often runs those
    # finalizers on the main thread while the module runs (the epoch callback allocates): a
    # KeyboardInterrupt raised inside one would be swallowed and the call would run on to
    # its deadline (seen once in about 5 calls before interrupts.py deferred it).
    code = textwrap.dedent(
        """
        import _thread, gc, threading, time
        from portalis.runtime import Sandbox, load
        from tests.runtime.wat import INFINITE_LOOP, binary

        class Garbage:
            def __del__(self):
                for _ in range(50):
                    pass

        def churn():
            while True:
                for _ in range(200):
                    g = Garbage()
                    g.me = g
                time.sleep(0.0005)

        threading.Thread(target=churn, daemon=True).start()
        gc.set_threshold(50)
        kernel = load(binary(INFINITE_LOOP), sandbox=Sandbox(deadline_s=5.0))
        for attempt in range(20):
            threading.Timer(0.05, _thread.interrupt_main).start()
            try:
                kernel.spin()
            except KeyboardInterrupt:
                print("interrupted", attempt)
        """
    )
    done = run_child(code)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:20] == [f"interrupted {k}" for k in range(20)]
