"""``ir.Message``: the message's number and its values, each as 64 bits, to the one host
function a module may import (portalis/messages.py); the host formats the text."""

from __future__ import annotations

from portalis.lang import ir
from portalis.lang.backend import instructions as I
from portalis.lang.backend.instructions import Code
from portalis.lang.types import F32, Scalar
from portalis.messages import MAX_VALUES, MESSAGE_IMPORT, MESSAGE_PARAMS

#: The import's name inside the module.
MESSAGE_FUNCTION = "~message"


def message_import() -> str:
    module, name = MESSAGE_IMPORT
    params = " ".join(MESSAGE_PARAMS)
    return f'(import "{module}" "{name}" (func ${MESSAGE_FUNCTION} (param {params})))'


class MessageEmitter(Code):
    def s_Message(self, s: ir.Message) -> None:
        self.emit(I.i32_const(s.index))
        for v in s.values:  # evaluated in order, as Python does
            self.expr(v)
            t = v.ty
            assert isinstance(t, Scalar)
            if t == F32:
                self.emit(I.f64_promote_f32())
            if t.is_float:
                self.emit(I.i64_reinterpret_f64())
            elif t.wasm == "i32":
                self.emit(I.i64_extend_i32_u() if t.is_bool else I.i64_extend_i32_s())
        self.emit(*[I.i64_const(0) for _ in range(MAX_VALUES - len(s.values))])
        self.emit(I.call(MESSAGE_FUNCTION))


__all__ = ["MESSAGE_FUNCTION", "MessageEmitter", "message_import"]
