"""The typed intermediate representation: what the front end produces and the back end
turns into WebAssembly text.

Every node carries the source position (``line``, ``col``) of the Python it came from, so a
trap can name the kernel's line. Expressions carry their type; operands are already
converted to the operation's type (the front end inserts :class:`Cast` nodes), so the back end
never decides a type on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portalis.lang.types import (
    BOOL,
    ArrayType,
    Element,
    ListType,
    ResultTuple,
    Scalar,
    TupleType,
    Type,
)
from portalis.messages import Message as Message_


@dataclass
class Node:
    line: int
    col: int


# -- expressions ----------------------------------------------------------------------------


@dataclass
class Expr(Node):
    ty: Type


@dataclass
class Const(Expr):
    value: int | float | bool


@dataclass
class LocalGet(Expr):
    name: str


@dataclass
class LocalTee(Expr):
    """Store ``value`` in a local and yield it (used to evaluate a chained comparison's middle
    operand once)."""

    name: str
    value: Expr


@dataclass
class GlobalGet(Expr):
    symbol: str


@dataclass
class Unary(Expr):
    op: str  # neg, not, invert
    operand: Expr


@dataclass
class Binary(Expr):
    """Arithmetic or bitwise operation on two operands of type ``ty``.

    ``op`` is one of add sub mul div floordiv mod pow and or xor shl shr. ``numpy``: a float
    ``div``/``floordiv``/``mod`` on a NumPy value, which gives NumPy's inf/nan for a zero
    divisor instead of ZeroDivisionError (frontend/numpy_floats.py).
    """

    op: str
    left: Expr
    right: Expr
    numpy: bool = False


@dataclass
class Compare(Expr):
    op: str  # lt le gt ge eq ne
    left: Expr
    right: Expr


@dataclass
class Logical(Expr):
    """Python ``and``/``or``: yields an operand, not just a bool; ``temp`` holds the left one."""

    op: str  # and, or
    left: Expr
    right: Expr
    temp: str


@dataclass
class IfExp(Expr):
    cond: Expr
    then: Expr
    orelse: Expr


@dataclass
class Cast(Expr):
    """Convert ``value`` to ``ty``. ``kind``: ``convert`` (exact or rounding numeric
    conversion), ``truth`` (Python truthiness to bool), ``py_int`` (float → int with
    CPython's ValueError/OverflowError), ``bits`` (reinterpret)."""

    kind: str
    value: Expr


@dataclass
class Call(Expr):
    symbol: str
    args: list[Expr]


@dataclass
class BuiltinCall(Expr):
    """A call of a registry builtin; ``lowering`` names the back end's emitter."""

    lowering: str
    args: list[Expr]


@dataclass
class ArrayRef:
    """Where an array lives: a parameter (locals ``NAME`` and ``NAME.dK``) or a persistent
    array at a fixed offset with a fixed shape."""

    name: str
    type: ArrayType
    offset: int | None = None
    shape: tuple[int, ...] | None = None

    @property
    def element(self) -> Element:
        return self.type.element


@dataclass
class Load(Expr):
    array: ArrayRef
    indices: list[Expr]
    #: Per index: proven in bounds (frontend/bounds.py), so no check is emitted.
    safe: list[bool] = field(default_factory=list)
    #: Per index: proven non-negative, so only the upper bound is checked.
    nonneg: list[bool] = field(default_factory=list)


@dataclass
class Dim(Expr):
    """``len(a)`` / ``a.shape[k]``: an array extent as ``int``."""

    array: ArrayRef
    axis: int


@dataclass
class TableLoad(Expr):
    """``TABLE[i]`` for a module-level constant tuple stored in a data segment."""

    symbol: str
    offset: int
    length: int
    index: Expr


@dataclass
class Seq(Expr):
    """Run ``stmts``, then yield ``value``: an inlined call (arguments bound to locals)."""

    stmts: list[Stmt]
    value: Expr


@dataclass
class Block(Expr):
    """An inlined function with control flow: ``stmts`` run until an :class:`Exit` naming
    ``label`` yields the value (the callee's ``return``)."""

    label: str
    stmts: list[Stmt]


@dataclass
class ArrayArg(Expr):
    """An array passed to another kernel function: its address, then its extents. With a
    ``prefix`` (indices already checked), the sub-array ``array[prefix...]`` is passed: a row
    of a 2-D array as a 1-D array, in place."""

    array: ArrayRef
    prefix: list[Expr] = field(default_factory=list)
    #: A slice of the view's first axis (frontend/slices.py): it starts at element ``start``
    #: of that axis (already clamped) and has ``count`` elements there.
    start: Expr | None = None
    count: Expr | None = None


@dataclass
class CheckedIndex(Expr):
    """``index`` as a valid position along ``axis`` of ``array`` (negative counts from the
    end), IndexError otherwise: the leading indices of a view such as ``row = a[i]``,
    checked where Python checks them, when the view is made."""

    array: ArrayRef | None
    axis: int
    index: Expr
    #: The length to check against when there is no array (a level of a constant table).
    extent: int = 0
    #: ... or an int64 expression (a slice view's length, frontend/slices.py).
    bound: Expr | None = None


@dataclass
class TupleExpr(Expr):
    items: list[Expr]


@dataclass
class ListRef:
    """A typed list made by the function (``xs: list[float] = []``): its block, length and
    capacity live in locals ``NAME``, ``NAME.len`` and ``NAME.cap``, which only the list
    nodes below touch (backend/lists.py). ``owns_blocks``: each item is the block of an
    inner list, freed with this list (the block column of a list of lists,
    frontend/nested_lists.py)."""

    name: str
    element: Scalar
    owns_blocks: bool = False


@dataclass
class ListLen(Expr):
    """``len(xs)``."""

    ref: ListRef


@dataclass
class ListGet(Expr):
    """``xs[i]``: negative ``i`` counts from the end, anything else out of range raises
    IndexError, checked against the length at that moment. ``checked`` False: ``index`` is
    known to lie in ``[0, len)`` (code the compiler wrote, frontend/heaps.py)."""

    ref: ListRef
    index: Expr
    checked: bool = True


@dataclass
class ListPop(Expr):
    """``xs.pop()``: the last item, removed; IndexError on an empty list."""

    ref: ListRef


# -- statements -----------------------------------------------------------------------------


@dataclass
class Stmt(Node):
    pass


@dataclass
class SetLocal(Stmt):
    name: str
    value: Expr


@dataclass
class SetGlobal(Stmt):
    symbol: str
    value: Expr


@dataclass
class AllocArray(Stmt):
    """``a = numpy.zeros(shape)`` (and ``empty``/``ones``/``full``/``*_like``) in a function:
    an array of run-time ``dims`` from the module's allocator, every element ``fill``
    (zero for ``zeros`` and ``empty``). It lives in locals like an array parameter's and is
    freed when the function returns (backend/emit.py)."""

    array: ArrayRef
    dims: list[Expr]
    fill: Expr
    #: ``b = a.copy()``: the elements come from this array (an :class:`ArrayArg`, or a
    #: :class:`Seq` computing a slice's bounds first) instead (``fill`` unused).
    source: Expr | None = None


@dataclass
class BindArray(Stmt):
    """``b = f(...)`` where ``f`` returns an array: ``b`` takes over the block ``f`` made (its
    address and extents, as an :class:`AllocArray`'s) and frees it when the function
    returns, unless it returns ``b`` itself (frontend/results.py)."""

    array: ArrayRef
    value: Call


@dataclass
class FillView(Stmt):
    """``a[lo:hi] = v``, ``m[i] = v``, ``a[:] = v``: every element of the view ``target``
    (an :class:`ArrayArg`, possibly in a :class:`Seq`) set to ``value``, already of the
    element's type (frontend/assign_views.py). ``array`` is the base array written."""

    array: ArrayRef
    target: Expr
    value: Expr


@dataclass
class CopyView(Stmt):
    """``a[lo:hi] = b[...]``, ``new[:, :] = u``: the view ``source`` copied into the view
    ``target`` (both :class:`ArrayArg`-like, of one element type and rank); their extents
    must be equal (ValueError otherwise), and overlapping views copy as NumPy does (as if
    through a temporary). ``array`` is the base array written."""

    array: ArrayRef
    target: Expr
    source: Expr


@dataclass
class UnpackResults(Stmt):
    """``pts, n = f(...)`` where ``f`` returns arrays and numbers (a :class:`ResultTuple`):
    each array item's block bound to an array the function owns (as :class:`BindArray`),
    each number to a local, in order."""

    targets: list[ArrayRef | str]
    value: Call


@dataclass
class SwapArrays(Stmt):
    """``u, new = new, u`` for two arrays the function made with the same shape (one made
    as a copy or ``*_like`` of the other): their blocks change names; extents are equal, so
    nothing proven about them changes (frontend/rebind.py)."""

    first: ArrayRef
    second: ArrayRef


@dataclass
class ListNew(Stmt):
    """``xs = [a, b, ...]`` (or ``[]``): a list from the module's allocator holding
    ``items``, freed when the function returns, like :class:`AllocArray`'s arrays.
    ``again``: the list may have been made before in this call (in a loop, a branch, a
    second assignment); its previous block is freed first."""

    ref: ListRef
    items: list[Expr]
    again: bool = False


@dataclass
class ListAdopt(Stmt):
    """``ys = _helper(...)`` returning a list: ``value`` (the call) yields the new list's
    block, length and capacity, then the copied-back lists of ``rest`` (names of list
    locals passed to it, three values each); ``ys``'s previous block is freed first when
    ``again`` (frontend/list_calls.py)."""

    ref: ListRef
    value: Expr
    rest: list[str]
    again: bool = False


@dataclass
class ListAppend(Stmt):
    """``xs.append(v)``: the block doubles when full (MemoryError past the allocator's
    limit)."""

    ref: ListRef
    value: Expr


@dataclass
class ListSet(Stmt):
    """``xs[i] = v`` (``value`` is evaluated before ``index``, as in Python); ``checked`` as
    :class:`ListGet`'s."""

    ref: ListRef
    index: Expr
    value: Expr
    checked: bool = True


@dataclass
class Store(Stmt):
    array: ArrayRef
    indices: list[Expr]
    value: Expr
    safe: list[bool] = field(default_factory=list)
    nonneg: list[bool] = field(default_factory=list)


@dataclass
class Unpack(Stmt):
    """Evaluate a tuple-typed expression and assign its items to locals, in order."""

    names: list[str]
    value: Expr


@dataclass
class ExprStmt(Stmt):
    value: Expr


@dataclass
class If(Stmt):
    cond: Expr
    body: list[Stmt]
    orelse: list[Stmt]


@dataclass
class While(Stmt):
    cond: Expr
    body: list[Stmt]


@dataclass
class ForRange(Stmt):
    """``for var in range(start, stop, step)``: ``counter``/``limit``/``stride`` are hidden
    locals so that assigning ``var`` in the body does not change the iteration, as in
    Python. ``step`` is a :class:`Const` when known, which lets the back end pick the loop
    test statically."""

    var: str
    start: Expr
    stop: Expr
    step: Expr
    body: list[Stmt]
    counter: str
    limit: str
    stride: str
    #: Iterations run at once: 2 when backend/simd.py proved them independent.
    lanes: int = 1


@dataclass
class Break(Stmt):
    pass


@dataclass
class Continue(Stmt):
    pass


@dataclass
class Return(Stmt):
    value: Expr | None


@dataclass
class Exit(Stmt):
    """Leave the :class:`Block` ``label`` with ``value`` (a ``return`` once inlined)."""

    label: str
    value: Expr | None


@dataclass
class Message(Stmt):
    """Send message number ``index`` of :attr:`Module.messages` with ``values`` to the host
    (``print``, or the text of the exception a :class:`Raise` right after raises)."""

    kind: str
    index: int
    values: list[Expr]


@dataclass
class Raise(Stmt):
    """Trap with a Python exception (an :data:`portalis.abi.ERROR_CODES` name)."""

    exception: str


# -- functions and modules ------------------------------------------------------------------


@dataclass
class Param:
    name: str
    type: Scalar | ArrayType | ListType  # lists: helpers' parameters only
    default: int | float | bool | None = None


@dataclass
class Function:
    name: str  # Python name
    symbol: str  # wasm name, unique in the module
    params: list[Param]
    result: Type
    body: list[Stmt] = field(default_factory=list)
    locals: dict[str, Scalar] = field(default_factory=dict)
    exported: bool = False
    #: Part of the math library or prelude: its traps keep the caller's line.
    library: bool = False
    line: int = 0
    doc: str = ""
    #: Names for the results, when every ``return`` names them the same way
    #: (``return x, y, contact``); hosts bind results to outputs by these names.
    result_names: tuple[str, ...] = ()

    @property
    def wasm_results(self) -> tuple[str, ...]:
        """The wasm result types: an array result is its address, then its extents."""
        if isinstance(self.result, ArrayType):
            return ("i32",) * (1 + self.result.ndim)
        if isinstance(self.result, ResultTuple):
            return tuple(
                w
                for t in self.result.items
                for w in (("i32",) * (1 + t.ndim) if isinstance(t, ArrayType) else (t.wasm,))
            )
        return tuple(t.wasm for t in self.result_types)

    @property
    def result_types(self) -> tuple[Scalar, ...]:
        if isinstance(self.result, TupleType):
            return self.result.items
        if isinstance(self.result, Scalar):
            return (self.result,)
        return ()


@dataclass
class StateScalar:
    name: str
    symbol: str
    type: Scalar
    init: int | float | bool


@dataclass
class DataBlock:
    """Bytes placed at a fixed offset: a constant table, or (zero-filled) a state array."""

    symbol: str
    offset: int
    data: bytes


@dataclass
class Module:
    functions: list[Function]
    state_scalars: list[StateScalar]
    state_arrays: list[ArrayRef]
    data: list[DataBlock]
    heap_base: int
    #: ``libm:NAME`` / ``prelude:NAME`` → symbol of the compiled-in function providing it.
    links: dict[str, str] = field(default_factory=dict)
    table_offsets: dict[str, int] = field(default_factory=dict)
    source_name: str = ""
    #: What ``Message`` statements send (portalis/messages.py), by index.
    messages: list[Message_] = field(default_factory=list)


__all__ = [
    "BOOL",
    "AllocArray",
    "ArrayArg",
    "ArrayRef",
    "Binary",
    "BindArray",
    "Block",
    "Break",
    "BuiltinCall",
    "Call",
    "Cast",
    "CheckedIndex",
    "Compare",
    "Const",
    "Continue",
    "CopyView",
    "DataBlock",
    "Dim",
    "Exit",
    "Expr",
    "ExprStmt",
    "FillView",
    "ForRange",
    "Function",
    "GlobalGet",
    "If",
    "IfExp",
    "ListAdopt",
    "ListAppend",
    "ListGet",
    "ListLen",
    "ListNew",
    "ListPop",
    "ListRef",
    "ListSet",
    "Load",
    "LocalGet",
    "LocalTee",
    "Logical",
    "Message",
    "Module",
    "Node",
    "Param",
    "Raise",
    "Return",
    "Seq",
    "SetGlobal",
    "SetLocal",
    "StateScalar",
    "Stmt",
    "Store",
    "SwapArrays",
    "TableLoad",
    "TupleExpr",
    "Unary",
    "Unpack",
    "UnpackResults",
    "While",
]
