"""Kept for `python benchmarks/bench_projectile.py`. The benchmark ships in the package
(`portalis.bench.projectile`), so `portalis bench projectile` runs it from a wheel too."""

import sys

from portalis.bench.projectile import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
