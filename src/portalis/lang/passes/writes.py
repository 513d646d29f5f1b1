"""Which array parameters a function may store into (the ABI's ``writes`` flag).

A host that knows a function leaves an array alone can skip copying it back out after the
call, and the stage runner can skip copying an unchanged value in again. The answer must
be conservative: "read-only" only when no store can reach the array. An array parameter
reaches memory in exactly two ways in the IR: a :class:`~portalis.lang.ir.Store` into it
(``a[i] = v``, ``a[i] += v``; or into a whole view of it, :class:`~portalis.lang.ir.FillView`
/ :class:`~portalis.lang.ir.CopyView`, ``a[lo:hi] = v``) and an
:class:`~portalis.lang.ir.ArrayArg` passing it on to another kernel function, which may
store into it in turn. Views (rows, slices, columns) are accesses of their base array in the
IR, and arrays cannot be rebound, so a parameter's name identifies it throughout its
function. Helpers inlined into their callers already have their stores in the
caller's body; calls (recursion included) are followed to a fixed point.
"""

from __future__ import annotations

from portalis.lang import ir
from portalis.lang.types import ArrayType
from portalis.lang.walk import walk

#: The nodes that store into an array (an element, or a whole view)
_STORES = frozenset([ir.Store, ir.FillView, ir.CopyView])


def written_arrays(functions: list[ir.Function]) -> dict[str, frozenset[str]]:
    """For each function (by symbol), the names of its array parameters it may store into,
    directly or through the functions it passes them to."""
    direct: dict[str, set[str]] = {}
    #: symbol → (caller's array parameter, callee symbol, callee parameter position)
    passes: dict[str, list[tuple[str, str, int]]] = {}
    for fn in functions:
        arrays = {p.name for p in fn.params if isinstance(p.type, ArrayType)}
        stores: set[str] = set()
        edges: list[tuple[str, str, int]] = []
        # Only a function's array parameters are recorded: without any, no need to look.
        for stmt in fn.body if arrays else ():
            for node in walk(stmt):
                cls = node.__class__  # IR node classes have no subclasses: this runs per node
                if cls in _STORES and node.array.name in arrays:
                    stores.add(node.array.name)  # an element, or a whole view (a[lo:hi] = v)
                elif cls is ir.Call:
                    for k, arg in enumerate(node.args):
                        if isinstance(arg, ir.ArrayArg) and arg.array.name in arrays:
                            edges.append((arg.array.name, node.symbol, k))
        direct[fn.symbol] = stores
        passes[fn.symbol] = edges
    by_symbol = {fn.symbol: fn for fn in functions}
    written = {symbol: set(names) for symbol, names in direct.items()}
    changed = True
    while changed:  # grows monotonically, bounded by the number of array parameters
        changed = False
        for symbol, edges in passes.items():
            for name, callee, k in edges:
                if name in written[symbol]:
                    continue
                target = by_symbol.get(callee)
                # A callee the module does not define, or an argument position it does not
                # have, is assumed to write: never claim read-only without seeing the code.
                if (
                    target is None
                    or k >= len(target.params)
                    or target.params[k].name in written[callee]
                ):
                    written[symbol].add(name)
                    changed = True
    return {symbol: frozenset(names) for symbol, names in written.items()}
