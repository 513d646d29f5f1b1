"""Kept for `python benchmarks/bench_warehouse.py`. The benchmark ships in the package
(`portalis.bench.warehouse`), so `portalis bench warehouse` also runs it from an installed wheel."""

import sys

from portalis.bench.warehouse import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
