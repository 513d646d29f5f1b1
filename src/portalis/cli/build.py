"""``portalis build kernel.py [-o kernel.wasm] [--emit wat]``: compile a typed-Python kernel
into a self-describing WebAssembly module."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "build",
        help="compile a typed-Python kernel to WebAssembly",
        description="Compile a kernel (typed Python, see docs/language.md) into a WebAssembly "
        "module carrying its ABI in a 'portalis.abi' custom section.",
    )
    p.add_argument("kernel", help="the kernel's Python source file")
    p.add_argument("-o", "--output", help="output path (default: next to the source)")
    p.add_argument(
        "--emit",
        choices=("wasm", "wat", "rust"),
        default="wasm",
        help="write the binary module (default), its WebAssembly text, or the Rust the "
        "Rust backend writes (docs/rust.md)",
    )
    p.add_argument(
        "--via",
        choices=("direct", "rust"),
        default="direct",
        help="build the module straight from the IR (default) or through Rust and rustc",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    p.add_argument(
        "--timings",
        action="store_true",
        help="print the CPU time each compiler step took (parse, lower, inline, …), and "
        "the time importing the compiler took, which the total leaves out",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    imported = time.process_time()
    from portalis.lang.pipeline import build  # imported first: the timing is the compile's

    imported = time.process_time() - imported

    timings: dict[str, float] = {}
    start = time.perf_counter()
    out = build(args.kernel, args.output, args.emit, timings=timings, via=args.via)
    if not args.quiet:
        ms = (time.perf_counter() - start) * 1000
        print(f"built {out} ({out.stat().st_size} bytes), compiled in {ms:.0f} ms", file=sys.stdout)
    if args.timings:
        compiler = sum(timings.values())
        width = max(len(step) for step in [*timings, "compiler"])
        for step, seconds in timings.items():  # in the order the passes ran (pipeline.py)
            print(f"  {step:<{width}} {seconds * 1000:7.1f} ms CPU", file=sys.stdout)
        print(f"  {'compiler':<{width}} {compiler * 1000:7.1f} ms CPU", file=sys.stdout)
        # What the total is: each pass's CPU time on the build's thread, including what a
        # pass imports and, in a process's first build, reading the math library's snapshot
        # (in ``lower``) and loading the assembler's C library (``assemble``); not starting
        # Python, nor importing the compiler before the build.
        print(
            f"  (not in the total: importing the compiler, {imported * 1000:.1f} ms CPU here, "
            "and starting Python)",
            file=sys.stdout,
        )
    return 0
