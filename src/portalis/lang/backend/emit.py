"""Function bodies: typed IR → WebAssembly text instructions.

Values stay in wasm locals and on the operand stack: no boxing, one instruction per
arithmetic operation where Python's semantics allow it. Python errors become a store of the
error code (and line) into the ``portalis.error*`` globals followed by ``unreachable``.

This module emits statements and expressions; the other jobs are one module each, mixed
into :class:`FunctionEmitter`: loops as the loop passes planned them (loops.py, plan.py;
vectorised loops: simd_emit.py, as simd.py decided),
bounds checks and addresses (bounds.py), integer semantics (integers.py), builtin lowerings
(lowerings.py) and typed lists (lists.py). Every instruction is made by a typed constructor
of instructions.py (``I.local_get(name)``, ``I.f64_add()``), which checks its operands.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeGuard

from portalis.abi import ALLOC_EXPORT, ERROR_LINE_GLOBAL, FREE_EXPORT
from portalis.lang import ir
from portalis.lang.backend import instructions as I
from portalis.lang.backend import numpy_division, rounded_floats
from portalis.lang.backend.bounds import array_base
from portalis.lang.backend.instructions import Code, Instr
from portalis.lang.backend.lists import ListEmitter
from portalis.lang.backend.lowerings import CMP_FLOAT, CMP_INT, Lowerings
from portalis.lang.backend.messages import MessageEmitter
from portalis.lang.backend.plan import FunctionPlan
from portalis.lang.backend.simd_emit import VectorLoops
from portalis.lang.backend.views import ViewEmitter
from portalis.lang.types import BOOL, F32, ArrayType, ResultTuple, Scalar, TupleType
from portalis.lang.walk import walk as nodes

_CONVERT: dict[tuple[str, str], list[Instr]] = {
    ("bool", "int"): [I.i64_extend_i32_u()],
    ("bool", "i32"): [],
    ("bool", "float"): [I.f64_convert_i32_u()],
    ("bool", "f32"): [I.f32_convert_i32_u()],
    ("i32", "int"): [I.i64_extend_i32_s()],
    ("i32", "float"): [I.f64_convert_i32_s()],
    ("i32", "f32"): [I.f32_convert_i32_s()],
    ("int", "float"): [I.f64_convert_i64_s()],
    ("int", "f32"): [I.f32_convert_i64_s()],
    ("int", "i32"): [I.i32_wrap_i64()],
    ("f32", "float"): [I.f64_promote_f32()],
    ("float", "f32"): [I.f32_demote_f64()],
}


_Methods = dict[type, Callable[[Any, Any], None]]

#: the float comparisons, as emitted (branch_unless)
_FLOAT_COMPARISONS = frozenset(
    f"{t}.{op}" for t in ("f32", "f64") for op in ("eq", "ne", "lt", "gt", "le", "ge")
)
#: (emitter class, prefix) → the emitter's methods by node class, filled as classes are met.
_METHODS: dict[tuple[type, str], _Methods] = {}


def _methods(emitter: type, prefix: str) -> _Methods:
    """The emitter's methods by node class: ``s_If`` for ``ir.If``, ``e_Binary`` for
    ``ir.Binary`` (each looked up once per class: emission dispatches once per node)."""
    return _METHODS.setdefault((emitter, prefix), {})


def _method(
    methods: _Methods, emitter: type, prefix: str, node: type
) -> Callable[[Any, Any], None]:
    """A node class's method, met for the first time."""
    method: Callable[[Any, Any], None] = getattr(emitter, prefix + node.__name__)
    methods[node] = method
    return method


_LOCAL_GET = ir.LocalGet

#: Nodes that make a block the function frees on return.
_MADE = (ir.AllocArray, ir.BindArray, ir.UnpackResults, ir.ListNew, ir.ListAdopt)

#: Largest block a local array may take (the allocator's own limit).
MAX_BYTES = 0x7FFF0000


class FunctionEmitter(Lowerings, VectorLoops, ListEmitter, ViewEmitter, MessageEmitter):
    """Emits one function. ``helpers`` collects the shared helper functions it calls."""

    def __init__(
        self, fn: ir.Function, module: ir.Module, helpers: set[str], plan: FunctionPlan
    ) -> None:
        Code.__init__(self, fn)
        self.module = module
        self.helpers = helpers
        self.local_arrays: list[ir.ArrayRef] = []  # made by this function (AllocArray)
        self.local_lists: list[ir.ListRef] = []  # made by this function (ListNew)
        self.plan = plan
        self._stmt_methods = _methods(type(self), "s_")
        self._expr_methods = _methods(type(self), "e_")
        self.init_loops(plan)

    def function(self) -> list[str]:
        fn = self.fn
        params: list[str] = []
        prologue: list[Instr] = []
        for p in fn.params:
            if isinstance(p.type, ArrayType):
                params.append(f"(param ${p.name} i32)")
                for k in range(p.type.ndim):
                    params.append(f"(param ${p.name}.n{k} i32)")
                    self.extra_locals[f"{p.name}.d{k}"] = "i64"
                    prologue += [
                        I.local_get(f"{p.name}.n{k}"),
                        I.i64_extend_i32_u(),
                        I.local_set(f"{p.name}.d{k}"),
                    ]
            else:
                assert isinstance(p.type, Scalar), "lists are wired as three values by now"
                params.append(f"(param ${p.name} {p.type.wasm})")
        results = " ".join(fn.wasm_results)
        made = self.plan.made
        if made is None:  # not planned (backend/plan.py): look
            made = [n for stmt in fn.body for n in nodes(stmt) if isinstance(n, _MADE)]
        # Its own arrays: made here, or received from a call (frontend/results.py).
        self.local_arrays = [n.array for n in made if isinstance(n, ir.AllocArray | ir.BindArray)]
        self.local_arrays += [
            t
            for n in made
            if isinstance(n, ir.UnpackResults)
            for t in n.targets
            if isinstance(t, ir.ArrayRef)
        ]
        for arr in self.local_arrays:
            self.extra_locals[arr.name] = "i32"
            for k in range(arr.type.ndim):
                self.extra_locals[f"{arr.name}.n{k}"] = "i32"
                self.extra_locals[f"{arr.name}.d{k}"] = "i64"
        made_lists = [n.ref for n in made if isinstance(n, ir.ListNew | ir.ListAdopt)]
        self.local_lists = list({r.name: r for r in made_lists}.values())  # made again: once
        for ref in self.local_lists:
            self.declare_list(ref)
        self.emit(*prologue)
        self.block(fn.body)
        if not fn.wasm_results:
            self.free_local_arrays()
        if fn.wasm_results and not (fn.body and isinstance(fn.body[-1], ir.Return)):
            self.emit(I.unreachable())  # a typed function fell off its end
        head = f"(func ${fn.symbol}"
        if fn.exported:
            head += f' (export "{fn.name}")'
        if params:
            head += " " + " ".join(params)
        if results:
            head += f" (result {results})"
        local_decls = [f"  (local ${n} {t.wasm})" for n, t in fn.locals.items()]
        local_decls += [f"  (local ${n} {t})" for n, t in self.extra_locals.items()]
        return [head, *local_decls, *self.out, ")"]

    def block(self, stmts: list[ir.Stmt]) -> None:
        for s in stmts:
            cls = s.__class__
            method = self._stmt_methods.get(cls)
            if method is None:
                method = _method(self._stmt_methods, type(self), "s_", cls)
            method(self, s)

    def s_SetLocal(self, s: ir.SetLocal) -> None:
        self.expr(s.value)
        self.emit(I.local_set(s.name))

    def s_SetGlobal(self, s: ir.SetGlobal) -> None:
        self.expr(s.value)
        self.emit(I.global_set(s.symbol))

    def s_Store(self, s: ir.Store) -> None:
        offset = self.address(s.array, s.indices, s, s.safe, s.nonneg)
        self.expr(s.value)
        self.emit(I.store(s.array.element.store, offset))

    def s_Unpack(self, s: ir.Unpack) -> None:
        self.expr(s.value)
        for name in reversed(s.names):
            self.emit(I.local_set(name))

    def s_ExprStmt(self, s: ir.ExprStmt) -> None:
        self.expr(s.value)
        ty = s.value.ty
        if isinstance(ty, ArrayType | ResultTuple):  # array results nobody keeps: freed
            items = ty.items if isinstance(ty, ResultTuple) else (ty,)
            for item in reversed(items):  # the last on top of the stack
                if isinstance(item, ArrayType):
                    self.emit(*[I.drop()] * item.ndim, I.call(FREE_EXPORT))
                else:
                    self.emit(I.drop())
            return
        n = len(ty.items) if isinstance(ty, TupleType) else (1 if isinstance(ty, Scalar) else 0)
        self.emit(*[I.drop()] * n)

    @staticmethod
    def _logical(cond: ir.Expr) -> bool:
        return isinstance(cond, ir.Logical) and cond.ty == BOOL

    @classmethod
    def _short_circuit(cls, cond: ir.Expr) -> bool:
        """Whether ``cond`` is best tested by branches: an ``and``/``or`` of bools, or
        ``not`` of one (``if not (lo <= x <= hi and ...)``: a chained comparison is an
        ``and``)."""
        while cls._negation(cond):
            cond = cond.operand
        return cls._logical(cond)

    @staticmethod
    def _negation(cond: ir.Expr) -> TypeGuard[ir.Unary]:
        """Whether ``cond`` is ``not`` of a bool."""
        return isinstance(cond, ir.Unary) and cond.op == "not" and cond.operand.ty == BOOL

    def branch_unless(self, cond: ir.Expr, target: str) -> None:
        """Branch to ``target`` when the bool ``cond`` is false. ``and``/``or`` become
        branches (right operand evaluated only when Python would), not an i32 value that
        is built and then tested."""
        if self._logical(cond):
            assert isinstance(cond, ir.Logical)
            if cond.op == "and":
                self.branch_unless(cond.left, target)
                self.branch_unless(cond.right, target)
                return
            done = self.label("or")
            self.emit(I.block(done))
            self.branch_if(cond.left, done)
            self.branch_unless(cond.right, target)
            self.emit(I.end())
            return
        if self._negation(cond):
            self.branch_if(cond.operand, target)
            return
        first = len(self.out)
        self.expr(cond)
        if self.out[-1].lstrip() in _FLOAT_COMPARISONS:
            # Cranelift branches on a float comparison's flags only when the branch tests
            # it directly; with `i32.eqz` between them it sets a register, widens and tests
            # it. A float comparison cannot simply be negated (NaN), so the branch to
            # `target` is jumped over instead: `block $ok (cond) br_if $ok br target end`.
            ok = self.label("ok")
            self.out[first:] = ["  " + line for line in self.out[first:]]
            self.out.insert(first, I.pad(self.depth) + I.block(ok).text)
            self.depth += 1
            self.emit(I.br_if(ok), I.br(target), I.end())
            return
        self.emit(I.i32_eqz(), I.br_if(target))

    def branch_if(self, cond: ir.Expr, target: str) -> None:
        """Branch to ``target`` when the bool ``cond`` is true."""
        if self._logical(cond):
            assert isinstance(cond, ir.Logical)
            if cond.op == "or":
                self.branch_if(cond.left, target)
                self.branch_if(cond.right, target)
                return
            done = self.label("and")
            self.emit(I.block(done))
            self.branch_unless(cond.left, done)
            self.branch_if(cond.right, target)
            self.emit(I.end())
            return
        if self._negation(cond):
            self.branch_unless(cond.operand, target)
            return
        self.expr(cond)
        self.emit(I.br_if(target))

    def s_If(self, s: ir.If) -> None:
        if self.conditional_set(s):
            return
        if self._short_circuit(s.cond):
            # block $end { block $else { unless cond: br $else; body; br $end }; orelse }
            end, orelse = self.label("endif"), self.label("else")
            self.emit(I.block(end), I.block(orelse))
            self.branch_unless(s.cond, orelse)
            self.block(s.body)
            self.emit(I.br(end), I.end())
            self.block(s.orelse)
            self.emit(I.end())
            return
        if self._negation(s.cond):
            # `if not c: body`: `c if orelse else body end`, so that the branch tests `c`
            # itself (Cranelift branches on a float comparison's flags only then)
            self.expr(s.cond.operand)
            self.emit(I.if_())
            self.block(s.orelse)
            self.emit(I.else_())
            self.block(s.body)
            self.emit(I.end())
            return
        self.expr(s.cond)
        self.emit(I.if_())
        self.block(s.body)
        if s.orelse:
            self.emit(I.else_())
            self.block(s.orelse)
        self.emit(I.end())

    def conditional_set(self, s: ir.If) -> bool:
        """``if c: x = v`` without ``else``, ``x`` an integer local and ``v`` a constant, a
        local, or one add/sub/and/or/xor of those (no trap, no side effect, a few cycles):
        emitted without a branch, ``x = select(v, x, c)`` (``x = x ± 1``: ``x ± c`` with
        ``c`` as 0 or 1), which Cranelift turns into a conditional move. A branch on data
        (``if abs(dist) <= threshold: score += 1``) is mispredicted about as often as the
        data goes either way, each time costing more than the select. ``c`` is evaluated
        first, once, as before; ``v`` is evaluated whatever ``c`` is, which nothing can
        observe. Returns False (nothing emitted) for any other ``if``."""
        if s.orelse or len(s.body) != 1 or s.cond.ty != BOOL or self._short_circuit(s.cond):
            return False
        stmt = s.body[0]
        if not isinstance(stmt, ir.SetLocal):
            return False
        value, t = stmt.value, stmt.value.ty
        if not (
            isinstance(t, Scalar)
            and t.wasm in ("i32", "i64")
            and not t.is_float
            and self.fn.locals.get(stmt.name) == t
            and (
                _plain_operand(value)
                or (
                    isinstance(value, ir.Binary)
                    and value.op in ("add", "sub", "and", "or", "xor")
                    and _plain_operand(value.left)
                    and _plain_operand(value.right)
                )
            )
        ):
            return False
        taken = self.fresh("i32")
        self.expr(s.cond)
        self.emit(I.local_set(taken))
        if (
            isinstance(value, ir.Binary)
            and value.op in ("add", "sub")
            and isinstance(value.left, ir.LocalGet)
            and value.left.name == stmt.name
            and isinstance(value.right, ir.Const)
            and value.right.value == 1
        ):
            self.emit(I.local_get(stmt.name), I.local_get(taken))
            if t.wasm == "i64":
                self.emit(I.i64_extend_i32_u())
            self.emit(I.numeric(t.wasm, value.op))
        else:
            self.expr(value)
            self.emit(I.local_get(stmt.name), I.local_get(taken), I.select())
        self.emit(I.local_set(stmt.name))
        return True

    def s_Break(self, s: ir.Break) -> None:
        self.emit(I.br(self.labels[-1][0]))

    def s_Continue(self, s: ir.Continue) -> None:
        self.emit(I.br(self.labels[-1][1]))

    def s_Return(self, s: ir.Return) -> None:
        if s.value is not None:
            self.expr(s.value)
        if self.local_arrays or self.local_lists:  # free them with the results set aside
            kept = [self.fresh(t) for t in self.fn.wasm_results]
            self.emit(*[I.local_set(k) for k in reversed(kept)])
            # The arrays it returns are the caller's now (frontend/results.py).
            items = s.value.items if isinstance(s.value, ir.TupleExpr) else [s.value]
            self.free_local_arrays({i.array.name for i in items if isinstance(i, ir.ArrayArg)})
            self.emit(*[I.local_get(k) for k in kept])
        self.emit(I.return_())

    def free_local_arrays(self, keep: frozenset[str] | set[str] = frozenset()) -> None:
        """Give this call's arrays back to the allocator (a pointer still 0 — an array not
        made yet on this path — is ignored by the allocator's free), all but ``keep``."""
        for arr in reversed(self.local_arrays):
            if arr.name not in keep:
                self.emit(I.local_get(arr.name), I.call(FREE_EXPORT))
        self.free_lists(self.local_lists)

    def s_AllocArray(self, s: ir.AllocArray) -> None:
        """NumPy's errors first (negative dimension: ValueError; more than the allocator
        can give: MemoryError), then the block, then every element set to the fill value."""
        arr, line = s.array, self.line(s)
        size = self.fresh("i64")
        self.emit(I.i64_const(arr.element.size), I.local_set(size))
        for k, dim in enumerate(s.dims):
            d = f"{arr.name}.d{k}"
            self.expr(dim)
            self.emit(I.local_tee(d), I.i64_const(0), I.i64_lt_s())
            self.raise_if("ValueError", line)
            self.emit(I.local_get(d), I.i64_const(MAX_BYTES), I.i64_gt_u())
            self.raise_if("MemoryError", line)
            self.emit(I.local_get(d), I.i32_wrap_i64(), I.local_set(f"{arr.name}.n{k}"))
            self.emit(I.local_get(size), I.local_get(d), I.i64_mul(), I.local_tee(size))
            self.emit(I.i64_const(MAX_BYTES), I.i64_gt_u())
            self.raise_if("MemoryError", line)
        self.emit(
            I.local_get(size),
            I.i32_wrap_i64(),
            I.i32_const(8),
            I.call(ALLOC_EXPORT),
            I.local_set(arr.name),
        )
        if s.source is not None:  # a.copy(): the source's bytes
            self.emit(I.local_get(arr.name))
            self.expr(s.source)
            self.emit(*[I.drop()] * arr.type.ndim, I.local_get(size), I.i32_wrap_i64())
            self.emit(I.memory_copy())
            return
        zero = (
            isinstance(s.fill, ir.Const)
            and s.fill.value == 0
            and not (isinstance(s.fill.value, float) and math.copysign(1.0, s.fill.value) < 0)
        )
        if zero:  # freed blocks are reused: zero them
            self.emit(I.local_get(arr.name), I.i32_const(0), I.local_get(size))
            self.emit(I.i32_wrap_i64(), I.memory_fill())
            return
        value, p, end = self.fresh(arr.element.value.wasm), self.fresh("i32"), self.fresh("i32")
        self.expr(s.fill)
        self.emit(I.local_set(value), I.local_get(arr.name), I.local_tee(p))
        self.emit(I.local_get(size), I.i32_wrap_i64(), I.i32_add(), I.local_set(end))
        done, top = self.label("filled"), self.label("fill")
        self.emit(I.block(done), I.loop(top))
        self.emit(I.local_get(p), I.local_get(end), I.i32_ge_u(), I.br_if(done))
        self.emit(I.local_get(p), I.local_get(value), I.store(arr.element.store))
        self.emit(I.local_get(p), I.i32_const(arr.element.size), I.i32_add())
        self.emit(I.local_set(p), I.br(top))
        self.emit(I.end(), I.end())

    def s_BindArray(self, s: ir.BindArray) -> None:
        """``b = f(...)``: the returned block's address and extents into ``b``'s locals."""
        self.expr(s.value)
        self.take_array(s.array)

    def s_UnpackResults(self, s: ir.UnpackResults) -> None:
        """``pts, n = f(...)``: the results, last on top, into arrays' and numbers' locals."""
        self.expr(s.value)
        for t in reversed(s.targets):
            if isinstance(t, str):
                self.emit(I.local_set(t))
            else:
                self.take_array(t)

    def take_array(self, arr: ir.ArrayRef) -> None:
        """Pop an array (address, then extents, on the stack) into ``arr``'s locals."""
        for k in reversed(range(arr.type.ndim)):
            self.emit(I.local_set(f"{arr.name}.n{k}"))
        self.emit(I.local_set(arr.name))
        for k in range(arr.type.ndim):
            n, d = f"{arr.name}.n{k}", f"{arr.name}.d{k}"
            self.emit(I.local_get(n), I.i64_extend_i32_u(), I.local_set(d))

    def s_Raise(self, s: ir.Raise) -> None:
        self.raise_(s.exception, self.line(s))

    def expr(self, e: ir.Expr) -> None:
        cls = e.__class__
        if cls is _LOCAL_GET:  # nearly half of all expressions: e_LocalGet, without a call
            self.emit(I.local_get(e.name))  # type: ignore[attr-defined]
            return
        method = self._expr_methods.get(cls)
        if method is None:
            method = _method(self._expr_methods, type(self), "e_", cls)
        method(self, e)

    def e_Const(self, e: ir.Const) -> None:
        assert isinstance(e.ty, Scalar)
        self.emit(I.const(e.ty, e.value))

    def e_LocalGet(self, e: ir.LocalGet) -> None:
        self.emit(I.local_get(e.name))

    def e_LocalTee(self, e: ir.LocalTee) -> None:
        self.expr(e.value)
        self.emit(I.local_tee(e.name))

    def e_GlobalGet(self, e: ir.GlobalGet) -> None:
        self.emit(I.global_get(e.symbol))

    def e_Load(self, e: ir.Load) -> None:
        offset = self.address(e.array, e.indices, e, e.safe, e.nonneg)
        self.emit(I.load(e.array.element.load, offset))

    def e_Dim(self, e: ir.Dim) -> None:
        self.emit(self.dim(e.array, e.axis))

    def e_TableLoad(self, e: ir.TableLoad) -> None:
        if (id(e), 0) in self.proven:  # masked in range (backend/table_index.py): no check
            self.expr(e.index)
        else:
            nonneg = (id(e), 0) in self.nonneg_proven  # backend/ranges.py
            self.checked_index(e.index, I.i64_const(e.length), e, nonneg=nonneg)
        base = self.module.table_offsets[e.symbol]
        self.emit(I.i32_wrap_i64(), I.i32_const(3), I.i32_shl())
        assert isinstance(e.ty, Scalar)
        self.emit(I.load(f"{e.ty.wasm}.load", base))

    def e_ArrayArg(self, e: ir.ArrayArg) -> None:
        arr = e.array
        prefix = [*e.prefix, e.start] if e.start is not None else e.prefix
        if prefix:
            self.sub_array_address(arr, prefix)
        else:
            self.emit(array_base(arr))
        for k in range(len(e.prefix), arr.type.ndim):
            if k == len(e.prefix) and e.count is not None:  # a slice's own length
                self.expr(e.count)
                self.emit(I.i32_wrap_i64())
            elif arr.shape is not None:
                self.emit(I.i32_const(arr.shape[k]))
            else:
                self.emit(I.local_get(f"{arr.name}.n{k}"))

    def e_CheckedIndex(self, e: ir.CheckedIndex) -> None:
        extent = self.dim(e.array, e.axis) if e.array is not None else I.i64_const(e.extent)
        if e.bound is not None:  # a slice view's length, read once
            if isinstance(e.bound, ir.LocalGet):
                extent = I.local_get(e.bound.name)
            else:
                held = self.fresh("i64")
                self.expr(e.bound)
                self.emit(I.local_set(held))
                extent = I.local_get(held)
        self.checked_index(e.index, extent, e)

    def e_Block(self, e: ir.Block) -> None:
        types = (
            e.ty.items
            if isinstance(e.ty, TupleType)
            else ((e.ty,) if isinstance(e.ty, Scalar) else ())
        )
        self.emit(I.block(e.label, tuple(t.wasm for t in types)))
        saved, self.labels = self.labels, []  # the callee's loops only
        self.block(e.stmts)
        self.labels = saved
        if types and not (e.stmts and isinstance(e.stmts[-1], ir.Exit)):
            # A typed inlined function that falls off its end; a void one just ends.
            self.emit(I.unreachable())
        self.emit(I.end())

    def s_Exit(self, s: ir.Exit) -> None:
        if s.value is not None:
            self.expr(s.value)
        self.emit(I.br(s.label))

    def e_Seq(self, e: ir.Seq) -> None:
        self.block(e.stmts)
        self.expr(e.value)

    def e_TupleExpr(self, e: ir.TupleExpr) -> None:
        for item in e.items:
            self.expr(item)

    def e_Call(self, e: ir.Call) -> None:
        for a in e.args:
            self.expr(a)
        if not self.fn.library and "." in e.symbol and e.line:
            # Library code raises without a line of its own: record the caller's.
            self.emit(I.i32_const(e.line), I.global_set(ERROR_LINE_GLOBAL))
        self.emit(I.call(e.symbol))

    def e_Unary(self, e: ir.Unary) -> None:
        t = e.ty
        assert isinstance(t, Scalar)
        if e.op == "not":
            self.expr(e.operand)
            self.emit(I.i32_eqz())
        elif e.op == "neg" and t.is_float:
            self.expr(e.operand)
            self.emit(I.numeric(t.wasm, "neg"))
        elif e.op == "neg":
            self.emit(I.const(t, 0))
            self.expr(e.operand)
            self.emit(I.numeric(t.wasm, "sub"))
        else:  # invert
            self.expr(e.operand)
            self.emit(I.const(t, -1), I.numeric(t.wasm, "xor"))

    def truth_of_stack(self, t: Scalar) -> None:
        if t.is_bool:
            return
        self.emit(I.const(t, 0), I.numeric(t.wasm, "ne"))

    def e_Cast(self, e: ir.Cast) -> None:
        src = e.value.ty
        assert isinstance(src, Scalar) and isinstance(e.ty, Scalar)
        if rounded_floats.float_of_rounding(self, e):  # float(round(x)): no int64 round trip
            return
        self.expr(e.value)
        if e.kind == "truth":
            self.truth_of_stack(src)
        elif e.kind == "py_int":
            self.py_int(self.line(e), id(e) in self.fits, id(e) in self.nonzero)
        else:
            self.emit(*_CONVERT[(src.name, e.ty.name)])

    def e_Compare(self, e: ir.Compare) -> None:
        t = e.left.ty
        assert isinstance(t, Scalar)
        left = e.left
        if (
            e.op in ("eq", "ne")
            and isinstance(left, ir.Binary)
            and left.op == "mod"
            and not t.is_float
            and isinstance(e.right, ir.Const)
            and e.right.value == 0
        ):
            # `a % b == 0`: the floor-modulo sign fix-up cannot change zero-ness, so the
            # plain remainder decides (a divisibility test in a hot loop).
            a, b = self.fresh(t.wasm), self.fresh(t.wasm)
            self.expr(left.left)
            self.emit(I.local_set(a))
            self.divisor(left.right, t, left)
            self.emit(I.local_set(b))
            self.divrem("rem", t.wasm, a, b)
            self.emit(I.numeric(t.wasm, "eqz"))
            if e.op == "ne":
                self.emit(I.i32_eqz())
            return
        self.expr(e.left)
        self.expr(e.right)
        table = CMP_FLOAT if t.is_float else CMP_INT
        self.emit(I.numeric(t.wasm, table[e.op]))

    def e_Logical(self, e: ir.Logical) -> None:
        t = e.ty
        assert isinstance(t, Scalar)
        self.expr(e.left)
        self.emit(I.local_tee(e.temp))
        self.truth_of_stack(t)
        self.emit(I.if_((t.wasm,)))
        if e.op == "and":
            self.expr(e.right)
        else:
            self.emit(I.local_get(e.temp))
        self.emit(I.else_())
        if e.op == "and":
            self.emit(I.local_get(e.temp))
        else:
            self.expr(e.right)
        self.emit(I.end())

    def e_IfExp(self, e: ir.IfExp) -> None:
        assert isinstance(e.ty, Scalar)
        self.expr(e.cond)
        self.emit(I.if_((e.ty.wasm,)))
        self.expr(e.then)
        self.emit(I.else_())
        self.expr(e.orelse)
        self.emit(I.end())

    def e_Binary(self, e: ir.Binary) -> None:
        t = e.ty
        assert isinstance(t, Scalar)
        w = t.wasm
        op = e.op
        if op in ("add", "sub", "mul", "and", "or", "xor"):
            if (
                t.is_float
                and op != "sub"
                and isinstance(e.left, ir.Const)
                and not isinstance(e.right, ir.Const)
            ):
                # c + x as x + c (and c·x as x·c): the same bits (IEEE addition and
                # multiplication commute, a constant is no NaN to propagate), and Cranelift
                # reads a constant right operand from memory where a left one costs a
                # movabs and a move into a float register (polynomials: ``_PP0 + z * _PP1``).
                self.expr(e.right)
                self.expr(e.left)
            else:
                self.expr(e.left)
                self.expr(e.right)
            self.emit(I.numeric(w, op))
        elif op == "div" and t.is_float and (inverse := _exact_inverse(e.right)) is not None:
            # x / 2**k as x * 2**-k: both are the rounding of the same real number, so the
            # same bits for every x (NaN, ±inf, ±0.0, subnormals), and a product is a
            # fraction of a division's latency (``h / COLOUR_TOP`` per point)
            self.expr(e.left)
            self.emit(I.const(t, inverse), I.numeric(w, "mul"))
        elif op == "div":
            self.expr(e.left)
            if e.numpy:  # NumPy's division: ±inf/nan for a zero divisor, no test
                self.expr(e.right)
            else:
                self.divisor(e.right, t, e)
            self.emit(I.numeric(w, "div"))
        elif op in ("floordiv", "mod") and t.is_float:
            self.expr(e.left)
            self.expr(e.right)
            name = f"{op}_f64"
            if e.numpy:  # NumPy's result for a zero divisor (backend/numpy_division.py)
                name, python_helper = numpy_division.helper_names(op)
                self.helpers.add(python_helper)
            self.emit(I.i32_const(self.line(e)), I.call(f"~{name}"))
            self.helpers.add(name)
        elif op in ("floordiv", "mod"):
            self.int_divmod(e, t)
        elif op == "pow":
            self.expr(e.left)
            if w == "i32":
                self.emit(I.i64_extend_i32_s())
            self.expr(e.right)
            self.emit(I.i32_const(self.line(e)), I.call("~pow_int"))
            if w == "i32":
                self.emit(I.i32_wrap_i64())
            self.helpers.add("pow_int")
        elif op in ("shl", "shr"):
            self.shift(e, t)
        else:
            raise AssertionError(op)


def _plain_operand(e: ir.Expr) -> bool:
    """A constant or a local: free to compute when its value may go unused."""
    return isinstance(e, ir.Const | ir.LocalGet)


def _exact_inverse(e: ir.Expr) -> float | None:
    """1/c for a float constant c = ±2**k whose inverse is a normal number of c's type (then
    x / c == x * (1/c) exactly); None otherwise."""
    if not isinstance(e, ir.Const) or isinstance(e.value, bool):
        return None
    c = float(e.value)
    if c == 0.0 or not math.isfinite(c) or abs(math.frexp(c)[0]) != 0.5:
        return None
    inverse = 1.0 / c
    lowest = 2.0**-126 if e.ty == F32 else 2.0**-1022
    highest = 2.0**127 if e.ty == F32 else 2.0**1023
    return inverse if lowest <= abs(inverse) <= highest else None


__all__ = ["FunctionEmitter"]
