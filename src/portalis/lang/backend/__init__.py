"""Back end: typed IR → WebAssembly text (``wat.py`` for the module, ``emit.py`` for
function bodies, ``support.py`` for the allocator and helpers every module carries)."""
