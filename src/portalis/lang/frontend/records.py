"""Records: classes whose instances are values, and ``complex`` — lowered to plain numbers
before the rest of the front end sees the kernel (scalar replacement).

A record class is a ``@dataclass`` or a plain class with annotated fields (or an
``__init__`` that assigns annotated parameters to them); its fields are numbers, bools or
other records. The lowering rewrites the module's syntax tree:

* a record local ``v`` of a ``Vec3`` becomes the locals ``v.x``, ``v.y``, ``v.z`` (names no
  Python code can spell, so they never collide), a record parameter one parameter per field,
  a record result a multi-value result (``tuple[float, float, float]``);
* ``Vec3(x, y, z)`` is its fields' values (a dataclass) or a call of the class's
  ``__init__`` lowered to a function returning the fields (a plain class);
* a method is a function ``Vec3.dot`` taking the receiver's fields first; ``a + b``,
  ``2.0 * v``, ``-v``, ``abs(z)`` are calls of ``__add__``, ``__rmul__``, ``__neg__``,
  ``__abs__`` chosen by the operand types, as CPython would choose them;
* ``complex`` is such a record (real, imag), its arithmetic written in kernel Python with
  CPython's algorithms (prelude/complex_numbers.py).

The IR and both back ends therefore see only numbers and tuples: records live in wasm
locals, with no heap. Python evaluates operands left to right; where a record value must be
computed by a statement of its own (a call returning several values), everything evaluated
before it in the same statement is computed first into a temporary, so side effects and
errors keep CPython's order.

Aliasing. CPython's instances are shared references, these are values. The two agree
whenever no record is changed after it could have been shared, so a field assignment
(``v.x = 1.0``) is accepted only on a local that nothing else can see: every value bound to
it is new (a constructor, or a call whose result shares nothing with its arguments), and it
is never copied to another name, stored in another record, or passed where the result could
keep it. Parameters (``self`` included, outside ``__init__``), frozen dataclasses and complex
numbers are never changed. Anything else is refused with a located error that says what to
write instead.

Where each part lives (all in this package): this module drives the lowering over a
module (:class:`ModuleLowering`) and finds which record parameters each function changes;
record_model.py holds what it knows (record classes, kinds, signatures); record_classes.py
reads class definitions; record_signatures.py function signatures and the copies made for
union parameters; record_constants.py module-level records and tables of records;
record_complex.py ``complex`` and ``cmath``; record_resolution.py decides what an
expression is and calls; record_bodies.py rewrites function bodies (statements), with
record_exprs.py (expressions) and record_calls.py (calls and operators); record_sharing.py
refuses field assignments CPython's sharing would show; record_syntax.py holds the
syntax-tree helpers they share.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from portalis.lang.frontend.diagnostics import Diagnostics, shown
from portalis.lang.frontend.record_classes import check_recursion, declare_class, resolve_fields
from portalis.lang.frontend.record_complex import CMATH, load_complex, uses_complex
from portalis.lang.frontend.record_constants import module_record
from portalis.lang.frontend.record_model import RecordClass, Signature
from portalis.lang.frontend.record_resolution import bind_call, record_locals, resolve_call
from portalis.lang.frontend.record_signatures import declare_function
from portalis.lang.frontend.record_syntax import assigned_targets


@dataclass
class Lowered:
    tree: ast.Module
    #: functions that are never exported (methods, functions taking or returning records)
    internal: set[str]
    #: functions whose errors report the calling line (complex arithmetic)
    library: set[str]


#: Words every tree :func:`uses_records` accepts must contain, unless it has an imaginary
#: literal (:func:`_imaginary_literal`): ``class``, ``complex``, the module names.
_RECORD_WORDS = ("class", "complex", "cmath", "dataclasses")


def _imaginary_literal(source: str) -> bool:
    """Whether ``source`` has a digit or point right before a ``j`` (``2j``, ``1.J``): what
    an imaginary literal needs. Found by looking at each ``j``, ~7x faster than a regular
    expression trying every position of the kernel's text."""
    for letter in "jJ":
        at = source.find(letter, 1)
        while at > 0:
            if source[at - 1] in "0123456789.":
                return True
            at = source.find(letter, at + 1)
    return False


def uses_records(tree: ast.Module, source: str | None = None) -> bool:
    """Whether the lowering has anything to do (it leaves other kernels untouched).
    ``source``, the text ``tree`` was parsed from, answers most kernels without a walk:
    each thing looked for below needs one of :data:`_RECORD_WORDS` or an imaginary
    literal in the text."""
    if (
        source is not None
        and not any(word in source for word in _RECORD_WORDS)
        and not _imaginary_literal(source)
    ):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, complex):
            return True
        if isinstance(node, ast.Name) and node.id == "complex":
            return True
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            if any(n.split(".")[0] in ("cmath", "dataclasses") for n in names):
                return True
    return False


def lower_records(tree: ast.Module, diag: Diagnostics, source: str | None = None) -> Lowered:
    if not uses_records(tree, source):
        return Lowered(tree, set(), set())
    return ModuleLowering(tree, diag).run()


class ModuleLowering:
    """One module's lowering: what it declares (record classes, function signatures,
    module-level records, imports of ``dataclasses`` and ``cmath``), which the other
    record_* modules read and fill through it, and :meth:`run`, which rewrites the module."""

    def __init__(self, tree: ast.Module, diag: Diagnostics) -> None:
        self.tree = tree
        self.d = diag
        self.classes: dict[str, RecordClass] = {}
        self.sigs: dict[str, Signature] = {}  # by lowered name
        self.functions: dict[str, Signature] = {}  # module-level functions by Python name
        self.constants: dict[str, RecordClass] = {}  # NAME = Vec3(...) at module level
        self.tables: dict[str, tuple[RecordClass, int]] = {}  # NAME = (Vec3(...), ...)
        self.dataclass_names: set[str] = set()
        self.field_names: set[str] = set()  # dataclasses.field
        self.cmath_modules: set[str] = set()
        self.cmath_names: dict[str, str] = {}  # from cmath import exp → {"exp": "exp"}
        self.fresh_memo: dict[str, bool] = {}

    # -- module level ---------------------------------------------------------------------

    def run(self) -> Lowered:
        # Imported here: most kernels have no records and never need the body lowering.
        from portalis.lang.frontend.record_bodies import FunctionLowering

        body: list[ast.stmt] = []
        classes: list[ast.ClassDef] = []
        defs: list[ast.FunctionDef] = []
        for stmt in self.tree.body:
            if isinstance(stmt, ast.Import | ast.ImportFrom) and self._import(stmt):
                continue
            if isinstance(stmt, ast.ClassDef):
                classes.append(stmt)
                continue
            body.append(stmt)
        prelude = load_complex(self) if uses_complex(self) else []
        for c in classes:
            declare_class(self, c)
        for c in classes:
            resolve_fields(self, self.classes[c.name])
        for cls in self.classes.values():
            check_recursion(self, cls, [])
        out: list[ast.stmt] = list(prelude)
        for stmt in body:
            if isinstance(stmt, ast.FunctionDef):
                defs.append(stmt)
                declare_function(self, stmt, None)
        for cls in self.classes.values():
            if cls.builtin:
                continue  # complex: declared with the library (load_complex)
            for m in [*cls.methods.values(), *cls.properties.values()]:
                declare_function(self, m, cls)
            for m in cls.statics.values():
                declare_function(self, m, None, prefix=cls.name)
            if cls.init is not None:
                declare_function(self, cls.init, cls)
        for stmt in body:
            if isinstance(stmt, ast.Assign | ast.AnnAssign) and module_record(self, stmt, out):
                continue
            if not isinstance(stmt, ast.FunctionDef):
                out.append(stmt)
        self._find_inout()
        internal: set[str] = set()
        library: set[str] = set()
        # Module-level functions are lowered as the front end would compile them; methods
        # and the complex library only when something lowered calls them (so `__repr__`
        # returning a str, or a @classmethod nobody calls, never stops a build).
        lowered: dict[str, ast.FunctionDef] = {}
        todo = [
            s
            for s in self.sigs.values()
            if s.name in self.functions and not s.library and not s.generic
        ]
        while todo:
            sig = todo.pop()
            if sig.name in lowered:
                continue
            new = FunctionLowering(self, sig).run()
            lowered[sig.name] = new
            for n in ast.walk(new):
                called = (
                    n.func.id if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) else ""
                )
                if called in self.sigs and called not in lowered:
                    todo.append(self.sigs[called])
        for sig in self.sigs.values():
            if sig.name not in lowered:
                continue
            out.append(lowered[sig.name])
            if sig.owner is not None or self._has_records(sig) or sig.library:
                internal.add(sig.name)
            if sig.library:
                library.add(sig.name)
        tree = ast.Module(body=out, type_ignores=[])
        ast.fix_missing_locations(tree)
        return Lowered(tree, internal, library)

    def _find_inout(self) -> None:
        """Which record parameters each function changes, directly or by passing them on
        (to a fixed point: recursion included)."""
        for sig in self.sigs.values():
            record_params = self._record_params(sig)
            for n in sig.nodes():
                for t in assigned_targets(n):
                    root = t
                    while isinstance(root, ast.Attribute):
                        root = root.value
                    name = root.id if isinstance(root, ast.Name) and t is not root else ""
                    if name in record_params and name not in sig.inout:
                        sig.inout.append(name)
        changed = True
        while changed:
            changed = False
            for sig in self.sigs.values():
                record_params = self._record_params(sig)
                env = record_locals(self, sig)
                for n in sig.nodes():
                    if not isinstance(n, ast.Call | ast.BinOp | ast.UnaryOp):
                        continue
                    target = resolve_call(self, n, env)
                    if not isinstance(target, Signature) or not target.inout:
                        continue
                    bound = bind_call(self, target, n, env)
                    for p in target.inout:
                        arg = bound.get(p)
                        if (
                            isinstance(arg, ast.Name)
                            and arg.id in record_params
                            and arg.id not in sig.inout
                        ):
                            sig.inout.append(arg.id)
                            changed = True
        for sig in self.sigs.values():  # in parameter order
            order = [p for p, _, _ in sig.params]
            sig.inout.sort(key=order.index)

    @staticmethod
    def _record_params(sig: Signature) -> set[str]:
        return {
            p
            for p, k, _ in sig.params
            if isinstance(k, RecordClass) and not k.builtin and not (sig.is_init and p == "self")
        }

    def _has_records(self, sig: Signature) -> bool:
        return sig.result is not None or any(k is not None for _, k, _ in sig.params)

    def _import(self, stmt: ast.Import | ast.ImportFrom) -> bool:
        """Handle imports of ``dataclasses`` and ``cmath`` (True: consumed)."""
        if isinstance(stmt, ast.Import):
            names = [a.name for a in stmt.names]
            if not any(n in ("dataclasses", "cmath") for n in names):
                return False
            if len(names) > 1:
                raise self.d.error(stmt, "import dataclasses and cmath on lines of their own")
            a = stmt.names[0]
            local = a.asname or a.name
            if a.name == "cmath":
                self.cmath_modules.add(local)
            else:
                self.dataclass_names.add(local + ".dataclass")
                self.field_names.add(local + ".field")
            return True
        if stmt.module not in ("dataclasses", "cmath") or stmt.level:
            return False
        for a in stmt.names:
            local = a.asname or a.name
            if stmt.module == "cmath":
                if a.name not in CMATH:
                    raise self.d.error(
                        stmt,
                        f"`cmath.{a.name}` is not supported in kernels",
                        "supported: " + ", ".join(sorted(CMATH)),
                    )
                self.cmath_names[local] = a.name
            elif a.name == "dataclass":
                self.dataclass_names.add(local)
            elif a.name == "field":
                self.field_names.add(local)
            else:
                raise self.d.error(
                    stmt,
                    f"`dataclasses.{a.name}` is not supported in kernels",
                    "records use @dataclass (and field(default=...))",
                )
        return True

    def method(self, cls: RecordClass, name: str) -> Signature | None:
        """A method or static method (called as ``v.m(...)`` or ``Cls.m(...)``)."""
        known = name in cls.methods or name in cls.statics
        return self.sigs.get(f"{cls.name}.{name}") if known else None

    def property(self, cls: RecordClass, name: str) -> Signature | None:
        return self.sigs.get(f"{cls.name}.{name}") if name in cls.properties else None

    def refuse_decorated(self, cls: RecordClass, name: str, where: ast.AST) -> None:
        if name in cls.refused:
            raise self.d.error(
                where,
                f"`{cls.node.name}.{name}` has decorator `@{shown(cls.refused[name])}`, "
                "which kernels do not support",
                "methods may be plain, @staticmethod or @property; write a module-level "
                "function instead",
            )


__all__ = ["Lowered", "ModuleLowering", "lower_records", "uses_records"]
