"""`python benchmarks/bench_bake.py`, as for the others. The benchmark ships in the package
(`portalis.bench.bake`), so `portalis bench bake` also runs it from an installed wheel."""

import sys

from portalis.bench.bake import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
