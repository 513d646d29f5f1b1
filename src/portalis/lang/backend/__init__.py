"""Back end: typed IR → WebAssembly text. ``plan.py`` runs the analysis passes that decide,
before emission, how each function's loops are emitted (value ranges in ``ranges.py``,
unrolling in ``unroll.py``, versioning in ``versioning.py``, row pointers in ``rows.py``).
``wat.py`` assembles the module; ``emit.py`` emits function bodies, with one module per
other job: ``instructions.py`` (the typed instruction builder), ``loops.py`` (loops, as
planned), ``bounds.py`` (bounds checks and addresses), ``integers.py`` (Python's integer
semantics), ``lowerings.py`` (builtins), ``lists.py`` (typed lists) and ``support.py`` (the
allocator and helpers every module carries); ``signs.py`` proves values' signs."""
