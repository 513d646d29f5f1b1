"""Kept for `python benchmarks/bench_sweep.py`. The benchmark ships in the package
(`portalis.bench.sweep`), so `portalis bench sweep` runs it from a wheel too."""

import sys

from portalis.bench.sweep import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
