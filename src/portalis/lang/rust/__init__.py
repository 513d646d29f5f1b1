"""The Rust backend: the same typed IR the direct backend compiles, written as readable
``no_std`` Rust (``portalis build --emit rust``) and built to a Portalis module by rustc
(``portalis build --via rust``). See docs/rust.md.

* module.py    the crate: ABI section, state, tables, math library, functions, exports
* emit.py      function bodies, IR → Rust
* support.py   the Rust every crate carries (errors, Python arithmetic, allocator)
* toolchain.py finding and running rustc
* link.py      after rustc: exported globals and multi-value results
"""

from __future__ import annotations

from portalis.errors import CompileError
from portalis.lang.rust.link import LinkError, finish
from portalis.lang.rust.module import BACKEND, RustCrate, emit_crate
from portalis.lang.rust.toolchain import compile_rust, find_rustc


def build_wasm(crate: RustCrate, filename: str) -> bytes:
    """rustc, then link.py's finishing; the result is validated like any module."""
    linked = compile_rust(crate.source, crate.stack_size, filename)
    try:
        wasm = finish(linked, crate.plan)
    except LinkError as e:
        raise CompileError(
            f"internal compiler error: {e}",
            file=filename,
            hint="please report this with the kernel source (see it with --emit rust)",
        ) from None
    return wasm


__all__ = ["BACKEND", "RustCrate", "build_wasm", "emit_crate", "find_rustc"]
