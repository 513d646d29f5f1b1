"""The ``portalis.abi`` description of a compiled module (see portalis/abi.py), including
which array parameters each function may write (passes/writes.py)."""

from __future__ import annotations

from portalis import abi
from portalis._version import __version__
from portalis.lang import ir
from portalis.lang.passes.writes import written_arrays
from portalis.lang.types import ArrayType, ResultTuple, Scalar


def _param(p: ir.Param, written: frozenset[str]) -> abi.Param:
    if isinstance(p.type, ArrayType):
        # A c128 array is compiled as float64 pairs: one axis more than the host sees.
        ndim = p.type.ndim - 1 if p.type.element.abi in abi.PAIR_TYPES else p.type.ndim
        return abi.Array(p.name, p.type.element.abi, ndim, writes=p.name in written)
    assert isinstance(p.type, Scalar), "exported functions take no lists"
    return abi.Value(p.name, p.type.abi, p.default)


def _result(name: str, t: Scalar | ArrayType) -> abi.Param:
    """A result: a number, or an array the caller receives and frees (abi.py)."""
    if isinstance(t, ArrayType):  # a c128 result, as a c128 parameter: one axis less
        ndim = t.ndim - 1 if t.element.abi in abi.PAIR_TYPES else t.ndim
        return abi.Array(name, t.element.abi, ndim)
    return abi.Value(name, t.abi)


def module_abi(module: ir.Module, source_name: str) -> abi.ModuleAbi:
    functions = []
    written = written_arrays(module.functions)
    for fn in module.functions:
        if not fn.exported:
            continue
        results: tuple[Scalar | ArrayType, ...] = (
            (fn.result,)
            if isinstance(fn.result, ArrayType)
            else fn.result.items
            if isinstance(fn.result, ResultTuple)
            else fn.result_types
        )
        names = (
            list(fn.result_names)
            if len(fn.result_names) == len(results)
            else (["result"] if len(results) == 1 else [f"result{i}" for i in range(len(results))])
        )
        functions.append(
            abi.Function(
                name=fn.name,
                params=tuple(_param(p, written[fn.symbol]) for p in fn.params),
                results=tuple(_result(n, t) for n, t in zip(names, results, strict=False)),
                line=fn.line,
                doc=fn.doc,
            )
        )
    state: list[abi.Param] = []
    for s in module.state_scalars:
        if s.symbol != abi.STATE_GLOBAL_PREFIX + s.name:
            continue  # state of a library file, not the kernel's
        state.append(abi.Value(s.name, s.type.abi, s.init))
    for a in module.state_arrays:
        state.append(abi.Array(a.name, a.element.abi, a.type.ndim, a.shape, a.offset))
    return abi.ModuleAbi(
        functions=tuple(functions),
        state=tuple(state),
        source=source_name,
        compiler=f"portalis.lang {__version__}",
        extra={"heap_base": module.heap_base, **_ownership(functions)}
        | ({"messages": [m.to_json() for m in module.messages]} if module.messages else {}),
    )


def _ownership(functions: list[abi.Function]) -> dict[str, str]:
    """Says, for a module with array results, who frees their blocks (abi.py); nothing for
    other modules, whose section stays as it was."""
    if any(f.array_results for f in functions):
        return {"array_results": abi.RESULT_OWNERSHIP}
    return {}
