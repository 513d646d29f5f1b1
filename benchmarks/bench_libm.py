"""Kept for `python benchmarks/bench_libm.py`. The benchmark ships in the package
(`portalis.bench.libm`), so `portalis bench libm` also runs it from an installed wheel."""

import sys

from portalis.bench.libm import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
