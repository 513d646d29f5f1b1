"""Kept for `python benchmarks/bench_compiler.py`. The benchmark ships in the package
(`portalis.bench.compiler`), so `portalis bench compiler` also runs it from an installed wheel."""

import sys

from portalis.bench.compiler import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
