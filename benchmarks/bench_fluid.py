"""Kept for `python benchmarks/bench_fluid.py`. The benchmark ships in the package
(`portalis.bench.fluid`), so `portalis bench fluid` runs it from a wheel too."""

import sys

from portalis.bench.fluid import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
