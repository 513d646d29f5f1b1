"""Back end: typed IR → WebAssembly text. ``wat.py`` assembles the module; ``emit.py`` emits
function bodies, with one module per other job: ``instructions.py`` (the checked instruction
builder), ``loops.py`` (loop passes: unrolling, versioning, row addresses, deciding with
``unroll.py``, ``versioning.py``, ``rows.py``), ``bounds.py`` (bounds checks and addresses),
``integers.py`` (Python's integer semantics), ``lowerings.py`` (builtins) and ``support.py``
(the allocator and helpers every module carries); ``signs.py`` proves values' signs."""
