"""Kept for `python benchmarks/bench_runner.py`. The benchmark ships in the package
(`portalis.bench.runner`), so `portalis bench runner` also runs it from an installed wheel."""

import sys

from portalis.bench.runner import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
