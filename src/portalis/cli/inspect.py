"""``portalis inspect module.wasm``: what a module exports, imports and carries."""

from __future__ import annotations

import argparse
import json
from typing import Any

from portalis.abi import Array, Param


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "inspect",
        help="show a module's exports, imports, memories and custom sections",
        description="Show a WebAssembly module's exports with signatures, imports, memories, "
        "custom sections and, for Portalis-built modules, the Python-level ABI.",
    )
    p.add_argument("module", help="a .wasm (or .wat) file")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=run)


def _param(p: Param) -> str:
    if isinstance(p, Array):
        shape = f"{list(p.shape)}" if p.shape is not None else f"{p.ndim}-D"
        where = f" @ {p.offset}" if p.offset is not None else ""
        return f"{p.name}: array[{p.dtype}, {shape}]{where}"
    default = f" = {p.default!r}" if p.default is not None else ""
    return f"{p.name}: {p.type}{default}"


def run(args: argparse.Namespace) -> int:
    from portalis.runtime import load_module

    # Inspection never runs the module, so it must not refuse one whose imports the default
    # sandbox would deny: that is exactly what a user inspects it to find out.
    module = load_module(args.module, cache=False, sandbox=None)
    if args.json:
        print(json.dumps(_as_dict(module), indent=2))
        return 0
    print(f"{module.source_path or module.name}: {module.size} bytes, sha256 {module.sha256}")
    print("\nexports:")
    for e in module.exports:
        print(f"  {e.kind:<7}{e.name}  {e.type}")
    print("\nimports:" + ("" if module.imports else " (none)"))
    for i in module.imports:
        print(f"  {i.kind:<7}{i.module}.{i.name}  {i.type}")
    memories = [e for e in module.exports if e.kind == "memory"]
    memories += [i for i in module.imports if i.kind == "memory"]  # type: ignore[misc]
    print("\nmemories:" + ("" if memories else " (none)"))
    for m in memories:
        print(f"  {m.name}  {m.type}")
    print("\nsections:")
    for name, size in module.sections:
        print(f"  {name:<24}{size:>10} bytes")
    if module.abi is not None:
        abi = module.abi
        print(f"\nportalis ABI (source {abi.source or '?'}, compiler {abi.compiler or '?'}):")
        for fn in abi.functions:
            params = ", ".join(_param(p) for p in fn.params)
            results = ", ".join(_param(r) for r in fn.results) or "None"
            if len(fn.results) > 1:
                results = f"({results})"
            line = f"  (line {fn.line})" if fn.line else ""
            print(f"  def {fn.name}({params}) -> {results}{line}")
        for s in abi.state:
            print(f"  state {_param(s)}")
    return 0


def _as_dict(module: Any) -> dict[str, Any]:
    return {
        "path": str(module.source_path) if module.source_path else None,
        "size": module.size,
        "sha256": module.sha256,
        "exports": [e._asdict() for e in module.exports],
        "imports": [i._asdict() for i in module.imports],
        "sections": [{"name": n, "size": s} for n, s in module.sections],
        "abi": json.loads(module.abi.to_json()) if module.abi else None,
    }
