"""Function bodies: typed IR → Rust, one Rust function per kernel function.

Every operation says what the direct backend's WebAssembly does (backend/emit.py): ints
wrap (``wrapping_*``), Python's ``//``, ``%``, shifts and ``int(x)`` go through ``rt``
(support.py), checks raise the same error codes with the same lines, operands are evaluated
in the same order. Values the IR keeps in locals stay Rust locals, declared at the top of
the function as WebAssembly locals are (zero until set).
"""

from __future__ import annotations

import dataclasses
import math
import struct
from collections.abc import Callable, Iterator

from portalis.errors import CompileError
from portalis.lang import builtins, ir
from portalis.lang.backend import signs
from portalis.lang.rust.names import Scope
from portalis.lang.rust.support import error_const
from portalis.lang.types import ArrayType, NoneType, ResultTuple, Scalar, TupleType, Type

#: Element type → (Rust pointer target, load helper, store helper).
ELEMENT = {
    "f64": ("f64", "rt::ld", "rt::st"),
    "f32": ("f32", "rt::ld", "rt::st"),
    "i64": ("i64", "rt::ld", "rt::st"),
    "i32": ("i32", "rt::ld", "rt::st"),
    "u8": ("u8", "rt::ld_u8", "rt::st_u8"),
    "bool": ("u8", "rt::ld_bool", "rt::st_bool"),
    "c128": ("f64", "rt::ld", "rt::st"),  # complex128 as float64 pairs (complex_arrays.py)
}
#: Largest block a local array may take (the allocator's own limit, as backend/emit.py).
MAX_BYTES = 0x7FFF0000
_CMP = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}
_BITS = {"and": "&", "or": "|", "xor": "^"}
_FLOAT_OPS = {"add": "+", "sub": "-", "mul": "*"}


def unsupported(what: str, node: ir.Node | None, filename: str) -> CompileError:
    return CompileError(
        f"{what} is not supported by the Rust backend yet",
        file=filename,
        line=node.line if node is not None else 0,
        col=node.col + 1 if node is not None else 0,
        hint="build without --via rust / --emit rust (the direct backend supports it)",
    )


def rust_type(t: Type) -> str:
    if isinstance(t, Scalar):
        return "bool" if t.is_bool else t.wasm
    if isinstance(t, TupleType):
        return "(" + ", ".join(rust_type(i) for i in t.items) + ")"
    if isinstance(t, NoneType):
        return "()"
    raise AssertionError(t)


def zero(t: Scalar) -> str:
    if t.is_bool:
        return "false"
    return "0.0" if t.is_float else "0"


def float_literal(v: float, t: Scalar) -> str:
    """A Rust literal that parses to exactly ``v`` (``repr`` round-trips through Rust's
    correctly rounded parser); f32 and non-finite values by their bits."""
    if t.wasm == "f32":
        bits = struct.unpack("<I", struct.pack("<f", v))[0]
        return f"f32::from_bits(0x{bits:08x})"
    if math.isnan(v):
        bits = struct.unpack("<Q", struct.pack("<d", v))[0]
        if bits == 0x7FF8000000000000:  # f64::NAN's bits; usable in a constant table too
            return "f64::NAN"
        return f"f64::from_bits(0x{bits:016x})"
    if math.isinf(v):
        return "f64::INFINITY" if v > 0 else "f64::NEG_INFINITY"
    text = repr(v)
    if "e" not in text and "." not in text:
        text += ".0"
    return f"({text}_f64)" if text.startswith("-") else f"{text}_f64"


def literal(t: Scalar, v: int | float | bool) -> str:
    if t.is_bool:
        return "true" if v else "false"
    if t.is_float:
        return float_literal(float(v), t)
    n, suffix = int(v), rust_type(t)
    if n == -(1 << (63 if suffix == "i64" else 31)):
        return f"{suffix}::MIN"
    return f"({n}_{suffix})" if n < 0 else f"{n}_{suffix}"


class Names:
    """How the module's items are spelled in Rust (filled in by module.py)."""

    def __init__(self) -> None:
        self.functions: dict[str, str] = {}  # symbol → Rust fn
        self.state: dict[str, str] = {}  # state scalar symbol → Rust accessor stem
        self.tables: dict[str, str] = {}  # table symbol → Rust static
        self.slow: dict[str, str] = {}  # libm name → Rust slow-path fn


class FunctionEmitter:
    def __init__(
        self,
        fn: ir.Function,
        module: ir.Module,
        names: Names,
        filename: str,
        source_lines: list[str] | None = None,
    ) -> None:
        self.fn = fn
        self.source_lines = source_lines or []
        #: line comments pointing back at the kernel (off inside inlined code)
        self.comments = not fn.library
        self.last_line = 0
        self.local_arrays = [n.array for n in _nodes(fn.body) if isinstance(n, ir.AllocArray)]
        self.module = module
        self.names = names
        self.filename = filename
        self.local = Scope()
        self.out: list[str] = []
        self.depth = 1
        self.loops: list[str] = []  # labels of the enclosing loops (innermost last)
        self._n = 0

    # -- plumbing -------------------------------------------------------------------------

    def emit(self, *lines: str) -> None:
        self.out.extend("    " * self.depth + line for line in lines)

    def label(self, kind: str) -> str:
        self._n += 1
        return f"'{kind}{self._n}"

    def line(self, node: ir.Node) -> int:
        return 0 if self.fn.library else node.line

    def fail(self, what: str, node: ir.Node | None) -> CompileError:
        return unsupported(what, node, self.module.source_name or self.filename)

    def temp(self) -> str:
        """A name for a value bound inside an expression (never a kernel local's)."""
        self._n += 1
        return self.local(f"\x00v{self._n}")

    def raise_(self, exception: str, line: int) -> str:
        return f"rt::raise({error_const(exception)}, {line})"

    # -- the function -----------------------------------------------------------------------

    def signature(self, extern: bool = False) -> tuple[list[str], str]:
        """Parameters (arrays as pointer + extents, as the direct backend passes them)
        and the result type."""
        if isinstance(self.fn.result, ArrayType | ResultTuple):
            returns = [n for n in _nodes(self.fn.body) if isinstance(n, ir.Return)]
            raise self.fail("returning an array (`-> Array[...]`)", returns[0] if returns else None)
        params: list[str] = []
        for p in self.fn.params:
            if p.name.endswith(".cap"):  # a list's three values (lang/frontend/list_calls.py)
                raise self.fail(f"the list parameter `{p.name[:-4]}`", None)
            name = self.local(p.name)
            if isinstance(p.type, ArrayType):
                target = ELEMENT[p.type.element.abi][0]
                params.append(f"{name}: *mut {target}")
                for k in range(p.type.ndim):
                    params.append(f"{self.local(f'{p.name}.n{k}')}: u32")
            else:
                params.append(f"mut {name}: {rust_type(p.type)}")
        return params, rust_type(self.fn.result) if self.fn.result_types else ""

    def body(self) -> list[str]:
        fn = self.fn
        for p in fn.params:
            if isinstance(p.type, ArrayType):
                for k in range(p.type.ndim):
                    d, n = self.local(f"{p.name}.d{k}"), self.local(f"{p.name}.n{k}")
                    self.emit(f"let {d} = {n} as i64;")
        for name, t in fn.locals.items():
            self.emit(f"let mut {self.local(name)}: {rust_type(t)} = {zero(t)};")
        for arr in self.local_arrays:  # made by AllocArray, freed on every way out
            target = ELEMENT[arr.element.abi][0]
            self.emit(f"let mut {self.local(arr.name)}: *mut {target} = core::ptr::null_mut();")
            for k in range(arr.type.ndim):
                self.emit(f"let mut {self.local(f'{arr.name}.n{k}')}: u32 = 0;")
                self.emit(f"let mut {self.local(f'{arr.name}.d{k}')}: i64 = 0;")
        self.block(fn.body)
        if not fn.result_types:
            self.emit(*self.free_local_arrays())
        if fn.result_types and not (fn.body and isinstance(fn.body[-1], ir.Return)):
            self.emit("core::arch::wasm32::unreachable()")  # a typed function fell off its end
        return self.out

    # -- statements -------------------------------------------------------------------------

    def block(self, stmts: list[ir.Stmt]) -> None:
        for s in stmts:
            if self.comments and s.line and s.line != self.last_line:
                self.last_line = s.line
                text = ""
                if 0 < s.line <= len(self.source_lines):
                    text = "  " + self.source_lines[s.line - 1].strip()
                self.emit(f"// {self.where(s)}{text}")
            method: Callable[[ir.Stmt], None] | None = getattr(self, "s_" + type(s).__name__, None)
            if method is None:
                raise self.fail(f"the statement {type(s).__name__}", s)
            method(s)

    def s_BindArray(self, s: ir.BindArray) -> None:
        raise self.fail("an array returned by a call (`b = f(...)`)", s)

    def s_UnpackResults(self, s: ir.UnpackResults) -> None:
        raise self.fail("arrays returned in a tuple (`a, n = f(...)`)", s)

    def s_ListNew(self, s: ir.ListNew) -> None:
        raise self.fail(f"the list `{s.ref.name.split('.')[0]}` (typed lists, heapq)", s)

    def s_ListAdopt(self, s: ir.ListAdopt) -> None:
        raise self.fail(f"the list `{s.ref.name.split('.')[0]}` (typed lists, heapq)", s)

    def s_SwapArrays(self, s: ir.SwapArrays) -> None:
        raise self.fail("swapping two arrays (`u, new = new, u`)", s)

    def s_FillView(self, s: ir.FillView) -> None:
        raise self.fail("assigning to a whole slice or row (`a[lo:hi] = v`)", s)

    def s_CopyView(self, s: ir.CopyView) -> None:
        raise self.fail("copying into a slice or row (`a[lo:hi] = b`)", s)

    def nested(self, stmts: list[ir.Stmt]) -> None:
        self.depth += 1
        self.block(stmts)
        self.depth -= 1

    def s_SetLocal(self, s: ir.SetLocal) -> None:
        self.emit(f"{self.local(s.name)} = {self.expr(s.value)};")

    def s_SetGlobal(self, s: ir.SetGlobal) -> None:
        self.emit(f"state::set_{self.names.state[s.symbol]}({self.expr(s.value)});")

    def s_Store(self, s: ir.Store) -> None:
        base, index = self.address(s.array, s.indices, s, s.safe, s.nonneg)
        store = ELEMENT[s.array.element.abi][2]
        self.emit(f"{store}({base}, {index}, {self.expr(s.value)});")

    def s_Unpack(self, s: ir.Unpack) -> None:
        targets = ", ".join(self.local(n) for n in s.names)
        self.emit(f"({targets}) = {self.expr(s.value)};")

    def s_ExprStmt(self, s: ir.ExprStmt) -> None:
        text = self.expr(s.value)
        if isinstance(s.value.ty, NoneType):
            self.emit(f"{text};")
        else:
            self.emit(f"let _ = {text};")

    def s_If(self, s: ir.If) -> None:
        self.emit(f"if {self.expr(s.cond)} {{")
        self.nested(s.body)
        if s.orelse:
            self.emit("} else {")
            self.nested(s.orelse)
        self.emit("}")

    def loop_body(self, label: str, stmts: list[ir.Stmt]) -> None:
        self.loops.append(label)
        self.nested(stmts)
        self.loops.pop()

    def s_While(self, s: ir.While) -> None:
        label = self.label("while")
        self.emit(f"{label}: while {self.expr(s.cond)} {{")
        self.loop_body(label, s.body)
        self.emit("}")

    def s_ForRange(self, s: ir.ForRange) -> None:
        """The counter moves on before the body runs, so ``continue`` needs no code of
        its own; the body's assignments to the loop variable do not change the
        iteration, as in Python."""
        counter, limit, stride = self.local(s.counter), self.local(s.limit), self.local(s.stride)
        self.emit(f"{counter} = {self.expr(s.start)};")
        self.emit(f"{limit} = {self.expr(s.stop)};")
        label = self.label("for")
        if isinstance(s.step, ir.Const):
            step = int(s.step.value)
            test = f"{counter} < {limit}" if step > 0 else f"{counter} > {limit}"
            advance = f"{counter}.wrapping_add({literal(s.step.ty, step)})"  # type: ignore[arg-type]
        else:
            self.emit(f"{stride} = {self.expr(s.step)};")
            self.emit(f"if {stride} == 0 {{ {self.raise_('ValueError', self.line(s))} }}")
            test = f"if {stride} > 0 {{ {counter} < {limit} }} else {{ {counter} > {limit} }}"
            advance = f"{counter}.wrapping_add({stride})"
        self.emit(f"{label}: while {test} {{")
        self.depth += 1
        self.emit(f"{self.local(s.var)} = {counter};")
        self.emit(f"{counter} = {advance};")
        self.depth -= 1
        self.loop_body(label, s.body)
        self.emit("}")

    def s_Break(self, s: ir.Break) -> None:
        self.emit(f"break {self.loops[-1]};")

    def s_Continue(self, s: ir.Continue) -> None:
        self.emit(f"continue {self.loops[-1]};")

    def s_Return(self, s: ir.Return) -> None:
        if not self.local_arrays:
            self.emit(f"return {self.expr(s.value)};" if s.value is not None else "return;")
            return
        # free this call's arrays with the result set aside
        if s.value is None:
            self.emit(*self.free_local_arrays(), "return;")
            return
        kept = self.temp()
        self.emit(f"let {kept} = {self.expr(s.value)};", *self.free_local_arrays())
        self.emit(f"return {kept};")

    def free_local_arrays(self) -> list[str]:
        """Give this call's arrays back to the allocator (a pointer still null — an array
        not made yet on this path — is ignored by the allocator's free)."""
        return [
            f"unsafe {{ rt::free({self.local(a.name)} as u32) }};"
            for a in reversed(self.local_arrays)
        ]

    def s_AllocArray(self, s: ir.AllocArray) -> None:
        """NumPy's errors first (negative dimension: ValueError; more than the allocator
        can give: MemoryError), then the block, then every element set to the fill value:
        the direct backend's order of checks."""
        if s.source is not None:
            raise self.fail("copying an array (`a.copy()`)", s)
        arr, line = s.array, self.line(s)
        target, _, store = ELEMENT[arr.element.abi]
        size = self.temp()
        self.emit(f"let mut {size}: i64 = {arr.element.size};")
        for k, dim in enumerate(s.dims):
            d, n = self.local(f"{arr.name}.d{k}"), self.local(f"{arr.name}.n{k}")
            self.emit(f"{d} = {self.expr(dim)};")
            self.emit(f"if {d} < 0 {{ {self.raise_('ValueError', line)} }}")
            self.emit(f"if {d} as u64 > {MAX_BYTES} {{ {self.raise_('MemoryError', line)} }}")
            self.emit(f"{n} = {d} as u32;")
            self.emit(f"{size} = {size}.wrapping_mul({d});")
            self.emit(f"if {size} as u64 > {MAX_BYTES} {{ {self.raise_('MemoryError', line)} }}")
        name = self.local(arr.name)
        self.emit(f"{name} = unsafe {{ rt::alloc({size} as u32, 8) }} as usize as *mut {target};")
        fill = s.fill
        if (
            isinstance(fill, ir.Const)
            and fill.value == 0
            and not (isinstance(fill.value, float) and math.copysign(1.0, fill.value) < 0)
        ):  # freed blocks are reused: zero them
            self.emit(
                f"unsafe {{ core::ptr::write_bytes({name} as *mut u8, 0, {size} as usize) }};"
            )
            return
        value, at = self.temp(), self.temp()
        count = f"{size} / {arr.element.size}"
        self.emit(f"let {value} = {self.expr(fill)};", f"let mut {at}: i64 = 0;")
        self.emit(f"while {at} < {count} {{ {store}({name}, {at}, {value}); {at} += 1; }}")

    def s_Message(self, s: ir.Message) -> None:
        """A raise's message is dropped (the exception and line still reach the host); the
        host-log import is not linked into Rust builds yet, so ``print`` is refused."""
        if s.kind != "raise":
            raise self.fail("print", s)
        self.emit(f"// message {s.index} (not kept by the Rust backend)  // {self.where(s)}")

    def s_Raise(self, s: ir.Raise) -> None:
        self.emit(f"{self.raise_(s.exception, self.line(s))};  // {self.where(s)}")

    def s_Exit(self, s: ir.Exit) -> None:
        label = "'" + self.local("~block." + s.label)
        value = f" {self.expr(s.value)}" if s.value is not None else ""
        self.emit(f"break {label}{value};")

    def where(self, node: ir.Node) -> str:
        return f"{self.filename}:{node.line}"

    # -- arrays -------------------------------------------------------------------------------

    def base(self, arr: ir.ArrayRef) -> str:
        target = ELEMENT[arr.element.abi][0]
        if arr.offset is not None:
            return f"({arr.offset} as *mut {target})"
        return self.local(arr.name)

    def dim(self, arr: ir.ArrayRef, axis: int) -> str:
        if arr.shape is not None:
            return f"{arr.shape[axis]}_i64"
        return self.local(f"{arr.name}.d{axis}")

    def checked(self, index: ir.Expr, dim: str, node: ir.Node, nonneg: bool) -> str:
        if isinstance(index, ir.Const) and dim.endswith("_i64") and dim[:-4].isdigit():
            n, k = int(dim[:-4]), int(index.value)
            if -n <= k < n:
                return f"{k % n}_i64"
        text = self.expr(index)
        line = self.line(node)
        if nonneg or (isinstance(index, ir.Const) and int(index.value) >= 0):
            return f"rt::index_nonneg({text}, {dim}, {line})"
        return f"rt::index({text}, {dim}, {line})"

    def address(
        self,
        arr: ir.ArrayRef,
        indices: list[ir.Expr],
        node: ir.Node,
        safe: list[bool],
        nonneg: list[bool],
    ) -> tuple[str, str]:
        """The array's base pointer and the element's linear index (row-major)."""
        flat = ""
        for k, index in enumerate(indices):
            if safe and safe[k]:
                text = self.expr(index)
            else:
                text = self.checked(index, self.dim(arr, k), node, bool(nonneg and nonneg[k]))
            flat = text if k == 0 else f"{flat}.wrapping_add({text})"
            if k + 1 < len(indices):
                flat = f"{flat}.wrapping_mul({self.dim(arr, k + 1)})"
        return self.base(arr), flat

    # -- expressions --------------------------------------------------------------------------

    def expr(self, e: ir.Expr) -> str:
        method: Callable[[ir.Expr], str] | None = getattr(self, "e_" + type(e).__name__, None)
        if method is None:
            raise self.fail(f"the expression {type(e).__name__}", e)
        return method(e)

    def scalar(self, e: ir.Expr) -> Scalar:
        if not isinstance(e.ty, Scalar):
            raise self.fail(f"a {e.ty} value here", e)
        return e.ty

    def e_Const(self, e: ir.Const) -> str:
        return literal(self.scalar(e), e.value)

    def e_LocalGet(self, e: ir.LocalGet) -> str:
        return self.local(e.name)

    def e_LocalTee(self, e: ir.LocalTee) -> str:
        name = self.local(e.name)
        return f"{{ {name} = {self.expr(e.value)}; {name} }}"

    def e_GlobalGet(self, e: ir.GlobalGet) -> str:
        return f"state::{self.names.state[e.symbol]}()"

    def e_Load(self, e: ir.Load) -> str:
        base, index = self.address(e.array, e.indices, e, e.safe, e.nonneg)
        return f"{ELEMENT[e.array.element.abi][1]}({base}, {index})"

    def e_Dim(self, e: ir.Dim) -> str:
        return self.dim(e.array, e.axis)

    def e_TableLoad(self, e: ir.TableLoad) -> str:
        index = self.checked(e.index, f"{e.length}_i64", e, False)
        return f"{self.names.tables[e.symbol]}[{index} as usize]"

    def e_CheckedIndex(self, e: ir.CheckedIndex) -> str:
        # No array: a level of a constant table, whose length is known at build time.
        bound = self.dim(e.array, e.axis) if e.array is not None else f"{e.extent}_i64"
        if e.bound is not None:
            raise self.fail("array slices (`a[lo:hi]`)", e)
        return self.checked(e.index, bound, e, False)

    def e_ArrayArg(self, e: ir.ArrayArg) -> str:
        arr = e.array
        if e.start is not None:
            raise self.fail("array slices (`a[lo:hi]`)", e)
        parts = [self.base(arr)]
        if e.prefix:  # the view arr[prefix...]: its first element (indices already checked)
            flat = ""
            for k, index in enumerate(e.prefix):
                text = self.expr(index)
                flat = text if k == 0 else f"{flat}.wrapping_add({text})"
                if k + 1 < arr.type.ndim:
                    flat = f"{flat}.wrapping_mul({self.dim(arr, k + 1)})"
            for k in range(len(e.prefix) + 1, arr.type.ndim):
                flat = f"{flat}.wrapping_mul({self.dim(arr, k)})"
            parts = [f"{self.base(arr)}.wrapping_add({flat} as usize)"]
        for k in range(len(e.prefix), arr.type.ndim):
            if arr.shape is not None:
                parts.append(f"{arr.shape[k]}_u32")
            else:
                parts.append(self.local(f"{arr.name}.n{k}"))
        return ", ".join(parts)

    def e_Block(self, e: ir.Block) -> str:
        """An inlined function with control flow: a loop that runs once, left by
        ``break 'label value`` (Rust 1.63, Debian's, has no labelled blocks yet)."""
        label = "'" + self.local("~block." + e.label)
        saved_out, saved_depth, saved_loops = self.out, self.depth, self.loops
        saved_comments, self.comments = self.comments, False
        self.out, self.depth, self.loops = [], 1, []
        self.block(e.stmts)
        self.comments = saved_comments
        if not (e.stmts and isinstance(e.stmts[-1], ir.Exit)):
            if isinstance(e.ty, NoneType):
                self.emit(f"break {label};")
            else:
                self.emit("core::arch::wasm32::unreachable()")
        inner = self.out
        self.out, self.depth, self.loops = saved_out, saved_depth, saved_loops
        pad = "    " * self.depth
        return f"{label}: loop {{\n" + "\n".join(pad + line for line in inner) + f"\n{pad}}}"

    def e_Seq(self, e: ir.Seq) -> str:
        saved_out, saved_depth = self.out, self.depth
        saved_comments, self.comments = self.comments, False
        self.out, self.depth = [], 1
        self.block(e.stmts)
        self.comments = saved_comments
        inner = self.out
        self.out, self.depth = saved_out, saved_depth
        pad = "    " * self.depth
        value = self.expr(e.value)
        lines = "\n".join(pad + line for line in inner)
        return f"{{\n{lines}\n{pad}    {value}\n{pad}}}"

    def e_TupleExpr(self, e: ir.TupleExpr) -> str:
        return "(" + ", ".join(self.expr(i) for i in e.items) + ")"

    def e_Call(self, e: ir.Call) -> str:
        callee = self.names.functions[e.symbol]
        args = [self.expr(a) for a in e.args]
        if not self.fn.library and "." in e.symbol and e.line:
            # Library code raises without a line of its own: record the caller's (after
            # the arguments, as the direct backend does).
            temps = [self.temp() for _ in args]
            binds = " ".join(
                f"let {t} = {a};"
                for t, a, arg in zip(temps, args, e.args, strict=True)
                if not isinstance(arg, ir.ArrayArg)
            )
            call_args = [
                a if isinstance(arg, ir.ArrayArg) else t
                for t, a, arg in zip(temps, args, e.args, strict=True)
            ]
            return f"{{ {binds} rt::at_line({e.line}); {callee}({', '.join(call_args)}) }}"
        return f"{callee}({', '.join(args)})"

    def e_Unary(self, e: ir.Unary) -> str:
        t = self.scalar(e)
        operand = self.expr(e.operand)
        if e.op == "not":
            return f"!{operand}"
        if t.is_bool:
            raise self.fail(f"`{e.op}` on a bool", e)
        if e.op == "neg":
            return f"(-{operand})" if t.is_float else f"{operand}.wrapping_neg()"
        return f"(!{operand})"  # invert

    def truth(self, text: str, t: Scalar) -> str:
        if t.is_bool:
            return text
        return f"({text} != {zero(t)})"

    def e_Cast(self, e: ir.Cast) -> str:
        src, dst = self.scalar(e.value), self.scalar(e)
        value = self.expr(e.value)
        if e.kind == "truth":
            return self.truth(value, src)
        if e.kind == "py_int":
            return f"rt::py_int({value}, {self.line(e)})"
        if e.kind == "bits":
            if src.wasm == "f64" and dst.wasm == "i64":
                return f"({value}.to_bits() as i64)"
            if src.wasm == "i64" and dst.wasm == "f64":
                return f"f64::from_bits({value} as u64)"
            raise self.fail(f"reinterpreting {src} as {dst}", e)
        if src == dst:
            return value
        if src.is_bool:
            return f"({value} as i32 as {rust_type(dst)})"
        if dst.is_bool:
            raise self.fail(f"converting {src} to bool", e)
        return f"({value} as {rust_type(dst)})"

    def e_Compare(self, e: ir.Compare) -> str:
        return f"({self.expr(e.left)} {_CMP[e.op]} {self.expr(e.right)})"

    def e_Logical(self, e: ir.Logical) -> str:
        t = self.scalar(e)
        left, right = self.expr(e.left), self.expr(e.right)
        if t.is_bool:
            return f"({left} {'&&' if e.op == 'and' else '||'} {right})"
        temp = self.local(e.temp)
        test = self.truth(temp, t)
        if e.op == "and":
            return f"{{ {temp} = {left}; if {test} {{ {right} }} else {{ {temp} }} }}"
        return f"{{ {temp} = {left}; if {test} {{ {temp} }} else {{ {right} }} }}"

    def e_IfExp(self, e: ir.IfExp) -> str:
        cond, then, orelse = self.expr(e.cond), self.expr(e.then), self.expr(e.orelse)
        return f"(if {cond} {{ {then} }} else {{ {orelse} }})"

    def e_Binary(self, e: ir.Binary) -> str:
        t = self.scalar(e)
        op, line = e.op, self.line(e)
        left, right = self.expr(e.left), self.expr(e.right)
        w = rust_type(t)
        if op in _BITS:
            if t.is_float:
                raise self.fail(f"`{op}` on floats", e)
            return f"({left} {_BITS[op]} {right})"
        if t.is_bool:
            raise self.fail(f"`{op}` on bools", e)
        if op in _FLOAT_OPS:
            if t.is_float:
                return f"({left} {_FLOAT_OPS[op]} {right})"
            return f"{left}.wrapping_{op}({right})"
        if op == "div":
            if not t.is_float:
                raise self.fail("`/` on ints", e)
            if (
                e.numpy  # NumPy's division: ±inf/nan for a zero divisor
                or (isinstance(e.right, ir.Const) and e.right.value != 0)
                or signs.sign(e.right) == signs.POSITIVE  # never zero (backend/signs.py)
            ):
                return f"({left} / {right})"
            return f"rt::div_{w}({left}, {right}, {line})"
        if op in ("floordiv", "mod"):
            if t.is_float:
                if w != "f64":
                    raise self.fail(f"`{op}` on {t}", e)
                if e.numpy:  # NumPy's result for a zero divisor (backend/numpy_division.py)
                    zero = "np_x / np_y" if op == "floordiv" else "-f64::NAN"
                    return (
                        f"{{ let (np_x, np_y) = ({left}, {right}); if np_y == 0.0 {{ {zero} }} "
                        f"else {{ {op}_f64(np_x, np_y, {line}) }} }}"
                    )
                return f"{op}_f64({left}, {right}, {line})"
            return f"rt::{op}_{w}({left}, {right}, {line})"
        if op == "pow":
            if t.is_float:
                raise self.fail("`**` on floats here", e)
            if w == "i32":
                return f"(rt::pow_int({left} as i64, {right}, {line}) as i32)"
            return f"rt::pow_int({left}, {right}, {line})"
        if op in ("shl", "shr"):
            bits = 64 if w == "i64" else 32
            if isinstance(e.right, ir.Const):
                n = int(e.right.value)
                if op == "shl" and n >= bits:
                    return f"{{ let _ = {left}; 0_{w} }}"
                if op == "shl":
                    return f"({left} << {n})"
                return f"({left} >> {min(n, bits - 1)})"
            return f"rt::{op}_{w}({left}, {right}, {line})"
        raise self.fail(f"the operator {op}", e)

    # -- builtins -----------------------------------------------------------------------------

    def e_BuiltinCall(self, e: ir.BuiltinCall) -> str:
        low = e.lowering
        args = [self.expr(a) for a in e.args]
        if low.startswith("libm:"):
            return self.math_call(e, low[5:], args)
        method: Callable[[ir.BuiltinCall, list[str]], str] | None = getattr(self, "b_" + low, None)
        if method is None:
            raise self.fail(f"the builtin `{low}`", e)
        return method(e, args)

    def math_call(self, e: ir.BuiltinCall, name: str, args: list[str]) -> str:
        """The compiled-in library function; only a non-finite result (``r - r`` is not 0)
        takes the out-of-line path that applies CPython's exception rule."""
        callee = self.names.functions[self.module.links[f"libm:{name}"]]
        if builtins.BUILTINS[f"math.{name}"].errors == "none":
            return f"{callee}({', '.join(args)})"
        temps = [self.temp() for _ in args]
        r = self.temp()
        binds = " ".join(f"let {t} = {a};" for t, a in zip(temps, args, strict=True))
        call = f"{callee}({', '.join(temps)})"
        slow = f"{self.names.slow[name]}({', '.join(temps)}, {r}, {self.line(e)})"
        return f"{{ {binds} let {r} = {call}; if {r} - {r} == 0.0 {{ {r} }} else {{ {slow} }} }}"

    def b_fabs(self, e: ir.BuiltinCall, a: list[str]) -> str:
        return f"rt::fabs({a[0]})"

    def b_copysign(self, e: ir.BuiltinCall, a: list[str]) -> str:
        return f"rt::copysign({a[0]}, {a[1]})"

    def b_sqrt(self, e: ir.BuiltinCall, a: list[str]) -> str:
        if signs.sign(e.args[0]) >= signs.NONNEG:  # never negative (backend/signs.py)
            return f"rt::sqrt_f64({a[0]})"
        return f"rt::sqrt_checked({a[0]}, {self.line(e)})"

    def _to_int(self, e: ir.BuiltinCall, a: list[str], rounding: str) -> str:
        return f"rt::py_int(rt::{rounding}_f64({a[0]}), {self.line(e)})"

    def b_floor(self, e: ir.BuiltinCall, a: list[str]) -> str:
        return self._to_int(e, a, "floor")

    def b_ceil(self, e: ir.BuiltinCall, a: list[str]) -> str:
        return self._to_int(e, a, "ceil")

    def b_trunc(self, e: ir.BuiltinCall, a: list[str]) -> str:
        return self._to_int(e, a, "trunc")

    def b_round(self, e: ir.BuiltinCall, a: list[str]) -> str:
        return self._to_int(e, a, "nearest")

    def b_isnan(self, e: ir.BuiltinCall, a: list[str]) -> str:
        return f"rt::is_nan({a[0]})"

    def b_isinf(self, e: ir.BuiltinCall, a: list[str]) -> str:
        return f"(rt::fabs({a[0]}) == f64::INFINITY)"

    def b_isfinite(self, e: ir.BuiltinCall, a: list[str]) -> str:
        return f"(rt::fabs({a[0]}) < f64::INFINITY)"

    def b_radians(self, e: ir.BuiltinCall, a: list[str]) -> str:
        return f"({a[0]} * {float_literal(math.pi / 180.0, self.scalar(e))})"

    def b_degrees(self, e: ir.BuiltinCall, a: list[str]) -> str:
        return f"({a[0]} * {float_literal(180.0 / math.pi, self.scalar(e))})"

    def b_fused_multiply_add(self, e: ir.BuiltinCall, a: list[str]) -> str:
        return f"rt::fma_f64({a[0]}, {a[1]}, {a[2]})"

    def b_float_to_bits(self, e: ir.BuiltinCall, a: list[str]) -> str:
        return f"({a[0]}.to_bits() as i64)"

    def b_bits_to_float(self, e: ir.BuiltinCall, a: list[str]) -> str:
        return f"f64::from_bits({a[0]} as u64)"

    def b_abs(self, e: ir.BuiltinCall, a: list[str]) -> str:
        t = self.scalar(e)
        if t.wasm == "f64":
            return f"rt::fabs({a[0]})"
        if t.wasm == "f32":
            return f"rt::fabs_f32({a[0]})"
        v = self.temp()
        return f"{{ let {v} = {a[0]}; if {v} < 0 {{ {v}.wrapping_neg() }} else {{ {v} }} }}"

    def b_min(self, e: ir.BuiltinCall, a: list[str]) -> str:
        return self._fold("rt::min", a)

    def b_max(self, e: ir.BuiltinCall, a: list[str]) -> str:
        return self._fold("rt::max", a)

    @staticmethod
    def _fold(fn: str, args: list[str]) -> str:
        text = args[0]
        for a in args[1:]:
            text = f"{fn}({text}, {a})"
        return text


def _nodes(node: object) -> Iterator[object]:
    """``node`` and everything below it (IR nodes, lists of them)."""
    yield node
    if isinstance(node, list):
        for item in node:
            yield from _nodes(item)
    elif dataclasses.is_dataclass(node) and not isinstance(node, (ir.ArrayRef, type)):
        for f in dataclasses.fields(node):
            yield from _nodes(getattr(node, f.name))


__all__ = ["ELEMENT", "FunctionEmitter", "Names", "literal", "rust_type", "unsupported"]
