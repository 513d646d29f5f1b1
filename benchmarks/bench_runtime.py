"""Kept for `python benchmarks/bench_runtime.py`. The benchmark ships in the package
(`portalis.bench.calls`), so `portalis bench runtime` also runs it from an installed wheel."""

import sys

from portalis.bench.calls import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
