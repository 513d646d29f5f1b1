"""Kept for `python benchmarks/bench_ik.py`. The benchmark ships in the package
(`portalis.bench.ik`), so `portalis bench ik` also runs it from an installed wheel."""

import sys

from portalis.bench.ik import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
