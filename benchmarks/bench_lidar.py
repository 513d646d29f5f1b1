"""Kept for `python benchmarks/bench_lidar.py`. The benchmark ships in the package
(`portalis.bench.lidar`), so `portalis bench lidar` also runs it from an installed wheel."""

import sys

from portalis.bench.lidar import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
