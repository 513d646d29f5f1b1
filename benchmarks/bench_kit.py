"""Kept for `python benchmarks/bench_kit.py`. The benchmark ships in the package
(`portalis.bench.kit`), so `portalis bench kit` also runs it from an installed wheel."""

import sys

from portalis.bench.kit import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
