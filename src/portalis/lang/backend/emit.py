"""Function bodies: typed IR → WebAssembly text instructions.

Values stay in wasm locals and on the operand stack: no boxing, one instruction per
arithmetic operation where Python's semantics allow it. Python errors become a store of the
error code (and line) into the ``portalis.error*`` globals followed by ``unreachable``.
"""

from __future__ import annotations

import math

from portalis.abi import ERROR_CODES, ERROR_GLOBAL, ERROR_LINE_GLOBAL
from portalis.lang import builtins, ir
from portalis.lang.backend import rows, signs, unroll, versioning
from portalis.lang.types import BOOL, F32, F64, I32, I64, ArrayType, Scalar, TupleType

_CMP_INT = {"lt": "lt_s", "le": "le_s", "gt": "gt_s", "ge": "ge_s", "eq": "eq", "ne": "ne"}
_CMP_FLOAT = {"lt": "lt", "le": "le", "gt": "gt", "ge": "ge", "eq": "eq", "ne": "ne"}
_CONVERT: dict[tuple[str, str], list[str]] = {
    ("bool", "int"): ["i64.extend_i32_u"],
    ("bool", "i32"): [],
    ("bool", "float"): ["f64.convert_i32_u"],
    ("bool", "f32"): ["f32.convert_i32_u"],
    ("i32", "int"): ["i64.extend_i32_s"],
    ("i32", "float"): ["f64.convert_i32_s"],
    ("i32", "f32"): ["f32.convert_i32_s"],
    ("int", "float"): ["f64.convert_i64_s"],
    ("int", "f32"): ["f32.convert_i64_s"],
    ("int", "i32"): ["i32.wrap_i64"],
    ("f32", "float"): ["f64.promote_f32"],
    ("float", "f32"): ["f32.demote_f64"],
}
_SHIFT = {1: 0, 2: 1, 4: 2, 8: 3}


def wat_float(v: float) -> str:
    if math.isnan(v):
        return "nan" if math.copysign(1.0, v) > 0 else "-nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(v)  # the assembler parses decimals correctly rounded, so repr round-trips


def const(t: Scalar, v: int | float | bool) -> str:
    if t.is_float:
        return f"{t.wasm}.const {wat_float(float(v))}"
    return f"{t.wasm}.const {int(v)}"


def array_base(arr: ir.ArrayRef) -> str:
    return f"i32.const {arr.offset}" if arr.offset is not None else f"local.get ${arr.name}"


class FunctionEmitter:
    """Emits one function. ``helpers`` collects the shared helper functions it calls."""

    def __init__(self, fn: ir.Function, module: ir.Module, helpers: set[str]) -> None:
        self.fn = fn
        self.module = module
        self.helpers = helpers
        self.out: list[str] = []
        self.depth = 1
        self.extra_locals: dict[str, str] = {}
        self.labels: list[tuple[str, str]] = []  # (break, continue) of enclosing loops
        #: (id of a Load/Store, axis) whose check a loop version's guard has made redundant
        self.proven: frozenset[tuple[int, int]] = frozenset()
        #: id of a Load/Store → the row address it uses in the loop being emitted
        self.rows: dict[int, rows.Use] = {}
        #: how far (in loop-variable units) the copy being emitted is past the pointers
        self.row_step = 0
        self._n = 0

    # -- plumbing -----------------------------------------------------------------------

    def emit(self, *instrs: str) -> None:
        pad = "  " * self.depth
        self.out.extend(pad + i for i in instrs)

    def fresh(self, wasm: str) -> str:
        self._n += 1
        name = f"~w{self._n}"
        self.extra_locals[name] = wasm
        return name

    def label(self, kind: str) -> str:
        self._n += 1
        return f"${kind}{self._n}"

    def line(self, node: ir.Node) -> int:
        return 0 if self.fn.library else node.line

    def raise_(self, exception: str, line: int) -> None:
        self.emit(f"i32.const {ERROR_CODES[exception]}", f"global.set ${ERROR_GLOBAL}")
        if line:
            self.emit(f"i32.const {line}", f"global.set ${ERROR_LINE_GLOBAL}")
        self.emit("unreachable")

    def raise_if(self, exception: str, line: int) -> None:
        """Trap with ``exception`` when the i32 on the stack is non-zero."""
        self.emit("if")
        self.depth += 1
        self.raise_(exception, line)
        self.depth -= 1
        self.emit("end")

    # -- function -----------------------------------------------------------------------

    def function(self) -> list[str]:
        fn = self.fn
        params: list[str] = []
        prologue: list[str] = []
        for p in fn.params:
            if isinstance(p.type, ArrayType):
                params.append(f"(param ${p.name} i32)")
                for k in range(p.type.ndim):
                    params.append(f"(param ${p.name}.n{k} i32)")
                    self.extra_locals[f"{p.name}.d{k}"] = "i64"
                    prologue += [
                        f"local.get ${p.name}.n{k}",
                        "i64.extend_i32_u",
                        f"local.set ${p.name}.d{k}",
                    ]
            else:
                params.append(f"(param ${p.name} {p.type.wasm})")
        results = " ".join(t.wasm for t in fn.result_types)
        self.emit(*prologue)
        self.block(fn.body)
        if fn.result_types and not (fn.body and isinstance(fn.body[-1], ir.Return)):
            self.emit("unreachable")  # a typed function fell off its end
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

    # -- statements ---------------------------------------------------------------------

    def block(self, stmts: list[ir.Stmt]) -> None:
        for s in stmts:
            getattr(self, "s_" + type(s).__name__)(s)

    def s_SetLocal(self, s: ir.SetLocal) -> None:
        self.expr(s.value)
        self.emit(f"local.set ${s.name}")

    def s_SetGlobal(self, s: ir.SetGlobal) -> None:
        self.expr(s.value)
        self.emit(f"global.set ${s.symbol}")

    def s_Store(self, s: ir.Store) -> None:
        offset = self.address(s.array, s.indices, s, s.safe, s.nonneg)
        self.expr(s.value)
        self.emit(f"{s.array.element.store}{offset}")

    def s_Unpack(self, s: ir.Unpack) -> None:
        self.expr(s.value)
        for name in reversed(s.names):
            self.emit(f"local.set ${name}")

    def s_ExprStmt(self, s: ir.ExprStmt) -> None:
        self.expr(s.value)
        ty = s.value.ty
        n = len(ty.items) if isinstance(ty, TupleType) else (1 if isinstance(ty, Scalar) else 0)
        self.emit(*["drop"] * n)

    @staticmethod
    def _short_circuit(cond: ir.Expr) -> bool:
        return isinstance(cond, ir.Logical) and cond.ty == BOOL

    def branch_unless(self, cond: ir.Expr, target: str) -> None:
        """Branch to ``target`` when the bool ``cond`` is false. ``and``/``or`` become
        branches (right operand evaluated only when Python would), not an i32 value that
        is built and then tested."""
        if self._short_circuit(cond):
            assert isinstance(cond, ir.Logical)
            if cond.op == "and":
                self.branch_unless(cond.left, target)
                self.branch_unless(cond.right, target)
                return
            done = self.label("or")
            self.emit(f"block {done}")
            self.depth += 1
            self.branch_if(cond.left, done)
            self.branch_unless(cond.right, target)
            self.depth -= 1
            self.emit("end")
            return
        if isinstance(cond, ir.Unary) and cond.op == "not" and cond.operand.ty == BOOL:
            self.branch_if(cond.operand, target)
            return
        self.expr(cond)
        self.emit("i32.eqz", f"br_if {target}")

    def branch_if(self, cond: ir.Expr, target: str) -> None:
        """Branch to ``target`` when the bool ``cond`` is true."""
        if self._short_circuit(cond):
            assert isinstance(cond, ir.Logical)
            if cond.op == "or":
                self.branch_if(cond.left, target)
                self.branch_if(cond.right, target)
                return
            done = self.label("and")
            self.emit(f"block {done}")
            self.depth += 1
            self.branch_unless(cond.left, done)
            self.branch_if(cond.right, target)
            self.depth -= 1
            self.emit("end")
            return
        if isinstance(cond, ir.Unary) and cond.op == "not" and cond.operand.ty == BOOL:
            self.branch_unless(cond.operand, target)
            return
        self.expr(cond)
        self.emit(f"br_if {target}")

    def s_If(self, s: ir.If) -> None:
        if self._short_circuit(s.cond):
            # block $end { block $else { unless cond: br $else; body; br $end }; orelse }
            end, orelse = self.label("endif"), self.label("else")
            self.emit(f"block {end}", f"  block {orelse}")
            self.depth += 2
            self.branch_unless(s.cond, orelse)
            self.block(s.body)
            self.emit(f"br {end}")
            self.depth -= 1
            self.emit("end")
            self.block(s.orelse)
            self.depth -= 1
            self.emit("end")
            return
        self.expr(s.cond)
        self.emit("if")
        self.depth += 1
        self.block(s.body)
        self.depth -= 1
        if s.orelse:
            self.emit("else")
            self.depth += 1
            self.block(s.orelse)
            self.depth -= 1
        self.emit("end")

    def _loop(
        self,
        test: list[str] | None,
        cond: ir.Expr | None,
        body: list[ir.Stmt],
        before_body: list[str],
        after_body: list[str],
    ) -> None:
        brk, top, cont = self.label("break"), self.label("loop"), self.label("continue")
        self.emit(f"block {brk}", f"  loop {top}")
        self.depth += 2
        if cond is not None:
            self.branch_unless(cond, brk)
        if test is not None:
            self.emit(*test, f"br_if {brk}")
        self.emit(*before_body)
        self.emit(f"block {cont}")
        self.depth += 1
        self.labels.append((brk, cont))
        self.block(body)
        self.labels.pop()
        self.depth -= 1
        self.emit("end")
        self.emit(*after_body, f"br {top}")
        self.depth -= 2
        self.emit("  end", "end")

    def s_While(self, s: ir.While) -> None:
        copies = 1 if self.fn.library else unroll.factor(s)
        if copies == 1:
            self._loop(None, s.cond, s.body, [], [])
            return
        # ``copies`` × (test the condition, run the body) per back-edge (backend/unroll.py).
        brk, top = self.label("break"), self.label("loop")
        self.emit(f"block {brk}", f"  loop {top}")
        self.depth += 2
        for _ in range(copies):
            cont = self.label("continue")
            self.branch_unless(s.cond, brk)
            self.emit(f"block {cont}")
            self.depth += 1
            self.labels.append((brk, cont))
            self.block(s.body)
            self.labels.pop()
            self.depth -= 1
            self.emit("end")
        self.emit(f"br {top}")
        self.depth -= 2
        self.emit("  end", "end")

    def s_ForRange(self, s: ir.ForRange) -> None:
        self.expr(s.start)
        self.emit(f"local.set ${s.counter}")
        self.expr(s.stop)
        self.emit(f"local.set ${s.limit}")
        c, lim, st = f"local.get ${s.counter}", f"local.get ${s.limit}", f"local.get ${s.stride}"
        if isinstance(s.step, ir.Const):
            step = int(s.step.value)
            test = [c, lim, "i64.ge_s" if step > 0 else "i64.le_s"]
            advance = [c, f"i64.const {step}", "i64.add", f"local.set ${s.counter}"]
            copies = 1 if self.fn.library else unroll.factor(s)
            guards = versioning.guards(s) if copies > 1 else []
            if guards:
                self._versioned(s, step, copies, test, advance, guards)
                return
            if copies > 1:
                self._unrolled(s, step, copies, test, advance)
                return
        else:
            self.expr(s.step)
            self.emit(f"local.tee ${s.stride}", "i64.eqz")
            self.raise_if("ValueError", self.line(s))
            test = [c, lim, "i64.ge_s", c, lim, "i64.le_s", st, "i64.const 0", "i64.gt_s", "select"]
            advance = [c, st, "i64.add", f"local.set ${s.counter}"]
        self._loop(test, None, s.body, [c, f"local.set ${s.var}"], advance)

    def _versioned(
        self,
        s: ir.ForRange,
        step: int,
        copies: int,
        test: list[str],
        advance: list[str],
        guards: list[versioning.Guard],
    ) -> None:
        """Test once whether ``guards``' accesses stay in bounds on every iteration; if
        so run the loop without their checks (unrolled), else the loop as it always was
        (backend/versioning.py says why both behave identically)."""
        c, lim = f"local.get ${s.counter}", f"local.get ${s.limit}"
        seen: set[tuple[object, ...]] = set()
        first = True
        for g in guards:
            dim = self.dim(g.access.array, g.axis)
            key = (g.access.array.name, g.axis, g.offset, versioning.shape_of(g.invariant))
            if key in seen:
                continue
            seen.add(key)
            if g.offset is not None:
                # every value start + offset ... stop - 1 + offset lies in [0, extent)
                self.emit(c, f"i64.const {-g.offset}", "i64.ge_s")
                self.emit(lim, dim, f"i64.const {g.offset}", "i64.sub", "i64.le_s", "i32.and")
            else:
                assert g.invariant is not None
                self.expr(g.invariant)
                self.emit(dim, "i64.lt_u")
            if not first:
                self.emit("i32.and")
            first = False
        self.emit("if")
        self.depth += 1
        saved = self.proven
        self.proven = saved | {(id(g.access), g.axis) for g in guards}
        self._unrolled(s, step, copies, test, advance)
        self.proven = saved
        self.depth -= 1
        self.emit("else")
        self.depth += 1
        self._loop(test, None, s.body, [c, f"local.set ${s.var}"], advance)
        self.depth -= 1
        self.emit("end")

    def _unrolled(
        self, s: ir.ForRange, step: int, copies: int, test: list[str], advance: list[str]
    ) -> None:
        """``copies`` bodies per back-edge while that many iterations remain, then the
        plain loop for the rest (backend/unroll.py says why). ``break`` in any copy leaves
        both loops; ``continue`` goes on with the next copy."""
        c = f"local.get ${s.counter}"
        saved_rows = self.rows
        uses = self._row_addresses(s)
        self.rows = {**saved_rows, **uses}
        pointers = {id(u.row): u.row for u in uses.values()}.values()

        def bump(elements: int) -> list[str]:
            """Move every row pointer on by ``elements`` loop steps' worth of elements."""
            out: list[str] = []
            for row in pointers:
                nbytes = elements * step * row.array.element.size
                out += [f"local.get ${row.local}", f"i32.const {nbytes}", "i32.add"]
                out += [f"local.set ${row.local}"]
            return out

        span = (copies - 1) * step
        last = self.fresh("i64")  # the last counter value that still has ``copies`` to run
        # limit - span, or the smallest i64 when that would wrap (then no unrolled round).
        self.emit(
            f"local.get ${s.limit}",
            f"i64.const {span}",
            "i64.sub",
            f"i64.const {-(1 << 63)}",
            f"local.get ${s.limit}",
            f"i64.const {-(1 << 63) + span}",
            "i64.ge_s",
            "select",
            f"local.set ${last}",
        )
        brk, rest, top = self.label("break"), self.label("rest"), self.label("loop")
        self.emit(f"block {brk}", f"  block {rest}", f"    loop {top}")
        self.depth += 3
        self.emit(c, f"local.get ${last}", "i64.ge_s", f"br_if {rest}")
        for k in range(copies):
            cont = self.label("continue")
            self.emit(c, f"local.set ${s.var}", f"block {cont}")
            self.depth += 1
            self.labels.append((brk, cont))
            self.row_step = k * step  # this copy's element is k steps past the pointers'
            self.block(s.body)
            self.labels.pop()
            self.depth -= 1
            self.emit("end", *advance)
        self.row_step = 0
        self.emit(*bump(copies), f"br {top}")
        self.depth -= 3
        self.emit("    end", "  end")
        self.depth += 1
        self._loop(test, None, s.body, [c, f"local.set ${s.var}"], advance + bump(1))
        self.depth -= 1
        self.emit("end")
        self.rows = saved_rows

    def _row_addresses(self, s: ir.ForRange) -> dict[int, rows.Use]:
        """Point each row's pointer at its element for the loop's first iteration
        (backend/rows.py); returns the accesses that use them, by id."""
        found, uses = rows.plan(s, self.proven)
        for row in found:
            arr = row.array
            row.local = self.fresh("i32")
            for k, index in enumerate(row.prefix):
                self.expr(index)
                if k:
                    self.emit("i64.add")
                self.emit(self.dim(arr, k + 1), "i64.mul")
            self.emit(f"i64.const {row.low}")
            if row.prefix:
                self.emit("i64.add")
            self.emit(f"local.get ${s.counter}", "i64.add", "i32.wrap_i64")
            shift = _SHIFT[arr.element.size]
            if shift:
                self.emit(f"i32.const {shift}", "i32.shl")
            self.emit(array_base(arr), "i32.add", f"local.set ${row.local}")
        return uses

    def s_Break(self, s: ir.Break) -> None:
        self.emit(f"br {self.labels[-1][0]}")

    def s_Continue(self, s: ir.Continue) -> None:
        self.emit(f"br {self.labels[-1][1]}")

    def s_Return(self, s: ir.Return) -> None:
        if s.value is not None:
            self.expr(s.value)
        self.emit("return")

    def s_Raise(self, s: ir.Raise) -> None:
        self.raise_(s.exception, self.line(s))

    # -- arrays -------------------------------------------------------------------------

    def dim(self, arr: ir.ArrayRef, axis: int) -> str:
        if arr.shape is not None:
            return f"i64.const {arr.shape[axis]}"
        return f"local.get ${arr.name}.d{axis}"

    def checked_index(self, index: ir.Expr, dim: str, node: ir.Node, nonneg: bool = False) -> None:
        """Push ``index`` as a valid offset along an axis of extent ``dim``: negative
        indices count from the end, anything else out of range raises IndexError.
        ``nonneg``: the index is proven never negative, so only the upper bound is checked."""
        if isinstance(index, ir.Const) and dim.startswith("i64.const "):
            n, k = int(dim.split()[1]), int(index.value)
            if -n <= k < n:
                self.emit(f"i64.const {k % n}")
                return
        ix = self.fresh("i64")
        self.expr(index)
        if not (nonneg or (isinstance(index, ir.Const) and int(index.value) >= 0)):
            self.emit(
                f"local.tee ${ix}",
                f"local.get ${ix}",
                "i64.const 63",
                "i64.shr_s",
                dim,
                "i64.and",
                "i64.add",
            )
        self.emit(f"local.tee ${ix}", dim, "i64.ge_u")
        self.raise_if("IndexError", self.line(node))
        self.emit(f"local.get ${ix}")

    def address(
        self,
        arr: ir.ArrayRef,
        indices: list[ir.Expr],
        node: ir.Node,
        safe: list[bool],
        nonneg: list[bool],
    ) -> str:
        """Push the byte address of an element; returns the memarg (``offset=`` for arrays
        at a fixed place) to append to the load or store."""
        shift = _SHIFT[arr.element.size]
        use = self.rows.get(id(node))
        if use is not None:  # the row's pointer, a constant offset (backend/rows.py)
            self.emit(f"local.get ${use.row.local}")
            offset = (self.row_step + use.offset - use.row.low) * arr.element.size
            return f" offset={offset}" if offset else ""
        for k, index in enumerate(indices):
            if (safe and safe[k]) or (id(node), k) in self.proven:
                self.expr(index)
            else:
                self.checked_index(index, self.dim(arr, k), node, bool(nonneg and nonneg[k]))
            if k:
                self.emit("i64.add")
            if k + 1 < len(indices):
                self.emit(self.dim(arr, k + 1), "i64.mul")
        self.emit("i32.wrap_i64")
        if shift:
            self.emit(f"i32.const {shift}", "i32.shl")
        if arr.offset is not None:
            return f" offset={arr.offset}" if arr.offset else ""
        self.emit(f"local.get ${arr.name}", "i32.add")
        return ""

    # -- expressions --------------------------------------------------------------------

    def expr(self, e: ir.Expr) -> None:
        getattr(self, "e_" + type(e).__name__)(e)

    def e_Const(self, e: ir.Const) -> None:
        assert isinstance(e.ty, Scalar)
        self.emit(const(e.ty, e.value))

    def e_LocalGet(self, e: ir.LocalGet) -> None:
        self.emit(f"local.get ${e.name}")

    def e_LocalTee(self, e: ir.LocalTee) -> None:
        self.expr(e.value)
        self.emit(f"local.tee ${e.name}")

    def e_GlobalGet(self, e: ir.GlobalGet) -> None:
        self.emit(f"global.get ${e.symbol}")

    def e_Load(self, e: ir.Load) -> None:
        offset = self.address(e.array, e.indices, e, e.safe, e.nonneg)
        self.emit(f"{e.array.element.load}{offset}")

    def e_Dim(self, e: ir.Dim) -> None:
        self.emit(self.dim(e.array, e.axis))

    def e_TableLoad(self, e: ir.TableLoad) -> None:
        self.checked_index(e.index, f"i64.const {e.length}", e)
        base = self.module.table_offsets[e.symbol]
        self.emit("i32.wrap_i64", "i32.const 3", "i32.shl")
        assert isinstance(e.ty, Scalar)
        self.emit(f"{e.ty.wasm}.load offset={base}")

    def e_ArrayArg(self, e: ir.ArrayArg) -> None:
        arr = e.array
        self.emit(array_base(arr))
        for k in range(arr.type.ndim):
            if arr.shape is not None:
                self.emit(f"i32.const {arr.shape[k]}")
            else:
                self.emit(f"local.get ${arr.name}.n{k}")

    def e_Block(self, e: ir.Block) -> None:
        types = (
            e.ty.items
            if isinstance(e.ty, TupleType)
            else ((e.ty,) if isinstance(e.ty, Scalar) else ())
        )
        result = f" (result {' '.join(t.wasm for t in types)})" if types else ""
        self.emit(f"block ${e.label}{result}")
        self.depth += 1
        saved, self.labels = self.labels, []  # the callee's loops only
        self.block(e.stmts)
        self.labels = saved
        if types and not (e.stmts and isinstance(e.stmts[-1], ir.Exit)):
            # A typed inlined function that falls off its end; a void one just ends.
            self.emit("unreachable")
        self.depth -= 1
        self.emit("end")

    def s_Exit(self, s: ir.Exit) -> None:
        if s.value is not None:
            self.expr(s.value)
        self.emit(f"br ${s.label}")

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
            self.emit(f"i32.const {e.line}", f"global.set ${ERROR_LINE_GLOBAL}")
        self.emit(f"call ${e.symbol}")

    def e_Unary(self, e: ir.Unary) -> None:
        t = e.ty
        assert isinstance(t, Scalar)
        if e.op == "not":
            self.expr(e.operand)
            self.emit("i32.eqz")
        elif e.op == "neg" and t.is_float:
            self.expr(e.operand)
            self.emit(f"{t.wasm}.neg")
        elif e.op == "neg":
            self.emit(f"{t.wasm}.const 0")
            self.expr(e.operand)
            self.emit(f"{t.wasm}.sub")
        else:  # invert
            self.expr(e.operand)
            self.emit(f"{t.wasm}.const -1", f"{t.wasm}.xor")

    def truth_of_stack(self, t: Scalar) -> None:
        if t.is_bool:
            return
        self.emit(f"{t.wasm}.const 0", f"{t.wasm}.ne")

    def e_Cast(self, e: ir.Cast) -> None:
        src = e.value.ty
        assert isinstance(src, Scalar) and isinstance(e.ty, Scalar)
        self.expr(e.value)
        if e.kind == "truth":
            self.truth_of_stack(src)
        elif e.kind == "py_int":
            self.py_int(self.line(e))
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
            self.emit(f"local.set ${a}")
            self.divisor(left.right, t, left)
            self.emit(f"local.set ${b}")
            self.divrem("rem", t.wasm, a, b)
            self.emit(f"{t.wasm}.eqz")
            if e.op == "ne":
                self.emit("i32.eqz")
            return
        self.expr(e.left)
        self.expr(e.right)
        table = _CMP_FLOAT if t.is_float else _CMP_INT
        self.emit(f"{t.wasm}.{table[e.op]}")

    def e_Logical(self, e: ir.Logical) -> None:
        t = e.ty
        assert isinstance(t, Scalar)
        self.expr(e.left)
        self.emit(f"local.tee ${e.temp}")
        self.truth_of_stack(t)
        self.emit(f"if (result {t.wasm})")
        self.depth += 1
        if e.op == "and":
            self.expr(e.right)
        else:
            self.emit(f"local.get ${e.temp}")
        self.depth -= 1
        self.emit("else")
        self.depth += 1
        if e.op == "and":
            self.emit(f"local.get ${e.temp}")
        else:
            self.expr(e.right)
        self.depth -= 1
        self.emit("end")

    def e_IfExp(self, e: ir.IfExp) -> None:
        assert isinstance(e.ty, Scalar)
        self.expr(e.cond)
        self.emit(f"if (result {e.ty.wasm})")
        self.depth += 1
        self.expr(e.then)
        self.depth -= 1
        self.emit("else")
        self.depth += 1
        self.expr(e.orelse)
        self.depth -= 1
        self.emit("end")

    def e_Binary(self, e: ir.Binary) -> None:
        t = e.ty
        assert isinstance(t, Scalar)
        w = t.wasm
        op = e.op
        if op in ("add", "sub", "mul", "and", "or", "xor"):
            self.expr(e.left)
            self.expr(e.right)
            self.emit(f"{w}.{op}")
        elif op == "div":
            self.expr(e.left)
            self.divisor(e.right, t, e)
            self.emit(f"{w}.div")
        elif op in ("floordiv", "mod") and t.is_float:
            self.expr(e.left)
            self.expr(e.right)
            self.emit(f"i32.const {self.line(e)}", f"call $~{op}_f64")
            self.helpers.add(f"{op}_f64")
        elif op in ("floordiv", "mod"):
            self.int_divmod(e, t)
        elif op == "pow":
            self.expr(e.left)
            if w == "i32":
                self.emit("i64.extend_i32_s")
            self.expr(e.right)
            self.emit(f"i32.const {self.line(e)}", "call $~pow_int")
            if w == "i32":
                self.emit("i32.wrap_i64")
            self.helpers.add("pow_int")
        elif op in ("shl", "shr"):
            self.shift(e, t)
        else:
            raise AssertionError(op)

    def divisor(self, right: ir.Expr, t: Scalar, node: ir.Node) -> None:
        """Push the right operand of a division, trapping ZeroDivisionError on zero."""
        self.expr(right)
        if isinstance(right, ir.Const) and right.value != 0:
            return
        if signs.sign(right) == signs.POSITIVE:  # never zero (backend/signs.py)
            return
        tmp = self.fresh(t.wasm)
        zero = f"{t.wasm}.const 0"
        self.emit(f"local.tee ${tmp}", zero, f"{t.wasm}.eq")
        self.raise_if("ZeroDivisionError", self.line(node))
        self.emit(f"local.get ${tmp}")

    def int_divmod(self, e: ir.Binary, t: Scalar) -> None:
        """Python's floor division and modulo: the quotient rounds toward -inf and the
        remainder takes the divisor's sign."""
        w = t.wasm
        if (
            isinstance(e.right, ir.Const)
            and int(e.right.value) > 0
            and (int(e.right.value) & (int(e.right.value) - 1)) == 0
        ):
            # A positive power of two: Python's floor division is an arithmetic shift and
            # its modulo a mask, exactly, for negative operands too.
            n = int(e.right.value)
            self.expr(e.left)
            if e.op == "floordiv":
                self.emit(f"{w}.const {n.bit_length() - 1}", f"{w}.shr_s")
            else:
                self.emit(f"{w}.const {n - 1}", f"{w}.and")
            return
        a, b = self.fresh(w), self.fresh(w)
        self.expr(e.left)
        self.emit(f"local.set ${a}")
        self.divisor(e.right, t, e)
        self.emit(f"local.set ${b}")
        ga, gb = f"local.get ${a}", f"local.get ${b}"
        if e.op == "floordiv":
            self.divrem("div", w, a, b)
            self.emit(
                ga,
                gb,
                f"{w}.rem_s",
                f"{w}.const 0",
                f"{w}.ne",
                ga,
                gb,
                f"{w}.xor",
                f"{w}.const 0",
                f"{w}.lt_s",
                "i32.and",
            )
            if w == "i64":
                self.emit("i64.extend_i32_u")
            self.emit(f"{w}.sub")
        else:
            r = self.fresh(w)
            gr = f"local.get ${r}"
            self.divrem("rem", w, a, b)
            self.emit(
                f"local.tee ${r}",
                gb,
                f"{w}.const 0",
                gr,
                f"{w}.const 0",
                f"{w}.ne",
                gr,
                gb,
                f"{w}.xor",
                f"{w}.const 0",
                f"{w}.lt_s",
                "i32.and",
                "select",
                f"{w}.add",
            )

    def divrem(self, kind: str, w: str, a: str, b: str) -> None:
        """Push ``a div_s b`` or ``a rem_s b`` (both in locals, ``b`` non-zero). For int64,
        operands that both fit in 32 unsigned bits take the 32-bit divide, several times
        faster on x86 than the 64-bit one (the check LLVM inserts for Numba, too)."""
        ga, gb = f"local.get ${a}", f"local.get ${b}"
        if w != "i64":
            self.emit(ga, gb, f"{w}.{kind}_s")
            return
        self.emit(ga, gb, "i64.or", "i64.const 32", "i64.shr_u", "i64.eqz", "if (result i64)")
        self.emit(
            f"  {ga}",
            "  i32.wrap_i64",
            f"  {gb}",
            "  i32.wrap_i64",
            f"  i32.{kind}_u",
            "  i64.extend_i32_u",
            "else",
            f"  {ga}",
            f"  {gb}",
            f"  i64.{kind}_s",
            "end",
        )

    def shift(self, e: ir.Binary, t: Scalar) -> None:
        w = t.wasm
        bits = 64 if w == "i64" else 32
        self.expr(e.left)
        if isinstance(e.right, ir.Const):
            n = int(e.right.value)
            if e.op == "shl" and n >= bits:
                self.emit("drop", f"{w}.const 0")
            else:
                instr = "shl" if e.op == "shl" else "shr_s"
                self.emit(f"{w}.const {min(n, bits - 1)}", f"{w}.{instr}")
            return
        n = self.fresh(w)
        gn = f"local.get ${n}"
        self.expr(e.right)
        self.emit(f"local.tee ${n}", f"{w}.const 0", f"{w}.lt_s")
        self.raise_if("ValueError", self.line(e))
        if e.op == "shl":
            self.emit(
                gn, f"{w}.shl", f"{w}.const 0", gn, f"{w}.const {bits}", f"{w}.lt_u", "select"
            )
        else:
            self.emit(
                gn,
                f"{w}.const {bits - 1}",
                gn,
                f"{w}.const {bits - 1}",
                f"{w}.lt_u",
                "select",
                f"{w}.shr_s",
            )

    # -- builtins -------------------------------------------------------------------------

    def e_BuiltinCall(self, e: ir.BuiltinCall) -> None:
        low = e.lowering
        if low.startswith("libm:"):
            self.math_call(e, low[5:])
            return
        getattr(self, "b_" + low)(e)

    def math_call(self, e: ir.BuiltinCall, name: str) -> None:
        """Call the compiled-in library function; only a non-finite result (``r - r`` is not
        0) takes the out-of-line path that applies CPython's exception rule."""
        symbol = self.module.links[f"libm:{name}"]
        if builtins.BUILTINS[f"math.{name}"].errors == "none":
            for a in e.args:
                self.expr(a)
            self.emit(f"call ${symbol}")
            return
        args = [self.fresh("f64") for _ in e.args]
        for a, local in zip(e.args, args, strict=True):
            self.expr(a)
            self.emit(f"local.set ${local}")
        r = self.fresh("f64")
        gets = [f"local.get ${a}" for a in args]
        self.emit(
            *gets,
            f"call ${symbol}",
            f"local.tee ${r}",
            f"local.get ${r}",
            "f64.sub",
            "f64.const 0",
            "f64.eq",
            "if (result f64)",
            f"  local.get ${r}",
            "else",
        )
        self.emit(
            *("  " + g for g in gets),
            f"  local.get ${r}",
            f"  i32.const {self.line(e)}",
            f"  call $math.{name}.slow",
            "end",
        )

    def _unary_f64(self, e: ir.BuiltinCall, *instrs: str) -> None:
        self.expr(e.args[0])
        self.emit(*instrs)

    def b_fabs(self, e: ir.BuiltinCall) -> None:
        self._unary_f64(e, "f64.abs")

    def b_copysign(self, e: ir.BuiltinCall) -> None:
        self.expr(e.args[0])
        self.expr(e.args[1])
        self.emit("f64.copysign")

    def b_sqrt(self, e: ir.BuiltinCall) -> None:
        if signs.sign(e.args[0]) >= signs.NONNEG:  # never negative (backend/signs.py)
            self.expr(e.args[0])
            self.emit("f64.sqrt")
            return
        tmp = self.fresh("f64")
        self.expr(e.args[0])
        self.emit(f"local.tee ${tmp}", "f64.const 0", "f64.lt")
        self.raise_if("ValueError", self.line(e))
        self.emit(f"local.get ${tmp}", "f64.sqrt")

    def _to_int(self, e: ir.BuiltinCall, rounding: str) -> None:
        self.expr(e.args[0])
        self.emit(f"f64.{rounding}")
        self.py_int(self.line(e))

    def py_int(self, line: int) -> None:
        """The f64 on the stack (already integral) → int64, with CPython's errors: NaN is
        ValueError, anything outside int64 (±inf included) OverflowError. Inline: it sits in
        hot paths (``int(x)`` in index arithmetic, the math library's reductions)."""
        x = self.fresh("f64")
        self.emit(f"local.tee ${x}", f"local.get ${x}", "f64.ne")
        self.raise_if("ValueError", line)
        self.emit(
            f"local.get ${x}",
            "f64.const 0x1p63",
            "f64.lt",
            f"local.get ${x}",
            "f64.const -0x1p63",
            "f64.ge",
            "i32.and",
            "i32.eqz",
        )
        self.raise_if("OverflowError", line)
        self.emit(f"local.get ${x}", "i64.trunc_f64_s")

    def b_floor(self, e: ir.BuiltinCall) -> None:
        self._to_int(e, "floor")

    def b_ceil(self, e: ir.BuiltinCall) -> None:
        self._to_int(e, "ceil")

    def b_trunc(self, e: ir.BuiltinCall) -> None:
        self._to_int(e, "trunc")

    def b_round(self, e: ir.BuiltinCall) -> None:
        self._to_int(e, "nearest")

    def b_isnan(self, e: ir.BuiltinCall) -> None:
        tmp = self.fresh("f64")
        self._unary_f64(e, f"local.tee ${tmp}", f"local.get ${tmp}", "f64.ne")

    def b_isinf(self, e: ir.BuiltinCall) -> None:
        self._unary_f64(e, "f64.abs", "f64.const inf", "f64.eq")

    def b_isfinite(self, e: ir.BuiltinCall) -> None:
        self._unary_f64(e, "f64.abs", "f64.const inf", "f64.lt")

    def b_radians(self, e: ir.BuiltinCall) -> None:
        self._unary_f64(e, f"f64.const {wat_float(math.pi / 180.0)}", "f64.mul")

    def b_degrees(self, e: ir.BuiltinCall) -> None:
        self._unary_f64(e, f"f64.const {wat_float(180.0 / math.pi)}", "f64.mul")

    def b_float_to_bits(self, e: ir.BuiltinCall) -> None:
        self._unary_f64(e, "i64.reinterpret_f64")

    def b_bits_to_float(self, e: ir.BuiltinCall) -> None:
        self.expr(e.args[0])
        self.emit("f64.reinterpret_i64")

    def b_abs(self, e: ir.BuiltinCall) -> None:
        t = e.ty
        assert isinstance(t, Scalar)
        self.expr(e.args[0])
        if t.is_float:
            self.emit(f"{t.wasm}.abs")
            return
        tmp = self.fresh(t.wasm)
        w = t.wasm
        self.emit(
            f"local.set ${tmp}",
            f"{w}.const 0",
            f"local.get ${tmp}",
            f"{w}.sub",
            f"local.get ${tmp}",
            f"local.get ${tmp}",
            f"{w}.const 0",
            f"{w}.lt_s",
            "select",
        )

    def _minmax(self, e: ir.BuiltinCall, op: str) -> None:
        t = e.ty
        assert isinstance(t, Scalar)
        w = t.wasm
        cmp = (_CMP_FLOAT if t.is_float else _CMP_INT)[op]
        best, cand = self.fresh(w), self.fresh(w)
        self.expr(e.args[0])
        self.emit(f"local.set ${best}")
        for a in e.args[1:]:
            self.expr(a)
            self.emit(
                f"local.set ${cand}",
                f"local.get ${cand}",
                f"local.get ${best}",
                f"local.get ${cand}",
                f"local.get ${best}",
                f"{w}.{cmp}",
                "select",
                f"local.set ${best}",
            )
        self.emit(f"local.get ${best}")

    def b_min(self, e: ir.BuiltinCall) -> None:
        self._minmax(e, "lt")

    def b_max(self, e: ir.BuiltinCall) -> None:
        self._minmax(e, "gt")


__all__ = ["FunctionEmitter", "const", "wat_float"]
_ = (BOOL, F32, F64, I32, I64)
